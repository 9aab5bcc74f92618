//! One decrypted mutation as store writes and events. Unknown actions are
//! skipped (their MACs are still stored, so the LTHash stays right).

use std::collections::HashSet;

use wa_proto::appstate::Operation;
use wa_proto::jid::Jid;

use super::decode::Decoded;
use super::{ChatChange, LabelChange, MessageChange};
use crate::Result;
use crate::client::Event;
use crate::store::{
    ChatPatch, ContactPatch, DeviceCredentials, Label, Store, UnreadUpdate, WriteBatch,
};

/// A mute end on the wire (unix milliseconds, `-1` forever) in the store's
/// unit (unix seconds, `-1` forever).
fn mute_end(muted: bool, end_ms: Option<i64>) -> Option<i64> {
    if !muted {
        return None;
    }
    match end_ms {
        Some(ms) if ms > 0 => Some(ms / 1000),
        _ => Some(-1),
    }
}

fn chat_change(
    batch: &mut WriteBatch,
    events: &mut Vec<Event>,
    jid: &Option<Jid>,
    patch: Option<ChatPatch>,
    change: ChatChange,
) {
    if let Some(j) = jid {
        if let Some(p) = patch {
            batch.patch_chat(p);
        }
        events.push(Event::ChatUpdated {
            chat: j.clone(),
            change,
        });
    }
}

/// Applies mutations of one patch, remembering what the batch already did.
pub(crate) struct Applier<'a> {
    store: &'a dyn Store,
    session: &'a str,
    labels: Option<HashSet<String>>,
    device: Option<DeviceCredentials>,
}

impl<'a> Applier<'a> {
    pub(crate) fn new(store: &'a dyn Store, session: &'a str) -> Self {
        Self {
            store,
            session,
            labels: None,
            device: None,
        }
    }

    async fn known_labels(&mut self) -> Result<&mut HashSet<String>> {
        if self.labels.is_none() {
            let ids = self
                .store
                .labels(self.session)
                .await?
                .into_iter()
                .map(|l| l.id)
                .collect();
            self.labels = Some(ids);
        }
        Ok(self.labels.get_or_insert_with(HashSet::new))
    }

