//! The ClientPayload a companion sends in the Noise handshake's ClientFinish:
//! builders for the companion (registration before pairing, login after) and
//! a parser for the server that tells the two apart and validates them.
//!
//! Defaults follow what Baileys 7.0.0-rc14 sends with its default
//! configuration (`getUserAgent`, `getWebInfo`, `generateRegistrationNode`,
//! `generateLoginNode` in `lib/Utils/validate-connection.js`); `cargo xtask
//! interop pair` checks that our encodings equal Baileys' byte for byte.
//!
//! * Registration: no username, `passive=false`, `pull=false`,
//!   `devicePairingData{eRegid 4B BE, eKeytype 05, eIdent, eSkeyId 3B BE,
//!   eSkeyVal, eSkeySig, buildHash = MD5(version string), deviceProps}`.
//! * Login: `username` (the phone number as an integer), `device`,
//!   `passive=true`, `pull=true`, `lidDbMigrated=false` (whatsmeow sends
//!   `true` and `lc=1`; Baileys neither).

use md5::{Digest as _, Md5};
use prost::Message as _;

use crate::keys::{PublicKey, SIGNATURE_LEN};
use crate::proto::wa::{self, client_payload as cp, device_props};
use crate::{Error, Result};

/// The companion's identity as the payloads describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// WhatsApp Web version (`[2, 3000, 1043857760]` in Baileys rc14).
    pub version: [u32; 3],
    /// Operating system name, Baileys' `browser[0]` (`"Mac OS"`).
    pub os: String,
    /// Browser name, Baileys' `browser[1]` (`"Chrome"`; `"Desktop"` for the
    /// desktop app; containing `"android"` for an Android companion).
    pub browser: String,
    /// Operating system version, Baileys' `browser[2]` (`"14.4.1"`); not sent.
    pub os_version: String,
    /// ISO 3166 country code of the locale (`"US"`).
    pub country_code: String,
    /// ISO 639-1 language of the locale (`"en"`).
    pub language: String,
    /// Push name to announce, if any.
    pub push_name: Option<String>,
    /// Ask the phone for a full history sync (`requireFullSync`; Baileys'
    /// `syncFullHistory`, default true).
    pub sync_full_history: bool,
}

impl Default for ClientConfig {
    /// Baileys 7.0.0-rc14's defaults: version 2.3000.1043857760, browser
    /// `Browsers.macOS('Chrome')`, country US, full history sync on.
    fn default() -> Self {
        Self {
            version: [2, 3000, 1_043_857_760],
            os: "Mac OS".to_owned(),
            browser: "Chrome".to_owned(),
            os_version: "14.4.1".to_owned(),
            country_code: "US".to_owned(),
            language: "en".to_owned(),
            push_name: None,
            sync_full_history: true,
        }
    }
}

impl ClientConfig {
    /// The version as a dotted string (`"2.3000.1043857760"`).
    pub fn version_string(&self) -> String {
        let [a, b, c] = self.version;
        format!("{a}.{b}.{c}")
    }

    /// MD5 of [`ClientConfig::version_string`] (the registration `buildHash`).
    pub fn build_hash(&self) -> [u8; 16] {
        Md5::digest(self.version_string().as_bytes()).into()
    }

    fn is_android(&self) -> bool {
        self.browser.to_lowercase().contains("android")
    }

