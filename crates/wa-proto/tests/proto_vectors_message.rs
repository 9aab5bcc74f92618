//! Typed assertions for the `Message` vectors Baileys encoded: every field
//! our types decode is compared with Baileys' own decoding of the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use proto_support::{Vector, check_key, vectors_of};
use wa_proto::proto::wa::{self, message};

/// Common media fields of Image/Video/Audio/Document/Sticker messages.
macro_rules! check_media {
    ($m:expr, $v:expr, $p:expr) => {{
        let (m, v, p) = (&$m, $v, $p);
        assert_eq!(m.url(), v.s(&format!("{p}.url")));
        assert_eq!(m.mimetype(), v.s(&format!("{p}.mimetype")));
        assert_eq!(m.file_sha256(), v.bytes_at(&format!("{p}.fileSha256")));
        assert_eq!(m.file_length(), v.u(&format!("{p}.fileLength")));
        assert_eq!(m.media_key(), v.bytes_at(&format!("{p}.mediaKey")));
        assert_eq!(
            m.file_enc_sha256(),
            v.bytes_at(&format!("{p}.fileEncSha256"))
        );
        assert_eq!(m.direct_path(), v.s(&format!("{p}.directPath")));
        assert_eq!(
            m.media_key_timestamp(),
            v.i(&format!("{p}.mediaKeyTimestamp"))
        );
        assert_eq!(m.file_sha256().len(), 32);
    }};
}

fn check_message_context_info(m: &wa::Message, v: &Vector) {
    let ci = m.message_context_info.as_ref().expect("messageContextInfo");
    if v.has("messageContextInfo.messageSecret") {
        assert_eq!(
            ci.message_secret(),
            v.bytes_at("messageContextInfo.messageSecret")
        );
        assert_eq!(ci.message_secret().len(), 32);
    }
    if v.has("messageContextInfo.deviceListMetadataVersion") {
        let version = v.i("messageContextInfo.deviceListMetadataVersion");
        assert_eq!(i64::from(ci.device_list_metadata_version()), version);
    }
    if v.has("messageContextInfo.deviceListMetadata.senderKeyHash") {
        let d = ci
            .device_list_metadata
            .as_ref()
            .expect("deviceListMetadata");
        let p = "messageContextInfo.deviceListMetadata";
        assert_eq!(
            d.sender_key_hash(),
            v.bytes_at(&format!("{p}.senderKeyHash"))
        );
        assert_eq!(d.sender_timestamp(), v.u(&format!("{p}.senderTimestamp")));
        assert_eq!(
            d.sender_key_indexes,
            v.u32s(&format!("{p}.senderKeyIndexes"))
        );
        assert_eq!(
            d.sender_account_type().as_str_name(),
            v.s(&format!("{p}.senderAccountType"))
        );
        assert_eq!(
            d.receiver_account_type().as_str_name(),
            v.s(&format!("{p}.receiverAccountType"))
        );
        assert_eq!(
            d.recipient_key_hash(),
            v.bytes_at(&format!("{p}.recipientKeyHash"))
        );
        assert_eq!(
            d.recipient_timestamp(),
            v.u(&format!("{p}.recipientTimestamp"))
        );
        assert_eq!(
            d.recipient_key_indexes,
            v.u32s(&format!("{p}.recipientKeyIndexes"))
        );
    }
}

fn inner<'a>(wrapper: &'a Option<Box<message::FutureProofMessage>>, what: &str) -> &'a wa::Message {
    wrapper
        .as_ref()
        .and_then(|w| w.message.as_deref())
        .unwrap_or_else(|| panic!("{what} wrapper without a message"))
}

fn check_text(m: &wa::Message, v: &Vector) {
    assert_eq!(m.conversation(), v.s("conversation"));
    assert!(m.conversation().contains('👋'));
    check_message_context_info(m, v);
}

