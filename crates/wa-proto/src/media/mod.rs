//! Media crypto: how WhatsApp encrypts attachments (images, video, audio,
//! documents, stickers, history-sync and app-state blobs, link thumbnails,
//! sticker packs) before uploading them to the media servers.
//!
//! ```text
//! mediaKey (32 random bytes)
//!   └─ HKDF-SHA256(no salt, info "WhatsApp <Type> Keys", 112 bytes)
//!        = iv[16] ‖ cipherKey[32] ‖ macKey[32] ‖ refKey[32]
//! file  = AES-256-CBC(cipherKey, iv, PKCS#7(plaintext))
//!       ‖ HMAC-SHA256(macKey, iv ‖ ciphertext)[..10]
//! fileSha256    = SHA-256(plaintext)
//! fileEncSha256 = SHA-256(file)          (ciphertext ‖ mac)
//! ```
//!
//! * [`MediaType`]: the per-type HKDF info string, MMS type and upload path.
//! * [`MediaKeys`]: key expansion; [`hkdf_sha256`] is the HKDF it uses.
//! * [`MediaEncryptor`] / [`encrypt`]: streaming and one-shot encryption,
//!   producing the [`MediaInfo`] a media message carries.
//! * [`MediaVerifier`] → [`VerifiedMedia`] → [`MediaDecryptor`]: two-pass
//!   streaming decryption that checks the MAC before releasing any plaintext;
//!   [`decrypt`] does the same for a buffer in memory.
//! * [`io`]: `std::io` adapters over readers and writers the caller provides.
//!
//! ## Decryption
//! The MAC sits at the end of the file, so a streaming decryptor cannot check
//! it before it has seen everything. Two ways are offered:
//!
//! * [`decrypt`] for a file already in memory: one pass computes every hash
//!   and decrypts into a private buffer that is returned only if all checks
//!   pass (and wiped otherwise).
//! * For files too large to hold, two passes over a re-readable source (a
//!   file the caller keeps, a repeatable download): [`MediaVerifier`] reads
//!   everything once and checks `fileEncSha256` and the MAC; the resulting
//!   [`VerifiedMedia`] becomes a [`MediaDecryptor`] that reads the same bytes
//!   again and releases plaintext.
//!
//! ### Binding the second pass to the first
//! A re-read source can change between the passes (a file rewritten, a server
//! answering differently), which would release unauthenticated plaintext. So
//! the verifier records the SHA-256 chaining value of `fileEncSha256` every
//! [`SEGMENT_LEN`] bytes (a 32-byte checkpoint per 64 KiB, 0.05 % of the file
//! size), and the decryptor buffers one segment, recomputes its chaining value
//! from the previous checkpoint and releases the segment's plaintext only if it
//! matches. The last segment is checked against the final digest, which also
//! covers the MAC bytes. Forging a segment would need a second preimage of the
//! SHA-256 compression function. Cost: one more SHA-256 pass over the
//! ciphertext; memory: one segment plus the checkpoints.
//!
//! ### Order of checks
//! As whatsmeow does: `fileEncSha256` (when expected), then the MAC, then
//! decryption (block structure, PKCS#7 padding), then `fileLength` and
//! `fileSha256` (when expected). The plaintext hash can only be known at the
//! end; when [`MediaDecryptor::finish`] reports a mismatch the caller must
//! discard what it received (the MAC, checked first, still guarantees the
//! bytes are the sender's).
//!
//! Everything here is sans-IO: bytes in, bytes out, randomness passed in.
//! Sources for the constants: whatsmeow `download.go`/`upload.go`, Baileys
//! `Defaults/index.js` (`MEDIA_HKDF_KEY_MAPPING`, `MEDIA_PATH_MAP`) and
//! `Utils/messages-media.js`; the known-answer vectors in
//! `tests/vectors/media.json` were computed by Baileys.

mod decrypt;
mod encrypt;
pub(crate) mod hashing;
pub mod io;
mod keys;

pub use decrypt::{
    DecryptedMedia, ExpectedMedia, MediaDecryptor, MediaVerifier, SEGMENT_LEN, VerifiedMedia,
    decrypt,
};
pub use encrypt::{MediaEncryptor, MediaInfo, encrypt};
pub(crate) use keys::hkdf_fixed;
pub use keys::{MEDIA_KEY_LEN, MediaKeys, hkdf_sha256};

