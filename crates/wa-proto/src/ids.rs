//! Identifiers a client computes: message ids and the participant list hash
//! (`phash`) of group and multi-device sends.
//!
//! ## Message ids
//! WhatsApp Web ids are `3EB0` followed by 18 uppercase hex digits. We use
//! whatsmeow's `GenerateMessageID`: the first 9 bytes of
//! `SHA-256(u64 BE unix seconds ‖ "<user>@c.us" ‖ 16 random bytes)`, where
//! the middle part is left out when the client has no own JID yet.
//! Baileys' `generateMessageIDV2` hashes the same parts laid out in a fixed
//! 44-byte buffer (the user part zero-padded to 20 bytes) and keeps the same
//! 18 hex digits; the receiver treats ids as opaque, so either is valid.
//!
//! ## Participant hash
//! `phash = "2:" + base64(SHA-256(sorted device JIDs concatenated))`,
//! truncated. The two clients differ:
//!
//! * whatsmeow (`participantListHashV2`, our choice): each JID in its AD form
//!   `user.agent:device@server` (agent and device always written, e.g.
//!   `15551234567.0:0@s.whatsapp.net`), then unpadded base64 of the first 6
//!   hash bytes (8 characters);
//! * Baileys (`generateParticipantHashV2`): the JIDs as it prints them
//!   (`15551234567@s.whatsapp.net`, `15551234567:2@s.whatsapp.net`), then the
//!   first 6 characters of the padded base64 of the whole hash. For the same
//!   input strings this is a prefix of whatsmeow's value.
//!
//! [`participant_hash`] hashes the strings it is given; [`ad_jid`] formats a
//! JID the way whatsmeow does.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rand_core::CryptoRng;
use sha2::{Digest as _, Sha256};

/// Prefix of WhatsApp Web message ids.
pub const MESSAGE_ID_PREFIX: &str = "3EB0";

/// A new message id for a message sent at `unix_secs` by the account whose
/// phone-number JID user is `own_user` (`None` before pairing).
pub fn message_id<R: CryptoRng + ?Sized>(
    unix_secs: u64,
    own_user: Option<&str>,
    rng: &mut R,
) -> String {
    let mut random = [0u8; 16];
    rng.fill_bytes(&mut random);
    message_id_with(unix_secs, own_user, &random)
}

/// [`message_id`] with the caller's 16 random bytes (deterministic tests).
pub fn message_id_with(unix_secs: u64, own_user: Option<&str>, random: &[u8; 16]) -> String {
    let mut h = Sha256::new();
    h.update(unix_secs.to_be_bytes());
    if let Some(user) = own_user {
        h.update(user.as_bytes());
        h.update(b"@c.us");
    }
    h.update(random);
    let digest = h.finalize();
    let mut out = String::with_capacity(MESSAGE_ID_PREFIX.len() + 18);
    out.push_str(MESSAGE_ID_PREFIX);
    for b in digest.iter().take(9) {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// The participant list hash of a send to `device_jids` (whatsmeow's rule:
/// pass each JID in AD form, see [`ad_jid`]): `"2:"` and the unpadded base64
/// of the first 6 bytes of SHA-256 over the sorted strings concatenated.
pub fn participant_hash<S: AsRef<str>>(device_jids: &[S]) -> String {
    let mut jids: Vec<&str> = device_jids.iter().map(AsRef::as_ref).collect();
    jids.sort_unstable();
    let mut h = Sha256::new();
    for j in jids {
        h.update(j.as_bytes());
    }
    let digest = h.finalize();
    format!("2:{}", STANDARD_NO_PAD.encode(&digest[..6]))
}

/// A device JID in whatsmeow's AD form: `user.agent:device@server`.
pub fn ad_jid(user: &str, agent: u8, device: u16, server: &str) -> String {
    format!("{user}.{agent}:{device}@{server}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_shape_and_inputs() {
        let id = message_id_with(1_700_000_000, Some("15551234567"), &[7; 16]);
        assert_eq!(id.len(), 22);
        assert!(id.starts_with("3EB0"));
        assert!(
            id[4..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        );
        assert_ne!(
            id,
            message_id_with(1_700_000_001, Some("15551234567"), &[7; 16])
        );
        assert_ne!(id, message_id_with(1_700_000_000, None, &[7; 16]));
        assert_ne!(
            id,
            message_id_with(1_700_000_000, Some("15551234567"), &[8; 16])
        );
    }
}
