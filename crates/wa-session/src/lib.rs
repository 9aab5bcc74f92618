//! # wa-session: the runtime side of the WhatsApp gateway
//!
//! `wa-proto` is the sans-IO protocol core; this crate owns everything that
//! touches the outside world. It is built in steps:
//!
//! * [`store`] (this step): persistence. The [`store::Store`] trait every
//!   backend implements, the [`store::WriteBatch`] unit of work that makes
//!   crash safety a property of the API (key material commits atomically
//!   with the message that caused it; callers ack only after `commit`
//!   returns), and the SQLite backend [`store::SqliteStore`]: one file per
//!   gateway, WAL, one writer thread with group commit, a small pool of
//!   read-only connections, versioned migrations.
//! * Next: the client runtime built on it (the `Client` for one linked
//!   device, pairing, login, keepalive and reconnect, IQ correlation, the
//!   send and receive pipelines with the durable outbox, and the session
//!   manager for many devices), then the messaging operations.
//!
//! Errors: one enum for the crate, [`Error`]; the runtime adds its variants
//! there.

pub mod client;
pub mod error;
pub mod manager;
pub mod store;

pub use client::{Client, ClientBuilder, Event, EventStream, Status};
pub use error::{Error, Result};
pub use manager::{ClientTemplate, SessionManager};
