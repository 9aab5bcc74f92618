//! Prekey bundles of devices we have no Signal session with
//! (`<iq xmlns="encrypt" type="get"><key><user jid/>...`).

use std::collections::HashMap;

use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::signal::PreKeyBundle;

use crate::Result;
use crate::client::Client;

fn be_u24(b: &[u8]) -> Option<u32> {
    match b.len() {
        3 => Some(u32::from_be_bytes([0, b[0], b[1], b[2]])),
        4 => Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        _ => None,
    }
}

fn key32(node: Option<&Node>) -> Option<PublicKey> {
    let b = node?.bytes()?;
    // A 33-byte key carries the DJB type prefix.
    let raw = match b.len() {
        32 => b,
        33 => b.get(1..)?,
        _ => return None,
    };
    let arr: [u8; 32] = raw.try_into().ok()?;
    Some(PublicKey::from_raw(arr))
}

/// Parses the bundle children of one `<user>` (or `<keys>`) node.
pub(crate) fn parse_bundle(user: &Node) -> Option<PreKeyBundle> {
    let registration_id = be_u24(user.child("registration")?.bytes()?)?;
    let identity_key = key32(user.child("identity"))?;
    let skey = user.child("skey")?;
    let signed_pre_key_id = be_u24(skey.child("id")?.bytes()?)?;
    let signed_pre_key = key32(skey.child("value"))?;
    let signed_pre_key_signature: [u8; 64] = skey.child("signature")?.bytes()?.try_into().ok()?;
    let pre_key = match user.child("key") {
        Some(k) => Some((be_u24(k.child("id")?.bytes()?)?, key32(k.child("value"))?)),
        None => None,
    };
    Some(PreKeyBundle {
        registration_id,
        identity_key,
        signed_pre_key_id,
        signed_pre_key,
        signed_pre_key_signature,
        pre_key,
    })
}

impl Client {
    /// Fetches prekey bundles for `devices` (device JIDs). Devices the
    /// server has no bundle for are absent from the result. Keyed by the
    /// device JID's text.
    ///
    /// # Errors
    /// IQ errors.
    pub(crate) async fn fetch_bundles(
        &self,
        devices: &[Jid],
    ) -> Result<HashMap<String, PreKeyBundle>> {
        let mut out = HashMap::new();
        if devices.is_empty() {
            return Ok(out);
        }
        let users = devices
            .iter()
            .map(|d| Node::new("user").with_attr("jid", d.clone()));
        let iq = Node::new("iq")
            .with_attr("to", crate::client::server_jid())
            .with_attr("type", "get")
            .with_attr("xmlns", "encrypt")
            .with_child(Node::new("key").with_children(users));
        let answer = self.iq(iq).await?;
        let Some(list) = answer.child("list") else {
            return Ok(out);
        };
        for user in list.children_by_tag("user") {
            let Some(jid) = user.attr_jid("jid") else {
                continue;
            };
            match parse_bundle(user) {
                Some(b) => {
                    out.insert(jid.to_string(), b);
                }
                None => tracing::debug!(device = %jid, "no usable prekey bundle"),
            }
        }
        Ok(out)
    }
}
