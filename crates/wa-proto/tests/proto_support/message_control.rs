//! Typed assertions for the control, envelope and form (buttons, lists,
//! templates, interactive) `Message` vectors; used by
//! `tests/proto_vectors_message.rs`.

use super::proto_support::{Vector, check_key};
use wa_proto::proto::wa::{self, message};

fn wrapped<'a>(w: &'a Option<Box<message::FutureProofMessage>>, what: &str) -> &'a wa::Message {
    w.as_ref()
        .and_then(|w| w.message.as_deref())
        .unwrap_or_else(|| panic!("{what} wrapper without a message"))
}

/// `protocol_*` vectors.
pub(crate) fn check_protocol_vector(m: &wa::Message, v: &Vector) {
    use message::protocol_message::Type;
    match v.name.as_str() {
        "protocol_revoke" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            // REVOKE is 0: it must be present on the wire, not defaulted.
            assert_eq!(pm.r#type, Some(Type::Revoke as i32));
            assert!(pm.key.as_ref().expect("key").from_me());
        }
        "protocol_edit" => {
            let inner = wrapped(&m.edited_message, "editedMessage");
            let pm = inner.protocol_message.as_ref().expect("protocolMessage");
            let p = "editedMessage.message.protocolMessage";
            assert_eq!(pm.r#type(), Type::MessageEdit);
            assert_eq!(pm.r#type().as_str_name(), v.s(&format!("{p}.type")));
            check_key(pm.key.as_ref().expect("key"), v, &format!("{p}.key"));
            let edited = pm.edited_message.as_ref().expect("editedMessage");
            assert_eq!(
                edited.conversation(),
                v.s(&format!("{p}.editedMessage.conversation"))
            );
            assert_eq!(pm.timestamp_ms(), v.i(&format!("{p}.timestampMs")));
        }
        "protocol_ephemeral_setting" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::EphemeralSetting);
            let exp = u64::from(pm.ephemeral_expiration());
            assert_eq!(exp, v.u("protocolMessage.ephemeralExpiration"));
            let ts = pm.ephemeral_setting_timestamp();
            assert_eq!(ts, v.i("protocolMessage.ephemeralSettingTimestamp"));
            let dm = pm.disappearing_mode.as_ref().expect("disappearingMode");
            assert_eq!(
                dm.trigger().as_str_name(),
                v.s("protocolMessage.disappearingMode.trigger")
            );
        }
        "protocol_history_sync_notification" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::HistorySyncNotification);
            let n = pm.history_sync_notification.as_ref().expect("notification");
            let p = "protocolMessage.historySyncNotification";
            assert_eq!(n.file_sha256(), v.bytes_at(&format!("{p}.fileSha256")));
            assert_eq!(n.file_length(), v.u(&format!("{p}.fileLength")));
            assert_eq!(n.media_key(), v.bytes_at(&format!("{p}.mediaKey")));
            assert_eq!(
                n.file_enc_sha256(),
                v.bytes_at(&format!("{p}.fileEncSha256"))
            );
            assert_eq!(n.direct_path(), v.s(&format!("{p}.directPath")));
            assert_eq!(n.sync_type().as_str_name(), v.s(&format!("{p}.syncType")));
            assert_eq!(
                n.sync_type,
                Some(0),
                "INITIAL_BOOTSTRAP is written explicitly"
            );
            assert_eq!(u64::from(n.chunk_order()), v.u(&format!("{p}.chunkOrder")));
            assert_eq!(
                n.original_message_id(),
                v.s(&format!("{p}.originalMessageId"))
            );
            assert_eq!(u64::from(n.progress()), v.u(&format!("{p}.progress")));
            let oldest = n.oldest_msg_in_chunk_timestamp_sec();
            assert_eq!(oldest, v.i(&format!("{p}.oldestMsgInChunkTimestampSec")));
            let inline = n.initial_hist_bootstrap_inline_payload();
            assert_eq!(
                inline,
                v.bytes_at(&format!("{p}.initialHistBootstrapInlinePayload"))
            );
            let session = n.peer_data_request_session_id();
            assert_eq!(session, v.s(&format!("{p}.peerDataRequestSessionId")));
        }
        "protocol_app_state_sync_key_share" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::AppStateSyncKeyShare);
            let share = pm.app_state_sync_key_share.as_ref().expect("share");
            let p = "protocolMessage.appStateSyncKeyShare.keys";
            assert_eq!(share.keys.len(), v.len(p));
            for (i, k) in share.keys.iter().enumerate() {
                let id = k.key_id.as_ref().expect("keyId").key_id();
                assert_eq!(id, v.bytes_at(&format!("{p}.{i}.keyId.keyId")));
                let data = k.key_data.as_ref().expect("keyData");
                assert_eq!(
                    data.key_data(),
                    v.bytes_at(&format!("{p}.{i}.keyData.keyData"))
                );
                assert_eq!(data.timestamp(), v.i(&format!("{p}.{i}.keyData.timestamp")));
            }
            let fp = share.keys[0]
                .key_data
                .as_ref()
                .and_then(|d| d.fingerprint.as_ref());
            let fp = fp.expect("fingerprint");
            let p = "protocolMessage.appStateSyncKeyShare.keys.0.keyData.fingerprint";
            assert_eq!(u64::from(fp.raw_id()), v.u(&format!("{p}.rawId")));
            assert_eq!(
                u64::from(fp.current_index()),
                v.u(&format!("{p}.currentIndex"))
            );
            assert_eq!(fp.device_indexes, v.u32s(&format!("{p}.deviceIndexes")));
        }
        "protocol_app_state_sync_key_request" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::AppStateSyncKeyRequest);
            let req = pm.app_state_sync_key_request.as_ref().expect("request");
            let p = "protocolMessage.appStateSyncKeyRequest.keyIds";
            assert_eq!(req.key_ids.len(), v.len(p));
            for (i, k) in req.key_ids.iter().enumerate() {
                assert_eq!(k.key_id(), v.bytes_at(&format!("{p}.{i}.keyId")));
            }
        }
        "protocol_peer_data_operation_request" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::PeerDataOperationRequestMessage);
            let r = pm
                .peer_data_operation_request_message
                .as_ref()
                .expect("request");
            let p = "protocolMessage.peerDataOperationRequestMessage";
            let t = r.peer_data_operation_request_type().as_str_name();
            assert_eq!(t, v.s(&format!("{p}.peerDataOperationRequestType")));
            let h = r
                .history_sync_on_demand_request
                .as_ref()
                .expect("on demand");
            let hp = format!("{p}.historySyncOnDemandRequest");
            assert_eq!(h.chat_jid(), v.s(&format!("{hp}.chatJid")));
            assert_eq!(h.oldest_msg_id(), v.s(&format!("{hp}.oldestMsgId")));
            assert_eq!(
                h.oldest_msg_from_me(),
                v.b(&format!("{hp}.oldestMsgFromMe"))
            );
            let count = i64::from(h.on_demand_msg_count());
            assert_eq!(count, v.i(&format!("{hp}.onDemandMsgCount")));
            let ts = h.oldest_msg_timestamp_ms();
            assert_eq!(ts, v.i(&format!("{hp}.oldestMsgTimestampMs")));
            let resend = &r.placeholder_message_resend_request[0];
            let key = resend.message_key.as_ref().expect("messageKey");
            check_key(
                key,
                v,
                &format!("{p}.placeholderMessageResendRequest.0.messageKey"),
            );
            let full = r
                .full_history_sync_on_demand_request
                .as_ref()
                .expect("full");
            let fp = format!("{p}.fullHistorySyncOnDemandRequest");
            let id = full
                .request_metadata
                .as_ref()
                .expect("metadata")
                .request_id();
            assert_eq!(id, v.s(&format!("{fp}.requestMetadata.requestId")));
            let cfg = full.history_sync_config.as_ref().expect("config");
            let days = u64::from(cfg.full_sync_days_limit());
            assert_eq!(
                days,
                v.u(&format!("{fp}.historySyncConfig.fullSyncDaysLimit"))
            );
        }
        "protocol_peer_data_operation_response" => {
            let pm = m.protocol_message.as_ref().expect("protocolMessage");
            assert_eq!(pm.r#type(), Type::PeerDataOperationRequestResponseMessage);
            let r = pm.peer_data_operation_request_response_message.as_ref();
            let r = r.expect("response");
            let p = "protocolMessage.peerDataOperationRequestResponseMessage";
            let t = r.peer_data_operation_request_type().as_str_name();
            assert_eq!(t, v.s(&format!("{p}.peerDataOperationRequestType")));
            assert_eq!(r.stanza_id(), v.s(&format!("{p}.stanzaId")));
            let res = &r.peer_data_operation_result;
            assert_eq!(res.len(), 2);
            let bytes = res[0]
                .placeholder_message_resend_response
                .as_ref()
                .expect("resend response")
                .web_message_info_bytes();
            let path = format!(
                "{p}.peerDataOperationResult.0.placeholderMessageResendResponse.webMessageInfoBytes"
            );
            assert_eq!(bytes, v.bytes_at(&path));
            let upload = res[1].media_upload_result().as_str_name();
            assert_eq!(
                upload,
                v.s(&format!("{p}.peerDataOperationResult.1.mediaUploadResult"))
            );
        }
        other => panic!("no typed assertions for protocol vector {other}"),
    }
}

