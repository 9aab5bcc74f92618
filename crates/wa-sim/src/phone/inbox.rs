//! What a phone's inbox shows for a decrypted message: the content type and
//! its text, after unwrapping the containers a message may travel in
//! (device-sent, ephemeral, view-once, document-with-caption, future-proof).

use serde::{Deserialize, Serialize};
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

/// One entry of `GET /sim/accounts/{phone}/inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxEntry {
    /// Message id.
    pub id: String,
    /// The chat: the sender's phone-number JID for 1:1 chats, the group JID
    /// for groups.
    pub chat: String,
    /// The sender's phone-number JID (user, no device).
    pub from: String,
    /// text, image, video, audio, document, sticker, location, contact,
    /// poll, poll_vote, reaction, revoke, edit or other.
    #[serde(rename = "type")]
    pub kind: String,
    /// Text, caption, location name, poll question or reaction emoji.
    pub text: String,
    /// Server timestamp (Unix seconds).
    pub timestamp: u64,
    /// For media messages: the attachment as the phone downloaded and
    /// decrypted it (`{mimetype, size, sha256}` or `{mimetype, error}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<super::media::InboxMedia>,
    /// What the message refers to (quoted id, mentions, the target of a
    /// reaction/revoke/edit/vote, forwarded flag), when anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<InboxRefs>,
}

/// The references of an [`InboxEntry`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRefs {
    /// The id of the quoted message (a reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_id: Option<String>,
    /// Mentioned JIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// The message a reaction, revoke, edit or poll vote is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// Marked forwarded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forwarded: bool,
}

/// The [`InboxRefs`] of a message, `None` when it refers to nothing.
pub fn refs(msg: &wa::Message) -> Option<InboxRefs> {
    let m = unwrap(msg);
    let ctx = [
        m.extended_text_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.image_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.video_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.audio_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.document_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.sticker_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.location_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.contact_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
        m.contacts_array_message
            .as_ref()
            .and_then(|x| x.context_info.as_deref()),
    ]
    .into_iter()
    .flatten()
    .next();
    let key = m
        .reaction_message
        .as_ref()
        .and_then(|r| r.key.as_ref())
        .or(m.protocol_message.as_ref().and_then(|p| p.key.as_ref()))
        .or(m
            .poll_update_message
            .as_ref()
            .and_then(|u| u.poll_creation_message_key.as_ref()));
    let r = InboxRefs {
        quoted_id: ctx.and_then(|c| c.stanza_id.clone()),
        mentions: ctx.map(|c| c.mentioned_jid.clone()).unwrap_or_default(),
        target_id: key.and_then(|k| k.id.clone()),
        forwarded: ctx.and_then(|c| c.is_forwarded).unwrap_or(false),
    };
    (r != InboxRefs::default()).then_some(r)
}

/// The innermost user-visible message: unwraps device-sent, ephemeral,
/// view-once and similar containers (at most a few levels deep).
pub fn unwrap(msg: &wa::Message) -> &wa::Message {
    let mut m = msg;
    for _ in 0..8 {
        let inner = m
            .device_sent_message
            .as_ref()
            .and_then(|d| d.message.as_deref())
            .or_else(|| future(&m.ephemeral_message))
            .or_else(|| future(&m.view_once_message))
            .or_else(|| future(&m.view_once_message_v2))
            .or_else(|| future(&m.view_once_message_v2_extension))
            .or_else(|| future(&m.document_with_caption_message))
            .or_else(|| future(&m.edited_message))
            .or_else(|| future(&m.poll_creation_message_v4));
        match inner {
            Some(i) => m = i,
            None => break,
        }
    }
    m
}

/// The `FN:` (formatted name) of a vCard.
fn vcard_name(vcard: Option<&str>) -> Option<String> {
    vcard?
        .lines()
        .find_map(|l| {
            l.strip_prefix("FN:")
                .or_else(|| l.strip_prefix("FN;CHARSET=UTF-8:"))
        })
        .map(|n| n.trim().to_owned())
}

fn future(f: &Option<Box<wa::message::FutureProofMessage>>) -> Option<&wa::Message> {
    f.as_ref().and_then(|f| f.message.as_deref())
}

/// Whether a (unwrapped) message carries nothing for the inbox: protocol
/// messages other than revoke/edit (history sync, key shares, ...), sender
/// key distribution alone, or an empty message.
pub fn is_silent(msg: &wa::Message) -> bool {
    classify(msg).is_none()
}

