//! The connections: opening and configuring the writer and the small pool
//! of read-only connections the getters run on.
//!
//! Reads run on tokio's blocking pool (`spawn_blocking`) with a connection
//! taken from the pool; a semaphore bounds them to the pool size, so memory
//! (one page cache per connection) stays fixed however many sessions the
//! gateway holds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use super::SqliteOptions;
use super::codec::db_err;
use crate::{Error, Result};

/// Prepared statements cached per connection.
const STATEMENT_CACHE: usize = 128;

/// Opens the write connection: WAL, the chosen `synchronous`, foreign keys.
pub(crate) fn open_writer(path: &Path, o: &SqliteOptions) -> Result<Connection> {
    let e = db_err("open");
    let conn = Connection::open(path).map_err(&e)?;
    conn.busy_timeout(o.busy_timeout).map_err(&e)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(&e)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Database {
            operation: "open",
            message: format!("cannot enable WAL (journal_mode is {mode})"),
        });
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {};
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -{};
         PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = {};",
        o.synchronous.pragma(),
        o.page_cache_kib,
        super::checkpoint::WRITER_AUTOCHECKPOINT_PAGES
    ))
    .map_err(&e)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Opens one read-only connection.
fn open_reader(path: &Path, o: &SqliteOptions) -> Result<Connection> {
    let e = db_err("open reader");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(&e)?;
    conn.busy_timeout(o.busy_timeout).map_err(&e)?;
    conn.execute_batch(&format!(
        "PRAGMA query_only = ON; PRAGMA cache_size = -{};",
        o.page_cache_kib
    ))
    .map_err(&e)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// A bounded pool of read-only connections.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    options: SqliteOptions,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    /// A pool of `options.readers` connections to `path` (opened lazily).
    pub(crate) fn new(path: PathBuf, options: SqliteOptions) -> Arc<Self> {
        let n = options.readers.max(1);
        Arc::new(Self {
            path,
            options,
            idle: Mutex::new(Vec::with_capacity(n)),
            permits: Arc::new(Semaphore::new(n)),
        })
    }

    /// Runs `f` on a pooled connection on the blocking thread pool.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Closed)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = match pool.take() {
                Some(c) => c,
                None => open_reader(&pool.path, &pool.options)?,
            };
            let out = f(&conn);
            pool.give_back(conn);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Database {
            operation: "read",
            message: e.to_string(),
        })?
    }

    fn take(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
    }
}
