//! The Message object, shaped like whatsapp-web.js's `Message` JSON (what
//! the reference returns and posts in webhooks), built from a stored
//! message and its `wa.Message` protobuf.

use base64::Engine as _;
use prost::Message as _;
use serde::Serialize;
use utoipa::ToSchema;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::store::StoredMessage;

use crate::jid::serialize;

/// A message key as wwebjs serializes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageId {
    /// Sent by this account.
    #[serde(rename = "fromMe")]
    pub from_me: bool,
    /// The chat (`…@c.us`, `…@g.us`).
    pub remote: String,
    /// The short id (`3EB0…`): what the `message/*` routes take as
    /// `messageId`.
    pub id: String,
    /// `<fromMe>_<remote>_<id>[_<participant>]`.
    #[serde(rename = "_serialized")]
    pub serialized: String,
}

impl MessageId {
    /// The key of a message in `chat`.
    pub fn new(chat: &Jid, id: &str, from_me: bool, participant: Option<&Jid>) -> Self {
        let remote = serialize(chat);
        let mut serialized = format!("{from_me}_{remote}_{id}");
        if chat.is_group()
            && !from_me
            && let Some(p) = participant
        {
            serialized.push('_');
            serialized.push_str(&serialize(p));
        }
        MessageId {
            from_me,
            remote,
            id: id.to_owned(),
            serialized,
        }
    }
}

/// A shared location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationJson {
    /// Degrees.
    pub latitude: f64,
    /// Degrees.
    pub longitude: f64,
    /// The place's name and address.
    pub description: Option<String>,
}

/// A message (whatsapp-web.js `Message`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageJson {
    /// The key.
    pub id: MessageId,
    /// Acknowledgement: -1 error, 0 pending, 1 server, 2 device, 3 read, 4
    /// played.
    pub ack: i8,
    /// Carries media (`message/downloadMedia` gets it).
    pub has_media: bool,
    /// Base64 media key, when it carries media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
    /// Text, or the caption of media.
    pub body: String,
    /// `chat`, `image`, `video`, `audio`, `ptt`, `document`, `sticker`,
    /// `location`, `vcard`, `multi_vcard`, `poll_creation`, `reaction`,
    /// `revoked`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// Sender chat: the other party for received messages, our own id for
    /// sent ones; the group for group messages.
    pub from: String,
    /// Receiver.
    pub to: String,
    /// In groups, who wrote it.
    pub author: Option<String>,
    /// Always `web` for messages of this gateway's device; `android` is not
    /// known for others.
    pub device_type: String,
    /// Forwarded.
    pub is_forwarded: bool,
    /// How many times it was forwarded.
    pub forwarding_score: u32,
    /// A status broadcast.
    pub is_status: bool,
    /// Starred.
    pub is_starred: bool,
    /// Sent to a broadcast list.
    pub broadcast: bool,
    /// Sent by this account.
    pub from_me: bool,
    /// Quotes another message (`message/getQuotedMessage`).
    pub has_quoted_msg: bool,
    /// Has reactions.
    pub has_reaction: bool,
    /// Seconds of audio or video.
    pub duration: Option<String>,
    /// The shared location.
    pub location: Option<LocationJson>,
    /// vCards of shared contacts.
    pub v_cards: Vec<String>,
    /// Mentioned users.
    pub mentioned_ids: Vec<String>,
    /// A gif.
    pub is_gif: bool,
    /// Disappearing.
    pub is_ephemeral: bool,
    /// Links found in the body.
    pub links: Vec<LinkJson>,
    /// A poll's question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_name: Option<String>,
    /// A poll's options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_options: Option<Vec<PollOptionJson>>,
    /// Whether a poll allows several answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_multiple_answers: Option<bool>,
}

/// A link in a body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkJson {
    /// The URL.
    pub link: String,
    /// Flagged suspicious (never set by this gateway).
    pub is_suspicious: bool,
}

/// A poll option.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollOptionJson {
    /// The option text.
    pub name: String,
    /// Its index.
    pub local_id: u32,
}

/// The `contextInfo` of a message's content, if it has one.
pub fn context_of(m: &wa::Message) -> Option<&wa::ContextInfo> {
    macro_rules! first {
        ($($field:ident),*) => {
            $(
                if let Some(c) = m.$field.as_ref().and_then(|x| x.context_info.as_ref()) {
                    return Some(c);
                }
            )*
        };
    }
    first!(
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
    None
}

/// The decoded content of a stored message (empty when it does not
/// decode).
pub fn content(m: &StoredMessage) -> wa::Message {
    let msg = wa::Message::decode(m.raw.as_slice()).unwrap_or_default();
    wa_session::message::unwrap_content(&msg).clone()
}

fn links(body: &str) -> Vec<LinkJson> {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| LinkJson {
            link: w.to_owned(),
            is_suspicious: false,
        })
        .collect()
}

