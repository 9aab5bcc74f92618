//! Builders of `wa.Message` contents. The send pipeline
//! ([`crate::Client::send_message`]) derives the stanza type from the
//! message itself, so builders only produce the protobuf.
//!
//! | module | owns |
//! |---|---|
//! | [`media`] | image, video, audio, voice note, document and sticker messages; [`crate::Client::send_media`] |

pub mod media;

pub use media::{MediaDetails, MediaKind, MediaSource, MediaUpload, media_message};
