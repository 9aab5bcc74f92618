//! Incoming `<message>` stanzas: decrypt every `<enc>` (pairwise Signal or
//! group sender key), collect all state changes and the message itself in
//! one [`WriteBatch`], commit it, and only then send the receipt that acks
//! the stanza to the server.
//!
//! A stanza already processed (redelivered because the process died between
//! commit and receipt) is recognised by its entry in the store's event
//! buffer, keyed by a hash of the stanza's sender, id and ciphertexts: it is
//! acked again and not decrypted twice.

use std::collections::HashMap;

use prost::Message as _;
use sha2::{Digest, Sha256};
use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;
use wa_proto::signal::{
    PreKeySignalMessage, ProtocolAddress, ResponderKeys, SenderKeyDistributionMessage,
    SenderKeyName, SenderKeyRecord, SessionRecord, decrypt, decrypt_prekey_message, group_decrypt,
    process_distribution_message, unpad,
};

use super::conn::Conn;
use super::content;
use super::event::Event;
use super::runner::{Outcome, Runner};
use crate::send::lid::address;
use crate::store::{AckLevel, AppStateSyncKey, ChatPatch, StoredMessage, WriteBatch};

/// What decrypting one stanza produced.
struct Decrypted {
    batch: WriteBatch,
    messages: Vec<wa::Message>,
}

/// Signal state loaded for one stanza (several `<enc>` may share it).
#[derive(Default)]
struct Records {
    sessions: HashMap<ProtocolAddress, SessionRecord>,
    sender_keys: HashMap<SenderKeyName, SenderKeyRecord>,
}

fn stanza_hash(node: &Node, from: &Jid, id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(from.to_string().as_bytes());
    h.update([0]);
    h.update(id.as_bytes());
    for enc in node.children_by_tag("enc") {
        h.update(enc.bytes().unwrap_or_default());
    }
    h.finalize().into()
}

impl Runner {
    fn is_own(&self, jid: &Jid) -> bool {
        let same = |me: &Option<Jid>| {
            me.as_ref()
                .is_some_and(|m| m.user == jid.user && m.server == jid.server)
        };
        same(&self.creds.jid) || same(&self.creds.lid)
    }

    pub(crate) async fn on_message(&mut self, conn: &mut Conn, node: &Node) -> Option<Outcome> {
        let id = node.attr_text("id").unwrap_or_default().into_owned();
        let from = node.attr_jid("from")?;
        let group = from.is_group() || from.is_broadcast();
        let sender = if group {
            match node.attr_jid("participant") {
                Some(p) => p,
                None => return None,
            }
        } else {
            from.clone()
        };
        let from_me = self.is_own(&sender);
        let chat = if group {
            from.clone()
        } else if from_me {
            node.attr_jid("recipient")
                .unwrap_or_else(|| from.clone())
                .to_non_ad()
        } else {
            from.to_non_ad()
        };
        let hash = stanza_hash(node, &from, &id);
        let sid = self.ctx.session_id().to_owned();
        if let Ok(Some(_)) = self.store.buffered_event(&sid, &hash).await {
            return self.send_message_receipt(conn, node, from_me).await;
        }
        // Decrypt and commit under the Signal lock: the send pipeline
        // advances the same sessions.
        let shared = std::sync::Arc::clone(&self.shared);
        let signal = shared.signal.lock().await;
        match self.decrypt_stanza(node, &sender, &chat).await {
            Ok(mut d) => {
                let chat = self.display_chat(node, &chat, from_me, &d.messages).await;
                d.batch
                    .put_buffered_event(hash, Vec::new(), crate::clock::now_ms());
                let mut stored = self.to_stored(node, &chat, &sender, from_me, &d.messages);
                let own = [self.creds.jid.as_ref(), self.creds.lid.as_ref()];
                let inc = crate::message::incoming::Incoming {
                    node,
                    chat: &chat,
                    sender: &sender,
                    from_me,
                    own,
                };
                let store = std::sync::Arc::clone(&self.store);
                let typed = crate::message::incoming::apply(
                    &*store,
                    &sid,
                    &inc,
                    &d.messages,
                    stored.as_mut(),
                    &mut d.batch,
                )
                .await;
                if let Some(m) = &stored {
                    d.batch.put_message(m.clone());
                    d.batch.patch_chat(ChatPatch::for_live_message(m));
                }
                let key_shared = d
                    .batch
                    .ops()
                    .iter()
                    .any(|op| matches!(op, crate::store::WriteOp::PutAppStateSyncKey(_)));
                let committed = self.store.commit(&self.ctx, d.batch).await;
                drop(signal);
                if let Err(e) = committed {
                    // Nothing acked: the server redelivers after reconnect.
                    tracing::warn!(error = %e, "committing a message failed");
                    return Some(Outcome::Reconnect(super::DisconnectReason::ConnectionLost(
                        format!("store: {e}"),
                    )));
                }
                if key_shared {
                    // Patches may have waited for this key.
                    self.shared
                        .appstate
                        .trigger(&crate::appstate::Collection::ALL);
                }
                if let Some(o) = self.send_message_receipt(conn, node, from_me).await {
                    return Some(o);
                }
                if let Some(m) = stored {
                    self.emit(Event::Message(Box::new(m)));
                }
                // History chunks (only from our own phone) are downloaded and
                // stored off the stanza loop.
                if from_me {
                    crate::history::spawn_for_messages(
                        self.shared.client(),
                        &self.events,
                        &d.messages,
                    );
                }
                typed.into_iter().for_each(|e| self.emit(e));
                None
            }
            Err(reason) => {
                drop(signal);
                self.emit(Event::Undecryptable {
                    chat,
                    id: id.clone(),
                    sender,
                    reason,
                });
                let retry = self.retry_receipt(node, &id);
                if let Some(o) = self.send(conn, &retry).await {
                    return Some(o);
                }
                let ack = super::stanza::ack_for(node, "message").with_attr("error", "500");
                self.send(conn, &ack).await
            }
        }
    }

