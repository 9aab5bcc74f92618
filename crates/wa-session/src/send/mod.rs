//! Sending: the durable outbox and the pipeline that turns an accepted
//! `wa.Message` into per-device ciphertexts on the wire.
//!
//! ```text
//! send_message ─► outbox "accepted" (commit) ─► sender task:
//!   devices (usync, cached) ─► prekey bundles for devices without a session
//!   ─► encrypt per device (+ DeviceSentMessage for our other devices,
//!      sender key + distribution for groups) ─► commit "encrypted" with the
//!      advanced Signal state ─► write stanza ─► "sent" ─► server ack ─► "server_acked"
//! ```

mod id;

use wa_proto::jid::Jid;
use wa_proto::proto::wa;

pub use id::new_message_id;

use crate::client::Client;
use crate::{Error, Result};

/// Per-send choices; the defaults suit a plain message.
#[derive(Clone, Debug, Default)]
pub struct SendOptions {
    /// Use this message id instead of a new one (WhatsApp's format,
    /// [`new_message_id`]). Sending an id already in the outbox returns the
    /// existing entry's result instead of sending twice.
    pub id: Option<String>,
}

/// A message the server acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The chat it went to.
    pub chat: Jid,
    /// Its message id.
    pub id: String,
    /// The server's timestamp of the ack (unix seconds).
    pub timestamp: i64,
}

impl Client {
    /// Sends `message` to `chat` (a user or a group) and waits for the
    /// server's ack. The message is accepted into the durable outbox before
    /// anything goes on the wire: if this call fails after acceptance
    /// (timeout, disconnect, crash), the message is still sent once the
    /// session is connected again.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a chat that cannot receive messages,
    /// [`Error::Timeout`] if the ack does not come in time (the message
    /// stays queued), store errors.
    pub async fn send_message(&self, chat: &Jid, message: wa::Message) -> Result<SentMessage> {
        self.send_message_with(chat, message, SendOptions::default())
            .await
    }

    /// [`Client::send_message`] with options.
    ///
    /// # Errors
    /// As [`Client::send_message`].
    pub async fn send_message_with(
        &self,
        chat: &Jid,
        message: wa::Message,
        opts: SendOptions,
    ) -> Result<SentMessage> {
        let _ = (chat, message, opts);
        Err(Error::InvalidState("sending is not implemented yet".into()))
    }
}
