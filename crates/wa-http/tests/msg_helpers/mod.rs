//! Helpers shared by the message tests (`send_message.rs`, `messages.rs`):
//! a linked session `s` of account [`US`], two more phones, and waits on
//! the phones' inboxes and our store.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wa_sim::phone::inbox::InboxEntry;

use crate::common::Harness;

/// Our account (session `s`).
pub const US: &str = "6281100000001";
/// The phone we talk to.
pub const PHONE: &str = "6281100000002";
/// A third phone.
pub const THIRD: &str = "6281100000003";

/// `<number>@c.us`.
pub fn cus(n: &str) -> String {
    format!("{n}@c.us")
}

/// Accounts created and session `s` linked to [`US`].
pub async fn linked(h: &Harness) {
    h.account(US, "Us");
    h.account(PHONE, "Phone");
    h.account(THIRD, "Third");
    h.link("s", US).await;
}

/// A harness with the three accounts and session `s` linked.
pub async fn setup() -> Harness {
    let h = Harness::new().await;
    linked(&h).await;
    h
}

/// POST with the key; with `WA_HTTP_DUMP` set, each `(path, status, body)`
/// is appended to that file as a JSON line (to check the answers against
/// the OpenAPI document outside the tests).
pub async fn post(h: &Harness, path: &str, body: Value) -> (u16, Value) {
    let (s, b) = h.post(path, body).await;
    if let Ok(f) = std::env::var("WA_HTTP_DUMP") {
        use std::io::Write as _;
        let line = format!("{}\n", json!({"path": path, "status": s, "body": b}));
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(f)
            .unwrap();
        // One write per line: appends from parallel tests do not interleave.
        out.write_all(line.as_bytes()).unwrap();
    }
    (s, b)
}

/// POST `/client/sendMessage/s`.
pub async fn send(h: &Harness, body: Value) -> (u16, Value) {
    post(h, "/client/sendMessage/s", body).await
}

/// Sends and asserts 200; returns the `message` object.
pub async fn send_ok(h: &Harness, body: Value) -> Value {
    let (s, b) = send(h, body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["success"], json!(true), "{b}");
    b["message"].clone()
}

/// POST `/message/<op>/s`.
pub async fn op(h: &Harness, op: &str, body: Value) -> (u16, Value) {
    post(h, &format!("/message/{op}/s"), body).await
}

/// The inbox entry `id` of `phone`, waiting for it.
pub async fn inbox_entry(h: &Harness, phone: &str, id: &str) -> InboxEntry {
    h.eventually(|| h.sim.inbox(phone).unwrap().into_iter().find(|e| e.id == id))
        .await
}

/// Waits until our store has message `id` of `chat` (getClassInfo answers
/// 200) and returns its JSON.
pub async fn wait_stored(h: &Harness, chat: &str, id: &str) -> Value {
    for _ in 0..300 {
        let (s, b) = op(h, "getClassInfo", json!({"chatId": chat, "messageId": id})).await;
        if s == 200 {
            return b["message"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {id} never stored");
}

/// Hex SHA-256.
pub fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Base64.
pub fn b64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Some bytes that look like a file of `len` bytes.
pub fn file(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Asserts `b` is a 400 whose error names `field`.
pub fn names_field(s: u16, b: &Value, field: &str) {
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["success"], json!(false), "{b}");
    let e = b["error"].as_str().unwrap();
    assert!(e.starts_with(field), "expected {field}: {e}");
}
