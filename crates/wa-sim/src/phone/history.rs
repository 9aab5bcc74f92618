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
