//! The per-session sender task: drains the durable outbox while the session
//! is connected, a window of messages at a time.
//!
//! For each window: plan the addressing and fetch missing prekey bundles
//! (network, no lock) → encrypt everything under the Signal lock and commit
//! the ciphertexts with the advanced Signal state (`encrypted`) → write the
//! stanzas (paced) → commit `sent` → await the server acks → commit
//! `server_acked` / `failed` and answer the API callers.
//!
//! Entries found `encrypted` or `sent` (after a restart, or an ack that never
//! came) are written again from their stored ciphertexts: the same bytes
//! under the same id, which receivers recognise as a duplicate. Nothing is
//! encrypted twice with one chain key and nothing is dropped.

use std::sync::Arc;
use std::time::Duration;

use prost::Message as _;
use tokio::sync::watch;
use wa_proto::jid::Jid;
use wa_proto::proto::wa;

use super::encrypt::Encryptor;
use super::plan::Plan;
use super::stanza::{StanzaParams, message_node};
use super::{SentMessage, group};
use crate::client::event::Status;
use crate::client::{Client, WeakClient, content, shared::Shared};
use crate::store::{
    AckLevel, DeviceCredentials, OutboxCiphertext, OutboxEntry, OutboxState, StoredMessage,
    WriteBatch,
};
use crate::{Error, Result};

/// How the worker paces itself (from [`crate::client::Options`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pace {
    pub(crate) window: u32,
    pub(crate) interval: Duration,
    pub(crate) ack_timeout: Duration,
}

/// Runs until the session ends.
pub(crate) async fn run(
    client: WeakClient,
    shared: Arc<Shared>,
    mut status: watch::Receiver<Status>,
    pace: Pace,
) {
    loop {
        let s = match status
            .wait_for(|s| *s == Status::Connected || crate::manager::is_final(*s))
            .await
        {
            Ok(s) => *s,
            Err(_) => return,
        };
        if s != Status::Connected {
            return;
        }
        match drain(&client, &shared, pace).await {
            Ok(()) => {}
            Err(Error::Stopped) => return,
            Err(e) => {
                tracing::debug!(session = shared.ctx.session_id(), error = %e, "send round interrupted");
                // Back off briefly; a reconnect or a new message wakes us.
                let _ = tokio::time::timeout(Duration::from_millis(500), status.changed()).await;
                continue;
            }
        }
        tokio::select! {
            () = shared.send.wake.notified() => {}
            r = status.changed() => if r.is_err() { return },
        }
    }
}

/// Sends until the outbox has nothing pending and no retry is queued.
async fn drain(weak: &WeakClient, shared: &Arc<Shared>, pace: Pace) -> Result<()> {
    loop {
        let client = weak.upgrade().ok_or(Error::Stopped)?;
        let retries = shared.send.take_retries();
        for r in retries {
            if let Err(e) = super::retry::answer(&client, &r).await {
                tracing::debug!(id = %r.id, error = %e, "answering a retry receipt failed");
            }
        }
        let pending = shared
            .store
            .outbox_pending(shared.ctx.session_id(), pace.window)
            .await?;
        if pending.is_empty() {
            return Ok(());
        }
        send_window(&client, pending, pace).await?;
    }
}

/// One encrypted message ready for the wire.
struct Ready {
    entry: OutboxEntry,
    to: Jid,
    group: Option<(String, bool)>,
    /// Devices that received our sender key in this stanza.
    sk_to: Vec<String>,
}

