//! Tunables of a client: timeouts, keepalive, reconnect backoff, prekeys.

use std::time::Duration;

/// Runtime options with production defaults ([`Options::default`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// Time allowed for the TCP connect, websocket upgrade and Noise
    /// handshake together.
    pub connect_timeout: Duration,
    /// Default timeout of an IQ request.
    pub iq_timeout: Duration,
    /// Interval between keepalive pings.
    pub keepalive_interval: Duration,
    /// A connection from which nothing arrived for `keepalive_interval +
    /// keepalive_grace` is considered dead.
    pub keepalive_grace: Duration,
    /// Reconnect backoff.
    pub backoff: Backoff,
    /// Upload prekeys when the server holds fewer than this many.
    pub min_prekeys: u32,
    /// How many prekeys one upload carries.
    pub prekey_batch: u32,
    /// How long to wait for the end-of-offline marker before reporting
    /// `Connected` anyway.
    pub offline_timeout: Duration,
    /// How long the first QR code stays valid.
    pub qr_first: Duration,
    /// How long each later QR code stays valid.
    pub qr_next: Duration,
    /// HTTP `CONNECT` proxy to reach the server through
    /// (`http://[user:password@]host:port`), if any.
    pub proxy: Option<String>,
    /// An extra CA certificate (PEM, one or more) trusted for media HTTPS
    /// besides the public web roots, e.g. a test server's own CA.
    pub media_ca_pem: Option<String>,
    /// Media transfers: the limit for connecting and receiving the response
    /// head, and the longest pause between two pieces of a body.
    pub media_timeout: Duration,
    /// Largest media file (encrypted bytes) uploaded or downloaded.
    pub media_max_bytes: u64,
    /// How many outbox messages one send round encrypts, writes and awaits
    /// acks for together.
    pub send_window: u32,
    /// Pause between two message stanzas of one session (pacing; zero sends
    /// as fast as the server acks).
    pub send_interval: Duration,
    /// How long to wait for the server's ack of a message stanza before
    /// writing it again.
    pub send_ack_timeout: Duration,
    /// How long [`crate::Client::send_message`] waits for the server's ack
    /// before returning [`crate::Error::Timeout`] (the message stays queued
    /// and is still sent).
    pub send_timeout: Duration,
}

impl Default for Options {
    /// QR codes valid 60 s then 20 s each (Baileys' `qrTimeout` handling),
    /// no proxy. Keepalive every 25 s with a 20 s grace (whatsmeow pings every
    /// 20–30 s), IQs time out after 75 s (whatsmeow's default), prekeys
    /// topped up below 5 with batches of 50 (whatsmeow's `MinPreKeyCount`
    /// and `WantedPreKeyCount`). Sends are not paced; a message's ack is
    /// awaited 20 s before it is written again, and `send_message` waits up
    /// to 60 s. Media transfers: 60 s timeouts, files up to 256 MiB.
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(20),
            iq_timeout: Duration::from_secs(75),
            keepalive_interval: Duration::from_secs(25),
            keepalive_grace: Duration::from_secs(20),
            backoff: Backoff::default(),
            min_prekeys: 5,
            prekey_batch: 50,
            offline_timeout: Duration::from_secs(10),
            qr_first: Duration::from_secs(60),
            qr_next: Duration::from_secs(20),
            proxy: None,
            media_ca_pem: None,
            media_timeout: Duration::from_secs(60),
            media_max_bytes: 256 << 20,
            send_window: 64,
            send_interval: Duration::ZERO,
            send_ack_timeout: Duration::from_secs(20),
            send_timeout: Duration::from_secs(60),
        }
    }
}

/// Exponential reconnect backoff with full jitter in `[delay/2, delay]`.
///
/// The cap is low on purpose: a connection attempt costs one TCP + Noise
/// handshake, and a gateway must be back within seconds once the network
/// is; the jitter spreads the reconnects of many sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failure.
    pub initial: Duration,
    /// Upper bound of the delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(3),
        }
    }
}

impl Backoff {
    /// The delay before attempt `failures + 1`, with `unit` in `[0, 1)`
    /// choosing the jittered point.
    pub fn delay(&self, failures: u32, unit: f64) -> Duration {
        let exp = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
        let full = self.initial.saturating_mul(exp).min(self.max);
        let unit = unit.clamp(0.0, 1.0);
        full.mul_f64(0.5 + unit / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_with_jitter() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 1.0), Duration::from_millis(250));
        assert_eq!(b.delay(2, 1.0), Duration::from_millis(500));
        assert_eq!(b.delay(3, 0.0), Duration::from_millis(500));
        assert_eq!(b.delay(10, 1.0), Duration::from_secs(3));
        assert_eq!(b.delay(u32::MAX, 1.0), Duration::from_secs(3));
        assert!(b.delay(4, 0.5) >= Duration::from_millis(1000));
    }
}
