//! Builders for the non-media message contents: text (mentions, link
//! preview, quoted replies), location, contacts, reactions, forwards,
//! revokes and edits. Pure functions producing a `wa.Message`; the send
//! pipeline derives the stanza attributes (`type`, `edit`, `mediatype`) from
//! the message itself.
//!
//! Shapes follow what Baileys (`lib/Utils/messages.js`,
//! `generateWAMessageContent`/`generateWAMessageFromContent`) and whatsmeow
//! (`send.go` `BuildRevoke`/`BuildReaction`/`BuildEdit`/`BuildMessageKey`)
//! send.

use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_proto::proto::wa::message::protocol_message::Type as ProtocolType;

use crate::client::content;
use crate::store::StoredMessage;
use crate::{Error, Result};

/// Which message another message refers to (the fields of a
/// `wa.MessageKey`): the target of a reaction, revoke, edit or poll vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRef {
    /// The chat the message is in.
    pub chat: Jid,
    /// Its id.
    pub id: String,
    /// Whether we sent it.
    pub from_me: bool,
    /// Who sent it (needed in groups for messages not from us).
    pub sender: Option<Jid>,
}

impl MessageRef {
    /// The reference to a stored message.
    pub fn of(message: &StoredMessage) -> Self {
        Self {
            chat: message.chat.clone(),
            id: message.id.clone(),
            from_me: message.from_me,
            sender: message.sender.clone(),
        }
    }

    /// A message of ours in `chat`.
    pub fn own(chat: Jid, id: impl Into<String>) -> Self {
        Self {
            chat,
            id: id.into(),
            from_me: true,
            sender: None,
        }
    }

    /// The `wa.MessageKey`: `participant` only for someone else's message in
    /// a group or broadcast (whatsmeow `BuildMessageKey`).
    pub fn to_key(&self) -> wa::MessageKey {
        let multi = self.chat.is_group() || self.chat.is_broadcast();
        wa::MessageKey {
            remote_jid: Some(self.chat.to_string()),
            from_me: Some(self.from_me),
            id: Some(self.id.clone()),
            participant: if multi && !self.from_me {
                self.sender.as_ref().map(|s| s.to_non_ad().to_string())
            } else {
                None
            },
        }
    }
}

/// A link preview for a text message (what the sender's client fetched; no
/// thumbnail upload here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkPreview {
    /// The URL as it appears in the text (`matchedText`).
    pub matched_text: String,
    /// Page title.
    pub title: Option<String>,
    /// Page description.
    pub description: Option<String>,
}

/// What a text message carries besides its body.
#[derive(Clone, Debug, Default)]
pub struct TextOptions<'a> {
    /// Users mentioned (`@<digits>` in the body is the convention).
    pub mentions: Vec<Jid>,
    /// The message this one replies to.
    pub quoted: Option<&'a StoredMessage>,
    /// A link preview.
    pub link_preview: Option<LinkPreview>,
}

/// Applies `f` to the `contextInfo` of the content of `msg`, creating it;
/// `false` if the content has no `contextInfo` (conversation, protocol
/// messages, reactions).
pub fn with_context(msg: &mut wa::Message, f: impl FnOnce(&mut wa::ContextInfo)) -> bool {
    macro_rules! apply {
        ($($field:ident),*) => {
            $(
                if let Some(c) = msg.$field.as_mut() {
                    f(c.context_info.get_or_insert_with(Default::default));
                    return true;
                }
            )*
        };
    }
    apply!(
        extended_text_message,
        image_message,
        video_message,
        audio_message,
        document_message,
        sticker_message,
        location_message,
        contact_message,
        contacts_array_message,
        poll_creation_message,
        poll_creation_message_v3
    );
    false
}

/// Turns a `conversation` into an `extendedTextMessage` with the same text,
/// so it can carry a `contextInfo`.
fn extend_text(msg: &mut wa::Message) {
    if let Some(text) = msg.conversation.take() {
        msg.extended_text_message = Some(Box::new(wa::message::ExtendedTextMessage {
            text: Some(text),
            ..Default::default()
        }));
    }
}

/// Whether a message has user-visible content (not empty, not only
/// protocol parts).
fn has_content(msg: &wa::Message) -> bool {
    *msg != wa::Message::default() && content::classify(msg).is_some()
}

/// Decodes a stored message's content (containers unwrapped).
pub fn stored_content(message: &StoredMessage) -> Result<wa::Message> {
    let msg = wa::Message::decode(message.raw.as_slice())
        .map_err(|e| Error::InvalidValue(format!("stored message {}: {e}", message.id)))?;
    Ok(content::unwrap(&msg).clone())
}

