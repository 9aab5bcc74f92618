//! A record's index: a JSON array of strings naming the action and its
//! target, e.g. `["archive","123@s.whatsapp.net"]` or
//! `["star",chat,msgId,fromMe,participant]` (whatsmeow `appstate/keys.go`
//! constants, Baileys `chatModificationToAppPatch`). Its HMAC identifies the
//! record across patches.

use crate::{Error, Result};

/// Serializes an index the way WhatsApp does (compact JSON).
pub(crate) fn encode(parts: &[String]) -> Vec<u8> {
    serde_json::to_vec(parts).unwrap_or_default()
}

/// Parses an index.
///
/// # Errors
/// [`Error::InvalidValue`] if it is not a JSON array of strings.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<String>> {
    serde_json::from_slice(bytes)
        .map_err(|_| Error::InvalidValue("app-state index is not a JSON array of strings".into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_format() {
        let parts = vec!["archive".to_owned(), "1@s.whatsapp.net".to_owned()];
        let bytes = super::encode(&parts);
        assert_eq!(bytes, br#"["archive","1@s.whatsapp.net"]"#);
        assert_eq!(super::decode(&bytes).unwrap_or_default(), parts);
        assert!(super::decode(b"[1]").is_err());
    }
}
