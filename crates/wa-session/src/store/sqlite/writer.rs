//! The single writer: a dedicated thread that owns the write connection and
//! applies requests with **group commit**.
//!
//! Requests arrive on a bounded channel (callers wait asynchronously when it
//! is full). The thread blocks for the first request, then takes every
//! request already waiting (up to [`MAX_GROUP`]) and applies them all in one
//! `BEGIN IMMEDIATE … COMMIT`, each inside its own `SAVEPOINT`: a request
//! that fails is rolled back to its savepoint and reported alone, the others
//! commit. Only after `COMMIT` returns (the WAL is written, and with
//! `synchronous=FULL` synced) are the callers woken. While one group is
//! committing the next one accumulates, so the commit cost is shared by
//! however many requests arrive during one commit: throughput grows with
//! concurrency instead of being capped at one sync per request.
//!
//! If SQLite aborts the whole transaction (disk full, IO error), every
//! request of the group fails with that error: none of them is durable.

use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::apply::{allocate_prekey_ids, apply, require_session};
use super::codec::db_err;
use crate::store::WriteBatch;
use crate::{Error, Result};

/// Most requests committed in one transaction.
pub(crate) const MAX_GROUP: usize = 512;

/// Depth of the request channel.
pub(crate) const CHANNEL_DEPTH: usize = 4096;

