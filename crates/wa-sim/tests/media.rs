//! Media: `media_conn`, HTTP upload/download with token and hash checks,
//! virtual phones decrypting received attachments and sending images.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::media::{ExpectedMedia, MediaType, decrypt, encrypt};
use wa_proto::proto::wa;

const ALICE: &str = "6281277710001";
const BOB: &str = "6281277710002";

/// A raw HTTP/1.1 request on the sim's port: (status, headers, body).
async fn http(
    sim: &wa_sim::SimHandle,
    method: &str,
    path: &str,
    extra: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(out[..split].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, out[split + 4..].to_vec())
}

fn sha(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

async fn media_conn(c: &mut TestClient) -> (String, String) {
    let r = c.iq("w:m", "set", vec![Node::new("media_conn")]).await;
    assert_eq!(r.attr_str("type"), Some("result"));
    let mc = r.children().first().unwrap().clone();
    assert_eq!(mc.tag, "media_conn", "media_conn is the first child");
    for a in ["auth", "ttl", "auth_ttl", "max_buckets"] {
        assert!(mc.attr(a).is_some(), "media_conn has {a}");
    }
    let hosts: Vec<_> = mc.children().iter().map(|h| h.tag.to_string()).collect();
    assert_eq!(hosts, vec!["host"]);
    (
        mc.attr_text("auth").unwrap().into_owned(),
        mc.children()[0].attr_text("hostname").unwrap().into_owned(),
    )
}

#[tokio::test]
async fn upload_checks_auth_and_hash_and_download_returns_the_blob() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    let mut a = linked_client(&sim, ALICE, 300).await;
    let (auth, host) = media_conn(&mut a).await;
    assert_eq!(host, sim.addr().to_string(), "the sim's own host:port");

    let (file, info) = encrypt([9; 32], MediaType::Image, b"picture bytes");
    let token = URL_SAFE_NO_PAD.encode(info.file_enc_sha256);
    let auth_q: String = auth.bytes().map(|b| format!("%{b:02X}")).collect();
    let path = format!("/mms/image/{token}?auth={auth_q}&token={token}");
    let (s, _, body) = http(&sim, "POST", &path, "", &file).await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let direct = v["direct_path"].as_str().unwrap().to_owned();
    let url = v["url"].as_str().unwrap();
    assert!(direct.starts_with("/v/"));
    assert_eq!(url, format!("https://{host}{direct}"));

    let (s, _, got) = http(&sim, "GET", &direct, "", b"").await;
    assert_eq!(s, 200);
    assert_eq!(got, file);
    let plain = decrypt(
        &[9; 32],
        MediaType::Image,
        &got,
        &ExpectedMedia::from_info(&info),
    )
    .unwrap()
    .0;
    assert_eq!(plain, b"picture bytes");
    // The upload path works for downloads too, and ranges are honoured.
    let (s, head, part) = http(
        &sim,
        "GET",
        &format!("/mms/image/{token}"),
        "Range: bytes=2-5\r\n",
        b"",
    )
    .await;
    assert_eq!(s, 206);
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-range: bytes 2-5/{}", file.len()))
    );
    assert_eq!(part, file[2..=5]);

    // Wrong auth, a body that does not match its token, mismatched tokens.
    let (s, _, _) = http(
        &sim,
        "POST",
        &format!("/mms/image/{token}?auth=nope&token={token}"),
        "",
        &file,
    )
    .await;
    assert_eq!(s, 401);
    let mut bad = file.clone();
    bad[0] ^= 1;
    let (s, _, _) = http(&sim, "POST", &path, "", &bad).await;
    assert_eq!(s, 400);
    let other = URL_SAFE_NO_PAD.encode(sha(b"x"));
    let (s, _, _) = http(
        &sim,
        "POST",
        &format!("/mms/image/{token}?auth={auth_q}&token={other}"),
        "",
        &file,
    )
    .await;
    assert_eq!(s, 400);
    let (s, _, _) = http(
        &sim,
        "GET",
        &format!("/v/t62.7118-24/{}.enc", hex::encode(sha(b"x"))),
        "",
        b"",
    )
    .await;
    assert_eq!(s, 404);
}