async fn send_window(client: &Client, entries: Vec<OutboxEntry>, pace: Pace) -> Result<()> {
    let shared = Arc::clone(client.shared());
    let creds = shared.device().await?;
    let own_user = creds
        .jid
        .as_ref()
        .map(|j| j.user.clone())
        .unwrap_or_default();
    let mut ready = Vec::new();
    let mut fresh = Vec::new();
    for e in entries {
        if e.state == OutboxState::Accepted {
            fresh.push(e);
        } else {
            ready.push(resume(client, e).await?);
        }
    }
    if !fresh.is_empty() {
        ready.extend(encrypt_fresh(client, &creds, fresh).await?);
    }
    // Write the stanzas in acceptance order.
    ready.sort_by_key(|r| r.entry.accepted_at_ms);
    let mut waits = Vec::with_capacity(ready.len());
    let mut sent = WriteBatch::new();
    for r in &ready {
        if !pace.interval.is_zero() {
            // Pacing spans rounds: the gap is kept from the previous stanza
            // whichever round wrote it.
            if let Some(wait) = shared.send.pace_wait(pace.interval) {
                tokio::time::sleep(wait).await;
            }
        }
        let msg = wa::Message::decode(r.entry.payload.as_slice()).unwrap_or_default();
        let node = message_node(
            &StanzaParams {
                id: &r.entry.id,
                to: &r.to,
                message: &msg,
                own_user: &own_user,
                device_identity: creds.account.as_deref(),
                group: r.group.as_ref().map(|(p, l)| (p.as_str(), *l)),
            },
            &r.entry.ciphertexts,
        );
        let rx = shared.send.expect_ack(&r.entry.id);
        if let Err(e) = client.send_node(node).await {
            shared
                .send
                .drop_ack_waits(&ready.iter().map(|r| r.entry.id.clone()).collect::<Vec<_>>());
            if !sent.is_empty() {
                let _ = shared.store.commit(&shared.ctx, sent).await;
            }
            return Err(e);
        }
        sent.outbox_sent(&r.entry.id, crate::clock::now_ms());
        waits.push(rx);
    }
    shared.store.commit(&shared.ctx, sent).await?;
    let deadline = tokio::time::Instant::now() + pace.ack_timeout;
    let mut done = WriteBatch::new();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for (r, rx) in ready.iter().zip(waits) {
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(ack)) => results.push((r, ack)),
            _ => missing.push(r.entry.id.clone()),
        }
    }
    let now = crate::clock::now_ms();
    for (r, ack) in &results {
        let id = &r.entry.id;
        match &ack.error {
            None => {
                done.outbox_server_acked(id, now);
                done.set_message_ack(&r.entry.chat, id, AckLevel::Server);
            }
            Some(code) => {
                done.outbox_failed(id, &format!("server error {code}"), now);
                done.set_message_ack(&r.entry.chat, id, AckLevel::Error);
            }
        }
    }
    if !done.is_empty() {
        shared.store.commit(&shared.ctx, done).await?;
    }
    for (r, ack) in results {
        let id = &r.entry.id;
        let outcome = match &ack.error {
            None => {
                if let Some((_, _)) = &r.group {
                    shared
                        .send
                        .add_sk_holders(&r.to.to_string(), r.sk_to.iter().cloned());
                    if ack.phash.is_some() {
                        shared.send.invalidate_group(&r.to.to_string());
                    }
                }
                Ok(SentMessage {
                    chat: r.entry.chat.clone(),
                    id: id.clone(),
                    timestamp: ack.t.unwrap_or(now / 1000),
                })
            }
            Some(code) => Err(Error::Server {
                code: code.parse().unwrap_or(0),
                text: format!("the server refused message {id}"),
            }),
        };
        shared.send.finish(id, &outcome);
    }
    if !missing.is_empty() {
        shared.send.drop_ack_waits(&missing);
        return Err(Error::Timeout("server ack"));
    }
    Ok(())
}

/// An `encrypted` or `sent` entry: resend its stored ciphertexts.
async fn resume(client: &Client, entry: OutboxEntry) -> Result<Ready> {
    let shared = client.shared();
    let sid = shared.ctx.session_id();
    if entry.chat.is_group() {
        let g = client.plan(&shared.device().await?, &entry.chat).await?;
        let gp = g.group.map(|g| (g.phash, g.lid));
        return Ok(Ready {
            to: entry.chat.clone(),
            group: gp,
            sk_to: Vec::new(),
            entry,
        });
    }
    // The stanza goes to the LID when the ciphertexts were made for LID
    // devices.
    let lid_addressed = entry
        .ciphertexts
        .iter()
        .any(|c| c.recipient.is_lid() && c.recipient.user != entry.chat.user);
    let to = if lid_addressed && entry.chat.is_pn() {
        shared
            .store
            .lid_for_pn(sid, &entry.chat)
            .await?
            .unwrap_or_else(|| entry.chat.clone())
    } else {
        entry.chat.clone()
    };
    Ok(Ready {
        to,
        group: None,
        sk_to: Vec::new(),
        entry,
    })
}

