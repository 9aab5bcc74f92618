//! Helpers shared by the webhook tests (`webhooks.rs`: delivery,
//! `webhook_events.rs`: event mapping): a gateway posting its webhooks to a
//! test receiver, a linked session `wh` of account [`US`] and a [`PEER`].
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::Duration;

use serde_json::Value;

use crate::common::receiver::Receiver;
use crate::common::{self, Harness};

pub const SECRET: &str = "s3cret";
pub const US: &str = "15550001000";
pub const PEER: &str = "15550002000";

pub async fn harness(rx: &Receiver, f: impl FnOnce(&mut wa_http::Config)) -> Harness {
    let url = rx.url.clone();
    Harness::with(move |c, _| {
        c.base_webhook_url = Some(url);
        c.webhook_retry_base_ms = 50;
        c.webhook_timeout_ms = 2_000;
        f(c);
    })
    .await
}

/// Links session `wh` to `US` and creates the `PEER` account.
pub async fn linked(rx: &Receiver, f: impl FnOnce(&mut wa_http::Config)) -> Harness {
    let h = harness(rx, f).await;
    h.account(US, "Us");
    h.account(PEER, "Peer");
    h.link("wh", US).await;
    h
}

/// Waits until a delivery of `data_type` satisfies `pred`; returns its body.
pub async fn wait_for(rx: &Receiver, data_type: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        if let Some(v) = rx.of(data_type).into_iter().find(|v| pred(v)) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no {data_type} webhook; got {:?}",
        rx.deliveries()
            .iter()
            .map(|d| d.body["dataType"].clone())
            .collect::<Vec<_>>()
    );
}

pub fn header<'a>(d: &'a common::receiver::Delivery, name: &str) -> &'a str {
    d.headers.get(name).unwrap().to_str().unwrap()
}

pub fn us() -> String {
    format!("{US}@c.us")
}

pub fn peer() -> String {
    format!("{PEER}@c.us")
}
