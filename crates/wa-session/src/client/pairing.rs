//! Pairing a new companion: QR refs and their rotation, pairing by phone
//! number code (`link_code_companion_reg`), and the fail-closed check of
//! `pair-success` before anything is stored.

use tokio::sync::oneshot;
use tokio::time::Instant;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::{KeyPair, PublicKey};
use wa_proto::pair::adv::CompanionPairing;
use wa_proto::pair::code::{CompanionCodePairing, PairCode};
use wa_proto::pair::qr::QrData;
use wa_proto::signal::ProtocolAddress;

use super::bytes_child;
use super::conn::Conn;
use super::event::{Event, Status};
use super::runner::{Link, Outcome, Pending, Phase, Runner};
use crate::store::WriteBatch;
use crate::{Error, Result};

impl Runner {
    pub(crate) async fn on_pair_device(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
    ) -> Option<Outcome> {
        let reply = Node::new("iq")
            .with_attr("to", super::server_jid())
            .with_attr("id", node.attr_text("id").unwrap_or_default().into_owned())
            .with_attr("type", "result");
        if let Some(o) = self.send(conn, &reply).await {
            return Some(o);
        }
        let refs: Vec<String> = node
            .child("pair-device")
            .map(|pd| {
                pd.children_by_tag("ref")
                    .filter_map(|r| r.bytes())
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if let Phase::Registration {
            refs: r,
            next_ref,
            ref_deadline,
            code,
            ..
        } = &mut link.phase
        {
            *r = refs;
            *next_ref = 0;
            *ref_deadline = None;
            if code.is_none() {
                return self.on_qr_timer(link);
            }
        }
        None
    }

    /// Shows the next QR when the current one expired; stops after the last.
    pub(crate) fn on_qr_timer(&mut self, link: &mut Link) -> Option<Outcome> {
        let Phase::Registration {
            refs,
            next_ref,
            ref_deadline,
            code,
            paired,
        } = &mut link.phase
        else {
            return None;
        };
        if *paired || code.is_some() || refs.is_empty() {
            return None;
        }
        if ref_deadline.is_some_and(|d| Instant::now() < d) {
            return None;
        }
        let Some(reference) = refs.get(*next_ref).cloned() else {
            self.emit(Event::QrTimeout);
            return Some(Outcome::Stop(Status::QrTimeout));
        };
        let valid_for = if *next_ref == 0 {
            self.opts.qr_first
        } else {
            self.opts.qr_next
        };
        let index = *next_ref;
        *next_ref += 1;
        *ref_deadline = Some(Instant::now() + valid_for);
        let qr = QrData {
            reference,
            noise_pub: self.creds.noise_key.public,
            identity_pub: self.creds.identity.key_pair.public,
            adv_secret: self.creds.adv_secret_key,
            platform: Some(self.config.companion_platform_id().to_owned()),
        }
        .encode();
        self.set_status(Status::Qr);
        self.emit(Event::Qr {
            code: qr,
            index,
            valid_for,
        });
        None
    }

    pub(crate) async fn start_pair_code(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        phone: String,
        reply: oneshot::Sender<Result<String>>,
    ) -> Option<Outcome> {
        let Phase::Registration { code, .. } = &mut link.phase else {
            let _ = reply.send(Err(Error::InvalidState(
                "pairing by code needs an unpaired session waiting for a scan".into(),
            )));
            return None;
        };
        let phone: String = phone.chars().filter(char::is_ascii_digit).collect();
        if phone.len() < 6 {
            let _ = reply.send(Err(Error::InvalidState(
                "phone number must have at least 6 digits".into(),
            )));
            return None;
        }
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        let pairing =
            CompanionCodePairing::new(PairCode::generate(&mut rng), KeyPair::generate(&mut rng));
        let wrapped = pairing.hello(&mut rng);
        let shown = pairing.code().display();
        *code = Some((phone.clone(), pairing));
        let node = Node::new("iq")
            .with_attr("xmlns", "md")
            .with_attr("type", "set")
            .with_attr("to", super::server_jid())
            .with_child(
                Node::new("link_code_companion_reg")
                    .with_attr("jid", Jid::pn(phone))
                    .with_attr("stage", "companion_hello")
                    .with_attr("should_show_push_notification", "true")
                    .with_children([
                        bytes_child(
                            "link_code_pairing_wrapped_companion_ephemeral_pub",
                            wrapped.to_vec(),
                        ),
                        bytes_child(
                            "companion_server_auth_key_pub",
                            self.creds.noise_key.public.as_bytes().to_vec(),
                        ),
                        Node::new("companion_platform_id")
                            .with_bytes(self.config.companion_platform_id().as_bytes().to_vec()),
                        Node::new("companion_platform_display")
                            .with_bytes(self.config.companion_platform_display().into_bytes()),
                        bytes_child("link_code_pairing_nonce", vec![0]),
                    ]),
            );
        self.send_iq(conn, link, node, Pending::PairCodeHello(shown, reply))
            .await
    }

    pub(crate) fn on_pair_code_hello(
        &mut self,
        link: &mut Link,
        node: Node,
        shown: String,
        reply: oneshot::Sender<Result<String>>,
    ) {
        match super::stanza::iq_result(node) {
            Ok(_) => {
                self.set_status(Status::PairingCode);
                self.emit(Event::PairingCode {
                    code: shown.clone(),
                });
                let _ = reply.send(Ok(shown));
            }
            Err(e) => {
                if let Phase::Registration { code, .. } = &mut link.phase {
                    *code = None;
                }
                let _ = reply.send(Err(e));
            }
        }
    }

    pub(crate) async fn on_pair_code_primary_hello(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
    ) -> Option<Outcome> {
        let Phase::Registration {
            code: Some((phone, pairing)),
            ..
        } = &link.phase
        else {
            return None;
        };
        let reg = node.child("link_code_companion_reg")?;
        let field = |t: &str| reg.child(t).and_then(|c| c.bytes());
        let (Some(primary), Some(wrapped), Some(reference)) = (
            field("primary_identity_pub"),
            field("link_code_pairing_wrapped_primary_ephemeral_pub"),
            field("link_code_pairing_ref"),
        ) else {
            tracing::warn!("primary_hello without its fields");
            return None;
        };
        let Ok(primary) = PublicKey::from_bytes(primary) else {
            return None;
        };
        let finish = match pairing.finish(
            &self.creds.identity.key_pair,
            &primary,
            wrapped,
            &mut rand::rng(),
        ) {
            Ok(f) => f,
            Err(e) => {
                self.emit(Event::PairError {
                    reason: e.to_string(),
                });
                return None;
            }
        };
        // pair-success on this connection is authenticated with this secret.
        self.creds.adv_secret_key = finish.adv_secret;
        let node = Node::new("iq")
            .with_attr("xmlns", "md")
            .with_attr("type", "set")
            .with_attr("to", super::server_jid())
            .with_child(
                Node::new("link_code_companion_reg")
                    .with_attr("jid", Jid::pn(phone.clone()))
                    .with_attr("stage", "companion_finish")
                    .with_children([
                        bytes_child(
                            "link_code_pairing_wrapped_key_bundle",
                            finish.wrapped_key_bundle,
                        ),
                        bytes_child(
                            "companion_identity_public",
                            finish.companion_identity.as_bytes().to_vec(),
                        ),
                        bytes_child("link_code_pairing_ref", reference.to_vec()),
                    ]),
            );
        self.send_iq(conn, link, node, Pending::PairCodeFinish)
            .await
    }

    /// Verifies `pair-success`, stores the identity and countersigns it.
    /// Nothing is stored when verification fails.
    pub(crate) async fn on_pair_success(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: &Node,
    ) -> Option<Outcome> {
        let id = node.attr_text("id").unwrap_or_default().into_owned();
        let ps = node.child("pair-success")?;
        let device = ps.child("device");
        let jid = device.and_then(|d| d.attr_jid("jid"));
        let lid = device.and_then(|d| d.attr_jid("lid"));
        let platform = ps
            .child("platform")
            .and_then(|p| p.attr_text("name"))
            .map(|p| p.into_owned())
            .unwrap_or_default();
        let identity = ps.child("device-identity").and_then(|d| d.bytes());
        let verified = match (jid, identity) {
            (Some(jid), Some(identity)) => CompanionPairing::verify(
                identity,
                &self.creds.adv_secret_key,
                &self.creds.identity.key_pair,
                &mut rand::rng(),
            )
            .map(|p| (jid, p))
            .map_err(|e| e.to_string()),
            _ => Err("pair-success without device jid or identity".to_owned()),
        };
        let (jid, pairing) = match verified {
            Ok(v) => v,
            Err(reason) => {
                let err = Node::new("iq")
                    .with_attr("to", super::server_jid())
                    .with_attr("id", id)
                    .with_attr("type", "error")
                    .with_child(
                        Node::new("error")
                            .with_attr("code", "500")
                            .with_attr("text", "internal-error"),
                    );
                let _ = conn.send(&err).await;
                self.emit(Event::PairError { reason });
                return Some(Outcome::Reconnect(super::DisconnectReason::StreamError(
                    "pairing failed".into(),
                )));
            }
        };
        self.creds.jid = Some(jid.clone());
        self.creds.lid = lid.clone();
        self.creds.account = Some(pairing.account_bytes());
        self.creds.platform = platform.clone();
        let mut batch = WriteBatch::new();
        let primary = ProtocolAddress::new(jid.user.clone(), 0);
        batch.put_identity(&primary, pairing.primary_identity);
        if let Err(e) = self.save_creds(&mut batch).await {
            self.creds.jid = None;
            self.emit(Event::PairError {
                reason: format!("storing the credentials failed: {e}"),
            });
            return Some(Outcome::Stop(Status::Stopped));
        }
        if let Phase::Registration { paired, .. } = &mut link.phase {
            *paired = true;
        }
        let reply = Node::new("iq")
            .with_attr("to", super::server_jid())
            .with_attr("id", id)
            .with_attr("type", "result")
            .with_child(
                Node::new("pair-device-sign").with_child(
                    Node::new("device-identity")
                        .with_attr("key-index", pairing.key_index_attr())
                        .with_bytes(pairing.reply()),
                ),
            );
        self.emit(Event::Paired {
            jid: jid.to_non_ad().with_device(jid.device),
            lid,
            platform,
        });
        self.send(conn, &reply).await
    }
}
