//! Message, receipt, chat and group events → the reference's webhook
//! `dataType`s (see `docs/http/webhooks.md` for every shape).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use serde_json::{Value, json};
use wa_proto::jid::Jid;
use wa_session::Event;
use wa_session::appstate::{ChatChange, MessageChange};
use wa_session::store::{AckLevel, StoredMessage};

use super::groups;
use crate::jid::serialize;
use crate::model::message::{MessageId, MessageJson};
use crate::state::AppState;

/// Kinds that modify other messages or carry no content of their own: no
/// `message` / `message_create` for them (their typed events follow).
const SILENT_KINDS: &[&str] = &["reaction", "revoke", "edit", "poll_vote", "unknown"];

/// Bodies of recent messages (for `message_edit`'s `prevBody`, which the
/// store no longer has once the edit is applied) and the last reaction
/// message of each session (the id of a `message_reaction`).
#[derive(Debug, Default)]
pub struct Recent {
    inner: Mutex<RecentInner>,
}

#[derive(Debug, Default)]
struct RecentInner {
    bodies: HashMap<(String, String, String), String>,
    reactions: HashMap<String, StoredMessage>,
}

/// Entries kept before the body cache is cleared.
const RECENT_MAX: usize = 20_000;

impl Recent {
    fn lock(&self) -> std::sync::MutexGuard<'_, RecentInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember(&self, session: &str, m: &StoredMessage) {
        let mut g = self.lock();
        if m.kind == "reaction" {
            g.reactions.insert(session.to_owned(), m.clone());
            return;
        }
        if let Some(b) = &m.body {
            if g.bodies.len() >= RECENT_MAX {
                g.bodies.clear();
            }
            g.bodies.insert(
                (session.to_owned(), m.chat.to_string(), m.id.clone()),
                b.clone(),
            );
        }
    }

    fn body(&self, session: &str, chat: &Jid, id: &str) -> Option<String> {
        self.lock()
            .bodies
            .get(&(session.to_owned(), chat.to_string(), id.to_owned()))
            .cloned()
    }

    fn reaction(&self, session: &str, chat: &Jid) -> Option<StoredMessage> {
        self.lock()
            .reactions
            .get(session)
            .filter(|m| &m.chat == chat)
            .cloned()
    }
}

async fn own(state: &AppState, id: &str) -> Option<Jid> {
    let c = state.manager.client(id)?;
    c.own_jid().await.ok().map(|j| j.to_non_ad())
}

async fn stored(state: &AppState, id: &str, chat: &Jid, msg: &str) -> Option<StoredMessage> {
    state
        .manager
        .store()
        .message(id, chat, msg)
        .await
        .ok()
        .flatten()
}

fn message_json(m: &StoredMessage, own: Option<&Jid>) -> Value {
    serde_json::to_value(MessageJson::of(m, own)).unwrap_or(Value::Null)
}

/// With `SET_MESSAGES_AS_SEEN`, sends read receipts for `chat` (off the
/// pump task).
fn mark_seen(state: &AppState, id: &str, chat: &Jid) {
    if !state.config.set_messages_as_seen {
        return;
    }
    let Some(client) = state.manager.client(id) else {
        return;
    };
    let chat = chat.clone();
    tokio::spawn(async move {
        if let Err(e) = client.mark_seen(&chat).await {
            tracing::debug!(error = %e, "mark_seen failed");
        }
    });
}