/// Length of the truncated HMAC-SHA256 appended to an encrypted media file.
pub const MAC_LEN: usize = 10;

/// AES block length; the ciphertext is a whole number of these.
pub const AES_BLOCK: usize = 16;

/// The kind of an uploaded file. It selects the HKDF info string (several
/// kinds share one key family) and the MMS type used in upload and download
/// URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MediaType {
    /// `ImageMessage`.
    Image,
    /// `StickerMessage`: image keys, uploaded as `image`.
    Sticker,
    /// `VideoMessage`.
    Video,
    /// A video sent with `gifPlayback`: video keys.
    Gif,
    /// A round "push-to-talk" video note (PTV): video keys.
    Ptv,
    /// `AudioMessage`.
    Audio,
    /// A voice note (PTT): audio keys.
    Ptt,
    /// `DocumentMessage`.
    Document,
    /// A history-sync blob (`HistorySyncNotification`).
    History,
    /// An app-state blob (`ExternalBlobReference`).
    AppState,
    /// A link-preview thumbnail (`ExtendedTextMessage.thumbnail*`).
    LinkThumbnail,
    /// A sticker pack (`StickerPackMessage`).
    StickerPack,
}

impl MediaType {
    /// Every media type, for tests and tools.
    pub const ALL: [MediaType; 12] = [
        Self::Image,
        Self::Sticker,
        Self::Video,
        Self::Gif,
        Self::Ptv,
        Self::Audio,
        Self::Ptt,
        Self::Document,
        Self::History,
        Self::AppState,
        Self::LinkThumbnail,
        Self::StickerPack,
    ];

    /// The HKDF info string of this type's key family.
    pub const fn hkdf_info(self) -> &'static str {
        match self {
            Self::Image | Self::Sticker => "WhatsApp Image Keys",
            Self::Video | Self::Gif | Self::Ptv => "WhatsApp Video Keys",
            Self::Audio | Self::Ptt => "WhatsApp Audio Keys",
            Self::Document => "WhatsApp Document Keys",
            Self::History => "WhatsApp History Keys",
            Self::AppState => "WhatsApp App State Keys",
            Self::LinkThumbnail => "WhatsApp Link Thumbnail Keys",
            Self::StickerPack => "WhatsApp Sticker Pack Keys",
        }
    }

    /// The MMS type: the upload path segment (`/mms/<type>/…`) and the
    /// `mms-type` query parameter of downloads (whatsmeow `mediaTypeToMMSType`).
    ///
    /// Baileys uploads history blobs under `/mms/md-app-state` instead; the
    /// server accepts both, whatsmeow's value is used here.
    pub const fn mms_type(self) -> &'static str {
        match self {
            Self::Image | Self::Sticker => "image",
            Self::Video | Self::Gif | Self::Ptv => "video",
            Self::Audio | Self::Ptt => "audio",
            Self::Document => "document",
            Self::History => "md-msg-hist",
            Self::AppState => "md-app-state",
            Self::LinkThumbnail => "thumbnail-link",
            Self::StickerPack => "sticker-pack",
        }
    }

    /// The upload path prefix, `/mms/<mms type>`; the base64url
    /// `fileEncSha256` follows it.
    pub const fn upload_path(self) -> &'static str {
        match self {
            Self::Image | Self::Sticker => "/mms/image",
            Self::Video | Self::Gif | Self::Ptv => "/mms/video",
            Self::Audio | Self::Ptt => "/mms/audio",
            Self::Document => "/mms/document",
            Self::History => "/mms/md-msg-hist",
            Self::AppState => "/mms/md-app-state",
            Self::LinkThumbnail => "/mms/thumbnail-link",
            Self::StickerPack => "/mms/sticker-pack",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_path_is_mms_prefix_plus_type() {
        for t in MediaType::ALL {
            assert_eq!(t.upload_path(), format!("/mms/{}", t.mms_type()));
            assert!(t.hkdf_info().starts_with("WhatsApp ") && t.hkdf_info().ends_with(" Keys"));
        }
    }
}