/// Sender-key distribution, device-sent and wrapper vectors.
pub(crate) fn check_envelope(m: &wa::Message, v: &Vector) {
    match v.name.as_str() {
        "sender_key_distribution" => {
            let s = m.sender_key_distribution_message.as_ref().expect("skdm");
            assert_eq!(s.group_id(), v.s("senderKeyDistributionMessage.groupId"));
            assert!(s.group_id().ends_with("@g.us"));
            let blob = s.axolotl_sender_key_distribution_message();
            let path = "senderKeyDistributionMessage.axolotlSenderKeyDistributionMessage";
            assert_eq!(blob, v.bytes_at(path));
        }
        "device_sent" => {
            let d = m.device_sent_message.as_ref().expect("deviceSentMessage");
            assert_eq!(d.destination_jid(), v.s("deviceSentMessage.destinationJid"));
            assert_eq!(d.phash(), v.s("deviceSentMessage.phash"));
            let inner = d.message.as_ref().expect("message");
            let t = inner.extended_text_message.as_ref().expect("text");
            let p = "deviceSentMessage.message.extendedTextMessage";
            assert_eq!(t.text(), v.s(&format!("{p}.text")));
            let c = t.context_info.as_ref().expect("contextInfo");
            // expiration 0 was set explicitly and survives as Some(0).
            assert_eq!(c.expiration, Some(0));
            assert_eq!(
                u64::from(c.expiration()),
                v.u(&format!("{p}.contextInfo.expiration"))
            );
        }
        "ephemeral" => {
            let inner = wrapped(&m.ephemeral_message, "ephemeralMessage");
            let t = inner.extended_text_message.as_ref().expect("text");
            let p = "ephemeralMessage.message.extendedTextMessage";
            assert_eq!(t.text(), v.s(&format!("{p}.text")));
            let c = t.context_info.as_ref().expect("contextInfo");
            assert_eq!(
                u64::from(c.expiration()),
                v.u(&format!("{p}.contextInfo.expiration"))
            );
            let ts = c.ephemeral_setting_timestamp();
            assert_eq!(
                ts,
                v.i(&format!("{p}.contextInfo.ephemeralSettingTimestamp"))
            );
        }
        "view_once_v2" => {
            let inner = wrapped(&m.view_once_message_v2, "viewOnceMessageV2");
            let i = inner.image_message.as_ref().expect("imageMessage");
            let p = "viewOnceMessageV2.message.imageMessage";
            assert!(i.view_once());
            assert_eq!(i.view_once(), v.b(&format!("{p}.viewOnce")));
            assert_eq!(i.url(), v.s(&format!("{p}.url")));
            assert_eq!(i.media_key(), v.bytes_at(&format!("{p}.mediaKey")));
        }
        other => panic!("no typed assertions for envelope vector {other}"),
    }
}