/// The inbox `(type, text)` of a message, or `None` for messages a phone
/// does not show (see [`is_silent`]).
pub fn classify(msg: &wa::Message) -> Option<(&'static str, String)> {
    let m = unwrap(msg);
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    if let Some(t) = &m.conversation {
        return Some(("text", t.clone()));
    }
    if let Some(t) = &m.extended_text_message {
        return Some(("text", s(&t.text)));
    }
    if let Some(x) = &m.image_message {
        return Some(("image", s(&x.caption)));
    }
    if let Some(x) = &m.video_message {
        return Some(("video", s(&x.caption)));
    }
    if let Some(x) = &m.ptv_message {
        return Some(("video", s(&x.caption)));
    }
    if m.audio_message.is_some() {
        return Some(("audio", String::new()));
    }
    if let Some(x) = &m.document_message {
        return Some(("document", s(&x.caption)));
    }
    if m.sticker_message.is_some() || m.lottie_sticker_message.is_some() {
        return Some(("sticker", String::new()));
    }
    if let Some(x) = &m.location_message {
        return Some(("location", s(&x.name)));
    }
    if let Some(x) = &m.live_location_message {
        return Some(("location", s(&x.caption)));
    }
    if let Some(x) = &m.contact_message {
        let name = x.display_name.clone().filter(|n| !n.is_empty());
        return Some((
            "contact",
            name.or_else(|| vcard_name(x.vcard.as_deref()))
                .unwrap_or_default(),
        ));
    }
    if let Some(x) = &m.contacts_array_message {
        return Some(("contact", s(&x.display_name)));
    }
    if let Some(p) = [
        &m.poll_creation_message,
        &m.poll_creation_message_v2,
        &m.poll_creation_message_v3,
        &m.poll_creation_message_v5,
    ]
    .into_iter()
    .flatten()
    .next()
    {
        return Some(("poll", s(&p.name)));
    }
    if m.poll_update_message.is_some() {
        return Some(("poll_vote", String::new()));
    }
    if let Some(x) = &m.reaction_message {
        return Some(("reaction", s(&x.text)));
    }
    if let Some(p) = &m.protocol_message {
        return match p.r#type.and_then(|t| ProtocolType::try_from(t).ok()) {
            Some(ProtocolType::Revoke) => Some(("revoke", String::new())),
            Some(ProtocolType::MessageEdit) => {
                let text = p
                    .edited_message
                    .as_deref()
                    .and_then(|e| classify(e).map(|(_, t)| t))
                    .unwrap_or_default();
                Some(("edit", text))
            }
            _ => None,
        };
    }
    let only_skdm = wa::Message {
        sender_key_distribution_message: None,
        message_context_info: None,
        ..m.clone()
    } == wa::Message::default();
    if only_skdm {
        return None;
    }
    Some(("other", String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_types_through_wrappers() {
        let text = wa::Message {
            extended_text_message: Some(Box::new(wa::message::ExtendedTextMessage {
                text: Some("hi".into()),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(classify(&text), Some(("text", "hi".into())));
        let wrapped = wa::Message {
            ephemeral_message: Some(Box::new(wa::message::FutureProofMessage {
                message: Some(Box::new(text.clone())),
            })),
            ..Default::default()
        };
        assert_eq!(classify(&wrapped), Some(("text", "hi".into())));
        let poll = wa::Message {
            poll_creation_message_v3: Some(Box::new(wa::message::PollCreationMessage {
                name: Some("Q?".into()),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(classify(&poll), Some(("poll", "Q?".into())));
        let loc = wa::Message {
            location_message: Some(Box::new(wa::message::LocationMessage {
                name: Some("Jakarta".into()),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(classify(&loc), Some(("location", "Jakarta".into())));
        let history = wa::Message {
            protocol_message: Some(Box::new(wa::message::ProtocolMessage {
                r#type: Some(ProtocolType::HistorySyncNotification as i32),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(classify(&history), None);
        assert_eq!(classify(&wa::Message::default()), None);
    }

    #[test]
    fn refs_show_quotes_mentions_targets_and_forwards() {
        let reply = wa::Message {
            extended_text_message: Some(Box::new(wa::message::ExtendedTextMessage {
                text: Some("yes".into()),
                context_info: Some(Box::new(wa::ContextInfo {
                    stanza_id: Some("Q1".into()),
                    mentioned_jid: vec!["1@s.whatsapp.net".into()],
                    is_forwarded: Some(true),
                    ..Default::default()
                })),
                ..Default::default()
            })),
            ..Default::default()
        };
        let r = refs(&reply).unwrap();
        assert_eq!(r.quoted_id.as_deref(), Some("Q1"));
        assert_eq!(r.mentions, ["1@s.whatsapp.net"]);
        assert!(r.forwarded);
        let reaction = wa::Message {
            reaction_message: Some(wa::message::ReactionMessage {
                key: Some(wa::MessageKey {
                    id: Some("T1".into()),
                    ..Default::default()
                }),
                text: Some("x".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(refs(&reaction).unwrap().target_id.as_deref(), Some("T1"));
        let plain = wa::Message {
            conversation: Some("hi".into()),
            ..Default::default()
        };
        assert_eq!(refs(&plain), None);
    }
}
