//! The WhatsApp handshake, client and server in-process: the typestate API,
//! the framed drivers fed with arbitrary splits, and rejection of malformed
//! or tampered handshake messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use prost::Message;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wa_proto::Error;
use wa_proto::frame::{FrameDecoder, WA_HEADER};
use wa_proto::keys::KeyPair;
use wa_proto::noise::{
    CertIssuer, ChainSpec, ClientHandshake, FramedClientHandshake, FramedServerHandshake,
    NoiseSocket, ServerEstablished, ServerHandshake, Step, TrustedRoot,
};
use wa_proto::proto::wa::HandshakeMessage;

const NOW: u64 = 1_750_000_000;

struct Setup {
    rng: ChaCha20Rng,
    trust: TrustedRoot,
    server_key: KeyPair,
    chain: Vec<u8>,
    noise_key: KeyPair,
}

fn setup(seed: u64) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let issuer = CertIssuer::generate(&mut rng);
    let server_key = KeyPair::generate(&mut rng);
    let chain = issuer.issue(&mut rng, &server_key.public, &ChainSpec::default());
    let noise_key = KeyPair::generate(&mut rng);
    Setup {
        rng,
        trust: issuer.trusted_root(),
        server_key,
        chain,
        noise_key,
    }
}

#[test]
fn typestate_handshake_then_transport_both_ways() {
    let mut s = setup(1);
    let payload = b"\x08\x01 opaque ClientPayload bytes".to_vec();

    let (client, hello) =
        ClientHandshake::start(&mut s.rng, s.noise_key.clone(), &WA_HEADER).unwrap();
    let server = ServerHandshake::new(
        &mut s.rng,
        s.server_key.clone(),
        s.chain.clone(),
        &WA_HEADER,
    );
    let (server, server_hello) = server.read_client_hello(&hello).unwrap();
    let (client, info) = client
        .read_server_hello(&server_hello, &s.trust, NOW)
        .unwrap();
    assert_eq!(info.static_key, s.server_key.public);
    assert_eq!(info.chain.leaf.key, s.server_key.public);
    let (mut ct, finish) = client.finish(&payload).unwrap();
    let (mut st, client_static, got_payload) = server.read_client_finish(&finish).unwrap();
    assert_eq!(client_static, s.noise_key.public);
    assert_eq!(got_payload, payload);
    assert_eq!(ct.handshake_hash(), st.handshake_hash());

    for i in 0..20usize {
        let msg: Vec<u8> = (0..i * 37).map(|b| (b * 7 + i) as u8).collect();
        let c = ct.encrypt(&msg).unwrap();
        assert_eq!(c.len(), msg.len() + 16);
        if !msg.is_empty() {
            assert_ne!(
                &c[..msg.len()],
                &msg[..],
                "ciphertext must not be the plaintext"
            );
        }
        assert_eq!(st.decrypt(&c).unwrap(), msg);
        let back = st.encrypt(&msg).unwrap();
        assert_ne!(back, c, "directions use different keys");
        assert_eq!(ct.decrypt(&back).unwrap(), msg);
    }
}

