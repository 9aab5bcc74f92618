//! Finding chats for the chat and group routes: a chat exists when the
//! store has it (any message sent or received, a history sync, an
//! app-state change) or, for a group, when the server says we are in it.
//! Unknown chats are 404 `Chat not Found`, including a valid user id never
//! chatted with (send it a message first).

use wa_proto::jid::Jid;
use wa_session::Client;
use wa_session::ops::group_model::GroupInfo;
use wa_session::store::{Chat, MessageQuery};

use crate::error::{ApiError, ApiResult};
use crate::model::chat::ChatJson;
use crate::model::message::MessageJson;

/// The 404 of an unknown chat.
pub fn not_found() -> ApiError {
    ApiError::NotFound("Chat not Found".to_owned())
}

/// Our own ids without device: the phone-number JID, then the LID.
pub async fn own_ids(client: &Client) -> ApiResult<Vec<Jid>> {
    let device = client.store().device(client.session_id()).await?;
    Ok(device
        .map(|d| {
            [d.jid, d.lid]
                .into_iter()
                .flatten()
                .map(|j| j.to_non_ad())
                .collect()
        })
        .unwrap_or_default())
}

/// The metadata of group `jid`: 404 `Chat not Found` when the server does
/// not know it or we are not in it.
pub async fn group_info(client: &Client, jid: &Jid) -> ApiResult<GroupInfo> {
    match client.group_info(jid).await {
        Ok(g) => Ok(g),
        Err(wa_session::Error::Server {
            code: 401 | 404, ..
        }) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The name of a chat: its stored name, else the contact's name, else the
/// number (groups: the subject, filled by [`ChatJson::with_group`]).
async fn name_of(client: &Client, jid: &Jid, stored: Option<&Chat>) -> ApiResult<String> {
    if let Some(n) = stored
        .and_then(|c| c.name.clone())
        .filter(|n| !n.is_empty())
    {
        return Ok(n);
    }
    if !jid.is_group()
        && let Some(c) = client.contact(jid).await?
        && let Some(n) = [c.full_name, c.first_name, c.push_name, c.business_name]
            .into_iter()
            .flatten()
            .find(|n| !n.is_empty())
    {
        return Ok(n);
    }
    Ok(jid.user.clone())
}

/// The newest stored message of `jid`.
async fn last_message(client: &Client, jid: &Jid, own: &[Jid]) -> ApiResult<Option<MessageJson>> {
    let last = client
        .store()
        .messages(client.session_id(), &MessageQuery::new(1).chat(jid.clone()))
        .await?;
    Ok(last.last().map(|m| MessageJson::of(m, own.first())))
}

/// The JSON of a chat, stored or not (`stored = None`: a group with no
/// stored row), without group metadata.
pub async fn json_of(
    client: &Client,
    jid: &Jid,
    stored: Option<&Chat>,
    own: &[Jid],
) -> ApiResult<ChatJson> {
    let name = name_of(client, jid, stored).await?;
    let last = last_message(client, jid, own).await?;
    Ok(match stored {
        Some(c) => ChatJson::of(c, name, last),
        None => ChatJson {
            last_message: last,
            ..ChatJson::empty(jid, name)
        },
    })
}

/// The chat `jid` as JSON (a GroupChat for groups), or 404 `Chat not
/// Found`.
pub async fn find(client: &Client, jid: &Jid) -> ApiResult<ChatJson> {
    let own = own_ids(client).await?;
    let stored = client.chat(jid).await?;
    if jid.is_group() {
        let info = match group_info(client, jid).await {
            Ok(g) => Some(g),
            // A group we left or were removed from: the stored chat, read-only.
            Err(_) if stored.is_some() => None,
            Err(e) => return Err(e),
        };
        let chat = json_of(client, jid, stored.as_ref(), &own).await?;
        return Ok(match info {
            Some(g) => chat.with_group(&g, &own),
            None => ChatJson {
                is_read_only: true,
                ..chat
            },
        });
    }
    let Some(c) = stored else {
        return Err(not_found());
    };
    json_of(client, jid, Some(&c), &own).await
}

/// 404 `Chat not Found` unless `jid` is a known chat (a group: one we are
/// in, or have stored).
pub async fn require(client: &Client, jid: &Jid) -> ApiResult<()> {
    if client.chat(jid).await?.is_some() {
        return Ok(());
    }
    if jid.is_group() {
        group_info(client, jid).await?;
        return Ok(());
    }
    Err(not_found())
}

/// Chats as JSON: the stored `chats` (in order) with group metadata for
/// the groups we are in; with `append_groups`, then the groups we are in
/// that have no stored chat.
pub async fn all(
    client: &Client,
    chats: Vec<Chat>,
    append_groups: bool,
) -> ApiResult<Vec<ChatJson>> {
    let own = own_ids(client).await?;
    let need_groups = append_groups || chats.iter().any(|c| c.jid.is_group());
    let (mut groups, listed) = if need_groups {
        match client.participating_groups().await {
            Ok(g) => (g, true),
            Err(e) => {
                tracing::warn!(error = %e, "listing groups failed; chats without metadata");
                (Vec::new(), false)
            }
        }
    } else {
        (Vec::new(), false)
    };
    let mut out = Vec::with_capacity(chats.len());
    for c in &chats {
        let mut j = json_of(client, &c.jid, Some(c), &own).await?;
        if c.jid.is_group() {
            match groups.iter().position(|g| g.jid == c.jid) {
                Some(i) => j = j.with_group(&groups.swap_remove(i), &own),
                // Listed and not among ours: we left it.
                None => j.is_read_only = listed,
            }
        }
        out.push(j);
    }
    if append_groups {
        for g in &groups {
            out.push(
                json_of(client, &g.jid, None, &own)
                    .await?
                    .with_group(g, &own),
            );
        }
    }
    Ok(out)
}
