//! The SQLite schema and its versioned migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Opening a
//! store applies the missing ones in order, each in its own transaction
//! together with the `user_version` bump, so a crash mid-upgrade leaves the
//! database at the previous version. A file with a higher version than
//! [`LATEST_VERSION`] is refused ([`crate::Error::SchemaTooNew`]).
//!
//! Every table but `sessions` is keyed by `session_id` first and references
//! `sessions` with `ON DELETE CASCADE`: deleting the session row deletes
//! everything (`foreign_keys=ON` is set on every connection). Keys are
//! composite natural keys. Tables of small rows are `WITHOUT ROWID` (the
//! key is the b-tree); tables holding blobs of a kilobyte or more (Signal
//! session records, sender keys, ciphertexts, plaintexts) keep a rowid so
//! the large rows do not bloat the key b-tree. The only surrogate keys (`messages.seq`,
//! `outbox.seq`) order rows with equal timestamps and never leave the store.
//! The SQL avoids SQLite-only constructs where a portable one exists
//! (`ON CONFLICT ... DO UPDATE`, no `INSERT OR REPLACE`) so the PostgreSQL
//! schema can mirror it table for table.

use rusqlite::Connection;

use crate::{Error, Result};

/// Migration `i` takes the database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: initial schema
    r#"
CREATE TABLE sessions (
    session_id     TEXT PRIMARY KEY NOT NULL CHECK (session_id <> ''),
    created_at_ms  INTEGER NOT NULL,
    next_prekey_id INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE device (
    session_id       TEXT PRIMARY KEY NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    noise_private    BLOB NOT NULL,
    identity_private BLOB NOT NULL,
    registration_id  INTEGER NOT NULL,
    adv_secret_key   BLOB NOT NULL,
    jid              TEXT,
    lid              TEXT,
    account          BLOB,
    platform         TEXT NOT NULL,
    push_name        TEXT NOT NULL,
    business_name    TEXT NOT NULL
);

CREATE TABLE signal_sessions (
    session_id   TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    their_name   TEXT NOT NULL,
    their_device INTEGER NOT NULL,
    record       BLOB NOT NULL,
    PRIMARY KEY (session_id, their_name, their_device)
);

CREATE TABLE identities (
    session_id   TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    their_name   TEXT NOT NULL,
    their_device INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    PRIMARY KEY (session_id, their_name, their_device)
) WITHOUT ROWID;

CREATE TABLE prekeys (
    session_id  TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL,
    private_key BLOB NOT NULL,
    uploaded    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, key_id)
) WITHOUT ROWID;

CREATE TABLE signed_prekeys (
    session_id  TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL,
    private_key BLOB NOT NULL,
    signature   BLOB NOT NULL,
    PRIMARY KEY (session_id, key_id)
) WITHOUT ROWID;

CREATE TABLE sender_keys (
    session_id    TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    group_id      TEXT NOT NULL,
    sender_name   TEXT NOT NULL,
    sender_device INTEGER NOT NULL,
    record        BLOB NOT NULL,
    PRIMARY KEY (session_id, group_id, sender_name, sender_device)
);

CREATE TABLE app_state_sync_keys (
    session_id  TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    key_id      BLOB NOT NULL,
    key_data    BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    timestamp   INTEGER NOT NULL,
    PRIMARY KEY (session_id, key_id)
) WITHOUT ROWID;

CREATE TABLE app_state_versions (
    session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    collection TEXT NOT NULL,
    version    INTEGER NOT NULL,
    hash       BLOB NOT NULL,
    PRIMARY KEY (session_id, collection)
) WITHOUT ROWID;

CREATE TABLE app_state_mutation_macs (
    session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    collection TEXT NOT NULL,
    index_mac  BLOB NOT NULL,
    value_mac  BLOB NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (session_id, collection, index_mac)
) WITHOUT ROWID;

CREATE TABLE contacts (
    session_id    TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    jid           TEXT NOT NULL,
    first_name    TEXT,
    full_name     TEXT,
    push_name     TEXT,
    business_name TEXT,
    PRIMARY KEY (session_id, jid)
) WITHOUT ROWID;