    /// The chat as the API shows it: a 1:1 chat by the phone-number JID
    /// when it is known (the stanza's `sender_pn`, the LID map, or for our
    /// own device-sent copies the destination our other device named).
    async fn display_chat(
        &self,
        node: &Node,
        chat: &Jid,
        from_me: bool,
        messages: &[wa::Message],
    ) -> Jid {
        if chat.is_group() || chat.is_broadcast() {
            return chat.clone();
        }
        if from_me
            && let Some(dest) = messages
                .iter()
                .filter_map(|m| m.device_sent_message.as_ref())
                .filter_map(|d| d.destination_jid.as_deref())
                .find_map(|d| Jid::parse(d).ok())
        {
            return dest.to_non_ad();
        }
        if !chat.is_lid() {
            return chat.clone();
        }
        if !from_me && let Some(pn) = node.attr_jid("sender_pn") {
            return pn.to_non_ad();
        }
        match self.store.pn_for_lid(self.ctx.session_id(), chat).await {
            Ok(Some(pn)) => pn,
            _ => chat.clone(),
        }
    }

    fn to_stored(
        &self,
        node: &Node,
        chat: &Jid,
        sender: &Jid,
        from_me: bool,
        messages: &[wa::Message],
    ) -> Option<StoredMessage> {
        let msg = messages.iter().find(|m| content::classify(m).is_some())?;
        let (kind, body) = content::classify(msg)?;
        Some(StoredMessage {
            chat: chat.clone(),
            id: node.attr_text("id").unwrap_or_default().into_owned(),
            from_me,
            sender: Some(sender.to_non_ad()),
            timestamp: node.attr_parse("t").unwrap_or(0),
            kind: kind.to_owned(),
            body,
            raw: msg.encode_to_vec(),
            media: crate::media::MediaRef::from_message(msg).map(|r| r.to_info()),
            ack: AckLevel::Device,
        })
    }

    async fn send_message_receipt(
        &mut self,
        conn: &mut Conn,
        node: &Node,
        from_me: bool,
    ) -> Option<Outcome> {
        let mut r = Node::new("receipt")
            .with_attr("id", node.attr_text("id").unwrap_or_default().into_owned());
        if let Some(from) = node.attr("from") {
            r = r.with_attr("to", from.clone());
        }
        if let Some(p) = node.attr("participant") {
            r = r.with_attr("participant", p.clone());
        }
        if node.attr_str("category") == Some("peer") {
            r = r.with_attr("type", "peer_msg");
        } else if from_me {
            r = r.with_attr("type", "sender");
            if let Some(rec) = node.attr("recipient") {
                r = r.with_attr("recipient", rec.clone());
            }
        }
        self.send(conn, &r).await
    }

