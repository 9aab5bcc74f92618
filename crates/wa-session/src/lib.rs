//! # wa-session: the runtime side of the WhatsApp gateway
//!
//! `wa-proto` is the sans-IO protocol core; this crate owns everything that
//! touches the outside world. It is built in steps:
//!
//! * [`client`]: the [`Client`] for one linked device: connect (websocket +
//!   Noise), pair by QR or by code (verifying `pair-success` fail-closed),
//!   log in, keepalive, reconnect with backoff, IQ correlation, prekey
//!   top-up, and the receive pipeline that commits a message's whole effect
//!   before acking it. Events arrive on an [`EventStream`].
//! * [`manager`]: the [`SessionManager`] for many sessions: start, stop,
//!   restart, logout, delete, restore at startup, one merged event stream.
//! * [`send`]: the durable outbox and the send pipeline
//!   ([`Client::send_message`]).
//! * [`message`]: builders of `wa.Message` contents (text, quotes,
//!   location, contacts, polls, reactions, forwards, revokes, edits,
//!   buttons/lists, media messages and [`Client::send_media`]) and typed
//!   events for incoming reactions, edits, revokes and poll votes.
//! * [`ops`]: account operations: groups, contacts, profile, presence, chats
//!   and labels.
//! * [`appstate`]: app-state sync (chat settings, labels, contacts, push
//!   name shared by the account's devices): fetch, verify, apply, push.
//! * [`media`]: `media_conn`, encrypted uploads, checked downloads
//!   ([`Client::upload_media`], [`Client::download_media`]).
//! * [`history`]: history-sync notifications downloaded, inflated and stored.
//! * [`store`]: persistence. The [`store::Store`] trait every backend
//!   implements, the [`store::WriteBatch`] unit of work that makes crash
//!   safety a property of the API (key material commits atomically with the
//!   message that caused it; callers ack only after `commit` returns), and
//!   the SQLite backend [`store::SqliteStore`]: one file per gateway, WAL,
//!   one writer thread with group commit, a small pool of read-only
//!   connections, versioned migrations.
//!
//! It must not know about HTTP, the REST API's JSON or webhooks (that is
//! `wa-http`), nor implement protocol crypto (that is `wa-proto`).
//!
//! A complete round trip against the offline network `wa-sim` is in
//! `examples/demo.rs` (`cargo run -p wa-session --example demo`):
//!
//! ```no_run
//! # async fn demo(store: std::sync::Arc<dyn wa_session::store::Store>) -> wa_session::Result<()> {
//! use wa_session::{Client, Event};
//! let (client, mut events) = Client::builder(store, "support-line").build().await?;
//! while let Some(event) = events.recv().await {
//!     match event {
//!         Event::Qr { code, .. } => println!("scan: {code}"),
//!         Event::Message(m) => println!("{}: {:?}", m.chat, m.body),
//!         Event::LoggedOut { .. } => break,
//!         _ => {}
//!     }
//! }
//! # drop(client); Ok(()) }
//! ```
//!
//! Errors: one enum for the crate, [`Error`]; the runtime adds its variants
//! there.

pub mod appstate;
pub mod client;
mod clock;
pub mod error;
pub mod history;
pub mod manager;
pub mod media;
pub mod message;
pub mod ops;
pub mod send;
pub mod store;

pub use client::{Client, ClientBuilder, Event, EventStream, Status};
pub use error::{Error, Result};
pub use manager::{ClientTemplate, SessionManager};
pub use send::{SendOptions, SentMessage, new_message_id};
