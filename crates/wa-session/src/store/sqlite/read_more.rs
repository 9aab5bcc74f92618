//! Getter queries for contacts, chats, labels, messages, the outbox, the
//! LID map and the event buffer.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use wa_proto::jid::Jid;

use super::codec::{jid_text, like_pattern, parse_jid, parse_opt_jid, to_u64};
use super::read::{all, col, one};
use crate::store::{
    AckLevel, Chat, CiphertextKind, Contact, Label, MediaInfo, MessageQuery, OutboxCiphertext,
    OutboxEntry, OutboxState, StoredMessage,
};
use crate::{Error, Result};

fn contact_row(r: &Row<'_>) -> Result<Contact> {
    Ok(Contact {
        jid: parse_jid(&col::<String>(r, 0)?)?,
        first_name: col(r, 1)?,
        full_name: col(r, 2)?,
        push_name: col(r, 3)?,
        business_name: col(r, 4)?,
    })
}

pub(crate) fn contact(conn: &Connection, sid: &str, jid: &Jid) -> Result<Option<Contact>> {
    one(
        conn,
        "SELECT jid, first_name, full_name, push_name, business_name FROM contacts
         WHERE session_id = ?1 AND jid = ?2",
        params![sid, jid_text(jid)],
        contact_row,
    )
}

pub(crate) fn contacts(conn: &Connection, sid: &str) -> Result<Vec<Contact>> {
    all(
        conn,
        "SELECT jid, first_name, full_name, push_name, business_name FROM contacts
         WHERE session_id = ?1 ORDER BY jid",
        [sid],
        contact_row,
    )
}

const CHAT_COLUMNS: &str =
    "c.jid, c.name, c.archived, c.pinned, c.muted_until, c.unread_count, c.last_message_ts";

const CHAT_ORDER: &str = "ORDER BY c.last_message_ts IS NULL, c.last_message_ts DESC, c.jid";

fn chat_row(r: &Row<'_>) -> Result<Chat> {
    Ok(Chat {
        jid: parse_jid(&col::<String>(r, 0)?)?,
        name: col(r, 1)?,
        archived: col(r, 2)?,
        pinned: col(r, 3)?,
        muted_until: col(r, 4)?,
        unread_count: col(r, 5)?,
        last_message_ts: col(r, 6)?,
        labels: Vec::new(),
    })
}

/// Fills in the labels of `chats` from one query over the session's
/// assignments.
fn attach_labels(conn: &Connection, sid: &str, chats: &mut [Chat]) -> Result<()> {
    if chats.is_empty() {
        return Ok(());
    }
    let mut by_chat: HashMap<String, Vec<String>> = HashMap::new();
    for (chat, label) in all(
        conn,
        "SELECT chat_jid, label_id FROM chat_labels WHERE session_id = ?1 ORDER BY chat_jid, label_id",
        [sid],
        |r| Ok((col::<String>(r, 0)?, col::<String>(r, 1)?)),
    )? {
        by_chat.entry(chat).or_default().push(label);
    }
    for c in chats {
        c.labels = by_chat.remove(&jid_text(&c.jid)).unwrap_or_default();
    }
    Ok(())
}

pub(crate) fn chat(conn: &Connection, sid: &str, jid: &Jid) -> Result<Option<Chat>> {
    let sql = format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.session_id = ?1 AND c.jid = ?2");
    let Some(mut c) = one(conn, &sql, params![sid, jid_text(jid)], chat_row)? else {
        return Ok(None);
    };
    c.labels = all(
        conn,
        "SELECT label_id FROM chat_labels WHERE session_id = ?1 AND chat_jid = ?2 ORDER BY label_id",
        params![sid, jid_text(jid)],
        |r| col(r, 0),
    )?;
    Ok(Some(c))
}

pub(crate) fn chats(conn: &Connection, sid: &str) -> Result<Vec<Chat>> {
    let sql = format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.session_id = ?1 {CHAT_ORDER}");
    let mut out = all(conn, &sql, [sid], chat_row)?;
    attach_labels(conn, sid, &mut out)?;
    Ok(out)
}

