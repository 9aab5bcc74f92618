//! Message contents against an in-process wa-sim: what a virtual phone
//! sends us (reactions, edits, revokes, poll votes) becomes typed events and
//! store updates (`incoming`); what we send shows in the phone's inbox with
//! the right type, text and references (`outgoing`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../client_common/mod.rs"]
mod client_common;
mod incoming;
mod outgoing;

use client_common::*;
use prost::Message as _;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::Event;
use wa_session::store::{AckLevel, StoredMessage, WriteBatch};

pub const US: &str = "6281300000001";
pub const PHONE: &str = "6281300000002";

pub fn us_jid() -> String {
    format!("{US}@s.whatsapp.net")
}

/// A paired client for `US` and a phone `PHONE` that can talk to it.
pub async fn setup(
    sim: &wa_sim::SimHandle,
    dir: &std::path::Path,
) -> (
    wa_session::Client,
    wa_session::EventStream,
    std::sync::Arc<dyn wa_session::store::Store>,
) {
    sim.create_account(US, "Us").unwrap();
    sim.create_account(PHONE, "Phone").unwrap();
    let store = open_store(dir);
    let (c, mut events) = client(sim, &store, "us").await;
    pair_by_qr(sim, &mut events, US).await;
    (c, events, store)
}

/// Waits for the `Event::Message` with `id`, returning the events seen
/// before it (to check that something did *not* happen).
pub async fn until_message(events: &mut wa_session::EventStream, id: &str) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = next_event(events, |_| true).await;
        if matches!(&e, Event::Message(m) if m.id == id) {
            return seen;
        }
        seen.push(e);
    }
}

/// Something of ours in the phone's chat, as if sent earlier.
pub async fn put_own(c: &wa_session::Client, id: &str, msg: &wa::Message) {
    let mut b = WriteBatch::new();
    b.put_message(StoredMessage {
        chat: Jid::pn(PHONE),
        id: id.into(),
        from_me: true,
        sender: Some(Jid::pn(US)),
        timestamp: 1,
        kind: "chat".into(),
        body: msg.conversation.clone(),
        raw: msg.encode_to_vec(),
        media: None,
        ack: AckLevel::Server,
    });
    c.store().commit(c.commit_context(), b).await.unwrap();
}

pub fn build_text(t: &str) -> wa::Message {
    wa::Message {
        conversation: Some(t.into()),
        ..Default::default()
    }
}

/// The phone's inbox entry with `id`, waiting for it to arrive.
pub async fn inbox_entry(sim: &wa_sim::SimHandle, phone: &str, id: &str) -> wa_sim::InboxEntry {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(e) = sim.inbox(phone).unwrap().into_iter().find(|e| e.id == id) {
            return e;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no inbox entry {id}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub fn kind_text(e: &wa_sim::InboxEntry) -> (&str, &str) {
    (e.kind.as_str(), e.text.as_str())
}
