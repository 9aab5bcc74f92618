//! Media for virtual phones: downloading, checking and decrypting the
//! attachment of a received media message (the inbox records its mimetype,
//! decrypted size and SHA-256), and encrypting and "uploading" (straight
//! into the sim's [`MediaStore`]) an image the
//! phone sends.

use rand::RngExt;
use serde::{Deserialize, Serialize};
use wa_proto::media::{ExpectedMedia, MediaType, decrypt, encrypt};
use wa_proto::proto::wa;

use super::inbox::unwrap;
use super::send::Outgoing;
use crate::media::{MediaStore, sha256};
use crate::world::World;

/// What the inbox records about a received attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMedia {
    /// The message's `mimetype`.
    pub mimetype: String,
    /// Decrypted size in bytes (absent if the download or a check failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Hex SHA-256 of the decrypted file (absent on failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Why the attachment could not be fetched or verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The download-relevant fields of a media message.
struct MediaRef<'a> {
    kind: MediaType,
    mimetype: Option<&'a String>,
    url: Option<&'a String>,
    direct_path: Option<&'a String>,
    media_key: Option<&'a Vec<u8>>,
    file_enc_sha256: Option<&'a Vec<u8>>,
    file_sha256: Option<&'a Vec<u8>>,
    file_length: Option<u64>,
}

macro_rules! media_ref {
    ($m:expr, $kind:expr) => {
        MediaRef {
            kind: $kind,
            mimetype: $m.mimetype.as_ref(),
            url: $m.url.as_ref(),
            direct_path: $m.direct_path.as_ref(),
            media_key: $m.media_key.as_ref(),
            file_enc_sha256: $m.file_enc_sha256.as_ref(),
            file_sha256: $m.file_sha256.as_ref(),
            file_length: $m.file_length,
        }
    };
}

fn media_ref(msg: &wa::Message) -> Option<MediaRef<'_>> {
    let m = unwrap(msg);
    if let Some(x) = &m.image_message {
        return Some(media_ref!(x, MediaType::Image));
    }
    if let Some(x) = &m.video_message {
        let kind = if x.gif_playback == Some(true) {
            MediaType::Gif
        } else {
            MediaType::Video
        };
        return Some(media_ref!(x, kind));
    }
    if let Some(x) = &m.ptv_message {
        return Some(media_ref!(x, MediaType::Ptv));
    }
    if let Some(x) = &m.audio_message {
        let kind = if x.ptt == Some(true) {
            MediaType::Ptt
        } else {
            MediaType::Audio
        };
        return Some(media_ref!(x, kind));
    }
    if let Some(x) = &m.document_message {
        return Some(media_ref!(x, MediaType::Document));
    }
    if let Some(x) = &m.sticker_message {
        return Some(media_ref!(x, MediaType::Sticker));
    }
    None
}

fn arr32(v: Option<&Vec<u8>>) -> Option<[u8; 32]> {
    v.and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
}

/// Downloads (from the sim's store), checks and decrypts the attachment of
/// `msg`, if it is a media message. Failures are recorded, not fatal.
pub fn fetch(store: &MediaStore, msg: &wa::Message) -> Option<InboxMedia> {
    let r = media_ref(msg)?;
    let mut out = InboxMedia {
        mimetype: r.mimetype.cloned().unwrap_or_default(),
        size: None,
        sha256: None,
        error: None,
    };
    let result = (|| {
        let key = r.media_key.ok_or("no media key")?;
        let blob = r
            .url
            .and_then(|u| store.get_by_url(u))
            .or_else(|| r.direct_path.and_then(|p| store.get_by_url(p)))
            .ok_or("blob not found on the media server")?;
        let expected = ExpectedMedia {
            file_enc_sha256: arr32(r.file_enc_sha256),
            file_sha256: arr32(r.file_sha256),
            file_length: r.file_length,
        };
        if expected.file_enc_sha256.is_none() || expected.file_sha256.is_none() {
            return Err("missing file hashes");
        }
        let (plain, info) = decrypt(key, r.kind, &blob, &expected).map_err(|e| match e {
            wa_proto::Error::MediaEncHashMismatch => "fileEncSha256 mismatch",
            wa_proto::Error::MediaMacMismatch => "media MAC mismatch",
            wa_proto::Error::MediaFileHashMismatch => "fileSha256 mismatch",
            wa_proto::Error::MediaLengthMismatch => "fileLength mismatch",
            _ => "media decryption failed",
        })?;
        debug_assert_eq!(plain.len() as u64, info.file_length);
        Ok::<_, &'static str>(info)
    })();
    match result {
        Ok(info) => {
            out.size = Some(info.file_length);
            out.sha256 = Some(hex::encode(info.file_sha256));
        }
        Err(e) => out.error = Some(e.to_owned()),
    }
    Some(out)
}

/// An image the phone sends: encrypts `image` with a fresh media key,
/// stores the encrypted file on the sim's media server and builds the
/// `ImageMessage` (stanza type `media`).
pub fn image(world: &mut World, image: &[u8], mimetype: &str, caption: &str, now: u64) -> Outgoing {
    let media_key: [u8; 32] = world.rng.random();
    let (file, info) = encrypt(media_key, MediaType::Image, image);
    let host = world.host.clone();
    let up = world.media.insert_own("image", file, &host);
    debug_assert_eq!(sha256(image), info.file_sha256);
    let msg = wa::message::ImageMessage {
        url: Some(up.url),
        direct_path: Some(up.direct_path),
        mimetype: Some(mimetype.to_owned()),
        caption: (!caption.is_empty()).then(|| caption.to_owned()),
        media_key: Some(info.media_key.to_vec()),
        file_enc_sha256: Some(info.file_enc_sha256.to_vec()),
        file_sha256: Some(info.file_sha256.to_vec()),
        file_length: Some(info.file_length),
        media_key_timestamp: i64::try_from(now).ok(),
        ..Default::default()
    };
    Outgoing {
        message: wa::Message {
            image_message: Some(Box::new(msg)),
            ..Default::default()
        },
        stanza_type: "media",
    }
}