    /// The companion web client type shown in the QR code and sent as
    /// `companion_platform_id` (Baileys `getCompanionPlatformId`).
    pub fn companion_platform_id(&self) -> &'static str {
        match self.browser.as_str() {
            "Desktop" if self.os == "Windows" => "8",
            "Desktop" => "7",
            "Chrome" => "1",
            "Edge" => "2",
            "Firefox" => "3",
            "IE" => "4",
            "Opera" => "5",
            "Safari" => "6",
            _ => "9",
        }
    }

    /// `companion_platform_display` of pairing by code: `"Chrome (Mac OS)"`.
    pub fn companion_platform_display(&self) -> String {
        format!("{} ({})", self.browser, self.os)
    }

    /// The DeviceProps platform: the browser name's enum value (`ANDROID`
    /// means ANDROID_PHONE), CHROME for unknown names and for UNKNOWN.
    pub fn platform_type(&self) -> device_props::PlatformType {
        let upper = self.browser.to_uppercase();
        if upper == "ANDROID" {
            return device_props::PlatformType::AndroidPhone;
        }
        match device_props::PlatformType::from_str_name(&upper) {
            Some(device_props::PlatformType::Unknown) | None => device_props::PlatformType::Chrome,
            Some(p) => p,
        }
    }

    /// The DeviceProps serialized into the registration payload.
    pub fn device_props(&self) -> wa::DeviceProps {
        wa::DeviceProps {
            os: Some(self.os.clone()),
            version: Some(device_props::AppVersion {
                primary: Some(10),
                secondary: Some(15),
                tertiary: Some(7),
                quaternary: None,
                quinary: None,
            }),
            platform_type: Some(self.platform_type().into()),
            require_full_sync: Some(self.sync_full_history),
            history_sync_config: Some(device_props::HistorySyncConfig {
                storage_quota_mb: Some(10240),
                inline_initial_payload_in_e2_ee_msg: Some(true),
                support_call_log_history: Some(false),
                support_bot_user_agent_chat_history: Some(true),
                support_cag_reactions_and_polls: Some(true),
                support_biz_hosted_msg: Some(true),
                support_recent_sync_chunk_message_count_tuning: Some(true),
                support_hosted_group_msg: Some(true),
                support_fbid_bot_chat_history: Some(true),
                support_message_association: Some(true),
                support_group_history: Some(false),
                ..Default::default()
            }),
        }
    }

    /// The fields common to registration and login.
    fn base_payload(&self) -> wa::ClientPayload {
        let android = self.is_android();
        let user_agent = cp::UserAgent {
            platform: Some(
                if android {
                    cp::user_agent::Platform::Android
                } else {
                    cp::user_agent::Platform::Web
                }
                .into(),
            ),
            app_version: Some(cp::user_agent::AppVersion {
                primary: Some(self.version[0]),
                secondary: Some(self.version[1]),
                tertiary: Some(self.version[2]),
                quaternary: None,
                quinary: None,
            }),
            mcc: Some("000".to_owned()),
            mnc: Some("000".to_owned()),
            os_version: Some("0.1".to_owned()),
            device: Some("Desktop".to_owned()),
            os_build_number: Some("0.1".to_owned()),
            release_channel: Some(cp::user_agent::ReleaseChannel::Release.into()),
            locale_language_iso6391: Some(self.language.clone()),
            locale_country_iso31661_alpha2: Some(self.country_code.clone()),
            ..Default::default()
        };
        let web_info = (!android).then(|| {
            let sub = match (
                self.sync_full_history,
                self.browser.as_str(),
                self.os.as_str(),
            ) {
                (true, "Desktop", "Mac OS") => cp::web_info::WebSubPlatform::Darwin,
                (true, "Desktop", "Windows") => cp::web_info::WebSubPlatform::Win32,
                _ => cp::web_info::WebSubPlatform::WebBrowser,
            };
            cp::WebInfo {
                web_sub_platform: Some(sub.into()),
                ..Default::default()
            }
        });
        wa::ClientPayload {
            user_agent: Some(user_agent),
            web_info,
            push_name: self.push_name.clone(),
            connect_type: Some(cp::ConnectType::WifiUnknown.into()),
            connect_reason: Some(cp::ConnectReason::UserActivated.into()),
            ..Default::default()
        }
    }
}

/// The Signal keys a new companion registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationKeys {
    /// Signal registration id (Baileys draws 14 bits).
    pub registration_id: u32,
    /// Identity public key.
    pub identity: PublicKey,
    /// Signed prekey id (sent as 3 bytes: only the low 24 bits count).
    pub signed_prekey_id: u32,
    /// Signed prekey public key.
    pub signed_prekey: PublicKey,
    /// XEdDSA signature by the identity key over `05 ‖ signed prekey`.
    pub signed_prekey_signature: [u8; SIGNATURE_LEN],
}

/// The registration payload of a not yet paired companion.
pub fn registration_payload(config: &ClientConfig, keys: &RegistrationKeys) -> wa::ClientPayload {
    let skey_id = keys.signed_prekey_id.to_be_bytes();
    wa::ClientPayload {
        passive: Some(false),
        pull: Some(false),
        device_pairing_data: Some(cp::DevicePairingRegistrationData {
            e_regid: Some(keys.registration_id.to_be_bytes().to_vec()),
            e_keytype: Some(vec![crate::keys::DJB_TYPE]),
            e_ident: Some(keys.identity.as_bytes().to_vec()),
            e_skey_id: Some(skey_id[1..].to_vec()),
            e_skey_val: Some(keys.signed_prekey.as_bytes().to_vec()),
            e_skey_sig: Some(keys.signed_prekey_signature.to_vec()),
            build_hash: Some(config.build_hash().to_vec()),
            device_props: Some(config.device_props().encode_to_vec()),
        }),
        ..config.base_payload()
    }
}

/// The login payload of a paired companion: `user` is the digits of its
/// phone-number JID user, `device` its device number.
///
/// # Errors
/// [`Error::ClientPayloadInvalid`] if `user` is not a decimal number that
/// fits in a u64.
pub fn login_payload(config: &ClientConfig, user: &str, device: u32) -> Result<wa::ClientPayload> {
    let username = parse_user(user)?;
    Ok(wa::ClientPayload {
        username: Some(username),
        device: Some(device),
        passive: Some(true),
        pull: Some(true),
        lid_db_migrated: Some(false),
        ..config.base_payload()
    })
}

