//! Group messages: one `skmsg` with our sender key for everyone, and the
//! sender key distribution message, pairwise, for the member devices that
//! do not hold our current key yet.
//!
//! Who holds the key is remembered in memory per group (Baileys keeps the
//! same "sender key memory"); after a restart the key is distributed again
//! once, which receivers treat as a no-op for a chain they already follow.

use std::sync::Arc;

use prost::Message as _;
use wa_proto::proto::wa;
use wa_proto::signal::{
    SenderKeyDistributionMessage, SenderKeyName, create_distribution_message, group_encrypt, pad,
};

use super::encrypt::Encryptor;
use super::lid::address;
use super::plan::Plan;
use crate::client::shared::Shared;
use crate::store::{CiphertextKind, OutboxCiphertext};
use crate::{Error, Result};

/// The `SenderKeyDistributionMessage` content carrying `skdm` for `group`.
pub(crate) fn distribution(
    group: &str,
    skdm: &SenderKeyDistributionMessage,
) -> wa::message::SenderKeyDistributionMessage {
    wa::message::SenderKeyDistributionMessage {
        group_id: Some(group.to_owned()),
        axolotl_sender_key_distribution_message: Some(skdm.serialize()),
    }
}

/// Encrypts `msg` for the group of `plan`. Returns the ciphertexts (the
/// `skmsg` and the pairwise distributions) and the devices (signal address
/// text) that get our key with it.
pub(crate) async fn encrypt_group(
    enc: &mut Encryptor<'_>,
    shared: &Arc<Shared>,
    plan: &Plan,
    msg: &wa::Message,
) -> Result<(Vec<OutboxCiphertext>, Vec<String>)> {
    let group = plan.to.to_string();
    let name = SenderKeyName::new(group.clone(), address(&plan.me));
    let mut record = enc
        .store
        .sender_key(enc.sid, &name)
        .await?
        .unwrap_or_default();
    if !record.is_own() {
        // A new key: nobody holds it yet.
        shared.send.invalidate_group_holders(&group);
    }
    let (skdm, skmsg) = {
        let mut rng = rand::rng();
        let skdm = create_distribution_message(&mut record, &mut rng)?;
        let padded = pad(&msg.encode_to_vec(), &mut rng);
        (skdm, group_encrypt(&mut record, &padded, &mut rng)?)
    };
    enc.batch.put_sender_key(&name, &record);
    let holders = shared.send.sk_holders(&group);
    let distribution = wa::Message {
        sender_key_distribution_message: Some(distribution(&group, &skdm)),
        ..Default::default()
    };
    let skdm_plain = pad(&distribution.encode_to_vec(), &mut rand::rng());
    let mut cts = Vec::new();
    let mut sk_to = Vec::new();
    for d in &plan.recipients {
        let key = address(d).to_string();
        if holders.contains(&key) {
            continue;
        }
        if let Some(c) = enc.encrypt_for(d, &skdm_plain).await? {
            cts.push(c);
            sk_to.push(key);
        }
    }
    if plan.recipients.is_empty() {
        return Err(Error::InvalidValue(format!("{group} has no other members")));
    }
    cts.push(OutboxCiphertext {
        recipient: plan.to.clone(),
        kind: CiphertextKind::SkMsg,
        bytes: skmsg,
    });
    Ok((cts, sk_to))
}
