//! History sync: the phone sends its companions chunks of chat history as
//! `protocolMessage{type: HISTORY_SYNC_NOTIFICATION}`, each naming an
//! encrypted blob (media type `history`) or, for the initial bootstrap,
//! carrying the payload inline. The payload is a zlib-deflated
//! `wa.HistorySync`.
//!
//! The session task must not wait for a download, so after the notification
//! itself is committed and acked, the receive pipeline hands it to a spawned
//! task (`spawn_for_messages`): download, check and decrypt the blob,
//! inflate, decode, and commit conversations (chats), push names (contacts),
//! PN↔LID mappings (moving Signal sessions to the LID address, under the
//! Signal lock, as the receive pipeline does) and messages in one
//! [`WriteBatch`]; then
//! [`Event::HistorySync`] (or [`Event::HistorySyncFailed`]).
//!
//! A crash between the notification's ack and the chunk's commit loses that
//! chunk (the phone does not resend it).

use std::io::Read;

use prost::Message as _;
use tokio::sync::mpsc::UnboundedSender;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use crate::client::content;
use crate::client::{Client, Event};
use crate::media::MediaRef;
use crate::store::{AckLevel, ChatPatch, ContactPatch, StoredMessage, UnreadUpdate, WriteBatch};
use crate::{Error, Result};

/// What one stored history-sync chunk contained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistorySyncSummary {
    /// The `HistorySyncType` number (0 initial bootstrap, 2 full, 3 recent,
    /// 4 push names, ...).
    pub sync_type: Option<i32>,
    /// The chunk's position in the sync.
    pub chunk_order: Option<u32>,
    /// The phone's progress (percent).
    pub progress: Option<u32>,
    /// Conversations stored as chats.
    pub conversations: usize,
    /// Messages stored.
    pub messages: usize,
    /// Push names stored on contacts.
    pub push_names: usize,
    /// PN↔LID mappings stored.
    pub lid_mappings: usize,
}

/// The history-sync notification a message carries, if any.
pub fn notification(msg: &wa::Message) -> Option<&wa::message::HistorySyncNotification> {
    let p = content::unwrap(msg).protocol_message.as_ref()?;
    let is_history = p.r#type.and_then(|t| ProtocolType::try_from(t).ok())
        == Some(ProtocolType::HistorySyncNotification);
    if is_history {
        p.history_sync_notification.as_ref()
    } else {
        None
    }
}

/// Starts one task per history-sync notification in `messages` (already
/// committed and acked); each commits its chunk and reports an event. The
/// caller passes only messages from our own account (history from anyone
/// else is ignored, as whatsmeow does).
pub(crate) fn spawn_for_messages(
    client: Option<Client>,
    events: &UnboundedSender<Event>,
    messages: &[wa::Message],
) {
    for n in messages.iter().filter_map(notification) {
        let Some(client) = client.clone() else {
            tracing::warn!("history sync dropped: no client handle left");
            return;
        };
        let (n, events) = (n.clone(), events.clone());
        tokio::spawn(async move {
            let event = match client.apply_history_sync(&n).await {
                Ok(summary) => Event::HistorySync(Box::new(summary)),
                Err(e) => {
                    tracing::warn!(error = %e, "history sync failed");
                    Event::HistorySyncFailed {
                        reason: e.to_string(),
                    }
                }
            };
            let _ = events.send(event);
        });
    }
}

