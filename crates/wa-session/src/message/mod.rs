//! Message contents: builders for outgoing messages (the send pipeline,
//! [`crate::Client::send_message`], derives the stanza type from the message
//! itself, so builders only produce the protobuf), the `impl Client` calls
//! that send them, and the classification of incoming reactions, edits,
//! revokes and poll votes into typed events.
//!
//! | module | owns |
//! |---|---|
//! | [`media`] | image, video, audio, voice note, document and sticker messages; [`crate::Client::send_media`] |
//! | [`build`] | text (mentions, link preview, quotes), location, contacts, reaction, forward, revoke, edit |
//! | [`poll`] | poll creation (message secret), vote encryption/decryption, option hashes |
//! | [`interactive`] | the REST API's Buttons and List, rendered as text (see there why) |
//! | `send_ops` | `Client::send_text`, `send_location`, `send_contacts`, `send_poll`, `react`, `forward`, `revoke`, `edit`, `send_buttons`, `send_list` |
//! | `incoming` | reactions, edits, revokes and votes in received messages → [`crate::Event`] and store updates |

pub mod build;
pub(crate) mod incoming;
pub mod interactive;
pub mod media;
pub mod poll;
mod send_ops;

/// The store's kind (`chat`, `image`, `revoke`, ...) and text of a message
/// content; `None` for protocol-only payloads.
pub use crate::client::content::classify as classify_content;
/// Unwraps the containers that hold another message (ephemeral, view once,
/// document with caption, edited, device sent).
pub use crate::client::content::unwrap as unwrap_content;
pub use build::{ContactCard, LinkPreview, Location, MessageRef, TextOptions};
pub use interactive::{Buttons, List, ListRow, ListSection};
pub use media::{MediaDetails, MediaKind, MediaSource, MediaUpload, media_message};
pub use poll::PollSpec;

#[cfg(test)]
mod tests;
