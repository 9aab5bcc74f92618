//! Presence and chat states: `<presence type="available|unavailable"
//! name=PUSH_NAME/>` (the push name from the stored credentials), `<presence
//! type="subscribe" to/>` to watch a contact, and `<chatstate to>` with
//! `<composing/>`, `<composing media="audio"/>` (recording) or `<paused/>`.
//! None of these is answered; they are plain stanzas.

use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use crate::{Client, Error, Result};

/// Our availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Presence {
    /// Online.
    Available,
    /// Offline.
    Unavailable,
}

/// What we are doing in a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChatState {
    /// Typing.
    Composing,
    /// Recording a voice note.
    Recording,
    /// Stopped typing or recording.
    Paused,
}

impl ChatState {
    fn node(self) -> Node {
        match self {
            ChatState::Composing => Node::new("composing"),
            ChatState::Recording => Node::new("composing").with_attr("media", "audio"),
            ChatState::Paused => Node::new("paused"),
        }
    }
}

impl Client {
    /// Announces our presence. The stored push name goes along (the server
    /// shows it to contacts and needs it before presence is accepted).
    ///
    /// # Errors
    /// [`Error::NotConnected`]; store errors.
    pub async fn send_presence(&self, presence: Presence) -> Result<()> {
        let creds = self.shared().device().await?;
        let kind = match presence {
            Presence::Available => "available",
            Presence::Unavailable => "unavailable",
        };
        let mut node = Node::new("presence").with_attr("type", kind);
        if !creds.push_name.is_empty() {
            node.attrs.insert("name", creds.push_name);
        }
        self.send_node(node).await
    }

    /// Subscribes to `user`'s presence; updates arrive as `<presence>`
    /// stanzas from the server.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a group or server JID;
    /// [`Error::NotConnected`].
    pub async fn subscribe_presence(&self, user: &Jid) -> Result<()> {
        if user.is_group() || user.user.is_empty() {
            return Err(Error::InvalidValue(format!("{user} is not a user JID")));
        }
        let node = Node::new("presence")
            .with_attr("type", "subscribe")
            .with_attr("to", user.to_non_ad());
        self.send_node(node).await
    }

    /// Tells `chat` (a user or a group) that we are typing, recording or
    /// have paused.
    ///
    /// # Errors
    /// [`Error::InvalidState`] until paired; [`Error::NotConnected`].
    pub async fn send_chat_state(&self, chat: &Jid, state: ChatState) -> Result<()> {
        let me = self.own_jid().await?.to_non_ad();
        let node = Node::new("chatstate")
            .with_attr("from", me)
            .with_attr("to", chat.to_non_ad())
            .with_child(state.node());
        self.send_node(node).await
    }
}
