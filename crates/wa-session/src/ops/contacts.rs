//! Contact operations: registration lookup and about text over `usync`,
//! profile pictures (`w:profile:picture` get), the blocklist
//! (`xmlns="blocklist"`), phone-number formatting, groups in common, and
//! the stored contacts (`Store::contacts`).
//!
//! usync queries are `<iq xmlns="usync" type="get"><usync sid mode="query"
//! context last="true" index="0"><query><contact/>|<status/></query><list>
//! <user>…</user></list></usync></iq>`; the answer has one `<user jid>` per
//! asked user with `<contact type="in|out"/>` or `<status t>text</status>`
//! (`code="401"` when hidden by privacy).

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::group_model::GroupInfo;
use crate::client::server_jid;
use crate::store::Contact;
use crate::{Client, Error, Result};

/// Whether a phone number has a WhatsApp account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredNumber {
    /// The number as asked.
    pub query: String,
    /// The account's JID if registered, `None` if not.
    pub jid: Option<Jid>,
}

/// A user's about (status) text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// The text.
    pub text: String,
    /// When it was set (Unix seconds; 0 if unknown).
    pub set_at: u64,
}

/// Which rendition of a profile picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PictureKind {
    /// The small thumbnail.
    Preview,
    /// The full image.
    Image,
}

impl PictureKind {
    fn as_str(self) -> &'static str {
        match self {
            PictureKind::Preview => "preview",
            PictureKind::Image => "image",
        }
    }
}

/// Where to download a profile (or group) picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfilePicture {
    /// The picture id (changes with every new picture).
    pub id: String,
    /// The download URL.
    pub url: String,
    /// The direct path on the media host.
    pub direct_path: Option<String>,
    /// The rendition the server answered with.
    pub kind: PictureKind,
}

/// A phone number formatted for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormattedNumber {
    /// International format (`+1 555-000-1111`).
    pub international: String,
    /// The calling code (`1`).
    pub country_code: String,
    /// E.164 (`+15550001111`).
    pub e164: String,
}

/// Formats the digits of a phone number (country code first, `+`,
/// spaces and dashes allowed) with libphonenumber's metadata (the
/// `phonenumber` crate).
///
/// # Errors
/// [`Error::InvalidValue`] when the number does not parse.
pub fn format_phone_number(number: &str) -> Result<FormattedNumber> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 17 {
        return Err(Error::InvalidValue("not a phone number".into()));
    }
    let parsed = phonenumber::parse(None, format!("+{digits}"))
        .map_err(|e| Error::InvalidValue(format!("not a phone number: {e}")))?;
    Ok(FormattedNumber {
        international: parsed
            .format()
            .mode(phonenumber::Mode::International)
            .to_string(),
        country_code: parsed.code().value().to_string(),
        e164: parsed.format().mode(phonenumber::Mode::E164).to_string(),
    })
}

