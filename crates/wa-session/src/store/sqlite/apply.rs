//! Applying [`WriteOp`]s to SQLite, inside the writer's transaction.
//!
//! Every function here runs on the writer thread within a savepoint; an
//! error rolls the whole batch back (see `writer`).

use rusqlite::{Connection, Params, params};

use super::codec::{db_err, jid_text, u64_to_i64};
use crate::store::outbox::OutboxState;
use crate::store::{MAX_PREKEY_ID, UnreadUpdate, WriteOp};
use crate::{Error, Result};

/// Tables holding per-session data, in an order that is safe for deletes.
pub const SESSION_TABLES: &[&str] = &[
    "device",
    "signal_sessions",
    "identities",
    "prekeys",
    "signed_prekeys",
    "sender_keys",
    "app_state_sync_keys",
    "app_state_versions",
    "app_state_mutation_macs",
    "contacts",
    "chat_labels",
    "chats",
    "labels",
    "messages",
    "outbox_ciphertexts",
    "outbox",
    "lid_map",
    "event_buffer",
];

/// Runs one cached statement.
pub(crate) fn exec<P: Params>(
    conn: &Connection,
    op: &'static str,
    sql: &str,
    p: P,
) -> Result<usize> {
    conn.prepare_cached(sql)
        .and_then(|mut st| st.execute(p))
        .map_err(db_err(op))
}

/// Fails with [`Error::SessionNotFound`] unless `sid` is registered.
pub(crate) fn require_session(conn: &Connection, sid: &str) -> Result<()> {
    let mut st = conn
        .prepare_cached("SELECT 1 FROM sessions WHERE session_id = ?1")
        .map_err(db_err("commit"))?;
    if st.exists([sid]).map_err(db_err("commit"))? {
        Ok(())
    } else {
        Err(Error::SessionNotFound(sid.to_owned()))
    }
}

/// Allocates `count` prekey ids for `sid` (see `Store::allocate_prekey_ids`).
pub(crate) fn allocate_prekey_ids(conn: &Connection, sid: &str, count: u32) -> Result<Vec<u32>> {
    if count > MAX_PREKEY_ID {
        return Err(Error::InvalidValue(format!(
            "cannot allocate {count} prekey ids at once"
        )));
    }
    let op = "allocate_prekey_ids";
    let next: i64 = conn
        .prepare_cached("SELECT next_prekey_id FROM sessions WHERE session_id = ?1")
        .and_then(|mut st| st.query_row([sid], |r| r.get(0)))
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::SessionNotFound(sid.to_owned()),
            e => db_err(op)(e),
        })?;
    let start = u32::try_from(next)
        .ok()
        .filter(|n| (1..=MAX_PREKEY_ID).contains(n))
        .unwrap_or(1);
    let step = |i: u32| (start - 1 + i) % MAX_PREKEY_ID + 1;
    let ids: Vec<u32> = (0..count).map(step).collect();
    exec(
        conn,
        op,
        "UPDATE sessions SET next_prekey_id = ?2 WHERE session_id = ?1",
        params![sid, step(count)],
    )?;
    Ok(ids)
}

