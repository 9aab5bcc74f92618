//! The `<message>` stanza for an encrypted message, built from the stored
//! ciphertexts (so a resend after a restart writes the same bytes), and the
//! attributes current clients derive from the content: `type`, `edit` and
//! `<enc mediatype>` (whatsmeow `getTypeFromMessage`,
//! `getEditAttribute`, `getMediaTypeFromMessage`).

use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use crate::client::content;
use crate::store::{CiphertextKind, OutboxCiphertext};

/// The stanza `type`: `reaction`, `poll`, `media` or `text`.
pub(crate) fn stanza_type(msg: &wa::Message) -> &'static str {
    let m = content::unwrap(msg);
    if m.reaction_message.is_some() || m.enc_reaction_message.is_some() {
        "reaction"
    } else if m.poll_creation_message.is_some()
        || m.poll_creation_message_v2.is_some()
        || m.poll_creation_message_v3.is_some()
        || m.poll_update_message.is_some()
    {
        "poll"
    } else if media_type(m).is_some() {
        "media"
    } else {
        "text"
    }
}

/// The `edit` attribute: `1` for an edit, `7` for a revoke of our own
/// message or a removed reaction, `8` for an admin revoke.
pub(crate) fn edit_attr(msg: &wa::Message, own_user: &str) -> Option<&'static str> {
    let m = content::unwrap(msg);
    if let Some(p) = &m.protocol_message {
        let kind = p.r#type.and_then(|t| ProtocolType::try_from(t).ok());
        match kind {
            Some(ProtocolType::MessageEdit) => return Some("1"),
            Some(ProtocolType::Revoke) => {
                let key = p.key.as_ref();
                let mine = key.and_then(|k| k.from_me).unwrap_or(false)
                    || key
                        .and_then(|k| k.participant.as_deref())
                        .is_some_and(|pt| pt.split(['@', ':']).next() == Some(own_user));
                return Some(if mine { "7" } else { "8" });
            }
            _ => {}
        }
    }
    if let Some(r) = &m.reaction_message
        && r.text.as_deref().unwrap_or_default().is_empty()
    {
        return Some("7");
    }
    None
}

/// The `mediatype` of `<enc>` for media and other rich messages.
pub(crate) fn media_type(m: &wa::Message) -> Option<&'static str> {
    Some(if m.image_message.is_some() {
        "image"
    } else if m.sticker_message.is_some() {
        "sticker"
    } else if m.document_message.is_some() || m.document_with_caption_message.is_some() {
        "document"
    } else if let Some(a) = &m.audio_message {
        if a.ptt.unwrap_or(false) {
            "ptt"
        } else {
            "audio"
        }
    } else if let Some(v) = &m.video_message {
        if v.gif_playback.unwrap_or(false) {
            "gif"
        } else {
            "video"
        }
    } else if m.contact_message.is_some() {
        "vcard"
    } else if m.contacts_array_message.is_some() {
        "contact_array"
    } else if m.location_message.is_some() {
        "location"
    } else if m.live_location_message.is_some() {
        "livelocation"
    } else if m.list_message.is_some() {
        "list"
    } else if m.list_response_message.is_some() {
        "list_response"
    } else if m.buttons_response_message.is_some() {
        "buttons_response"
    } else if m.interactive_response_message.is_some() {
        "native_flow_response"
    } else if m.group_invite_message.is_some()
        || m.extended_text_message
            .as_ref()
            .is_some_and(|t| t.title.as_deref().is_some_and(|s| !s.is_empty()))
    {
        "url"
    } else {
        return None;
    })
}

fn enc(ct: &OutboxCiphertext, mediatype: Option<&'static str>) -> Node {
    let mut n = Node::new("enc")
        .with_attr("v", "2")
        .with_attr("type", ct.kind.as_str());
    if let Some(mt) = mediatype {
        n = n.with_attr("mediatype", mt);
    }
    n.with_bytes(ct.bytes.clone())
}

/// What [`message_node`] needs besides the ciphertexts.
pub(crate) struct StanzaParams<'a> {
    pub(crate) id: &'a str,
    pub(crate) to: &'a Jid,
    pub(crate) message: &'a wa::Message,
    pub(crate) own_user: &'a str,
    /// Our signed device identity, attached when a `pkmsg` is included.
    pub(crate) device_identity: Option<&'a [u8]>,
    /// `(phash, lid addressing)` for groups.
    pub(crate) group: Option<(&'a str, bool)>,
}