fn parse_user(user: &str) -> Result<u64> {
    if user.is_empty() || !user.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::ClientPayloadInvalid("user is not a phone number"));
    }
    user.parse()
        .map_err(|_| Error::ClientPayloadInvalid("phone number does not fit in 64 bits"))
}

/// A received ClientPayload, classified and validated (server side).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientHello {
    /// A new companion asks to be paired (has `devicePairingData`).
    Registration(Box<Registration>),
    /// A paired companion logs in.
    Login(Login),
}

/// The registration data of a new companion.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// The Signal keys, signature verified.
    pub keys: RegistrationKeys,
    /// `buildHash` (16 bytes) if sent.
    pub build_hash: Option<[u8; 16]>,
    /// The decoded DeviceProps, if sent.
    pub device_props: Option<wa::DeviceProps>,
    /// `pushName`, if sent.
    pub push_name: Option<String>,
}

/// The identity a companion logs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The account's phone number (user part of its JID) as an integer.
    pub username: u64,
    /// The companion's device number.
    pub device: u32,
    /// `passive` (true at login: the client activates itself later).
    pub passive: bool,
    /// `pushName`, if sent.
    pub push_name: Option<String>,
}

impl ClientHello {
    /// Decodes and classifies the ClientFinish payload.
    ///
    /// # Errors
    /// [`Error::ClientPayloadInvalid`] if it does not decode or fails
    /// [`ClientHello::from_payload`].
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let payload = wa::ClientPayload::decode(bytes)
            .map_err(|_| Error::ClientPayloadInvalid("not a ClientPayload"))?;
        Self::from_payload(&payload)
    }

    /// Classifies a payload: `devicePairingData` present means registration
    /// (whose fields must have their exact lengths, key type 05, and a valid
    /// signed-prekey signature); otherwise a login, which needs `username`
    /// and `device`.
    ///
    /// # Errors
    /// [`Error::ClientPayloadInvalid`] naming the first bad field.
    pub fn from_payload(payload: &wa::ClientPayload) -> Result<Self> {
        let push_name = payload.push_name.clone();
        if let Some(d) = &payload.device_pairing_data {
            return Ok(Self::Registration(Box::new(parse_registration(
                d, push_name,
            )?)));
        }
        let username = payload
            .username
            .ok_or(Error::ClientPayloadInvalid("login without username"))?;
        let device = payload
            .device
            .ok_or(Error::ClientPayloadInvalid("login without device"))?;
        Ok(Self::Login(Login {
            username,
            device,
            passive: payload.passive(),
            push_name,
        }))
    }
}

fn parse_registration(
    d: &cp::DevicePairingRegistrationData,
    push_name: Option<String>,
) -> Result<Registration> {
    let invalid = Error::ClientPayloadInvalid;
    let regid: [u8; 4] = fixed(d.e_regid.as_deref(), "eRegid is not 4 bytes")?;
    if d.e_keytype.as_deref() != Some(&[crate::keys::DJB_TYPE][..]) {
        return Err(invalid("eKeytype is not 05"));
    }
    let identity = d
        .e_ident
        .as_deref()
        .and_then(|k| PublicKey::from_bytes(k).ok())
        .ok_or(invalid("eIdent is not a 32-byte key"))?;
    let skey_id: [u8; 3] = fixed(d.e_skey_id.as_deref(), "eSkeyId is not 3 bytes")?;
    let signed_prekey = d
        .e_skey_val
        .as_deref()
        .and_then(|k| PublicKey::from_bytes(k).ok())
        .ok_or(invalid("eSkeyVal is not a 32-byte key"))?;
    let signature: [u8; SIGNATURE_LEN] =
        fixed(d.e_skey_sig.as_deref(), "eSkeySig is not 64 bytes")?;
    if !identity.verify(&signed_prekey.serialize(), &signature) {
        return Err(invalid("eSkeySig does not verify"));
    }
    let build_hash = match d.build_hash.as_deref() {
        None => None,
        Some(h) => Some(fixed(Some(h), "buildHash is not 16 bytes")?),
    };
    let device_props = match d.device_props.as_deref() {
        None => None,
        Some(p) => {
            Some(wa::DeviceProps::decode(p).map_err(|_| invalid("deviceProps does not decode"))?)
        }
    };
    let [a, b, c] = skey_id;
    Ok(Registration {
        keys: RegistrationKeys {
            registration_id: u32::from_be_bytes(regid),
            identity,
            signed_prekey_id: u32::from_be_bytes([0, a, b, c]),
            signed_prekey,
            signed_prekey_signature: signature,
        },
        build_hash,
        device_props,
        push_name,
    })
}

/// `bytes` as an exact-length array, or [`Error::ClientPayloadInvalid`].
fn fixed<const N: usize>(bytes: Option<&[u8]>, what: &'static str) -> Result<[u8; N]> {
    bytes
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or(Error::ClientPayloadInvalid(what))
}