/// What the writer can be asked to do.
pub(crate) enum Request {
    /// Apply a batch to a session.
    Commit {
        session: std::sync::Arc<str>,
        batch: WriteBatch,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Register a session.
    Create {
        session: String,
        created_at_ms: i64,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Delete a session and its rows.
    Delete {
        session: String,
        reply: oneshot::Sender<Result<bool>>,
    },
    /// Allocate prekey ids.
    AllocatePreKeys {
        session: std::sync::Arc<str>,
        count: u32,
        reply: oneshot::Sender<Result<Vec<u32>>>,
    },
}

/// The outcome of one request, held until the group's `COMMIT`.
enum Outcome {
    Unit(oneshot::Sender<Result<()>>, Result<()>),
    Bool(oneshot::Sender<Result<bool>>, Result<bool>),
    Ids(oneshot::Sender<Result<Vec<u32>>>, Result<Vec<u32>>),
}

impl Outcome {
    fn is_ok(&self) -> bool {
        match self {
            Self::Unit(_, r) => r.is_ok(),
            Self::Bool(_, r) => r.is_ok(),
            Self::Ids(_, r) => r.is_ok(),
        }
    }

    /// Replaces a success with `err` (the group did not commit).
    fn fail(self, err: impl Fn() -> Error) -> Self {
        match self {
            Self::Unit(tx, Ok(_)) => Self::Unit(tx, Err(err())),
            Self::Bool(tx, Ok(_)) => Self::Bool(tx, Err(err())),
            Self::Ids(tx, Ok(_)) => Self::Ids(tx, Err(err())),
            failed => failed,
        }
    }

    /// Wakes the caller (who may have stopped waiting: then nothing happens).
    fn send(self) {
        match self {
            Self::Unit(tx, r) => drop(tx.send(r)),
            Self::Bool(tx, r) => drop(tx.send(r)),
            Self::Ids(tx, r) => drop(tx.send(r)),
        }
    }
}

/// Runs a parameterless statement through the statement cache (the
/// transaction-control statements run for every request).
fn sql(conn: &Connection, statement: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(statement)?.execute([]).map(|_| ())
}

/// Runs one request's work against the connection (inside a savepoint).
fn run(conn: &Connection, req: Request) -> Outcome {
    match req {
        Request::Commit {
            session,
            batch,
            reply,
        } => {
            let r = require_session(conn, &session).and_then(|()| {
                batch
                    .ops()
                    .iter()
                    .try_for_each(|op| apply(conn, &session, op))
            });
            Outcome::Unit(reply, r)
        }
        Request::Create {
            session,
            created_at_ms,
            reply,
        } => {
            let r = if session.is_empty() {
                Err(Error::InvalidValue("empty session id".into()))
            } else {
                conn.prepare_cached(
                    "INSERT INTO sessions (session_id, created_at_ms) VALUES (?1, ?2)
                     ON CONFLICT (session_id) DO NOTHING",
                )
                .and_then(|mut st| st.execute(rusqlite::params![session, created_at_ms]))
                .map_err(db_err("create_session"))
                .and_then(|n| {
                    if n == 1 {
                        Ok(())
                    } else {
                        Err(Error::SessionExists(session.clone()))
                    }
                })
            };
            Outcome::Unit(reply, r)
        }
        Request::Delete { session, reply } => {
            let r = conn
                .prepare_cached("DELETE FROM sessions WHERE session_id = ?1")
                .and_then(|mut st| st.execute([&session]))
                .map(|n| n > 0)
                .map_err(db_err("delete_session"));
            Outcome::Bool(reply, r)
        }
        Request::AllocatePreKeys {
            session,
            count,
            reply,
        } => Outcome::Ids(reply, allocate_prekey_ids(conn, &session, count)),
    }
}

/// Applies a group of requests in one transaction and wakes their callers.
fn commit_group(conn: &Connection, group: Vec<Request>) {
    let size = group.len();
    let group_err = |e: &Error| {
        let msg = e.to_string();
        move || Error::Database {
            operation: "group commit",
            message: msg.clone(),
        }
    };
    if let Err(e) = sql(conn, "BEGIN IMMEDIATE").map_err(db_err("begin")) {
        tracing::error!(error = %e, "store writer could not begin a transaction");
        let f = group_err(&e);
        for req in group {
            fail_request(req, &f);
        }
        return;
    }
    let mut outcomes = Vec::with_capacity(size);
    let mut aborted: Option<Error> = None;
    for req in group {
        if aborted.is_some() {
            outcomes.push(run_nothing(req));
            continue;
        }
        let sp = sql(conn, "SAVEPOINT batch").map_err(db_err("savepoint"));
        let outcome = match sp {
            Ok(()) => run(conn, req),
            Err(e) => {
                aborted = Some(e);
                outcomes.push(run_nothing(req));
                continue;
            }
        };
        let end = if outcome.is_ok() {
            sql(conn, "RELEASE batch")
        } else if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (IO error, full disk).
            Ok(())
        } else {
            sql(conn, "ROLLBACK TO batch").and_then(|()| sql(conn, "RELEASE batch"))
        };
        if let Err(e) = end.map_err(db_err("savepoint")) {
            aborted = Some(e);
        } else if conn.is_autocommit() {
            aborted = Some(Error::Database {
                operation: "group commit",
                message: "transaction aborted by the database".into(),
            });
        }
        outcomes.push(outcome);
    }
    let result = match aborted {
        Some(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
        None => sql(conn, "COMMIT").map_err(db_err("commit")),
    };
    if let Err(e) = &result {
        tracing::error!(error = %e, requests = size, "store group commit failed");
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let f = group_err(e);
        for o in outcomes {
            o.fail(&f).send();
        }
    } else {
        for o in outcomes {
            o.send();
        }
    }
}

/// An outcome placeholder for a request that never ran (its group aborted);
/// `commit_group` turns it into the group's error.
fn run_nothing(req: Request) -> Outcome {
    match req {
        Request::Commit { reply, .. } | Request::Create { reply, .. } => {
            Outcome::Unit(reply, Ok(()))
        }
        Request::Delete { reply, .. } => Outcome::Bool(reply, Ok(false)),
        Request::AllocatePreKeys { reply, .. } => Outcome::Ids(reply, Ok(Vec::new())),
    }
}

/// Fails a request that could not be run at all.
fn fail_request(req: Request, err: &impl Fn() -> Error) {
    run_nothing(req).fail(err).send();
}

/// The handle the store keeps: the channel to the writer thread.
#[derive(Debug)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Request>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(crate) fn spawn(conn: Connection) -> Result<Self> {
        let (tx, mut rx) = mpsc::channel::<Request>(CHANNEL_DEPTH);
        let thread = std::thread::Builder::new()
            .name("wa-store-writer".into())
            .spawn(move || {
                let mut group = Vec::with_capacity(MAX_GROUP);
                while let Some(first) = rx.blocking_recv() {
                    group.push(first);
                    while group.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(req) => group.push(req),
                            Err(_) => break,
                        }
                    }
                    commit_group(&conn, std::mem::take(&mut group));
                }
                tracing::debug!("store writer stopped");
            })
            .map_err(|e| Error::Database {
                operation: "spawn writer",
                message: e.to_string(),
            })?;
        Ok(Self {
            tx,
            thread: Some(thread),
        })
    }

    /// Sends a request and waits for its reply.
    pub(crate) async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T>>) -> Request,
    ) -> Result<T> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Stops accepting requests and waits for the thread to finish the ones
    /// already queued.
    pub(crate) fn shutdown(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}
