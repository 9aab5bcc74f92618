//! `POST /client/sendMessage`: every contentType and option, checked on
//! the receiving phone (inbox kind/text, decrypted media hash, quoted id,
//! mentions) and in the returned Message JSON; `MessageMediaFromURL`
//! against a local file server, with and without
//! `ALLOW_PRIVATE_MEDIA_URLS`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod msg_helpers;

use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use common::Harness;
use msg_helpers::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_with_quote_mentions_and_link_preview() {
    let h = setup().await;
    let chat = cus(PHONE);

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "hello"}),
    )
    .await;
    let id = m["id"]["id"].as_str().unwrap().to_owned();
    assert_eq!(m["id"]["fromMe"], json!(true));
    assert_eq!(m["id"]["remote"], json!(chat));
    assert_eq!(m["id"]["_serialized"], json!(format!("true_{chat}_{id}")));
    assert_eq!(m["body"], json!("hello"));
    assert_eq!(m["type"], json!("chat"));
    assert_eq!(m["from"], json!(cus(US)));
    assert_eq!(m["to"], json!(chat));
    assert_eq!(m["fromMe"], json!(true));
    assert_eq!(m["hasMedia"], json!(false));
    assert_eq!(m["hasQuotedMsg"], json!(false));
    assert!(m["ack"].as_i64().unwrap() >= 1, "{m}");
    assert!(m["timestamp"].as_i64().unwrap() > 1_600_000_000);
    let e = inbox_entry(&h, PHONE, &id).await;
    assert_eq!((e.kind.as_str(), e.text.as_str()), ("text", "hello"));
    assert_eq!(e.from, format!("{US}@s.whatsapp.net"));

    // A reply by short id, with a mention.
    let q = h.sim.send_text(PHONE, US, "question?").unwrap();
    wait_stored(&h, &chat, &q).await;
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": format!("answer @{PHONE}"),
               "options": {"quotedMessageId": q, "mentions": [chat]}}),
    )
    .await;
    assert_eq!(m["hasQuotedMsg"], json!(true));
    assert_eq!(m["mentionedIds"], json!([chat]));
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    let refs = e.refs.unwrap();
    assert_eq!(refs.quoted_id.as_deref(), Some(q.as_str()));
    assert_eq!(refs.mentions, [format!("{PHONE}@s.whatsapp.net")]);

    // A reply by serialized id (our own first message).
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "again",
               "options": {"quotedMessageId": format!("true_{chat}_{id}")}}),
    )
    .await;
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.refs.unwrap().quoted_id.as_deref(), Some(id.as_str()));

    // Link preview.
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "see https://example.org/x",
               "options": {"linkPreview": true}}),
    )
    .await;
    assert_eq!(
        m["links"],
        json!([{"link": "https://example.org/x", "isSuspicious": false}])
    );
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.text, "see https://example.org/x");

    // An unknown quoted message, a bad mention.
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "x",
               "options": {"quotedMessageId": "3EB0NOPE"}}),
    )
    .await;
    assert_eq!((s, b["error"].clone()), (404, json!("Message not Found")));
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "x",
               "options": {"mentions": ["nobody"]}}),
    )
    .await;
    names_field(s, &b, "options.mentions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_kinds_and_their_options() {
    let h = setup().await;
    let chat = cus(PHONE);
    let cases: Vec<(Value, Value, &str, &str, &str)> = vec![
        // (content, options, inbox kind, inbox text, Message type)
        (
            json!({"mimetype": "image/png", "data": b64(&file(3000, 1))}),
            json!({"caption": "a picture"}),
            "image",
            "a picture",
            "image",
        ),
        (
            json!({"mimetype": "image/png", "data": b64(&file(2000, 2)), "filename": "pic.png"}),
            json!({"sendMediaAsDocument": true, "caption": "as a file"}),
            "document",
            "as a file",
            "document",
        ),
        (
            json!({"mimetype": "application/pdf", "data": b64(&file(5000, 3)), "filename": "r.pdf"}),
            json!({}),
            "document",
            "",
            "document",
        ),
        (
            json!({"mimetype": "audio/ogg; codecs=opus", "data": b64(&file(4000, 4))}),
            json!({"sendAudioAsVoice": true}),
            "audio",
            "",
            "ptt",
        ),
        (
            json!({"mimetype": "audio/mpeg", "data": b64(&file(4000, 5))}),
            json!({}),
            "audio",
            "",
            "audio",
        ),
        (
            json!({"mimetype": "video/mp4", "data": b64(&file(6000, 6))}),
            json!({"caption": "clip"}),
            "video",
            "clip",
            "video",
        ),
        (
            json!({"mimetype": "image/webp", "data": b64(&file(1500, 7))}),
            json!({"sendMediaAsSticker": true}),
            "sticker",
            "",
            "sticker",
        ),
    ];
    for (content, options, kind, text, ty) in cases {
        let data = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(content["data"].as_str().unwrap())
                .unwrap()
        };
        let m = send_ok(
            &h,
            json!({"chatId": chat, "contentType": "MessageMedia", "content": content, "options": options}),
        )
        .await;
        assert_eq!(m["type"], json!(ty), "{m}");
        assert_eq!(m["hasMedia"], json!(true), "{m}");
        assert!(m["mediaKey"].as_str().is_some_and(|k| !k.is_empty()));
        let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
        assert_eq!((e.kind.as_str(), e.text.as_str()), (kind, text), "{ty}");
        let media = e.media.expect("media");
        assert_eq!(media.error, None, "{ty}");
        assert_eq!(
            media.sha256.as_deref(),
            Some(sha_hex(&data).as_str()),
            "{ty}"
        );
        assert_eq!(media.size, Some(data.len() as u64));
    }

    // contentType string with options.media: the text is the caption;
    // mentions and a quote reach media too.
    let q = h.sim.send_text(PHONE, US, "send me a photo").unwrap();
    wait_stored(&h, &chat, &q).await;
    let img = file(2500, 9);
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "here it is",
               "options": {"media": {"mimetype": "image/jpeg", "data": b64(&img)},
                           "quotedMessageId": q, "mentions": [chat]}}),
    )
    .await;
    assert_eq!(
        (m["type"].clone(), m["body"].clone()),
        (json!("image"), json!("here it is"))
    );
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!((e.kind.as_str(), e.text.as_str()), ("image", "here it is"));
    assert_eq!(e.media.unwrap().sha256, Some(sha_hex(&img)));
    let refs = e.refs.unwrap();
    assert_eq!(refs.quoted_id.as_deref(), Some(q.as_str()));
    assert_eq!(refs.mentions, [format!("{PHONE}@s.whatsapp.net")]);

    // Bad media.
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "MessageMedia", "content": {"mimetype": "image/png", "data": "%%%"}}),
    )
    .await;
    names_field(s, &b, "content.data");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "MessageMedia", "content": {"data": "AAAA"}}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "x", "options": {"media": {"mimetype": "image/png", "data": ""}}}),
    )
    .await;
    names_field(s, &b, "options.media.data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_buttons_list_contact_and_poll() {
    let h = setup().await;
    let chat = cus(PHONE);

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "Location",
               "content": {"latitude": -6.1754, "longitude": 106.8272, "description": "Monas\nJakarta"}}),
    )
    .await;
    assert_eq!(m["type"], json!("location"));
    assert_eq!(
        m["location"],
        json!({"latitude": -6.1754, "longitude": 106.8272, "description": "Monas\nJakarta"})
    );
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!((e.kind.as_str(), e.text.as_str()), ("location", "Monas"));

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "Buttons",
               "content": {"body": "Coffee?", "buttons": [{"body": "Yes"}, {"body": "No"}], "title": "Q", "footer": "pick one"}}),
    )
    .await;
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.kind, "text");
    assert!(
        e.text.contains("Coffee?") && e.text.contains("1. Yes") && e.text.contains("2. No"),
        "{}",
        e.text
    );
    assert!(
        e.text.contains("*Q*") && e.text.contains("_pick one_"),
        "{}",
        e.text
    );
    assert_eq!(m["body"], json!(e.text));

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "List",
               "content": {"body": "Menu", "buttonText": "Open", "title": "Lunch",
                           "sections": [{"title": "Mains", "rows": [{"id": "a", "title": "Sate", "description": "chicken"}, {"title": "Bakso"}]}]}}),
    )
    .await;
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.kind, "text");
    for part in ["Menu", "Mains", "Sate", "chicken", "Bakso"] {
        assert!(e.text.contains(part), "{part} in {}", e.text);
    }

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "Contact", "content": {"contactId": THIRD}}),
    )
    .await;
    assert_eq!(m["type"], json!("vcard"));
    let card = m["vCards"][0].as_str().unwrap();
    assert!(card.contains(&format!("waid={THIRD}")), "{card}");
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!(e.kind, "contact");

    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "Poll",
               "content": {"pollName": "Lunch?", "pollOptions": ["Sate", "Bakso"], "options": {"allowMultipleAnswers": true}}}),
    )
    .await;
    assert_eq!(m["type"], json!("poll_creation"));
    assert_eq!(m["pollName"], json!("Lunch?"));
    assert_eq!(
        m["pollOptions"],
        json!([{"name": "Sate", "localId": 0}, {"name": "Bakso", "localId": 1}])
    );
    assert_eq!(m["allowMultipleAnswers"], json!(true));
    let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
    assert_eq!((e.kind.as_str(), e.text.as_str()), ("poll", "Lunch?"));
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "Poll", "content": {"pollName": "One?", "pollOptions": ["a", "b"]}}),
    )
    .await;
    assert_eq!(m["allowMultipleAnswers"], json!(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_name_the_field() {
    let h = setup().await;
    let chat = cus(PHONE);
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "Sticker", "content": "x"}),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["error"],
        json!(
            "contentType: contentType invalid, must be string, MessageMedia, MessageMediaFromURL, Location, Buttons, List, Contact or Poll"
        )
    );
    let (s, b) = send(&h, json!({"contentType": "string", "content": "x"})).await;
    names_field(s, &b, "chatId");
    let (s, b) = send(
        &h,
        json!({"chatId": "abc", "contentType": "string", "content": "x"}),
    )
    .await;
    names_field(s, &b, "chatId");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": ""}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": {"a": 1}}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "Location", "content": {"longitude": 1.0}}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = send(&h, json!({"chatId": chat, "contentType": "Location", "content": {"latitude": 91.0, "longitude": 1.0}})).await;
    names_field(s, &b, "content");
    let (s, b) = send(&h, json!({"chatId": chat, "contentType": "Poll", "content": {"pollName": "x", "pollOptions": ["only"]}})).await;
    names_field(s, &b, "content");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "Buttons", "content": {"body": "x", "buttons": []}}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "Contact", "content": {"contactId": "1203630@g.us"}}),
    )
    .await;
    names_field(s, &b, "content.contactId");
    let (s, b) = send(
        &h,
        json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": {"url": "x"}}),
    )
    .await;
    names_field(s, &b, "content");
    let (s, b) = h
        .post(
            "/client/sendMessage/nope",
            json!({"chatId": chat, "contentType": "string", "content": "x"}),
        )
        .await;
    assert_eq!((s, b["error"].clone()), (404, json!("session_not_found")));
    // Nothing of that reached the phone, nothing was counted.
    assert!(h.sim.inbox(PHONE).unwrap().is_empty());
    assert_eq!(sent_counter(&h).await, 0);
    send_ok(
        &h,
        json!({"chatId": chat, "contentType": "string", "content": "one"}),
    )
    .await;
    assert_eq!(sent_counter(&h).await, 1);
}