    /// Adds the effect of `m` to `batch` and the events to report after the
    /// commit to `events`.
    ///
    /// # Errors
    /// Store read errors.
    pub(crate) async fn apply(
        &mut self,
        m: &Decoded,
        batch: &mut WriteBatch,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let kind = m.index.first().map(String::as_str).unwrap_or_default();
        let jid = m.index.get(1).and_then(|s| s.parse::<Jid>().ok());
        let set = m.op == Operation::Set;
        let v = &m.value;
        match kind {
            "mute" => {
                let a = v.mute_action.unwrap_or_default();
                let until = mute_end(set && a.muted.unwrap_or(false), a.mute_end_timestamp);
                let p = jid.clone().map(|j| ChatPatch::new(j).muted_until(until));
                chat_change(batch, events, &jid, p, ChatChange::Muted(until));
            }
            "archive" => {
                let on = set
                    && v.archive_chat_action
                        .as_ref()
                        .and_then(|a| a.archived)
                        .unwrap_or(false);
                let p = jid.clone().map(|j| ChatPatch::new(j).archived(on));
                chat_change(batch, events, &jid, p, ChatChange::Archived(on));
            }
            "pin_v1" => {
                let on = set
                    && v.pin_action
                        .as_ref()
                        .and_then(|a| a.pinned)
                        .unwrap_or(false);
                let p = jid.clone().map(|j| ChatPatch::new(j).pinned(on));
                chat_change(batch, events, &jid, p, ChatChange::Pinned(on));
            }
            "markChatAsRead" => {
                let read = v
                    .mark_chat_as_read_action
                    .as_ref()
                    .and_then(|a| a.read)
                    .unwrap_or(true);
                let p = jid.clone().map(|j| {
                    ChatPatch::new(j).unread(UnreadUpdate::Set(if read { 0 } else { -1 }))
                });
                chat_change(batch, events, &jid, p, ChatChange::MarkedRead(read));
            }
            "clearChat" if set => {
                if let Some(j) = &jid {
                    batch.clear_chat(j);
                }
                chat_change(batch, events, &jid, None, ChatChange::Cleared);
            }
            "deleteChat" if set => {
                if let Some(j) = &jid {
                    batch.delete_chat(j);
                }
                chat_change(batch, events, &jid, None, ChatChange::Deleted);
            }
            "star" | "deleteMessageForMe" => {
                let (Some(chat), Some(id)) = (jid, m.index.get(2)) else {
                    return Ok(());
                };
                let from_me = m.index.get(3).map(String::as_str) == Some("1");
                let change = if kind == "star" {
                    let on = set
                        && v.star_action
                            .as_ref()
                            .and_then(|a| a.starred)
                            .unwrap_or(false);
                    batch.set_message_starred(&chat, id, on);
                    MessageChange::Starred(on)
                } else if set {
                    batch.delete_message(&chat, id);
                    MessageChange::DeletedForMe
                } else {
                    return Ok(());
                };
                events.push(Event::MessageUpdated {
                    chat,
                    id: id.clone(),
                    from_me,
                    change,
                });
            }
            "label_edit" => {
                let Some(id) = m.index.get(1) else {
                    return Ok(());
                };
                let a = v.label_edit_action.clone().unwrap_or_default();
                let labels = self.known_labels().await?;
                if !set || a.deleted.unwrap_or(false) {
                    labels.remove(id);
                    batch.delete_label(id);
                    events.push(Event::LabelsUpdated(LabelChange::Deleted(id.clone())));
                } else {
                    labels.insert(id.clone());
                    let label = Label {
                        id: id.clone(),
                        name: a.name.unwrap_or_default(),
                        color: a.color.unwrap_or(0),
                    };
                    batch.put_label(label.clone());
                    events.push(Event::LabelsUpdated(LabelChange::Edited(label)));
                }
            }
            "label_jid" => {
                let (Some(label), Some(chat)) = (
                    m.index.get(1),
                    m.index.get(2).and_then(|s| s.parse::<Jid>().ok()),
                ) else {
                    return Ok(());
                };
                let labeled = set
                    && v.label_association_action
                        .as_ref()
                        .and_then(|a| a.labeled)
                        .unwrap_or(false);
                if labeled {
                    // An association may arrive before its label: keep it
                    // under a placeholder the label edit later fills in.
                    let labels = self.known_labels().await?;
                    if labels.insert(label.clone()) {
                        batch.put_label(Label {
                            id: label.clone(),
                            name: String::new(),
                            color: 0,
                        });
                    }
                    batch.add_chat_label(&chat, label);
                } else {
                    batch.remove_chat_label(&chat, label);
                }
                events.push(Event::LabelsUpdated(LabelChange::Chat {
                    chat,
                    label: label.clone(),
                    labeled,
                }));
            }
            "contact" if set => {
                let (Some(j), Some(a)) = (jid, v.contact_action.as_ref()) else {
                    return Ok(());
                };
                batch.patch_contact(
                    ContactPatch::new(j.clone()).names(a.first_name.clone(), a.full_name.clone()),
                );
                events.push(Event::ContactUpdated {
                    jid: j,
                    first_name: a.first_name.clone(),
                    full_name: a.full_name.clone(),
                });
            }
            "setting_pushName" if set => {
                let Some(name) = v.push_name_setting.as_ref().and_then(|p| p.name.clone()) else {
                    return Ok(());
                };
                if self.device.is_none() {
                    self.device = self.store.device(self.session).await?;
                }
                if let Some(d) = self.device.as_mut() {
                    d.push_name = name.clone();
                    batch.put_device(d.clone());
                }
                events.push(Event::PushNameUpdated { name });
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::mute_end;

    #[test]
    fn mute_ends_become_seconds_and_forever_is_minus_one() {
        assert_eq!(mute_end(false, Some(1_700_000_000_000)), None);
        assert_eq!(mute_end(true, Some(1_700_000_000_000)), Some(1_700_000_000));
        assert_eq!(mute_end(true, Some(-1)), Some(-1));
        assert_eq!(mute_end(true, None), Some(-1));
    }
}
