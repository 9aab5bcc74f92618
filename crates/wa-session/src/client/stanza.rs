//! The runtime's reaction to each node from the server: stream errors and
//! failures, IQ answers and server requests, `<ib>`, receipts, acks and
//! notifications. Messages go to `receive`, pairing stanzas to `pairing`.

use crate::store::{AckLevel, WriteBatch};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;

use super::conn::Conn;
use super::event::{DisconnectReason, Event, LogoutReason, Status};
use super::runner::{Link, Outcome, Pending, Phase, Runner};
use crate::Error;

impl Runner {
    pub(crate) async fn on_node(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: Node,
    ) -> Option<Outcome> {
        match node.tag.as_ref() {
            "stream:error" => Some(self.on_stream_error(&node).await),
            "failure" => Some(self.on_failure(&node).await),
            "success" => self.on_success(conn, link, &node).await,
            "iq" => self.on_iq(conn, link, node).await,
            "ib" => {
                if let (Some(offline), Phase::LoggedIn { connected, .. }) =
                    (node.child("offline"), &mut link.phase)
                    && !*connected
                {
                    *connected = true;
                    let count = offline.attr_parse("count").unwrap_or(0);
                    self.on_connected(count);
                }
                None
            }
            "message" => self.on_message(conn, &node).await,
            "receipt" => self.on_receipt(conn, &node).await,
            "notification" => self.on_notification(conn, link, node).await,
            "ack" => {
                if node.attr_str("class") == Some("message") {
                    self.shared.send.on_ack(
                        &node.attr_text("id").unwrap_or_default(),
                        crate::send::state::ServerAck {
                            error: node.attr_text("error").map(|e| e.into_owned()),
                            t: node.attr_parse("t"),
                            phash: node.attr_text("phash").map(|e| e.into_owned()),
                        },
                    );
                }
                self.emit(Event::ServerAck {
                    id: node.attr_text("id").unwrap_or_default().into_owned(),
                    class: node.attr_text("class").unwrap_or_default().into_owned(),
                    error: node.attr_text("error").map(|e| e.into_owned()),
                });
                None
            }
            "call" => {
                let ack = ack_for(&node, "call");
                let out = self.send(conn, &ack).await;
                if let Some(e) = call_offer(&node) {
                    self.emit(e);
                }
                out
            }
            _ => None,
        }
    }

    async fn on_stream_error(&mut self, node: &Node) -> Outcome {
        let code = node.attr_text("code").unwrap_or_default().into_owned();
        let conflict = node
            .child("conflict")
            .and_then(|c| c.attr_text("type"))
            .map(|t| t.into_owned());
        match (code.as_str(), conflict.as_deref()) {
            ("515", _) => Outcome::Restart,
            ("401", _) | (_, Some("device_removed")) => {
                if let Err(e) = self.forget_account(LogoutReason::DeviceRemoved).await {
                    tracing::warn!(error = %e, "clearing credentials failed");
                }
                Outcome::Stop(Status::LoggedOut)
            }
            (_, Some(_)) => {
                self.emit(Event::StreamReplaced);
                Outcome::Stop(Status::Replaced)
            }
            _ => {
                let what = if code.is_empty() {
                    node.children()
                        .first()
                        .map(|c| c.tag.to_string())
                        .unwrap_or_else(|| "unknown".into())
                } else {
                    code
                };
                Outcome::Reconnect(DisconnectReason::StreamError(what))
            }
        }
    }

    async fn on_failure(&mut self, node: &Node) -> Outcome {
        let reason = node.attr_text("reason").unwrap_or_default().into_owned();
        match reason.as_str() {
            // 401 unauthorized, 403 banned/forbidden, 406 unknown device.
            "401" | "403" | "406" => {
                if let Err(e) = self
                    .forget_account(LogoutReason::LoginRefused(reason))
                    .await
                {
                    tracing::warn!(error = %e, "clearing credentials failed");
                }
                Outcome::Stop(Status::LoggedOut)
            }
            _ => Outcome::Reconnect(DisconnectReason::StreamError(format!("failure {reason}"))),
        }
    }

