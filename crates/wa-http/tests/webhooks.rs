//! Webhook delivery over real HTTP: the durable queue (retries, 4xx,
//! restart), signatures, `DISABLED_CALLBACKS`, and isolation between
//! sessions. The events themselves are in `webhook_events.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod webhook_helpers;

use std::time::Duration;

use common::receiver::Receiver;
use common::{Harness, KEY};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use webhook_helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_and_shaped_like_the_reference() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |c| c.webhook_secret = Some(SECRET.into())).await;
    wait_for(&rx, "ready", |_| true).await;
    let ds = rx.deliveries();
    assert!(ds.iter().any(|d| d.body["dataType"] == "qr"));
    for d in &ds {
        let ts = header(d, "x-webhook-timestamp");
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{ts}.").as_bytes());
        mac.update(&d.raw);
        let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(header(d, "x-webhook-signature"), want);
        assert_eq!(header(d, "x-api-key"), KEY);
        assert_eq!(header(d, "x-webhook-id").len(), 32);
        assert_eq!(d.body["sessionId"], "wh");
    }
    let ready = rx.of("ready").remove(0);
    assert_eq!(ready, json!({"dataType": "ready", "sessionId": "wh"}));
    let auth = rx.of("authenticated").remove(0);
    assert!(auth.get("data").is_none());
    let qr = rx.of("qr").remove(0);
    assert!(qr["data"]["qr"].as_str().unwrap().contains(','));
    drop(h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_in_order_with_the_same_id() {
    let rx = Receiver::start().await;
    let h = harness(&rx, |_| {}).await;
    rx.fail_next(2);
    let w = &h.gateway.state.webhooks;
    w.emit("s1", "test_a", Some(json!({"n": 1})));
    w.emit("s1", "test_b", Some(json!({"n": 2})));
    let b = wait_for(&rx, "test_b", |_| true).await;
    assert_eq!(b["data"]["n"], 2);
    let got: Vec<Value> = rx.deliveries().into_iter().map(|d| d.body).collect();
    assert_eq!(got[0]["dataType"], "test_a", "{got:?}");
    assert_eq!(got[1]["dataType"], "test_b");
    let rejected = rx.rejected();
    assert_eq!(rejected.len(), 2);
    let id = header(&rx.deliveries()[0], "x-webhook-id").to_owned();
    for r in &rejected {
        assert_eq!(r.body["dataType"], "test_a");
        assert_eq!(header(r, "x-webhook-id"), id);
    }
    assert_eq!(rx.attempts(), 4);
    assert_ne!(header(&rx.deliveries()[1], "x-webhook-id"), id);
    let m = h.gateway.state.metrics.render(&[]);
    assert!(m.contains("outcome=\"retried\"} 2"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_not_retried_and_kept_dead() {
    let rx = Receiver::start().await;
    let h = harness(&rx, |_| {}).await;
    rx.fail_next_with(1, 400);
    let w = &h.gateway.state.webhooks;
    w.emit("s1", "test_a", None);
    w.emit("s1", "test_b", None);
    wait_for(&rx, "test_b", |_| true).await;
    assert_eq!(rx.attempts(), 2);
    assert!(rx.of("test_a").is_empty());
    let db = rusqlite::Connection::open(h.dir.path().join("webhooks.db")).unwrap();
    let (state, attempts): (String, u32) = db
        .query_row(
            "SELECT state, attempts FROM webhooks WHERE data_type = 'test_a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    // 429 is retried.
    rx.fail_next_with(1, 429);
    w.emit("s1", "test_c", None);
    wait_for(&rx, "test_c", |_| true).await;
    assert_eq!(rx.attempts(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_webhooks_survive_a_restart() {
    let rx = Receiver::start().await;
    let mut h = harness(&rx, |c| c.webhook_max_attempts = 50).await;
    rx.fail_next(u32::MAX);
    h.gateway
        .state
        .webhooks
        .emit("s1", "durable", Some(json!({"x": 1})));
    for _ in 0..100 {
        if rx.attempts() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(rx.attempts() > 0);
    h.gateway.shutdown().await;
    let first_id = header(&rx.rejected()[0], "x-webhook-id").to_owned();
    let dir = std::mem::replace(&mut h.dir, tempfile::tempdir().unwrap());
    let sim = h.sim.clone();
    let config = h.gateway.state.config.as_ref().clone();
    drop(h);
    tokio::time::sleep(Duration::from_millis(300)).await;
    rx.fail_next(0);
    let before = rx.attempts();
    assert!(rx.of("durable").is_empty());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let h2 = Harness::start(sim, dir, config, listener).await;
    let d = wait_for(&rx, "durable", |_| true).await;
    assert_eq!(d["data"]["x"], 1);
    assert!(rx.attempts() > before);
    let got = rx.deliveries();
    assert_eq!(header(&got[0], "x-webhook-id"), first_id);
    drop(h2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_callbacks_are_not_sent() {
    let rx = Receiver::start().await;
    let h = linked(&rx, |c| {
        c.disabled_callbacks = "message_create|media|message_ack".into();
    })
    .await;
    let img = h
        .sim
        .send_image(PEER, US, &[1, 2, 3], "image/png", "")
        .unwrap();
    wait_for(&rx, "message", |v| v["data"]["message"]["id"]["id"] == img).await;
    let marker = h.sim.send_text(PEER, US, "marker").unwrap();
    wait_for(&rx, "message", |v| {
        v["data"]["message"]["id"]["id"] == marker
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rx.of("media").is_empty());
    assert!(rx.of("message_create").is_empty());
    assert!(rx.of("message_ack").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_does_not_hold_up_other_sessions() {
    let rx = Receiver::start().await;
    rx.fail_session("blocked");
    let h = harness(&rx, |c| c.webhook_max_attempts = 100).await;
    let w = &h.gateway.state.webhooks;
    w.emit("blocked", "stuck", None);
    for i in 0..20 {
        w.emit("free", "flowing", Some(json!({ "i": i })));
    }
    wait_for(&rx, "flowing", |v| v["data"]["i"] == 19).await;
    let order: Vec<Value> = rx
        .of("flowing")
        .into_iter()
        .map(|v| v["data"]["i"].clone())
        .collect();
    assert_eq!(order, (0..20).map(|i| json!(i)).collect::<Vec<_>>());
    assert!(
        rx.rejected()
            .iter()
            .any(|d| d.body["sessionId"] == "blocked")
    );
    assert!(rx.of("stuck").is_empty());
}