/// `wa_gateway_messages_sent_total` from `/metrics`.
async fn sent_counter(h: &Harness) -> u64 {
    let text = h
        .http
        .get(h.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("wa_gateway_messages_sent_total "))
        .unwrap_or_else(|| panic!("no counter in {text}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn into_a_group() {
    let h = setup().await;
    let g = h
        .sim
        .create_group(PHONE, "Team", &[US.to_owned(), THIRD.to_owned()], false)
        .unwrap();
    let gid = g.clone();
    let m = send_ok(
        &h,
        json!({"chatId": gid, "contentType": "string", "content": format!("hi @{PHONE}"), "options": {"mentions": [cus(PHONE)]}}),
    )
    .await;
    assert_eq!(m["id"]["remote"], json!(gid));
    assert_eq!(m["author"], json!(cus(US)));
    for phone in [PHONE, THIRD] {
        let e = inbox_entry(&h, phone, m["id"]["id"].as_str().unwrap()).await;
        assert_eq!(e.chat, gid);
        assert_eq!(e.text, format!("hi @{PHONE}"));
        assert_eq!(
            e.refs.unwrap().mentions,
            [format!("{PHONE}@s.whatsapp.net")]
        );
    }
}

/// A local file server: `/pics/cat.png` (PNG bytes), `/r` → redirect to
/// it, `/loop` → redirects forever, `/big` (200 kB), `/missing` (404).
async fn file_server(png: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route(
            "/pics/cat.png",
            get(move || {
                let png = png.clone();
                async move { ([(header::CONTENT_TYPE, "image/png; charset=binary")], png) }
            }),
        )
        .route("/r", get(|| async { Redirect::temporary("/pics/cat.png") }))
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        .route(
            "/big",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/pdf")],
                    vec![7u8; 200_000],
                )
            }),
        )
        .route(
            "/missing",
            get(|| async { axum::http::StatusCode::NOT_FOUND.into_response() }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_from_url_when_private_urls_are_allowed() {
    let h = Harness::with(|c, _| {
        c.allow_private_media_urls = true;
        c.max_attachment_size = 100_000;
    })
    .await;
    linked(&h).await;
    let png = file(4096, 11);
    let base = file_server(png.clone()).await;
    let chat = cus(PHONE);
    for path in ["/pics/cat.png", "/r"] {
        let m = send_ok(
            &h,
            json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": format!("{base}{path}"),
                   "options": {"caption": "from a URL"}}),
        )
        .await;
        assert_eq!(m["type"], json!("image"));
        let e = inbox_entry(&h, PHONE, m["id"]["id"].as_str().unwrap()).await;
        assert_eq!((e.kind.as_str(), e.text.as_str()), ("image", "from a URL"));
        let media = e.media.unwrap();
        assert_eq!(media.mimetype, "image/png");
        assert_eq!(media.sha256, Some(sha_hex(&png)));
    }
    // As a document the file name comes from the URL.
    let m = send_ok(
        &h,
        json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": format!("{base}/pics/cat.png"),
               "options": {"sendMediaAsDocument": true}}),
    )
    .await;
    assert_eq!(
        (m["type"].clone(), m["body"].clone()),
        (json!("document"), json!("cat.png"))
    );
    let (s, b) = send(&h, json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": format!("{base}/big")})).await;
    names_field(s, &b, "content");
    assert!(
        b["error"].as_str().unwrap().contains("MAX_ATTACHMENT_SIZE"),
        "{b}"
    );
    let (s, b) = send(&h, json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": format!("{base}/loop")})).await;
    names_field(s, &b, "content");
    assert!(b["error"].as_str().unwrap().contains("redirects"), "{b}");
    let (s, b) = send(&h, json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": format!("{base}/missing")})).await;
    assert_eq!(s, 502, "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_from_private_urls_is_refused_by_default() {
    let h = setup().await;
    let base = file_server(file(100, 1)).await;
    let chat = cus(PHONE);
    let port = base.rsplit(':').next().unwrap().to_owned();
    for url in [
        format!("{base}/pics/cat.png"),
        format!("http://localhost:{port}/pics/cat.png"),
        format!("http://[::1]:{port}/x"),
        format!("http://[::ffff:127.0.0.1]:{port}/x"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/x.png".to_owned(),
        "ftp://example.org/x.png".to_owned(),
    ] {
        let (s, b) = send(
            &h,
            json!({"chatId": chat, "contentType": "MessageMediaFromURL", "content": url}),
        )
        .await;
        names_field(s, &b, "content");
    }
    assert!(h.sim.inbox(PHONE).unwrap().is_empty());
}

/// `options.waitForAck: false` answers once the message is in the durable
/// outbox (ack 0); it still reaches the phone, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_without_waiting_for_the_server_ack() {
    let h = setup().await;
    let chat = cus(PHONE);
    let mut ids = Vec::new();
    for i in 0..20 {
        let m = send_ok(
            &h,
            json!({"chatId": chat, "contentType": "string", "content": format!("queued {i}"),
                   "options": {"waitForAck": false}}),
        )
        .await;
        assert_eq!(m["ack"], json!(0), "{m}");
        assert_eq!(m["body"], json!(format!("queued {i}")));
        ids.push(m["id"]["id"].as_str().unwrap().to_owned());
    }
    for (i, id) in ids.iter().enumerate() {
        let e = inbox_entry(&h, PHONE, id).await;
        assert_eq!(e.text, format!("queued {i}"));
    }
    let inbox = h.sim.inbox(PHONE).unwrap();
    for id in &ids {
        assert_eq!(inbox.iter().filter(|e| &e.id == id).count(), 1);
    }
}