    async fn on_iq(&mut self, conn: &mut Conn, link: &mut Link, node: Node) -> Option<Outcome> {
        let typ = node.attr_text("type").unwrap_or_default().into_owned();
        if typ == "result" || typ == "error" {
            let id = node.attr_text("id").unwrap_or_default().into_owned();
            let pending = link.pending.remove(&id)?;
            return self.on_iq_answer(conn, link, pending, node).await;
        }
        if node.child("pair-device").is_some() {
            return self.on_pair_device(conn, link, &node).await;
        }
        if node.child("pair-success").is_some() {
            return self.on_pair_success(conn, link, &node).await;
        }
        // Server ping and anything else: answer so the server does not wait.
        let mut reply = Node::new("iq")
            .with_attr("type", "result")
            .with_attr("id", node.attr_text("id").unwrap_or_default().into_owned());
        if let Some(from) = node.attr("from") {
            reply = reply.with_attr("to", from.clone());
        }
        self.send(conn, &reply).await
    }

    async fn on_iq_answer(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        pending: Pending,
        node: Node,
    ) -> Option<Outcome> {
        match pending {
            Pending::External(reply) => {
                let _ = reply.send(iq_result(node));
                None
            }
            Pending::Ping => {
                link.ping_sent = None;
                None
            }
            Pending::PrekeyCount => self.on_prekey_count(conn, link, &node).await,
            Pending::PrekeyUpload(ids) => self.on_prekeys_uploaded(conn, link, &node, ids).await,
            Pending::Active => None,
            Pending::PairCodeHello(code, reply) => {
                self.on_pair_code_hello(link, node, code, reply);
                None
            }
            Pending::PairCodeFinish => None,
            Pending::Logout(reply) => {
                let res = self.forget_account(super::LogoutReason::Requested).await;
                let _ = reply.send(res);
                Some(Outcome::Stop(Status::LoggedOut))
            }
        }
    }

    async fn on_receipt(&mut self, conn: &mut Conn, node: &Node) -> Option<Outcome> {
        let ack = ack_for(node, "receipt");
        if let Some(o) = self.send(conn, &ack).await {
            return Some(o);
        }
        let from = node.attr_jid("from")?;
        let mut ids = vec![node.attr_text("id").unwrap_or_default().into_owned()];
        if let Some(list) = node.child("list") {
            ids.extend(
                list.children_by_tag("item")
                    .filter_map(|i| i.attr_text("id").map(|s| s.into_owned())),
            );
        }
        let kind = node
            .attr_text("type")
            .map(|t| t.into_owned())
            .unwrap_or_else(|| "delivery".into());
        let chat = if from.is_group() {
            from.clone()
        } else {
            from.to_non_ad()
        };
        let sender = node.attr_jid("participant").unwrap_or(from);
        if kind == "retry" {
            self.queue_retry(node, &chat, &sender, &ids);
            return None;
        }
        let chat = match chat.is_lid() {
            true => self
                .store
                .pn_for_lid(self.ctx.session_id(), &chat)
                .await
                .ok()
                .flatten()
                .unwrap_or(chat),
            false => chat,
        };
        let level = match kind.as_str() {
            "delivery" => Some(AckLevel::Device),
            "read" | "read-self" => Some(AckLevel::Read),
            "played" | "played-self" => Some(AckLevel::Played),
            _ => None,
        };
        if let Some(level) = level {
            let mut batch = WriteBatch::new();
            for id in &ids {
                batch.set_message_ack(&chat, id, level);
            }
            if let Err(e) = self.store.commit(&self.ctx, batch).await {
                tracing::warn!(error = %e, "recording a receipt failed");
            }
        }
        self.emit(Event::Receipt {
            chat,
            ids,
            kind,
            from: sender,
        });
        None
    }