/// Turns a message-level event into webhooks.
pub async fn message_event(state: &AppState, id: &str, event: Event) {
    let w = &state.webhooks;
    match event {
        Event::Message(m) => on_message(state, id, *m).await,
        Event::Undecryptable {
            chat,
            id: mid,
            sender,
            ..
        } => {
            let m = stored(state, id, &chat, &mid).await;
            let message = match m {
                Some(m) => message_json(&m, own(state, id).await.as_ref()),
                None => json!({
                    "id": MessageId::new(&chat, &mid, false, Some(&sender)),
                    "type": "ciphertext",
                    "from": serialize(&chat),
                    "author": chat.is_group().then(|| serialize(&sender)),
                    "body": "",
                    "fromMe": false,
                }),
            };
            w.emit(
                id,
                "message_ciphertext",
                Some(json!({ "message": message })),
            );
        }
        Event::Receipt {
            chat, ids, kind, ..
        } => {
            let level = match kind.as_str() {
                "delivery" => AckLevel::Device,
                "read" => AckLevel::Read,
                "played" => AckLevel::Played,
                _ => return,
            };
            on_ack(state, id, &chat, &ids, level).await;
        }
        Event::ServerAck {
            id: mid,
            class,
            error,
        } if class == "message" => {
            let entry = state.manager.store().outbox_entry(id, &mid).await;
            if let Ok(Some(e)) = entry {
                let level = if error.is_some() {
                    AckLevel::Error
                } else {
                    AckLevel::Server
                };
                on_ack(state, id, &e.chat, &[mid], level).await;
            }
        }
        Event::Reaction {
            chat,
            id: target,
            sender,
            emoji,
            from_me,
        } => on_reaction(state, id, &chat, &target, &sender, emoji, from_me).await,
        Event::Edited {
            chat,
            id: mid,
            text,
            ..
        } => {
            let Some(m) = stored(state, id, &chat, &mid).await else {
                return;
            };
            let prev = state
                .webhooks
                .recent
                .body(id, &chat, &mid)
                .unwrap_or_default();
            let new = text.unwrap_or_default();
            state.webhooks.recent.remember(id, &m);
            let message = message_json(&m, own(state, id).await.as_ref());
            w.emit(
                id,
                "message_edit",
                Some(json!({ "message": message, "newBody": new, "prevBody": prev })),
            );
        }
        Event::Revoked {
            chat,
            id: mid,
            sender,
        } => {
            let message = match stored(state, id, &chat, &mid).await {
                Some(m) => message_json(&m, own(state, id).await.as_ref()),
                None => json!({
                    "id": MessageId::new(&chat, &mid, false, Some(&sender)),
                    "type": "revoked",
                    "body": "",
                }),
            };
            w.emit(
                id,
                "message_revoke_everyone",
                Some(json!({ "message": message })),
            );
        }
        Event::MessageUpdated {
            chat,
            id: mid,
            from_me,
            change: MessageChange::DeletedForMe,
        } => {
            let message = match stored(state, id, &chat, &mid).await {
                Some(m) => message_json(&m, own(state, id).await.as_ref()),
                None => json!({ "id": MessageId::new(&chat, &mid, from_me, None) }),
            };
            w.emit(id, "message_revoke_me", Some(json!({ "message": message })));
        }
        Event::ChatUpdated { chat, change } => on_chat(state, id, &chat, &change).await,
        Event::Notification(node) => {
            for (data_type, n) in groups::notifications(&node) {
                w.emit(id, data_type, Some(json!({ "notification": n })));
            }
        }
        Event::Call {
            id: call,
            from,
            timestamp,
            is_video,
            is_group,
        } => {
            let call = json!({
                "id": call,
                "from": serialize(&from),
                "timestamp": timestamp,
                "isVideo": is_video,
                "isGroup": is_group,
                "fromMe": false,
                "canHandleLocally": false,
                "webClientShouldHandle": false,
                "participants": null,
            });
            w.emit(id, "call", Some(json!({ "call": call })));
        }
        Event::HistorySync(s) => {
            if let Some(p) = s.progress {
                w.emit(
                    id,
                    "loading_screen",
                    Some(json!({ "percent": p, "message": "WhatsApp" })),
                );
            }
        }
        _ => {}
    }
}

async fn on_message(state: &AppState, id: &str, m: StoredMessage) {
    state.webhooks.recent.remember(id, &m);
    if SILENT_KINDS.contains(&m.kind.as_str()) {
        return;
    }
    let w = &state.webhooks;
    let own = own(state, id).await;
    let message = message_json(&m, own.as_ref());
    if !m.from_me {
        state.metrics.messages_received.inc();
        w.emit(id, "message", Some(json!({ "message": message.clone() })));
        if m.media
            .as_ref()
            .is_some_and(|x| x.file_length <= state.config.max_attachment_size as u64)
            && w.wants(id, "media")
        {
            spawn_media(state, id, m.clone(), message.clone());
        }
    }
    w.emit(id, "message_create", Some(json!({ "message": message })));
    if !m.from_me {
        mark_seen(state, id, &m.chat);
    }
}

/// Downloads a received attachment and posts `media` (off the pump, so a
/// slow download does not hold up other events).
fn spawn_media(state: &AppState, id: &str, m: StoredMessage, message: Value) {
    let Some(client) = state.manager.client(id) else {
        return;
    };
    let w = state.webhooks.clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        let bytes = match client.download_media(&m).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(session = id, message = m.id, error = %e, "media download for webhook failed");
                return;
            }
        };
        let media = m.media.as_ref();
        let data = json!({
            "messageMedia": {
                "mimetype": media.map(|x| x.mimetype.clone()).unwrap_or_default(),
                "data": base64::engine::general_purpose::STANDARD.encode(&bytes),
                "filename": media.and_then(|x| x.file_name.clone()),
                "filesize": bytes.len(),
            },
            "message": message,
        });
        w.emit(&id, "media", Some(data));
    });
}

