//! What `POST /client/sendMessage` and `POST /message/reply` send: the
//! reference's `contentType`/`content` pairs parsed into a [`Content`]
//! ([`content`]), its `options` ([`SendOptionsJson`]) resolved into
//! [`Prepared`], and [`send`], which builds the `wa.Message` with
//! wa-session's builders, sends it and returns the stored copy.

pub mod content;

pub use content::{
    CONTENT_TYPE_ERROR, Content, MediaInput, MediaJson, decode_media, from_value, parse_content,
};

use serde::Deserialize;
use utoipa::ToSchema;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::Client;
use wa_session::message::build::{self, ContactCard, LinkPreview, TextOptions};
use wa_session::message::interactive;
use wa_session::message::poll;
use wa_session::message::{MediaDetails, MediaKind, MediaSource, media_message};
use wa_session::store::{AckLevel, StoredMessage};

use crate::error::{ApiError, ApiResult};
use crate::jid;

/// `options` of `sendMessage` and `reply` (wwebjs `MessageSendOptions`;
/// other keys are ignored).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendOptionsJson {
    /// Caption of a media message.
    #[serde(default)]
    pub caption: Option<String>,
    /// The message to reply to: its short id (`3EB0…`, looked up in the
    /// chat) or its serialized id (`true_<chat>_<id>`).
    #[serde(default)]
    pub quoted_message_id: Option<String>,
    /// Users to mention (`<number>@c.us`); the text should contain
    /// `@<number>` for each.
    #[serde(default)]
    pub mentions: Option<Vec<String>>,
    /// Send media as a document whatever its type.
    #[serde(default)]
    pub send_media_as_document: Option<bool>,
    /// Send `audio/*` media as a voice note.
    #[serde(default)]
    pub send_audio_as_voice: Option<bool>,
    /// Send `video/*` media as a gif (looping, muted).
    #[serde(default)]
    pub send_video_as_gif: Option<bool>,
    /// Send `image/webp` media as a sticker (no conversion is done).
    #[serde(default)]
    pub send_media_as_sticker: Option<bool>,
    /// `true`: a text whose body contains a URL carries a (title-less)
    /// link preview for it.
    #[serde(default)]
    pub link_preview: Option<bool>,
    /// With `contentType: string`: media sent with the text as its caption.
    #[serde(default)]
    pub media: Option<MediaJson>,
    /// `true`: answer once WhatsApp's server acknowledged the message
    /// (`ack` 1). `false`: answer as soon as the message is committed to
    /// the session's durable outbox (`ack` 0; it is delivered in the
    /// background and `message_ack` webhooks follow; a failure shows as ack
    /// -1). Default: `SEND_WAIT_FOR_ACK` (true).
    #[serde(default)]
    pub wait_for_ack: Option<bool>,
}

/// The options, resolved.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// The quoted message.
    pub quoted: Option<StoredMessage>,
    /// Mentioned users.
    pub mentions: Vec<Jid>,
    /// Media caption.
    pub caption: Option<String>,
    /// Media for a text (`options.media`).
    pub media: Option<MediaInput>,
    /// `sendMediaAsDocument`.
    pub as_document: bool,
    /// `sendAudioAsVoice`.
    pub as_voice: bool,
    /// `sendVideoAsGif`.
    pub as_gif: bool,
    /// `sendMediaAsSticker`.
    pub as_sticker: bool,
    /// `linkPreview`.
    pub link_preview: bool,
    /// `waitForAck` (`None`: the gateway's default).
    pub wait_for_ack: Option<bool>,
}

/// Finds a message by short id in `chat`, or by serialized id
/// (`<fromMe>_<chat>_<id>[_<participant>]`) in the chat it names.
///
/// # Errors
/// 404 `Message not Found`; 400 naming `field` for a malformed id.
pub async fn find_message(
    client: &Client,
    chat: &Jid,
    field: &str,
    id: &str,
) -> ApiResult<StoredMessage> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ApiError::field(field, "must not be empty"));
    }
    let (chat, short) = match id.split_once('_') {
        Some((b, rest)) if b == "true" || b == "false" => {
            let (remote, tail) = rest
                .split_once('_')
                .ok_or_else(|| ApiError::field(field, "malformed serialized message id"))?;
            let short = tail.split('_').next().unwrap_or_default();
            (jid::parse(field, remote)?, short.to_owned())
        }
        _ => (chat.clone(), id.to_owned()),
    };
    client
        .stored_message(&chat, &short)
        .await
        .map_err(|e| match e {
            wa_session::Error::InvalidValue(_) => {
                ApiError::NotFound("Message not Found".to_owned())
            }
            e => e.into(),
        })
}