fn check_extended_text(m: &wa::Message, v: &Vector) {
    let t = m
        .extended_text_message
        .as_ref()
        .expect("extendedTextMessage");
    let p = "extendedTextMessage";
    assert_eq!(t.text(), v.s(&format!("{p}.text")));
    assert_eq!(t.matched_text(), v.s(&format!("{p}.matchedText")));
    assert_eq!(t.description(), v.s(&format!("{p}.description")));
    assert_eq!(t.title(), v.s(&format!("{p}.title")));
    assert_eq!(u64::from(t.text_argb()), v.u(&format!("{p}.textArgb")));
    assert_eq!(
        u64::from(t.background_argb()),
        v.u(&format!("{p}.backgroundArgb"))
    );
    assert_eq!(t.font().as_str_name(), v.s(&format!("{p}.font")));
    assert_eq!(
        t.preview_type().as_str_name(),
        v.s(&format!("{p}.previewType"))
    );
    assert_eq!(
        t.jpeg_thumbnail(),
        v.bytes_at(&format!("{p}.jpegThumbnail"))
    );
    assert_eq!(t.do_not_play_inline(), v.b(&format!("{p}.doNotPlayInline")));
    assert_eq!(
        t.invite_link_group_type().as_str_name(),
        v.s(&format!("{p}.inviteLinkGroupType"))
    );
    let c = t.context_info.as_ref().expect("contextInfo");
    let p = "extendedTextMessage.contextInfo";
    assert_eq!(c.stanza_id(), v.s(&format!("{p}.stanzaId")));
    assert_eq!(c.participant(), v.s(&format!("{p}.participant")));
    let quoted = c.quoted_message.as_ref().expect("quotedMessage");
    assert_eq!(
        quoted.conversation(),
        v.s(&format!("{p}.quotedMessage.conversation"))
    );
    assert_eq!(c.remote_jid(), v.s(&format!("{p}.remoteJid")));
    assert_eq!(c.mentioned_jid, v.strings(&format!("{p}.mentionedJid")));
    assert_eq!(c.mentioned_jid.len(), 2);
    assert_eq!(
        u64::from(c.forwarding_score()),
        v.u(&format!("{p}.forwardingScore"))
    );
    assert_eq!(c.is_forwarded(), v.b(&format!("{p}.isForwarded")));
    check_key(
        c.placeholder_key.as_ref().expect("placeholderKey"),
        v,
        &format!("{p}.placeholderKey"),
    );
    assert_eq!(u64::from(c.expiration()), v.u(&format!("{p}.expiration")));
    assert_eq!(
        c.ephemeral_setting_timestamp(),
        v.i(&format!("{p}.ephemeralSettingTimestamp"))
    );
    assert_eq!(
        c.ephemeral_shared_secret(),
        v.bytes_at(&format!("{p}.ephemeralSharedSecret"))
    );
    let ad = c.external_ad_reply.as_ref().expect("externalAdReply");
    assert_eq!(ad.title(), v.s(&format!("{p}.externalAdReply.title")));
    assert_eq!(ad.body(), v.s(&format!("{p}.externalAdReply.body")));
    assert_eq!(
        ad.media_type().as_str_name(),
        v.s(&format!("{p}.externalAdReply.mediaType"))
    );
    assert_eq!(
        ad.thumbnail_url(),
        v.s(&format!("{p}.externalAdReply.thumbnailUrl"))
    );
    assert_eq!(
        ad.source_url(),
        v.s(&format!("{p}.externalAdReply.sourceUrl"))
    );
    assert_eq!(
        ad.render_larger_thumbnail(),
        v.b(&format!("{p}.externalAdReply.renderLargerThumbnail"))
    );
    assert_eq!(
        ad.show_ad_attribution(),
        v.b(&format!("{p}.externalAdReply.showAdAttribution"))
    );
    let dm = c.disappearing_mode.as_ref().expect("disappearingMode");
    assert_eq!(
        dm.initiator().as_str_name(),
        v.s(&format!("{p}.disappearingMode.initiator"))
    );
    assert_eq!(
        dm.trigger().as_str_name(),
        v.s(&format!("{p}.disappearingMode.trigger"))
    );
    assert_eq!(
        dm.initiated_by_me(),
        v.b(&format!("{p}.disappearingMode.initiatedByMe"))
    );
    assert_eq!(c.group_subject(), v.s(&format!("{p}.groupSubject")));
    assert_eq!(c.group_mentions.len(), v.len(&format!("{p}.groupMentions")));
    assert_eq!(
        c.group_mentions[0].group_jid(),
        v.s(&format!("{p}.groupMentions.0.groupJid"))
    );
    let nl = c
        .forwarded_newsletter_message_info
        .as_ref()
        .expect("newsletter info");
    assert_eq!(
        nl.newsletter_jid(),
        v.s(&format!("{p}.forwardedNewsletterMessageInfo.newsletterJid"))
    );
    assert_eq!(
        i64::from(nl.server_message_id()),
        v.i(&format!(
            "{p}.forwardedNewsletterMessageInfo.serverMessageId"
        ))
    );
    assert_eq!(
        nl.newsletter_name(),
        v.s(&format!(
            "{p}.forwardedNewsletterMessageInfo.newsletterName"
        ))
    );
    let fe = c
        .feature_eligibilities
        .as_ref()
        .expect("featureEligibilities");
    assert_eq!(
        fe.cannot_be_reacted_to(),
        v.b(&format!("{p}.featureEligibilities.cannotBeReactedTo"))
    );
    assert_eq!(
        fe.can_be_reshared(),
        v.b(&format!("{p}.featureEligibilities.canBeReshared"))
    );
    assert_eq!(
        c.forward_origin().as_str_name(),
        v.s(&format!("{p}.forwardOrigin"))
    );
    assert_eq!(
        c.paired_media_type().as_str_name(),
        v.s(&format!("{p}.pairedMediaType"))
    );
    assert_eq!(
        c.quoted_type().as_str_name(),
        v.s(&format!("{p}.quotedType"))
    );
    let utm = c.utm.as_ref().expect("utm");
    assert_eq!(utm.utm_source(), v.s(&format!("{p}.utm.utmSource")));
    assert_eq!(utm.utm_campaign(), v.s(&format!("{p}.utm.utmCampaign")));
    check_message_context_info(m, v);
}

