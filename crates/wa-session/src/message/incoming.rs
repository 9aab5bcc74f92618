//! Incoming modifications of earlier messages, turned into typed events and
//! store updates in the same batch as the message that carried them:
//!
//! | content | event | store |
//! |---|---|---|
//! | `reactionMessage` | [`Event::Reaction`] | the reaction is stored as a message (`reaction`) |
//! | `protocolMessage` `REVOKE` | [`Event::Revoked`] | the target becomes kind `revoked`, body and content cleared |
//! | `protocolMessage` `MESSAGE_EDIT` | [`Event::Edited`] | the target's body and content become the new ones |
//! | `pollUpdateMessage` | [`Event::PollVote`] | the vote is decrypted with the poll's stored secret; the vote's body lists the chosen names |
//!
//! Revokes and edits of a stored message only apply (and raise an event)
//! when their sender is the target's sender. A group admin's delete of
//! someone else's message is ignored too: without the group's admin list
//! here it cannot be told from a forgery by any member. Revokes and edits
//! of messages we do not have raise the event without a store change. A vote whose poll is unknown or that does not authenticate is kept
//! as an undecrypted `poll_vote` message without an event.

use prost::Message as _;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use super::poll::{self, VoteParties};
use crate::client::content;
use crate::client::event::Event;
use crate::store::{Store, StoredMessage, WriteBatch};

/// What the receive pipeline knows about one incoming message.
#[derive(Debug)]
pub(crate) struct Incoming<'a> {
    /// The stanza (for the alternate-address attributes).
    pub(crate) node: &'a Node,
    /// The chat.
    pub(crate) chat: &'a Jid,
    /// The sender (any device).
    pub(crate) sender: &'a Jid,
    /// Sent by one of our devices.
    pub(crate) from_me: bool,
    /// Our phone-number and LID JIDs, when known.
    pub(crate) own: [Option<&'a Jid>; 2],
}

impl Incoming<'_> {
    /// Every `user@server` form of the sender: the stanza's sender and the
    /// PN/LID alternates the server added.
    fn sender_forms(&self) -> Vec<Jid> {
        let mut out = vec![self.sender.to_non_ad()];
        if self.from_me {
            out.extend(self.own.iter().flatten().map(|j| j.to_non_ad()));
        }
        for attr in [
            "participant_pn",
            "participant_lid",
            "sender_pn",
            "sender_lid",
        ] {
            if let Some(j) = self.node.attr_jid(attr) {
                out.push(j.to_non_ad());
            }
        }
        dedup(out)
    }

    fn is_sender(&self, jid: Option<&Jid>) -> bool {
        jid.is_some_and(|j| self.sender_forms().contains(&j.to_non_ad()))
    }
}

fn dedup(v: Vec<Jid>) -> Vec<Jid> {
    let mut out: Vec<Jid> = Vec::with_capacity(v.len());
    for j in v {
        if !out.contains(&j) {
            out.push(j);
        }
    }
    out
}

/// The target message of a modification: looked up in the stanza's chat,
/// in a 1:1 chat also under the sender's other address (PN or LID: the chat
/// may be stored under either), then under the key's `remoteJid` (the chat
/// as the sender sees it, which in a 1:1 chat is us).
async fn target(
    store: &dyn Store,
    session: &str,
    inc: &Incoming<'_>,
    key: &wa::MessageKey,
) -> Option<StoredMessage> {
    let id = key.id.as_deref().filter(|i| !i.is_empty())?;
    let mut chats = vec![inc.chat.clone()];
    if !inc.chat.is_group() && !inc.chat.is_broadcast() && !inc.from_me {
        chats.extend(inc.sender_forms());
    }
    chats.extend(
        key.remote_jid
            .as_deref()
            .and_then(|r| Jid::parse(r).ok())
            .map(|j| j.to_non_ad()),
    );
    for chat in dedup(chats) {
        if let Ok(Some(m)) = store.message(session, &chat, id).await {
            return Some(m);
        }
    }
    None
}

