//! Linking a companion device to an account: the pure cryptography of QR
//! pairing, pairing by code, the ADV signed device identity and the
//! ClientPayload a companion sends at registration and login.
//!
//! Both ends live here so that the companion (`wa-session`) and the
//! simulator's virtual phone and server (`wa-sim`) share one implementation:
//!
//! | step | companion | phone / server |
//! |---|---|---|
//! | registration | [`payload::registration_payload`] | [`payload::ClientHello::parse`] |
//! | QR | [`qr::QrData::encode`] | [`qr::QrData::parse`] |
//! | pairing code | [`code::CompanionCodePairing`] | [`code::PhoneCodePairing`] |
//! | pair-success | [`adv::CompanionPairing::verify`] | [`adv::PhonePairing::sign`] |
//! | messages | [`adv::CompanionPairing::account_bytes`] | [`adv::verify_signed_identity`] |
//! | pair-device-sign | [`adv::CompanionPairing::reply`] | [`adv::PhonePairing::verify_reply`] |
//! | login | [`payload::login_payload`] | [`payload::ClientHello::parse`] |
//! | device lists | [`key_index::KeyIndexList::verify`] | [`key_index::KeyIndexList::sign`] |
//!
//! Nothing here builds binary nodes: functions take and return the byte
//! strings and values that go into node content and attributes, so this
//! module does not depend on the node codec.
//!
//! ## Sources
//! Facts come from Baileys 7.0.0-rc14 (`lib/Utils/validate-connection.js`,
//! `lib/Socket/socket.js` `requestPairingCode`, `lib/Socket/messages-recv.js`
//! `link_code_companion_reg`) and whatsmeow (`pair.go`, `pair-code.go`,
//! `store/clientpayload.go`); `cargo xtask interop pair` runs our code against
//! Baileys in both directions.

pub mod adv;
pub mod code;
pub mod key_index;
pub mod payload;
pub mod qr;

/// Prefix of the account signature message for normal (E2EE) devices:
/// `06 00 ‖ details ‖ companion identity`.
pub const ACCOUNT_SIGNATURE_PREFIX: [u8; 2] = [6, 0];
/// Prefix of the device signature message:
/// `06 01 ‖ details ‖ companion identity ‖ account identity`.
pub const DEVICE_SIGNATURE_PREFIX: [u8; 2] = [6, 1];
/// Prefix of the key index list signature message: `06 02 ‖ details`
/// (WA Web's `ADV_PREFIX_KEY_INDEX_LIST_ACCOUNT_SIGNATURE`).
pub const KEY_INDEX_LIST_SIGNATURE_PREFIX: [u8; 2] = [6, 2];
/// Prefix of the account signature for hosted devices, also put before the
/// HMAC input when the HMAC container's account type is HOSTED.
pub const HOSTED_ACCOUNT_SIGNATURE_PREFIX: [u8; 2] = [6, 5];
/// Prefix of the device signature of hosted devices (verification only;
/// companions always sign with [`DEVICE_SIGNATURE_PREFIX`]).
pub const HOSTED_DEVICE_SIGNATURE_PREFIX: [u8; 2] = [6, 6];

/// Length of the ADV secret shared by companion and phone.
pub const ADV_SECRET_LEN: usize = 32;

/// The 32-byte secret that authenticates pair-success: shown in the QR code,
/// or derived by both sides of pairing by code.
pub type AdvSecret = [u8; ADV_SECRET_LEN];

/// HMAC-SHA256 of `parts` (concatenated) under `key`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hkdf::HmacImpl;
    // `HmacImpl::new_from_slice` is the infallible constructor (HMAC takes
    // keys of any length).
    let mut mac = <hmac::Hmac<sha2::Sha256> as HmacImpl>::new_from_slice(key);
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into()
}

/// `parts` concatenated into one vector.
fn concat(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}
