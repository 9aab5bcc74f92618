//! After `<success>`: top up the server's one-time prekeys, then go active
//! so the server delivers the offline queue (ended by `<ib><offline/>`).
//! The server's `encrypt` notification (prekeys running low while
//! connected) triggers the same top-up.

use tokio::time::Instant;
use wa_proto::binary::Node;
use wa_proto::signal::PreKey;

use super::bytes_child;
use super::conn::Conn;
use super::runner::{Link, Outcome, Pending, Phase, Runner};
use crate::store::WriteBatch;

/// A prekey id on the wire: 3 bytes big-endian.
fn id3(id: u32) -> Vec<u8> {
    id.to_be_bytes()[1..].to_vec()
}

fn encrypt_iq(typ: &'static str) -> Node {
    Node::new("iq")
        .with_attr("xmlns", "encrypt")
        .with_attr("type", typ)
        .with_attr("to", super::server_jid())
}

impl Runner {
    pub(crate) async fn on_success(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
    ) -> Option<Outcome> {
        if !matches!(link.phase, Phase::LoggingIn) {
            return None;
        }
        link.phase = Phase::LoggedIn {
            connected: false,
            offline_deadline: Instant::now() + self.opts.offline_timeout,
        };
        if let Some(lid) = node.attr_jid("lid")
            && self.creds.lid.as_ref() != Some(&lid)
        {
            self.creds.lid = Some(lid);
            let mut batch = WriteBatch::new();
            if let Err(e) = self.save_creds(&mut batch).await {
                tracing::warn!(error = %e, "storing the LID failed");
            }
        }
        let count = encrypt_iq("get").with_child(Node::new("count"));
        self.send_iq(conn, link, count, Pending::PrekeyCount).await
    }

    pub(crate) async fn on_prekey_count(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
    ) -> Option<Outcome> {
        let count: u32 = node
            .child("count")
            .and_then(|c| c.attr_parse("value"))
            .unwrap_or(0);
        if count >= self.opts.min_prekeys {
            return self.go_active(conn, link).await;
        }
        match self.prekeys_to_upload().await {
            Ok(keys) if !keys.is_empty() => {
                let ids = keys.iter().map(|k| k.id).collect();
                let upload = self.upload_node(&keys);
                self.send_iq(conn, link, upload, Pending::PrekeyUpload(ids))
                    .await
            }
            Ok(_) => self.go_active(conn, link).await,
            Err(e) => {
                tracing::warn!(error = %e, "preparing prekeys failed");
                self.go_active(conn, link).await
            }
        }
    }

    pub(crate) async fn on_prekeys_uploaded(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
        ids: Vec<u32>,
    ) -> Option<Outcome> {
        if node.attr_str("type") == Some("result") {
            let mut batch = WriteBatch::new();
            batch.mark_prekeys_uploaded(ids);
            if let Err(e) = self.store.commit(&self.ctx, batch).await {
                tracing::warn!(error = %e, "marking prekeys uploaded failed");
            }
        } else {
            tracing::warn!("prekey upload refused by the server");
        }
        self.go_active(conn, link).await
    }

    async fn go_active(&mut self, conn: &mut Conn, link: &mut Link) -> Option<Outcome> {
        if link.active_sent {
            return None;
        }
        link.active_sent = true;
        let node = Node::new("iq")
            .with_attr("xmlns", "passive")
            .with_attr("type", "set")
            .with_attr("to", super::server_jid())
            .with_child(Node::new("active"));
        self.send_iq(conn, link, node, Pending::Active).await
    }

    /// The prekeys of the next upload: stored ones not yet uploaded, topped
    /// up with new ones (committed before they are sent).
    async fn prekeys_to_upload(&mut self) -> crate::Result<Vec<PreKey>> {
        let want = self.opts.prekey_batch;
        let sid = self.ctx.session_id().to_owned();
        let mut keys = self.store.unuploaded_prekeys(&sid, want).await?;
        let missing = want.saturating_sub(u32::try_from(keys.len()).unwrap_or(u32::MAX));
        if missing > 0 {
            let ids = self.store.allocate_prekey_ids(&self.ctx, missing).await?;
            let mut rng: rand::rngs::StdRng = rand::make_rng();
            let fresh: Vec<PreKey> = ids
                .into_iter()
                .map(|id| PreKey::generate(id, &mut rng))
                .collect();
            let mut batch = WriteBatch::new();
            batch.put_prekeys(fresh.clone());
            self.store.commit(&self.ctx, batch).await?;
            keys.extend(fresh);
        }
        Ok(keys)
    }

    fn upload_node(&self, keys: &[PreKey]) -> Node {
        let list = keys.iter().map(|k| {
            Node::new("key").with_children([
                bytes_child("id", id3(k.id)),
                bytes_child("value", k.key_pair.public.as_bytes().to_vec()),
            ])
        });
        let s = &self.signed;
        encrypt_iq("set").with_children([
            bytes_child(
                "registration",
                self.creds.identity.registration_id.to_be_bytes().to_vec(),
            ),
            bytes_child("type", vec![5]),
            bytes_child(
                "identity",
                self.creds.identity.key_pair.public.as_bytes().to_vec(),
            ),
            Node::new("list").with_children(list),
            Node::new("skey").with_children([
                bytes_child("id", id3(s.id)),
                bytes_child("value", s.key_pair.public.as_bytes().to_vec()),
                bytes_child("signature", s.signature.to_vec()),
            ]),
        ])
    }
}
