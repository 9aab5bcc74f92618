//! Our own profile: the about (status) text (`xmlns="status"` set) and the
//! profile picture (`xmlns="w:profile:picture"` set without `target`; an
//! empty set deletes it). The push name is app state and lives elsewhere.

use wa_proto::binary::Node;

use super::contacts::{PictureKind, ProfilePicture};
use crate::client::server_jid;
use crate::{Client, Error, Result};

/// Longest about text the server accepts (characters).
pub const MAX_ABOUT: usize = 139;

fn set_iq(xmlns: &'static str) -> Node {
    Node::new("iq")
        .with_attr("to", server_jid())
        .with_attr("type", "set")
        .with_attr("xmlns", xmlns)
}

impl Client {
    /// Sets our about (status) text.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] beyond [`MAX_ABOUT`] characters;
    /// [`Error::Server`].
    pub async fn set_about(&self, text: &str) -> Result<()> {
        if text.chars().count() > MAX_ABOUT {
            return Err(Error::InvalidValue(format!(
                "about text longer than {MAX_ABOUT} characters"
            )));
        }
        let status = Node::new("status").with_bytes(text.as_bytes().to_vec());
        self.iq(set_iq("status").with_child(status)).await?;
        Ok(())
    }

    /// Sets our profile picture to `jpeg`; returns the new picture id.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for empty bytes; [`Error::Server`] (`406`
    /// too large).
    pub async fn set_profile_picture(&self, jpeg: Vec<u8>) -> Result<String> {
        if jpeg.is_empty() {
            return Err(Error::InvalidValue("empty picture".into()));
        }
        let pic = Node::new("picture")
            .with_attr("type", "image")
            .with_bytes(jpeg);
        let answer = self.iq(set_iq("w:profile:picture").with_child(pic)).await?;
        answer
            .child("picture")
            .and_then(|p| p.attr_text("id"))
            .map(|id| id.into_owned())
            .ok_or_else(|| Error::InvalidValue("picture answer without id".into()))
    }

    /// Removes our profile picture.
    ///
    /// # Errors
    /// [`Error::Server`]; connection errors.
    pub async fn delete_profile_picture(&self) -> Result<()> {
        self.iq(set_iq("w:profile:picture")).await?;
        Ok(())
    }

    /// Our own profile picture, `None` without one.
    ///
    /// # Errors
    /// [`Error::InvalidState`] until paired; as [`Client::profile_picture`].
    pub async fn own_profile_picture(&self, kind: PictureKind) -> Result<Option<ProfilePicture>> {
        let me = self.own_jid().await?.to_non_ad();
        self.profile_picture(&me, kind).await
    }
}
