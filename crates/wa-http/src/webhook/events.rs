//! Message, receipt, chat and group events → the reference's webhook
//! `dataType`s.

use wa_session::Event;

use crate::state::AppState;

/// Turns a message-level event into webhooks.
pub async fn message_event(state: &AppState, id: &str, event: Event) {
    let _ = (state, id, event);
}

/// A message this gateway sent through the API (the reference's
/// `message_create` for own messages, and `media_uploaded` for media).
/// Called by the send routes once the message is accepted.
pub async fn message_sent(state: &AppState, id: &str, message: &wa_session::store::StoredMessage) {
    let _ = (state, id, message);
}
