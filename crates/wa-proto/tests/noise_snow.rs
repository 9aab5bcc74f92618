//! Differential test against `snow`, an independent Noise implementation:
//! our XX state machine (standard variant) and transport talk to snow's in
//! both roles, with random keys, prologues and payloads.
//!
//! snow runs on a resolver written here from x25519-dalek, aes-gcm (with the
//! standard Noise nonce: 4 zero bytes ‖ 64-bit big-endian counter) and sha2,
//! so none of our Noise code is on its side.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::Digest;
use snow::params::{CipherChoice, DHChoice, HashChoice};
use snow::resolvers::CryptoResolver;
use snow::types::{Cipher, Dh, Hash, Random};
use wa_proto::keys::{KeyPair, PrivateKey};
use wa_proto::noise::Transport;
use wa_proto::noise::xx::{Initiator, Responder, Variant};

struct TestRng(ChaCha20Rng);

impl Random for TestRng {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        self.0.fill_bytes(dest);
        Ok(())
    }
}

#[derive(Default)]
struct X25519 {
    private: [u8; 32],
    public: [u8; 32],
}

impl Dh for X25519 {
    fn name(&self) -> &'static str {
        "25519"
    }
    fn pub_len(&self) -> usize {
        32
    }
    fn priv_len(&self) -> usize {
        32
    }
    fn set(&mut self, privkey: &[u8]) {
        self.private.copy_from_slice(privkey);
        let secret = x25519_dalek::StaticSecret::from(self.private);
        self.public = x25519_dalek::PublicKey::from(&secret).to_bytes();
    }
    fn generate(&mut self, rng: &mut dyn Random) -> Result<(), snow::Error> {
        let mut k = [0u8; 32];
        rng.try_fill_bytes(&mut k)?;
        self.set(&k);
        Ok(())
    }
    fn pubkey(&self) -> &[u8] {
        &self.public
    }
    fn privkey(&self) -> &[u8] {
        &self.private
    }
    fn dh(&self, pubkey: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        // snow passes its MAXDHLEN-sized buffers; the key is the first 32 bytes.
        let their: [u8; 32] = pubkey[..32].try_into().map_err(|_| snow::Error::Dh)?;
        let secret = x25519_dalek::StaticSecret::from(self.private);
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(their));
        out[..32].copy_from_slice(shared.as_bytes());
        Ok(())
    }
}

#[derive(Default)]
struct Sha256(sha2::Sha256);

impl Hash for Sha256 {
    fn name(&self) -> &'static str {
        "SHA256"
    }
    fn block_len(&self) -> usize {
        64
    }
    fn hash_len(&self) -> usize {
        32
    }
    fn reset(&mut self) {
        self.0 = sha2::Sha256::new();
    }
    fn input(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn result(&mut self, out: &mut [u8]) {
        out[..32].copy_from_slice(&self.0.finalize_reset());
    }
}

#[derive(Default)]
struct AesGcm(Option<aes_gcm::Aes256Gcm>);

fn standard_nonce(n: u64) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
    let mut b = [0u8; 12];
    b[4..].copy_from_slice(&n.to_be_bytes());
    b.into()
}

impl Cipher for AesGcm {
    fn name(&self) -> &'static str {
        "AESGCM"
    }
    fn set(&mut self, key: &[u8; 32]) {
        self.0 = Some(aes_gcm::Aes256Gcm::new(key.into()));
    }
    fn encrypt(&self, nonce: u64, authtext: &[u8], plaintext: &[u8], out: &mut [u8]) -> usize {
        let n = plaintext.len();
        out[..n].copy_from_slice(plaintext);
        let tag = self
            .0
            .as_ref()
            .unwrap()
            .encrypt_inout_detached(&standard_nonce(nonce), authtext, (&mut out[..n]).into())
            .unwrap();
        out[n..n + 16].copy_from_slice(&tag);
        n + 16
    }
    fn decrypt(
        &self,
        nonce: u64,
        authtext: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
    ) -> Result<usize, snow::Error> {
        let n = ciphertext
            .len()
            .checked_sub(16)
            .ok_or(snow::Error::Decrypt)?;
        out[..n].copy_from_slice(&ciphertext[..n]);
        let tag: [u8; 16] = ciphertext[n..].try_into().unwrap();
        self.0
            .as_ref()
            .unwrap()
            .decrypt_inout_detached(
                &standard_nonce(nonce),
                authtext,
                (&mut out[..n]).into(),
                &tag.into(),
            )
            .map_err(|_| snow::Error::Decrypt)?;
        Ok(n)
    }
}

struct Resolver(u64);