/// The `contextInfo` of a reply to `quoted`, sent into `chat`. `own` is our
/// JID, used as the participant when `quoted` is ours.
///
/// # Errors
/// [`Error::InvalidValue`] if the stored bytes do not decode or the quoted
/// message has no known sender.
pub fn quote_context(quoted: &StoredMessage, chat: &Jid, own: &Jid) -> Result<wa::ContextInfo> {
    let mut content = stored_content(quoted)?;
    if !has_content(&content) {
        return Err(Error::InvalidValue(format!(
            "message {} has no content to quote (revoked?)",
            quoted.id
        )));
    }
    // Only the content is quoted: no secrets, no nested quote.
    content.message_context_info = None;
    content.sender_key_distribution_message = None;
    for slot in [
        content
            .extended_text_message
            .as_mut()
            .map(|m| &mut m.context_info),
        content.image_message.as_mut().map(|m| &mut m.context_info),
        content.video_message.as_mut().map(|m| &mut m.context_info),
        content.audio_message.as_mut().map(|m| &mut m.context_info),
        content
            .document_message
            .as_mut()
            .map(|m| &mut m.context_info),
        content
            .sticker_message
            .as_mut()
            .map(|m| &mut m.context_info),
        content
            .location_message
            .as_mut()
            .map(|m| &mut m.context_info),
        content
            .contact_message
            .as_mut()
            .map(|m| &mut m.context_info),
        content
            .contacts_array_message
            .as_mut()
            .map(|m| &mut m.context_info),
    ]
    .into_iter()
    .flatten()
    {
        *slot = None;
    }
    let participant = if quoted.from_me {
        own.to_non_ad()
    } else {
        quoted
            .sender
            .as_ref()
            .map(Jid::to_non_ad)
            .ok_or_else(|| Error::InvalidValue("the quoted message has no sender".into()))?
    };
    Ok(wa::ContextInfo {
        stanza_id: Some(quoted.id.clone()),
        participant: Some(participant.to_string()),
        quoted_message: Some(Box::new(content)),
        remote_jid: (quoted.chat != *chat).then(|| quoted.chat.to_string()),
        ..Default::default()
    })
}

/// Makes `msg` a reply: sets the quote fields of its `contextInfo`
/// (turning a `conversation` into an `extendedTextMessage`).
///
/// # Errors
/// [`Error::InvalidValue`] for content that cannot carry a quote.
pub fn set_quote(msg: &mut wa::Message, quote: wa::ContextInfo) -> Result<()> {
    extend_text(msg);
    let applied = with_context(msg, |c| {
        c.stanza_id = quote.stanza_id;
        c.participant = quote.participant;
        c.quoted_message = quote.quoted_message;
        c.remote_jid = quote.remote_jid;
    });
    if applied {
        Ok(())
    } else {
        Err(Error::InvalidValue(
            "this content cannot quote a message".into(),
        ))
    }
}

/// A text message: a plain `conversation`, or an `extendedTextMessage` when
/// it mentions users, replies or has a link preview. `own` is our JID (for
/// quoting our own messages).
///
/// # Errors
/// [`Error::InvalidValue`] for an empty body or a quoted message that cannot
/// be decoded.
pub fn text(body: &str, opts: &TextOptions<'_>, own: &Jid, chat: &Jid) -> Result<wa::Message> {
    if body.is_empty() {
        return Err(Error::InvalidValue("empty text".into()));
    }
    if opts.mentions.is_empty() && opts.quoted.is_none() && opts.link_preview.is_none() {
        return Ok(wa::Message {
            conversation: Some(body.to_owned()),
            ..Default::default()
        });
    }
    let mut ext = wa::message::ExtendedTextMessage {
        text: Some(body.to_owned()),
        ..Default::default()
    };
    if let Some(p) = &opts.link_preview {
        ext.matched_text = Some(p.matched_text.clone());
        ext.title = p.title.clone();
        ext.description = p.description.clone();
        // previewType NONE (0): text-only preview, no thumbnail (Baileys sets 0).
        ext.preview_type = Some(0);
    }
    let mut ctx = match opts.quoted {
        Some(q) => quote_context(q, chat, own)?,
        None => wa::ContextInfo::default(),
    };
    ctx.mentioned_jid = opts
        .mentions
        .iter()
        .map(|j| j.to_non_ad().to_string())
        .collect();
    if ctx != wa::ContextInfo::default() {
        ext.context_info = Some(Box::new(ctx));
    }
    Ok(wa::Message {
        extended_text_message: Some(Box::new(ext)),
        ..Default::default()
    })
}

/// A location pin.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Place name.
    pub name: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// A URL for the place.
    pub url: Option<String>,
}

/// A `locationMessage`.
///
/// # Errors
/// [`Error::InvalidValue`] for coordinates out of range.
pub fn location(loc: &Location) -> Result<wa::Message> {
    if !(-90.0..=90.0).contains(&loc.latitude) || !(-180.0..=180.0).contains(&loc.longitude) {
        return Err(Error::InvalidValue(format!(
            "coordinates out of range: {}, {}",
            loc.latitude, loc.longitude
        )));
    }
    Ok(wa::Message {
        location_message: Some(Box::new(wa::message::LocationMessage {
            degrees_latitude: Some(loc.latitude),
            degrees_longitude: Some(loc.longitude),
            name: loc.name.clone(),
            address: loc.address.clone(),
            url: loc.url.clone(),
            ..Default::default()
        })),
        ..Default::default()
    })
}