    fn retry_receipt(&self, node: &Node, id: &str) -> Node {
        let mut r = Node::new("receipt")
            .with_attr("id", id.to_owned())
            .with_attr("type", "retry");
        if let Some(from) = node.attr("from") {
            r = r.with_attr("to", from.clone());
        }
        if let Some(p) = node.attr("participant") {
            r = r.with_attr("participant", p.clone());
        }
        r.with_children([
            Node::new("retry")
                .with_attr("count", "1")
                .with_attr("id", id.to_owned())
                .with_attr("t", node.attr_text("t").unwrap_or_default().into_owned())
                .with_attr("v", "1"),
            Node::new("registration")
                .with_bytes(self.creds.identity.registration_id.to_be_bytes().to_vec()),
        ])
    }

    async fn decrypt_stanza(
        &mut self,
        node: &Node,
        sender: &Jid,
        chat: &Jid,
    ) -> Result<Decrypted, String> {
        let sid = self.ctx.session_id().to_owned();
        let mut out = Decrypted {
            batch: WriteBatch::new(),
            messages: Vec::new(),
        };
        let mut records = Records::default();
        let addr = self
            .sender_address(node, sender, &mut out.batch, &mut records)
            .await
            .map_err(|e| e.to_string())?;
        for enc in node.children_by_tag("enc") {
            let ct = enc.bytes().unwrap_or_default();
            let padded = match enc.attr_str("type") {
                Some("pkmsg") | Some("msg") => {
                    let record = match records.sessions.remove(&addr) {
                        Some(r) => r,
                        None => self
                            .store
                            .signal_session(&sid, &addr)
                            .await
                            .map_err(|e| e.to_string())?
                            .unwrap_or_default(),
                    };
                    let mut record = record;
                    let plain = if enc.attr_str("type") == Some("pkmsg") {
                        self.decrypt_pkmsg(&mut record, ct, &addr, &mut out.batch)
                            .await?
                    } else {
                        decrypt(
                            &mut record,
                            &self.creds.identity,
                            None,
                            ct,
                            &mut rand::rng(),
                        )
                        .map_err(|e| e.to_string())?
                    };
                    out.batch.put_signal_session(&addr, &record);
                    records.sessions.insert(addr.clone(), record);
                    plain
                }
                Some("skmsg") => {
                    let name = SenderKeyName::new(chat.to_string(), addr.clone());
                    let mut record = self.sender_key(&mut records, &name).await?;
                    let plain = group_decrypt(&mut record, ct).map_err(|e| e.to_string())?;
                    out.batch.put_sender_key(&name, &record);
                    records.sender_keys.insert(name, record);
                    plain
                }
                _ => continue,
            };
            let bytes = unpad(&padded).map_err(|e| e.to_string())?;
            let msg = wa::Message::decode(bytes).map_err(|e| e.to_string())?;
            self.apply_protocol(&msg, &addr, &mut records, &mut out.batch)
                .await?;
            out.messages.push(msg);
        }
        if out.messages.is_empty() {
            return Err("no decryptable <enc> in the stanza".into());
        }
        Ok(out)
    }

    /// The Signal address of the sender: the LID address once the sender's
    /// LID is known. A mapping announced by the stanza (`sender_lid`,
    /// `participant_lid`, `sender_pn`, `participant_pn`) is recorded in the
    /// batch, moving any phone-number session to the LID address.
    async fn sender_address(
        &self,
        node: &Node,
        sender: &Jid,
        batch: &mut WriteBatch,
        records: &mut Records,
    ) -> crate::Result<ProtocolAddress> {
        let sid = self.ctx.session_id();
        let alt = [
            "sender_lid",
            "participant_lid",
            "sender_pn",
            "participant_pn",
        ]
        .iter()
        .find_map(|k| node.attr_jid(k));
        let pair = match (&sender.server, alt) {
            (Server::Pn, Some(l)) if l.server == Server::Lid => Some((sender.to_non_ad(), l)),
            (Server::Lid, Some(p)) if p.server == Server::Pn => Some((p, sender.to_non_ad())),
            _ => None,
        };
        let learned = pair.as_ref().map(|(_, lid)| lid.to_non_ad());
        if let Some((pn, lid)) = pair {
            let mut known = HashMap::new();
            crate::send::lid::learn_mapping(self.store.as_ref(), sid, &pn, &lid, batch, &mut known)
                .await?;
            for (a, r) in known {
                if let Some(r) = r {
                    records.sessions.insert(a, r);
                }
            }
        }
        let device = match &sender.server {
            Server::Pn => {
                // A mapping learned just now is in the batch, not yet stored.
                let lid = match learned {
                    Some(l) => Some(l),
                    None => self.store.lid_for_pn(sid, &sender.to_non_ad()).await?,
                };
                match lid {
                    Some(l) => l.with_device(sender.device),
                    None => sender.clone(),
                }
            }
            _ => sender.clone(),
        };
        Ok(address(&device))
    }

