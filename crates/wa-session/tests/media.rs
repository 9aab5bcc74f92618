//! Media against an in-process wa-sim: downloading and decrypting what a
//! virtual phone sent (and refusing tampered files), uploading every media
//! kind through `media_conn` and reading it back, sending media to a phone
//! that decrypts it, and history sync chunks stored from a downloaded blob.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use std::sync::Arc;

use client_common::*;
use sha2::{Digest, Sha256};
use wa_proto::jid::Jid;
use wa_proto::proto::wa;
use wa_session::client::Options;
use wa_session::media::{MediaRef, MediaType};
use wa_session::message::{MediaDetails, MediaKind, MediaUpload, media_message};
use wa_session::store::{MessageQuery, Store, StoredMessage};
use wa_session::{Client, Error, Event, EventStream};
use wa_sim::SimHandle;

const ME: &str = "6281300000001";
const PEER: &str = "6281300000002";

fn media_options(sim: &SimHandle) -> Options {
    Options {
        media_ca_pem: Some(sim.ca_pem()),
        media_timeout: std::time::Duration::from_secs(5),
        ..test_options()
    }
}

async fn linked(sim: &SimHandle, store: &Arc<dyn Store>) -> (Client, EventStream) {
    let (c, mut events) = Client::builder(Arc::clone(store), "me")
        .url(sim.ws_url())
        .trusted_root(root(sim))
        .options(media_options(sim))
        .build()
        .await
        .unwrap();
    pair_by_qr(sim, &mut events, ME).await;
    (c, events)
}

async fn setup() -> (
    SimHandle,
    tempfile::TempDir,
    Arc<dyn Store>,
    Client,
    EventStream,
) {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    sim.create_account(PEER, "Peer").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, events) = linked(&sim, &store).await;
    (sim, dir, store, c, events)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn blob_key(r: &MediaRef) -> [u8; 32] {
    r.file_enc_sha256.unwrap()
}

