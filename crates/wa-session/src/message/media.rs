//! Media message builders: an [`UploadedMedia`] plus the details the user
//! gives ([`MediaDetails`]) become the `wa.Message` WhatsApp clients send
//! for an image, video, audio file, voice note, document or sticker; and
//! [`Client::send_media`], which uploads and sends in one call.
//!
//! Shapes follow what current clients send (Baileys `prepareWAMessageMedia`,
//! whatsmeow examples): voice notes are `audioMessage{ptt: true}`; a
//! document with a caption is wrapped in `documentWithCaptionMessage`;
//! stickers are `image/webp` with image keys.

use bytes::Bytes;
use tokio::io::AsyncRead;
use wa_proto::jid::Jid;
use wa_proto::media::MediaType;
use wa_proto::proto::wa;

use crate::client::Client;
use crate::media::UploadedMedia;
use crate::{Result, SentMessage};

/// What kind of media message to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    /// `imageMessage`.
    Image,
    /// `videoMessage`.
    Video,
    /// `videoMessage` with `gifPlayback`.
    Gif,
    /// `audioMessage` (a music or audio file).
    Audio,
    /// `audioMessage` with `ptt` (a voice note).
    VoiceNote,
    /// `documentMessage` (in `documentWithCaptionMessage` when captioned).
    Document,
    /// `stickerMessage` (WebP).
    Sticker,
}

impl MediaKind {
    /// The media type the file is encrypted and uploaded as.
    pub fn media_type(self) -> MediaType {
        match self {
            MediaKind::Image => MediaType::Image,
            MediaKind::Video => MediaType::Video,
            MediaKind::Gif => MediaType::Gif,
            MediaKind::Audio => MediaType::Audio,
            MediaKind::VoiceNote => MediaType::Ptt,
            MediaKind::Document => MediaType::Document,
            MediaKind::Sticker => MediaType::Sticker,
        }
    }

    /// The MIME type used when none is given.
    pub fn default_mimetype(self) -> &'static str {
        match self {
            MediaKind::Image => "image/jpeg",
            MediaKind::Video | MediaKind::Gif => "video/mp4",
            MediaKind::Audio => "audio/mpeg",
            // WhatsApp voice notes are Opus in Ogg.
            MediaKind::VoiceNote => "audio/ogg; codecs=opus",
            MediaKind::Document => "application/octet-stream",
            MediaKind::Sticker => "image/webp",
        }
    }
}

/// The user-visible details of a media message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDetails {
    /// Which message to build.
    pub kind: MediaKind,
    /// MIME type (`None`: [`MediaKind::default_mimetype`]).
    pub mimetype: Option<String>,
    /// Caption (images, videos, documents).
    pub caption: Option<String>,
    /// File name (documents).
    pub file_name: Option<String>,
    /// Pixel width, if known (images, videos, stickers).
    pub width: Option<u32>,
    /// Pixel height, if known.
    pub height: Option<u32>,
    /// Duration in seconds, if known (audio, video).
    pub seconds: Option<u32>,
    /// A small JPEG preview (images, videos, documents).
    pub jpeg_thumbnail: Option<Vec<u8>>,
}

impl MediaDetails {
    /// Details with nothing but the kind.
    pub fn new(kind: MediaKind) -> Self {
        MediaDetails {
            kind,
            mimetype: None,
            caption: None,
            file_name: None,
            width: None,
            height: None,
            seconds: None,
            jpeg_thumbnail: None,
        }
    }

    /// Sets the MIME type.
    #[must_use]
    pub fn mimetype(mut self, m: impl Into<String>) -> Self {
        self.mimetype = Some(m.into());
        self
    }

    /// Sets the caption.
    #[must_use]
    pub fn caption(mut self, c: impl Into<String>) -> Self {
        self.caption = Some(c.into());
        self
    }

    /// Sets the file name.
    #[must_use]
    pub fn file_name(mut self, n: impl Into<String>) -> Self {
        self.file_name = Some(n.into());
        self
    }

    /// Sets the pixel size.
    #[must_use]
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// Sets the duration.
    #[must_use]
    pub fn seconds(mut self, s: u32) -> Self {
        self.seconds = Some(s);
        self
    }

    /// Sets the JPEG thumbnail.
    #[must_use]
    pub fn jpeg_thumbnail(mut self, t: Vec<u8>) -> Self {
        self.jpeg_thumbnail = Some(t);
        self
    }

    fn mimetype_or_default(&self) -> String {
        self.mimetype
            .clone()
            .unwrap_or_else(|| self.kind.default_mimetype().to_owned())
    }
}

