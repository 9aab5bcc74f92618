//! Test values: real keys and Signal records made with `wa_proto`.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::jid::Jid;
use wa_proto::keys::KeyPair;
use wa_proto::signal::{
    LocalIdentity, PreKeyBundle, SenderKeyRecord, SessionRecord, SignedPreKey,
    create_distribution_message, process_prekey_bundle,
};
use wa_session::store::{
    AckLevel, CommitContext, DeviceCredentials, MediaInfo, Store, StoredMessage, WriteBatch,
};

/// A deterministic RNG.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Credentials of a freshly "paired" device.
pub fn device(seed: u64, paired: bool) -> DeviceCredentials {
    let mut r = rng(seed);
    DeviceCredentials {
        noise_key: KeyPair::generate(&mut r),
        identity: LocalIdentity::generate(&mut r),
        adv_secret_key: [seed as u8; 32],
        jid: paired.then(|| Jid::pn("15550001").with_device(7)),
        lid: paired.then(|| Jid::lid("99887766").with_device(7)),
        account: paired.then(|| vec![1, 2, 3, seed as u8]),
        platform: "Chrome".into(),
        push_name: format!("pusher {seed}"),
        business_name: String::new(),
    }
}

/// A session record with a current session whose remote registration id is
/// `registration_id` (a value the tests can read back).
pub fn session_record(seed: u64, registration_id: u32) -> SessionRecord {
    let mut r = rng(seed);
    let alice = LocalIdentity::generate(&mut r);
    let bob = LocalIdentity::generate(&mut r);
    let spk = SignedPreKey::generate(&bob.key_pair, 1, &mut r);
    let mut bundle = PreKeyBundle::new(&bob, &spk, None);
    bundle.registration_id = registration_id;
    let mut rec = SessionRecord::new();
    process_prekey_bundle(&mut rec, &alice, None, &bundle, &mut r).unwrap();
    rec
}

/// Our own sender key for a group.
pub fn sender_key_record(seed: u64) -> SenderKeyRecord {
    let mut rec = SenderKeyRecord::new();
    create_distribution_message(&mut rec, &mut rng(seed)).unwrap();
    rec
}

/// A text message.
pub fn text_message(chat: &Jid, id: &str, ts: i64, from_me: bool, body: &str) -> StoredMessage {
    StoredMessage {
        chat: chat.clone(),
        id: id.into(),
        from_me,
        sender: (!from_me).then(|| chat.clone()),
        timestamp: ts,
        kind: "chat".into(),
        body: Some(body.into()),
        raw: body.as_bytes().to_vec(),
        media: None,
        ack: AckLevel::Pending,
    }
}

/// An image message.
pub fn image_message(chat: &Jid, id: &str, ts: i64) -> StoredMessage {
    StoredMessage {
        kind: "image".into(),
        body: Some("a caption".into()),
        media: Some(MediaInfo {
            mimetype: "image/jpeg".into(),
            direct_path: "/v/t62.7118-24/abc".into(),
            media_key: vec![7; 32],
            file_sha256: vec![1; 32],
            file_enc_sha256: vec![2; 32],
            file_length: 123_456,
            file_name: Some("pic.jpg".into()),
        }),
        ..text_message(chat, id, ts, false, "")
    }
}

/// Creates session `id` and returns its commit context.
pub async fn new_session(store: &dyn Store, id: &str) -> CommitContext {
    store.create_session(id).await.unwrap();
    CommitContext::new(id)
}

/// Commits a batch built by `f`, panicking on error.
pub async fn commit(store: &dyn Store, ctx: &CommitContext, f: impl FnOnce(&mut WriteBatch)) {
    let mut b = WriteBatch::new();
    f(&mut b);
    store.commit(ctx, b).await.unwrap();
}

/// Commits a batch built by `f` and returns the result.
pub async fn try_commit(
    store: &dyn Store,
    ctx: &CommitContext,
    f: impl FnOnce(&mut WriteBatch),
) -> wa_session::Result<()> {
    let mut b = WriteBatch::new();
    f(&mut b);
    store.commit(ctx, b).await
}
