//! Message ids in WhatsApp's format.

use sha2::{Digest, Sha256};

/// A new message id as current WhatsApp Web clients make them: `3EB0`
/// followed by 18 upper-case hex digits (22 characters). Ids are hashes of
/// the time, our JID and random bytes (whatsmeow `GenerateMessageID`).
pub fn new_message_id(own_user: &str, now_ms: i64) -> String {
    let mut h = Sha256::new();
    h.update(now_ms.to_be_bytes());
    h.update(own_user.as_bytes());
    h.update(rand::random::<[u8; 16]>());
    let digest = h.finalize();
    let mut id = String::with_capacity(22);
    id.push_str("3EB0");
    for b in digest.iter().take(9) {
        id.push_str(&format!("{b:02X}"));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_whatsapps_shape_and_differ() {
        let a = new_message_id("15550001111", 1);
        let b = new_message_id("15550001111", 1);
        assert_eq!(a.len(), 22);
        assert!(a.starts_with("3EB0"));
        assert!(
            a[4..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        assert_ne!(a, b);
    }
}
