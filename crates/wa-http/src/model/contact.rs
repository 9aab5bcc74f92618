//! The Contact object, shaped like whatsapp-web.js's `Contact` JSON, and
//! the `{server, user, _serialized}` id form ([`WidJson`]) it and other
//! objects use. A contact is built from what the session knows: its stored
//! contact record (address-book and push names, business name), its own
//! identity, the blocklist and the labels of the contact's chat
//! ([`ContactContext`]).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;
use wa_proto::jid::{Jid, Server};
use wa_session::Client;
use wa_session::store::Contact;

use crate::error::ApiError;
use crate::jid::{serialize, server_name};

/// A WhatsApp id as wwebjs serializes a `Wid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WidJson {
    /// `c.us` (phone-number users), `g.us` (groups), `lid`, `broadcast`.
    pub server: String,
    /// The number, group id or LID.
    pub user: String,
    /// `<user>@<server>`.
    #[serde(rename = "_serialized")]
    pub serialized: String,
}

impl WidJson {
    /// The id of `j` (device dropped).
    pub fn of(j: &Jid) -> Self {
        let j = j.to_non_ad();
        WidJson {
            server: server_name(&j),
            user: j.user.clone(),
            serialized: serialize(&j),
        }
    }
}

impl From<&Jid> for WidJson {
    fn from(j: &Jid) -> Self {
        WidJson::of(j)
    }
}

/// A contact (whatsapp-web.js `Contact`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactJson {
    /// The contact's id (`<number>@c.us`; `<lid>@lid` when only its LID is
    /// known; `<id>@g.us` for a group).
    pub id: WidJson,
    /// The phone number (digits, country code first); the id's user part
    /// for LIDs and groups.
    pub number: String,
    /// A WhatsApp Business account (it has a verified business name).
    pub is_business: bool,
    /// An enterprise (API) account: always `false` (not known to a linked
    /// device).
    pub is_enterprise: bool,
    /// Ids of the labels on the chat with this contact.
    pub labels: Vec<String>,
    /// The name in the address book (full name), if saved.
    pub name: Option<String>,
    /// The name the contact chose (push name), if known.
    pub pushname: Option<String>,
    /// The first name in the address book, if saved.
    pub short_name: Option<String>,
    /// The verified business name, if any.
    pub verified_name: Option<String>,
    /// `in` when the contact is in the address book, `out` otherwise.
    #[serde(rename = "type")]
    pub kind: String,
    /// This account itself.
    pub is_me: bool,
    /// A user (not a group or broadcast).
    pub is_user: bool,
    /// A group.
    pub is_group: bool,
    /// Known to have WhatsApp: the session has a record of it (or it is
    /// us). Use `client/isRegisteredUser` for an authoritative answer.
    #[serde(rename = "isWAContact")]
    pub is_wa_contact: bool,
    /// Saved in the address book.
    pub is_my_contact: bool,
    /// On this account's blocklist.
    pub is_blocked: bool,
}

/// What the session knows beyond a contact record: who we are, whom we
/// blocked, and the labels of each chat. Load it once per request.
#[derive(Debug, Clone, Default)]
pub struct ContactContext {
    me: Vec<Jid>,
    push_name: Option<String>,
    blocked: HashSet<Jid>,
    blocked_order: Vec<Jid>,
    unmapped: bool,
    labels: HashMap<Jid, Vec<String>>,
}

impl ContactContext {
    /// Loads our identity, the labels of the stored chats and, when
    /// `with_blocklist`, the blocklist (one query to WhatsApp; its LIDs are
    /// also known by their phone numbers where the session has the
    /// mapping).
    ///
    /// # Errors
    /// Store errors; the blocklist query's errors.
    pub async fn load(client: &Client, with_blocklist: bool) -> Result<Self, ApiError> {
        let mut ctx = ContactContext::default();
        if let Some(creds) = client.store().device(client.session_id()).await? {
            ctx.me
                .extend(creds.jid.iter().chain(&creds.lid).map(Jid::to_non_ad));
            if !creds.push_name.is_empty() {
                ctx.push_name = Some(creds.push_name);
            }
        }
        for chat in client.chats().await? {
            if !chat.labels.is_empty() {
                ctx.labels.insert(chat.jid.to_non_ad(), chat.labels);
            }
        }
        if with_blocklist {
            for j in client.blocklist().await? {
                let j = j.to_non_ad();
                let pn = if j.is_lid() {
                    client.store().pn_for_lid(client.session_id(), &j).await?
                } else {
                    None
                };
                ctx.blocked.insert(j.clone());
                if let Some(pn) = pn {
                    let pn = pn.to_non_ad();
                    ctx.blocked.insert(pn.clone());
                    ctx.blocked_order.push(pn);
                } else {
                    ctx.unmapped |= j.is_lid();
                    ctx.blocked_order.push(j);
                }
            }
        }
        Ok(ctx)
    }

