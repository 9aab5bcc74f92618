//! Session lifecycle as the REST API sees it: start (creating the
//! session's folder), terminate (log out, delete its keys, rows and
//! folder), the two flushes, and restore at boot.

use std::collections::BTreeSet;

use wa_session::Status;

use crate::error::ApiError;
use crate::extract::valid_session_id;
use crate::state::AppState;

/// Starts `id`. 422 if it is already running.
///
/// # Errors
/// [`ApiError::SessionExists`], store or filesystem failures.
pub async fn start(state: &AppState, id: &str) -> Result<(), ApiError> {
    if let Some(s) = state.manager.status(id)
        && !wa_session::manager::is_final(s)
    {
        return Err(ApiError::SessionExists(id.to_owned()));
    }
    tokio::fs::create_dir_all(state.session_dir(id))
        .await
        .map_err(|e| ApiError::Internal(format!("cannot create the session folder: {e}")))?;
    state.sessions.update(id, |e| {
        e.stopping = false;
        e.ready_sent = false;
        e.qr = None;
        e.pairing_code = None;
    });
    state.manager.start(id).await?;
    Ok(())
}

/// Whether `id` is known: running, stored or with a folder.
pub async fn known(state: &AppState, id: &str) -> bool {
    state.manager.client(id).is_some()
        || matches!(state.manager.store().session(id).await, Ok(Some(_)))
        || state.session_dir(id).is_dir()
}

/// Stops `id` and keeps its keys (a later start resumes it), marked as
/// stopped on purpose so the event pump does not treat the end as a crash.
/// `false` if it was not running.
pub async fn stop(state: &AppState, id: &str) -> bool {
    state.sessions.update(id, |e| e.stopping = true);
    state.manager.stop(id).await
}

/// Logs `id` out (unlinking the device when connected), deletes its keys
/// and rows and its folder.
///
/// # Errors
/// Store or filesystem failures.
pub async fn terminate(state: &AppState, id: &str) -> Result<(), ApiError> {
    state.sessions.update(id, |e| e.stopping = true);
    state.manager.delete(id).await?;
    state.sessions.remove(id);
    let dir = state.session_dir(id);
    match tokio::fs::remove_dir_all(&dir).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(ApiError::Internal(format!(
                "cannot remove the session folder: {e}"
            )));
        }
    }
    Ok(())
}

/// Every session id the gateway knows of: running, stored, or with a
/// `session-<id>` folder.
pub async fn all_ids(state: &AppState) -> Result<BTreeSet<String>, ApiError> {
    let mut ids: BTreeSet<String> = state.manager.list().into_iter().map(|(id, _)| id).collect();
    for s in state.manager.store().list_sessions().await? {
        ids.insert(s.id);
    }
    if let Ok(mut dir) = tokio::fs::read_dir(&state.config.sessions_path).await {
        while let Ok(Some(entry)) = dir.next_entry().await {
            let name = entry.file_name();
            if let Some(id) = name.to_str().and_then(|n| n.strip_prefix("session-"))
                && valid_session_id(id)
                && entry.path().is_dir()
            {
                ids.insert(id.to_owned());
            }
        }
    }
    Ok(ids)
}

/// Terminates every session (`only_inactive`: every one not connected).
///
/// # Errors
/// The first failure (the others are still attempted).
pub async fn flush(state: &AppState, only_inactive: bool) -> Result<usize, ApiError> {
    let mut first_err = None;
    let mut n = 0;
    for id in all_ids(state).await? {
        if only_inactive && state.manager.status(&id) == Some(Status::Connected) {
            continue;
        }
        match terminate(state, &id).await {
            Ok(()) => n += 1,
            Err(e) => {
                tracing::warn!(session = id, error = %e, "flush failed");
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(n),
    }
}

/// Starts every paired session of the store (at boot).
///
/// # Errors
/// Store failures.
pub async fn restore(state: &AppState) -> Result<Vec<String>, ApiError> {
    let ids = state.manager.restore_all().await?;
    for id in &ids {
        let _ = tokio::fs::create_dir_all(state.session_dir(id)).await;
    }
    Ok(ids)
}
