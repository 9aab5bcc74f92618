//! Conversions between store values and SQLite columns, and the mapping of
//! driver errors to [`crate::Error`].

use rusqlite::ErrorCode;
use wa_proto::jid::Jid;
use wa_proto::keys::{KeyPair, PrivateKey, PublicKey};

use crate::{Error, Result};

/// Maps a driver error: constraint violations become [`Error::Conflict`],
/// everything else [`Error::Database`].
pub(crate) fn db_err(operation: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => Error::Conflict(format!("{operation}: {e}")),
        _ => Error::Database {
            operation,
            message: e.to_string(),
        },
    }
}

/// A JID's stored text.
pub(crate) fn jid_text(jid: &Jid) -> String {
    jid.to_string()
}

/// Parses a stored JID.
pub(crate) fn parse_jid(text: &str) -> Result<Jid> {
    Jid::parse(text).map_err(|e| Error::Corrupt {
        what: "jid",
        reason: e.to_string(),
    })
}

/// Parses an optional stored JID.
pub(crate) fn parse_opt_jid(text: Option<String>) -> Result<Option<Jid>> {
    text.as_deref().map(parse_jid).transpose()
}

/// A `u64` as SQLite's signed 64-bit integer.
pub(crate) fn u64_to_i64(v: u64, what: &str) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::InvalidValue(format!("{what} {v} exceeds i64")))
}

/// A stored integer that must be a `u32`.
pub(crate) fn to_u32(v: i64, what: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Corrupt {
        what,
        reason: format!("{v} is out of range"),
    })
}

/// A stored integer that must be a `u64`.
pub(crate) fn to_u64(v: i64, what: &'static str) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Corrupt {
        what,
        reason: format!("{v} is negative"),
    })
}

/// 32 stored bytes.
pub(crate) fn bytes32(v: &[u8], what: &'static str) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(v).map_err(|_| Error::Corrupt {
        what,
        reason: format!("{} bytes, expected 32", v.len()),
    })
}

/// A key pair from its stored private key.
pub(crate) fn key_pair(private: &[u8], what: &'static str) -> Result<KeyPair> {
    Ok(KeyPair::from_private(PrivateKey::from_bytes(bytes32(
        private, what,
    )?)))
}

/// A stored public key (32 bytes).
pub(crate) fn public_key(v: &[u8], what: &'static str) -> Result<PublicKey> {
    PublicKey::from_bytes(v).map_err(|e| Error::Corrupt {
        what,
        reason: e.to_string(),
    })
}

/// A `wa_proto` decoding error of a stored record.
pub(crate) fn corrupt(what: &'static str) -> impl Fn(wa_proto::Error) -> Error {
    move |e| Error::Corrupt {
        what,
        reason: e.to_string(),
    }
}

/// Escapes `%`, `_` and the escape character itself for `LIKE ... ESCAPE '\'`.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escapes() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn ranges() {
        assert!(u64_to_i64(u64::MAX, "v").is_err());
        assert_eq!(u64_to_i64(7, "v").ok(), Some(7));
        assert!(to_u32(-1, "x").is_err());
        assert!(to_u64(-1, "x").is_err());
        assert!(bytes32(&[0; 31], "k").is_err());
    }
}