impl CryptoResolver for Resolver {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        Some(Box::new(TestRng(ChaCha20Rng::seed_from_u64(self.0))))
    }
    fn resolve_dh(&self, choice: &DHChoice) -> Option<Box<dyn Dh>> {
        matches!(choice, DHChoice::Curve25519).then(|| Box::new(X25519::default()) as Box<dyn Dh>)
    }
    fn resolve_hash(&self, choice: &HashChoice) -> Option<Box<dyn Hash>> {
        matches!(choice, HashChoice::SHA256).then(|| Box::new(Sha256::default()) as Box<dyn Hash>)
    }
    fn resolve_cipher(&self, choice: &CipherChoice) -> Option<Box<dyn Cipher>> {
        matches!(choice, CipherChoice::AESGCM)
            .then(|| Box::new(AesGcm::default()) as Box<dyn Cipher>)
    }
}

fn snow_builder<'a>(seed: u64, s: &'a [u8; 32], prologue: &'a [u8]) -> snow::Builder<'a> {
    let params = "Noise_XX_25519_AESGCM_SHA256".parse().unwrap();
    snow::Builder::with_resolver(params, Box::new(Resolver(seed)))
        .local_private_key(s)
        .unwrap()
        .prologue(prologue)
        .unwrap()
}

fn key(rng: &mut ChaCha20Rng) -> ([u8; 32], KeyPair) {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
    (b, KeyPair::from_private(PrivateKey::from_bytes(b)))
}

/// Exchanges `msgs` over the transports, alternating direction; `ours`
/// is our transport, `theirs` snow's.
fn exchange(ours: &mut Transport, theirs: &mut snow::TransportState, msgs: &[Vec<u8>]) {
    let mut buf = vec![0u8; 65_535];
    for (i, m) in msgs.iter().enumerate() {
        if i % 2 == 0 {
            let c = ours.encrypt(m).unwrap();
            let n = theirs.read_message(&c, &mut buf).unwrap();
            assert_eq!(&buf[..n], &m[..]);
        } else {
            let n = theirs.write_message(m, &mut buf).unwrap();
            assert_eq!(ours.decrypt(&buf[..n]).unwrap(), *m);
        }
    }
}

fn payloads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 3..9)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn we_initiate_snow_responds(
        seed in any::<u64>(),
        prologue in prop::collection::vec(any::<u8>(), 0..40),
        msgs in payloads(),
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (_, is) = key(&mut rng);
        let (_, ie) = key(&mut rng);
        let (rs_raw, rs) = key(&mut rng);
        let mut resp = snow_builder(seed ^ 1, &rs_raw, &prologue).build_responder().unwrap();
        let mut buf = vec![0u8; 65_535];

        let init = Initiator::new(Variant::Standard, is.clone(), ie, &prologue);
        let (init, m0) = init.write_message_1(&msgs[0]).unwrap();
        let n = resp.read_message(&m0, &mut buf).unwrap();
        prop_assert_eq!(&buf[..n], &msgs[0][..]);

        let n = resp.write_message(&msgs[1], &mut buf).unwrap();
        let (init, p1) = init.read_message_2(&buf[..n]).unwrap();
        prop_assert_eq!(&p1, &msgs[1]);
        prop_assert_eq!(*init.remote_static(), rs.public);

        let (mut ours, m2) = init.write_message_3(&msgs[2]).unwrap();
        let n = resp.read_message(&m2, &mut buf).unwrap();
        prop_assert_eq!(&buf[..n], &msgs[2][..]);
        prop_assert_eq!(resp.get_remote_static().unwrap(), is.public.as_bytes());
        prop_assert_eq!(&ours.handshake_hash()[..], resp.get_handshake_hash());

        let mut theirs = resp.into_transport_mode().unwrap();
        exchange(&mut ours, &mut theirs, &msgs[3..]);
    }

    #[test]
    fn snow_initiates_we_respond(
        seed in any::<u64>(),
        prologue in prop::collection::vec(any::<u8>(), 0..40),
        msgs in payloads(),
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (is_raw, is) = key(&mut rng);
        let (_, rs) = key(&mut rng);
        let (_, re) = key(&mut rng);
        let mut init = snow_builder(seed ^ 2, &is_raw, &prologue).build_initiator().unwrap();
        let mut buf = vec![0u8; 65_535];

        let n = init.write_message(&msgs[0], &mut buf).unwrap();
        let resp = Responder::new(Variant::Standard, rs.clone(), re, &prologue);
        let (resp, p0) = resp.read_message_1(&buf[..n]).unwrap();
        prop_assert_eq!(&p0, &msgs[0]);

        let (resp, m1) = resp.write_message_2(&msgs[1]).unwrap();
        let n = init.read_message(&m1, &mut buf).unwrap();
        prop_assert_eq!(&buf[..n], &msgs[1][..]);
        prop_assert_eq!(init.get_remote_static().unwrap(), rs.public.as_bytes());

        let n = init.write_message(&msgs[2], &mut buf).unwrap();
        let (mut ours, client_static, p2) = resp.read_message_3(&buf[..n]).unwrap();
        prop_assert_eq!(&p2, &msgs[2]);
        prop_assert_eq!(client_static, is.public);
        prop_assert_eq!(&ours.handshake_hash()[..], init.get_handshake_hash());

        let mut theirs = init.into_transport_mode().unwrap();
        exchange(&mut ours, &mut theirs, &msgs[3..]);
    }
}