fn check_image(m: &wa::Message, v: &Vector) {
    let i = m.image_message.as_ref().expect("imageMessage");
    let p = "imageMessage";
    check_media!(**i, v, p);
    assert_eq!(i.caption(), v.s("imageMessage.caption"));
    assert_eq!(u64::from(i.height()), v.u("imageMessage.height"));
    assert_eq!(u64::from(i.width()), v.u("imageMessage.width"));
    assert_eq!(i.jpeg_thumbnail(), v.bytes_at("imageMessage.jpegThumbnail"));
    assert_eq!(
        i.first_scan_sidecar(),
        v.bytes_at("imageMessage.firstScanSidecar")
    );
    assert_eq!(
        u64::from(i.first_scan_length()),
        v.u("imageMessage.firstScanLength")
    );
    assert_eq!(
        u64::from(i.experiment_group_id()),
        v.u("imageMessage.experimentGroupId")
    );
    assert_eq!(i.scans_sidecar(), v.bytes_at("imageMessage.scansSidecar"));
    assert_eq!(i.scan_lengths, v.u32s("imageMessage.scanLengths"));
    assert_eq!(
        i.mid_quality_file_sha256(),
        v.bytes_at("imageMessage.midQualityFileSha256")
    );
    assert_eq!(
        i.mid_quality_file_enc_sha256(),
        v.bytes_at("imageMessage.midQualityFileEncSha256")
    );
    assert_eq!(i.view_once(), v.b("imageMessage.viewOnce"));
    assert_eq!(
        i.thumbnail_direct_path(),
        v.s("imageMessage.thumbnailDirectPath")
    );
    assert_eq!(
        i.thumbnail_sha256(),
        v.bytes_at("imageMessage.thumbnailSha256")
    );
    assert_eq!(
        i.thumbnail_enc_sha256(),
        v.bytes_at("imageMessage.thumbnailEncSha256")
    );
    assert_eq!(i.static_url(), v.s("imageMessage.staticUrl"));
    assert_eq!(
        i.accessibility_label(),
        v.s("imageMessage.accessibilityLabel")
    );
    assert_eq!(
        i.media_key_domain().as_str_name(),
        v.s("imageMessage.mediaKeyDomain")
    );
    assert_eq!(
        i.image_source_type().as_str_name(),
        v.s("imageMessage.imageSourceType")
    );
    assert_eq!(i.qr_url(), v.s("imageMessage.qrUrl"));
    let c = i.context_info.as_ref().expect("contextInfo");
    assert_eq!(
        c.mentioned_jid,
        v.strings("imageMessage.contextInfo.mentionedJid")
    );
    assert_eq!(
        u64::from(c.expiration()),
        v.u("imageMessage.contextInfo.expiration")
    );
    let a = &i.interactive_annotations[0];
    let p = "imageMessage.interactiveAnnotations.0";
    assert_eq!(
        a.polygon_vertices.len(),
        v.len(&format!("{p}.polygonVertices"))
    );
    assert_eq!(
        a.polygon_vertices[0].x(),
        v.f(&format!("{p}.polygonVertices.0.x"))
    );
    assert_eq!(
        a.polygon_vertices[1].y(),
        v.f(&format!("{p}.polygonVertices.1.y"))
    );
    assert_eq!(
        i64::from(a.polygon_vertices[2].y_deprecated()),
        v.i(&format!("{p}.polygonVertices.2.yDeprecated"))
    );
    assert_eq!(
        a.should_skip_confirmation(),
        v.b(&format!("{p}.shouldSkipConfirmation"))
    );
    let Some(wa::interactive_annotation::Action::Location(loc)) = &a.action else {
        panic!("annotation action is not a location");
    };
    assert_eq!(
        loc.degrees_latitude(),
        v.f(&format!("{p}.location.degreesLatitude"))
    );
    assert_eq!(
        loc.degrees_longitude(),
        v.f(&format!("{p}.location.degreesLongitude"))
    );
    assert_eq!(loc.name(), v.s(&format!("{p}.location.name")));
    check_message_context_info(m, v);
}