fn image_message(
    info: &wa_proto::media::MediaInfo,
    url: &str,
    direct: &str,
    caption: &str,
) -> wa::Message {
    wa::Message {
        image_message: Some(Box::new(wa::message::ImageMessage {
            url: Some(url.to_owned()),
            direct_path: Some(direct.to_owned()),
            mimetype: Some("image/png".into()),
            caption: Some(caption.into()),
            media_key: Some(info.media_key.to_vec()),
            file_enc_sha256: Some(info.file_enc_sha256.to_vec()),
            file_sha256: Some(info.file_sha256.to_vec()),
            file_length: Some(info.file_length),
            ..Default::default()
        })),
        ..Default::default()
    }
}

async fn send_to_phone(a: &mut TestClient, id: &str, msg: &wa::Message) {
    let phone = Jid::pn(BOB);
    let enc = a.encrypt_for(&phone, msg);
    let node = Node::new("message")
        .with_attr("id", id.to_owned())
        .with_attr("to", phone.clone())
        .with_attr("type", "media")
        .with_child(
            Node::new("participants").with_child(
                Node::new("to")
                    .with_attr("jid", phone.clone())
                    .with_child(enc),
            ),
        );
    a.send(&node).await;
    a.recv_match(|n| n.tag == "receipt" && n.attr_str("id") == Some(id))
        .await;
}

#[tokio::test]
async fn phone_decrypts_received_images_and_reports_bad_ones() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 310).await;
    a.start_session(&Jid::pn(BOB)).await;
    let (auth, _) = media_conn(&mut a).await;
    let picture: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (file, info) = encrypt([3; 32], MediaType::Image, &picture);
    let token = URL_SAFE_NO_PAD.encode(info.file_enc_sha256);
    let auth_q: String = auth.bytes().map(|b| format!("%{b:02X}")).collect();
    let (s, _, body) = http(
        &sim,
        "POST",
        &format!("/mms/image/{token}?auth={auth_q}&token={token}"),
        "",
        &file,
    )
    .await;
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let (url, direct) = (
        v["url"].as_str().unwrap(),
        v["direct_path"].as_str().unwrap(),
    );

    send_to_phone(
        &mut a,
        "3EB0IMG1",
        &image_message(&info, url, direct, "a caption"),
    )
    .await;
    // A message whose fileSha256 lies: the phone records the failure.
    let mut lying = info.clone();
    lying.file_sha256 = sha(b"something else");
    send_to_phone(
        &mut a,
        "3EB0IMG2",
        &image_message(&lying, url, direct, "bad"),
    )
    .await;

    let inbox = sim.inbox(BOB).unwrap();
    let good = inbox.iter().find(|e| e.id == "3EB0IMG1").unwrap();
    assert_eq!(
        (good.kind.as_str(), good.text.as_str()),
        ("image", "a caption")
    );
    let media = good.media.as_ref().unwrap();
    assert_eq!(media.mimetype, "image/png");
    assert_eq!(media.size, Some(picture.len() as u64));
    assert_eq!(
        media.sha256.as_deref(),
        Some(hex::encode(sha(&picture)).as_str())
    );
    let json = serde_json::to_value(good).unwrap();
    assert_eq!(json["media"]["sha256"], hex::encode(sha(&picture)));
    // A document reuses the same upload under its own key family: the phone
    // picks the document keys and decrypts it.
    let (dfile, dinfo) = encrypt([4; 32], MediaType::Document, b"%PDF-1.4 tiny");
    let dtoken = URL_SAFE_NO_PAD.encode(dinfo.file_enc_sha256);
    let (s, _, body) = http(
        &sim,
        "POST",
        &format!("/mms/document/{dtoken}?auth={auth_q}&token={dtoken}"),
        "",
        &dfile,
    )
    .await;
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let doc = wa::Message {
        document_message: Some(Box::new(wa::message::DocumentMessage {
            url: v["url"].as_str().map(str::to_owned),
            direct_path: v["direct_path"].as_str().map(str::to_owned),
            mimetype: Some("application/pdf".into()),
            caption: Some("the doc".into()),
            media_key: Some(dinfo.media_key.to_vec()),
            file_enc_sha256: Some(dinfo.file_enc_sha256.to_vec()),
            file_sha256: Some(dinfo.file_sha256.to_vec()),
            file_length: Some(dinfo.file_length),
            ..Default::default()
        })),
        ..Default::default()
    };
    send_to_phone(&mut a, "3EB0DOC1", &doc).await;
    let inbox = sim.inbox(BOB).unwrap();
    let d = inbox.iter().find(|e| e.id == "3EB0DOC1").unwrap();
    assert_eq!((d.kind.as_str(), d.text.as_str()), ("document", "the doc"));
    let dm = d.media.as_ref().unwrap();
    assert_eq!(dm.mimetype, "application/pdf");
    assert_eq!(
        dm.sha256.as_deref(),
        Some(hex::encode(sha(b"%PDF-1.4 tiny")).as_str())
    );

    let bad = inbox.iter().find(|e| e.id == "3EB0IMG2").unwrap();
    let media = bad.media.as_ref().unwrap();
    assert_eq!(media.sha256, None);
    assert_eq!(media.error.as_deref(), Some("fileSha256 mismatch"));
}

