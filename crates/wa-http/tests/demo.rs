//! Demo mode: the embedded sim links the auto-started session, a message
//! sent over HTTP to a virtual contact gets an answer, and the webhooks
//! (qr → authenticated → ready → message) land in the local callback log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use serde_json::{Value, json};
use wa_http::{Config, Gateway};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_links_answers_and_posts_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut c = Config::defaults(dir.path());
    c.port = port;
    let gw = std::sync::Arc::new(
        Gateway::start_demo(c, Duration::from_millis(300))
            .await
            .unwrap(),
    );
    assert!(gw.state.config.enable_swagger_endpoint && gw.state.config.print_qr);
    let g = std::sync::Arc::clone(&gw);
    tokio::spawn(async move { g.serve(listener).await });
    wa_http::sessions::start(&gw.state, "demo").await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut connected = false;
    for _ in 0..200 {
        let v: Value = http
            .get(format!("{base}/session/status/demo"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["state"] == "CONNECTED" {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(connected, "the virtual phone never linked the session");
    let r: Value = http
        .post(format!("{base}/client/sendMessage/demo"))
        .json(&json!({"chatId": "15550000001@c.us", "contentType": "string", "content": "Hello Alice"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["success"], true, "{r}");
    // Alice answers; the answer arrives as a `message` webhook in the log.
    let log = gw.state.config.sessions_path.join("message_log.txt");
    let mut kinds = Vec::new();
    let mut reply = None;
    for _ in 0..300 {
        if let Ok(text) = std::fs::read_to_string(&log) {
            kinds = text
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .map(|v| {
                    if v["dataType"] == "message" {
                        reply = v["data"]["message"]["body"].as_str().map(str::to_owned);
                    }
                    v["dataType"].as_str().unwrap_or_default().to_owned()
                })
                .collect();
            if reply.is_some() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = reply.unwrap_or_else(|| panic!("no reply webhook; got {kinds:?}"));
    assert!(
        reply.contains("Alice") && reply.contains("Hello Alice"),
        "{reply}"
    );
    let pos = |k: &str| {
        kinds
            .iter()
            .position(|x| x == k)
            .unwrap_or_else(|| panic!("no {k} in {kinds:?}"))
    };
    assert_eq!(pos("qr"), 0);
    assert!(pos("authenticated") < pos("ready"));
    assert!(pos("ready") < pos("message"));
}