fn check_video(video: &message::VideoMessage, v: &Vector, p: &str) {
    check_media!(*video, v, p);
    assert_eq!(u64::from(video.seconds()), v.u(&format!("{p}.seconds")));
    assert_eq!(u64::from(video.height()), v.u(&format!("{p}.height")));
    assert_eq!(u64::from(video.width()), v.u(&format!("{p}.width")));
}

fn check_video_gif(m: &wa::Message, v: &Vector) {
    let video = m.video_message.as_ref().expect("videoMessage");
    check_video(video, v, "videoMessage");
    assert_eq!(video.caption(), v.s("videoMessage.caption"));
    assert!(video.gif_playback());
    assert_eq!(video.gif_playback(), v.b("videoMessage.gifPlayback"));
    assert_eq!(
        video.streaming_sidecar(),
        v.bytes_at("videoMessage.streamingSidecar")
    );
    assert_eq!(
        video.gif_attribution().as_str_name(),
        v.s("videoMessage.gifAttribution")
    );
    assert_eq!(
        video.video_source_type().as_str_name(),
        v.s("videoMessage.videoSourceType")
    );
    let pv = &video.processed_videos[0];
    assert_eq!(
        pv.direct_path(),
        v.s("videoMessage.processedVideos.0.directPath")
    );
    assert_eq!(
        pv.file_length(),
        v.u("videoMessage.processedVideos.0.fileLength")
    );
    assert_eq!(
        u64::from(pv.bitrate()),
        v.u("videoMessage.processedVideos.0.bitrate")
    );
    assert_eq!(
        pv.quality().as_str_name(),
        v.s("videoMessage.processedVideos.0.quality")
    );
    assert_eq!(
        pv.capabilities,
        v.strings("videoMessage.processedVideos.0.capabilities")
    );
    assert_eq!(
        u64::from(video.external_share_full_video_duration_in_seconds()),
        v.u("videoMessage.externalShareFullVideoDurationInSeconds")
    );
    assert_eq!(
        video.motion_photo_presentation_offset_ms(),
        v.u("videoMessage.motionPhotoPresentationOffsetMs")
    );
}