/// Resolves `options` for a message to `chat`.
///
/// # Errors
/// 400 naming `options.<field>`; 404 for an unknown quoted message.
pub async fn prepare(
    client: &Client,
    chat: &Jid,
    opts: Option<SendOptionsJson>,
) -> ApiResult<Prepared> {
    let o = opts.unwrap_or_default();
    let quoted = match o.quoted_message_id.as_deref().filter(|s| !s.is_empty()) {
        Some(q) => Some(find_message(client, chat, "options.quotedMessageId", q).await?),
        None => None,
    };
    let mentions = o
        .mentions
        .unwrap_or_default()
        .iter()
        .map(|m| jid::parse_user("options.mentions", m))
        .collect::<ApiResult<Vec<_>>>()?;
    let media = match o.media {
        Some(m) => Some(decode_media("options.media", m)?),
        None => None,
    };
    Ok(Prepared {
        quoted,
        mentions,
        caption: o.caption.filter(|c| !c.is_empty()),
        media,
        as_document: o.send_media_as_document.unwrap_or(false),
        as_voice: o.send_audio_as_voice.unwrap_or(false),
        as_gif: o.send_video_as_gif.unwrap_or(false),
        as_sticker: o.send_media_as_sticker.unwrap_or(false),
        link_preview: o.link_preview.unwrap_or(false),
        wait_for_ack: o.wait_for_ack,
    })
}

/// The message kind for a MIME type and the options: `image/*` image
/// (`image/webp` a sticker only with `sendMediaAsSticker`), `video/*`
/// video (gif with `sendVideoAsGif`), `audio/*` audio (voice note with
/// `sendAudioAsVoice`), anything else — or anything with
/// `sendMediaAsDocument` — a document.
pub fn media_kind(mimetype: &str, p: &Prepared) -> MediaKind {
    let m = mimetype.to_ascii_lowercase();
    if p.as_document {
        MediaKind::Document
    } else if m.starts_with("image/webp") && p.as_sticker {
        MediaKind::Sticker
    } else if m.starts_with("image/") {
        MediaKind::Image
    } else if m.starts_with("video/") {
        if p.as_gif {
            MediaKind::Gif
        } else {
            MediaKind::Video
        }
    } else if m.starts_with("audio/") {
        if p.as_voice {
            MediaKind::VoiceNote
        } else {
            MediaKind::Audio
        }
    } else {
        MediaKind::Document
    }
}

fn first_url(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
}

/// Applies the quote and mentions of `p` to any content.
fn apply_context(msg: &mut wa::Message, p: &Prepared, chat: &Jid, own: &Jid) -> ApiResult<()> {
    if let Some(q) = &p.quoted {
        let ctx = build::quote_context(q, chat, own)
            .map_err(|e| ApiError::field("options.quotedMessageId", e))?;
        quote_into(msg, ctx)?;
    }
    if !p.mentions.is_empty() {
        if let Some(text) = msg.conversation.take() {
            msg.extended_text_message = Some(Box::new(wa::message::ExtendedTextMessage {
                text: Some(text),
                ..Default::default()
            }));
        }
        let ids: Vec<String> = p
            .mentions
            .iter()
            .map(|j| j.to_non_ad().to_string())
            .collect();
        let target = match msg
            .document_with_caption_message
            .as_mut()
            .and_then(|f| f.message.as_mut())
        {
            Some(inner) => inner.as_mut(),
            None => msg,
        };
        if !build::with_context(target, |c| c.mentioned_jid = ids) {
            return Err(ApiError::field(
                "options.mentions",
                "this content cannot mention users",
            ));
        }
    }
    Ok(())
}

