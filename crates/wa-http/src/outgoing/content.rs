//! The `contentType`/`content` pairs of `sendMessage` parsed into a
//! [`Content`] (`MessageMediaFromURL` downloaded on the way).

use base64::Engine as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;
use wa_proto::jid::Jid;
use wa_session::message::build::Location;
use wa_session::message::interactive::{Buttons, List, ListRow, ListSection};
use wa_session::message::poll::PollSpec;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::jid;

/// The `contentType` values and the error for any other.
pub const CONTENT_TYPE_ERROR: &str = "contentType invalid, must be string, MessageMedia, MessageMediaFromURL, Location, Buttons, List, Contact or Poll";

/// A media object: `{mimetype, data, filename?}` (wwebjs `MessageMedia`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MediaJson {
    /// MIME type (`image/jpeg`, `application/pdf`, ...).
    pub mimetype: String,
    /// The file, base64.
    pub data: String,
    /// File name (shown for documents).
    #[serde(default)]
    pub filename: Option<String>,
}

/// A media file to send.
#[derive(Debug, Clone)]
pub struct MediaInput {
    /// The bytes.
    pub data: Vec<u8>,
    /// MIME type.
    pub mimetype: String,
    /// File name.
    pub filename: Option<String>,
}

/// One content to send.
#[derive(Debug, Clone)]
pub enum Content {
    /// A text (`string`).
    Text(String),
    /// A file (`MessageMedia`, `MessageMediaFromURL`).
    Media(MediaInput),
    /// A pin (`Location`).
    Location(Location),
    /// `Buttons`, sent as text.
    Buttons(Buttons),
    /// `List`, sent as text.
    List(List),
    /// A contact card of this user (`Contact`).
    Contact(Jid),
    /// A poll (`Poll`).
    Poll(PollSpec),
}

/// Deserializes `v` as `T`, naming the failing field under `prefix`.
///
/// # Errors
/// 400 naming `prefix` or `prefix.<path>`.
pub fn from_value<T: DeserializeOwned>(prefix: &str, v: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            ApiError::field(prefix, inner)
        } else {
            ApiError::field(&format!("{prefix}.{path}"), inner)
        }
    })
}

/// Decodes a media object's base64 `data` (a `data:` URL prefix and
/// whitespace are tolerated).
///
/// # Errors
/// 400 naming `field`.
pub fn decode_media(field: &str, m: MediaJson) -> ApiResult<MediaInput> {
    let raw = m
        .data
        .rsplit_once("base64,")
        .map_or(m.data.as_str(), |x| x.1);
    let clean: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let data = base64::engine::general_purpose::STANDARD
        .decode(clean.trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.trim_end_matches('='))
        })
        .map_err(|e| ApiError::field(&format!("{field}.data"), format!("not base64: {e}")))?;
    if data.is_empty() {
        return Err(ApiError::field(&format!("{field}.data"), "empty file"));
    }
    if !m.mimetype.contains('/') {
        return Err(ApiError::field(
            &format!("{field}.mimetype"),
            "must be a MIME type such as image/jpeg",
        ));
    }
    Ok(MediaInput {
        data,
        mimetype: m.mimetype.trim().to_owned(),
        filename: m.filename.filter(|f| !f.is_empty()),
    })
}

#[derive(Deserialize)]
struct LocationIn {
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ButtonIn {
    body: String,
}

#[derive(Deserialize)]
struct ButtonsIn {
    body: String,
    buttons: Vec<ButtonIn>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    footer: Option<String>,
}

#[derive(Deserialize)]
struct RowIn {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct SectionIn {
    #[serde(default)]
    title: Option<String>,
    rows: Vec<RowIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListIn {
    body: String,
    button_text: String,
    sections: Vec<SectionIn>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    footer: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContactIn {
    contact_id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PollOptionsIn {
    #[serde(default)]
    allow_multiple_answers: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PollIn {
    poll_name: String,
    poll_options: Vec<String>,
    #[serde(default)]
    options: Option<PollOptionsIn>,
}

/// Parses `content` for `content_type`; `MessageMediaFromURL` is
/// downloaded here ([`crate::media_url`]).
///
/// # Errors
/// 400 naming `contentType` (unknown type) or `content[.field]`; the
/// download's errors.
pub async fn parse_content(
    config: &Config,
    content_type: &str,
    content: Value,
) -> ApiResult<Content> {
    Ok(match content_type {
        "string" => match content {
            Value::String(s) if !s.is_empty() => Content::Text(s),
            Value::String(_) => return Err(ApiError::field("content", "must not be empty")),
            _ => return Err(ApiError::field("content", "must be a string")),
        },
        "MessageMedia" => Content::Media(decode_media("content", from_value("content", content)?)?),
        "MessageMediaFromURL" => {
            let Value::String(url) = content else {
                return Err(ApiError::field("content", "must be a URL string"));
            };
            let d = crate::media_url::fetch(config, &url).await?;
            if d.data.is_empty() {
                return Err(ApiError::field("content", "the URL returned an empty file"));
            }
            Content::Media(MediaInput {
                data: d.data,
                mimetype: d.mimetype,
                filename: d.filename,
            })
        }
        "Location" => {
            let l: LocationIn = from_value("content", content)?;
            let (name, address) = match l.description.filter(|d| !d.is_empty()) {
                Some(d) => match d.split_once('\n') {
                    Some((n, a)) => (Some(n.to_owned()), Some(a.to_owned())),
                    None => (Some(d), None),
                },
                None => (None, None),
            };
            Content::Location(Location {
                latitude: l.latitude,
                longitude: l.longitude,
                name,
                address,
                url: None,
            })
        }
        "Buttons" => {
            let b: ButtonsIn = from_value("content", content)?;
            Content::Buttons(Buttons {
                body: b.body,
                buttons: b.buttons.into_iter().map(|x| x.body).collect(),
                title: b.title,
                footer: b.footer,
            })
        }
        "List" => {
            let l: ListIn = from_value("content", content)?;
            Content::List(List {
                body: l.body,
                button_text: l.button_text,
                sections: l
                    .sections
                    .into_iter()
                    .map(|s| ListSection {
                        title: s.title,
                        rows: s
                            .rows
                            .into_iter()
                            .map(|r| ListRow {
                                id: r.id,
                                title: r.title,
                                description: r.description,
                            })
                            .collect(),
                    })
                    .collect(),
                title: l.title,
                footer: l.footer,
            })
        }
        "Contact" => {
            let c: ContactIn = from_value("content", content)?;
            Content::Contact(jid::parse_user("content.contactId", &c.contact_id)?)
        }
        "Poll" => {
            let p: PollIn = from_value("content", content)?;
            let multi = p.options.unwrap_or_default().allow_multiple_answers;
            Content::Poll(PollSpec {
                name: p.poll_name,
                options: p.poll_options,
                selectable_count: u32::from(!multi),
            })
        }
        _ => return Err(ApiError::field("contentType", CONTENT_TYPE_ERROR)),
    })
}
