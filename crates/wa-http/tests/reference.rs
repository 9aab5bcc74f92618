//! The offline-replayable cases of the reference server's own test suite
//! (`tests/api.test.js` of whatsapp-api), over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Harness, KEY};
use serde_json::{Value, json};

async fn reference_harness() -> Harness {
    Harness::with(|c, base| {
        c.enable_local_callback_example = true;
        c.base_webhook_url = Some(format!("{base}/localCallbackExample"));
    })
    .await
}

fn log_path(h: &Harness) -> std::path::PathBuf {
    h.dir.path().join("message_log.txt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_needs_no_key() {
    let h = Harness::new().await;
    let r = h.http.get(h.url("/ping")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"success": true, "message": "pong"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_callback_example_appends_the_body() {
    let h = reference_harness().await;
    let body = json!({"sessionId": "1", "dataType": "testDataType", "data": "testData"});
    let (s, b) = h.post("/localCallbackExample", body.clone()).await;
    assert_eq!((s, b), (200, json!({"success": true})));
    let log = std::fs::read_to_string(log_path(&h)).unwrap();
    assert_eq!(
        log,
        format!("{}\r\n", serde_json::to_string(&body).unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_without_key_is_403_and_bad_id_is_422() {
    let h = Harness::new().await;
    let r = h.http.get(h.url("/session/start/1")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"success": false, "error": "Invalid API key"})
    );
    let r = h
        .http
        .get(h.url("/session/start/1"))
        .header("x-api-key", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (s, b) = h.get("/session/start/ABCD1@").await;
    assert_eq!(s, 422);
    assert_eq!(
        b,
        json!({"success": false, "error": "Session should be alphanumerical or -"})
    );
    // A bad key wins over a bad id, as in the reference.
    let r = h
        .http
        .get(h.url("/session/start/ABCD1@"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_then_terminate_removes_the_session() {
    let h = Harness::new().await;
    let (s, b) = h.get("/session/start/1").await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "message": "Session initiated successfully"})
        )
    );
    let folder = h.dir.path().join("session-1");
    assert!(folder.is_dir());
    let (s, b) = h.get("/session/start/1").await;
    assert_eq!(
        (s, b["error"].clone()),
        (422, json!("Session already exists for: 1"))
    );
    let (s, b) = h.get("/session/terminate/1").await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "message": "Logged out successfully"})
        )
    );
    assert!(!folder.exists());
    let store = h.gateway.state.manager.store();
    assert!(store.session("1").await.unwrap().is_none());
    let (s, b) = h.get("/session/status/1").await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": false, "state": null, "message": "session_not_found"})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_inactive_flushes_unlinked_sessions_and_keeps_connected_ones() {
    let h = Harness::new().await;
    h.account("6281111111111", "Alice");
    h.link("alive", "6281111111111").await;
    for id in ["2", "3"] {
        assert_eq!(h.get(&format!("/session/start/{id}")).await.0, 200);
    }
    let (s, b) = h.get("/session/terminateInactive").await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"success": true, "message": "Flush completed successfully"})
        )
    );
    assert!(!h.dir.path().join("session-2").exists());
    assert!(!h.dir.path().join("session-3").exists());
    assert!(h.dir.path().join("session-alive").is_dir());
    let (_, b) = h.get("/session/status/alive").await;
    assert_eq!(b["state"], "CONNECTED");
    let (s, _) = h.get("/session/terminateAll").await;
    assert_eq!(s, 200);
    assert!(!h.dir.path().join("session-alive").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_webhook_after_start_is_the_qr_alone_within_10s() {
    let h = reference_harness().await;
    let _ = std::fs::remove_file(log_path(&h));
    assert_eq!(h.get("/session/start/4").await.0, 200);
    let started = std::time::Instant::now();
    let body = loop {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no webhook within 10 s"
        );
        if let Ok(text) = std::fs::read_to_string(log_path(&h))
            && !text.is_empty()
        {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The whole file is one JSON: the qr event and nothing else.
    let v: Value = serde_json::from_str(body.trim_end()).expect("exactly one JSON document");
    assert_eq!(v["dataType"], "qr");
    assert_eq!(v["sessionId"], "4");
    let qr = v["data"]["qr"].as_str().unwrap();
    assert!(qr.split(',').count() >= 4, "{qr}");
    assert_eq!(v.as_object().unwrap().len(), 3);
    // The same QR is served by the API, and as a PNG.
    let (_, b) = h.get("/session/qr/4").await;
    assert_eq!(b["qr"], qr);
    let r = h
        .http
        .get(h.url("/session/qr/4/image"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(&r.bytes().await.unwrap()[..4], b"\x89PNG");
    assert_eq!(h.get("/session/terminate/4").await.0, 200);
    assert!(!h.dir.path().join("session-4").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_malformed_json_and_oversized_bodies_answer_json() {
    let h = Harness::with(|c, _| {
        c.enable_local_callback_example = true;
        c.max_attachment_size = 1000;
    })
    .await;
    let (s, b) = h.get("/nope").await;
    assert_eq!(s, 404);
    assert_eq!(b["success"], false);
    let r = h
        .http
        .post(h.url("/localCallbackExample"))
        .header("x-api-key", KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["success"], false);
    let big = "x".repeat(1_100_000);
    let r = h
        .http
        .post(h.url("/localCallbackExample"))
        .header("x-api-key", KEY)
        .json(&json!({ "data": big }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["success"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_docs_swagger_ui_and_metrics_need_no_key() {
    let h = Harness::new().await;
    let r = h.http.get(h.url("/api-docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/client/sendMessage/{sessionId}"]["post"].is_object());
    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
    let r = h.http.get(h.url("/api-docs/ui/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("swagger"));
    let r = h.http.get(h.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("wa_gateway_http_requests_total")
    );
    // Off by default, with a JSON answer saying how to turn it on.
    let off = Harness::with(|c, _| c.enable_swagger_endpoint = false).await;
    let (s, b) = off.get("/api-docs").await;
    assert_eq!(s, 404);
    assert!(
        b["error"]
            .as_str()
            .unwrap()
            .contains("ENABLE_SWAGGER_ENDPOINT")
    );
}
