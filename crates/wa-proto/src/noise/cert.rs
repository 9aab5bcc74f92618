//! The server certificate chain sent (encrypted) in `ServerHello.payload`:
//! issuing one ([`CertIssuer`]) and verifying one ([`TrustedRoot`]).
//!
//! A chain is a `CertChain { leaf, intermediate }`; each certificate is
//! `{ details, signature }` where `details` is an encoded
//! `NoiseCertificate.Details { serial, issuerSerial, key, notBefore, notAfter }`
//! and `signature` a 64-byte XEdDSA signature over those exact bytes.
//!
//! Verification follows whatsmeow `verifyServerCert` and fails closed:
//! 1. both certificates present with details and 64-byte signatures, details
//!    decodable with a 32-byte key and a `notAfter`, else
//!    [`Error::CertMalformed`];
//! 2. the intermediate is signed by the trusted root key, else
//!    [`Error::CertUntrustedRoot`] (a different root and a tampered
//!    intermediate signature look the same);
//! 3. the intermediate's `issuerSerial` is the root's serial (0 for
//!    WhatsApp, which Baileys also requires), else
//!    [`Error::CertIssuerMismatch`];
//! 4. the leaf is signed by the intermediate key, else
//!    [`Error::CertBadSignature`];
//! 5. the leaf's `issuerSerial` is the intermediate's `serial`, else
//!    [`Error::CertIssuerMismatch`];
//! 6. the leaf key is the server static key from the handshake, else
//!    [`Error::CertKeyMismatch`];
//! 7. `notBefore ≤ now ≤ notAfter` for both, else [`Error::CertNotYetValid`]
//!    or [`Error::CertExpired`].
//!
//! Missing serials and a missing `notBefore` read as 0, as protobuf defaults
//! do in the other implementations.

use prost::Message;
use rand_core::CryptoRng;

use crate::keys::{KeyPair, PublicKey, SIGNATURE_LEN};
use crate::proto::wa::CertChain;
use crate::proto::wa::cert_chain::NoiseCertificate;
use crate::proto::wa::cert_chain::noise_certificate::Details;
use crate::{Error, Result};

/// WhatsApp's long-term root public key ("WhatsAppLongTerm1"; whatsmeow
/// `WACertPubKey`, Baileys `WA_CERT_DETAILS.PUBLIC_KEY`).
pub const WA_ROOT_PUBLIC_KEY: PublicKey = PublicKey::from_raw([
    0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7, 0x1e, 0xbe, 0x51, 0x64, 0x37,
    0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69, 0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b,
]);

/// Serial of WhatsApp's root: the intermediate's `issuerSerial`
/// (whatsmeow `WACertIssuerSerial`, Baileys `WA_CERT_DETAILS.SERIAL`).
pub const WA_ROOT_SERIAL: u32 = 0;

/// 2100-01-01T00:00:00Z, the default end of validity of issued chains (kept
/// well inside `i64` seconds, which whatsmeow converts to).
pub const DEFAULT_NOT_AFTER: u64 = 4_102_444_800;

/// The decoded details of one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertDetails {
    /// This certificate's serial.
    pub serial: u32,
    /// Serial of the certificate (or root) that signed it.
    pub issuer_serial: u32,
    /// The certified public key.
    pub key: PublicKey,
    /// Start of validity, Unix seconds.
    pub not_before: u64,
    /// End of validity, Unix seconds (inclusive).
    pub not_after: u64,
}

impl CertDetails {
    /// Protobuf encoding (`NoiseCertificate.Details`), the bytes that get
    /// signed. Every field is written, including zeros.
    pub fn encode(&self) -> Vec<u8> {
        Details {
            serial: Some(self.serial),
            issuer_serial: Some(self.issuer_serial),
            key: Some(self.key.as_bytes().to_vec()),
            not_before: Some(self.not_before),
            not_after: Some(self.not_after),
        }
        .encode_to_vec()
    }