/// Plans, fetches bundles and encrypts `accepted` entries; commits the
/// ciphertexts with the Signal state.
async fn encrypt_fresh(
    client: &Client,
    creds: &DeviceCredentials,
    entries: Vec<OutboxEntry>,
) -> Result<Vec<Ready>> {
    let shared = Arc::clone(client.shared());
    let sid = shared.ctx.session_id().to_owned();
    let mut plans: Vec<(OutboxEntry, Plan)> = Vec::new();
    let mut failed = WriteBatch::new();
    let mut failures = Vec::new();
    for e in entries {
        match client.plan(creds, &e.chat).await {
            Ok(p) => plans.push((e, p)),
            Err(err @ (Error::InvalidValue(_) | Error::Server { .. })) => {
                failed.outbox_failed(&e.id, &err.to_string(), crate::clock::now_ms());
                failures.push((e.id, err));
            }
            Err(err) => return Err(err),
        }
    }
    if !failed.is_empty() {
        shared.store.commit(&shared.ctx, failed).await?;
        for (id, err) in failures {
            shared.send.finish(&id, &Err(err));
        }
    }
    // Bundles for devices without a session (a hint read without the lock;
    // re-checked under it).
    let mut need = Vec::new();
    {
        let mut probe = Encryptor::new(shared.store.as_ref(), &sid, &creds.identity);
        for (_, p) in &plans {
            for d in p.recipients.iter().chain(&p.own) {
                if !probe.has_session(d).await? && !need.contains(d) {
                    // A phone-number session about to migrate counts.
                    let lid_form = super::lid::prefer_lid(shared.store.as_ref(), &sid, d).await?;
                    if lid_form == *d || !probe.has_session(&lid_form).await? {
                        need.push(d.clone());
                    }
                }
            }
        }
    }
    let bundles = client.fetch_bundles(&need).await?;
    let _signal = shared.signal.lock().await;
    let mut enc = Encryptor::new(shared.store.as_ref(), &sid, &creds.identity);
    enc.bundles = bundles;
    let mut ready = Vec::new();
    let now = crate::clock::now_ms();
    for (entry, plan) in plans {
        for (pn, lid) in &plan.learn {
            super::lid::learn_mapping(
                shared.store.as_ref(),
                &sid,
                pn,
                lid,
                &mut enc.batch,
                &mut enc.sessions,
            )
            .await?;
        }
        let msg = wa::Message::decode(entry.payload.as_slice())
            .map_err(|e| Error::InvalidValue(format!("outbox payload: {e}")))?;
        let (cts, sk_to) = match &plan.group {
            None => (
                encrypt_direct(&mut enc, &entry, &plan, &msg).await?,
                Vec::new(),
            ),
            Some(_) => group::encrypt_group(&mut enc, &shared, &plan, &msg).await?,
        };
        enc.batch.outbox_encrypted(&entry.id, cts.clone(), now);
        enc.batch.put_message(sent_row(creds, &entry, &msg, now));
        let group = plan.group.as_ref().map(|g| (g.phash.clone(), g.lid));
        ready.push(Ready {
            to: plan.to.clone(),
            group,
            sk_to,
            entry: OutboxEntry {
                state: OutboxState::Encrypted,
                ciphertexts: cts,
                ..entry
            },
        });
    }
    let batch = std::mem::take(&mut enc.batch);
    shared.store.commit(&shared.ctx, batch).await?;
    Ok(ready)
}

/// The copy of `msg` (sent to `chat`) for our own other devices.
pub(crate) fn device_sent(chat: &Jid, msg: &wa::Message) -> wa::Message {
    wa::Message {
        device_sent_message: Some(Box::new(wa::message::DeviceSentMessage {
            destination_jid: Some(chat.to_string()),
            message: Some(Box::new(msg.clone())),
            phash: None,
        })),
        message_context_info: msg.message_context_info.clone(),
        ..Default::default()
    }
}

/// 1:1: the message for the recipient's devices, a `DeviceSentMessage`
/// for our other devices.
async fn encrypt_direct(
    enc: &mut Encryptor<'_>,
    entry: &OutboxEntry,
    plan: &Plan,
    msg: &wa::Message,
) -> Result<Vec<OutboxCiphertext>> {
    let plain = wa_proto::signal::pad(&entry.payload, &mut rand::rng());
    let dsm = device_sent(&entry.chat, msg);
    let own_plain = wa_proto::signal::pad(&dsm.encode_to_vec(), &mut rand::rng());
    let mut cts = Vec::new();
    for d in &plan.recipients {
        if let Some(c) = enc.encrypt_for(d, &plain).await? {
            cts.push(c);
        }
    }
    if cts.is_empty() {
        return Err(Error::InvalidValue(format!(
            "no device of {} could be reached",
            entry.chat
        )));
    }
    for d in &plan.own {
        if let Some(c) = enc.encrypt_for(d, &own_plain).await? {
            cts.push(c);
        }
    }
    Ok(cts)
}

/// Our own copy of a sent message, stored with the encryption.
fn sent_row(
    creds: &DeviceCredentials,
    entry: &OutboxEntry,
    msg: &wa::Message,
    now_ms: i64,
) -> StoredMessage {
    let (kind, body) = content::classify(msg).unwrap_or(("protocol", None));
    StoredMessage {
        chat: entry.chat.clone(),
        id: entry.id.clone(),
        from_me: true,
        sender: creds.jid.as_ref().map(Jid::to_non_ad),
        timestamp: now_ms / 1000,
        kind: kind.to_owned(),
        body,
        raw: entry.payload.clone(),
        media: crate::media::MediaRef::from_message(msg).map(|r| r.to_info()),
        ack: AckLevel::Pending,
    }
}