async fn received_image(
    sim: &SimHandle,
    events: &mut EventStream,
    image: &[u8],
) -> Box<StoredMessage> {
    let id = sim
        .send_image(
            PEER,
            &format!("{ME}@s.whatsapp.net"),
            image,
            "image/png",
            "a cat",
        )
        .unwrap();
    let Event::Message(m) = next_event(events, |e| matches!(e, Event::Message(_))).await else {
        unreachable!()
    };
    assert_eq!(m.id, id);
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_and_decrypts_a_phone_image_and_rejects_tampering() {
    let (sim, _dir, store, c, mut events) = setup().await;
    let image = pattern(200_000, 7);
    let m = received_image(&sim, &mut events, &image).await;
    assert_eq!(m.kind, "image");
    assert_eq!(m.body.as_deref(), Some("a cat"));
    let info = m.media.as_ref().expect("media info stored");
    assert_eq!(info.mimetype, "image/png");
    assert_eq!(info.file_length, image.len() as u64);

    // The stored copy (from the store, not the event) downloads and decrypts.
    let kept = store.message("me", &m.chat, &m.id).await.unwrap().unwrap();
    assert_eq!(c.download_media(&kept).await.unwrap(), image);
    let mut streamed = Vec::new();
    let found = c.download_media_to(&kept, &mut streamed).await.unwrap();
    assert_eq!(streamed, image);
    assert_eq!(found.file_sha256, <[u8; 32]>::from(Sha256::digest(&image)));

    // Only the media details (no raw protobuf, no URL): the direct path on
    // the media_conn hosts.
    let mut bare = kept.clone();
    bare.raw.clear();
    assert_eq!(c.download_media(&bare).await.unwrap(), image);

    // Flip the last byte (inside the MAC) of the stored blob.
    let r = MediaRef::from_stored(&kept).unwrap();
    let key = blob_key(&r);
    sim.with_world(|w| {
        let mut blob = w.media_store().get(&key).unwrap().to_vec();
        *blob.last_mut().unwrap() ^= 1;
        let host = w.media_host().to_owned();
        w.media_store().insert(key, "image", blob.into(), &host);
    });
    let err = c.download_media(&kept).await.unwrap_err();
    assert!(
        matches!(err, Error::Protocol(wa_proto::Error::MediaEncHashMismatch)),
        "{err:?}"
    );
    // Without the expected encrypted hash the MAC itself catches it, in
    // memory and streaming (nothing written).
    let unhashed = MediaRef {
        file_enc_sha256: None,
        ..r.clone()
    };
    let err = c.download(&unhashed).await.unwrap_err();
    assert!(
        matches!(err, Error::Protocol(wa_proto::Error::MediaMacMismatch)),
        "{err:?}"
    );
    let mut out = Vec::new();
    let err = c.download_to(&unhashed, &mut out).await.unwrap_err();
    assert!(
        matches!(err, Error::Protocol(wa_proto::Error::MediaMacMismatch)),
        "{err:?}"
    );
    assert!(out.is_empty());

    // A wrong media key fails the MAC too.
    let wrong_key = MediaRef {
        media_key: vec![0; 32],
        file_enc_sha256: None,
        ..r.clone()
    };
    assert!(c.download(&wrong_key).await.is_err());

    // A missing blob is the server's 404.
    sim.with_world(|w| w.media_store().set_budget(0));
    let gone = c.download(&r).await.unwrap_err();
    assert!(matches!(gone, Error::Server { code: 404, .. }), "{gone:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_every_kind_and_reads_it_back() {
    let (sim, _dir, _store, c, _events) = setup().await;
    let kinds = [
        (MediaKind::Image, "image/jpeg"),
        (MediaKind::Video, "video/mp4"),
        (MediaKind::VoiceNote, "audio/ogg; codecs=opus"),
        (MediaKind::Audio, "audio/mpeg"),
        (MediaKind::Document, "application/pdf"),
        (MediaKind::Sticker, "image/webp"),
    ];
    for (i, (kind, mime)) in kinds.into_iter().enumerate() {
        let data = pattern(10_000 + i * 70_001, i as u8);
        let up = c
            .upload_media(data.clone(), kind.media_type())
            .await
            .unwrap();
        assert_eq!(up.file_length, data.len() as u64);
        assert_eq!(up.file_sha256, <[u8; 32]>::from(Sha256::digest(&data)));
        // The media server holds exactly the encrypted file it was promised.
        let held = sim
            .with_world(|w| w.media_store().get(&up.file_enc_sha256))
            .expect("blob on the media server");
        assert_eq!(<[u8; 32]>::from(Sha256::digest(&held)), up.file_enc_sha256);
        assert!(up.direct_path.starts_with("/v/"));
        let details = MediaDetails::new(kind)
            .mimetype(mime)
            .file_name("report.pdf");
        let msg = media_message(&up, &details);
        let r = MediaRef::from_message(&msg).unwrap();
        assert_eq!(r.mimetype.as_deref(), Some(mime));
        assert_eq!(c.download(&r).await.unwrap(), data, "{kind:?}");
    }

    // Streaming upload from a reader (larger than one segment).
    let big = pattern(300_000, 99);
    let up = c
        .upload_media_reader(std::io::Cursor::new(big.clone()), MediaType::Video)
        .await
        .unwrap();
    assert_eq!(up.file_length, big.len() as u64);
    let msg = media_message(&up, &MediaDetails::new(MediaKind::Video));
    let mut out = Vec::new();
    c.download_to(&MediaRef::from_message(&msg).unwrap(), &mut out)
        .await
        .unwrap();
    assert_eq!(out, big);

    let conn = c.media_conn(false).await.unwrap();
    assert_eq!(conn.hosts, vec![sim.addr().to_string()]);

    // The upload token expires on the server: the upload is refused (401),
    // media_conn is fetched again and the upload retried with the new one.
    let before = conn.auth;
    sim.with_world(|w| w.media_store().rotate_auth(&mut rand::rng()));
    let up = c
        .upload_media(b"after rotation".to_vec(), MediaType::Document)
        .await
        .unwrap();
    let after = c.media_conn(false).await.unwrap().auth;
    assert_ne!(before, after);
    assert_eq!(after, sim.with_world(|w| w.media_store().auth().to_owned()));

    // A dead URL falls back to the direct path on the media_conn hosts.
    let msg = media_message(&up, &MediaDetails::new(MediaKind::Document));
    let dead = MediaRef {
        url: Some(format!("https://127.0.0.1:1{}", up.direct_path)),
        ..MediaRef::from_message(&msg).unwrap()
    };
    assert_eq!(c.download(&dead).await.unwrap(), b"after rotation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_untrusted_servers_fail() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    // Without the sim's CA the TLS handshake is refused; with a tiny limit
    // uploads are refused before any IO.
    let (c, mut events) = Client::builder(Arc::clone(&store), "me")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(Options {
            media_max_bytes: 1000,
            ..test_options()
        })
        .build()
        .await
        .unwrap();
    pair_by_qr(&sim, &mut events, ME).await;
    let err = c
        .upload_media(vec![0u8; 1001], MediaType::Image)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue(_)), "{err:?}");
    let err = c
        .upload_media(vec![1u8; 100], MediaType::Image)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    let blobs = sim.with_world(|w| w.media_store().len());
    assert_eq!(blobs, 0);
    // A download larger than the limit is refused (plain http on the sim's
    // port, so no CA is needed).
    let up = sim.with_world(|w| {
        let host = w.media_host().to_owned();
        w.media_store().insert_own("image", vec![7u8; 2000], &host)
    });
    let big = MediaRef {
        media_type: MediaType::Image,
        url: Some(format!("http://{}{}", sim.addr(), up.direct_path)),
        direct_path: None,
        media_key: vec![1; 32],
        file_enc_sha256: None,
        file_sha256: None,
        file_length: None,
        mimetype: None,
        file_name: None,
    };
    let err = c.download(&big).await.unwrap_err();
    assert!(matches!(err, Error::InvalidValue(_)), "{err:?}");
    let mut out = Vec::new();
    let err = c.download_to(&big, &mut out).await.unwrap_err();
    assert!(matches!(err, Error::InvalidValue(_)), "{err:?}");
    // A bad CA PEM is refused at build time.
    let bad = Client::builder(store, "other")
        .options(Options {
            media_ca_pem: Some("not a pem".into()),
            ..test_options()
        })
        .build()
        .await;
    assert!(matches!(bad, Err(Error::InvalidValue(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_media_the_phone_decrypts() {
    let (sim, _dir, _store, c, _events) = setup().await;
    let peer = Jid::pn(PEER);
    let cases = [
        (MediaKind::Image, "image/jpeg", "image"),
        (MediaKind::Video, "video/mp4", "video"),
        (MediaKind::VoiceNote, "audio/ogg; codecs=opus", "audio"),
        (MediaKind::Document, "application/pdf", "document"),
        (MediaKind::Sticker, "image/webp", "sticker"),
    ];
    for (i, (kind, mime, inbox_type)) in cases.into_iter().enumerate() {
        let data = pattern(5_000 + i * 1_000, i as u8);
        let details = MediaDetails::new(kind)
            .mimetype(mime)
            .caption("look")
            .file_name("file.bin");
        // Videos come from a reader (streaming upload), the rest from bytes.
        let upload = if kind == MediaKind::Video {
            MediaUpload::reader(std::io::Cursor::new(data.clone()), details)
        } else {
            MediaUpload::bytes(data.clone(), details)
        };
        let sent = c.send_media(&peer, upload).await.unwrap();
        let deadline = tokio::time::Instant::now() + WAIT;
        let entry = loop {
            let inbox = sim.inbox(PEER).unwrap();
            if let Some(e) = inbox.into_iter().find(|e| e.id == sent.id) {
                break e;
            }
            assert!(tokio::time::Instant::now() < deadline, "not delivered");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(entry.kind, inbox_type);
        let media = entry.media.expect("phone fetched the attachment");
        assert_eq!(media.error, None);
        assert_eq!(media.mimetype, mime);
        assert_eq!(media.size, Some(data.len() as u64));
        assert_eq!(media.sha256, Some(hex::encode(Sha256::digest(&data))));
    }
}

fn web_message(chat: &str, id: &str, from_me: bool, text: &str, ts: u64) -> wa::HistorySyncMsg {
    wa::HistorySyncMsg {
        message: Some(wa::WebMessageInfo {
            key: Some(wa::MessageKey {
                remote_jid: Some(chat.to_owned()),
                from_me: Some(from_me),
                id: Some(id.to_owned()),
                participant: None,
            }),
            message: Some(wa::Message {
                conversation: Some(text.to_owned()),
                ..Default::default()
            }),
            message_timestamp: Some(ts),
            ..Default::default()
        }),
        msg_order_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_sync_blob_is_downloaded_and_stored() {
    let (sim, _dir, store, _c, mut events) = setup().await;
    let peer_chat = format!("{PEER}@s.whatsapp.net");
    let other_chat = "6281300000009@s.whatsapp.net";
    let history = wa::HistorySync {
        sync_type: Some(wa::history_sync::HistorySyncType::Recent as i32),
        chunk_order: Some(1),
        progress: Some(50),
        conversations: vec![
            wa::Conversation {
                id: Some(peer_chat.clone()),
                name: Some("Peer chat".into()),
                unread_count: Some(1),
                conversation_timestamp: Some(1_700_000_100),
                messages: vec![
                    web_message(
                        &peer_chat,
                        "HIST-1",
                        false,
                        "hello from the past",
                        1_700_000_000,
                    ),
                    web_message(&peer_chat, "HIST-2", true, "my old reply", 1_700_000_100),
                ],
                ..Default::default()
            },
            wa::Conversation {
                id: Some(other_chat.to_owned()),
                archived: Some(true),
                messages: vec![web_message(
                    other_chat,
                    "HIST-3",
                    false,
                    "archived",
                    1_600_000_000,
                )],
                ..Default::default()
            },
        ],
        pushnames: vec![wa::Pushname {
            id: Some(peer_chat.clone()),
            pushname: Some("Peer Pushname".into()),
        }],
        ..Default::default()
    };
    assert_eq!(sim.send_history_sync(ME, &history).unwrap(), 1);
    let Event::HistorySync(summary) = next_event(&mut events, |e| {
        matches!(e, Event::HistorySync(s) if s.chunk_order == Some(1))
            || matches!(e, Event::HistorySyncFailed { .. })
    })
    .await
    else {
        panic!("history sync failed")
    };
    assert_eq!(
        (summary.conversations, summary.messages, summary.push_names),
        (2, 3, 1)
    );
    assert_eq!(summary.sync_type, Some(3));

    let peer = Jid::pn(PEER);
    let msgs = store
        .messages("me", &MessageQuery::new(10).chat(peer.clone()))
        .await
        .unwrap();
    let got: Vec<_> = msgs
        .iter()
        .map(|m| (m.id.as_str(), m.from_me, m.body.as_deref(), m.timestamp))
        .collect();
    assert_eq!(
        got,
        vec![
            ("HIST-1", false, Some("hello from the past"), 1_700_000_000),
            ("HIST-2", true, Some("my old reply"), 1_700_000_100),
        ]
    );
    let chat = store.chat("me", &peer).await.unwrap().unwrap();
    assert_eq!(chat.name.as_deref(), Some("Peer chat"));
    assert_eq!(chat.unread_count, 1);
    let other = Jid::parse(other_chat).unwrap();
    assert!(store.chat("me", &other).await.unwrap().unwrap().archived);
    assert!(
        store
            .message("me", &other, "HIST-3")
            .await
            .unwrap()
            .is_some()
    );
    let contact = store.contact("me", &peer).await.unwrap().unwrap();
    assert_eq!(contact.push_name.as_deref(), Some("Peer Pushname"));

    // The inline bootstrap chunk the phone sent right after linking was
    // stored too: our own push name and PN->LID mapping.
    let me = Jid::pn(ME);
    let deadline = tokio::time::Instant::now() + WAIT;
    let own = loop {
        match store.contact("me", &me).await.unwrap() {
            Some(c) => break c,
            None if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            None => panic!("bootstrap history sync not stored"),
        }
    };
    assert_eq!(own.push_name.as_deref(), Some("Me"));
    assert!(store.lid_for_pn("me", &me).await.unwrap().is_some());
}

/// A minimal HTTP CONNECT proxy (no auth) that counts its tunnels.
async fn connect_proxy() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let tunnels = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&tunnels);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let count = Arc::clone(&count);
            tokio::spawn(async move {
                let mut reader = BufReader::new(sock);
                let (mut target, mut line) = (String::new(), String::new());
                while reader.read_line(&mut line).await.unwrap() > 0 && line != "\r\n" {
                    if let Some(t) = line.strip_prefix("CONNECT ") {
                        target = t.split_whitespace().next().unwrap().to_owned();
                    }
                    line.clear();
                }
                let mut sock = reader.into_inner();
                let mut upstream = tokio::net::TcpStream::connect(target).await.unwrap();
                sock.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .unwrap();
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = tokio::io::copy_bidirectional(&mut sock, &mut upstream).await;
            });
        }
    });
    (addr, tunnels)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_goes_through_the_connect_proxy() {
    let sim = start_sim().await;
    sim.create_account(ME, "Me").unwrap();
    let (proxy, tunnels) = connect_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = Client::builder(Arc::clone(&store), "me")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(Options {
            proxy: Some(format!("http://{proxy}")),
            ..media_options(&sim)
        })
        .build()
        .await
        .unwrap();
    pair_by_qr(&sim, &mut events, ME).await;
    let before = tunnels.load(std::sync::atomic::Ordering::SeqCst);
    let data = pattern(4_000, 3);
    let up = c
        .upload_media(data.clone(), MediaType::Image)
        .await
        .unwrap();
    let msg = media_message(&up, &MediaDetails::new(MediaKind::Image));
    assert_eq!(
        c.download(&MediaRef::from_message(&msg).unwrap())
            .await
            .unwrap(),
        data
    );
    // One tunnel for the upload, one for the download.
    assert_eq!(
        tunnels.load(std::sync::atomic::Ordering::SeqCst),
        before + 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_media_servers_time_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // One server never answers; the other sends a head promising 1000 bytes,
    // then 10, then stalls.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stalling = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (silent_addr, stalling_addr) =
        (silent.local_addr().unwrap(), stalling.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    tokio::spawn(async move {
        while let Ok((mut s, _)) = stalling.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")
                    .await;
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            });
        }
    });
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, _events) = Client::builder(store, "me")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(Options {
            media_timeout: std::time::Duration::from_millis(300),
            ..test_options()
        })
        .build()
        .await
        .unwrap();
    let r = |addr: std::net::SocketAddr| MediaRef {
        media_type: MediaType::Image,
        url: Some(format!("http://{addr}/v/blob.enc")),
        direct_path: None,
        media_key: vec![1; 32],
        file_enc_sha256: None,
        file_sha256: None,
        file_length: None,
        mimetype: None,
        file_name: None,
    };
    let started = std::time::Instant::now();
    let err = c.download(&r(silent_addr)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout("media request")), "{err:?}");
    let err = c.download(&r(stalling_addr)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout("media body")), "{err:?}");
    let mut out = Vec::new();
    let err = c
        .download_to(&r(stalling_addr), &mut out)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout("media body")), "{err:?}");
    assert!(out.is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_sync_from_someone_else_is_ignored() {
    use prost::Message as _;
    use std::io::Write as _;
    let (sim, _dir, store, _c, mut events) = setup().await;
    let injected = "6281300000077@s.whatsapp.net";
    let forged = wa::HistorySync {
        sync_type: Some(wa::history_sync::HistorySyncType::Recent as i32),
        conversations: vec![wa::Conversation {
            id: Some(injected.to_owned()),
            messages: vec![web_message(injected, "FORGED", false, "trust me", 1)],
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&forged.encode_to_vec()).unwrap();
    let notification = wa::Message {
        protocol_message: Some(Box::new(wa::message::ProtocolMessage {
            r#type: Some(wa::message::protocol_message::Type::HistorySyncNotification as i32),
            history_sync_notification: Some(wa::message::HistorySyncNotification {
                sync_type: Some(3),
                initial_hist_bootstrap_inline_payload: Some(z.finish().unwrap()),
                ..Default::default()
            }),
            ..Default::default()
        })),
        ..Default::default()
    };
    // The peer's phone sends it to us, then our own phone sends a real chunk.
    sim.with_world(|w| {
        let out = wa_sim::phone::send::Outgoing {
            message: notification,
            stanza_type: "text",
        };
        wa_sim::phone::send::send(w, PEER, &Jid::pn(ME), &out, wa_sim::sim::now()).unwrap();
    });
    let own = wa::HistorySync {
        sync_type: Some(3),
        chunk_order: Some(7),
        conversations: vec![wa::Conversation {
            id: Some(format!("{PEER}@s.whatsapp.net")),
            ..Default::default()
        }],
        ..Default::default()
    };
    sim.send_history_sync(ME, &own).unwrap();
    let Event::HistorySync(s) = next_event(
        &mut events,
        |e| matches!(e, Event::HistorySync(s) if s.chunk_order == Some(7)),
    )
    .await
    else {
        unreachable!()
    };
    assert_eq!(s.conversations, 1);
    let injected = Jid::parse(injected).unwrap();
    assert!(store.chat("me", &injected).await.unwrap().is_none());
    assert!(
        store
            .message("me", &injected, "FORGED")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_phone_stays_decryptable_after_the_bootstrap_lid_mapping() {
    // The bootstrap chunk maps our PN to our LID; the phone's session must
    // move with it, or its next message would be looked up at the LID
    // address and fail. Repeat a few rounds to catch the race.
    let (sim, _dir, _store, _c, mut events) = setup().await;
    for round in 0..3u32 {
        sim.send_text(PEER, &format!("{ME}@s.whatsapp.net"), "hi")
            .unwrap();
        let chunk = wa::HistorySync {
            sync_type: Some(3),
            chunk_order: Some(100 + round),
            ..Default::default()
        };
        sim.send_history_sync(ME, &chunk).unwrap();
        let e = next_event(&mut events, |e| {
            matches!(e, Event::HistorySync(s) if s.chunk_order == Some(100 + round))
                || matches!(e, Event::Undecryptable { .. })
        })
        .await;
        assert!(matches!(e, Event::HistorySync(_)), "{e:?}");
    }
}