fn check_audio(m: &wa::Message, v: &Vector) {
    let a = m.audio_message.as_ref().expect("audioMessage");
    check_media!(**a, v, "audioMessage");
    assert!(a.ptt());
    assert_eq!(a.ptt(), v.b("audioMessage.ptt"));
    assert_eq!(u64::from(a.seconds()), v.u("audioMessage.seconds"));
    assert_eq!(
        a.streaming_sidecar(),
        v.bytes_at("audioMessage.streamingSidecar")
    );
    assert_eq!(a.waveform(), v.bytes_at("audioMessage.waveform"));
    assert_eq!(
        u64::from(a.background_argb()),
        v.u("audioMessage.backgroundArgb")
    );
    assert_eq!(
        a.accessibility_label(),
        v.s("audioMessage.accessibilityLabel")
    );
    assert_eq!(
        a.media_key_domain().as_str_name(),
        v.s("audioMessage.mediaKeyDomain")
    );
}

fn check_document(d: &message::DocumentMessage, v: &Vector, p: &str) {
    check_media!(*d, v, p);
    assert_eq!(d.title(), v.s(&format!("{p}.title")));
    assert_eq!(u64::from(d.page_count()), v.u(&format!("{p}.pageCount")));
    assert_eq!(d.file_name(), v.s(&format!("{p}.fileName")));
    assert_eq!(d.contact_vcard(), v.b(&format!("{p}.contactVcard")));
    assert_eq!(
        d.thumbnail_direct_path(),
        v.s(&format!("{p}.thumbnailDirectPath"))
    );
    assert_eq!(
        d.thumbnail_sha256(),
        v.bytes_at(&format!("{p}.thumbnailSha256"))
    );
    assert_eq!(
        d.thumbnail_enc_sha256(),
        v.bytes_at(&format!("{p}.thumbnailEncSha256"))
    );
    assert_eq!(
        d.jpeg_thumbnail(),
        v.bytes_at(&format!("{p}.jpegThumbnail"))
    );
    assert_eq!(
        u64::from(d.thumbnail_height()),
        v.u(&format!("{p}.thumbnailHeight"))
    );
    assert_eq!(
        u64::from(d.thumbnail_width()),
        v.u(&format!("{p}.thumbnailWidth"))
    );
    let caption = format!("{p}.caption");
    if v.has(&caption) {
        assert_eq!(d.caption(), v.s(&caption));
    } else {
        assert!(d.caption.is_none());
    }
}

fn check_sticker(m: &wa::Message, v: &Vector) {
    let s = m.sticker_message.as_ref().expect("stickerMessage");
    check_media!(**s, v, "stickerMessage");
    assert_eq!(u64::from(s.height()), v.u("stickerMessage.height"));
    assert_eq!(
        u64::from(s.first_frame_length()),
        v.u("stickerMessage.firstFrameLength")
    );
    assert_eq!(
        s.first_frame_sidecar(),
        v.bytes_at("stickerMessage.firstFrameSidecar")
    );
    assert_eq!(s.is_animated(), v.b("stickerMessage.isAnimated"));
    assert_eq!(s.png_thumbnail(), v.bytes_at("stickerMessage.pngThumbnail"));
    assert_eq!(s.sticker_sent_ts(), v.i("stickerMessage.stickerSentTs"));
    assert_eq!(s.is_avatar(), v.b("stickerMessage.isAvatar"));
    assert_eq!(s.is_ai_sticker(), v.b("stickerMessage.isAiSticker"));
    assert_eq!(s.is_lottie(), v.b("stickerMessage.isLottie"));
}