#[test]
fn handshake_messages_have_the_whatsapp_shape() {
    let mut s = setup(2);
    let (client, hello) =
        ClientHandshake::start(&mut s.rng, s.noise_key.clone(), &WA_HEADER).unwrap();
    let hm = HandshakeMessage::decode(&hello[..]).unwrap();
    let ch = hm.client_hello.unwrap();
    assert_eq!(ch.ephemeral.unwrap().len(), 32);
    assert!(ch.r#static.is_none() && ch.payload.is_none());
    assert!(hm.server_hello.is_none() && hm.client_finish.is_none());

    let server = ServerHandshake::new(
        &mut s.rng,
        s.server_key.clone(),
        s.chain.clone(),
        &WA_HEADER,
    );
    let (server, server_hello) = server.read_client_hello(&hello).unwrap();
    let sh = HandshakeMessage::decode(&server_hello[..])
        .unwrap()
        .server_hello
        .unwrap();
    assert_eq!(sh.ephemeral.unwrap().len(), 32);
    assert_eq!(sh.r#static.unwrap().len(), 48);
    assert_eq!(sh.payload.unwrap().len(), s.chain.len() + 16);

    let (client, _) = client
        .read_server_hello(&server_hello, &s.trust, NOW)
        .unwrap();
    let (_, finish) = client.finish(b"p").unwrap();
    let cf = HandshakeMessage::decode(&finish[..])
        .unwrap()
        .client_finish
        .unwrap();
    assert_eq!(cf.r#static.unwrap().len(), 48);
    assert_eq!(cf.payload.unwrap().len(), 1 + 16);
    assert!(server.read_client_finish(&finish).is_ok());
}

#[test]
fn prologue_mismatch_fails() {
    let mut s = setup(3);
    let (client, hello) =
        ClientHandshake::start(&mut s.rng, s.noise_key.clone(), &WA_HEADER).unwrap();
    let server = ServerHandshake::new(
        &mut s.rng,
        s.server_key.clone(),
        s.chain.clone(),
        b"WA\x06\x02",
    );
    let (_, server_hello) = server.read_client_hello(&hello).unwrap();
    assert_eq!(
        client
            .read_server_hello(&server_hello, &s.trust, NOW)
            .map(|_| ()),
        Err(Error::Decrypt("server static key"))
    );
}

fn reencode(bytes: &[u8], edit: impl FnOnce(&mut HandshakeMessage)) -> Vec<u8> {
    let mut m = HandshakeMessage::decode(bytes).unwrap();
    edit(&mut m);
    m.encode_to_vec()
}

#[test]
fn malformed_and_tampered_server_hello_rejected() {
    let mut s = setup(4);
    let server = ServerHandshake::new(
        &mut s.rng,
        s.server_key.clone(),
        s.chain.clone(),
        &WA_HEADER,
    );
    let mut crng = ChaCha20Rng::seed_from_u64(99);
    let (_, hello) = ClientHandshake::start(&mut crng, s.noise_key.clone(), &WA_HEADER).unwrap();
    let (_, good) = server.read_client_hello(&hello).unwrap();

    let check = |bytes: Vec<u8>, want: fn(&Error) -> bool| {
        // Same ephemeral key as the one the server answered.
        let mut crng = ChaCha20Rng::seed_from_u64(99);
        let (client, _) =
            ClientHandshake::start(&mut crng, s.noise_key.clone(), &WA_HEADER).unwrap();
        let err = client.read_server_hello(&bytes, &s.trust, NOW).unwrap_err();
        assert!(want(&err), "unexpected error {err:?}");
    };
    let malformed = |e: &Error| matches!(e, Error::HandshakeMalformed(_));
    let decrypt = |e: &Error| matches!(e, Error::Decrypt(_));

    check(b"\xff\xff".to_vec(), malformed);
    check(hello.clone(), malformed); // a ClientHello is not a ServerHello
    check(
        reencode(&good, |m| m.server_hello.as_mut().unwrap().ephemeral = None),
        malformed,
    );
    check(
        reencode(&good, |m| {
            m.server_hello
                .as_mut()
                .unwrap()
                .r#static
                .as_mut()
                .unwrap()
                .pop();
        }),
        malformed,
    );
    check(
        reencode(&good, |m| {
            m.server_hello.as_mut().unwrap().payload = Some(vec![1; 15])
        }),
        malformed,
    );
    check(
        reencode(&good, |m| {
            m.server_hello.as_mut().unwrap().ephemeral.as_mut().unwrap()[3] ^= 1
        }),
        decrypt,
    );
    check(
        reencode(&good, |m| {
            m.server_hello.as_mut().unwrap().r#static.as_mut().unwrap()[40] ^= 1
        }),
        decrypt,
    );
    check(
        reencode(&good, |m| {
            m.server_hello.as_mut().unwrap().payload.as_mut().unwrap()[0] ^= 1
        }),
        decrypt,
    );
    // A low-order ephemeral key would make the shared secret known.
    check(
        reencode(&good, |m| {
            m.server_hello.as_mut().unwrap().ephemeral = Some(vec![0; 32])
        }),
        |e| matches!(e, Error::InvalidKey(_)),
    );
    // The untouched message still works (the checks above are not vacuous).
    let mut crng = ChaCha20Rng::seed_from_u64(99);
    let (client, _) = ClientHandshake::start(&mut crng, s.noise_key.clone(), &WA_HEADER).unwrap();
    assert!(client.read_server_hello(&good, &s.trust, NOW).is_ok());
}

#[test]
fn malformed_and_tampered_client_messages_rejected() {
    let mut s = setup(5);
    let new_server = |s: &mut Setup| {
        ServerHandshake::with_ephemeral(
            KeyPair::generate(&mut ChaCha20Rng::seed_from_u64(7)),
            s.server_key.clone(),
            s.chain.clone(),
            &WA_HEADER,
        )
    };
    let (client, hello) =
        ClientHandshake::start(&mut s.rng, s.noise_key.clone(), &WA_HEADER).unwrap();

    // ClientHello problems.
    for bad in [
        vec![0x12, 0x02, 0x0a],
        reencode(&hello, |m| {
            m.client_hello
                .as_mut()
                .unwrap()
                .ephemeral
                .as_mut()
                .unwrap()
                .push(0)
        }),
        reencode(&hello, |m| {
            m.client_hello.as_mut().unwrap().payload = Some(vec![1])
        }),
        reencode(&hello, |m| {
            let ch = m.client_hello.take();
            m.client_finish = Some(wa_proto::proto::wa::handshake_message::ClientFinish {
                r#static: ch.and_then(|c| c.ephemeral),
                payload: None,
            });
        }),
    ] {
        let err = new_server(&mut s).read_client_hello(&bad).unwrap_err();
        assert!(matches!(err, Error::HandshakeMalformed(_)), "{err:?}");
    }

    let (_, server_hello) = new_server(&mut s).read_client_hello(&hello).unwrap();
    let (client, _) = client
        .read_server_hello(&server_hello, &s.trust, NOW)
        .unwrap();
    let (_, finish) = client.finish(b"payload").unwrap();
    let finish_check = |bytes: Vec<u8>, s: &mut Setup| {
        let (server, _) = new_server(s).read_client_hello(&hello).unwrap();
        server.read_client_finish(&bytes).map(|_| ())
    };
    assert!(finish_check(finish.clone(), &mut s).is_ok());
    for (bad, is_malformed) in [
        (server_hello.clone(), true),
        (
            reencode(&finish, |m| {
                m.client_finish.as_mut().unwrap().r#static = None
            }),
            true,
        ),
        (
            reencode(&finish, |m| {
                m.client_finish.as_mut().unwrap().payload = Some(vec![])
            }),
            true,
        ),
        (
            reencode(&finish, |m| {
                m.client_finish.as_mut().unwrap().r#static.as_mut().unwrap()[0] ^= 1
            }),
            false,
        ),
        (
            reencode(&finish, |m| {
                m.client_finish.as_mut().unwrap().payload.as_mut().unwrap()[2] ^= 1
            }),
            false,
        ),
    ] {
        let err = finish_check(bad, &mut s).unwrap_err();
        if is_malformed {
            assert!(matches!(err, Error::HandshakeMalformed(_)), "{err:?}");
        } else {
            assert!(matches!(err, Error::Decrypt(_)), "{err:?}");
        }
    }
}

/// Runs the framed drivers against each other, delivering every message in
/// pieces of `chunk` bytes. Returns both established sockets.
fn framed_pair(
    s: &mut Setup,
    routing: Option<&[u8]>,
    chunk: usize,
) -> (NoiseSocket, ServerEstablished) {
    let (mut client, to_server) =
        FramedClientHandshake::start(&mut s.rng, s.noise_key.clone(), routing).unwrap();
    let mut server = FramedServerHandshake::new(&mut s.rng, s.server_key.clone(), s.chain.clone());
    let mut server_hello = None;
    for piece in to_server.chunks(chunk) {
        match server.handle_bytes(piece).unwrap() {
            Step::Pending(next) => server = next,
            Step::Done(done) => {
                server_hello = Some(done);
                break;
            }
        }
        if server_hello.is_some() {
            break;
        }
    }
    let (mut server, to_client) = server_hello.expect("server never saw the ClientHello");
    assert_eq!(server.routing_info(), routing);

    let mut ready = None;
    for piece in to_client.chunks(chunk) {
        match client.handle_bytes(piece, &s.trust, NOW).unwrap() {
            Step::Pending(next) => client = next,
            Step::Done(done) => {
                ready = Some(done);
                break;
            }
        }
    }
    let ready = ready.expect("client never saw the ServerHello");
    assert_eq!(ready.server_info().static_key, s.server_key.public);
    let (client_socket, finish) = ready.finish(b"client payload").unwrap();

    let mut established = None;
    for piece in finish.chunks(chunk) {
        match server.handle_bytes(piece).unwrap() {
            Step::Pending(next) => server = next,
            Step::Done(done) => {
                established = Some(done);
                break;
            }
        }
    }
    let est = established.expect("server never saw the ClientFinish");
    assert_eq!(est.client_static, s.noise_key.public);
    assert_eq!(est.client_payload, b"client payload");
    (client_socket, est)
}

#[test]
fn framed_drivers_any_split_with_and_without_routing_info() {
    let mut s = setup(6);
    for routing in [None, Some(&b"\x08\x02\x10\x05routing"[..])] {
        for chunk in [1usize, 2, 3, 5, 7, 64, 100_000] {
            let (mut c, mut est) = framed_pair(&mut s, routing, chunk);
            assert_eq!(est.socket.routing_info(), routing);
            let frames: Vec<Vec<u8>> = (0..5).map(|i| vec![i as u8; i * 100]).collect();
            let mut wire = Vec::new();
            for f in &frames {
                c.encrypt_frame_into(f, &mut wire).unwrap();
            }
            let mut got = Vec::new();
            for piece in wire.chunks(chunk) {
                got.extend(est.socket.handle_bytes(piece).unwrap());
            }
            assert_eq!(got, frames);
            let back = est.socket.encrypt_frame(b"<success/>").unwrap();
            assert_eq!(c.handle_bytes(&back).unwrap(), vec![b"<success/>".to_vec()]);
        }
    }
}

#[test]
fn bytes_after_the_client_finish_are_kept() {
    let mut s = setup(8);
    let (client, to_server) =
        FramedClientHandshake::start(&mut s.rng, s.noise_key.clone(), None).unwrap();
    let server = FramedServerHandshake::new(&mut s.rng, s.server_key.clone(), s.chain.clone());
    let Step::Done((server, to_client)) = server.handle_bytes(&to_server).unwrap() else {
        panic!("ClientHello not complete");
    };
    let Step::Done(ready) = client.handle_bytes(&to_client, &s.trust, NOW).unwrap() else {
        panic!("ServerHello not complete");
    };
    let (mut sock, mut wire) = ready.finish(b"hi").unwrap();
    // ClientFinish and two transport frames in one websocket message.
    sock.encrypt_frame_into(b"first", &mut wire).unwrap();
    sock.encrypt_frame_into(b"second", &mut wire).unwrap();
    let Step::Done(mut est) = server.handle_bytes(&wire).unwrap() else {
        panic!("ClientFinish not complete");
    };
    assert_eq!(
        est.socket.handle_bytes(&[]).unwrap(),
        vec![b"first".to_vec(), b"second".to_vec()]
    );
}

#[test]
fn server_rejects_a_bad_intro() {
    let mut s = setup(9);
    let server = FramedServerHandshake::new(&mut s.rng, s.server_key.clone(), s.chain.clone());
    assert!(matches!(
        server.handle_bytes(b"WA\x05\x02\x00\x00\x01x"),
        Err(Error::BadIntro(_))
    ));
    // A lower frame limit on the server side applies to the ClientHello.
    let server = FramedServerHandshake::with_decoder(
        &mut s.rng,
        s.server_key.clone(),
        s.chain.clone(),
        FrameDecoder::server().with_max_frame_len(10),
        WA_HEADER,
    );
    let (_, to_server) =
        FramedClientHandshake::start(&mut s.rng, s.noise_key.clone(), None).unwrap();
    assert!(matches!(
        server.handle_bytes(&to_server),
        Err(Error::FrameTooLarge { max: 10, .. })
    ));
}
