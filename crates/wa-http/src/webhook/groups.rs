//! Group notifications (`<notification type="w:gp2">`) → `group_join`,
//! `group_leave`, `group_update` with a whatsapp-web.js
//! `GroupNotification`-shaped `notification`.

use serde_json::{Value, json};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use crate::jid::serialize;

/// The phone-number form of a participant-like node's JID when the server
/// gave one (LID groups), else the JID itself.
fn pn_or(n: &Node, pn_attrs: &[&str], attr: &str) -> Option<Jid> {
    pn_attrs
        .iter()
        .find_map(|a| n.attr_jid(a))
        .or_else(|| n.attr_jid(attr))
}

/// The webhooks (`dataType`, `notification`) of one notification stanza;
/// empty unless it is a `w:gp2` group notification of a known kind.
pub fn notifications(node: &Node) -> Vec<(&'static str, Value)> {
    if node.attr_str("type") != Some("w:gp2") {
        return Vec::new();
    }
    let Some(group) = node.attr_jid("from") else {
        return Vec::new();
    };
    let author = pn_or(node, &["participant_pn"], "participant").map(|j| serialize(&j.to_non_ad()));
    let timestamp: i64 = node.attr_parse("t").unwrap_or_default();
    let nid = node.attr_text("id").unwrap_or_default().into_owned();
    let mut out = Vec::new();
    for child in node.children() {
        let recipients: Vec<String> = child
            .children_by_tag("participant")
            .filter_map(|p| pn_or(p, &["phone_number", "participant_pn"], "jid"))
            .map(|j| serialize(&j.to_non_ad()))
            .collect();
        let (data_type, kind, body) = match child.tag.as_ref() {
            "add" => {
                let kind = match child.attr_str("reason") {
                    Some("invite") => "invite",
                    _ => "add",
                };
                ("group_join", kind, String::new())
            }
            "create" => ("group_join", "create", String::new()),
            "remove" => {
                let leave = recipients.len() == 1
                    && author.as_deref() == recipients.first().map(String::as_str);
                (
                    "group_leave",
                    if leave { "leave" } else { "remove" },
                    String::new(),
                )
            }
            "leave" => ("group_leave", "leave", String::new()),
            "subject" => (
                "group_update",
                "subject",
                child.attr_text("subject").unwrap_or_default().into_owned(),
            ),
            "description" => (
                "group_update",
                "description",
                child
                    .child("body")
                    .and_then(Node::bytes)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            ),
            "announcement" => ("group_update", "announce", "on".to_owned()),
            "not_announcement" => ("group_update", "announce", "off".to_owned()),
            "locked" => ("group_update", "restrict", "on".to_owned()),
            "unlocked" => ("group_update", "restrict", "off".to_owned()),
            _ => continue,
        };
        let remote = serialize(&group);
        let serialized = match &author {
            Some(a) => format!("false_{remote}_{nid}_{a}"),
            None => format!("false_{remote}_{nid}"),
        };
        out.push((
            data_type,
            json!({
                "id": {
                    "fromMe": false,
                    "remote": remote,
                    "id": nid,
                    "participant": author,
                    "_serialized": serialized,
                },
                "body": body,
                "type": kind,
                "timestamp": timestamp,
                "chatId": remote,
                "author": author,
                "recipientIds": recipients,
            }),
        ));
    }
    out
}
