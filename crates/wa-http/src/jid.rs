//! JIDs in the reference's forms: users are `<number>@c.us`, groups
//! `<id>@g.us`. Inputs also accept `@s.whatsapp.net`, `@lid` and bare
//! numbers (`+62 811-...` included: everything but digits is dropped).

use wa_proto::jid::Jid;
use wa_proto::jid::Server;

use crate::error::ApiError;

/// Parses a chat or contact id from a request field.
///
/// # Errors
/// 400 naming `field` when it is empty or not a JID.
pub fn parse(field: &str, s: &str) -> Result<Jid, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ApiError::field(field, "must not be empty"));
    }
    let jid = match s.split_once('@') {
        None => {
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() || s.chars().any(|c| c.is_alphabetic()) {
                return Err(ApiError::field(field, format!("{s:?} is not a chat id")));
            }
            Jid::pn(digits)
        }
        Some((user, "c.us")) => {
            if user.is_empty() || !user.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::field(field, format!("{s:?} is not a chat id")));
            }
            Jid::pn(user)
        }
        Some(_) => Jid::parse(s).map_err(|e| ApiError::field(field, format!("{s:?}: {e}")))?,
    };
    if jid.user.is_empty() {
        return Err(ApiError::field(field, format!("{s:?} is not a chat id")));
    }
    Ok(jid)
}

/// Parses a user (not a group) id.
///
/// # Errors
/// 400 naming `field`.
pub fn parse_user(field: &str, s: &str) -> Result<Jid, ApiError> {
    let j = parse(field, s)?;
    if j.is_group() {
        return Err(ApiError::field(
            field,
            "must be a user id (…@c.us), not a group",
        ));
    }
    Ok(j)
}

/// Parses a group id.
///
/// # Errors
/// 400 naming `field`.
pub fn parse_group(field: &str, s: &str) -> Result<Jid, ApiError> {
    let j = parse(field, s)?;
    if !j.is_group() {
        return Err(ApiError::field(field, "must be a group id (…@g.us)"));
    }
    Ok(j)
}

/// The reference's text form: `<number>@c.us` for phone-number users,
/// `Display` otherwise (`…@g.us`, `…@lid`).
pub fn serialize(j: &Jid) -> String {
    j.to_non_ad().to_c_us()
}

/// The server part as wwebjs names it (`c.us`, `g.us`, `lid`, ...).
pub fn server_name(j: &Jid) -> String {
    match j.server {
        Server::Pn => "c.us".to_owned(),
        ref s => s.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms() {
        for s in ["628111@c.us", "628111@s.whatsapp.net", "+62 8111", "628111"] {
            assert_eq!(
                serialize(&parse("chatId", s).unwrap()),
                "628111@c.us",
                "{s}"
            );
        }
        let g = parse("chatId", "1203630@g.us").unwrap();
        assert!(g.is_group());
        assert_eq!(serialize(&g), "1203630@g.us");
        assert!(parse("chatId", "").is_err());
        assert!(parse("chatId", "abc").is_err());
        assert!(parse("chatId", "x@c.us").is_err());
        let e = parse_group("chatId", "628111@c.us").unwrap_err();
        assert!(e.to_string().starts_with("chatId:"));
    }
}