async fn on_ack(state: &AppState, id: &str, chat: &Jid, ids: &[String], level: AckLevel) {
    let own = own(state, id).await;
    for mid in ids {
        let Some(mut m) = stored(state, id, chat, mid).await else {
            continue;
        };
        if !m.from_me {
            continue;
        }
        if m.ack.to_i8() < level.to_i8() || level == AckLevel::Error {
            m.ack = level;
        }
        let message = message_json(&m, own.as_ref());
        state.webhooks.emit(
            id,
            "message_ack",
            Some(json!({ "message": message, "ack": level.to_i8() })),
        );
    }
}

#[allow(clippy::too_many_arguments)]
async fn on_reaction(
    state: &AppState,
    id: &str,
    chat: &Jid,
    target: &str,
    sender: &Jid,
    emoji: String,
    from_me: bool,
) {
    let t = stored(state, id, chat, target).await;
    let msg_id = match &t {
        Some(t) => MessageId::new(chat, target, t.from_me, t.sender.as_ref()),
        None => MessageId::new(chat, target, !from_me, None),
    };
    let own = own(state, id).await;
    let sender_id = if from_me {
        own.as_ref()
            .map(serialize)
            .unwrap_or_else(|| serialize(sender))
    } else {
        serialize(sender)
    };
    let r = state.webhooks.recent.reaction(id, chat);
    let reaction_id = match &r {
        Some(r) => MessageId::new(chat, &r.id, r.from_me, r.sender.as_ref()),
        None => MessageId::new(chat, "", from_me, Some(sender)),
    };
    let timestamp = r.as_ref().map(|r| r.timestamp).unwrap_or_else(|| {
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    });
    let data = json!({
        "reaction": {
            "id": reaction_id,
            "orphan": i32::from(t.is_none()),
            "orphanReason": t.is_none().then_some("message not found"),
            "timestamp": timestamp,
            "reaction": emoji,
            "read": false,
            "msgId": msg_id,
            "senderId": sender_id,
            "ack": r.map(|r| r.ack.to_i8()),
        }
    });
    state.webhooks.emit(id, "message_reaction", Some(data));
}

/// A chat as whatsapp-web.js serializes the fields this gateway knows.
async fn chat_json(state: &AppState, id: &str, chat: &Jid) -> Value {
    let c = state.manager.store().chat(id, chat).await.ok().flatten();
    let s = serialize(chat);
    let (server, user) = match s.split_once('@') {
        Some((u, srv)) => (srv.to_owned(), u.to_owned()),
        None => (String::new(), s.clone()),
    };
    json!({
        "id": { "server": server, "user": user, "_serialized": s },
        "name": c.as_ref().and_then(|c| c.name.clone()).unwrap_or_else(|| user.clone()),
        "isGroup": chat.is_group(),
        "isReadOnly": false,
        "unreadCount": c.as_ref().map(|c| c.unread_count).unwrap_or(0),
        "timestamp": c.as_ref().and_then(|c| c.last_message_ts),
        "archived": c.as_ref().is_some_and(|c| c.archived),
        "pinned": c.as_ref().is_some_and(|c| c.pinned),
        "isMuted": c.as_ref().is_some_and(|c| c.muted_until.is_some()),
        "muteExpiration": c.as_ref().and_then(|c| c.muted_until).unwrap_or(0),
    })
}

async fn on_chat(state: &AppState, id: &str, chat: &Jid, change: &ChatChange) {
    let w = &state.webhooks;
    match change {
        ChatChange::Archived(now) => {
            let c = chat_json(state, id, chat).await;
            w.emit(
                id,
                "chat_archived",
                Some(json!({ "chat": c, "currState": now, "prevState": !now })),
            );
        }
        ChatChange::Deleted => {
            let c = chat_json(state, id, chat).await;
            w.emit(id, "chat_removed", Some(json!({ "chat": c })));
        }
        ChatChange::MarkedRead(_) => {
            let c = chat_json(state, id, chat).await;
            w.emit(id, "unread_count", Some(json!({ "chat": c })));
        }
        _ => {}
    }
}

/// A message this gateway sent through the API (the reference's
/// `message_create` for own messages, and `media_uploaded` for media).
/// Called by the send routes once the message is accepted.
pub async fn message_sent(state: &AppState, id: &str, message: &StoredMessage) {
    state.webhooks.recent.remember(id, message);
    let own = own(state, id).await;
    let json = message_json(message, own.as_ref());
    if message.media.is_some() {
        state.webhooks.emit(
            id,
            "media_uploaded",
            Some(json!({ "message": json.clone() })),
        );
    }
    state
        .webhooks
        .emit(id, "message_create", Some(json!({ "message": json })));
}
