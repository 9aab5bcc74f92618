//! Getter queries for sessions, device credentials, Signal state and app
//! state (the user-facing tables are in `read_more`). Plain functions over
//! a connection, run on the reader pool.

use rusqlite::{Connection, OptionalExtension, Params, Row, params};
use wa_proto::appstate::{LTHASH_LEN, LtHash};
use wa_proto::keys::{PublicKey, SIGNATURE_LEN};
use wa_proto::signal::{
    LocalIdentity, PreKey, ProtocolAddress, SenderKeyName, SenderKeyRecord, SessionRecord,
    SignedPreKey,
};

use super::codec::{bytes32, corrupt, db_err, key_pair, parse_opt_jid, public_key, to_u32, to_u64};
use crate::store::{AppStateSyncKey, AppStateVersion, DeviceCredentials, SessionInfo};
use crate::{Error, Result};

/// Runs a cached query returning at most one row, mapped by `f`.
pub(crate) fn one<T, P: Params>(
    conn: &Connection,
    sql: &str,
    p: P,
    f: impl FnOnce(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let e = db_err("read");
    let mut st = conn.prepare_cached(sql).map_err(&e)?;
    let mut rows = st.query(p).map_err(&e)?;
    match rows.next().map_err(&e)? {
        Some(row) => f(row).map(Some),
        None => Ok(None),
    }
}

/// Runs a cached query and maps every row with `f`.
pub(crate) fn all<T, P: Params>(
    conn: &Connection,
    sql: &str,
    p: P,
    mut f: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let e = db_err("read");
    let mut st = conn.prepare_cached(sql).map_err(&e)?;
    let mut rows = st.query(p).map_err(&e)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(&e)? {
        out.push(f(row)?);
    }
    Ok(out)
}

/// Reads column `i` of a row.
pub(crate) fn col<T: rusqlite::types::FromSql>(row: &Row<'_>, i: usize) -> Result<T> {
    row.get(i).map_err(db_err("read column"))
}

fn session_info(row: &Row<'_>) -> Result<SessionInfo> {
    Ok(SessionInfo {
        id: col(row, 0)?,
        created_at_ms: col(row, 1)?,
        jid: parse_opt_jid(col(row, 2)?)?,
    })
}

const SESSION_SELECT: &str = "SELECT s.session_id, s.created_at_ms, d.jid
     FROM sessions s LEFT JOIN device d ON d.session_id = s.session_id";

pub(crate) fn list_sessions(conn: &Connection) -> Result<Vec<SessionInfo>> {
    let sql = format!("{SESSION_SELECT} ORDER BY s.session_id");
    all(conn, &sql, [], session_info)
}

pub(crate) fn session(conn: &Connection, sid: &str) -> Result<Option<SessionInfo>> {
    let sql = format!("{SESSION_SELECT} WHERE s.session_id = ?1");
    one(conn, &sql, [sid], session_info)
}

pub(crate) fn device(conn: &Connection, sid: &str) -> Result<Option<DeviceCredentials>> {
    one(
        conn,
        "SELECT noise_private, identity_private, registration_id, adv_secret_key, jid, lid,
                account, platform, push_name, business_name
         FROM device WHERE session_id = ?1",
        [sid],
        |r| {
            let noise: Vec<u8> = col(r, 0)?;
            let identity: Vec<u8> = col(r, 1)?;
            let adv: Vec<u8> = col(r, 3)?;
            Ok(DeviceCredentials {
                noise_key: key_pair(&noise, "noise key")?,
                identity: LocalIdentity {
                    key_pair: key_pair(&identity, "identity key")?,
                    registration_id: col(r, 2)?,
                },
                adv_secret_key: bytes32(&adv, "adv secret key")?,
                jid: parse_opt_jid(col(r, 4)?)?,
                lid: parse_opt_jid(col(r, 5)?)?,
                account: col(r, 6)?,
                platform: col(r, 7)?,
                push_name: col(r, 8)?,
                business_name: col(r, 9)?,
            })
        },
    )
}

fn session_record(blob: &[u8]) -> Result<SessionRecord> {
    SessionRecord::from_bytes(blob).map_err(corrupt("signal session record"))
}

pub(crate) fn signal_session(
    conn: &Connection,
    sid: &str,
    a: &ProtocolAddress,
) -> Result<Option<SessionRecord>> {
    one(
        conn,
        "SELECT record FROM signal_sessions WHERE session_id = ?1 AND their_name = ?2 AND their_device = ?3",
        params![sid, a.name, a.device],
        |r| session_record(&col::<Vec<u8>>(r, 0)?),
    )
}

pub(crate) fn signal_sessions_of(
    conn: &Connection,
    sid: &str,
    name: &str,
) -> Result<Vec<(ProtocolAddress, SessionRecord)>> {
    all(
        conn,
        "SELECT their_device, record FROM signal_sessions
         WHERE session_id = ?1 AND their_name = ?2 ORDER BY their_device",
        params![sid, name],
        |r| {
            let device = to_u32(col(r, 0)?, "device id")?;
            Ok((
                ProtocolAddress::new(name, device),
                session_record(&col::<Vec<u8>>(r, 1)?)?,
            ))
        },
    )
}

pub(crate) fn identity(
    conn: &Connection,
    sid: &str,
    a: &ProtocolAddress,
) -> Result<Option<PublicKey>> {
    one(
        conn,
        "SELECT identity_key FROM identities WHERE session_id = ?1 AND their_name = ?2 AND their_device = ?3",
        params![sid, a.name, a.device],
        |r| public_key(&col::<Vec<u8>>(r, 0)?, "identity key"),
    )
}

fn prekey_row(r: &Row<'_>) -> Result<PreKey> {
    Ok(PreKey {
        id: to_u32(col(r, 0)?, "prekey id")?,
        key_pair: key_pair(&col::<Vec<u8>>(r, 1)?, "prekey")?,
    })
}

pub(crate) fn prekey(conn: &Connection, sid: &str, id: u32) -> Result<Option<PreKey>> {
    one(
        conn,
        "SELECT key_id, private_key FROM prekeys WHERE session_id = ?1 AND key_id = ?2",
        params![sid, id],
        prekey_row,
    )
}

pub(crate) fn unuploaded_prekeys(conn: &Connection, sid: &str, limit: u32) -> Result<Vec<PreKey>> {
    // A literal LIMIT, not a bound one: see `read_more::messages`.
    let sql = format!(
        "SELECT key_id, private_key FROM prekeys WHERE session_id = ?1 AND uploaded = 0
         ORDER BY key_id LIMIT {limit}"
    );
    all(conn, &sql, params![sid], prekey_row)
}

pub(crate) fn uploaded_prekey_count(conn: &Connection, sid: &str) -> Result<u32> {
    let n = one(
        conn,
        "SELECT COUNT(*) FROM prekeys WHERE session_id = ?1 AND uploaded = 1",
        [sid],
        |r| col::<i64>(r, 0),
    )?;
    to_u32(n.unwrap_or(0), "prekey count")
}

fn signed_prekey_row(r: &Row<'_>) -> Result<SignedPreKey> {
    let sig: Vec<u8> = col(r, 2)?;
    Ok(SignedPreKey {
        id: to_u32(col(r, 0)?, "signed prekey id")?,
        key_pair: key_pair(&col::<Vec<u8>>(r, 1)?, "signed prekey")?,
        signature: <[u8; SIGNATURE_LEN]>::try_from(sig.as_slice()).map_err(|_| Error::Corrupt {
            what: "signed prekey signature",
            reason: format!("{} bytes", sig.len()),
        })?,
    })
}

pub(crate) fn signed_prekey(conn: &Connection, sid: &str, id: u32) -> Result<Option<SignedPreKey>> {
    one(
        conn,
        "SELECT key_id, private_key, signature FROM signed_prekeys WHERE session_id = ?1 AND key_id = ?2",
        params![sid, id],
        signed_prekey_row,
    )
}

pub(crate) fn latest_signed_prekey(conn: &Connection, sid: &str) -> Result<Option<SignedPreKey>> {
    one(
        conn,
        "SELECT key_id, private_key, signature FROM signed_prekeys WHERE session_id = ?1
         ORDER BY key_id DESC LIMIT 1",
        [sid],
        signed_prekey_row,
    )
}

pub(crate) fn sender_key(
    conn: &Connection,
    sid: &str,
    k: &SenderKeyName,
) -> Result<Option<SenderKeyRecord>> {
    one(
        conn,
        "SELECT record FROM sender_keys
         WHERE session_id = ?1 AND group_id = ?2 AND sender_name = ?3 AND sender_device = ?4",
        params![sid, k.group, k.sender.name, k.sender.device],
        |r| {
            SenderKeyRecord::from_bytes(&col::<Vec<u8>>(r, 0)?)
                .map_err(corrupt("sender key record"))
        },
    )
}

fn sync_key_row(r: &Row<'_>) -> Result<AppStateSyncKey> {
    Ok(AppStateSyncKey {
        key_id: col(r, 0)?,
        key_data: col(r, 1)?,
        fingerprint: col(r, 2)?,
        timestamp: col(r, 3)?,
    })
}

pub(crate) fn app_state_sync_key(
    conn: &Connection,
    sid: &str,
    key_id: &[u8],
) -> Result<Option<AppStateSyncKey>> {
    one(
        conn,
        "SELECT key_id, key_data, fingerprint, timestamp FROM app_state_sync_keys
         WHERE session_id = ?1 AND key_id = ?2",
        params![sid, key_id],
        sync_key_row,
    )
}

pub(crate) fn latest_app_state_sync_key(
    conn: &Connection,
    sid: &str,
) -> Result<Option<AppStateSyncKey>> {
    one(
        conn,
        "SELECT key_id, key_data, fingerprint, timestamp FROM app_state_sync_keys
         WHERE session_id = ?1 ORDER BY timestamp DESC, key_id DESC LIMIT 1",
        [sid],
        sync_key_row,
    )
}

pub(crate) fn app_state_version(
    conn: &Connection,
    sid: &str,
    collection: &str,
) -> Result<Option<AppStateVersion>> {
    one(
        conn,
        "SELECT version, hash FROM app_state_versions WHERE session_id = ?1 AND collection = ?2",
        params![sid, collection],
        |r| {
            let hash: Vec<u8> = col(r, 1)?;
            let hash =
                <[u8; LTHASH_LEN]>::try_from(hash.as_slice()).map_err(|_| Error::Corrupt {
                    what: "app-state hash",
                    reason: format!("{} bytes", hash.len()),
                })?;
            Ok(AppStateVersion {
                version: to_u64(col(r, 0)?, "app-state version")?,
                hash: LtHash::from_bytes(hash),
            })
        },
    )
}

pub(crate) fn app_state_value_mac(
    conn: &Connection,
    sid: &str,
    collection: &str,
    index_mac: &[u8],
) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached(
        "SELECT value_mac FROM app_state_mutation_macs
         WHERE session_id = ?1 AND collection = ?2 AND index_mac = ?3",
    )
    .and_then(|mut st| {
        st.query_row(params![sid, collection, index_mac], |r| r.get(0))
            .optional()
    })
    .map_err(db_err("read"))
}