    async fn on_notification(
        &mut self,
        conn: &mut Conn,
        link: &mut Link,
        node: Node,
    ) -> Option<Outcome> {
        if node.attr_str("type") == Some("link_code_companion_reg") {
            let ack = ack_for(&node, "notification");
            if let Some(o) = self.send(conn, &ack).await {
                return Some(o);
            }
            return self.on_pair_code_primary_hello(conn, link, &node).await;
        }
        let ack = ack_for(&node, "notification");
        if let Some(o) = self.send(conn, &ack).await {
            return Some(o);
        }
        if node.attr_str("type") == Some("encrypt") && node.child("count").is_some() {
            return self.on_prekey_count(conn, link, &node).await;
        }
        match (node.attr_str("type"), node.attr_jid("from")) {
            (Some("devices"), Some(from)) => {
                self.shared.send.invalidate_devices(&from.user);
            }
            (Some("w:gp2"), Some(from)) => self.shared.send.invalidate_group(&from.to_string()),
            _ => {}
        }
        if node.attr_str("type") == Some("server_sync") {
            // The sync worker fetches; this loop goes on at once.
            let named: Vec<_> = node
                .children_by_tag("collection")
                .filter_map(|c| {
                    c.attr_str("name")
                        .and_then(crate::appstate::Collection::from_name)
                })
                .collect();
            let all = crate::appstate::Collection::ALL;
            self.shared
                .appstate
                .trigger(if named.is_empty() { &all } else { &named });
            return None;
        }
        self.emit(Event::Notification(Box::new(node)));
        None
    }
}

impl Runner {
    /// Hands a retry receipt for our message(s) to the sender task.
    fn queue_retry(&self, node: &Node, chat: &Jid, device: &Jid, ids: &[String]) {
        let retry = node.child("retry");
        let count = retry.and_then(|r| r.attr_parse("count")).unwrap_or(1);
        for id in ids {
            self.shared
                .send
                .push_retry(crate::send::state::RetryRequest {
                    id: id.clone(),
                    chat: chat.clone(),
                    device: device.clone(),
                    count,
                    keys: node.child("keys").cloned(),
                });
        }
    }
}

/// `<ack id to=FROM class [type] [participant]/>` for a server stanza.
pub(crate) fn ack_for(node: &Node, class: &'static str) -> Node {
    let mut ack = Node::new("ack")
        .with_attr("id", node.attr_text("id").unwrap_or_default().into_owned())
        .with_attr("class", class);
    if let Some(from) = node.attr("from") {
        ack = ack.with_attr("to", from.clone());
    }
    if let Some(t) = node.attr("type") {
        ack = ack.with_attr("type", t.clone());
    }
    if let Some(p) = node.attr("participant") {
        ack = ack.with_attr("participant", p.clone());
    }
    ack
}

/// An IQ answer as a result: `type="error"` becomes [`Error::Server`].
pub(crate) fn iq_result(node: Node) -> crate::Result<Node> {
    if node.attr_str("type") == Some("error") {
        let err = node.child("error");
        return Err(Error::Server {
            code: err.and_then(|e| e.attr_parse("code")).unwrap_or(0),
            text: err
                .and_then(|e| e.attr_text("text"))
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        });
    }
    Ok(node)
}

/// The [`Event::Call`] of a `<call>` stanza carrying an `<offer>`.
fn call_offer(node: &Node) -> Option<Event> {
    let offer = node.child("offer")?;
    let from = offer
        .attr_jid("caller_pn")
        .or_else(|| offer.attr_jid("call-creator"))
        .or_else(|| node.attr_jid("from"))?
        .to_non_ad();
    Some(Event::Call {
        id: offer
            .attr_text("call-id")
            .or_else(|| node.attr_text("id"))
            .unwrap_or_default()
            .into_owned(),
        from,
        timestamp: node.attr_parse("t").unwrap_or_default(),
        is_video: offer.child("video").is_some(),
        is_group: offer.attr_str("type") == Some("group")
            || offer.child("group-info").is_some()
            || offer.attr("group-jid").is_some(),
    })
}
