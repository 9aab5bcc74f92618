//! Bad input closes only the offending connection, with the proper stream
//! error; persistence restores accounts and keys; the control API contract.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_sim::{Sim, SimConfig};

const ALICE: &str = "6281255500001";
const BOB: &str = "6281255500002";

fn is_bad_node_error(n: &Node) -> bool {
    n.tag == "stream:error" && n.child("xml-not-well-formed").is_some()
}

#[tokio::test]
async fn garbage_closes_only_that_connection() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut bystander = linked_client(&sim, BOB, 600).await;

    // 1. Frames that do not decrypt.
    let mut a = linked_client(&sim, ALICE, 601).await;
    a.send_raw(vec![
        0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ])
    .await;
    let rest = a.until_closed().await;
    assert!(
        rest.iter().any(is_bad_node_error),
        "stream error, got {rest:?}"
    );

    // 2. A well-encrypted payload that is not a node.
    let mut a = TestClient::login(&sim, a.secrets.clone(), 602).await;
    a.recv_tag("success").await;
    let junk = a.encrypt_raw(&[0, 0xf8, 0xff, 0xff, 0xff]);
    a.send_raw(junk).await;
    assert!(a.until_closed().await.iter().any(is_bad_node_error));

    // 3. An unknown stanza and a message without an id.
    for bad in [
        Node::new("frobnicate"),
        Node::new("message").with_attr("to", Jid::pn(BOB)),
    ] {
        let mut a = TestClient::login(&sim, a.secrets.clone(), 603).await;
        a.recv_tag("success").await;
        a.send(&bad).await;
        assert!(
            a.until_closed().await.iter().any(is_bad_node_error),
            "for {bad:?}"
        );
    }

    // 4. Garbage instead of a handshake: closed without a node.
    let (mut ws, _) = tokio_tungstenite::connect_async(sim.ws_url())
        .await
        .unwrap();
    ws.send(WsMessage::Binary(vec![b'X'; 64].into()))
        .await
        .unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(m)) = ws.next().await {
            if matches!(m, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "a bad handshake is closed");

    // The bystander is unaffected.
    let pong = bystander.iq("w:p", "get", vec![]).await;
    assert_eq!(pong.attr_str("type"), Some("result"));
    // Unknown iq namespaces get an error reply, not a close.
    let r = bystander.iq("x:unknown", "get", vec![]).await;
    assert_eq!(r.attr_str("type"), Some("error"));
    assert_eq!(r.child("error").unwrap().attr_str("code"), Some("501"));
}

#[tokio::test]
async fn data_dir_restores_accounts_devices_and_keys() {
    let dir = std::env::temp_dir().join(format!("wa-sim-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = SimConfig {
        data_dir: Some(dir.clone()),
        ..SimConfig::local()
    };
    let sim = Sim::start(config.clone()).await.unwrap();
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let a = linked_client(&sim, ALICE, 700).await;
    let secrets = a.secrets.clone();
    let sessions = a.sessions.clone();
    let root = sim.root_public_key();
    let ca = sim.ca_pem();
    a.close().await;
    // Queued for the offline device, then a restart.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let id = sim.send_text(BOB, ALICE, "across a restart").unwrap();
    sim.shutdown().await;
    drop(sim);
    assert!(dir.join("state.json").exists());

    let sim = Sim::start(config).await.unwrap();
    assert_eq!(sim.root_public_key(), root, "the Noise root survives");
    assert_eq!(sim.ca_pem(), ca, "the CA survives");
    let mut a = TestClient::login(&sim, secrets, 701).await;
    a.sessions = sessions;
    a.recv_tag("success").await;
    a.iq("passive", "set", vec![Node::new("active")]).await;
    let m = a.recv_tag("message").await;
    assert_eq!(m.attr_text("id").as_deref(), Some(id.as_str()));
    assert_eq!(m.attr_str("offline"), Some("1"));
    let msg = a.decrypt(&Jid::pn(BOB), m.child("enc").unwrap());
    assert_eq!(msg.conversation.as_deref(), Some("across a restart"));
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn http(
    sim: &wa_sim::SimHandle,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn control_api_contract() {
    let sim = start_sim().await;
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/accounts",
        Some(r#"{"phone":"6281288888888","name":"Alice"}"#),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["jid"], "6281288888888@s.whatsapp.net");
    assert!(v["lid"].as_str().unwrap().ends_with("@lid"));
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/accounts",
        Some(r#"{"phone":"6281288888888","name":"Alice"}"#),
    )
    .await;
    assert_eq!(s, 409);
    assert!(v["error"].is_string());
    let (s, _) = http(&sim, "POST", "/sim/accounts", Some("not json")).await;
    assert_eq!(s, 400);
    let (s, _) = http(
        &sim,
        "POST",
        "/sim/accounts/6281299999999/send",
        Some(r#"{"to":"6281288888888","text":"x"}"#),
    )
    .await;
    assert_eq!(s, 404);
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/accounts/6281288888888/send",
        Some(r#"{"to":"6281288888888@s.whatsapp.net","image":{"base64":""}}"#),
    )
    .await;
    assert_eq!(s, 400, "an empty image is refused: {v}");
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/accounts/6281288888888/link",
        Some(r#"{"qr":"garbage"}"#),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/accounts/6281288888888/link-code",
        Some(r#"{"code":"ABCD-1234"}"#),
    )
    .await;
    assert_eq!(s, 404, "nobody waits for a code: {v}");
    let (s, v) = http(&sim, "GET", "/sim/accounts/6281288888888/inbox", None).await;
    assert_eq!((s, v), (200, serde_json::json!([])));
    let (s, v) = http(
        &sim,
        "POST",
        "/sim/faults",
        Some(r#"{"frame_delay_ms":5,"drop_frame_rate":0.25}"#),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["frame_delay_ms"], 5);
    assert_eq!(sim.faults().drop_frame_rate, 0.25);
    let (s, _) = http(
        &sim,
        "POST",
        "/sim/faults",
        Some(r#"{"drop_frame_rate":2}"#),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = http(&sim, "DELETE", "/sim/faults", None).await;
    assert_eq!(s, 200);
    assert_eq!(sim.faults(), wa_sim::FaultSettings::default());
    let (s, v) = http(&sim, "GET", "/sim/info", None).await;
    assert_eq!(s, 200);
    assert_eq!(v["root_public_key_hex"], hex::encode(sim.root_public_key()));
    assert!(
        v["ca_pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(v["ws_url"], sim.ws_url());
    let (s, v) = http(&sim, "GET", "/nope", None).await;
    assert_eq!(s, 404);
    assert!(v["error"].is_string());
}

#[tokio::test]
async fn tls_on_the_same_port() {
    let sim = start_sim().await;
    // A TLS client that trusts the sim's CA reaches the same router.
    let mut roots = rustls::RootCertStore::empty();
    let pem = sim.ca_pem();
    let der = pem_to_der(&pem);
    roots
        .add(rustls::pki_types::CertificateDer::from(der))
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(b"GET /sim/info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("root_public_key_hex"));
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}
