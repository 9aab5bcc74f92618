//! The client runtime against an in-process wa-sim: pairing by QR and by
//! code, login from stored credentials after a restart, receiving with the
//! commit-before-ack rule, logout on both sides, device removal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_common;

use client_common::*;
use wa_session::Event;
use wa_session::client::{LogoutReason, Status};
use wa_session::store::MessageQuery;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_pairing_restart_and_login_without_pairing() {
    let sim = start_sim().await;
    sim.create_account("6281200000001", "Alice").unwrap();
    sim.create_account("6281200000002", "Bob").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "alice").await;
    let jid = pair_by_qr(&sim, &mut events, "6281200000001").await;
    assert_eq!(c.status(), Status::Connected);
    assert_eq!(sim_devices(&sim, "6281200000001").len(), 1);
    let stored = store.device("alice").await.unwrap().unwrap();
    assert_eq!(stored.jid.unwrap().to_string(), jid);

    // A phone message is decrypted, committed and then reported.
    let id = sim
        .send_text(
            "6281200000002",
            "6281200000001@s.whatsapp.net",
            "hello alice",
        )
        .unwrap();
    let Event::Message(m) = next_event(&mut events, |e| matches!(e, Event::Message(_))).await
    else {
        unreachable!()
    };
    assert_eq!(m.id, id);
    assert_eq!(m.body.as_deref(), Some("hello alice"));
    assert_eq!(m.chat.to_string(), "6281200000002@s.whatsapp.net");
    let kept = store
        .messages("alice", &MessageQuery::new(10))
        .await
        .unwrap();
    assert!(kept.iter().any(|k| k.id == id));

    // Restart: a new store handle on the same file and a new client log in
    // without any QR.
    c.disconnect().await;
    assert_eq!(c.status(), Status::Stopped);
    drop(store);
    let store = open_store(dir.path());
    let started = std::time::Instant::now();
    let (c2, mut events2) = client(&sim, &store, "alice").await;
    let first = next_event(&mut events2, |e| {
        matches!(e, Event::Qr { .. } | Event::Connected { .. })
    })
    .await;
    assert!(matches!(first, Event::Connected { .. }), "got {first:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(sim_devices(&sim, "6281200000001").len(), 1);

    // Messages sent while we were away arrive after the login.
    c2.disconnect().await;
    let id2 = sim
        .send_text(
            "6281200000002",
            "6281200000001@s.whatsapp.net",
            "while away",
        )
        .unwrap();
    let (_c3, mut events3) = client(&sim, &store, "alice").await;
    let Event::Message(m) = next_event(&mut events3, |e| matches!(e, Event::Message(_))).await
    else {
        unreachable!()
    };
    assert_eq!(
        (m.id.as_str(), m.body.as_deref()),
        (id2.as_str(), Some("while away"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_pairing_links_and_logs_in() {
    let sim = start_sim().await;
    sim.create_account("6281200000011", "Carol").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "carol").await;
    next_event(&mut events, |e| matches!(e, Event::Qr { .. })).await;
    let code = c.request_pairing_code("+62 812-0000-0011").await.unwrap();
    assert_eq!(code.len(), 9, "code shown as XXXX-XXXX: {code}");
    let Event::PairingCode { code: shown } =
        next_event(&mut events, |e| matches!(e, Event::PairingCode { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(shown, code);
    assert_eq!(c.status(), Status::PairingCode);
    let jid = sim.link_code("6281200000011", &code).await.unwrap();
    let Event::Paired { jid: paired, .. } =
        next_event(&mut events, |e| matches!(e, Event::Paired { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(paired, jid);
    next_event(&mut events, |e| matches!(e, Event::Connected { .. })).await;
    // A pairing code on a paired session is refused.
    assert!(c.request_pairing_code("6281200000011").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_code_never_pairs() {
    let sim = start_sim().await;
    sim.create_account("6281200000012", "Dave").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "dave").await;
    next_event(&mut events, |e| matches!(e, Event::Qr { .. })).await;
    c.request_pairing_code("6281200000012").await.unwrap();
    assert!(sim.link_code("6281200000012", "AAAA-BBBB").await.is_err());
    assert!(store.device("dave").await.unwrap().unwrap().jid.is_none());
    assert!(sim_devices(&sim, "6281200000012").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_clears_both_sides() {
    let sim = start_sim().await;
    sim.create_account("6281200000021", "Erin").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "erin").await;
    pair_by_qr(&sim, &mut events, "6281200000021").await;
    c.logout().await.unwrap();
    let e = next_event(&mut events, |e| matches!(e, Event::LoggedOut { .. })).await;
    assert!(matches!(
        e,
        Event::LoggedOut {
            reason: LogoutReason::Requested
        }
    ));
    assert_eq!(c.status(), Status::LoggedOut);
    assert!(store.device("erin").await.unwrap().is_none());
    assert!(sim_devices(&sim, "6281200000021").is_empty());
    // The next start is a new device that shows a QR again.
    let (_c, mut events) = client(&sim, &store, "erin").await;
    next_event(&mut events, |e| matches!(e, Event::Qr { .. })).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_from_the_phone_logs_out() {
    let sim = start_sim().await;
    sim.create_account("6281200000031", "Frank").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (c, mut events) = client(&sim, &store, "frank").await;
    pair_by_qr(&sim, &mut events, "6281200000031").await;
    let device = sim_devices(&sim, "6281200000031")[0];
    sim.unlink("6281200000031", device).unwrap();
    let e = next_event(&mut events, |e| matches!(e, Event::LoggedOut { .. })).await;
    assert!(matches!(
        e,
        Event::LoggedOut {
            reason: LogoutReason::DeviceRemoved
        }
    ));
    c.join().await;
    assert_eq!(c.status(), Status::LoggedOut);
    assert!(store.device("frank").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_codes_rotate_then_time_out() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let options = wa_session::client::Options {
        qr_first: std::time::Duration::from_millis(300),
        qr_next: std::time::Duration::from_millis(100),
        ..test_options()
    };
    let (c, mut events) = wa_session::Client::builder(std::sync::Arc::clone(&store), "nobody")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(options)
        .build()
        .await
        .unwrap();
    let mut codes = Vec::new();
    while let Event::Qr { code, index, .. } = next_event(&mut events, |e| {
        matches!(e, Event::Qr { .. } | Event::QrTimeout)
    })
    .await
    {
        assert_eq!(index, codes.len());
        codes.push(code);
    }
    // The sim sends six refs, as the real server does: six distinct codes
    // with the same keys, then the timeout.
    assert_eq!(codes.len(), 6);
    let refs: std::collections::HashSet<_> = codes
        .iter()
        .map(|c| c.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(refs.len(), 6);
    assert!(
        codes
            .iter()
            .all(|c| c.split(',').skip(1).eq(codes[0].split(',').skip(1)))
    );
    c.join().await;
    assert_eq!(c.status(), Status::QrTimeout);
}

/// A minimal HTTP CONNECT proxy: counts tunnels and checks the credentials.
async fn connect_proxy() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let tunnels = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&tunnels);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let count = std::sync::Arc::clone(&count);
            tokio::spawn(async move {
                let mut reader = BufReader::new(sock);
                let mut target = String::new();
                let mut authorized = false;
                let mut line = String::new();
                while reader.read_line(&mut line).await.unwrap() > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(t) = line.strip_prefix("CONNECT ") {
                        target = t.split_whitespace().next().unwrap().to_owned();
                    }
                    // base64("u:p")
                    if line.trim() == "Proxy-Authorization: Basic dTpw" {
                        authorized = true;
                    }
                    line.clear();
                }
                let mut sock = reader.into_inner();
                if !authorized {
                    let _ = sock
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                        .await;
                    return;
                }
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
async fn connects_through_an_http_connect_proxy() {
    let sim = start_sim().await;
    sim.create_account("6281200000041", "Gina").unwrap();
    let (proxy, tunnels) = connect_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let options = wa_session::client::Options {
        proxy: Some(format!("http://u:p@{proxy}")),
        ..test_options()
    };
    let (c, mut events) = wa_session::Client::builder(std::sync::Arc::clone(&store), "gina")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(options)
        .build()
        .await
        .unwrap();
    pair_by_qr(&sim, &mut events, "6281200000041").await;
    // Registration and login connections both went through the tunnel.
    assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), 2);
    c.disconnect().await;

    // Wrong credentials: the proxy refuses and the client reports it.
    let options = wa_session::client::Options {
        proxy: Some(format!("http://u:wrong@{proxy}")),
        ..test_options()
    };
    let (c, mut events) = wa_session::Client::builder(store, "gina")
        .url(sim.ws_url())
        .trusted_root(root(&sim))
        .options(options)
        .build()
        .await
        .unwrap();
    let e = next_event(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    assert!(format!("{e:?}").contains("407"), "{e:?}");
    c.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prekeys_are_topped_up_when_the_server_runs_low() {
    let sim = start_sim().await;
    sim.create_account("6281200000051", "Hana").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let (_c, mut events) = client(&sim, &store, "hana").await;
    let jid = pair_by_qr(&sim, &mut events, "6281200000051").await;
    let device = wa_proto::jid::Jid::parse(&jid).unwrap().device;
    let addr = wa_sim::world::conns::Addr::new("6281200000051", device);
    let count = |sim: &wa_sim::SimHandle| {
        sim.with_world(|w| {
            w.account("6281200000051")
                .and_then(|a| a.keys(device))
                .map(|k| k.prekeys.len())
                .unwrap_or(0)
        })
    };
    let uploaded = count(&sim);
    // 50 uploaded; the phone's post-link bootstrap may have used one.
    assert!(uploaded >= 45, "first login uploads a batch: {uploaded}");
    // Peers fetch bundles until the server is low and notifies us.
    while count(&sim) >= wa_sim::handler::prekeys::LOW_PREKEYS {
        sim.with_world(|w| wa_sim::handler::prekeys::take_bundle(w, &addr, 0));
    }
    let deadline = std::time::Instant::now() + WAIT;
    while count(&sim) < 50 {
        assert!(std::time::Instant::now() < deadline, "no top-up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The uploaded ones are marked (once the client has the server's
    // answer, which may come after the sim counted the keys).
    loop {
        let unuploaded = store.unuploaded_prekeys("hana", 100).await.unwrap();
        if unuploaded.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} prekeys never marked uploaded",
            unuploaded.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