impl Client {
    /// Fetches (or reads inline), inflates and decodes the chunk a
    /// history-sync notification names, and commits its content in one
    /// batch.
    ///
    /// # Errors
    /// Download and check errors (see [`Client::download`]),
    /// [`Error::InvalidValue`] for a payload that does not inflate or decode
    /// or inflates beyond `Options::media_max_bytes`, store errors.
    pub async fn apply_history_sync(
        &self,
        n: &wa::message::HistorySyncNotification,
    ) -> Result<HistorySyncSummary> {
        let compressed = match &n.initial_hist_bootstrap_inline_payload {
            Some(inline) if !inline.is_empty() => inline.clone(),
            _ => {
                let r = MediaRef::from_history(n).ok_or_else(|| {
                    Error::InvalidValue("history-sync notification without blob".into())
                })?;
                self.download(&r).await?
            }
        };
        let limit = self.media_state().max_bytes;
        let history = tokio::task::spawn_blocking(move || inflate_history(&compressed, limit))
            .await
            .map_err(|e| Error::InvalidState(format!("history task: {e}")))??;
        let own = self.own_jid().await.ok();
        let (mut batch, mut summary) = history_batch(&history, own.as_ref());
        // PN->LID mappings move Signal sessions to the LID address (the
        // receive pipeline looks senders up there once a mapping exists), so
        // they are learned and committed under the Signal lock.
        let shared = std::sync::Arc::clone(self.shared());
        let _signal = shared.signal.lock().await;
        let sid = self.session_id();
        let mut known = std::collections::HashMap::new();
        for (pn, lid) in lid_mappings(&history) {
            crate::send::lid::learn_mapping(
                self.store().as_ref(),
                sid,
                &pn,
                &lid,
                &mut batch,
                &mut known,
            )
            .await?;
            summary.lid_mappings += 1;
        }
        self.store().commit(self.commit_context(), batch).await?;
        Ok(summary)
    }
}

/// Inflates a zlib payload (at most `limit` bytes) and decodes the
/// `wa.HistorySync` in it.
///
/// # Errors
/// [`Error::InvalidValue`] if it does not inflate, is too large or does not
/// decode.
pub fn inflate_history(compressed: &[u8], limit: u64) -> Result<wa::HistorySync> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| Error::InvalidValue("history-sync payload does not inflate".into()))?;
    if out.len() as u64 > limit {
        return Err(Error::InvalidValue(
            "history-sync payload inflates beyond media_max_bytes".into(),
        ));
    }
    wa::HistorySync::decode(out.as_slice())
        .map_err(|_| Error::InvalidValue("history-sync payload does not decode".into()))
}

/// The store writes for one history-sync chunk (chats, push names,
/// messages; the LID mappings, which move Signal sessions, are applied by
/// [`Client::apply_history_sync`] under the Signal lock); `own` is our JID
/// (the sender of our own messages).
pub fn history_batch(h: &wa::HistorySync, own: Option<&Jid>) -> (WriteBatch, HistorySyncSummary) {
    let mut batch = WriteBatch::new();
    let mut s = HistorySyncSummary {
        sync_type: h.sync_type,
        chunk_order: h.chunk_order,
        progress: h.progress,
        ..Default::default()
    };
    for conv in &h.conversations {
        let Some(chat) = conv.id.as_deref().and_then(|id| Jid::parse(id).ok()) else {
            continue;
        };
        batch.patch_chat(chat_patch(&chat, conv));
        s.conversations += 1;
        for m in conv.messages.iter().filter_map(|m| m.message.as_ref()) {
            if let Some(stored) = stored_message(&chat, m, own) {
                batch.put_message(stored);
                s.messages += 1;
            }
        }
    }
    for p in &h.pushnames {
        let (Some(jid), Some(name)) = (
            p.id.as_deref().and_then(|id| Jid::parse(id).ok()),
            p.pushname.as_ref().filter(|n| !n.is_empty()),
        ) else {
            continue;
        };
        batch.patch_contact(ContactPatch::new(jid.to_non_ad()).push_name(Some(name.clone())));
        s.push_names += 1;
    }
    (batch, s)
}

/// The PN↔LID mappings a chunk announces, as `(pn, lid)` user JIDs.
pub fn lid_mappings(h: &wa::HistorySync) -> Vec<(Jid, Jid)> {
    let parse = |v: &Option<String>| v.as_deref().and_then(|t| Jid::parse(t).ok());
    h.phone_number_to_lid_mappings
        .iter()
        .filter_map(|m| {
            Some((
                parse(&m.pn_jid)?.to_non_ad(),
                parse(&m.lid_jid)?.to_non_ad(),
            ))
        })
        .collect()
}