/// Applies one operation for session `sid`.
pub(crate) fn apply(conn: &Connection, sid: &str, op: &WriteOp) -> Result<()> {
    let name = op.name();
    match op {
        WriteOp::PutDevice(d) => {
            exec(
                conn,
                name,
                "INSERT INTO device (session_id, noise_private, identity_private, registration_id,
                    adv_secret_key, jid, lid, account, platform, push_name, business_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (session_id) DO UPDATE SET
                    noise_private = excluded.noise_private,
                    identity_private = excluded.identity_private,
                    registration_id = excluded.registration_id,
                    adv_secret_key = excluded.adv_secret_key,
                    jid = excluded.jid, lid = excluded.lid, account = excluded.account,
                    platform = excluded.platform, push_name = excluded.push_name,
                    business_name = excluded.business_name",
                params![
                    sid,
                    d.noise_key.private.as_bytes(),
                    d.identity.key_pair.private.as_bytes(),
                    d.identity.registration_id,
                    d.adv_secret_key,
                    d.jid.as_ref().map(jid_text),
                    d.lid.as_ref().map(jid_text),
                    d.account,
                    d.platform,
                    d.push_name,
                    d.business_name,
                ],
            )?;
        }
        WriteOp::ResetAccount => {
            for table in SESSION_TABLES {
                let sql = format!("DELETE FROM {table} WHERE session_id = ?1");
                exec(conn, name, &sql, [sid])?;
            }
        }
        WriteOp::PutSignalSession { address, record } => {
            exec(
                conn,
                name,
                "INSERT INTO signal_sessions (session_id, their_name, their_device, record)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, their_name, their_device) DO UPDATE SET record = excluded.record",
                params![sid, address.name, address.device, record],
            )?;
        }
        WriteOp::DeleteSignalSession(a) => {
            exec(
                conn,
                name,
                "DELETE FROM signal_sessions WHERE session_id = ?1 AND their_name = ?2 AND their_device = ?3",
                params![sid, a.name, a.device],
            )?;
        }
        WriteOp::DeleteSignalSessionsOf(user) => {
            exec(
                conn,
                name,
                "DELETE FROM signal_sessions WHERE session_id = ?1 AND their_name = ?2",
                params![sid, user],
            )?;
        }
        WriteOp::PutIdentity { address, key } => {
            exec(
                conn,
                name,
                "INSERT INTO identities (session_id, their_name, their_device, identity_key)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, their_name, their_device) DO UPDATE SET identity_key = excluded.identity_key",
                params![sid, address.name, address.device, key.as_bytes()],
            )?;
        }
        WriteOp::DeleteIdentity(a) => {
            exec(
                conn,
                name,
                "DELETE FROM identities WHERE session_id = ?1 AND their_name = ?2 AND their_device = ?3",
                params![sid, a.name, a.device],
            )?;
        }
        WriteOp::PutPreKeys(keys) => {
            for k in keys {
                if !(1..=MAX_PREKEY_ID).contains(&k.id) {
                    return Err(Error::InvalidValue(format!("prekey id {}", k.id)));
                }
                exec(
                    conn,
                    name,
                    "INSERT INTO prekeys (session_id, key_id, private_key, uploaded) VALUES (?1, ?2, ?3, 0)
                     ON CONFLICT (session_id, key_id) DO UPDATE SET private_key = excluded.private_key, uploaded = 0",
                    params![sid, k.id, k.key_pair.private.as_bytes()],
                )?;
            }
        }
        WriteOp::MarkPreKeysUploaded(ids) => {
            for id in ids {
                exec(
                    conn,
                    name,
                    "UPDATE prekeys SET uploaded = 1 WHERE session_id = ?1 AND key_id = ?2",
                    params![sid, id],
                )?;
            }
        }
        WriteOp::RemovePreKey(id) => {
            exec(
                conn,
                name,
                "DELETE FROM prekeys WHERE session_id = ?1 AND key_id = ?2",
                params![sid, id],
            )?;
        }
        WriteOp::PutSignedPreKey(k) => {
            exec(
                conn,
                name,
                "INSERT INTO signed_prekeys (session_id, key_id, private_key, signature) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, key_id) DO UPDATE SET
                    private_key = excluded.private_key, signature = excluded.signature",
                params![sid, k.id, k.key_pair.private.as_bytes(), &k.signature[..]],
            )?;
        }
        WriteOp::PutSenderKey { name: key, record } => {
            exec(
                conn,
                name,
                "INSERT INTO sender_keys (session_id, group_id, sender_name, sender_device, record)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (session_id, group_id, sender_name, sender_device) DO UPDATE SET record = excluded.record",
                params![sid, key.group, key.sender.name, key.sender.device, record],
            )?;
        }
        WriteOp::DeleteSenderKey(key) => {
            exec(
                conn,
                name,
                "DELETE FROM sender_keys
                 WHERE session_id = ?1 AND group_id = ?2 AND sender_name = ?3 AND sender_device = ?4",
                params![sid, key.group, key.sender.name, key.sender.device],
            )?;
        }
        WriteOp::PutAppStateSyncKey(k) => {
            exec(
                conn,
                name,
                "INSERT INTO app_state_sync_keys (session_id, key_id, key_data, fingerprint, timestamp)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (session_id, key_id) DO UPDATE SET key_data = excluded.key_data,
                    fingerprint = excluded.fingerprint, timestamp = excluded.timestamp",
                params![sid, k.key_id, k.key_data, k.fingerprint, k.timestamp],
            )?;
        }
        WriteOp::PutAppStateVersion {
            collection,
            version,
            hash,
        } => {
            exec(
                conn,
                name,
                "INSERT INTO app_state_versions (session_id, collection, version, hash) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, collection) DO UPDATE SET
                    version = excluded.version, hash = excluded.hash",
                params![
                    sid,
                    collection,
                    u64_to_i64(*version, "app-state version")?,
                    &hash.as_bytes()[..]
                ],
            )?;
        }
        WriteOp::PutAppStateMutationMacs {
            collection,
            version,
            macs,
        } => {
            let version = u64_to_i64(*version, "app-state version")?;
            for m in macs {
                exec(
                    conn,
                    name,
                    "INSERT INTO app_state_mutation_macs (session_id, collection, index_mac, value_mac, version)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (session_id, collection, index_mac) DO UPDATE SET
                        value_mac = excluded.value_mac, version = excluded.version",
                    params![sid, collection, m.index_mac, m.value_mac, version],
                )?;
            }
        }
        WriteOp::DeleteAppStateMutationMacs {
            collection,
            index_macs,
        } => {
            for m in index_macs {
                exec(
                    conn,
                    name,
                    "DELETE FROM app_state_mutation_macs
                     WHERE session_id = ?1 AND collection = ?2 AND index_mac = ?3",
                    params![sid, collection, m],
                )?;
            }
        }
        WriteOp::DeleteAppStateCollection(collection) => {
            for table in ["app_state_versions", "app_state_mutation_macs"] {
                let sql = format!("DELETE FROM {table} WHERE session_id = ?1 AND collection = ?2");
                exec(conn, name, &sql, params![sid, collection])?;
            }
        }
        other => return super::apply_more::apply(conn, sid, other),
    }
    Ok(())
}