    async fn decrypt_pkmsg(
        &mut self,
        record: &mut SessionRecord,
        ct: &[u8],
        addr: &ProtocolAddress,
        batch: &mut WriteBatch,
    ) -> Result<Vec<u8>, String> {
        let sid = self.ctx.session_id().to_owned();
        let msg = PreKeySignalMessage::parse(ct).map_err(|e| e.to_string())?;
        let signed = if msg.signed_pre_key_id == self.signed.id {
            Some(self.signed.clone())
        } else {
            self.store
                .signed_prekey(&sid, msg.signed_pre_key_id)
                .await
                .map_err(|e| e.to_string())?
        };
        let one_time = match msg.pre_key_id {
            Some(id) => self
                .store
                .prekey(&sid, id)
                .await
                .map_err(|e| e.to_string())?,
            None => None,
        };
        let keys = ResponderKeys {
            signed_pre_key: signed.as_ref(),
            one_time_pre_key: one_time.as_ref(),
        };
        let res = decrypt_prekey_message(
            record,
            &self.creds.identity,
            None,
            &msg,
            keys,
            &mut rand::rng(),
        )
        .map_err(|e| e.to_string())?;
        batch.put_identity(addr, res.remote_identity);
        if let Some(id) = res.used_pre_key_id {
            batch.remove_prekey(id);
        }
        Ok(res.plaintext)
    }

    async fn sender_key(
        &self,
        records: &mut Records,
        name: &SenderKeyName,
    ) -> Result<SenderKeyRecord, String> {
        if let Some(r) = records.sender_keys.remove(name) {
            return Ok(r);
        }
        Ok(self
            .store
            .sender_key(self.ctx.session_id(), name)
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default())
    }

    /// State carried inside decrypted messages: sender key distributions and
    /// app-state key shares.
    async fn apply_protocol(
        &self,
        msg: &wa::Message,
        addr: &ProtocolAddress,
        records: &mut Records,
        batch: &mut WriteBatch,
    ) -> Result<(), String> {
        let skdm = msg.sender_key_distribution_message.as_ref().or(msg
            .fast_ratchet_key_sender_key_distribution_message
            .as_ref());
        if let Some(skdm) = skdm
            && let (Some(group), Some(bytes)) = (
                &skdm.group_id,
                &skdm.axolotl_sender_key_distribution_message,
            )
        {
            let parsed = SenderKeyDistributionMessage::parse(bytes).map_err(|e| e.to_string())?;
            let name = SenderKeyName::new(group.clone(), addr.clone());
            let mut record = self.sender_key(records, &name).await?;
            process_distribution_message(&mut record, &parsed);
            batch.put_sender_key(&name, &record);
            records.sender_keys.insert(name, record);
        }
        let inner = content::unwrap(msg);
        if let Some(p) = &inner.protocol_message {
            let is_share = p.r#type.and_then(|t| ProtocolType::try_from(t).ok())
                == Some(ProtocolType::AppStateSyncKeyShare);
            if let (true, Some(share)) = (is_share, &p.app_state_sync_key_share) {
                for k in &share.keys {
                    let (Some(id), Some(data)) = (
                        k.key_id.as_ref().and_then(|i| i.key_id.clone()),
                        k.key_data.as_ref(),
                    ) else {
                        continue;
                    };
                    batch.put_app_state_sync_key(AppStateSyncKey {
                        key_id: id,
                        key_data: data.key_data.clone().unwrap_or_default(),
                        fingerprint: data
                            .fingerprint
                            .as_ref()
                            .map(|f| f.encode_to_vec())
                            .unwrap_or_default(),
                        timestamp: data.timestamp.unwrap_or(0),
                    });
                }
            }
        }
        Ok(())
    }
}
