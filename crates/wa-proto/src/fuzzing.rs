//! Entry points shared by the cargo-fuzz targets in `fuzz/` and the corpus
//! replay test (`tests/fuzz_corpus.rs`), so both exercise exactly the same code.
//!
//! Each function feeds arbitrary bytes to a decoder (and, where it decodes,
//! checks round-trip invariants). They must never panic; a panic is a bug.
//! [`TARGETS`] lists them by the name of their fuzz target.

/// A fuzz entry point: arbitrary bytes in, no panic out.
pub type Entry = fn(&[u8]);

/// Every fuzz target: (name of `fuzz/fuzz_targets/<name>.rs`, entry point).
pub const TARGETS: &[(&str, Entry)] = &[
    ("signal_pkmsg", signal_pkmsg),
    ("signal_msg", signal_msg),
    ("signal_skmsg", signal_skmsg),
    ("signal_skdm", signal_skdm),
];

/// `pkmsg` decode and decrypt (see [`crate::signal::fuzzing`]).
pub fn signal_pkmsg(data: &[u8]) {
    crate::signal::fuzzing::signal_pkmsg(data);
}

/// `msg` decode and decrypt against an established session.
pub fn signal_msg(data: &[u8]) {
    crate::signal::fuzzing::signal_msg(data);
}

/// `skmsg` decode, signature check and decrypt against a sender key.
pub fn signal_skmsg(data: &[u8]) {
    crate::signal::fuzzing::signal_skmsg(data);
}

/// SenderKeyDistributionMessage decode, round trip and processing.
pub fn signal_skdm(data: &[u8]) {
    crate::signal::fuzzing::signal_skdm(data);
}
