//! Curve25519 keys as WhatsApp and Signal use them: X25519 agreement and
//! XEdDSA signatures made with the same Montgomery key.
//!
//! * A [`PublicKey`] is the 32-byte Montgomery u-coordinate. Signal serializes
//!   it with a `0x05` type prefix (33 bytes, [`PublicKey::serialize`]); binary
//!   nodes carry the raw 32 bytes. [`PublicKey::from_bytes`] accepts both.
//! * A [`PrivateKey`] keeps its 32 bytes as given (libsignal-node stores
//!   unclamped keys); clamping happens when the key is used.
//! * Signatures are 64-byte XEdDSA signatures (Trevor Perrin, "The XEdDSA and
//!   VXEdDSA Signature Schemes", 2016). Signing forces the sign bit of the
//!   derived Edwards key to zero as XEdDSA specifies. Verification also reads
//!   a sign bit from the top bit of the last signature byte, the older
//!   curve25519 signing convention still used by `curve25519-js` (libsignal-node);
//!   for XEdDSA signatures that bit is zero, so both kinds verify.

use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use ed25519_dalek::{Signature, VerifyingKey};
use rand_core::CryptoRng;
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// Type byte Signal puts before a serialized Curve25519 public key.
pub const DJB_TYPE: u8 = 0x05;

/// Length of an XEdDSA signature.
pub const SIGNATURE_LEN: usize = 64;

/// A Curve25519 public key (Montgomery u-coordinate).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; 32]);

/// A Curve25519 private key. Zeroized on drop; `Debug` does not print it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PrivateKey([u8; 32]);

/// A private key with its public key.
#[derive(Clone)]
pub struct KeyPair {
    /// The private half.
    pub private: PrivateKey,
    /// The public half.
    pub public: PublicKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Wraps 32 raw bytes.
    pub const fn from_raw(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses a key given either raw (32 bytes) or Signal-serialized
    /// (33 bytes starting with `0x05`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let raw = match bytes {
            [DJB_TYPE, rest @ ..] if rest.len() == 32 => rest,
            _ if bytes.len() == 32 => bytes,
            _ => {
                return Err(Error::InvalidKey(
                    "public key must be 32 bytes or 0x05 + 32 bytes",
                ));
            }
        };
        let mut key = [0u8; 32];
        key.copy_from_slice(raw);
        Ok(Self(key))
    }

    /// Parses a Signal-serialized key: exactly `0x05` followed by 32 bytes.
    pub fn deserialize(bytes: &[u8]) -> Result<Self> {
        match bytes {
            [DJB_TYPE, rest @ ..] if rest.len() == 32 => Self::from_bytes(rest),
            _ => Err(Error::InvalidKey(
                "serialized public key must be 0x05 + 32 bytes",
            )),
        }
    }

    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The Signal serialization: `0x05 ‖ key`.
    pub fn serialize(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = DJB_TYPE;
        out[1..].copy_from_slice(&self.0);
        out
    }

    /// Verifies an XEdDSA (or legacy curve25519) signature of `message` made
    /// with the private key of `self`. Returns `false` for any malformed input.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = <[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        let mut sig = sig;
        // The sign of the Edwards form of our Montgomery key travels in the
        // otherwise unused top bit of `s` (always 0 for XEdDSA signatures).
        let sign_bit = sig[63] >> 7;
        sig[63] &= 0x7f;
        let Some(edwards) = MontgomeryPoint(self.0).to_edwards(sign_bit) else {
            return false;
        };
        let Ok(verifying) = VerifyingKey::from_bytes(&edwards.compress().to_bytes()) else {
            return false;
        };
        verifying
            .verify_strict(message, &Signature::from_bytes(&sig))
            .is_ok()
    }
}

impl PrivateKey {
    /// Wraps 32 bytes (clamped or not; clamping happens on use).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Draws a fresh private key from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(clamp_integer(bytes))
    }

    /// The bytes as stored.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(MontgomeryPoint::mul_base_clamped(self.0).to_bytes())
    }

    /// X25519 agreement with `their` public key.
    pub fn agree(&self, their: &PublicKey) -> [u8; 32] {
        MontgomeryPoint(their.0).mul_clamped(self.0).to_bytes()
    }

    /// Signs `message` with XEdDSA, using 64 fresh random bytes from `rng`.
    pub fn sign<R: CryptoRng + ?Sized>(&self, message: &[u8], rng: &mut R) -> [u8; SIGNATURE_LEN] {
        let mut nonce = [0u8; 64];
        rng.fill_bytes(&mut nonce);
        let sig = self.sign_with_nonce(message, &nonce);
        nonce.zeroize();
        sig
    }

    /// XEdDSA signing with the caller's 64 random bytes `z` (exposed for
    /// deterministic tests; real callers use [`PrivateKey::sign`]).
    pub fn sign_with_nonce(&self, message: &[u8], z: &[u8; 64]) -> [u8; SIGNATURE_LEN] {
        // calculate_key_pair: a = clamp(k); A = aB; force A's sign bit to 0.
        let mut a = Scalar::from_bytes_mod_order(clamp_integer(self.0));
        let big_a = &a * ED25519_BASEPOINT_TABLE;
        let mut a_bytes = big_a.compress().to_bytes();
        if a_bytes[31] & 0x80 != 0 {
            a = -a;
            a_bytes[31] &= 0x7f;
        }
        // r = hash1(a ‖ M ‖ Z) where hash1(X) = SHA-512(0xFE ‖ 0xFF×31 ‖ X).
        let mut h = Sha512::new();
        h.update([0xfe]);
        h.update([0xff; 31]);
        h.update(a.as_bytes());
        h.update(message);
        h.update(z);
        let r = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let big_r = (&r * ED25519_BASEPOINT_TABLE).compress().to_bytes();
        // h = SHA-512(R ‖ A ‖ M); s = r + h·a.
        let mut h = Sha512::new();
        h.update(big_r);
        h.update(a_bytes);
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let s = r + k * a;
        let mut sig = [0u8; SIGNATURE_LEN];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        a.zeroize();
        sig
    }
}

