//! Answering `<receipt type="retry">`: the device could not decrypt one of
//! our messages. The message is re-encrypted for that device alone on a
//! fresh session (from the bundle the receipt carries, or one fetched from
//! the server) and written again under the same id, at most once per retry
//! count and at most [`MAX_RETRIES`] times. Group messages are re-sent
//! pairwise together with our sender key.

use std::sync::Arc;

use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::proto::wa;
use wa_proto::signal::{SenderKeyName, create_distribution_message, pad};

use super::encrypt::Encryptor;
use super::lid::{address, prefer_lid};
use super::prekeys::parse_bundle;
use super::state::RetryRequest;
use crate::client::Client;
use crate::{Error, Result};

/// Retries answered per message and device, like WhatsApp Web.
pub(crate) const MAX_RETRIES: u32 = 5;

/// Answers one retry receipt.
pub(crate) async fn answer(client: &Client, r: &RetryRequest) -> Result<()> {
    let shared = Arc::clone(client.shared());
    let sid = shared.ctx.session_id().to_owned();
    let Some(entry) = shared.store.outbox_entry(&sid, &r.id).await? else {
        tracing::debug!(id = %r.id, chat = %r.chat, "retry receipt for a message we no longer have");
        return Ok(());
    };
    if r.count > MAX_RETRIES || !shared.send.first_answer(r) {
        return Ok(());
    }
    let creds = shared.device().await?;
    let me = creds
        .jid
        .clone()
        .ok_or_else(|| Error::InvalidState("not paired".into()))?;
    let msg = wa::Message::decode(entry.payload.as_slice())
        .map_err(|e| Error::InvalidValue(format!("outbox payload: {e}")))?;
    let device = prefer_lid(shared.store.as_ref(), &sid, &r.device).await?;
    let bundle = match r.keys.as_ref().and_then(parse_bundle) {
        Some(b) => Some(b),
        None => client
            .fetch_bundles(std::slice::from_ref(&device))
            .await?
            .remove(&device.to_string()),
    };
    let Some(bundle) = bundle else {
        return Err(Error::InvalidValue(format!(
            "no prekey bundle for {device}"
        )));
    };
    let group = entry.chat.is_group();
    let signal = shared.signal.lock().await;
    let mut enc = Encryptor::new(shared.store.as_ref(), &sid, &creds.identity);
    enc.reset_session(&device);
    enc.bundles.insert(device.to_string(), bundle);
    let mut plain = msg.clone();
    if group {
        // The device lacks our sender key: send it along, with the content.
        let me_in_group = if device.is_lid() {
            creds.lid.clone().unwrap_or_else(|| me.clone())
        } else {
            me.clone()
        };
        let name = SenderKeyName::new(entry.chat.to_string(), address(&me_in_group));
        let mut record = shared
            .store
            .sender_key(&sid, &name)
            .await?
            .unwrap_or_default();
        let skdm = create_distribution_message(&mut record, &mut rand::rng())?;
        enc.batch.put_sender_key(&name, &record);
        plain.sender_key_distribution_message =
            Some(super::group::distribution(&entry.chat.to_string(), &skdm));
    } else if device.user == me.user || creds.lid.as_ref().is_some_and(|l| l.user == device.user) {
        plain = super::worker::device_sent(&entry.chat, &msg);
    }
    let padded = pad(&plain.encode_to_vec(), &mut rand::rng());
    let ct = enc
        .encrypt_for(&device, &padded)
        .await?
        .ok_or_else(|| Error::InvalidValue(format!("cannot start a session with {device}")))?;
    let batch = std::mem::take(&mut enc.batch);
    shared.store.commit(&shared.ctx, batch).await?;
    drop(signal);
    shared.send.forget_sk_holder(&address(&device).to_string());
    let mut e = Node::new("enc")
        .with_attr("v", "2")
        .with_attr("type", ct.kind.as_str())
        .with_attr("count", r.count.to_string());
    if let Some(mt) = super::stanza::media_type(crate::client::content::unwrap(&msg)) {
        e = e.with_attr("mediatype", mt);
    }
    let e = e.with_bytes(ct.bytes);
    let mut node = Node::new("message")
        .with_attr("id", entry.id.clone())
        .with_attr("type", super::stanza::stanza_type(&msg));
    if group {
        node = node.with_attr("to", entry.chat.clone()).with_child(
            Node::new("participants").with_child(
                Node::new("to")
                    .with_attr("jid", device.clone())
                    .with_child(e),
            ),
        );
    } else {
        node = node.with_attr("to", device.clone()).with_child(e);
    }
    if let Some(identity) = creds.account.as_deref() {
        node.push_child(Node::new("device-identity").with_bytes(identity.to_vec()));
    }
    client.send_node(node).await
}
