//! `impl Client` convenience calls: build a content with [`super::build`],
//! [`super::poll`] or [`super::interactive`], send it with
//! [`Client::send_message`], and keep our store in step (the sent message is
//! stored, with a poll's secret in its raw bytes; our own edits and revokes
//! update the target like incoming ones do).

use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;

use super::build::{self, ContactCard, Location, MessageRef, TextOptions};
use super::interactive::{self, Buttons, List};
use super::poll::{self, PollSpec};
use crate::client::{Client, content};
use crate::send::SentMessage;
use crate::store::{AckLevel, StoredMessage, WriteBatch};
use crate::{Error, Result};

impl Client {
    /// A stored message of this session.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if there is no such message; store errors.
    pub async fn stored_message(&self, chat: &Jid, id: &str) -> Result<StoredMessage> {
        self.store()
            .message(self.session_id(), chat, id)
            .await?
            .ok_or_else(|| Error::InvalidValue(format!("no message {id} in {chat}")))
    }

    /// Sends `msg` and records it in the store (unless the pipeline already
    /// did), applying `also` in the same commit.
    async fn send_and_keep(
        &self,
        chat: &Jid,
        msg: wa::Message,
        also: WriteBatch,
    ) -> Result<SentMessage> {
        let sent = self.send_message(chat, msg.clone()).await?;
        let mut batch = also;
        let known = self
            .store()
            .message(self.session_id(), &sent.chat, &sent.id)
            .await?;
        if known.is_none()
            && let Some((kind, body)) = content::classify(&msg)
        {
            batch.put_message(StoredMessage {
                chat: sent.chat.clone(),
                id: sent.id.clone(),
                from_me: true,
                sender: self.own_jid().await.ok().map(|j| j.to_non_ad()),
                timestamp: sent.timestamp,
                kind: kind.to_owned(),
                body,
                raw: msg.encode_to_vec(),
                media: crate::media::MediaRef::from_message(&msg).map(|r| r.to_info()),
                ack: AckLevel::Server,
            });
        }
        if !batch.is_empty() {
            self.store().commit(self.commit_context(), batch).await?;
        }
        Ok(sent)
    }