pub(crate) fn chats_with_label(conn: &Connection, sid: &str, label: &str) -> Result<Vec<Chat>> {
    let sql = format!(
        "SELECT {CHAT_COLUMNS} FROM chats c JOIN chat_labels l
           ON l.session_id = c.session_id AND l.chat_jid = c.jid
         WHERE c.session_id = ?1 AND l.label_id = ?2 {CHAT_ORDER}"
    );
    let mut out = all(conn, &sql, params![sid, label], chat_row)?;
    attach_labels(conn, sid, &mut out)?;
    Ok(out)
}

pub(crate) fn labels(conn: &Connection, sid: &str) -> Result<Vec<Label>> {
    all(
        conn,
        "SELECT label_id, name, color FROM labels WHERE session_id = ?1 ORDER BY label_id",
        [sid],
        |r| {
            Ok(Label {
                id: col(r, 0)?,
                name: col(r, 1)?,
                color: col(r, 2)?,
            })
        },
    )
}

const MESSAGE_COLUMNS: &str = "chat_jid, msg_id, from_me, sender_jid, timestamp, kind, body, raw,
    media_mimetype, media_direct_path, media_key, media_file_sha256, media_file_enc_sha256,
    media_file_length, media_file_name, ack";

fn message_row(r: &Row<'_>) -> Result<StoredMessage> {
    let media = match col::<Option<String>>(r, 8)? {
        None => None,
        Some(mimetype) => Some(MediaInfo {
            mimetype,
            direct_path: col::<Option<String>>(r, 9)?.unwrap_or_default(),
            media_key: col::<Option<Vec<u8>>>(r, 10)?.unwrap_or_default(),
            file_sha256: col::<Option<Vec<u8>>>(r, 11)?.unwrap_or_default(),
            file_enc_sha256: col::<Option<Vec<u8>>>(r, 12)?.unwrap_or_default(),
            file_length: to_u64(col::<Option<i64>>(r, 13)?.unwrap_or(0), "media length")?,
            file_name: col(r, 14)?,
        }),
    };
    let ack: i64 = col(r, 15)?;
    Ok(StoredMessage {
        chat: parse_jid(&col::<String>(r, 0)?)?,
        id: col(r, 1)?,
        from_me: col(r, 2)?,
        sender: parse_opt_jid(col(r, 3)?)?,
        timestamp: col(r, 4)?,
        kind: col(r, 5)?,
        body: col(r, 6)?,
        raw: col(r, 7)?,
        media,
        ack: i8::try_from(ack)
            .ok()
            .and_then(AckLevel::from_i8)
            .ok_or(Error::Corrupt {
                what: "ack level",
                reason: format!("{ack}"),
            })?,
    })
}

pub(crate) fn message(
    conn: &Connection,
    sid: &str,
    chat: &Jid,
    id: &str,
) -> Result<Option<StoredMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ?1 AND chat_jid = ?2 AND msg_id = ?3"
    );
    one(conn, &sql, params![sid, jid_text(chat), id], message_row)
}

pub(crate) fn messages(
    conn: &Connection,
    sid: &str,
    q: &MessageQuery,
) -> Result<Vec<StoredMessage>> {
    let mut sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ?");
    let mut args: Vec<Value> = vec![Value::Text(sid.to_owned())];
    if let Some(chat) = &q.chat {
        sql.push_str(" AND chat_jid = ?");
        args.push(Value::Text(jid_text(chat)));
    }
    if let Some(id) = &q.id {
        sql.push_str(" AND msg_id = ?");
        args.push(Value::Text(id.clone()));
    }
    if let Some(from_me) = q.from_me {
        sql.push_str(" AND from_me = ?");
        args.push(Value::Integer(i64::from(from_me)));
    }
    if let Some(text) = &q.text {
        sql.push_str(" AND body LIKE ? ESCAPE '\\'");
        args.push(Value::Text(like_pattern(text)));
    }
    if let Some(starred) = q.starred {
        sql.push_str(" AND starred = ?");
        args.push(Value::Integer(i64::from(starred)));
    }
    if let Some(before) = q.before {
        sql.push_str(" AND timestamp < ?");
        args.push(Value::Integer(before));
    }
    // The limit is a literal: with a bound `LIMIT ?` the planner reads the
    // bound value, which marks the cached statement to expire whenever it
    // is rebound, so SQLite re-prepared it on every execution (seen as
    // `sqlite3Reprepare` in profiles). One cached statement per limit.
    sql.push_str(&format!(
        " ORDER BY timestamp DESC, seq DESC LIMIT {}",
        q.limit
    ));
    let mut out = all(conn, &sql, params_from_iter(args), message_row)?;
    out.reverse();
    Ok(out)
}