    /// The blocked users, by phone number where known (else by LID), in
    /// the server's order. Empty unless loaded `with_blocklist`.
    pub fn blocked(&self) -> &[Jid] {
        &self.blocked_order
    }

    /// Whether the blocklist has LIDs whose phone number the session does
    /// not know: then `isBlocked` needs the contact's LID
    /// ([`ContactContext::contact_with_lid`]).
    pub fn needs_lids(&self) -> bool {
        self.unmapped
    }

    /// Whether `jid` is this account.
    pub fn is_me(&self, jid: &Jid) -> bool {
        let j = jid.to_non_ad();
        self.me
            .iter()
            .any(|m| m.user == j.user && m.server == j.server)
    }

    /// The Contact object of `jid` with its stored record, if any.
    pub fn contact(&self, jid: &Jid, stored: Option<&Contact>) -> ContactJson {
        self.contact_with_lid(jid, None, stored)
    }

    /// [`ContactContext::contact`] for a user whose LID is `lid` (a block
    /// by LID counts).
    pub fn contact_with_lid(
        &self,
        jid: &Jid,
        lid: Option<&Jid>,
        stored: Option<&Contact>,
    ) -> ContactJson {
        let jid = jid.to_non_ad();
        let is_blocked = self.blocked.contains(&jid)
            || lid.is_some_and(|l| self.blocked.contains(&l.to_non_ad()));
        let is_me = self.is_me(&jid);
        let name = stored.and_then(|c| c.full_name.clone().or_else(|| c.first_name.clone()));
        let pushname = stored
            .and_then(|c| c.push_name.clone())
            .or_else(|| is_me.then(|| self.push_name.clone()).flatten());
        let verified_name = stored.and_then(|c| c.business_name.clone());
        let is_my_contact = name.is_some();
        ContactJson {
            id: WidJson::from(&jid),
            number: jid.user.clone(),
            is_business: verified_name.is_some(),
            is_enterprise: false,
            labels: self.labels.get(&jid).cloned().unwrap_or_default(),
            name,
            pushname,
            short_name: stored.and_then(|c| c.first_name.clone()),
            verified_name,
            kind: if is_my_contact { "in" } else { "out" }.to_owned(),
            is_me,
            is_user: matches!(jid.server, Server::Pn | Server::Lid),
            is_group: jid.is_group(),
            is_wa_contact: stored.is_some() || is_me,
            is_my_contact,
            is_blocked,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shapes() {
        let w = WidJson::from(&Jid::parse("628111:3@s.whatsapp.net").unwrap());
        assert_eq!(
            (w.server.as_str(), w.user.as_str(), w.serialized.as_str()),
            ("c.us", "628111", "628111@c.us")
        );
        let ctx = ContactContext::default();
        let stored = Contact {
            jid: Jid::pn("628111"),
            first_name: Some("Bo".into()),
            full_name: Some("Bob B".into()),
            push_name: Some("bobby".into()),
            business_name: None,
        };
        let c = ctx.contact(&stored.jid, Some(&stored));
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["id"]["_serialized"], "628111@c.us");
        assert_eq!(v["name"], "Bob B");
        assert_eq!(v["shortName"], "Bo");
        assert_eq!(v["pushname"], "bobby");
        assert_eq!(v["type"], "in");
        assert_eq!(v["isWAContact"], true);
        assert_eq!(v["isMyContact"], true);
        let g = ctx.contact(&Jid::group("1203"), None);
        assert!(g.is_group && !g.is_user && !g.is_wa_contact);
        assert_eq!(g.kind, "out");
    }
}