    /// Sends a text: plain, or with mentions, a quoted reply and/or a link
    /// preview ([`build::text`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty text or an undecodable quoted
    /// message; as [`Client::send_message`].
    pub async fn send_text(
        &self,
        chat: &Jid,
        text: &str,
        opts: TextOptions<'_>,
    ) -> Result<SentMessage> {
        let own = self.own_jid().await?;
        let msg = build::text(text, &opts, &own, chat)?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    /// Sends a location pin, optionally as a reply.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for coordinates out of range; as
    /// [`Client::send_message`].
    pub async fn send_location(
        &self,
        chat: &Jid,
        location: &Location,
        quoted: Option<&StoredMessage>,
    ) -> Result<SentMessage> {
        let mut msg = build::location(location)?;
        self.quote(&mut msg, chat, quoted).await?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    /// Sends one contact card (`contactMessage`) or several
    /// (`contactsArrayMessage`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for no cards; as [`Client::send_message`].
    pub async fn send_contacts(
        &self,
        chat: &Jid,
        cards: &[ContactCard],
        quoted: Option<&StoredMessage>,
    ) -> Result<SentMessage> {
        let mut msg = build::contacts(cards)?;
        self.quote(&mut msg, chat, quoted).await?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    /// Creates a poll. Its message secret is stored with the message, so
    /// incoming votes are decrypted into [`crate::Event::PollVote`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an invalid spec ([`poll::creation`]); as
    /// [`Client::send_message`].
    pub async fn send_poll(&self, chat: &Jid, spec: &PollSpec) -> Result<SentMessage> {
        let msg = poll::creation(spec, &mut rand::rng())?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    /// Votes on a stored poll for `selected` option names (empty withdraws
    /// our vote).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if `poll_message` is not a poll with a secret
    /// or an option is not one of the poll's; as [`Client::send_message`].
    pub async fn vote_poll(
        &self,
        poll_message: &StoredMessage,
        selected: &[&str],
    ) -> Result<SentMessage> {
        let content = build::stored_content(poll_message)?;
        let secret = poll::secret_of(&content)
            .ok_or_else(|| Error::InvalidValue("not a poll with a message secret".into()))?;
        let options = poll::option_names(&content);
        if let Some(bad) = selected.iter().find(|s| !options.iter().any(|o| o == *s)) {
            return Err(Error::InvalidValue(format!("{bad:?} is not an option")));
        }
        let device = self.shared().device().await?;
        let own = device
            .jid
            .clone()
            .ok_or_else(|| Error::InvalidState("the session is not paired".into()))?;
        // The vote is keyed by the addresses the stanza will carry: LIDs in
        // a LID chat or for a LID creator (whatsmeow votes as its own LID
        // there), phone numbers otherwise.
        let lid_chat =
            poll_message.chat.is_lid() || poll_message.sender.as_ref().is_some_and(Jid::is_lid);
        let own = match (&device.lid, lid_chat) {
            (Some(lid), true) => lid.clone(),
            _ => own,
        };
        let creator = if poll_message.from_me {
            own.clone()
        } else {
            poll_message
                .sender
                .clone()
                .ok_or_else(|| Error::InvalidValue("the poll has no sender".into()))?
        };
        let msg = poll::vote(
            &MessageRef::of(poll_message),
            &creator,
            &own,
            secret,
            selected,
            crate::clock::now_ms(),
            &mut rand::rng(),
        )?;
        self.send_and_keep(&poll_message.chat, msg, WriteBatch::new())
            .await
    }

    /// Reacts to `target` with `emoji` (empty removes our reaction).
    ///
    /// # Errors
    /// As [`Client::send_message`].
    pub async fn react(&self, target: &MessageRef, emoji: &str) -> Result<SentMessage> {
        let msg = build::reaction(target, emoji, crate::clock::now_ms());
        self.send_and_keep(&target.chat, msg, WriteBatch::new())
            .await
    }

    /// Forwards a stored message to `to` ([`build::forward`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for content that cannot be forwarded; as
    /// [`Client::send_message`].
    pub async fn forward(&self, message: &StoredMessage, to: &Jid) -> Result<SentMessage> {
        let mut msg = build::forward(message)?;
        // A forwarded poll is a new poll: it gets its own secret.
        if poll::poll_of(&msg).is_some() {
            msg.message_context_info = Some(poll::secret_context(&mut rand::rng()));
        }
        self.send_and_keep(to, msg, WriteBatch::new()).await
    }

    /// Deletes our message `id` in `chat` for everyone; the stored copy
    /// becomes kind `revoked`.
    ///
    /// # Errors
    /// As [`Client::send_message`].
    pub async fn revoke(&self, chat: &Jid, id: &str) -> Result<SentMessage> {
        self.revoke_message(&MessageRef::own(chat.clone(), id))
            .await
    }

    /// Deletes `target` for everyone (a group admin may delete another
    /// member's message: `from_me = false` with the sender set).
    ///
    /// # Errors
    /// As [`Client::send_message`].
    pub async fn revoke_message(&self, target: &MessageRef) -> Result<SentMessage> {
        let msg = build::revoke(target);
        let mut also = WriteBatch::new();
        if let Some(mut t) = self
            .store()
            .message(self.session_id(), &target.chat, &target.id)
            .await?
        {
            t.kind = "revoked".into();
            t.body = None;
            t.raw = Vec::new();
            t.media = None;
            also.put_message(t);
        }
        self.send_and_keep(&target.chat, msg, also).await
    }

    /// Edits our text message `id` in `chat`; the stored copy gets the new
    /// body.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty text; as [`Client::send_message`].
    pub async fn edit(&self, chat: &Jid, id: &str, new_text: &str) -> Result<SentMessage> {
        let msg = build::edit(
            &MessageRef::own(chat.clone(), id),
            new_text,
            crate::clock::now_ms(),
        )?;
        let mut also = WriteBatch::new();
        if let Some(mut t) = self.store().message(self.session_id(), chat, id).await?
            && t.from_me
        {
            t.body = Some(new_text.to_owned());
            t.raw = wa::Message {
                conversation: Some(new_text.to_owned()),
                ..Default::default()
            }
            .encode_to_vec();
            also.put_message(t);
        }
        self.send_and_keep(chat, msg, also).await
    }

    /// Sends the REST API's Buttons content as text ([`interactive`]
    /// explains why).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for empty buttons; as [`Client::send_message`].
    pub async fn send_buttons(
        &self,
        chat: &Jid,
        buttons: &Buttons,
        quoted: Option<&StoredMessage>,
    ) -> Result<SentMessage> {
        let mut msg = interactive::buttons(buttons)?;
        self.quote(&mut msg, chat, quoted).await?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    /// Sends the REST API's List content as text.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty list; as [`Client::send_message`].
    pub async fn send_list(
        &self,
        chat: &Jid,
        list: &List,
        quoted: Option<&StoredMessage>,
    ) -> Result<SentMessage> {
        let mut msg = interactive::list(list)?;
        self.quote(&mut msg, chat, quoted).await?;
        self.send_and_keep(chat, msg, WriteBatch::new()).await
    }

    async fn quote(
        &self,
        msg: &mut wa::Message,
        chat: &Jid,
        quoted: Option<&StoredMessage>,
    ) -> Result<()> {
        if let Some(q) = quoted {
            let own = self.own_jid().await?;
            build::set_quote(msg, build::quote_context(q, chat, &own)?)?;
        }
        Ok(())
    }
}