fn quote_into(msg: &mut wa::Message, ctx: wa::ContextInfo) -> ApiResult<()> {
    let target = match msg
        .document_with_caption_message
        .as_mut()
        .and_then(|f| f.message.as_mut())
    {
        Some(inner) => inner.as_mut(),
        None => msg,
    };
    build::set_quote(target, ctx).map_err(|e| ApiError::field("options.quotedMessageId", e))
}

async fn media(
    client: &Client,
    m: MediaInput,
    caption: Option<String>,
    p: &Prepared,
) -> ApiResult<wa::Message> {
    let kind = media_kind(&m.mimetype, p);
    let mut details = MediaDetails::new(kind).mimetype(m.mimetype.clone());
    if let Some(c) = caption
        && matches!(
            kind,
            MediaKind::Image | MediaKind::Video | MediaKind::Gif | MediaKind::Document
        )
    {
        details = details.caption(c);
    }
    if let Some(f) = m.filename {
        details = details.file_name(f);
    } else if kind == MediaKind::Document {
        details = details.file_name("file");
    }
    let up = client
        .upload_for(MediaSource::Bytes(m.data.into()), kind)
        .await?;
    Ok(media_message(&up, &details))
}

fn content_err(e: wa_session::Error) -> ApiError {
    match e {
        wa_session::Error::InvalidValue(v) => ApiError::field("content", v),
        e => e.into(),
    }
}

/// Builds and sends `content` to `chat` with the prepared options, and
/// returns the stored copy of the sent message.
///
/// # Errors
/// 400 naming `content`/`options.*` for contents the builders refuse; the
/// send's errors (wa-session's, mapped).
pub async fn send(
    client: &Client,
    chat: &Jid,
    content: Content,
    p: Prepared,
) -> ApiResult<StoredMessage> {
    let own = client.own_jid().await?;
    let mut msg = match content {
        Content::Text(text) => match p.media.clone() {
            Some(m) => media(client, m, Some(text), &p).await?,
            None => {
                let opts = TextOptions {
                    mentions: Vec::new(),
                    quoted: None,
                    link_preview: p.link_preview.then(|| first_url(&text)).flatten().map(|u| {
                        LinkPreview {
                            matched_text: u,
                            title: None,
                            description: None,
                        }
                    }),
                };
                build::text(&text, &opts, &own, chat).map_err(content_err)?
            }
        },
        Content::Media(m) => {
            let caption = p.caption.clone();
            media(client, m, caption, &p).await?
        }
        Content::Location(l) => build::location(&l).map_err(content_err)?,
        Content::Buttons(b) => interactive::buttons(&b).map_err(content_err)?,
        Content::List(l) => interactive::list(&l).map_err(content_err)?,
        Content::Contact(user) => {
            let name = contact_name(client, &user).await;
            build::contacts(&[ContactCard {
                vcard: build::vcard(&name, &user.user),
                display_name: name,
            }])
            .map_err(content_err)?
        }
        Content::Poll(spec) => poll::creation(&spec, &mut rand::rng()).map_err(content_err)?,
    };
    apply_context(&mut msg, &p, chat, &own)?;
    if p.wait_for_ack == Some(false) {
        let id = client
            .queue_message(chat, msg.clone(), wa_session::SendOptions::default())
            .await?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        return Ok(wa_session::send::outgoing_row(
            chat,
            &id,
            Some(&own),
            &msg,
            prost::Message::encode_to_vec(&msg),
            now,
        ));
    }
    let sent = client.send_message(chat, msg.clone()).await?;
    match client.stored_message(&sent.chat, &sent.id).await {
        Ok(m) => Ok(m),
        Err(_) => {
            let mut m = wa_session::send::outgoing_row(
                &sent.chat,
                &sent.id,
                Some(&own),
                &msg,
                prost::Message::encode_to_vec(&msg),
                sent.timestamp,
            );
            m.ack = AckLevel::Server;
            Ok(m)
        }
    }
}

/// The best known name of `user`: address book, push name, business
/// name, else the number.
pub async fn contact_name(client: &Client, user: &Jid) -> String {
    client
        .contact(user)
        .await
        .ok()
        .flatten()
        .and_then(|c| {
            c.full_name
                .or(c.first_name)
                .or(c.push_name)
                .or(c.business_name)
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("+{}", user.user))
}
