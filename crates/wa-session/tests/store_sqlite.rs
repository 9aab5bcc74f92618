//! The store suite against SQLite, plus what only SQLite has: migrations,
//! pragmas, reopening a file, detecting corrupt rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_suite;

use std::sync::Arc;

use rusqlite::Connection;
use tempfile::TempDir;
use wa_proto::jid::Jid;
use wa_proto::signal::ProtocolAddress;
use wa_session::Error;
use wa_session::store::sqlite::{MIGRATIONS, SCHEMA_VERSION, SESSION_TABLES};
use wa_session::store::{CommitContext, SqliteOptions, SqliteStore, Store, Synchronous};

use store_suite::fixtures::{commit, device, new_session, session_record, text_message};

async fn sqlite_store() -> (Arc<dyn Store>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("gateway.db"), SqliteOptions::default()).unwrap();
    (Arc::new(store), dir)
}

store_suite!(sqlite_store);

/// `sqlite_master` without SQLite's own objects, normalized for comparison.
fn schema_of(conn: &Connection) -> Vec<(String, String, String)> {
    let mut st = conn
        .prepare(
            "SELECT type, name, COALESCE(sql, '') FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn migrates_from_empty_and_from_every_older_version() {
    let dir = tempfile::tempdir().unwrap();
    // The reference: a fresh database.
    let fresh = dir.path().join("fresh.db");
    drop(SqliteStore::open(&fresh, SqliteOptions::default()).unwrap());
    let conn = Connection::open(&fresh).unwrap();
    let reference = schema_of(&conn);
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, MIGRATIONS.len() as i64);
    assert!(reference.iter().any(|(_, name, _)| name == "messages"));

    for start in 0..SCHEMA_VERSION {
        // A database left at version `start` by an older build, with a session.
        let path = dir.path().join(format!("v{start}.db"));
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..start as usize] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(&format!("PRAGMA user_version = {start}"))
                .unwrap();
            if start >= 1 {
                conn.execute(
                    "INSERT INTO sessions (session_id, created_at_ms) VALUES ('old', 1)",
                    [],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        if start >= 1 {
            assert_eq!(store.list_sessions().await.unwrap()[0].id, "old");
        }
        store.close().await;
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema_of(&conn), reference, "migrated from v{start}");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}

#[tokio::test]
async fn reopen_is_idempotent_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let chat = Jid::pn("111");
    let first_ids;
    {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        let ctx = new_session(&store, "s").await;
        commit(&store, &ctx, |w| {
            w.put_device(device(1, true))
                .put_message(text_message(&chat, "M", 1, true, "kept"));
        })
        .await;
        first_ids = store.allocate_prekey_ids(&ctx, 10).await.unwrap();
        store.close().await;
    }
    for _ in 0..3 {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        assert_eq!(store.list_sessions().await.unwrap().len(), 1);
        let m = store.message("s", &chat, "M").await.unwrap().unwrap();
        assert_eq!(m.body.as_deref(), Some("kept"));
        // Allocated ids survive reopening: never handed out twice.
        let more = store
            .allocate_prekey_ids(&CommitContext::new("s"), 2)
            .await
            .unwrap();
        assert!(more.iter().all(|id| !first_ids.contains(id)));
        store.close().await;
    }
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let next: i64 = conn
        .query_row("SELECT next_prekey_id FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(next, 17);
}

#[tokio::test]
async fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    let r = SqliteStore::open(&path, SqliteOptions::default());
    assert!(matches!(r, Err(Error::SchemaTooNew { found, .. }) if found == SCHEMA_VERSION + 1));
}

#[tokio::test]
async fn delete_session_leaves_no_row_in_any_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap());
    store_suite::cases_outbox::delete_session_removes_everything(Arc::clone(&store)).await;
    // The suite case recreated "a"; delete it and "b", then count every row
    // of every table with a session_id column.
    store.delete_session("a").await.unwrap();
    let conn = Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut with_rows_of_b = 0;
    for t in &tables {
        if t == "sessions" {
            continue;
        }
        assert!(
            SESSION_TABLES.contains(&t.as_str()),
            "{t} missing from SESSION_TABLES"
        );
        let n: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {t} WHERE session_id = 'a'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "table {t} still has rows of the deleted session");
        let b: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {t} WHERE session_id = 'b'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        with_rows_of_b += usize::from(b > 0);
    }
    // populate() touches every table.
    assert_eq!(with_rows_of_b, tables.len() - 1);
}

#[tokio::test]
async fn corrupt_rows_are_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let ctx = new_session(&store, "s").await;
    let addr = ProtocolAddress::new("111", 0);
    commit(&store, &ctx, |w| {
        w.put_signal_session(&addr, &session_record(1, 1))
            .put_device(device(1, true));
    })
    .await;
    let raw = Connection::open(&path).unwrap();
    raw.execute("UPDATE signal_sessions SET record = x'0aff'", [])
        .unwrap();
    raw.execute(
        "UPDATE device SET jid = 'not a jid@@', noise_private = x'01'",
        [],
    )
    .unwrap();
    assert!(matches!(
        store.signal_session("s", &addr).await,
        Err(Error::Corrupt {
            what: "signal session record",
            ..
        })
    ));
    assert!(matches!(
        store.device("s").await,
        Err(Error::Corrupt { .. })
    ));
}

#[tokio::test]
async fn synchronous_normal_works_too() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        synchronous: Synchronous::Normal,
        readers: 1,
        ..SqliteOptions::default()
    };
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(dir.path().join("n.db"), options).unwrap());
    store_suite::cases_outbox::group_commit_under_concurrency(store).await;
}

#[tokio::test]
async fn the_checkpointer_moves_the_wal_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let ctx = new_session(&store, "s").await;
    let chat = Jid::pn("111");
    // About 2 MiB of messages: far below the writer's own checkpoint limit,
    // so only the checkpointer can get them into the database file.
    for round in 0..20 {
        commit(&store, &ctx, |w| {
            for i in 0..100 {
                let mut m = text_message(&chat, &format!("{round}-{i}"), i, true, "x");
                m.raw = vec![7; 1000];
                w.put_message(m);
            }
        })
        .await;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let size = std::fs::metadata(&path).unwrap().len();
        if size > 2_000_000 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "database file still {size} bytes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let messages = store
        .messages("s", &wa_session::store::MessageQuery::new(5000))
        .await
        .unwrap();
    assert_eq!(messages.len(), 2000);
}
