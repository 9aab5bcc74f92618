//! X3DH key agreement (Marlinspike & Perrin, "The X3DH Key Agreement
//! Protocol", 2016) as Signal v3 runs it:
//!
//! ```text
//! DH1 = DH(IK_A, SPK_B)  DH2 = DH(EK_A, IK_B)  DH3 = DH(EK_A, SPK_B)  [DH4 = DH(EK_A, OPK_B)]
//! rootKey ‖ chainKey = HKDF(0xFF×32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], salt = 0³², "WhisperText", 64)
//! ```
//!
//! `A` is the initiator (its `EK_A` is the pkmsg's base key), `B` the
//! responder. Only the root key is used afterwards: the first chains come
//! from ratchet steps (libsignal does the same).

use zeroize::Zeroize;

use crate::keys::{KeyPair, PublicKey};
use crate::signal::crypto::hkdf;

fn derive_root(dhs: &[[u8; 32]]) -> [u8; 32] {
    let mut secret = [0u8; 32 * 5];
    secret[..32].fill(0xff);
    let mut len = 32;
    for dh in dhs {
        secret[len..len + 32].copy_from_slice(dh);
        len += 32;
    }
    let mut okm: [u8; 64] = hkdf(&secret[..len], None, b"WhisperText");
    secret.zeroize();
    let mut root = [0u8; 32];
    root.copy_from_slice(&okm[..32]);
    okm.zeroize();
    root
}

/// The initiator's root key.
pub(crate) fn initiator_root(
    our_identity: &KeyPair,
    our_base: &KeyPair,
    their_identity: &PublicKey,
    their_signed_pre_key: &PublicKey,
    their_one_time_pre_key: Option<&PublicKey>,
) -> [u8; 32] {
    let mut dhs = [[0u8; 32]; 4];
    dhs[0] = our_identity.agree(their_signed_pre_key);
    dhs[1] = our_base.agree(their_identity);
    dhs[2] = our_base.agree(their_signed_pre_key);
    let n = match their_one_time_pre_key {
        Some(k) => {
            dhs[3] = our_base.agree(k);
            4
        }
        None => 3,
    };
    let root = derive_root(&dhs[..n]);
    dhs.zeroize();
    root
}

/// The responder's root key.
pub(crate) fn responder_root(
    our_identity: &KeyPair,
    our_signed_pre_key: &KeyPair,
    our_one_time_pre_key: Option<&KeyPair>,
    their_identity: &PublicKey,
    their_base: &PublicKey,
) -> [u8; 32] {
    let mut dhs = [[0u8; 32]; 4];
    dhs[0] = our_signed_pre_key.agree(their_identity);
    dhs[1] = our_identity.agree(their_base);
    dhs[2] = our_signed_pre_key.agree(their_base);
    let n = match our_one_time_pre_key {
        Some(k) => {
            dhs[3] = k.agree(their_base);
            4
        }
        None => 3,
    };
    let root = derive_root(&dhs[..n]);
    dhs.zeroize();
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn both_sides_agree_with_and_without_one_time_prekey() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let ika = KeyPair::generate(&mut rng);
        let eka = KeyPair::generate(&mut rng);
        let ikb = KeyPair::generate(&mut rng);
        let spkb = KeyPair::generate(&mut rng);
        let opkb = KeyPair::generate(&mut rng);
        let a4 = initiator_root(&ika, &eka, &ikb.public, &spkb.public, Some(&opkb.public));
        let b4 = responder_root(&ikb, &spkb, Some(&opkb), &ika.public, &eka.public);
        assert_eq!(a4, b4);
        let a3 = initiator_root(&ika, &eka, &ikb.public, &spkb.public, None);
        let b3 = responder_root(&ikb, &spkb, None, &ika.public, &eka.public);
        assert_eq!(a3, b3);
        assert_ne!(a3, a4);
    }
}
