//! The durable webhook queue: `SESSIONS_PATH/webhooks.db` (SQLite, WAL),
//! owned by one writer thread so the async runtime never blocks on disk.
//!
//! Every command goes through the thread's channel and is applied in the
//! order it was sent, so webhooks of one session are stored in the order
//! they were emitted. Rows are `pending` until delivered (then deleted) or
//! given up (`dead`, kept [`DEAD_RETENTION_MS`] for inspection).

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{Notify, oneshot};

use crate::error::ApiError;
use crate::metrics::Metrics;

/// How long dead rows are kept (7 days).
pub const DEAD_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;

/// A stored webhook.
#[derive(Clone, Debug)]
pub struct Row {
    /// Row id (queue order).
    pub id: i64,
    /// The delivery id sent as `x-webhook-id` (stable across retries).
    pub uid: String,
    /// The session.
    pub session: String,
    /// Where to post it.
    pub url: String,
    /// The event name (for logs).
    pub data_type: String,
    /// The JSON body, exactly as posted.
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (unix milliseconds).
    pub next_at: i64,
}

/// A new webhook to store.
#[derive(Debug)]
pub struct NewRow {
    /// The delivery id.
    pub uid: String,
    /// The session.
    pub session: String,
    /// Where to post it.
    pub url: String,
    /// The event name.
    pub data_type: String,
    /// The JSON body.
    pub body: String,
}

enum Cmd {
    Insert(NewRow, Option<oneshot::Sender<()>>),
    Flush(oneshot::Sender<()>),
    Heads(oneshot::Sender<Vec<Row>>),
    Head(String, oneshot::Sender<Option<Row>>),
    Delivered(i64, oneshot::Sender<()>),
    Retry {
        id: i64,
        attempts: u32,
        next_at: i64,
        error: String,
        done: oneshot::Sender<()>,
    },
    Dead {
        id: i64,
        attempts: u32,
        error: String,
        done: oneshot::Sender<()>,
    },
    Stop,
}

/// Handle on the writer thread (cheap to clone).
#[derive(Clone, Debug)]
pub struct Queue {
    tx: std_mpsc::Sender<Cmd>,
    /// Signalled after each insert commit (wakes the dispatcher).
    pub inserted: Arc<Notify>,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cmd")
    }
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default(),
    )
    .unwrap_or(i64::MAX)
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA busy_timeout = 5000;
         CREATE TABLE IF NOT EXISTS webhooks (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             uid TEXT NOT NULL,
             session TEXT NOT NULL,
             url TEXT NOT NULL,
             data_type TEXT NOT NULL,
             body TEXT NOT NULL,
             state TEXT NOT NULL DEFAULT 'pending',
             attempts INTEGER NOT NULL DEFAULT 0,
             next_at INTEGER NOT NULL,
             created_at INTEGER NOT NULL,
             last_error TEXT
         );
         CREATE INDEX IF NOT EXISTS webhooks_pending ON webhooks(state, session, id);",
    )?;
    Ok(conn)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        uid: r.get(1)?,
        session: r.get(2)?,
        url: r.get(3)?,
        data_type: r.get(4)?,
        body: r.get(5)?,
        attempts: r.get(6)?,
        next_at: r.get(7)?,
    })
}

const COLS: &str = "id, uid, session, url, data_type, body, attempts, next_at";

struct Db {
    conn: Connection,
    metrics: Arc<Metrics>,
    inserted: Arc<Notify>,
}