/// Shared by the chat operations: the chat's unread update as SQL parameters
/// `(mode, value)`: 0 keep, 1 set, 2 increment.
pub(crate) fn unread_params(u: Option<UnreadUpdate>) -> (i64, i64) {
    match u {
        None => (0, 0),
        Some(UnreadUpdate::Set(n)) => (1, i64::from(n)),
        Some(UnreadUpdate::Increment) => (2, 1),
    }
}

/// Moves outbox entry `id` to `to`, checking [`OutboxState::may_follow`].
pub(crate) fn outbox_transition(
    conn: &Connection,
    sid: &str,
    id: &str,
    to: OutboxState,
    error: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    let op = "outbox_transition";
    let from: Option<String> = conn
        .prepare_cached("SELECT state FROM outbox WHERE session_id = ?1 AND msg_id = ?2")
        .and_then(|mut st| {
            st.query_row([sid, id], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
        })
        .map_err(db_err(op))?;
    let from_state = from.as_deref().and_then(OutboxState::parse);
    if !from_state.is_some_and(|f| to.may_follow(f)) {
        return Err(Error::OutboxTransition {
            id: id.to_owned(),
            from: from.unwrap_or_else(|| "missing".into()),
            to: to.as_str().into(),
        });
    }
    exec(
        conn,
        op,
        "UPDATE outbox SET state = ?3, error = ?4, updated_at_ms = ?5 WHERE session_id = ?1 AND msg_id = ?2",
        params![sid, id, to.as_str(), error, at_ms],
    )?;
    if to != OutboxState::Sent {
        exec(
            conn,
            op,
            "DELETE FROM outbox_ciphertexts WHERE session_id = ?1 AND msg_id = ?2",
            params![sid, id],
        )?;
    }
    Ok(())
}
