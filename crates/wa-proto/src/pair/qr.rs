//! The pairing QR string a companion displays and the phone scans.
//!
//! Current form (Baileys 7 `buildPairingQRData`, whatsmeow `makeQRData`):
//!
//! ```text
//! https://wa.me/settings/linked_devices#REF,NOISE,IDENTITY,ADV,PLATFORM
//! ```
//!
//! * `REF`: one of the refs of the server's `pair-device` iq, as text;
//! * `NOISE`, `IDENTITY`: the companion's Noise static and Signal identity
//!   public keys (32 raw bytes each), standard base64 with padding;
//! * `ADV`: the 32-byte ADV secret, standard base64 with padding;
//! * `PLATFORM`: the companion web client type as text (`1` Chrome, `2` Edge,
//!   `3` Firefox, `4` IE, `5` Opera, `6` Safari, `7` Electron, `8` UWP, `9`
//!   other web client; whatsmeow also uses `c` macOS and `e` Android).
//!
//! Older clients show the bare comma-separated list without the URL prefix
//! and without the platform (`REF,NOISE,IDENTITY,ADV`). [`QrData::parse`]
//! accepts both forms, with or without the platform field.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use crate::keys::PublicKey;
use crate::pair::AdvSecret;
use crate::{Error, Result};

/// The URL prefix of the current QR form.
pub const QR_URL_PREFIX: &str = "https://wa.me/settings/linked_devices#";

/// Longest platform field accepted when parsing.
const MAX_PLATFORM_LEN: usize = 8;

/// Standard alphabet; padding optional on decode (some encoders strip it).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The contents of a pairing QR code.
#[derive(Clone, PartialEq, Eq)]
pub struct QrData {
    /// The server-issued ref (text of a `<ref>` of `pair-device`).
    pub reference: String,
    /// The companion's Noise static public key.
    pub noise_pub: PublicKey,
    /// The companion's Signal identity public key.
    pub identity_pub: PublicKey,
    /// The ADV secret that will authenticate pair-success.
    pub adv_secret: AdvSecret,
    /// The companion platform id (`"1"` for Chrome); `None` in the legacy
    /// four-field form.
    pub platform: Option<String>,
}

impl std::fmt::Debug for QrData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrData")
            .field("reference", &self.reference)
            .field("noise_pub", &self.noise_pub)
            .field("identity_pub", &self.identity_pub)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

impl QrData {
    /// The QR string in the current form (`https://wa.me/...#` and the
    /// comma-separated fields; the platform field only when set).
    pub fn encode(&self) -> String {
        let mut out = String::from(QR_URL_PREFIX);
        out.push_str(&self.encode_fields());
        out
    }

    /// The legacy bare form: the comma-separated fields without the URL.
    pub fn encode_legacy(&self) -> String {
        self.encode_fields()
    }

    fn encode_fields(&self) -> String {
        let mut fields = vec![
            self.reference.clone(),
            STANDARD.encode(self.noise_pub.as_bytes()),
            STANDARD.encode(self.identity_pub.as_bytes()),
            STANDARD.encode(self.adv_secret),
        ];
        if let Some(p) = &self.platform {
            fields.push(p.clone());
        }
        fields.join(",")
    }

    /// Parses a QR string in either form (surrounding whitespace ignored).
    ///
    /// # Errors
    /// [`Error::QrInvalid`] naming the first bad part: wrong number of
    /// fields, empty ref, bad base64, a key or secret that is not 32 bytes,
    /// or a platform field that is not 1 to 8 ASCII alphanumerics.
    pub fn parse(qr: &str) -> Result<Self> {
        let qr = qr.trim();
        let body = match qr.split_once('#') {
            Some((prefix, body)) => {
                if !prefix.starts_with("https://") && !prefix.starts_with("http://") {
                    return Err(Error::QrInvalid("text before '#' is not a URL"));
                }
                body
            }
            None => qr,
        };
        let fields: Vec<&str> = body.split(',').collect();
        let (reference, noise, identity, adv, platform) = match fields.as_slice() {
            [r, n, i, a] => (*r, *n, *i, *a, None),
            [r, n, i, a, p] => (*r, *n, *i, *a, Some(*p)),
            _ => return Err(Error::QrInvalid("expected 4 or 5 comma-separated fields")),
        };
        if reference.is_empty() {
            return Err(Error::QrInvalid("empty ref"));
        }
        if reference.chars().any(char::is_control) {
            return Err(Error::QrInvalid("control character in ref"));
        }
        let platform = match platform {
            None => None,
            Some(p) if valid_platform(p) => Some(p.to_owned()),
            Some(_) => return Err(Error::QrInvalid("platform is not 1-8 ASCII alphanumerics")),
        };
        Ok(Self {
            reference: reference.to_owned(),
            noise_pub: PublicKey::from_raw(decode_32(
                noise,
                "noise key is not base64",
                "noise key is not 32 bytes",
            )?),
            identity_pub: PublicKey::from_raw(decode_32(
                identity,
                "identity key is not base64",
                "identity key is not 32 bytes",
            )?),
            adv_secret: decode_32(
                adv,
                "adv secret is not base64",
                "adv secret is not 32 bytes",
            )?,
            platform,
        })
    }
}

fn valid_platform(p: &str) -> bool {
    !p.is_empty() && p.len() <= MAX_PLATFORM_LEN && p.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Decodes one base64 field that must hold exactly 32 bytes; the messages
/// name the field for each failure.
fn decode_32(field: &str, not_base64: &'static str, not_32: &'static str) -> Result<[u8; 32]> {
    let bytes = LENIENT_BASE64
        .decode(field)
        .map_err(|_| Error::QrInvalid(not_base64))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| Error::QrInvalid(not_32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> QrData {
        QrData {
            reference: "2@abc/DEF+ghi==".to_owned(),
            noise_pub: PublicKey::from_raw([1; 32]),
            identity_pub: PublicKey::from_raw([2; 32]),
            adv_secret: [3; 32],
            platform: Some("1".to_owned()),
        }
    }

    #[test]
    fn round_trips_both_forms() {
        let q = sample();
        let s = q.encode();
        assert!(s.starts_with(QR_URL_PREFIX));
        assert_eq!(s.matches(',').count(), 4);
        assert_eq!(QrData::parse(&s), Ok(q.clone()));
        let legacy = QrData {
            platform: None,
            ..q
        };
        assert_eq!(QrData::parse(&legacy.encode_legacy()), Ok(legacy.clone()));
        assert_eq!(QrData::parse(&legacy.encode()), Ok(legacy));
    }
}