CREATE TABLE chats (
    session_id      TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    jid             TEXT NOT NULL,
    name            TEXT,
    archived        INTEGER NOT NULL DEFAULT 0,
    pinned          INTEGER NOT NULL DEFAULT 0,
    muted_until     INTEGER,
    unread_count    INTEGER NOT NULL DEFAULT 0,
    last_message_ts INTEGER,
    PRIMARY KEY (session_id, jid)
) WITHOUT ROWID;

CREATE TABLE labels (
    session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    label_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    color      INTEGER NOT NULL,
    PRIMARY KEY (session_id, label_id)
) WITHOUT ROWID;

CREATE TABLE chat_labels (
    session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    chat_jid   TEXT NOT NULL,
    label_id   TEXT NOT NULL,
    PRIMARY KEY (session_id, chat_jid, label_id),
    FOREIGN KEY (session_id, label_id) REFERENCES labels(session_id, label_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX chat_labels_by_label ON chat_labels(session_id, label_id);

CREATE TABLE messages (
    seq                   INTEGER PRIMARY KEY,
    session_id            TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    chat_jid              TEXT NOT NULL,
    msg_id                TEXT NOT NULL,
    from_me               INTEGER NOT NULL,
    sender_jid            TEXT,
    timestamp             INTEGER NOT NULL,
    kind                  TEXT NOT NULL,
    body                  TEXT,
    raw                   BLOB NOT NULL,
    media_mimetype        TEXT,
    media_direct_path     TEXT,
    media_key             BLOB,
    media_file_sha256     BLOB,
    media_file_enc_sha256 BLOB,
    media_file_length     INTEGER,
    media_file_name       TEXT,
    ack                   INTEGER NOT NULL,
    UNIQUE (session_id, chat_jid, msg_id)
);
CREATE INDEX messages_by_chat_time ON messages(session_id, chat_jid, timestamp, seq);
CREATE INDEX messages_by_time ON messages(session_id, timestamp, seq);

CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    msg_id         TEXT NOT NULL,
    chat_jid       TEXT NOT NULL,
    payload        BLOB NOT NULL,
    state          TEXT NOT NULL,
    error          TEXT,
    accepted_at_ms INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    UNIQUE (session_id, msg_id)
);
CREATE INDEX outbox_by_state ON outbox(session_id, state, seq);

CREATE TABLE outbox_ciphertexts (
    session_id TEXT NOT NULL,
    msg_id     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    PRIMARY KEY (session_id, msg_id, recipient),
    FOREIGN KEY (session_id, msg_id) REFERENCES outbox(session_id, msg_id) ON DELETE CASCADE
);

CREATE TABLE lid_map (
    session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    lid        TEXT NOT NULL,
    pn         TEXT NOT NULL,
    PRIMARY KEY (session_id, lid),
    UNIQUE (session_id, pn)
) WITHOUT ROWID;

CREATE TABLE event_buffer (
    session_id      TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
    ciphertext_hash BLOB NOT NULL,
    plaintext       BLOB NOT NULL,
    inserted_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (session_id, ciphertext_hash)
);
CREATE INDEX event_buffer_by_time ON event_buffer(session_id, inserted_at_ms);
"#,
    // 2: starred messages (app-state `star` records)
    r#"
ALTER TABLE messages ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// The `user_version` of an open database.
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| Error::Migration {
            from: -1,
            message: e.to_string(),
        })
}

/// Brings the database to [`LATEST_VERSION`], one migration per transaction.
/// Returns the version found before migrating.
pub(crate) fn migrate(conn: &mut Connection) -> Result<i64> {
    migrate_to(conn, LATEST_VERSION)
}

/// Applies migrations up to `target` (tests build older versions with it).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    let found = version(conn)?;
    if found > LATEST_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    let mut current = found;
    while current < target {
        let sql = usize::try_from(current)
            .ok()
            .and_then(|i| MIGRATIONS.get(i))
            .ok_or(Error::Migration {
                from: current,
                message: "no migration from this version".into(),
            })?;
        let fail = |e: rusqlite::Error| Error::Migration {
            from: current,
            message: e.to_string(),
        };
        // IMMEDIATE: two processes opening an old file at once migrate one
        // after the other; the second re-reads the version inside the lock.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(fail)?;
        if now != current {
            drop(tx);
            current = now;
            continue;
        }
        tx.execute_batch(sql).map_err(fail)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(from = current, to = current + 1, "store schema migrated");
        current += 1;
    }
    Ok(found)
}