    /// Decodes details, requiring a 32-byte key and a `notAfter`.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let d = Details::decode(bytes)
            .map_err(|_| Error::CertMalformed("certificate details do not decode"))?;
        let key = d
            .key
            .as_deref()
            .ok_or(Error::CertMalformed("certificate has no key"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| Error::CertMalformed("certificate key is not 32 bytes"))?;
        Ok(Self {
            serial: d.serial.unwrap_or(0),
            issuer_serial: d.issuer_serial.unwrap_or(0),
            key: PublicKey::from_raw(key),
            not_before: d.not_before.unwrap_or(0),
            not_after: d
                .not_after
                .ok_or(Error::CertMalformed("certificate has no notAfter"))?,
        })
    }

    /// Checks `not_before ≤ now ≤ not_after`; `role` names the certificate
    /// in the error.
    fn check_validity(&self, now: u64, role: &'static str) -> Result<()> {
        if now < self.not_before {
            Err(Error::CertNotYetValid(role))
        } else if now > self.not_after {
            Err(Error::CertExpired(role))
        } else {
            Ok(())
        }
    }
}

/// A chain that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The intermediate certificate (signed by the root).
    pub intermediate: CertDetails,
    /// The leaf certificate (signed by the intermediate; its key is the
    /// server static key).
    pub leaf: CertDetails,
}

/// The root a client trusts when verifying a server's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    key: PublicKey,
    serial: u32,
}

impl Default for TrustedRoot {
    fn default() -> Self {
        Self::whatsapp()
    }
}

/// Takes `details` and a 64-byte `signature` out of one certificate.
fn parts<'a>(
    cert: Option<&'a NoiseCertificate>,
    role: &'static str,
) -> Result<(&'a [u8], &'a [u8])> {
    let missing = Error::CertMalformed(match role {
        "leaf" => "leaf certificate missing or incomplete",
        _ => "intermediate certificate missing or incomplete",
    });
    let cert = cert.ok_or_else(|| missing.clone())?;
    let details = cert.details.as_deref().ok_or_else(|| missing.clone())?;
    let signature = cert.signature.as_deref().ok_or(missing)?;
    if signature.len() != SIGNATURE_LEN {
        return Err(Error::CertMalformed(
            "certificate signature is not 64 bytes",
        ));
    }
    Ok((details, signature))
}

impl TrustedRoot {
    /// WhatsApp's real root ([`WA_ROOT_PUBLIC_KEY`], serial 0).
    pub fn whatsapp() -> Self {
        Self::new(WA_ROOT_PUBLIC_KEY)
    }

    /// A root with `key` and serial 0 (tests, the simulator).
    pub fn new(key: PublicKey) -> Self {
        Self { key, serial: 0 }
    }

    /// Sets the serial the intermediate's `issuerSerial` must carry.
    #[must_use]
    pub fn with_serial(mut self, serial: u32) -> Self {
        self.serial = serial;
        self
    }

    /// The root public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The root serial.
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// Verifies an encoded `CertChain` for a server whose static key is
    /// `server_static`, at `now_unix_secs`. See the module docs for the
    /// checks and their errors.
    pub fn verify(
        &self,
        chain: &[u8],
        server_static: &PublicKey,
        now_unix_secs: u64,
    ) -> Result<VerifiedChain> {
        let chain = CertChain::decode(chain)
            .map_err(|_| Error::CertMalformed("certificate chain does not decode"))?;
        let (int_raw, int_sig) = parts(chain.intermediate.as_ref(), "intermediate")?;
        let (leaf_raw, leaf_sig) = parts(chain.leaf.as_ref(), "leaf")?;
        let intermediate = CertDetails::decode(int_raw)?;
        let leaf = CertDetails::decode(leaf_raw)?;

        if !self.key.verify(int_raw, int_sig) {
            return Err(Error::CertUntrustedRoot);
        }
        if intermediate.issuer_serial != self.serial {
            return Err(Error::CertIssuerMismatch("intermediate"));
        }
        if !intermediate.key.verify(leaf_raw, leaf_sig) {
            return Err(Error::CertBadSignature("leaf"));
        }
        if leaf.issuer_serial != intermediate.serial {
            return Err(Error::CertIssuerMismatch("leaf"));
        }
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            &leaf.key.as_bytes()[..],
            &server_static.as_bytes()[..],
        )) {
            return Err(Error::CertKeyMismatch);
        }
        intermediate.check_validity(now_unix_secs, "intermediate")?;
        leaf.check_validity(now_unix_secs, "leaf")?;
        Ok(VerifiedChain { intermediate, leaf })
    }
}