const OUTBOX_COLUMNS: &str =
    "msg_id, chat_jid, payload, state, error, accepted_at_ms, updated_at_ms";

fn outbox_row(r: &Row<'_>) -> Result<OutboxEntry> {
    let state: String = col(r, 3)?;
    Ok(OutboxEntry {
        id: col(r, 0)?,
        chat: parse_jid(&col::<String>(r, 1)?)?,
        payload: col(r, 2)?,
        state: OutboxState::parse(&state).ok_or(Error::Corrupt {
            what: "outbox state",
            reason: state,
        })?,
        ciphertexts: Vec::new(),
        error: col(r, 4)?,
        accepted_at_ms: col(r, 5)?,
        updated_at_ms: col(r, 6)?,
    })
}

fn attach_ciphertexts(conn: &Connection, sid: &str, e: &mut OutboxEntry) -> Result<()> {
    e.ciphertexts = all(
        conn,
        "SELECT recipient, kind, ciphertext FROM outbox_ciphertexts
         WHERE session_id = ?1 AND msg_id = ?2 ORDER BY recipient",
        params![sid, e.id],
        |r| {
            let kind: String = col(r, 1)?;
            Ok(OutboxCiphertext {
                recipient: parse_jid(&col::<String>(r, 0)?)?,
                kind: CiphertextKind::parse(&kind).ok_or(Error::Corrupt {
                    what: "ciphertext kind",
                    reason: kind,
                })?,
                bytes: col(r, 2)?,
            })
        },
    )?;
    Ok(())
}

pub(crate) fn outbox_entry(conn: &Connection, sid: &str, id: &str) -> Result<Option<OutboxEntry>> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE session_id = ?1 AND msg_id = ?2");
    let Some(mut e) = one(conn, &sql, params![sid, id], outbox_row)? else {
        return Ok(None);
    };
    attach_ciphertexts(conn, sid, &mut e)?;
    Ok(Some(e))
}

pub(crate) fn outbox_by_state(
    conn: &Connection,
    sid: &str,
    states: &[OutboxState],
    limit: u32,
) -> Result<Vec<OutboxEntry>> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; states.len()].join(", ");
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE session_id = ? AND state IN ({marks})
         ORDER BY seq LIMIT {limit}"
    );
    let mut args: Vec<Value> = vec![Value::Text(sid.to_owned())];
    args.extend(states.iter().map(|s| Value::Text(s.as_str().to_owned())));
    let mut out = all(conn, &sql, params_from_iter(args), outbox_row)?;
    for e in &mut out {
        attach_ciphertexts(conn, sid, e)?;
    }
    Ok(out)
}

pub(crate) fn lid_for_pn(conn: &Connection, sid: &str, pn: &Jid) -> Result<Option<Jid>> {
    one(
        conn,
        "SELECT lid FROM lid_map WHERE session_id = ?1 AND pn = ?2",
        params![sid, jid_text(&pn.to_non_ad())],
        |r| parse_jid(&col::<String>(r, 0)?),
    )
}

pub(crate) fn pn_for_lid(conn: &Connection, sid: &str, lid: &Jid) -> Result<Option<Jid>> {
    one(
        conn,
        "SELECT pn FROM lid_map WHERE session_id = ?1 AND lid = ?2",
        params![sid, jid_text(&lid.to_non_ad())],
        |r| parse_jid(&col::<String>(r, 0)?),
    )
}

pub(crate) fn buffered_event(
    conn: &Connection,
    sid: &str,
    hash: &[u8; 32],
) -> Result<Option<Vec<u8>>> {
    one(
        conn,
        "SELECT plaintext FROM event_buffer WHERE session_id = ?1 AND ciphertext_hash = ?2",
        params![sid, &hash[..]],
        |r| col(r, 0),
    )
}
