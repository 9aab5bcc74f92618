//! LID addressing. Current clients address a user by their LID once they
//! know it, and keep the Signal session under the LID address: a session
//! made under the phone-number address moves to the LID address (same
//! device) in the same transaction that records the mapping, so nothing is
//! lost and both directions use one ratchet (whatsmeow `migrateSessionStore`
//! / `MigratePNToLID`).

use std::collections::HashMap;

use wa_proto::jid::{Jid, Server};
use wa_proto::signal::{ProtocolAddress, SessionRecord};

use crate::Result;
use crate::store::{Store, WriteBatch};

/// The Signal address of a device JID.
pub(crate) fn address(jid: &Jid) -> ProtocolAddress {
    let a = jid.signal_address();
    ProtocolAddress::new(a.name, a.device)
}

/// Records `pn ↔ lid` (non-AD user JIDs) in `batch` and moves the Signal
/// sessions and identities kept under the phone-number address to the LID
/// address, unless a LID session already exists for that device. `known`
/// is the caller's in-memory view of session records, updated to match.
pub(crate) async fn learn_mapping(
    store: &dyn Store,
    sid: &str,
    pn: &Jid,
    lid: &Jid,
    batch: &mut WriteBatch,
    known: &mut HashMap<ProtocolAddress, Option<SessionRecord>>,
) -> Result<()> {
    if pn.server != Server::Pn || lid.server != Server::Lid {
        return Ok(());
    }
    let (pn, lid) = (pn.to_non_ad(), lid.to_non_ad());
    if store.lid_for_pn(sid, &pn).await?.as_ref() == Some(&lid) {
        return Ok(());
    }
    batch.put_lid_mapping(&lid, &pn);
    let pn_name = pn.signal_address().name;
    let lid_name = lid.signal_address().name;
    let moved = store.signal_sessions_of(sid, &pn_name).await?;
    for (old, record) in moved {
        let new = ProtocolAddress::new(lid_name.clone(), old.device);
        let has_lid = match known.get(&new) {
            Some(r) => r.is_some(),
            None => store.signal_session(sid, &new).await?.is_some(),
        };
        if !has_lid {
            if let Some(identity) = store.identity(sid, &old).await? {
                batch.put_identity(&new, identity);
            }
            batch.put_signal_session(&new, &record);
            known.insert(new, Some(record));
        }
        batch.delete_identity(&old);
        known.insert(old, None);
    }
    batch.delete_signal_sessions_of(&pn_name);
    Ok(())
}

/// The LID form of a phone-number device JID, when the user's LID is
/// known; the JID itself otherwise.
pub(crate) async fn prefer_lid(store: &dyn Store, sid: &str, jid: &Jid) -> Result<Jid> {
    if jid.server != Server::Pn {
        return Ok(jid.clone());
    }
    Ok(match store.lid_for_pn(sid, &jid.to_non_ad()).await? {
        Some(lid) => lid.with_device(jid.device),
        None => jid.clone(),
    })
}
