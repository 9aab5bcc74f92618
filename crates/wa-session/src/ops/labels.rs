//! WhatsApp Business labels: list, get, chats by label from the store;
//! create, edit, delete and (un)assign to chats through app-state
//! mutations (`label_edit` and `label_jid` records in `regular`).

use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::sync_action_value as sav;

use crate::Result;
use crate::appstate::Collection;
use crate::client::Client;
use crate::store::{Chat, Label};

/// `LabelAssociationType.Chat` index name (Baileys `LabelAssociationType`).
const LABEL_CHAT: &str = "label_jid";

impl Client {
    /// Every label.
    ///
    /// # Errors
    /// Store errors.
    pub async fn labels(&self) -> Result<Vec<Label>> {
        self.store().labels(self.session_id()).await
    }

    /// One label.
    ///
    /// # Errors
    /// Store errors.
    pub async fn label(&self, id: &str) -> Result<Option<Label>> {
        Ok(self.labels().await?.into_iter().find(|l| l.id == id))
    }

    /// The chats a label is attached to.
    ///
    /// # Errors
    /// Store errors.
    pub async fn chats_with_label(&self, id: &str) -> Result<Vec<Chat>> {
        self.store().chats_with_label(self.session_id(), id).await
    }

    /// Creates or edits a label (name and color index).
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] for an empty id or name; as
    /// [`Client::archive_chat`].
    pub async fn put_label(&self, label: &Label) -> Result<()> {
        if label.id.is_empty() || label.name.is_empty() {
            return Err(crate::Error::InvalidValue(
                "label id and name must be set".into(),
            ));
        }
        self.label_edit(
            &label.id,
            Some(label.name.clone()),
            Some(label.color),
            false,
        )
        .await
    }

    /// Deletes a label (and its assignments).
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn delete_label(&self, id: &str) -> Result<()> {
        let existing = self.label(id).await?;
        self.label_edit(
            id,
            existing.as_ref().map(|l| l.name.clone()),
            existing.map(|l| l.color),
            true,
        )
        .await
    }

    async fn label_edit(
        &self,
        id: &str,
        name: Option<String>,
        color: Option<i32>,
        deleted: bool,
    ) -> Result<()> {
        let value = wa::SyncActionValue {
            label_edit_action: Some(sav::LabelEditAction {
                name,
                color,
                deleted: Some(deleted),
                ..Default::default()
            }),
            ..Default::default()
        };
        let index = vec!["label_edit".to_owned(), id.to_owned()];
        self.push_one(Collection::Regular, index, 3, value).await
    }

    /// Attaches a label to a chat.
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] for an unknown label; as
    /// [`Client::archive_chat`].
    pub async fn add_chat_label(&self, chat: &Jid, label: &str) -> Result<()> {
        if self.label(label).await?.is_none() {
            return Err(crate::Error::InvalidValue(format!(
                "unknown label {label:?}"
            )));
        }
        self.label_chat(chat, label, true).await
    }

    /// Detaches a label from a chat.
    ///
    /// # Errors
    /// As [`Client::archive_chat`].
    pub async fn remove_chat_label(&self, chat: &Jid, label: &str) -> Result<()> {
        self.label_chat(chat, label, false).await
    }

    async fn label_chat(&self, chat: &Jid, label: &str, labeled: bool) -> Result<()> {
        let value = wa::SyncActionValue {
            label_association_action: Some(sav::LabelAssociationAction {
                labeled: Some(labeled),
            }),
            ..Default::default()
        };
        let index = vec![LABEL_CHAT.to_owned(), label.to_owned(), chat.to_string()];
        self.push_one(Collection::Regular, index, 3, value).await
    }
}
