//! History sync by blob: the phone deflates a `HistorySync`, encrypts it
//! with a fresh media key (media type `history`), stores it on the sim's
//! media server (`md-msg-hist`) and sends each of its companions a
//! `protocolMessage{HISTORY_SYNC_NOTIFICATION}` naming the blob, as a
//! `category="peer"` message. (The automatic bootstrap after linking sends
//! its small payload inline instead, see [`super::bootstrap`].)

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use prost::Message as _;
use rand::RngExt;
use wa_proto::media::{MediaType, encrypt};
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use super::bootstrap::send_peer;
use crate::error::{Error, Result};
use crate::world::World;
use crate::world::conns::Addr;

/// Sends `history` as a downloadable history-sync chunk to every companion
/// of `phone`; returns how many companions it was sent to.
///
/// # Errors
/// [`Error::NotFound`] for an unknown account.
pub fn send_blob(
    world: &mut World,
    phone: &str,
    history: &wa::HistorySync,
    now: u64,
) -> Result<usize> {
    let devices: Vec<u16> = world
        .account(phone)
        .ok_or_else(|| Error::NotFound(format!("account {phone}")))?
        .devices
        .keys()
        .copied()
        .filter(|d| *d != 0)
        .collect();
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    let compressed = z
        .write_all(&history.encode_to_vec())
        .and_then(|()| z.finish())
        .map_err(|e| Error::BadRequest(format!("deflate: {e}")))?;
    let media_key: [u8; 32] = world.rng.random();
    let (file, info) = encrypt(media_key, MediaType::History, &compressed);
    let host = world.host.clone();
    let up = world
        .media
        .insert_own(MediaType::History.mms_type(), file, &host);
    let msg = wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            r#type: Some(ProtocolType::HistorySyncNotification as i32),
            history_sync_notification: Some(wa::message::HistorySyncNotification {
                file_sha256: Some(info.file_sha256.to_vec()),
                file_length: Some(info.file_length),
                media_key: Some(info.media_key.to_vec()),
                file_enc_sha256: Some(info.file_enc_sha256.to_vec()),
                direct_path: Some(up.direct_path),
                sync_type: history.sync_type,
                chunk_order: history.chunk_order,
                progress: history.progress,
                ..Default::default()
            }),
            ..Default::default()
        })),
        ..Default::default()
    };
    for device in &devices {
        send_peer(world, &Addr::new(phone, *device), &msg, now);
    }
    Ok(devices.len())
}

/// The JSON body of `POST /sim/accounts/{phone}/history-sync`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    /// `initial_bootstrap`, `full`, `recent` (default) or `push_name`.
    #[serde(default)]
    pub sync_type: Option<String>,
    /// Chunk number.
    #[serde(default)]
    pub chunk_order: Option<u32>,
    /// Progress in percent.
    #[serde(default)]
    pub progress: Option<u32>,
    /// Conversations with their messages.
    #[serde(default)]
    pub conversations: Vec<HistoryConversation>,
    /// Push names.
    #[serde(default)]
    pub pushnames: Vec<HistoryPushname>,
}

/// One conversation of a [`HistoryRequest`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryConversation {
    /// The chat JID.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Unread count.
    #[serde(default)]
    pub unread_count: Option<u32>,
    /// Archived.
    #[serde(default)]
    pub archived: Option<bool>,
    /// Text messages, oldest first.
    #[serde(default)]
    pub messages: Vec<HistoryText>,
}

/// One text message of a [`HistoryConversation`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryText {
    /// Message id.
    pub id: String,
    /// The text.
    pub text: String,
    /// Sent by the account itself.
    #[serde(default)]
    pub from_me: bool,
    /// Unix seconds.
    #[serde(default)]
    pub timestamp: Option<u64>,
    /// The sender in a group.
    #[serde(default)]
    pub participant: Option<String>,
}

/// One push name of a [`HistoryRequest`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPushname {
    /// The user JID.
    pub id: String,
    /// The push name.
    pub name: String,
}

impl HistoryRequest {
    /// The `HistorySync` this request describes.
    ///
    /// # Errors
    /// [`Error::BadRequest`] for an unknown `sync_type`.
    pub fn to_proto(&self) -> Result<wa::HistorySync> {
        use wa::history_sync::HistorySyncType as T;
        let sync_type = match self.sync_type.as_deref().unwrap_or("recent") {
            "initial_bootstrap" => T::InitialBootstrap,
            "full" => T::Full,
            "recent" => T::Recent,
            "push_name" => T::PushName,
            other => return Err(Error::BadRequest(format!("unknown sync_type {other:?}"))),
        };
        let conversations = self
            .conversations
            .iter()
            .map(|c| wa::Conversation {
                id: Some(c.id.clone()),
                name: c.name.clone(),
                unread_count: c.unread_count,
                archived: c.archived,
                conversation_timestamp: c.messages.iter().filter_map(|m| m.timestamp).max(),
                messages: c
                    .messages
                    .iter()
                    .map(|m| wa::HistorySyncMsg {
                        message: Some(wa::WebMessageInfo {
                            key: Some(wa::MessageKey {
                                remote_jid: Some(c.id.clone()),
                                from_me: Some(m.from_me),
                                id: Some(m.id.clone()),
                                participant: m.participant.clone(),
                            }),
                            message: Some(wa::Message {
                                conversation: Some(m.text.clone()),
                                ..Default::default()
                            }),
                            message_timestamp: m.timestamp,
                            participant: m.participant.clone(),
                            ..Default::default()
                        }),
                        msg_order_id: None,
                    })
                    .collect(),
                ..Default::default()
            })
            .collect();
        Ok(wa::HistorySync {
            sync_type: Some(sync_type as i32),
            chunk_order: self.chunk_order,
            progress: self.progress,
            conversations,
            pushnames: self
                .pushnames
                .iter()
                .map(|p| wa::Pushname {
                    id: Some(p.id.clone()),
                    pushname: Some(p.name.clone()),
                })
                .collect(),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_becomes_a_history_sync() {
        let req: HistoryRequest = serde_json::from_str(
            r#"{"conversations": [{"id": "1@s.whatsapp.net", "name": "One",
                 "messages": [{"id": "A", "text": "hi", "timestamp": 5},
                              {"id": "B", "text": "yo", "from_me": true, "timestamp": 9}]}],
                "pushnames": [{"id": "1@s.whatsapp.net", "name": "Uno"}]}"#,
        )
        .unwrap_or_default();
        let h = req.to_proto().unwrap_or_default();
        assert_eq!(h.sync_type, Some(3));
        let conv = h.conversations.first().cloned().unwrap_or_default();
        assert_eq!(conv.conversation_timestamp, Some(9));
        let ids: Vec<_> = conv
            .messages
            .iter()
            .filter_map(|m| m.message.as_ref()?.key.as_ref()?.id.clone())
            .collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(h.pushnames.len(), 1);
        let bad = HistoryRequest {
            sync_type: Some("sometimes".into()),
            ..Default::default()
        };
        assert!(bad.to_proto().is_err());
    }
}