impl MessageJson {
    /// The JSON of `m`, as seen by the account `own` (our user JID).
    pub fn of(m: &StoredMessage, own: Option<&Jid>) -> Self {
        let c = content(m);
        let ctx = context_of(&c);
        let own_s = own.map(serialize).unwrap_or_default();
        let chat_s = serialize(&m.chat);
        let (from, to) = if m.from_me {
            (own_s, chat_s)
        } else {
            (chat_s, own_s)
        };
        let author = if m.chat.is_group() {
            if m.from_me {
                own.map(serialize)
            } else {
                m.sender.as_ref().map(serialize)
            }
        } else {
            None
        };
        let body = m.body.clone().unwrap_or_default();
        let location = c.location_message.as_ref().map(|l| LocationJson {
            latitude: l.degrees_latitude.unwrap_or_default(),
            longitude: l.degrees_longitude.unwrap_or_default(),
            description: match (&l.name, &l.address) {
                (Some(n), Some(a)) => Some(format!("{n}\n{a}")),
                (n, a) => n.clone().or_else(|| a.clone()),
            },
        });
        let mut v_cards: Vec<String> = c
            .contact_message
            .iter()
            .filter_map(|x| x.vcard.clone())
            .collect();
        if let Some(arr) = &c.contacts_array_message {
            v_cards.extend(arr.contacts.iter().filter_map(|x| x.vcard.clone()));
        }
        let duration = c
            .audio_message
            .as_ref()
            .and_then(|a| a.seconds)
            .or_else(|| c.video_message.as_ref().and_then(|v| v.seconds))
            .map(|s| s.to_string());
        let poll = wa_session::message::poll::poll_of(&c);
        // Sent messages are stored without `media` (the attachment is in
        // the raw content): read it from either.
        let media_ref = wa_session::media::MediaRef::from_stored(m);
        MessageJson {
            id: MessageId::new(&m.chat, &m.id, m.from_me, m.sender.as_ref()),
            ack: m.ack.to_i8(),
            has_media: media_ref.is_some(),
            media_key: media_ref
                .as_ref()
                .map(|x| base64::engine::general_purpose::STANDARD.encode(&x.media_key)),
            links: links(&body),
            body,
            kind: m.kind.clone(),
            timestamp: m.timestamp,
            from,
            to,
            author,
            device_type: "web".to_owned(),
            is_forwarded: ctx.and_then(|x| x.is_forwarded).unwrap_or(false),
            forwarding_score: ctx.and_then(|x| x.forwarding_score).unwrap_or(0),
            is_status: m.chat.is_status_broadcast(),
            is_starred: false,
            broadcast: m.chat.is_broadcast(),
            from_me: m.from_me,
            has_quoted_msg: ctx.is_some_and(|x| x.quoted_message.is_some()),
            has_reaction: false,
            duration,
            location,
            v_cards,
            mentioned_ids: ctx
                .map(|x| {
                    x.mentioned_jid
                        .iter()
                        .map(|j| {
                            Jid::parse(j)
                                .map(|j| serialize(&j))
                                .unwrap_or_else(|_| j.clone())
                        })
                        .collect()
                })
                .unwrap_or_default(),
            is_gif: c
                .video_message
                .as_ref()
                .and_then(|v| v.gif_playback)
                .unwrap_or(false),
            is_ephemeral: ctx.and_then(|x| x.expiration).unwrap_or(0) > 0,
            poll_name: poll.and_then(|p| p.name.clone()),
            poll_options: poll.map(|p| {
                p.options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| PollOptionJson {
                        name: o.option_name.clone().unwrap_or_default(),
                        local_id: u32::try_from(i).unwrap_or(u32::MAX),
                    })
                    .collect()
            }),
            allow_multiple_answers: poll.map(|p| p.selectable_options_count.unwrap_or(0) != 1),
        }
    }

    /// [`MessageJson::of`] completed with what only the session knows: our
    /// own id and whether the message is starred.
    pub async fn load(client: &wa_session::Client, m: &StoredMessage) -> Self {
        let own = client.own_jid().await.ok().map(|j| j.to_non_ad());
        let mut json = Self::of(m, own.as_ref());
        json.is_starred = is_starred(client, m).await;
        json
    }
}

/// Whether `m` is starred (the app-state `star` records the store applied).
pub async fn is_starred(client: &wa_session::Client, m: &StoredMessage) -> bool {
    let q = wa_session::store::MessageQuery::new(1)
        .chat(m.chat.clone())
        .id(m.id.clone())
        .starred(true);
    client
        .store()
        .messages(client.session_id(), &q)
        .await
        .is_ok_and(|v| !v.is_empty())
}