/// The `<message>` stanza: pairwise ciphertexts under `<participants>`, a
/// group's `skmsg` directly under `<message>`.
pub(crate) fn message_node(p: &StanzaParams<'_>, cts: &[OutboxCiphertext]) -> Node {
    let mediatype = media_type(content::unwrap(p.message));
    let mut node = Node::new("message")
        .with_attr("id", p.id.to_owned())
        .with_attr("to", p.to.clone())
        .with_attr("type", stanza_type(p.message));
    if let Some(e) = edit_attr(p.message, p.own_user) {
        node = node.with_attr("edit", e);
    }
    if let Some((phash, lid)) = p.group {
        node = node.with_attr("phash", phash.to_owned());
        if lid {
            node = node.with_attr("addressing_mode", "lid");
        }
    }
    let pairwise: Vec<Node> = cts
        .iter()
        .filter(|c| c.kind != CiphertextKind::SkMsg)
        .map(|c| {
            Node::new("to")
                .with_attr("jid", c.recipient.clone())
                .with_child(enc(c, mediatype))
        })
        .collect();
    if !pairwise.is_empty() {
        node.push_child(Node::new("participants").with_children(pairwise));
    }
    for c in cts.iter().filter(|c| c.kind == CiphertextKind::SkMsg) {
        node.push_child(enc(c, mediatype));
    }
    let has_pkmsg = cts.iter().any(|c| c.kind == CiphertextKind::PkMsg);
    if let (true, Some(identity)) = (has_pkmsg, p.device_identity) {
        node.push_child(Node::new("device-identity").with_bytes(identity.to_vec()));
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_edit_and_mediatype_follow_the_content() {
        let text = wa::Message {
            conversation: Some("hi".into()),
            ..Default::default()
        };
        assert_eq!(stanza_type(&text), "text");
        assert_eq!(edit_attr(&text, "1"), None);
        let image = wa::Message {
            image_message: Some(Box::default()),
            ..Default::default()
        };
        assert_eq!(stanza_type(&image), "media");
        assert_eq!(media_type(&image), Some("image"));
        let unreact = wa::Message {
            reaction_message: Some(wa::message::ReactionMessage {
                text: Some(String::new()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(stanza_type(&unreact), "reaction");
        assert_eq!(edit_attr(&unreact, "1"), Some("7"));
        let revoke = wa::Message {
            protocol_message: Some(Box::new(wa::message::ProtocolMessage {
                r#type: Some(ProtocolType::Revoke as i32),
                key: Some(wa::MessageKey {
                    from_me: Some(true),
                    ..Default::default()
                }),
                ..Default::default()
            })),
            ..Default::default()
        };
        assert_eq!(edit_attr(&revoke, "1"), Some("7"));
    }

    #[test]
    fn pkmsg_brings_the_device_identity_and_skmsg_sits_at_the_top() {
        let msg = wa::Message {
            conversation: Some("x".into()),
            ..Default::default()
        };
        let to = Jid::group("123-456");
        let cts = vec![
            OutboxCiphertext {
                recipient: Jid::pn("1").with_device(2),
                kind: CiphertextKind::PkMsg,
                bytes: vec![1],
            },
            OutboxCiphertext {
                recipient: to.clone(),
                kind: CiphertextKind::SkMsg,
                bytes: vec![2],
            },
        ];
        let p = StanzaParams {
            id: "3EB0AA",
            to: &to,
            message: &msg,
            own_user: "9",
            device_identity: Some(&[7, 7]),
            group: Some(("2:abc", false)),
        };
        let n = message_node(&p, &cts);
        assert_eq!(n.attr_str("phash"), Some("2:abc"));
        let parts = n.child("participants").unwrap();
        assert_eq!(parts.children().len(), 1);
        assert_eq!(
            n.children_by_tag("enc").next().unwrap().attr_str("type"),
            Some("skmsg")
        );
        assert_eq!(
            n.child("device-identity").unwrap().bytes(),
            Some(&[7u8, 7][..])
        );
    }
}