impl Db {
    fn pending(&self) -> i64 {
        self.conn
            .query_row(
                "SELECT count(*) FROM webhooks WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .unwrap_or_default()
    }

    fn update_gauge(&self) {
        self.metrics.webhook_queue.set(self.pending());
    }

    fn prune(&self) -> rusqlite::Result<usize> {
        self.conn.execute(
            "DELETE FROM webhooks WHERE state = 'dead' AND created_at < ?1",
            params![now_ms() - DEAD_RETENTION_MS],
        )
    }

    /// Inserts `rows` in one transaction.
    fn insert(&mut self, rows: &[NewRow]) -> rusqlite::Result<()> {
        let now = now_ms();
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO webhooks (uid, session, url, data_type, body, next_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?;
            for r in rows {
                st.execute(params![r.uid, r.session, r.url, r.data_type, r.body, now])?;
            }
        }
        tx.commit()
    }

    fn heads(&self) -> rusqlite::Result<Vec<Row>> {
        let sql = format!(
            "SELECT {COLS} FROM webhooks WHERE id IN (
                 SELECT min(id) FROM webhooks WHERE state = 'pending' GROUP BY session)"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        st.query_map([], row)?.collect()
    }

    fn head(&self, session: &str) -> rusqlite::Result<Option<Row>> {
        let sql = format!(
            "SELECT {COLS} FROM webhooks WHERE state = 'pending' AND session = ?1
             ORDER BY id LIMIT 1"
        );
        self.conn.query_row(&sql, params![session], row).optional()
    }

    fn run(mut self, rx: &std_mpsc::Receiver<Cmd>) {
        if let Err(e) = self.prune() {
            tracing::warn!(error = %e, "webhook queue: pruning dead rows failed");
        }
        self.update_gauge();
        let mut last_prune = now_ms();
        while let Ok(first) = rx.recv() {
            // Batch consecutive inserts into one transaction.
            let mut cmds = vec![first];
            while let Ok(c) = rx.try_recv() {
                cmds.push(c);
            }
            let mut rows = Vec::new();
            let mut acks = Vec::new();
            let mut rest = Vec::new();
            for c in cmds {
                match c {
                    Cmd::Insert(r, ack) => {
                        rows.push(r);
                        acks.extend(ack);
                    }
                    other => rest.push(other),
                }
            }
            // Inserts first: any other command in this batch was sent
            // after them or does not depend on them.
            if !rows.is_empty() {
                if let Err(e) = self.insert(&rows) {
                    tracing::error!(error = %e, lost = rows.len(), "webhook queue: insert failed");
                }
                for a in acks {
                    let _ = a.send(());
                }
                self.inserted.notify_one();
            }
            for c in rest {
                if matches!(c, Cmd::Stop) {
                    return;
                }
                self.apply(c);
            }
            self.update_gauge();
            if now_ms() - last_prune > 3600 * 1000 {
                last_prune = now_ms();
                let _ = self.prune();
            }
        }
    }

    fn apply(&mut self, c: Cmd) {
        let res = match c {
            Cmd::Insert(..) | Cmd::Stop => Ok(()),
            Cmd::Flush(done) => {
                let _ = done.send(());
                Ok(())
            }
            Cmd::Heads(reply) => self.heads().map(|h| {
                let _ = reply.send(h);
            }),
            Cmd::Head(s, reply) => self.head(&s).map(|h| {
                let _ = reply.send(h);
            }),
            Cmd::Delivered(id, done) => self
                .conn
                .execute("DELETE FROM webhooks WHERE id = ?1", params![id])
                .map(|_| {
                    let _ = done.send(());
                }),
            Cmd::Retry {
                id,
                attempts,
                next_at,
                error,
                done,
            } => self
                .conn
                .execute(
                    "UPDATE webhooks SET attempts = ?2, next_at = ?3, last_error = ?4 WHERE id = ?1",
                    params![id, attempts, next_at, error],
                )
                .map(|_| {
                    let _ = done.send(());
                }),
            Cmd::Dead {
                id,
                attempts,
                error,
                done,
            } => self
                .conn
                .execute(
                    "UPDATE webhooks SET state = 'dead', attempts = ?2, last_error = ?3 WHERE id = ?1",
                    params![id, attempts, error],
                )
                .map(|_| {
                    let _ = done.send(());
                }),
        };
        if let Err(e) = res {
            tracing::error!(error = %e, "webhook queue: write failed");
        }
    }
}

impl Queue {
    /// Opens (creates) the queue at `path` and starts its writer thread.
    ///
    /// # Errors
    /// The database does not open.
    pub fn open(path: &Path, metrics: Arc<Metrics>) -> Result<Queue, ApiError> {
        let conn = open(path)
            .map_err(|e| ApiError::Internal(format!("webhook queue {}: {e}", path.display())))?;
        let (tx, rx) = std_mpsc::channel();
        let inserted = Arc::new(Notify::new());
        let db = Db {
            conn,
            metrics,
            inserted: Arc::clone(&inserted),
        };
        std::thread::Builder::new()
            .name("webhook-queue".into())
            .spawn(move || db.run(&rx))
            .map_err(|e| ApiError::Internal(format!("webhook queue thread: {e}")))?;
        Ok(Queue { tx, inserted })
    }

    /// Stores `row` (committed shortly, in order with every earlier call).
    pub fn insert(&self, row: NewRow) {
        if self.tx.send(Cmd::Insert(row, None)).is_err() {
            tracing::debug!("webhook queue stopped: webhook not stored");
        }
    }

    /// Stores `row` and waits for the commit.
    pub async fn insert_committed(&self, row: NewRow) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Insert(row, Some(tx))).is_ok() {
            let _ = rx.await;
        }
    }

    /// Waits until everything sent before is committed.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// The oldest pending row of every session.
    pub async fn heads(&self) -> Vec<Row> {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Heads(tx)).is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// The oldest pending row of `session`.
    pub async fn head(&self, session: &str) -> Option<Row> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Cmd::Head(session.to_owned(), tx)).ok()?;
        rx.await.ok().flatten()
    }

    /// Deletes a delivered row.
    pub async fn delivered(&self, id: i64) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Delivered(id, tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Records a failed attempt and when to try again.
    pub async fn retry(&self, id: i64, attempts: u32, next_at: i64, error: String) {
        let (done, rx) = oneshot::channel();
        let cmd = Cmd::Retry {
            id,
            attempts,
            next_at,
            error,
            done,
        };
        if self.tx.send(cmd).is_ok() {
            let _ = rx.await;
        }
    }

    /// Marks a row dead (no more attempts; kept for inspection).
    pub async fn dead(&self, id: i64, attempts: u32, error: String) {
        let (done, rx) = oneshot::channel();
        let cmd = Cmd::Dead {
            id,
            attempts,
            error,
            done,
        };
        if self.tx.send(cmd).is_ok() {
            let _ = rx.await;
        }
    }

    /// Stops the writer thread after the commands sent before.
    pub fn stop(&self) {
        let _ = self.tx.send(Cmd::Stop);
    }
}

/// Milliseconds since the epoch.
pub fn now() -> i64 {
    now_ms()
}
