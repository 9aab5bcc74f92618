//! # wa-sim: an offline WhatsApp-compatible server
//!
//! A whole small WhatsApp network on loopback: accounts with phone-number
//! and LID identities, virtual phones that hold real Signal identities, and
//! a server that speaks the multi-device protocol (Noise handshake with its
//! own certificate root, binary nodes, pairing, prekeys, usync, routing,
//! receipts, offline queues) to unmodified clients such as Baileys.
//!
//! ```no_run
//! # async fn demo() -> wa_sim::Result<()> {
//! let sim = wa_sim::Sim::start(wa_sim::SimConfig::local()).await?;
//! sim.create_account("6281288888888", "Alice")?;
//! println!("connect to {} trusting root {}", sim.ws_url(), hex::encode(sim.root_public_key()));
//! # Ok(()) }
//! ```
//!
//! ## Modules
//! | module | owns |
//! |---|---|
//! | [`sim`] | [`Sim::start`], [`SimHandle`] (the in-process API mirroring the control API) |
//! | [`sim_profile`] | [`SimHandle`] methods for phone-side profile, privacy, presence |
//! | [`config`] | [`SimConfig`] |
//! | [`net`] | the one-port plain/TLS accept loop, the CA and TLS config |
//! | [`control`] | the HTTP router: `/ws/chat` and the `/sim/...` JSON control API |
//! | [`conn`] | one websocket connection: handshake, node loop, writer |
//! | [`login`] | ClientPayload → registration, login (`<success>`) or `<failure>` |
//! | [`pairing`] | QR and code pairing, `pair-success`, `pair-device-sign`, unlinking |
//! | [`handler`] | the synchronous reaction to every client node, one module per area |
//! | [`world`] | accounts, devices, connections, queues, routing |
//! | [`phone`] | virtual phones: Signal, inbox, sending, post-link bootstrap |
//! | [`faults`] | fault injection |
//! | [`provision`] | registering a companion from its public keys (load tests) |
//! | [`appstate`] | app-state sync: patch store per account/collection, the phone's sync keys |
//! | [`media`] | the media server: blob store, `/mms` upload and `/v` download routes |
//! | [`persist`] | `--data DIR`: keys, CA and the debounced state snapshot |
//!
//! `docs/sim.md` documents the control API and every deviation from the real
//! server.
//!
//! ## What this crate must not do
//! It must not share state with a client under test except through the
//! wire (the websocket, the media routes and the control API), so a test
//! against it exercises the same bytes a client exchanges with WhatsApp.
//! It is a test and demo network, not a server to deploy: it keeps its
//! world in memory (snapshotted with `--data`), presents certificate
//! chains from its own root (clients must be told to trust it), and
//! implements the server's behaviour only as far as the
//! clients' tests need it.

pub mod appstate;
pub mod config;
pub mod conn;
pub mod control;
pub mod error;
pub mod faults;
#[doc(hidden)]
pub mod fuzzing;
pub mod handler;
pub mod login;
pub mod media;
pub mod net;
pub mod pairing;
pub mod persist;
pub mod phone;
pub mod provision;
pub mod sim;
pub mod sim_profile;
pub mod world;

pub use config::SimConfig;
pub use error::{Error, Result};
pub use faults::FaultSettings;
pub use phone::InboxEntry;
pub use sim::{AccountInfo, Sim, SimHandle, SimInfo, SimStats};