/// The media message for an upload. The upload's media type should be
/// `details.kind.media_type()` (the receiver derives the keys from the
/// message type).
pub fn media_message(up: &UploadedMedia, details: &MediaDetails) -> wa::Message {
    let mimetype = Some(details.mimetype_or_default());
    let key_ts = Some(crate::clock::now_secs());
    let url = Some(up.url.clone());
    let direct_path = Some(up.direct_path.clone());
    let media_key = Some(up.media_key.to_vec());
    let file_sha256 = Some(up.file_sha256.to_vec());
    let file_enc_sha256 = Some(up.file_enc_sha256.to_vec());
    let file_length = Some(up.file_length);
    let caption = details.caption.clone().filter(|c| !c.is_empty());
    let mut msg = wa::Message::default();
    match details.kind {
        MediaKind::Image => {
            msg.image_message = Some(Box::new(wa::message::ImageMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                mimetype,
                caption,
                width: details.width,
                height: details.height,
                jpeg_thumbnail: details.jpeg_thumbnail.clone(),
                media_key_timestamp: key_ts,
                ..Default::default()
            }));
        }
        MediaKind::Video | MediaKind::Gif => {
            msg.video_message = Some(Box::new(wa::message::VideoMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                mimetype,
                caption,
                width: details.width,
                height: details.height,
                seconds: details.seconds,
                gif_playback: (details.kind == MediaKind::Gif).then_some(true),
                jpeg_thumbnail: details.jpeg_thumbnail.clone(),
                media_key_timestamp: key_ts,
                ..Default::default()
            }));
        }
        MediaKind::Audio | MediaKind::VoiceNote => {
            msg.audio_message = Some(Box::new(wa::message::AudioMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                mimetype,
                seconds: details.seconds,
                ptt: Some(details.kind == MediaKind::VoiceNote),
                media_key_timestamp: key_ts,
                ..Default::default()
            }));
        }
        MediaKind::Document => {
            let doc = wa::message::DocumentMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                mimetype,
                title: details.file_name.clone(),
                file_name: details.file_name.clone(),
                caption: caption.clone(),
                jpeg_thumbnail: details.jpeg_thumbnail.clone(),
                media_key_timestamp: key_ts,
                ..Default::default()
            };
            let inner = wa::Message {
                document_message: Some(Box::new(doc)),
                ..Default::default()
            };
            if caption.is_some() {
                msg.document_with_caption_message =
                    Some(Box::new(wa::message::FutureProofMessage {
                        message: Some(Box::new(inner)),
                    }));
            } else {
                msg = inner;
            }
        }
        MediaKind::Sticker => {
            msg.sticker_message = Some(Box::new(wa::message::StickerMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                mimetype,
                width: details.width,
                height: details.height,
                media_key_timestamp: key_ts,
                ..Default::default()
            }));
        }
    }
    msg
}

/// Where the file of a [`MediaUpload`] comes from.
pub enum MediaSource {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A reader, encrypted as it is read (constant memory).
    Reader(Box<dyn AsyncRead + Send + Unpin>),
}

impl std::fmt::Debug for MediaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            MediaSource::Reader(_) => f.write_str("Reader(..)"),
        }
    }
}

/// A file to upload and send as a media message.
#[derive(Debug)]
pub struct MediaUpload {
    /// The plaintext file.
    pub source: MediaSource,
    /// The message details.
    pub details: MediaDetails,
}

impl MediaUpload {
    /// A file in memory.
    pub fn bytes(data: impl Into<Bytes>, details: MediaDetails) -> Self {
        MediaUpload {
            source: MediaSource::Bytes(data.into()),
            details,
        }
    }

    /// A file read from `reader`.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static, details: MediaDetails) -> Self {
        MediaUpload {
            source: MediaSource::Reader(Box::new(reader)),
            details,
        }
    }
}

impl Client {
    /// Encrypts and uploads `source` as a file of `kind`.
    ///
    /// # Errors
    /// As [`Client::upload_media`].
    pub async fn upload_for(&self, source: MediaSource, kind: MediaKind) -> Result<UploadedMedia> {
        match source {
            MediaSource::Bytes(b) => self.upload_media(b, kind.media_type()).await,
            MediaSource::Reader(r) => self.upload_media_reader(r, kind.media_type()).await,
        }
    }

    /// Uploads `upload` and sends it to `chat` as a media message.
    ///
    /// # Errors
    /// As [`Client::upload_media`] and [`Client::send_message`].
    pub async fn send_media(&self, chat: &Jid, upload: MediaUpload) -> Result<SentMessage> {
        let uploaded = self.upload_for(upload.source, upload.details.kind).await?;
        let msg = media_message(&uploaded, &upload.details);
        self.send_message(chat, msg).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::MediaRef;

    fn uploaded(kind: MediaKind) -> UploadedMedia {
        UploadedMedia {
            media_type: kind.media_type(),
            url: "https://h/v/x".into(),
            direct_path: "/v/x".into(),
            media_key: [1; 32],
            file_sha256: [2; 32],
            file_enc_sha256: [3; 32],
            file_length: 42,
        }
    }

    #[test]
    fn every_kind_round_trips_through_media_ref() {
        for kind in [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Gif,
            MediaKind::Audio,
            MediaKind::VoiceNote,
            MediaKind::Document,
            MediaKind::Sticker,
        ] {
            let details = MediaDetails::new(kind).caption("cap").file_name("f.pdf");
            let msg = media_message(&uploaded(kind), &details);
            let r = MediaRef::from_message(&msg);
            assert_eq!(r.as_ref().map(|r| r.media_type), Some(kind.media_type()));
            assert_eq!(r.as_ref().and_then(|r| r.file_length), Some(42));
            assert_eq!(
                r.as_ref().and_then(|r| r.mimetype.clone()).as_deref(),
                Some(kind.default_mimetype())
            );
        }
    }

    #[test]
    fn captioned_documents_are_wrapped() {
        let with = media_message(
            &uploaded(MediaKind::Document),
            &MediaDetails::new(MediaKind::Document).caption("see"),
        );
        let inner = with
            .document_with_caption_message
            .as_ref()
            .and_then(|f| f.message.as_ref())
            .and_then(|m| m.document_message.as_ref());
        assert_eq!(inner.and_then(|d| d.caption.as_deref()), Some("see"));
        let without = media_message(
            &uploaded(MediaKind::Document),
            &MediaDetails::new(MediaKind::Document).file_name("a.txt"),
        );
        assert_eq!(
            without
                .document_message
                .as_ref()
                .and_then(|d| d.file_name.as_deref()),
            Some("a.txt")
        );
        let ptt = media_message(
            &uploaded(MediaKind::VoiceNote),
            &MediaDetails::new(MediaKind::VoiceNote),
        );
        assert_eq!(ptt.audio_message.and_then(|a| a.ptt), Some(true));
    }
}
