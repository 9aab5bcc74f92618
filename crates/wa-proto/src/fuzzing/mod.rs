//! Entry points shared by the cargo-fuzz targets in `fuzz/` and the corpus
//! replay test (`tests/fuzz_corpus.rs`), so both exercise exactly the same code.
//!
//! Each function feeds arbitrary bytes to a decoder (and, where it decodes,
//! checks round-trip invariants). They must never panic; a panic is a bug.
//! [`TARGETS`] lists them by the name of their fuzz target. One submodule per
//! protocol area.

mod binary;
mod media;
mod noise;
mod pair;
mod proto;

pub use crate::signal::fuzzing::{signal_msg, signal_pkmsg, signal_skdm, signal_skmsg};
pub use binary::{jid_parse, node_decode};
pub use media::{FUZZ_APPSTATE_KEY, FUZZ_MEDIA_KEY, appstate_value, media_decrypt};
pub use noise::{frame_decode, noise_handshake, noise_handshake_seeds};
pub use pair::{pair_inputs, pair_reply_seed};
pub use proto::proto_handshake;

/// A fuzz entry point: arbitrary bytes in, no panic out.
pub type Entry = fn(&[u8]);

/// Every fuzz target: (name of `fuzz/fuzz_targets/<name>.rs`, entry point).
pub const TARGETS: &[(&str, Entry)] = &[
    ("node_decode", node_decode),
    ("jid_parse", jid_parse),
    ("frame_decode", frame_decode),
    ("noise_handshake", noise_handshake),
    ("proto_handshake", proto_handshake),
    ("media_decrypt", media_decrypt),
    ("appstate_value", appstate_value),
    ("signal_pkmsg", signal_pkmsg),
    ("signal_msg", signal_msg),
    ("signal_skmsg", signal_skmsg),
    ("signal_skdm", signal_skdm),
    ("pair_inputs", pair_inputs),
];