#[path = "proto_support/message_content.rs"]
mod content;
#[path = "proto_support/message_control.rs"]
mod control;

#[test]
fn message_vectors_decode_to_baileys_values() {
    let mut checked = 0;
    for v in vectors_of(&["Message", "Message.PollVoteMessage", "MessageKey"]) {
        match v.type_name.as_str() {
            "MessageKey" => {
                let k: wa::MessageKey = v.decode();
                check_key(&k, v, "");
                assert!(k.participant().ends_with("@lid"));
            }
            "Message.PollVoteMessage" => {
                let vote: message::PollVoteMessage = v.decode();
                assert_eq!(vote.selected_options.len(), v.len("selectedOptions"));
                for (i, o) in vote.selected_options.iter().enumerate() {
                    assert_eq!(*o, v.bytes_at(&format!("selectedOptions.{i}")));
                    assert_eq!(o.len(), 32);
                }
            }
            _ => {
                let m: wa::Message = v.decode();
                check_message(&m, v);
            }
        }
        checked += 1;
    }
    assert!(checked >= 45, "only {checked} message vectors");
}

fn check_message(m: &wa::Message, v: &Vector) {
    match v.name.as_str() {
        "text" => check_text(m, v),
        "extended_text_context" => check_extended_text(m, v),
        "image" => check_image(m, v),
        "video_gif" => check_video_gif(m, v),
        "ptv" => check_video(m.ptv_message.as_ref().expect("ptvMessage"), v, "ptvMessage"),
        "audio_ptt" => check_audio(m, v),
        "document" => check_document(
            m.document_message.as_ref().expect("doc"),
            v,
            "documentMessage",
        ),
        "document_with_caption" => {
            let inner = inner(&m.document_with_caption_message, "documentWithCaption");
            let d = inner.document_message.as_ref().expect("documentMessage");
            check_document(d, v, "documentWithCaptionMessage.message.documentMessage");
            assert!(!d.caption().is_empty());
            check_message_context_info(m, v);
        }
        "sticker" => check_sticker(m, v),
        "location" => content::check_location(m, v),
        "live_location" => content::check_live_location(m, v),
        "contact" | "contacts_array" => content::check_contacts(m, v),
        "poll_creation_v1" | "poll_creation_v2" | "poll_creation_v3" => {
            content::check_poll_creation(m, v)
        }
        "poll_update" => content::check_poll_update(m, v),
        "reaction" | "reaction_remove" => content::check_reaction(m, v),
        name if name.starts_with("protocol_") => {
            control::check_protocol_vector(m, v);
            if let Some(pm) = &m.protocol_message {
                content::check_protocol(pm, v, "protocolMessage");
            }
        }
        "sender_key_distribution" | "device_sent" | "ephemeral" | "view_once_v2" => {
            control::check_envelope(m, v);
            if v.has("messageContextInfo") {
                check_message_context_info(m, v);
            }
        }
        "buttons"
        | "buttons_image_header"
        | "buttons_response"
        | "list"
        | "list_response"
        | "template"
        | "template_button_reply" => control::check_forms(m, v),
        "interactive_native_flow" | "interactive_header_video" | "interactive_response" => {
            control::check_interactive(m, v);
        }
        "keep_in_chat" | "pin_in_chat" | "group_invite" | "event" => control::check_misc(m, v),
        other => panic!("no typed assertions for message vector {other}"),
    }
}