fn chat_patch(chat: &Jid, conv: &wa::Conversation) -> ChatPatch {
    let mut patch = ChatPatch::new(chat.clone());
    if let Some(name) = conv
        .name
        .as_ref()
        .or(conv.display_name.as_ref())
        .filter(|n| !n.is_empty())
    {
        patch = patch.name(Some(name.clone()));
    }
    if conv.archived == Some(true) {
        patch = patch.archived(true);
    }
    if conv.pinned.is_some_and(|p| p > 0) {
        patch = patch.pinned(true);
    }
    if let Some(until) = conv.mute_end_time.filter(|t| *t > 0) {
        patch = patch.muted_until(Some(i64::try_from(until).unwrap_or(-1)));
    }
    if conv.marked_as_unread == Some(true) {
        patch = patch.unread(UnreadUpdate::Set(-1));
    } else if let Some(n) = conv.unread_count {
        patch = patch.unread(UnreadUpdate::Set(i32::try_from(n).unwrap_or(i32::MAX)));
    }
    if let Some(ts) = conv
        .conversation_timestamp
        .or(conv.last_msg_timestamp)
        .and_then(|t| i64::try_from(t).ok())
    {
        patch = patch.message_at(ts);
    }
    patch
}

/// A history message as the store keeps it (`None` for protocol-only or
/// keyless entries).
fn stored_message(
    chat: &Jid,
    info: &wa::WebMessageInfo,
    own: Option<&Jid>,
) -> Option<StoredMessage> {
    let key = info.key.as_ref()?;
    let id = key.id.clone().filter(|i| !i.is_empty())?;
    let msg = info.message.as_ref()?;
    let (kind, body) = content::classify(msg)?;
    let from_me = key.from_me.unwrap_or(false);
    let sender = if from_me {
        own.map(Jid::to_non_ad)
    } else if chat.is_group() {
        info.participant
            .as_deref()
            .or(key.participant.as_deref())
            .and_then(|p| Jid::parse(p).ok())
            .map(|p| p.to_non_ad())
    } else {
        Some(chat.clone())
    };
    // WebMessageInfo.Status: ERROR, PENDING, SERVER_ACK, DELIVERY_ACK, READ, PLAYED.
    let ack = match info.status {
        Some(0) => AckLevel::Error,
        Some(1) => AckLevel::Pending,
        Some(2) => AckLevel::Server,
        Some(3) => AckLevel::Device,
        Some(4) => AckLevel::Read,
        Some(5) => AckLevel::Played,
        _ if from_me => AckLevel::Server,
        _ => AckLevel::Device,
    };
    Some(StoredMessage {
        chat: chat.clone(),
        id,
        from_me,
        sender,
        timestamp: info
            .message_timestamp
            .and_then(|t| i64::try_from(t).ok())
            .unwrap_or(0),
        kind: kind.to_owned(),
        body,
        raw: msg.encode_to_vec(),
        media: MediaRef::from_message(msg).map(|r| r.to_info()),
        ack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn inflates_decodes_and_batches() {
        let h = wa::HistorySync {
            sync_type: Some(3),
            conversations: vec![wa::Conversation {
                id: Some("123@s.whatsapp.net".into()),
                name: Some("Bob".into()),
                unread_count: Some(2),
                messages: vec![wa::HistorySyncMsg {
                    message: Some(wa::WebMessageInfo {
                        key: Some(wa::MessageKey {
                            remote_jid: Some("123@s.whatsapp.net".into()),
                            from_me: Some(false),
                            id: Some("ABC".into()),
                            participant: None,
                        }),
                        message: Some(wa::Message {
                            conversation: Some("old".into()),
                            ..Default::default()
                        }),
                        message_timestamp: Some(1000),
                        ..Default::default()
                    }),
                    msg_order_id: Some(1),
                }],
                ..Default::default()
            }],
            pushnames: vec![wa::Pushname {
                id: Some("123@s.whatsapp.net".into()),
                pushname: Some("Bobby".into()),
            }],
            ..Default::default()
        };
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        assert!(z.write_all(&h.encode_to_vec()).is_ok());
        let compressed = z.finish().unwrap_or_default();
        let decoded = inflate_history(&compressed, 1 << 20).ok();
        assert_eq!(decoded.as_ref(), Some(&h));
        assert!(inflate_history(&compressed, 8).is_err());
        assert!(inflate_history(b"not zlib", 1 << 20).is_err());
        let (batch, s) = history_batch(&h, None);
        assert_eq!((s.conversations, s.messages, s.push_names), (1, 1, 1));
        assert_eq!(batch.len(), 3);
    }
}
