//! Sending: the durable outbox and the pipeline that turns an accepted
//! `wa.Message` into per-device ciphertexts on the wire.
//!
//! ```text
//! send_message ─► outbox "accepted" (commit) ─► sender task (worker):
//!   devices (usync, cached) ─► prekey bundles for devices without a session
//!   ─► encrypt per device (+ DeviceSentMessage for our other devices,
//!      sender key + distribution for groups) ─► commit "encrypted" with the
//!      advanced Signal state ─► write stanza ─► "sent" ─► server ack ─► "server_acked"
//! ```
//!
//! | module | owns |
//! |---|---|
//! | `worker` | the per-session sender task and its rounds |
//! | `plan` | addressing: devices, LID or PN, group members, phash |
//! | `devices` | usync device lists (cached) |
//! | `prekeys` | prekey bundle fetch and parsing |
//! | `lid` | LID addresses and the PN → LID session migration |
//! | `encrypt` | pairwise encryption for a set of devices |
//! | `group` | sender keys and their distribution |
//! | `stanza` | the `<message>` stanza and its content-derived attributes |
//! | `retry` | answering retry receipts |
//! | `state` | in-memory waiters, caches and queues |

mod devices;
mod encrypt;
mod group;
mod id;
pub(crate) mod lid;
mod plan;
mod prekeys;
mod retry;
pub(crate) mod stanza;
pub(crate) mod state;
pub(crate) mod worker;

use prost::Message as _;
use wa_proto::jid::{Jid, Server};
use wa_proto::proto::wa;

pub use id::new_message_id;

use crate::client::Client;
use crate::store::{NewOutboxEntry, OutboxState, WriteBatch};
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

/// The chat a message may be sent to, normalised (no device part).
fn destination(chat: &Jid) -> Result<Jid> {
    let ok = match chat.server {
        Server::Pn | Server::Lid => !chat.user.is_empty(),
        Server::Group => !chat.user.is_empty(),
        _ => false,
    };
    if !ok {
        return Err(Error::InvalidValue(format!(
            "cannot send a message to {chat}"
        )));
    }
    Ok(chat.to_non_ad())
}

/// The stored form of a message we send (`from_me`, ack pending), as the
/// send pipeline commits it with the encryption: kind and text from the
/// content, media details when it carries an attachment. `raw` is the
/// encoded `message`; `own` our device or user JID.
pub fn outgoing_row(
    chat: &Jid,
    id: &str,
    own: Option<&Jid>,
    message: &wa::Message,
    raw: Vec<u8>,
    timestamp: i64,
) -> crate::store::StoredMessage {
    let (kind, body) = crate::client::content::classify(message).unwrap_or(("protocol", None));
    crate::store::StoredMessage {
        chat: chat.clone(),
        id: id.to_owned(),
        from_me: true,
        sender: own.map(Jid::to_non_ad),
        timestamp,
        kind: kind.to_owned(),
        body,
        raw,
        media: crate::media::MediaRef::from_message(message).map(|r| r.to_info()),
        ack: crate::store::AckLevel::Pending,
    }
}

impl Client {
    /// Sends `message` to `chat` (a user or a group) and waits for the
    /// server's ack. The message is accepted into the durable outbox before
    /// anything goes on the wire: if this call fails after acceptance
    /// (timeout, disconnect, crash), the message is still sent once the
    /// session is connected again.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a chat that cannot receive messages or
    /// has no devices, [`Error::Server`] if the server refused it (403 in an
    /// announcement group, ...), [`Error::Timeout`] if the ack does not come
    /// within [`crate::client::Options::send_timeout`] (the message stays
    /// queued), store errors.
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
        let (id, rx) = self.accept(chat, message, opts).await?;
        let Some(rx) = rx else {
            return self.outcome_of(&id).await;
        };
        match tokio::time::timeout(self.send_timeout(), rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::Stopped),
            Err(_) => Err(Error::Timeout("send (the message stays queued)")),
        }
    }

    /// Accepts `message` into the outbox and returns its id at once; the
    /// sender task delivers it. Use [`Client::send_message`] to wait for
    /// the server's ack.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a bad chat, [`Error::InvalidState`] when
    /// not paired, store errors.
    pub async fn queue_message(
        &self,
        chat: &Jid,
        message: wa::Message,
        opts: SendOptions,
    ) -> Result<String> {
        Ok(self.accept(chat, message, opts).await?.0)
    }

    /// The outcome of a message already in the outbox: `Ok` once the server
    /// acked it, the failure once given up; waits while it is pending.
    async fn outcome_of(&self, id: &str) -> Result<SentMessage> {
        let shared = self.shared();
        let rx = shared.send.wait_result(id);
        let entry = shared
            .store
            .outbox_entry(shared.ctx.session_id(), id)
            .await?
            .ok_or_else(|| Error::InvalidValue(format!("no message {id} in the outbox")))?;
        match entry.state {
            OutboxState::ServerAcked => Ok(SentMessage {
                chat: entry.chat,
                id: entry.id,
                timestamp: entry.updated_at_ms / 1000,
            }),
            OutboxState::Failed => Err(Error::SendFailed {
                id: entry.id,
                reason: entry.error.unwrap_or_default(),
            }),
            _ => match tokio::time::timeout(self.send_timeout(), rx).await {
                Ok(Ok(r)) => r,
                Ok(Err(_)) => Err(Error::Stopped),
                Err(_) => Err(Error::Timeout("send (the message stays queued)")),
            },
        }
    }

    /// Commits the outbox entry; returns the id and, for a new entry, the
    /// receiver of its outcome.
    #[allow(clippy::type_complexity)]
    async fn accept(
        &self,
        chat: &Jid,
        message: wa::Message,
        opts: SendOptions,
    ) -> Result<(
        String,
        Option<tokio::sync::oneshot::Receiver<Result<SentMessage>>>,
    )> {
        let chat = destination(chat)?;
        let shared = self.shared();
        let me = shared.own_jid().await?;
        let id = match opts.id {
            Some(id) if id.is_empty() || id.len() > 64 => {
                return Err(Error::InvalidValue(
                    "message id must be 1-64 characters".into(),
                ));
            }
            Some(id) => {
                if shared
                    .store
                    .outbox_entry(shared.ctx.session_id(), &id)
                    .await?
                    .is_some()
                {
                    return Ok((id, None));
                }
                id
            }
            None => new_message_id(&me.user),
        };
        let rx = shared.send.wait_result(&id);
        let mut batch = WriteBatch::new();
        batch.outbox_accept(NewOutboxEntry {
            id: id.clone(),
            chat,
            payload: message.encode_to_vec(),
            accepted_at_ms: crate::clock::now_ms(),
        });
        if let Err(e) = shared.store.commit(&shared.ctx, batch).await {
            shared.send.finish(&id, &Err(Error::Closed));
            return Err(e);
        }
        shared.send.wake.notify_one();
        Ok((id, Some(rx)))
    }
}