#[tokio::test]
async fn phone_sends_an_image_the_companion_downloads_and_decrypts() {
    let sim = start_sim().await;
    sim.create_account(ALICE, "Alice").unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    let mut a = linked_client(&sim, ALICE, 320).await;
    let picture: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    let id = sim
        .send_image(BOB, ALICE, &picture, "image/jpeg", "from bob")
        .unwrap();
    let m = a
        .recv_match(|n| n.tag == "message" && n.attr_str("id") == Some(id.as_str()))
        .await;
    assert_eq!(m.attr_str("type"), Some("media"));
    let msg = a.decrypt(&Jid::pn(BOB), m.child("enc").unwrap());
    let img = msg.image_message.unwrap();
    assert_eq!(img.caption.as_deref(), Some("from bob"));
    assert_eq!(img.mimetype.as_deref(), Some("image/jpeg"));
    assert_eq!(img.file_length, Some(picture.len() as u64));
    assert_eq!(img.file_sha256.as_deref(), Some(&sha(&picture)[..]));
    let url = img.url.unwrap();
    let direct = img.direct_path.unwrap();
    assert_eq!(url, format!("https://{}{direct}", sim.addr()));
    let (s, _, file) = http(&sim, "GET", &direct, "", b"").await;
    assert_eq!(s, 200);
    assert_eq!(img.file_enc_sha256.as_deref(), Some(&sha(&file)[..]));
    let expected = ExpectedMedia {
        file_enc_sha256: Some(sha(&file)),
        file_sha256: Some(sha(&picture)),
        file_length: Some(picture.len() as u64),
    };
    let (plain, _) = decrypt(
        img.media_key.as_deref().unwrap(),
        MediaType::Image,
        &file,
        &expected,
    )
    .unwrap();
    assert_eq!(plain, picture);
}

#[tokio::test]
async fn blobs_persist_under_data_dir() {
    let dir = std::env::temp_dir().join(format!("wa-sim-media-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = wa_sim::SimConfig {
        data_dir: Some(dir.clone()),
        ..wa_sim::SimConfig::local()
    };
    let sim = wa_sim::Sim::start(config.clone()).await.unwrap();
    sim.create_account(BOB, "Bob").unwrap();
    sim.create_account(ALICE, "Alice").unwrap();
    let id = sim
        .send_image(BOB, ALICE, b"kept", "image/jpeg", "")
        .unwrap();
    assert!(!id.is_empty());
    let url = sim.with_world(|w| {
        let inbox = w.account(ALICE).unwrap().phone_dev.inbox().to_vec();
        inbox.last().unwrap().clone()
    });
    assert_eq!(url.kind, "image");
    let media = url.media.unwrap();
    assert_eq!(media.sha256, Some(hex::encode(sha(b"kept"))));
    sim.shutdown().await;
    let files = std::fs::read_dir(dir.join("media")).unwrap().count();
    assert!(files >= 2, "auth file and the blob");
    // A restarted sim serves the blob from disk with the same auth token.
    let auth1 = std::fs::read_to_string(dir.join("media/auth")).unwrap();
    let sim = wa_sim::Sim::start(config).await.unwrap();
    let name = std::fs::read_dir(dir.join("media"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().into_string().unwrap())
        .find(|n| n.len() == 64)
        .unwrap();
    let (s, _, file) = http(&sim, "GET", &format!("/v/t62.7118-24/{name}.enc"), "", b"").await;
    assert_eq!(s, 200);
    assert_eq!(hex::encode(sha(&file)), name);
    assert_eq!(
        std::fs::read_to_string(dir.join("media/auth")).unwrap(),
        auth1
    );
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
