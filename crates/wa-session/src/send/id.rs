//! Message ids in WhatsApp's format (`3EB0` and 18 upper-case hex digits,
//! [`wa_proto::ids::message_id`]).

/// A new message id for a message sent now by the account whose
/// phone-number user is `own_user`.
pub fn new_message_id(own_user: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    wa_proto::ids::message_id(secs, Some(own_user), &mut rand::rng())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_whatsapps_shape_and_differ() {
        let a = new_message_id("15550001111");
        let b = new_message_id("15550001111");
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
