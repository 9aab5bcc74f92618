//! Chats: list and get from the store; archive, pin, mute, mark read or
//! unread, clear, delete, star and delete-for-me through app-state mutations
//! (so the account's other devices agree); the push-name setting; and
//! "mark seen" (read receipts for a chat's unread messages plus the
//! app-state mark-read).
//!
//! Index shapes, collections and action versions are WhatsApp's (whatsmeow
//! `appstate/keys.go` and `appstate.go` builders, Baileys
//! `chatModificationToAppPatch`).

use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::sync_action_value as sav;

use crate::Result;
use crate::appstate::{Collection, PendingMutation};
use crate::client::Client;
use crate::store::{AckLevel, Chat, ChatPatch, MessageQuery, UnreadUpdate, WriteBatch};

/// How long to mute a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MuteUntil {
    /// Until unmuted.
    Forever,
    /// Until this unix time (seconds).
    Until(i64),
}

/// A message named by an app-state action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRef {
    /// The chat.
    pub chat: Jid,
    /// The message id.
    pub id: String,
    /// Whether we sent it.
    pub from_me: bool,
    /// The sender in a group (for messages not from us).
    pub participant: Option<Jid>,
}

impl MessageRef {
    /// Index parts after the action name: chat, id, fromMe, participant.
    fn index(&self, action: &str) -> Vec<String> {
        let participant = match (&self.participant, self.from_me, self.chat.is_group()) {
            (Some(p), false, true) => p.to_non_ad().to_string(),
            _ => "0".to_owned(),
        };
        vec![
            action.to_owned(),
            self.chat.to_string(),
            self.id.clone(),
            if self.from_me { "1" } else { "0" }.to_owned(),
            participant,
        ]
    }
}

fn chat_index(action: &str, chat: &Jid) -> Vec<String> {
    vec![action.to_owned(), chat.to_string()]
}

impl Client {
    /// Every chat the store knows.
    ///
    /// # Errors
    /// Store errors.
    pub async fn chats(&self) -> Result<Vec<Chat>> {
        self.store().chats(self.session_id()).await
    }

    /// One chat.
    ///
    /// # Errors
    /// Store errors.
    pub async fn chat(&self, jid: &Jid) -> Result<Option<Chat>> {
        self.store().chat(self.session_id(), jid).await
    }

    /// The range of messages an action covers: the chat's newest message
    /// (WhatsApp sends it with archive, mark-read, clear and delete).
    async fn message_range(&self, chat: &Jid) -> Result<sav::SyncActionMessageRange> {
        let last = self
            .store()
            .messages(self.session_id(), &MessageQuery::new(1).chat(chat.clone()))
            .await?;
        let mut range = sav::SyncActionMessageRange::default();
        if let Some(m) = last.last() {
            range.last_message_timestamp = Some(m.timestamp);
            range.messages.push(sav::SyncActionMessage {
                key: Some(wa::MessageKey {
                    remote_jid: Some(chat.to_string()),
                    from_me: Some(m.from_me),
                    id: Some(m.id.clone()),
                    participant: if chat.is_group() && !m.from_me {
                        m.sender.as_ref().map(|s| s.to_string())
                    } else {
                        None
                    },
                }),
                timestamp: Some(m.timestamp),
            });
        }
        Ok(range)
    }

    /// Archives (`true`) or unarchives a chat.
    ///
    /// # Errors
    /// [`crate::Error::InvalidState`] before the phone shared an app-state
    /// key; [`crate::Error::Conflict`] when pushes keep conflicting; IQ and
    /// store errors.
    pub async fn archive_chat(&self, chat: &Jid, archived: bool) -> Result<()> {
        let value = wa::SyncActionValue {
            archive_chat_action: Some(sav::ArchiveChatAction {
                archived: Some(archived),
                message_range: Some(self.message_range(chat).await?),
            }),
            ..Default::default()
        };
        self.push_one(
            Collection::RegularLow,
            chat_index("archive", chat),
            3,
            value,
        )
        .await
    }

    /// Pins (`true`) or unpins a chat.
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn pin_chat(&self, chat: &Jid, pinned: bool) -> Result<()> {
        let value = wa::SyncActionValue {
            pin_action: Some(sav::PinAction {
                pinned: Some(pinned),
            }),
            ..Default::default()
        };
        self.push_one(Collection::RegularLow, chat_index("pin_v1", chat), 5, value)
            .await
    }

    /// Mutes a chat (`Some`) or unmutes it (`None`).
    ///
    /// # Errors
    /// As [`Client::archive_chat`]; [`crate::Error::InvalidValue`] for a
    /// mute end in the past.
    pub async fn mute_chat(&self, chat: &Jid, until: Option<MuteUntil>) -> Result<()> {
        let end_ms = match until {
            None => None,
            Some(MuteUntil::Forever) => Some(-1),
            Some(MuteUntil::Until(t)) => {
                if t <= crate::clock::now_secs() {
                    return Err(crate::Error::InvalidValue("mute end is in the past".into()));
                }
                Some(t.saturating_mul(1000))
            }
        };
        let value = wa::SyncActionValue {
            mute_action: Some(sav::MuteAction {
                muted: Some(until.is_some()),
                mute_end_timestamp: end_ms,
                auto_muted: None,
            }),
            ..Default::default()
        };
        self.push_one(Collection::RegularHigh, chat_index("mute", chat), 2, value)
            .await
    }

    /// Marks a chat unread (`true`) or read (app state only; see
    /// [`Client::mark_seen`] for read receipts).
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn mark_chat_unread(&self, chat: &Jid, unread: bool) -> Result<()> {
        let value = wa::SyncActionValue {
            mark_chat_as_read_action: Some(sav::MarkChatAsReadAction {
                read: Some(!unread),
                message_range: Some(self.message_range(chat).await?),
            }),
            ..Default::default()
        };
        self.push_one(
            Collection::RegularLow,
            chat_index("markChatAsRead", chat),
            3,
            value,
        )
        .await
    }