/// Buttons, list and template vectors.
pub(crate) fn check_forms(m: &wa::Message, v: &Vector) {
    use message::buttons_message::Header;
    match v.name.as_str() {
        "buttons" | "buttons_image_header" => {
            let b = m.buttons_message.as_ref().expect("buttonsMessage");
            let p = "buttonsMessage";
            assert_eq!(b.content_text(), v.s(&format!("{p}.contentText")));
            assert_eq!(
                b.header_type().as_str_name(),
                v.s(&format!("{p}.headerType"))
            );
            assert_eq!(b.buttons.len(), v.len(&format!("{p}.buttons")));
            for (i, btn) in b.buttons.iter().enumerate() {
                let bp = format!("{p}.buttons.{i}");
                assert_eq!(btn.button_id(), v.s(&format!("{bp}.buttonId")));
                assert_eq!(btn.r#type().as_str_name(), v.s(&format!("{bp}.type")));
                if let Some(text) = &btn.button_text {
                    let expected = v.s(&format!("{bp}.buttonText.displayText"));
                    assert_eq!(text.display_text(), expected);
                }
            }
            match &b.header {
                Some(Header::Text(text)) => {
                    assert_eq!(text, v.s(&format!("{p}.text")));
                    assert_eq!(b.footer_text(), v.s(&format!("{p}.footerText")));
                    let flow = b.buttons[2]
                        .native_flow_info
                        .as_ref()
                        .expect("nativeFlowInfo");
                    let fp = format!("{p}.buttons.2.nativeFlowInfo");
                    assert_eq!(flow.name(), v.s(&format!("{fp}.name")));
                    assert_eq!(flow.params_json(), v.s(&format!("{fp}.paramsJson")));
                }
                Some(Header::ImageMessage(img)) => {
                    assert_eq!(img.url(), v.s(&format!("{p}.imageMessage.url")));
                    assert_eq!(img.mimetype(), v.s(&format!("{p}.imageMessage.mimetype")));
                }
                other => panic!("unexpected buttons header {other:?}"),
            }
        }
        "buttons_response" => {
            use message::buttons_response_message::Response;
            let r = m.buttons_response_message.as_ref().expect("response");
            let p = "buttonsResponseMessage";
            assert_eq!(
                r.selected_button_id(),
                v.s(&format!("{p}.selectedButtonId"))
            );
            let Some(Response::SelectedDisplayText(text)) = &r.response else {
                panic!("no selectedDisplayText");
            };
            assert_eq!(text, v.s(&format!("{p}.selectedDisplayText")));
            assert_eq!(r.r#type().as_str_name(), v.s(&format!("{p}.type")));
            let c = r.context_info.as_ref().expect("contextInfo");
            assert_eq!(c.stanza_id(), v.s(&format!("{p}.contextInfo.stanzaId")));
        }
        "list" => {
            let l = m.list_message.as_ref().expect("listMessage");
            assert_eq!(l.title(), v.s("listMessage.title"));
            assert_eq!(l.description(), v.s("listMessage.description"));
            assert_eq!(l.button_text(), v.s("listMessage.buttonText"));
            assert_eq!(l.list_type().as_str_name(), v.s("listMessage.listType"));
            assert_eq!(l.footer_text(), v.s("listMessage.footerText"));
            assert_eq!(l.sections.len(), v.len("listMessage.sections"));
            for (i, s) in l.sections.iter().enumerate() {
                let sp = format!("listMessage.sections.{i}");
                assert_eq!(s.title(), v.s(&format!("{sp}.title")));
                assert_eq!(s.rows.len(), v.len(&format!("{sp}.rows")));
                for (j, r) in s.rows.iter().enumerate() {
                    assert_eq!(r.title(), v.s(&format!("{sp}.rows.{j}.title")));
                    assert_eq!(r.row_id(), v.s(&format!("{sp}.rows.{j}.rowId")));
                }
            }
            assert_eq!(
                l.sections[0].rows[0].description(),
                v.s("listMessage.sections.0.rows.0.description")
            );
        }
        "list_response" => {
            let r = m
                .list_response_message
                .as_ref()
                .expect("listResponseMessage");
            assert_eq!(r.title(), v.s("listResponseMessage.title"));
            assert_eq!(
                r.list_type().as_str_name(),
                v.s("listResponseMessage.listType")
            );
            let reply = r.single_select_reply.as_ref().expect("reply");
            let row = v.s("listResponseMessage.singleSelectReply.selectedRowId");
            assert_eq!(reply.selected_row_id(), row);
            assert_eq!(r.description(), v.s("listResponseMessage.description"));
        }
        "template" => {
            use message::template_message::Format;
            use message::template_message::hydrated_four_row_template::Title;
            use wa::hydrated_template_button::HydratedButton;
            let t = m.template_message.as_ref().expect("templateMessage");
            let h = t.hydrated_template.as_ref().expect("hydratedTemplate");
            let p = "templateMessage.hydratedTemplate";
            assert_eq!(
                h.hydrated_content_text(),
                v.s(&format!("{p}.hydratedContentText"))
            );
            assert_eq!(
                h.hydrated_footer_text(),
                v.s(&format!("{p}.hydratedFooterText"))
            );
            assert_eq!(h.template_id(), v.s(&format!("{p}.templateId")));
            let Some(Title::HydratedTitleText(title)) = &h.title else {
                panic!("no title")
            };
            assert_eq!(title, v.s(&format!("{p}.hydratedTitleText")));
            assert_eq!(h.hydrated_buttons.len(), 3);
            for (i, b) in h.hydrated_buttons.iter().enumerate() {
                let bp = format!("{p}.hydratedButtons.{i}");
                assert_eq!(u64::from(b.index()), v.u(&format!("{bp}.index")));
                match &b.hydrated_button {
                    Some(HydratedButton::QuickReplyButton(q)) => {
                        assert_eq!(q.id(), v.s(&format!("{bp}.quickReplyButton.id")));
                    }
                    Some(HydratedButton::UrlButton(u)) => {
                        assert_eq!(u.url(), v.s(&format!("{bp}.urlButton.url")));
                    }
                    Some(HydratedButton::CallButton(c)) => {
                        assert_eq!(
                            c.phone_number(),
                            v.s(&format!("{bp}.callButton.phoneNumber"))
                        );
                    }
                    None => panic!("button {i} empty"),
                }
            }
            let Some(Format::HydratedFourRowTemplate(f)) = &t.format else {
                panic!("no hydratedFourRowTemplate");
            };
            let fp = "templateMessage.hydratedFourRowTemplate";
            assert_eq!(
                f.hydrated_content_text(),
                v.s(&format!("{fp}.hydratedContentText"))
            );
        }
        "template_button_reply" => {
            let r = m.template_button_reply_message.as_ref().expect("reply");
            let p = "templateButtonReplyMessage";
            assert_eq!(r.selected_id(), v.s(&format!("{p}.selectedId")));
            assert_eq!(
                r.selected_display_text(),
                v.s(&format!("{p}.selectedDisplayText"))
            );
            assert_eq!(r.selected_index, Some(0));
            assert_eq!(
                u64::from(r.selected_index()),
                v.u(&format!("{p}.selectedIndex"))
            );
        }
        other => panic!("no typed assertions for form vector {other}"),
    }
}

/// Interactive (native flow) vectors.
pub(crate) fn check_interactive(m: &wa::Message, v: &Vector) {
    use message::interactive_message::InteractiveMessage as Kind;
    match v.name.as_str() {
        "interactive_native_flow" => {
            let inner = wrapped(&m.view_once_message, "viewOnceMessage");
            let p = "viewOnceMessage.message.interactiveMessage";
            let ci = inner
                .message_context_info
                .as_ref()
                .expect("messageContextInfo");
            assert!(
                ci.device_list_metadata.is_some(),
                "empty deviceListMetadata kept"
            );
            assert_eq!(ci.device_list_metadata_version(), 2);
            let i = inner
                .interactive_message
                .as_ref()
                .expect("interactiveMessage");
            let h = i.header.as_ref().expect("header");
            assert_eq!(h.title(), v.s(&format!("{p}.header.title")));
            assert_eq!(h.subtitle(), v.s(&format!("{p}.header.subtitle")));
            assert_eq!(h.has_media_attachment, Some(false));
            let body = i.body.as_ref().expect("body").text();
            assert_eq!(body, v.s(&format!("{p}.body.text")));
            let footer = i.footer.as_ref().expect("footer").text();
            assert_eq!(footer, v.s(&format!("{p}.footer.text")));
            let Some(Kind::NativeFlowMessage(flow)) = &i.interactive_message else {
                panic!("no nativeFlowMessage");
            };
            assert_eq!(
                flow.buttons.len(),
                v.len(&format!("{p}.nativeFlowMessage.buttons"))
            );
            for (j, b) in flow.buttons.iter().enumerate() {
                let bp = format!("{p}.nativeFlowMessage.buttons.{j}");
                assert_eq!(b.name(), v.s(&format!("{bp}.name")));
                assert_eq!(
                    b.button_params_json(),
                    v.s(&format!("{bp}.buttonParamsJson"))
                );
            }
            let params = flow.message_params_json();
            assert_eq!(
                params,
                v.s(&format!("{p}.nativeFlowMessage.messageParamsJson"))
            );
            let version = i64::from(flow.message_version());
            assert_eq!(
                version,
                v.i(&format!("{p}.nativeFlowMessage.messageVersion"))
            );
            let c = i.context_info.as_ref().expect("contextInfo");
            assert_eq!(
                c.mentioned_jid,
                v.strings(&format!("{p}.contextInfo.mentionedJid"))
            );
        }
        "interactive_header_video" => {
            let i = m.interactive_message.as_ref().expect("interactiveMessage");
            assert_eq!(
                i.body.as_ref().expect("body").text(),
                v.s("interactiveMessage.body.text")
            );
            assert!(matches!(
                i.interactive_message,
                Some(Kind::NativeFlowMessage(_))
            ));
        }
        "interactive_response" => {
            use message::interactive_response_message::InteractiveResponseMessage as R;
            let r = m.interactive_response_message.as_ref().expect("response");
            let p = "interactiveResponseMessage";
            let body = r.body.as_ref().expect("body");
            assert_eq!(body.text(), v.s(&format!("{p}.body.text")));
            assert_eq!(
                body.format().as_str_name(),
                v.s(&format!("{p}.body.format"))
            );
            let Some(R::NativeFlowResponseMessage(n)) = &r.interactive_response_message else {
                panic!("no nativeFlowResponseMessage");
            };
            let np = format!("{p}.nativeFlowResponseMessage");
            assert_eq!(n.name(), v.s(&format!("{np}.name")));
            assert_eq!(n.params_json(), v.s(&format!("{np}.paramsJson")));
            assert_eq!(i64::from(n.version()), v.i(&format!("{np}.version")));
            let stanza = r.context_info.as_ref().expect("contextInfo").stanza_id();
            assert_eq!(stanza, v.s(&format!("{p}.contextInfo.stanzaId")));
        }
        other => panic!("no typed assertions for interactive vector {other}"),
    }
}

/// Keep-in-chat, pin, group invite and event vectors.
pub(crate) fn check_misc(m: &wa::Message, v: &Vector) {
    match v.name.as_str() {
        "keep_in_chat" => {
            let k = m.keep_in_chat_message.as_ref().expect("keepInChatMessage");
            check_key(k.key.as_ref().expect("key"), v, "keepInChatMessage.key");
            assert_eq!(k.keep_type(), wa::KeepType::KeepForAll);
            assert_eq!(
                k.keep_type().as_str_name(),
                v.s("keepInChatMessage.keepType")
            );
            assert_eq!(k.timestamp_ms(), v.i("keepInChatMessage.timestampMs"));
        }
        "pin_in_chat" => {
            let p = m.pin_in_chat_message.as_ref().expect("pinInChatMessage");
            check_key(p.key.as_ref().expect("key"), v, "pinInChatMessage.key");
            assert_eq!(p.r#type().as_str_name(), v.s("pinInChatMessage.type"));
            let ts = p.sender_timestamp_ms();
            assert_eq!(ts, v.i("pinInChatMessage.senderTimestampMs"));
            let ci = m.message_context_info.as_ref().expect("messageContextInfo");
            let secs = u64::from(ci.message_add_on_duration_in_secs());
            assert_eq!(secs, v.u("messageContextInfo.messageAddOnDurationInSecs"));
        }
        "group_invite" => {
            let g = m.group_invite_message.as_ref().expect("groupInviteMessage");
            let p = "groupInviteMessage";
            assert_eq!(g.group_jid(), v.s(&format!("{p}.groupJid")));
            assert_eq!(g.invite_code(), v.s(&format!("{p}.inviteCode")));
            assert_eq!(g.invite_expiration(), v.i(&format!("{p}.inviteExpiration")));
            assert_eq!(g.group_name(), v.s(&format!("{p}.groupName")));
            assert_eq!(
                g.jpeg_thumbnail(),
                v.bytes_at(&format!("{p}.jpegThumbnail"))
            );
            assert_eq!(g.caption(), v.s(&format!("{p}.caption")));
            assert_eq!(g.group_type().as_str_name(), v.s(&format!("{p}.groupType")));
        }
        "event" => {
            let e = m.event_message.as_ref().expect("eventMessage");
            let p = "eventMessage";
            assert_eq!(e.is_canceled(), v.b(&format!("{p}.isCanceled")));
            assert_eq!(e.name(), v.s(&format!("{p}.name")));
            assert_eq!(e.description(), v.s(&format!("{p}.description")));
            let loc = e.location.as_ref().expect("location");
            assert_eq!(
                loc.degrees_longitude(),
                v.f(&format!("{p}.location.degreesLongitude"))
            );
            assert_eq!(e.join_link(), v.s(&format!("{p}.joinLink")));
            assert_eq!(e.start_time(), v.i(&format!("{p}.startTime")));
            assert_eq!(e.end_time(), v.i(&format!("{p}.endTime")));
            assert_eq!(
                e.extra_guests_allowed(),
                v.b(&format!("{p}.extraGuestsAllowed"))
            );
        }
        other => panic!("no typed assertions for misc vector {other}"),
    }
}