/// A new usync session id.
fn usync_sid() -> String {
    let b: [u8; 8] = rand::random();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `<iq xmlns="usync">` asking `protocol` about `users`.
fn usync_iq(context: &'static str, protocol: Node, users: Vec<Node>) -> Node {
    let usync = Node::new("usync")
        .with_attr("sid", usync_sid())
        .with_attr("mode", "query")
        .with_attr("last", "true")
        .with_attr("index", "0")
        .with_attr("context", context)
        .with_child(Node::new("query").with_child(protocol))
        .with_child(Node::new("list").with_children(users));
    Node::new("iq")
        .with_attr("to", server_jid())
        .with_attr("type", "get")
        .with_attr("xmlns", "usync")
        .with_child(usync)
}

/// The `<user>` entries of a usync answer.
fn usync_users(answer: &Node) -> Vec<&Node> {
    answer
        .child_path(&["usync", "list"])
        .map(|l| l.children_by_tag("user").collect())
        .unwrap_or_default()
}

fn picture_get(target: Jid, kind: PictureKind) -> Node {
    Node::new("iq")
        .with_attr("to", server_jid())
        .with_attr("type", "get")
        .with_attr("xmlns", "w:profile:picture")
        .with_attr("target", target)
        .with_child(
            Node::new("picture")
                .with_attr("type", kind.as_str())
                .with_attr("query", "url"),
        )
}

fn blocklist_iq(kind: &'static str) -> Node {
    Node::new("iq")
        .with_attr("to", server_jid())
        .with_attr("type", kind)
        .with_attr("xmlns", "blocklist")
}

fn parse_blocklist(answer: &Node) -> Vec<Jid> {
    answer
        .child("list")
        .map(|l| {
            l.children_by_tag("item")
                .filter_map(|i| i.attr_jid("jid"))
                .collect()
        })
        .unwrap_or_default()
}

fn user_jid(jid: &Jid) -> Result<Jid> {
    match jid.server {
        Server::Pn | Server::Lid => Ok(jid.to_non_ad()),
        _ => Err(Error::InvalidValue(format!("{jid} is not a user JID"))),
    }
}

impl Client {
    /// Which of `numbers` (digits with the country code; `+`, spaces and
    /// dashes allowed) have a WhatsApp account: one entry per number, in
    /// order, with the account's JID or `None`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a number without digits; connection and
    /// server errors.
    pub async fn is_on_whatsapp(&self, numbers: &[&str]) -> Result<Vec<RegisteredNumber>> {
        let mut queries = Vec::with_capacity(numbers.len());
        for n in numbers {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                return Err(Error::InvalidValue(format!("not a phone number: {n:?}")));
            }
            queries.push(digits);
        }
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        let users = queries
            .iter()
            .map(|d| {
                Node::new("user")
                    .with_child(Node::new("contact").with_bytes(format!("+{d}").into_bytes()))
            })
            .collect();
        let answer = self
            .iq(usync_iq("interactive", Node::new("contact"), users))
            .await?;
        // (digits asked, JID, registered). The real server echoes the
        // asked number as the `<contact>` text (its JID may differ from
        // the digits, e.g. after national-prefix rules); without an echo
        // the JID's user is the number.
        let mut found: Vec<(String, Jid, bool)> = Vec::new();
        for u in usync_users(&answer) {
            let Some(jid) = u.attr_jid("jid") else {
                continue;
            };
            let contact = u.child("contact");
            let registered = contact
                .and_then(|c| c.attr_text("type"))
                .is_some_and(|t| t == "in");
            let echoed: String = contact
                .and_then(Node::bytes)
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect()
                })
                .unwrap_or_default();
            let asked = if echoed.is_empty() {
                jid.user.clone()
            } else {
                echoed
            };
            found.push((asked, jid.to_non_ad(), registered));
        }
        Ok(queries
            .into_iter()
            .zip(numbers)
            .map(|(digits, asked)| {
                let jid = found
                    .iter()
                    .find(|(d, _, _)| *d == digits)
                    .filter(|(_, _, registered)| *registered)
                    .map(|(_, j, _)| j.clone());
                RegisteredNumber {
                    query: (*asked).to_owned(),
                    jid,
                }
            })
            .collect())
    }

    /// The JID of the account with phone number `number`, if registered.
    ///
    /// # Errors
    /// As [`Client::is_on_whatsapp`].
    pub async fn number_id(&self, number: &str) -> Result<Option<Jid>> {
        Ok(self
            .is_on_whatsapp(&[number])
            .await?
            .into_iter()
            .next()
            .and_then(|r| r.jid))
    }

    /// The about (status) text of `user`; `None` when the user has none we
    /// may see (privacy, a block, or no answer for the user).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a non-user JID; connection and server
    /// errors.
    pub async fn user_about(&self, user: &Jid) -> Result<Option<About>> {
        let user = user_jid(user)?;
        let users = vec![Node::new("user").with_attr("jid", user.clone())];
        let answer = self
            .iq(usync_iq("interactive", Node::new("status"), users))
            .await?;
        let entry = usync_users(&answer)
            .into_iter()
            .find(|u| u.attr_jid("jid").is_some_and(|j| j.user == user.user));
        let Some(status) = entry.and_then(|u| u.child("status")) else {
            return Ok(None);
        };
        if status.attr("code").is_some_and(|c| c.to_text() != "200") {
            return Ok(None);
        }
        Ok(Some(About {
            text: String::from_utf8_lossy(status.bytes().unwrap_or_default()).into_owned(),
            set_at: status.attr_parse("t").unwrap_or(0),
        }))
    }

    /// The profile picture of `target` (a user or a group); `None` when it
    /// has none.
    ///
    /// # Errors
    /// [`Error::Server`] `401` when privacy or a block hides it; connection
    /// errors.
    pub async fn profile_picture(
        &self,
        target: &Jid,
        kind: PictureKind,
    ) -> Result<Option<ProfilePicture>> {
        let answer = match self.iq(picture_get(target.to_non_ad(), kind)).await {
            Ok(a) => a,
            Err(Error::Server { code: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(p) = answer.child("picture") else {
            return Ok(None);
        };
        let (Some(id), Some(url)) = (p.attr_text("id"), p.attr_text("url")) else {
            return Ok(None);
        };
        Ok(Some(ProfilePicture {
            id: id.into_owned(),
            url: url.into_owned(),
            direct_path: p.attr_text("direct_path").map(|d| d.into_owned()),
            kind: if p.attr_text("type").as_deref() == Some("image") {
                PictureKind::Image
            } else {
                PictureKind::Preview
            },
        }))
    }

    /// Blocks `user`; returns the new blocklist.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a non-user JID; [`Error::Server`].
    pub async fn block_contact(&self, user: &Jid) -> Result<Vec<Jid>> {
        self.change_block(user, "block").await
    }

    /// Unblocks `user`; returns the new blocklist.
    ///
    /// # Errors
    /// As [`Client::block_contact`].
    pub async fn unblock_contact(&self, user: &Jid) -> Result<Vec<Jid>> {
        self.change_block(user, "unblock").await
    }

    async fn change_block(&self, user: &Jid, action: &'static str) -> Result<Vec<Jid>> {
        let user = user_jid(user)?;
        let item = Node::new("item")
            .with_attr("action", action)
            .with_attr("jid", user);
        let answer = self.iq(blocklist_iq("set").with_child(item)).await?;
        Ok(parse_blocklist(&answer))
    }

    /// The blocked users (as the server lists them, usually LIDs).
    ///
    /// # Errors
    /// Connection and server errors.
    pub async fn blocklist(&self) -> Result<Vec<Jid>> {
        let answer = self.iq(blocklist_iq("get")).await?;
        Ok(parse_blocklist(&answer))
    }

    /// The phone number of `user` formatted for display, with its calling
    /// code. A LID is resolved to its phone number through the stored LID
    /// map.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a non-user JID, an unmapped LID or a
    /// number that does not parse; store errors.
    pub async fn formatted_number(&self, user: &Jid) -> Result<FormattedNumber> {
        let user = user_jid(user)?;
        let pn = if user.is_lid() {
            self.store()
                .pn_for_lid(self.session_id(), &user)
                .await?
                .ok_or_else(|| Error::InvalidValue(format!("no phone number known for {user}")))?
        } else {
            user
        };
        format_phone_number(&pn.user)
    }

    /// The groups we share with `user` (from the participating list).
    ///
    /// # Errors
    /// As [`Client::participating_groups`].
    pub async fn common_groups(&self, user: &Jid) -> Result<Vec<GroupInfo>> {
        let user = user_jid(user)?;
        let alt = if user.is_lid() {
            self.store().pn_for_lid(self.session_id(), &user).await?
        } else {
            self.store().lid_for_pn(self.session_id(), &user).await?
        };
        Ok(self
            .participating_groups()
            .await?
            .into_iter()
            .filter(|g| {
                g.participant(&user).is_some()
                    || alt.as_ref().is_some_and(|a| g.participant(a).is_some())
            })
            .collect())
    }

    /// The LID of `user`: itself for a LID; for a phone-number JID the
    /// stored mapping, else the server's answer to a usync `lid` query
    /// (cached with the device list, not stored). `None` when the server
    /// knows none.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a non-user JID; connection and store
    /// errors.
    pub async fn lid_of(&self, user: &Jid) -> Result<Option<Jid>> {
        let user = user_jid(user)?;
        if user.is_lid() {
            return Ok(Some(user));
        }
        if let Some(lid) = self.store().lid_for_pn(self.session_id(), &user).await? {
            return Ok(Some(lid.to_non_ad()));
        }
        match self.user_devices(std::slice::from_ref(&user)).await {
            Ok(found) => Ok(found.get(&user.user).and_then(|c| c.lid.clone())),
            Err(Error::Server { code: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every stored contact, ordered by JID.
    ///
    /// # Errors
    /// Store errors.
    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        self.store().contacts(self.session_id()).await
    }

    /// One stored contact.
    ///
    /// # Errors
    /// Store errors.
    pub async fn contact(&self, user: &Jid) -> Result<Option<Contact>> {
        self.store()
            .contact(self.session_id(), &user.to_non_ad())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        let f = format_phone_number("15550001111").ok();
        assert_eq!(
            f.as_ref()
                .map(|f| (f.international.as_str(), f.country_code.as_str())),
            Some(("+1 555-000-1111", "1"))
        );
        let id = format_phone_number("+62 812-3456-7890").ok();
        assert_eq!(id.as_ref().map(|f| f.country_code.as_str()), Some("62"));
        assert_eq!(id.map(|f| f.e164), Some("+6281234567890".to_owned()));
        assert!(format_phone_number("abc").is_err());
    }
}
