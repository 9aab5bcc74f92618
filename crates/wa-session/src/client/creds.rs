//! A fresh companion's keys, created once per session before its first
//! connection and committed in one batch (credentials, signed prekey and a
//! first batch of one-time prekeys).

use wa_proto::keys::KeyPair;
use wa_proto::pair::payload::RegistrationKeys;
use wa_proto::signal::{LocalIdentity, PreKey, SignedPreKey};

use crate::Result;
use crate::store::{CommitContext, DeviceCredentials, Store, WriteBatch};

/// Loads the session's credentials and current signed prekey, creating and
/// committing new ones if the session has none yet.
pub(crate) async fn load_or_create(
    store: &dyn Store,
    ctx: &CommitContext,
    platform: &str,
    prekeys: u32,
) -> Result<(DeviceCredentials, SignedPreKey)> {
    let sid = ctx.session_id();
    if let (Some(creds), Some(signed)) = (
        store.device(sid).await?,
        store.latest_signed_prekey(sid).await?,
    ) {
        return Ok((creds, signed));
    }
    let mut rng: rand::rngs::StdRng = rand::make_rng();
    let identity = LocalIdentity::generate(&mut rng);
    let signed = SignedPreKey::generate(&identity.key_pair, 1, &mut rng);
    let mut adv = [0u8; 32];
    rand::Rng::fill_bytes(&mut rng, &mut adv);
    let creds = DeviceCredentials {
        noise_key: KeyPair::generate(&mut rng),
        identity,
        adv_secret_key: adv,
        jid: None,
        lid: None,
        account: None,
        platform: platform.to_owned(),
        push_name: String::new(),
        business_name: String::new(),
    };
    let ids = store.allocate_prekey_ids(ctx, prekeys).await?;
    let keys: Vec<PreKey> = ids
        .into_iter()
        .map(|id| PreKey::generate(id, &mut rng))
        .collect();
    let mut batch = WriteBatch::new();
    batch
        .put_device(creds.clone())
        .put_signed_prekey(signed.clone())
        .put_prekeys(keys);
    store.commit(ctx, batch).await?;
    Ok((creds, signed))
}

/// The public keys a registration payload announces.
pub(crate) fn registration_keys(
    creds: &DeviceCredentials,
    signed: &SignedPreKey,
) -> RegistrationKeys {
    RegistrationKeys {
        registration_id: creds.identity.registration_id,
        identity: creds.identity.key_pair.public,
        signed_prekey_id: signed.id,
        signed_prekey: signed.key_pair.public,
        signed_prekey_signature: signed.signature,
    }
}