impl KeyPair {
    /// Generates a key pair from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self::from_private(PrivateKey::generate(rng))
    }

    /// Completes a private key with its public key.
    pub fn from_private(private: PrivateKey) -> Self {
        let public = private.public_key();
        Self { private, public }
    }

    /// X25519 agreement with `their` public key.
    pub fn agree(&self, their: &PublicKey) -> [u8; 32] {
        self.private.agree(their)
    }

    /// XEdDSA signature of `message`.
    pub fn sign<R: CryptoRng + ?Sized>(&self, message: &[u8], rng: &mut R) -> [u8; SIGNATURE_LEN] {
        self.private.sign(message, rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(7)
    }

    #[test]
    fn agreement_is_symmetric() {
        let mut rng = rng();
        let a = KeyPair::generate(&mut rng);
        let b = KeyPair::generate(&mut rng);
        assert_eq!(a.agree(&b.public), b.agree(&a.public));
        assert_ne!(a.agree(&b.public), [0u8; 32]);
    }

    #[test]
    fn sign_and_verify() {
        let mut rng = rng();
        for _ in 0..64 {
            let kp = KeyPair::generate(&mut rng);
            let sig = kp.sign(b"hello", &mut rng);
            assert_eq!(sig[63] & 0x80, 0, "XEdDSA signatures carry sign bit 0");
            assert!(kp.public.verify(b"hello", &sig));
            assert!(!kp.public.verify(b"hellp", &sig));
            let mut bad = sig;
            bad[5] ^= 1;
            assert!(!kp.public.verify(b"hello", &bad));
            let other = KeyPair::generate(&mut rng);
            assert!(!other.public.verify(b"hello", &sig));
            assert!(!kp.public.verify(b"hello", &sig[..63]));
        }
    }

    #[test]
    fn signing_is_randomized() {
        let mut rng = rng();
        let kp = KeyPair::generate(&mut rng);
        assert_ne!(kp.sign(b"m", &mut rng), kp.sign(b"m", &mut rng));
    }

    #[test]
    fn unclamped_private_keys_work() {
        // libsignal-node keeps raw (unclamped) private keys; use must clamp.
        let raw = [0xffu8; 32];
        let kp = KeyPair::from_private(PrivateKey::from_bytes(raw));
        let clamped = KeyPair::from_private(PrivateKey::from_bytes(clamp_integer(raw)));
        assert_eq!(kp.public, clamped.public);
        let sig = kp.sign(b"x", &mut rng());
        assert!(clamped.public.verify(b"x", &sig));
    }

    #[test]
    fn legacy_sign_bit_signatures_verify() {
        // Sign with the Edwards key's own sign (the curve25519-js convention):
        // A = aB without negation, sign bit of A stored in sig[63].
        let mut rng = rng();
        let mut seen_negative = false;
        for _ in 0..32 {
            let kp = KeyPair::generate(&mut rng);
            let a = Scalar::from_bytes_mod_order(clamp_integer(*kp.private.as_bytes()));
            let big_a = (&a * ED25519_BASEPOINT_TABLE).compress().to_bytes();
            let sign = big_a[31] & 0x80;
            seen_negative |= sign != 0;
            let r = Scalar::from_bytes_mod_order([9u8; 32]);
            let big_r = (&r * ED25519_BASEPOINT_TABLE).compress().to_bytes();
            let mut h = Sha512::new();
            h.update(big_r);
            h.update(big_a);
            h.update(b"legacy");
            let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
            let s = r + k * a;
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&big_r);
            sig[32..].copy_from_slice(s.as_bytes());
            sig[63] |= sign;
            assert!(kp.public.verify(b"legacy", &sig));
        }
        assert!(seen_negative);
    }

    #[test]
    fn key_serialization() {
        let kp = KeyPair::generate(&mut rng());
        let ser = kp.public.serialize();
        assert_eq!(ser[0], 5);
        assert_eq!(PublicKey::deserialize(&ser), Ok(kp.public));
        assert_eq!(PublicKey::from_bytes(&ser[1..]), Ok(kp.public));
        assert!(PublicKey::deserialize(&ser[1..]).is_err());
        assert!(PublicKey::from_bytes(&ser[..20]).is_err());
    }
}
