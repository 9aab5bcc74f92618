//! Applying the [`WriteOp`]s of the user-facing tables: contacts, chats,
//! labels, messages, outbox, LID map and event buffer (the Signal and
//! app-state ones are in `apply`).

use rusqlite::{Connection, params};

use super::apply::{exec, outbox_transition, unread_params};
use super::codec::{jid_text, u64_to_i64};
use crate::store::WriteOp;
use crate::store::outbox::OutboxState;
use crate::{Error, Result};

/// `(flag, value)` parameters of an optional field change.
fn change<T: Clone>(field: &Option<T>) -> (bool, Option<T>) {
    (field.is_some(), field.clone())
}

/// Applies one operation not handled by `apply::apply`.
pub(crate) fn apply(conn: &Connection, sid: &str, op: &WriteOp) -> Result<()> {
    let name = op.name();
    match op {
        WriteOp::PatchContact(p) => {
            let (f1, v1) = change(&p.first_name);
            let (f2, v2) = change(&p.full_name);
            let (f3, v3) = change(&p.push_name);
            let (f4, v4) = change(&p.business_name);
            exec(
                conn,
                name,
                "INSERT INTO contacts (session_id, jid, first_name, full_name, push_name, business_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (session_id, jid) DO UPDATE SET
                    first_name = CASE WHEN ?7 THEN excluded.first_name ELSE first_name END,
                    full_name = CASE WHEN ?8 THEN excluded.full_name ELSE full_name END,
                    push_name = CASE WHEN ?9 THEN excluded.push_name ELSE push_name END,
                    business_name = CASE WHEN ?10 THEN excluded.business_name ELSE business_name END",
                params![
                    sid,
                    jid_text(&p.jid),
                    v1.flatten(),
                    v2.flatten(),
                    v3.flatten(),
                    v4.flatten(),
                    f1,
                    f2,
                    f3,
                    f4
                ],
            )?;
        }
        WriteOp::PatchChat(p) => {
            let (f_name, name_v) = change(&p.name);
            let (f_mute, mute_v) = change(&p.muted_until);
            let (unread_mode, unread_v) = unread_params(p.unread);
            exec(
                conn,
                name,
                "INSERT INTO chats (session_id, jid, name, archived, pinned, muted_until, unread_count, last_message_ts)
                 VALUES (?1, ?2, ?3, COALESCE(?4, 0), COALESCE(?5, 0), ?6, ?7, ?8)
                 ON CONFLICT (session_id, jid) DO UPDATE SET
                    name = CASE WHEN ?9 THEN excluded.name ELSE name END,
                    archived = COALESCE(?4, archived),
                    pinned = COALESCE(?5, pinned),
                    muted_until = CASE WHEN ?10 THEN excluded.muted_until ELSE muted_until END,
                    unread_count = CASE ?11
                        WHEN 1 THEN ?12
                        WHEN 2 THEN (CASE WHEN unread_count < 0 THEN 1 ELSE unread_count + 1 END)
                        ELSE unread_count END,
                    last_message_ts = CASE
                        WHEN excluded.last_message_ts IS NULL THEN last_message_ts
                        WHEN last_message_ts IS NULL THEN excluded.last_message_ts
                        ELSE MAX(last_message_ts, excluded.last_message_ts) END",
                params![
                    sid,
                    jid_text(&p.jid),
                    name_v.flatten(),
                    p.archived,
                    p.pinned,
                    mute_v.flatten(),
                    if unread_mode == 0 { 0 } else { unread_v },
                    p.last_message_ts,
                    f_name,
                    f_mute,
                    unread_mode,
                    unread_v,
                ],
            )?;
        }
        WriteOp::DeleteChat(chat) => {
            let chat = jid_text(chat);
            for table_col in [
                ("messages", "chat_jid"),
                ("chat_labels", "chat_jid"),
                ("chats", "jid"),
            ] {
                let sql = format!(
                    "DELETE FROM {} WHERE session_id = ?1 AND {} = ?2",
                    table_col.0, table_col.1
                );
                exec(conn, name, &sql, params![sid, chat])?;
            }
        }
        WriteOp::ClearChat(chat) => {
            exec(
                conn,
                name,
                "DELETE FROM messages WHERE session_id = ?1 AND chat_jid = ?2",
                params![sid, jid_text(chat)],
            )?;
        }
        WriteOp::PutLabel(l) => {
            exec(
                conn,
                name,
                "INSERT INTO labels (session_id, label_id, name, color) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, label_id) DO UPDATE SET name = excluded.name, color = excluded.color",
                params![sid, l.id, l.name, l.color],
            )?;
        }
        WriteOp::DeleteLabel(id) => {
            exec(
                conn,
                name,
                "DELETE FROM labels WHERE session_id = ?1 AND label_id = ?2",
                params![sid, id],
            )?;
        }
        WriteOp::AddChatLabel { chat, label } => {
            exec(
                conn,
                name,
                "INSERT INTO chat_labels (session_id, chat_jid, label_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (session_id, chat_jid, label_id) DO NOTHING",
                params![sid, jid_text(chat), label],
            )?;
        }
        WriteOp::RemoveChatLabel { chat, label } => {
            exec(
                conn,
                name,
                "DELETE FROM chat_labels WHERE session_id = ?1 AND chat_jid = ?2 AND label_id = ?3",
                params![sid, jid_text(chat), label],
            )?;
        }
        WriteOp::PutMessage(m) => {
            if m.id.is_empty() {
                return Err(Error::InvalidValue("empty message id".into()));
            }
            let media = m.media.as_ref();
            let length = media
                .map(|x| u64_to_i64(x.file_length, "media file length"))
                .transpose()?;
            exec(
                conn,
                name,
                "INSERT INTO messages (session_id, chat_jid, msg_id, from_me, sender_jid, timestamp, kind,
                    body, raw, media_mimetype, media_direct_path, media_key, media_file_sha256,
                    media_file_enc_sha256, media_file_length, media_file_name, ack)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT (session_id, chat_jid, msg_id) DO UPDATE SET
                    from_me = excluded.from_me, sender_jid = excluded.sender_jid,
                    timestamp = excluded.timestamp, kind = excluded.kind, body = excluded.body,
                    raw = excluded.raw, media_mimetype = excluded.media_mimetype,
                    media_direct_path = excluded.media_direct_path, media_key = excluded.media_key,
                    media_file_sha256 = excluded.media_file_sha256,
                    media_file_enc_sha256 = excluded.media_file_enc_sha256,
                    media_file_length = excluded.media_file_length,
                    media_file_name = excluded.media_file_name,
                    ack = CASE WHEN excluded.ack = -1 THEN -1 ELSE MAX(ack, excluded.ack) END",
                params![
                    sid,
                    jid_text(&m.chat),
                    m.id,
                    m.from_me,
                    m.sender.as_ref().map(jid_text),
                    m.timestamp,
                    m.kind,
                    m.body,
                    m.raw,
                    media.map(|x| &x.mimetype),
                    media.map(|x| &x.direct_path),
                    media.map(|x| &x.media_key),
                    media.map(|x| &x.file_sha256),
                    media.map(|x| &x.file_enc_sha256),
                    length,
                    media.and_then(|x| x.file_name.as_ref()),
                    m.ack.to_i8(),
                ],
            )?;
        }
        WriteOp::SetMessageAck { chat, id, ack } => {
            exec(
                conn,
                name,
                "UPDATE messages SET ack = CASE WHEN ?4 = -1 THEN -1 ELSE MAX(ack, ?4) END
                 WHERE session_id = ?1 AND chat_jid = ?2 AND msg_id = ?3",
                params![sid, jid_text(chat), id, ack.to_i8()],
            )?;
        }
        WriteOp::SetMessageStarred { chat, id, starred } => {
            exec(
                conn,
                name,
                "UPDATE messages SET starred = ?4 WHERE session_id = ?1 AND chat_jid = ?2 AND msg_id = ?3",
                params![sid, jid_text(chat), id, i64::from(*starred)],
            )?;
        }
        WriteOp::DeleteMessage { chat, id } => {
            exec(
                conn,
                name,
                "DELETE FROM messages WHERE session_id = ?1 AND chat_jid = ?2 AND msg_id = ?3",
                params![sid, jid_text(chat), id],
            )?;
        }
        WriteOp::OutboxAccept(e) => {
            if e.id.is_empty() {
                return Err(Error::InvalidValue("empty outbox message id".into()));
            }
            exec(
                conn,
                name,
                "INSERT INTO outbox (session_id, msg_id, chat_jid, payload, state, error, accepted_at_ms, updated_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?6)",
                params![
                    sid,
                    e.id,
                    jid_text(&e.chat),
                    e.payload,
                    OutboxState::Accepted.as_str(),
                    e.accepted_at_ms
                ],
            )
            .map_err(|err| match err {
                Error::Conflict(_) => {
                    Error::Conflict(format!("outbox entry {:?} already exists", e.id))
                }
                other => other,
            })?;
        }
        WriteOp::OutboxEncrypted {
            id,
            ciphertexts,
            at_ms,
        } => {
            outbox_transition(conn, sid, id, OutboxState::Encrypted, None, *at_ms)?;
            for c in ciphertexts {
                exec(
                    conn,
                    name,
                    "INSERT INTO outbox_ciphertexts (session_id, msg_id, recipient, kind, ciphertext)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![sid, id, jid_text(&c.recipient), c.kind.as_str(), c.bytes],
                )?;
            }
        }
        WriteOp::OutboxSent { id, at_ms } => {
            outbox_transition(conn, sid, id, OutboxState::Sent, None, *at_ms)?;
        }
        WriteOp::OutboxServerAcked { id, at_ms } => {
            outbox_transition(conn, sid, id, OutboxState::ServerAcked, None, *at_ms)?;
        }
        WriteOp::OutboxFailed { id, reason, at_ms } => {
            outbox_transition(conn, sid, id, OutboxState::Failed, Some(reason), *at_ms)?;
        }
        WriteOp::OutboxRemove(id) => {
            exec(
                conn,
                name,
                "DELETE FROM outbox WHERE session_id = ?1 AND msg_id = ?2",
                params![sid, id],
            )?;
        }
        WriteOp::PruneOutbox { before_ms } => {
            exec(
                conn,
                name,
                "DELETE FROM outbox WHERE session_id = ?1 AND state IN (?2, ?3) AND updated_at_ms < ?4",
                params![
                    sid,
                    OutboxState::ServerAcked.as_str(),
                    OutboxState::Failed.as_str(),
                    before_ms
                ],
            )?;
        }
        WriteOp::PutLidMapping { lid, pn } => {
            let (lid, pn) = (jid_text(&lid.to_non_ad()), jid_text(&pn.to_non_ad()));
            exec(
                conn,
                name,
                "DELETE FROM lid_map WHERE session_id = ?1 AND (lid = ?2 OR pn = ?3)",
                params![sid, lid, pn],
            )?;
            exec(
                conn,
                name,
                "INSERT INTO lid_map (session_id, lid, pn) VALUES (?1, ?2, ?3)",
                params![sid, lid, pn],
            )?;
        }
        WriteOp::PutBufferedEvent {
            hash,
            plaintext,
            at_ms,
        } => {
            exec(
                conn,
                name,
                "INSERT INTO event_buffer (session_id, ciphertext_hash, plaintext, inserted_at_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id, ciphertext_hash) DO UPDATE SET
                    plaintext = excluded.plaintext, inserted_at_ms = excluded.inserted_at_ms",
                params![sid, &hash[..], plaintext, at_ms],
            )?;
        }
        WriteOp::DeleteBufferedEvent(hash) => {
            exec(
                conn,
                name,
                "DELETE FROM event_buffer WHERE session_id = ?1 AND ciphertext_hash = ?2",
                params![sid, &hash[..]],
            )?;
        }
        WriteOp::PruneBufferedEvents { before_ms } => {
            exec(
                conn,
                name,
                "DELETE FROM event_buffer WHERE session_id = ?1 AND inserted_at_ms < ?2",
                params![sid, before_ms],
            )?;
        }
        // Handled by `apply::apply`; listed so a new variant is a compile
        // error here until it is placed somewhere.
        WriteOp::PutDevice(_)
        | WriteOp::ResetAccount
        | WriteOp::PutSignalSession { .. }
        | WriteOp::DeleteSignalSession(_)
        | WriteOp::DeleteSignalSessionsOf(_)
        | WriteOp::PutIdentity { .. }
        | WriteOp::DeleteIdentity(_)
        | WriteOp::PutPreKeys(_)
        | WriteOp::MarkPreKeysUploaded(_)
        | WriteOp::RemovePreKey(_)
        | WriteOp::PutSignedPreKey(_)
        | WriteOp::PutSenderKey { .. }
        | WriteOp::DeleteSenderKey(_)
        | WriteOp::PutAppStateSyncKey(_)
        | WriteOp::PutAppStateVersion { .. }
        | WriteOp::PutAppStateMutationMacs { .. }
        | WriteOp::DeleteAppStateMutationMacs { .. }
        | WriteOp::DeleteAppStateCollection(_) => super::apply::apply(conn, sid, op)?,
    }
    Ok(())
}