/// One contact card to share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactCard {
    /// The name shown on the card.
    pub display_name: String,
    /// The vCard text ([`vcard`] makes one).
    pub vcard: String,
}

/// A minimal vCard 3.0 for a WhatsApp user: `FN` and a `TEL` with the
/// `waid` parameter WhatsApp uses to link the number to the account.
pub fn vcard(name: &str, phone_digits: &str) -> String {
    let digits: String = phone_digits.chars().filter(char::is_ascii_digit).collect();
    let name = name.replace(['\r', '\n'], " ");
    format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL;type=CELL;type=VOICE;waid={digits}:+{digits}\nEND:VCARD"
    )
}

/// A `contactMessage` for one card, a `contactsArrayMessage` for several.
///
/// # Errors
/// [`Error::InvalidValue`] for no cards.
pub fn contacts(cards: &[ContactCard]) -> Result<wa::Message> {
    let one = |c: &ContactCard| wa::message::ContactMessage {
        display_name: Some(c.display_name.clone()),
        vcard: Some(c.vcard.clone()),
        ..Default::default()
    };
    match cards {
        [] => Err(Error::InvalidValue("no contacts to send".into())),
        [card] => Ok(wa::Message {
            contact_message: Some(Box::new(one(card))),
            ..Default::default()
        }),
        many => Ok(wa::Message {
            contacts_array_message: Some(Box::new(wa::message::ContactsArrayMessage {
                display_name: Some(format!("{} contacts", many.len())),
                contacts: many.iter().map(one).collect(),
                ..Default::default()
            })),
            ..Default::default()
        }),
    }
}

/// A `reactionMessage` on `target`; an empty `emoji` removes our reaction.
pub fn reaction(target: &MessageRef, emoji: &str, sender_timestamp_ms: i64) -> wa::Message {
    wa::Message {
        reaction_message: Some(wa::message::ReactionMessage {
            key: Some(target.to_key()),
            text: Some(emoji.to_owned()),
            sender_timestamp_ms: Some(sender_timestamp_ms),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The content of `original` as a forward: the same content without its
/// quote, mentions or secrets, marked forwarded. The score counts hops: a
/// message of ours keeps its score (WhatsApp does not mark forwarding one's
/// own message), anyone else's adds one (Baileys
/// `generateForwardMessageContent`).
///
/// # Errors
/// [`Error::InvalidValue`] for undecodable or protocol-only content.
pub fn forward(original: &StoredMessage) -> Result<wa::Message> {
    let mut msg = stored_content(original)?;
    if !has_content(&msg) || msg.protocol_message.is_some() {
        return Err(Error::InvalidValue(format!(
            "message {} has no content to forward",
            original.id
        )));
    }
    if msg.reaction_message.is_some() || msg.poll_update_message.is_some() {
        return Err(Error::InvalidValue(
            "reactions and votes cannot be forwarded".into(),
        ));
    }
    msg.message_context_info = None;
    msg.sender_key_distribution_message = None;
    extend_text(&mut msg);
    let mut score = 0;
    with_context(&mut msg, |c| score = c.forwarding_score.unwrap_or(0));
    if !original.from_me {
        score += 1;
    }
    with_context(&mut msg, |c| {
        *c = wa::ContextInfo::default();
        if score > 0 {
            c.forwarding_score = Some(score);
            c.is_forwarded = Some(true);
        }
    });
    Ok(msg)
}

/// A revoke ("delete for everyone") of `target` (a `protocolMessage`
/// `REVOKE`; group admins may revoke others' messages with `from_me = false`
/// and the sender set).
pub fn revoke(target: &MessageRef) -> wa::Message {
    wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            key: Some(target.to_key()),
            r#type: Some(ProtocolType::Revoke as i32),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// An edit of our message `target` to `new_text` (a `protocolMessage`
/// `MESSAGE_EDIT` carrying the new content, as Baileys sends it).
///
/// # Errors
/// [`Error::InvalidValue`] for an empty text or a target that is not ours.
pub fn edit(target: &MessageRef, new_text: &str, timestamp_ms: i64) -> Result<wa::Message> {
    if new_text.is_empty() {
        return Err(Error::InvalidValue("empty text".into()));
    }
    if !target.from_me {
        return Err(Error::InvalidValue(
            "only our own messages can be edited".into(),
        ));
    }
    Ok(wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            key: Some(target.to_key()),
            r#type: Some(ProtocolType::MessageEdit as i32),
            edited_message: Some(Box::new(wa::Message {
                conversation: Some(new_text.to_owned()),
                ..Default::default()
            })),
            timestamp_ms: Some(timestamp_ms),
            ..Default::default()
        })),
        ..Default::default()
    })
}