    /// Deletes every message of a chat, keeping the chat (starred messages
    /// included).
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn clear_chat(&self, chat: &Jid) -> Result<()> {
        let value = wa::SyncActionValue {
            clear_chat_action: Some(sav::ClearChatAction {
                message_range: Some(self.message_range(chat).await?),
            }),
            ..Default::default()
        };
        let index = vec![
            "clearChat".to_owned(),
            chat.to_string(),
            "1".to_owned(),
            "0".to_owned(),
        ];
        self.push_one(Collection::RegularHigh, index, 6, value)
            .await
    }

    /// Deletes a chat with its messages.
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn delete_chat(&self, chat: &Jid) -> Result<()> {
        let value = wa::SyncActionValue {
            delete_chat_action: Some(sav::DeleteChatAction {
                message_range: Some(self.message_range(chat).await?),
            }),
            ..Default::default()
        };
        let index = vec!["deleteChat".to_owned(), chat.to_string(), "1".to_owned()];
        self.push_one(Collection::RegularHigh, index, 6, value)
            .await
    }

    /// Stars (`true`) or unstars a message.
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn star_message(&self, message: &MessageRef, starred: bool) -> Result<()> {
        let value = wa::SyncActionValue {
            star_action: Some(sav::StarAction {
                starred: Some(starred),
            }),
            ..Default::default()
        };
        self.push_one(Collection::RegularLow, message.index("star"), 2, value)
            .await
    }

    /// Deletes a message on this account's devices only.
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn delete_message_for_me(&self, message: &MessageRef) -> Result<()> {
        let stored = self
            .store()
            .message(self.session_id(), &message.chat, &message.id)
            .await?;
        let value = wa::SyncActionValue {
            delete_message_for_me_action: Some(sav::DeleteMessageForMeAction {
                delete_media: Some(false),
                message_timestamp: stored.map(|m| m.timestamp),
            }),
            ..Default::default()
        };
        self.push_one(
            Collection::RegularHigh,
            message.index("deleteMessageForMe"),
            3,
            value,
        )
        .await
    }

    /// Sets our push (display) name for every device of the account
    /// (`setting_pushName`); the stored credentials take it too.
    ///
    /// # Errors
    /// As [`Client::archive_chat`]; [`crate::Error::InvalidValue`] for an
    /// empty name.
    pub async fn set_push_name(&self, name: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(crate::Error::InvalidValue("empty push name".into()));
        }
        let value = wa::SyncActionValue {
            push_name_setting: Some(sav::PushNameSetting {
                name: Some(name.to_owned()),
            }),
            ..Default::default()
        };
        self.push_one(
            Collection::CriticalBlock,
            vec!["setting_pushName".to_owned()],
            1,
            value,
        )
        .await
    }

    /// Marks a chat seen: sends read receipts for its unread incoming
    /// messages (one `<receipt type="read">` per sender, further ids in
    /// `<list><item id/>`), records them as read, then marks the chat read
    /// through app state. Returns the ids receipted.
    ///
    /// # Errors
    /// [`crate::Error::NotConnected`]; as [`Client::archive_chat`].
    pub async fn mark_seen(&self, chat: &Jid) -> Result<Vec<String>> {
        let messages = self
            .store()
            .messages(
                self.session_id(),
                &MessageQuery::new(500).chat(chat.clone()).from_me(false),
            )
            .await?;
        let unread: Vec<_> = messages
            .into_iter()
            .filter(|m| m.ack < AckLevel::Read)
            .collect();
        // Group by sender (groups need one receipt per participant).
        let mut by_sender: Vec<(Option<Jid>, Vec<String>)> = Vec::new();
        for m in &unread {
            let sender = if chat.is_group() {
                m.sender.clone()
            } else {
                None
            };
            match by_sender.iter_mut().find(|(s, _)| *s == sender) {
                Some((_, ids)) => ids.push(m.id.clone()),
                None => by_sender.push((sender, vec![m.id.clone()])),
            }
        }
        let t = crate::clock::now_secs().to_string();
        for (sender, ids) in &by_sender {
            let Some((first, rest)) = ids.split_first() else {
                continue;
            };
            let mut r = Node::new("receipt")
                .with_attr("id", first.clone())
                .with_attr("to", chat.clone())
                .with_attr("type", "read")
                .with_attr("t", t.clone());
            if let Some(p) = sender {
                r = r.with_attr("participant", p.clone());
            }
            if !rest.is_empty() {
                r = r.with_child(
                    Node::new("list").with_children(
                        rest.iter()
                            .map(|id| Node::new("item").with_attr("id", id.clone())),
                    ),
                );
            }
            self.send_node(r).await?;
        }
        let mut batch = WriteBatch::new();
        for m in &unread {
            batch.set_message_ack(chat, &m.id, AckLevel::Read);
        }
        batch.patch_chat(ChatPatch::new(chat.clone()).unread(UnreadUpdate::Set(0)));
        self.store().commit(self.commit_context(), batch).await?;
        self.mark_chat_unread(chat, false).await?;
        Ok(unread.into_iter().map(|m| m.id).collect())
    }

    /// Pushes one SET mutation.
    pub(crate) async fn push_one(
        &self,
        collection: Collection,
        index: Vec<String>,
        version: i32,
        value: wa::SyncActionValue,
    ) -> Result<()> {
        self.push_mutations(vec![PendingMutation::set(
            collection, index, version, value,
        )])
        .await
    }
}
