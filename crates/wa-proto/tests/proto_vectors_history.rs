//! Typed assertions for the stored-message (WebMessageInfo) and history-sync
//! vectors Baileys encoded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use proto_support::{Vector, check_key, vectors_of};
use wa_proto::proto::wa::{self, history_sync::HistorySyncType};

fn check_web_message_info(w: &wa::WebMessageInfo, v: &Vector, p: &str) {
    check_key(w.key.as_ref().expect("key"), v, &format!("{p}.key"));
    assert_eq!(w.message_timestamp(), v.u(&format!("{p}.messageTimestamp")));
    let status = format!("{p}.status");
    if v.has(&status) {
        assert_eq!(w.status().as_str_name(), v.s(&status));
    }
    let text = format!("{p}.message.conversation");
    if v.has(&text) {
        assert_eq!(
            w.message.as_ref().expect("message").conversation(),
            v.s(&text)
        );
    }
}

fn check_rich_web_message_info(v: &Vector) {
    let w: wa::WebMessageInfo = v.decode();
    check_web_message_info(&w, v, "");
    assert_eq!(w.participant(), v.s("participant"));
    assert_eq!(w.message_c2s_timestamp(), v.u("messageC2STimestamp"));
    assert_eq!(w.starred(), v.b("starred"));
    assert_eq!(w.push_name(), v.s("pushName"));
    assert_eq!(
        w.media_ciphertext_sha256(),
        v.bytes_at("mediaCiphertextSha256")
    );
    assert!(w.message_stub_parameters.is_empty());
    assert_eq!(w.labels, v.strings("labels"));
    assert_eq!(
        w.ephemeral_start_timestamp(),
        v.u("ephemeralStartTimestamp")
    );
    assert_eq!(u64::from(w.ephemeral_duration()), v.u("ephemeralDuration"));
    let r = &w.user_receipt[0];
    assert_eq!(r.user_jid(), v.s("userReceipt.0.userJid"));
    assert_eq!(r.receipt_timestamp(), v.i("userReceipt.0.receiptTimestamp"));
    assert_eq!(r.read_timestamp(), v.i("userReceipt.0.readTimestamp"));
    assert_eq!(
        r.delivered_device_jid,
        v.strings("userReceipt.0.deliveredDeviceJid")
    );
    let re = &w.reactions[0];
    check_key(re.key.as_ref().expect("key"), v, "reactions.0.key");
    assert_eq!(re.text(), v.s("reactions.0.text"));
    assert_eq!(
        re.sender_timestamp_ms(),
        v.i("reactions.0.senderTimestampMs")
    );
    assert_eq!(re.unread(), v.b("reactions.0.unread"));
    let pu = &w.poll_updates[0];
    let key = pu.poll_update_message_key.as_ref().expect("key");
    check_key(key, v, "pollUpdates.0.pollUpdateMessageKey");
    let vote = pu.vote.as_ref().expect("vote");
    assert_eq!(
        vote.selected_options[0],
        v.bytes_at("pollUpdates.0.vote.selectedOptions.0")
    );
    assert_eq!(
        pu.server_timestamp_ms(),
        v.i("pollUpdates.0.serverTimestampMs")
    );
    assert_eq!(w.message_secret(), v.bytes_at("messageSecret"));
    let keep = w.keep_in_chat.as_ref().expect("keepInChat");
    assert_eq!(keep.keep_type().as_str_name(), v.s("keepInChat.keepType"));
    assert_eq!(keep.server_timestamp(), v.i("keepInChat.serverTimestamp"));
    let pin = w.pin_in_chat.as_ref().expect("pinInChat");
    assert_eq!(pin.r#type().as_str_name(), v.s("pinInChat.type"));
    check_key(pin.key.as_ref().expect("key"), v, "pinInChat.key");
    let er = &w.event_responses[0];
    let resp = er
        .event_response_message
        .as_ref()
        .expect("eventResponseMessage");
    let path = "eventResponses.0.eventResponseMessage.response";
    assert_eq!(resp.response().as_str_name(), v.s(path));
    let guests = i64::from(resp.extra_guest_count());
    assert_eq!(
        guests,
        v.i("eventResponses.0.eventResponseMessage.extraGuestCount")
    );
    check_key(
        w.target_message_id.as_ref().expect("target"),
        v,
        "targetMessageId",
    );
}

fn check_history_sync(v: &Vector) {
    let h: wa::HistorySync = v.decode();
    // syncType is written even when it is INITIAL_BOOTSTRAP (0).
    assert!(h.sync_type.is_some());
    assert_eq!(h.sync_type().as_str_name(), v.s("syncType"));
    match v.name.as_str() {
        "history_sync_initial_bootstrap" => {
            assert_eq!(h.sync_type(), HistorySyncType::InitialBootstrap);
            assert_eq!(h.conversations.len(), 2);
            let c = &h.conversations[0];
            let p = "conversations.0";
            assert_eq!(c.id(), v.s(&format!("{p}.id")));
            assert_eq!(c.messages.len(), v.len(&format!("{p}.messages")));
            for (i, m) in c.messages.iter().enumerate() {
                let mp = format!("{p}.messages.{i}");
                assert_eq!(m.msg_order_id(), v.u(&format!("{mp}.msgOrderId")));
                let w = m.message.as_ref().expect("message");
                check_web_message_info(w, v, &format!("{mp}.message"));
            }
            assert_eq!(
                u64::from(c.unread_count()),
                v.u(&format!("{p}.unreadCount"))
            );
            assert_eq!(c.ephemeral_expiration, Some(0));
            let ts = c.conversation_timestamp();
            assert_eq!(ts, v.u(&format!("{p}.conversationTimestamp")));
            assert_eq!(c.name(), v.s(&format!("{p}.name")));
            assert_eq!(c.not_spam(), v.b(&format!("{p}.notSpam")));
            assert_eq!(
                c.media_visibility().as_str_name(),
                v.s(&format!("{p}.mediaVisibility"))
            );
            assert_eq!(c.tc_token(), v.bytes_at(&format!("{p}.tcToken")));
            assert_eq!(
                c.tc_token_timestamp(),
                v.u(&format!("{p}.tcTokenTimestamp"))
            );
            assert_eq!(c.pn_jid(), v.s(&format!("{p}.pnJid")));
            assert_eq!(c.lid_jid(), v.s(&format!("{p}.lidJid")));
            let g = &h.conversations[1];
            let p = "conversations.1";
            assert_eq!(g.id(), v.s(&format!("{p}.id")));
            assert_eq!(g.participant.len(), 2);
            for (i, part) in g.participant.iter().enumerate() {
                assert_eq!(
                    part.user_jid(),
                    v.s(&format!("{p}.participant.{i}.userJid"))
                );
                assert_eq!(
                    part.rank().as_str_name(),
                    v.s(&format!("{p}.participant.{i}.rank"))
                );
            }
            assert_eq!(
                g.end_of_history_transfer(),
                v.b(&format!("{p}.endOfHistoryTransfer"))
            );
            let eot = g.end_of_history_transfer_type().as_str_name();
            assert_eq!(eot, v.s(&format!("{p}.endOfHistoryTransferType")));
            let dm = g.disappearing_mode.as_ref().expect("disappearingMode");
            assert_eq!(
                dm.initiator().as_str_name(),
                v.s(&format!("{p}.disappearingMode.initiator"))
            );
            let trigger = g.limit_sharing_trigger().as_str_name();
            assert_eq!(trigger, v.s(&format!("{p}.limitSharingTrigger")));
            assert_eq!(h.chunk_order, Some(0));
            assert_eq!(u64::from(h.progress()), v.u("progress"));
            assert_eq!(h.pushnames[0].id(), v.s("pushnames.0.id"));
            assert_eq!(h.pushnames[0].pushname(), v.s("pushnames.0.pushname"));
            let gs = h.global_settings.as_ref().expect("globalSettings");
            assert_eq!(
                gs.media_visibility().as_str_name(),
                v.s("globalSettings.mediaVisibility")
            );
            let wifi = gs.auto_download_wi_fi.as_ref().expect("autoDownloadWiFi");
            assert_eq!(
                wifi.download_images(),
                v.b("globalSettings.autoDownloadWiFi.downloadImages")
            );
            assert_eq!(i64::from(gs.font_size()), v.i("globalSettings.fontSize"));
            let lock = gs.chat_lock_settings.as_ref().expect("chatLockSettings");
            let code = lock.secret_code.as_ref().expect("secretCode");
            let cp = "globalSettings.chatLockSettings.secretCode";
            assert_eq!(
                code.transformer().as_str_name(),
                v.s(&format!("{cp}.transformer"))
            );
            use wa::user_password::transformer_arg::value::Value as Arg;
            let args = &code.transformer_arg;
            assert_eq!(args[0].key(), v.s(&format!("{cp}.transformerArg.0.key")));
            let Some(Arg::AsUnsignedInteger(n)) =
                args[0].value.as_ref().and_then(|x| x.value.clone())
            else {
                panic!("iterations is not an integer");
            };
            assert_eq!(
                u64::from(n),
                v.u(&format!("{cp}.transformerArg.0.value.asUnsignedInteger"))
            );
            let Some(Arg::AsBlob(salt)) = args[1].value.as_ref().and_then(|x| x.value.clone())
            else {
                panic!("salt is not a blob");
            };
            assert_eq!(
                salt,
                v.bytes_at(&format!("{cp}.transformerArg.1.value.asBlob"))
            );
            assert_eq!(
                code.transformed_data(),
                v.bytes_at(&format!("{cp}.transformedData"))
            );
            assert_eq!(h.thread_id_user_secret(), v.bytes_at("threadIdUserSecret"));
            let map = &h.phone_number_to_lid_mappings[0];
            assert_eq!(map.pn_jid(), v.s("phoneNumberToLidMappings.0.pnJid"));
            assert_eq!(map.lid_jid(), v.s("phoneNumberToLidMappings.0.lidJid"));
            let past = &h.past_participants[0];
            assert_eq!(past.group_jid(), v.s("pastParticipants.0.groupJid"));
            let pp = &past.past_participants[0];
            let reason = pp.leave_reason().as_str_name();
            assert_eq!(
                reason,
                v.s("pastParticipants.0.pastParticipants.0.leaveReason")
            );
            assert_eq!(
                pp.leave_ts(),
                v.u("pastParticipants.0.pastParticipants.0.leaveTs")
            );
            let st = &h.recent_stickers[0];
            assert_eq!(f64::from(st.weight()), v.f("recentStickers.0.weight"));
            assert_eq!(st.file_sha256(), v.bytes_at("recentStickers.0.fileSha256"));
            assert_eq!(h.accounts[0].lid(), v.s("accounts.0.lid"));
            assert_eq!(h.accounts[0].country_code(), v.s("accounts.0.countryCode"));
        }
        "history_sync_push_name" => {
            assert_eq!(h.sync_type(), HistorySyncType::PushName);
            assert!(h.conversations.is_empty());
            assert_eq!(h.pushnames.len(), v.len("pushnames"));
            for (i, p) in h.pushnames.iter().enumerate() {
                assert_eq!(p.id(), v.s(&format!("pushnames.{i}.id")));
                assert_eq!(p.pushname(), v.s(&format!("pushnames.{i}.pushname")));
            }
        }
        "history_sync_recent" => {
            assert_eq!(h.sync_type(), HistorySyncType::Recent);
            let c = &h.conversations[0];
            assert_eq!(c.id(), v.s("conversations.0.id"));
            let w = c.messages[0].message.as_ref().expect("message");
            check_web_message_info(w, v, "conversations.0.messages.0.message");
            let status = &h.status_v3_messages[0];
            check_web_message_info(status, v, "statusV3Messages.0");
            assert_eq!(u64::from(h.chunk_order()), v.u("chunkOrder"));
        }
        other => panic!("no typed assertions for history vector {other}"),
    }
}

#[test]
fn history_vectors_decode_to_baileys_values() {
    let mut checked = 0;
    for v in vectors_of(&["WebMessageInfo", "HistorySync"]) {
        match v.name.as_str() {
            "web_message_info" => check_rich_web_message_info(v),
            "web_message_info_stub" => {
                let w: wa::WebMessageInfo = v.decode();
                check_web_message_info(&w, v, "");
                let stub = w.message_stub_type();
                assert_eq!(stub, wa::web_message_info::StubType::GroupCreate);
                assert_eq!(stub.as_str_name(), v.s("messageStubType"));
                assert_eq!(
                    w.message_stub_parameters,
                    v.strings("messageStubParameters")
                );
                assert_eq!(
                    w.biz_privacy_status().as_str_name(),
                    v.s("bizPrivacyStatus")
                );
                assert!(w.message.is_none());
            }
            _ if v.type_name == "HistorySync" => check_history_sync(v),
            other => panic!("no typed assertions for {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}