/// Classifies `messages` (the decrypted contents of one stanza) and adds
/// the store updates to `batch`; `stored` is the stanza's own message as it
/// will be stored (its body may be filled in, e.g. a vote's choices).
/// Returns the typed events to emit after the commit.
pub(crate) async fn apply(
    store: &dyn Store,
    session: &str,
    inc: &Incoming<'_>,
    messages: &[wa::Message],
    stored: Option<&mut StoredMessage>,
    batch: &mut WriteBatch,
) -> Vec<Event> {
    let Some(msg) = messages.iter().find(|m| content::classify(m).is_some()) else {
        return Vec::new();
    };
    let m = content::unwrap(msg);
    let chat = inc.chat.clone();
    let sender = inc.sender.to_non_ad();
    if let Some(r) = &m.reaction_message {
        let Some(id) = r.key.as_ref().and_then(|k| k.id.clone()) else {
            return Vec::new();
        };
        return vec![Event::Reaction {
            chat,
            id,
            sender,
            emoji: r.text.clone().unwrap_or_default(),
            from_me: inc.from_me,
        }];
    }
    if let Some(p) = &m.protocol_message {
        let Some(key) = &p.key else {
            return Vec::new();
        };
        let kind = p.r#type.and_then(|t| ProtocolType::try_from(t).ok());
        let target = target(store, session, inc, key).await;
        let author = |t: &StoredMessage| {
            (t.from_me && inc.from_me) || (!t.from_me && inc.is_sender(t.sender.as_ref()))
        };
        match kind {
            Some(ProtocolType::Revoke) => {
                let id = key.id.clone().unwrap_or_default();
                if let Some(mut t) = target {
                    // A group admin's delete of another member's message
                    // is not applied: without the group's admin list here
                    // it cannot be told from a forgery by any member.
                    if !author(&t) {
                        return Vec::new();
                    }
                    t.kind = "revoked".into();
                    t.body = None;
                    t.raw = Vec::new();
                    t.media = None;
                    batch.put_message(t);
                }
                return vec![Event::Revoked { chat, id, sender }];
            }
            Some(ProtocolType::MessageEdit) => {
                let id = key.id.clone().unwrap_or_default();
                let Some(new) = p.edited_message.as_deref() else {
                    return Vec::new();
                };
                let text = content::classify(new).and_then(|(_, t)| t);
                if let Some(mut t) = target {
                    if !author(&t) {
                        return Vec::new();
                    }
                    t.body = text.clone();
                    t.raw = new.encode_to_vec();
                    batch.put_message(t);
                }
                return vec![Event::Edited {
                    chat,
                    id,
                    sender,
                    text,
                }];
            }
            _ => return Vec::new(),
        }
    }
    if let Some(u) = &m.poll_update_message {
        let (Some(key), Some(vote)) = (&u.poll_creation_message_key, &u.vote) else {
            return Vec::new();
        };
        let Some(poll_msg) = target(store, session, inc, key).await else {
            tracing::debug!("poll vote for an unknown poll");
            return Vec::new();
        };
        let creators = creator_forms(store, session, inc, &poll_msg).await;
        let Some(selected) = decrypt_vote(inc, &poll_msg, &creators, vote) else {
            tracing::debug!("poll vote did not authenticate");
            return Vec::new();
        };
        if let Some(s) = stored {
            s.body = Some(selected.join(", "));
        }
        return vec![Event::PollVote {
            chat,
            poll_id: poll_msg.id,
            voter: sender,
            selected_options: selected,
        }];
    }
    Vec::new()
}

/// Every known `user@server` form of the poll's creator: ours (PN and LID)
/// for our polls, else the stored sender, its PN/LID counterpart from the
/// store's LID map, and the voter's forms when the voter is the creator.
async fn creator_forms(
    store: &dyn Store,
    session: &str,
    inc: &Incoming<'_>,
    poll_msg: &StoredMessage,
) -> Vec<Jid> {
    if poll_msg.from_me {
        return dedup(inc.own.iter().flatten().map(|j| j.to_non_ad()).collect());
    }
    let Some(s) = poll_msg.sender.as_ref().map(Jid::to_non_ad) else {
        return Vec::new();
    };
    let alt = if s.is_lid() {
        store.pn_for_lid(session, &s).await
    } else {
        store.lid_for_pn(session, &s).await
    };
    let mut out = vec![s.clone()];
    out.extend(alt.ok().flatten().map(|j| j.to_non_ad()));
    if inc.sender_forms().contains(&s) {
        out.extend(inc.sender_forms());
    }
    dedup(out)
}

/// Tries every known address form of the poll's creator and of the voter
/// (the vote is keyed by the forms the voter's client used, PN or LID); the
/// GCM tag tells which one is right.
fn decrypt_vote(
    inc: &Incoming<'_>,
    poll_msg: &StoredMessage,
    creators: &[Jid],
    vote: &wa::message::PollEncValue,
) -> Option<Vec<String>> {
    let content = wa::Message::decode(poll_msg.raw.as_slice()).ok()?;
    let content = content::unwrap(&content);
    let secret = poll::secret_of(content)?;
    let options = poll::option_names(content);
    for creator in creators {
        for voter in inc.sender_forms() {
            let parties = VoteParties {
                poll_id: poll_msg.id.clone(),
                creator: creator.clone(),
                voter,
            };
            if let Ok(hashes) = poll::decrypt_vote(secret, &parties, vote) {
                return Some(poll::names_for(&hashes, &options));
            }
        }
    }
    None
}
