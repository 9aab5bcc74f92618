//! What a decrypted `wa.Message` is, for storage and events: its kind
//! (`chat`, `image`, ...) and its searchable text.

use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

/// Unwraps the containers that hold another message (ephemeral, view once,
/// document with caption, device sent).
pub fn unwrap(msg: &wa::Message) -> &wa::Message {
    let inner = msg
        .ephemeral_message
        .as_ref()
        .or(msg.view_once_message.as_ref())
        .or(msg.view_once_message_v2.as_ref())
        .or(msg.document_with_caption_message.as_ref())
        .or(msg.edited_message.as_ref())
        .and_then(|f| f.message.as_deref());
    if let Some(inner) = inner {
        return unwrap(inner);
    }
    if let Some(inner) = msg
        .device_sent_message
        .as_ref()
        .and_then(|d| d.message.as_deref())
    {
        return unwrap(inner);
    }
    msg
}

/// The kind and text of a user-visible message; `None` for protocol-only
/// payloads (sender key distribution, key shares, history sync, ...).
pub fn classify(msg: &wa::Message) -> Option<(&'static str, Option<String>)> {
    let m = unwrap(msg);
    if let Some(t) = &m.conversation {
        return Some(("chat", Some(t.clone())));
    }
    if let Some(t) = &m.extended_text_message {
        return Some(("chat", t.text.clone()));
    }
    if let Some(i) = &m.image_message {
        return Some(("image", i.caption.clone()));
    }
    if let Some(v) = &m.video_message {
        return Some(("video", v.caption.clone()));
    }
    if let Some(a) = &m.audio_message {
        let kind = if a.ptt.unwrap_or(false) {
            "ptt"
        } else {
            "audio"
        };
        return Some((kind, None));
    }
    if let Some(d) = &m.document_message {
        return Some((
            "document",
            d.caption.clone().or_else(|| d.file_name.clone()),
        ));
    }
    if m.sticker_message.is_some() {
        return Some(("sticker", None));
    }
    if let Some(l) = &m.location_message {
        return Some(("location", l.name.clone()));
    }
    if let Some(c) = &m.contact_message {
        return Some(("vcard", c.display_name.clone()));
    }
    if let Some(p) = crate::message::poll::poll_of(m) {
        return Some(("poll_creation", p.name.clone()));
    }
    if m.poll_update_message.is_some() {
        return Some(("poll_vote", None));
    }
    if let Some(c) = &m.contacts_array_message {
        return Some(("multi_vcard", c.display_name.clone()));
    }
    if let Some(r) = &m.reaction_message {
        return Some(("reaction", r.text.clone()));
    }
    if let Some(p) = &m.protocol_message {
        return match p.r#type.and_then(|t| ProtocolType::try_from(t).ok()) {
            Some(ProtocolType::Revoke) => Some(("revoke", None)),
            Some(ProtocolType::MessageEdit) => Some((
                "edit",
                p.edited_message.as_deref().and_then(|e| classify(e)?.1),
            )),
            _ => None,
        };
    }
    if m.sender_key_distribution_message.is_some() || m.message_context_info.is_some() {
        return None;
    }
    Some(("unknown", None))
}
