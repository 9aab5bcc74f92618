//! The checkpointer: a thread that copies committed WAL frames back into the
//! database file, so the writer never does it inside a commit.
//!
//! SQLite's default runs a checkpoint inside whichever commit pushes the WAL
//! past 1000 pages; with a busy writer that is a stall of tens of
//! milliseconds (and, with `synchronous=FULL`, a sync of the database file)
//! in the middle of the commit path every few hundred commits. Here the
//! writer's automatic checkpoint is raised to a safety limit
//! ([`WRITER_AUTOCHECKPOINT_PAGES`]) and this thread runs a `PASSIVE`
//! checkpoint every [`INTERVAL`] on its own connection. A passive checkpoint
//! never blocks the writer or the readers; it copies what it can.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::SqliteOptions;
use super::codec::db_err;
use crate::{Error, Result};

/// How often the checkpointer runs.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

/// The writer still checkpoints by itself past this WAL size (pages), should
/// the checkpointer fall behind.
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 16_384;

/// The running checkpointer; it stops when this is dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
    _thread: JoinHandle<()>,
}

impl Checkpointer {
    /// Starts the thread on a new connection to `path`.
    pub(crate) fn spawn(path: &Path, o: &SqliteOptions) -> Result<Self> {
        let e = db_err("open checkpointer");
        let conn = Connection::open(path).map_err(&e)?;
        conn.busy_timeout(o.busy_timeout).map_err(&e)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA wal_autocheckpoint = 0;",
            o.synchronous.pragma()
        ))
        .map_err(&e)?;
        let (stop, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("wa-store-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(INTERVAL) {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "store checkpoint failed");
                    }
                }
            })
            .map_err(|e| Error::Database {
                operation: "spawn checkpointer",
                message: e.to_string(),
            })?;
        Ok(Self {
            _stop: stop,
            _thread: thread,
        })
    }
}