/// Signs `details` with `issuer`, giving a certificate.
pub fn sign_certificate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    issuer: &KeyPair,
    details: &CertDetails,
) -> NoiseCertificate {
    let raw = details.encode();
    let signature = issuer.sign(&raw, rng);
    NoiseCertificate {
        details: Some(raw),
        signature: Some(signature.to_vec()),
    }
}

/// Serials and validity window of a chain to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSpec {
    /// Serial of the intermediate (the leaf's issuer serial).
    pub intermediate_serial: u32,
    /// Serial of the leaf.
    pub leaf_serial: u32,
    /// Start of validity of both certificates, Unix seconds.
    pub not_before: u64,
    /// End of validity of both certificates, Unix seconds.
    pub not_after: u64,
}

impl Default for ChainSpec {
    /// Serials 1 (intermediate) and 2 (leaf), valid from 0 to
    /// [`DEFAULT_NOT_AFTER`].
    fn default() -> Self {
        Self {
            intermediate_serial: 1,
            leaf_serial: 2,
            not_before: 0,
            not_after: DEFAULT_NOT_AFTER,
        }
    }
}

/// Issues server certificate chains from a root and an intermediate key.
///
/// The chains verify under [`CertIssuer::trusted_root`] with our verifier,
/// whatsmeow's and Baileys' (whose intermediate must carry issuer serial 0).
#[derive(Clone)]
pub struct CertIssuer {
    root: KeyPair,
    root_serial: u32,
    intermediate: KeyPair,
}

impl std::fmt::Debug for CertIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertIssuer")
            .field("root", &self.root.public)
            .field("intermediate", &self.intermediate.public)
            .finish_non_exhaustive()
    }
}

impl CertIssuer {
    /// An issuer with the given root and intermediate key pairs.
    pub fn new(root: KeyPair, intermediate: KeyPair) -> Self {
        Self {
            root,
            root_serial: 0,
            intermediate,
        }
    }

    /// An issuer with fresh random root and intermediate keys.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let root = KeyPair::generate(rng);
        let intermediate = KeyPair::generate(rng);
        Self::new(root, intermediate)
    }

    /// Sets the root serial written as the intermediate's issuer serial
    /// (0 by default, as WhatsApp's).
    #[must_use]
    pub fn with_root_serial(mut self, serial: u32) -> Self {
        self.root_serial = serial;
        self
    }

    /// The root public key clients must trust.
    pub fn root_public(&self) -> PublicKey {
        self.root.public
    }

    /// The [`TrustedRoot`] that accepts this issuer's chains.
    pub fn trusted_root(&self) -> TrustedRoot {
        TrustedRoot::new(self.root.public).with_serial(self.root_serial)
    }

    /// Issues a chain (as the `CertChain` message) certifying `server_static`.
    pub fn issue_chain<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        server_static: &PublicKey,
        spec: &ChainSpec,
    ) -> CertChain {
        let intermediate = CertDetails {
            serial: spec.intermediate_serial,
            issuer_serial: self.root_serial,
            key: self.intermediate.public,
            not_before: spec.not_before,
            not_after: spec.not_after,
        };
        let leaf = CertDetails {
            serial: spec.leaf_serial,
            issuer_serial: spec.intermediate_serial,
            key: *server_static,
            not_before: spec.not_before,
            not_after: spec.not_after,
        };
        CertChain {
            intermediate: Some(sign_certificate(rng, &self.root, &intermediate)),
            leaf: Some(sign_certificate(rng, &self.intermediate, &leaf)),
        }
    }

    /// Issues a chain certifying `server_static`, encoded for
    /// `ServerHello.payload`.
    pub fn issue<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        server_static: &PublicKey,
        spec: &ChainSpec,
    ) -> Vec<u8> {
        self.issue_chain(rng, server_static, spec).encode_to_vec()
    }
}
