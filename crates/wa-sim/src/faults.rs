//! Fault injection shared by all connections: a delay before every frame
//! the server sends, a probability of silently dropping an outgoing stanza
//! (message, receipt, notification, presence, chatstate, ack; never iq
//! replies or stream control), and dropping every connection at once.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The current fault settings (lock-free; read by every writer).
#[derive(Debug, Default)]
pub struct Faults {
    delay_ms: AtomicU64,
    drop_rate_bits: AtomicU64,
}

/// Fault settings as the control API shows and takes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultSettings {
    /// Delay before each outgoing frame, in milliseconds.
    #[serde(default)]
    pub frame_delay_ms: u64,
    /// Probability (0.0 to 1.0) of dropping an outgoing stanza.
    #[serde(default)]
    pub drop_frame_rate: f64,
}

impl Faults {
    /// The current settings.
    pub fn get(&self) -> FaultSettings {
        FaultSettings {
            frame_delay_ms: self.delay_ms.load(Ordering::Relaxed),
            drop_frame_rate: f64::from_bits(self.drop_rate_bits.load(Ordering::Relaxed)),
        }
    }

    /// Replaces the settings (the rate is clamped to 0..=1).
    pub fn set(&self, s: FaultSettings) {
        let rate = if s.drop_frame_rate.is_finite() {
            s.drop_frame_rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.delay_ms
            .store(s.frame_delay_ms.min(60_000), Ordering::Relaxed);
        self.drop_rate_bits.store(rate.to_bits(), Ordering::Relaxed);
    }

    /// Clears every fault.
    pub fn clear(&self) {
        self.set(FaultSettings::default());
    }
}

/// Whether a stanza with this tag may be dropped by `drop_frame_rate`.
pub fn droppable(tag: &str) -> bool {
    matches!(
        tag,
        "message" | "receipt" | "notification" | "presence" | "chatstate" | "ack"
    )
}
