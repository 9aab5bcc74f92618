//! Frames: encoding, the intro (both forms), streaming reassembly across any
//! split (proptest), and size limits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use wa_proto::Error;
use wa_proto::frame::{
    ED_PREFIX, FrameDecoder, FrameEncoder, MAX_FRAME_LEN, WA_HEADER, client_intro, encode_frame,
    frame_header,
};

fn drain(d: &mut FrameDecoder) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    while let Some(f) = d.next_frame()? {
        out.push(f.to_vec());
    }
    Ok(out)
}

/// Feeds `wire` to a decoder in pieces cut at `cuts`, with both APIs.
fn decode_split(
    make: impl Fn() -> FrameDecoder,
    wire: &[u8],
    cuts: &[usize],
) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, FrameDecoder) {
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    bounds.push(0);
    bounds.push(wire.len());
    bounds.sort_unstable();
    let mut push_api = make();
    let mut callback_api = make();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for w in bounds.windows(2) {
        let piece = &wire[w[0]..w[1]];
        push_api.push(piece).unwrap();
        a.extend(drain(&mut push_api).unwrap());
        callback_api
            .for_each_frame(piece, |f| {
                b.push(f.to_vec());
                Ok(())
            })
            .unwrap();
    }
    assert_eq!(push_api.buffered_len(), 0);
    assert_eq!(callback_api.buffered_len(), 0);
    assert_eq!(push_api.routing_info(), callback_api.routing_info());
    (a, b, push_api)
}

#[test]
fn frame_layout() {
    let mut out = Vec::new();
    encode_frame(b"abc", &mut out).unwrap();
    assert_eq!(out, [0, 0, 3, b'a', b'b', b'c']);
    assert_eq!(frame_header(0x01_02_03).unwrap(), [1, 2, 3]);
    assert_eq!(frame_header(MAX_FRAME_LEN).unwrap(), [0xff; 3]);
    assert_eq!(
        frame_header(MAX_FRAME_LEN + 1),
        Err(Error::FrameTooLarge {
            len: MAX_FRAME_LEN + 1,
            max: MAX_FRAME_LEN
        })
    );
    let mut out = vec![9];
    assert!(encode_frame(&vec![0; MAX_FRAME_LEN + 1], &mut out).is_err());
    assert_eq!(out, vec![9]);
}

#[test]
fn client_encoder_sends_the_intro_once() {
    let mut e = FrameEncoder::client();
    let mut out = Vec::new();
    e.encode(b"hello", &mut out).unwrap();
    e.encode(b"x", &mut out).unwrap();
    assert_eq!(out, b"WA\x06\x03\x00\x00\x05hello\x00\x00\x01x");
    assert!(!e.intro_pending());

    let mut e = FrameEncoder::client_with_routing(b"RT").unwrap();
    let mut out = Vec::new();
    e.encode(b"h", &mut out).unwrap();
    assert_eq!(out, b"ED\x00\x01\x00\x00\x02RTWA\x06\x03\x00\x00\x01h");
    assert_eq!(client_intro(Some(b"RT")).unwrap(), out[..13].to_vec());
    assert_eq!(client_intro(None).unwrap(), WA_HEADER.to_vec());

    let mut e = FrameEncoder::server();
    let mut out = Vec::new();
    e.encode(b"h", &mut out).unwrap();
    assert_eq!(out, b"\x00\x00\x01h");
}

#[test]
fn zero_copy_encoder_path() {
    let mut e = FrameEncoder::client();
    let mut out = Vec::new();
    let start = e.begin_frame(&mut out);
    out.extend_from_slice(b"payload");
    FrameEncoder::finish_frame(&mut out, start).unwrap();
    let mut d = FrameDecoder::server();
    d.push(&out).unwrap();
    assert_eq!(drain(&mut d).unwrap(), vec![b"payload".to_vec()]);
    assert!(matches!(
        FrameEncoder::finish_frame(&mut out, 1000),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn server_parses_both_intro_forms_byte_by_byte() {
    for routing in [None, Some(&b""[..]), Some(&b"\x08\x01routing-info"[..])] {
        let mut e = match routing {
            Some(r) => FrameEncoder::client_with_routing(r).unwrap(),
            None => FrameEncoder::client(),
        };
        let mut wire = Vec::new();
        e.encode(b"first", &mut wire).unwrap();
        e.encode(b"", &mut wire).unwrap();
        e.encode(b"third", &mut wire).unwrap();
        let cuts: Vec<usize> = (0..wire.len()).collect();
        let (a, b, d) = decode_split(FrameDecoder::server, &wire, &cuts);
        let want = vec![b"first".to_vec(), vec![], b"third".to_vec()];
        assert_eq!(a, want);
        assert_eq!(b, want);
        assert!(!d.awaiting_intro());
        assert_eq!(d.routing_info(), routing);
    }
}

#[test]
fn bad_intros_are_rejected_early() {
    let bad = |bytes: &[u8]| {
        let mut d = FrameDecoder::server();
        let r = d.push(bytes).and_then(|()| drain(&mut d).map(|_| ()));
        assert!(matches!(r, Err(Error::BadIntro(_))), "{bytes:?} gave {r:?}");
        // Poisoned afterwards.
        assert_eq!(d.push(b"WA\x06\x03"), Err(Error::StreamPoisoned));
    };
    bad(b"X"); // refused from the first byte
    bad(b"\x00\x00\x05hello"); // a frame without intro
    bad(b"WA\x06\x02"); // other dictionary version
    bad(b"WB");
    bad(b"ED\x00\x02\x00\x00\x00WA\x06\x03"); // unknown ED version
    bad(b"ED\x00\x01\x00\x00\x02RTWX"); // ED not followed by the header
    bad(b"ED\x00\x01\x00\x00\x00W\x00");
    // A custom expected header.
    let mut d = FrameDecoder::server_expecting(*b"WA\x06\x02");
    d.push(b"WA\x06\x02\x00\x00\x01z").unwrap();
    assert_eq!(drain(&mut d).unwrap(), vec![b"z".to_vec()]);
    // Incomplete but plausible intros just wait.
    for partial in [
        &b"W"[..],
        b"WA\x06",
        b"E",
        b"ED\x00\x01\x00",
        b"ED\x00\x01\x00\x00\x03RT",
    ] {
        let mut d = FrameDecoder::server();
        d.push(partial).unwrap();
        assert_eq!(drain(&mut d).unwrap(), Vec::<Vec<u8>>::new());
        assert!(d.awaiting_intro());
    }
    // The client side takes the server's frames without any intro.
    let mut d = FrameDecoder::client();
    d.push(b"\x00\x00\x02hi").unwrap();
    assert_eq!(drain(&mut d).unwrap(), vec![b"hi".to_vec()]);
    assert_eq!(ED_PREFIX, *b"ED\x00\x01");
}

#[test]
fn oversize_frames_are_rejected_from_the_header() {
    // Default limit: 2^24 - 1 is the largest representable length, so use
    // a lower configured limit to see the rejection.
    let mut d = FrameDecoder::client().with_max_frame_len(1000);
    assert_eq!(d.max_frame_len(), 1000);
    d.push(&[0x00, 0x03, 0xe8]).unwrap(); // exactly 1000: fine, waits for data
    let mut d = FrameDecoder::client().with_max_frame_len(1000);
    assert_eq!(
        d.push(&[0x00, 0x03, 0xe9]),
        Err(Error::FrameTooLarge {
            len: 1001,
            max: 1000
        })
    );
    assert_eq!(
        d.next_frame().map(|f| f.map(<[u8]>::to_vec)),
        Err(Error::StreamPoisoned)
    );
    // Rejected in the callback API as well, before the payload arrives.
    let mut d = FrameDecoder::server().with_max_frame_len(10);
    let r = d.for_each_frame(b"WA\x06\x03\x00\x00\x05hello\x00\x00\x0b", |_| Ok(()));
    assert_eq!(r, Err(Error::FrameTooLarge { len: 11, max: 10 }));
    // Limits above the protocol maximum are capped.
    assert_eq!(
        FrameDecoder::client()
            .with_max_frame_len(usize::MAX)
            .max_frame_len(),
        MAX_FRAME_LEN
    );
    // An oversize routing blob is refused too.
    let mut d = FrameDecoder::server().with_max_frame_len(4);
    assert!(matches!(
        d.push(b"ED\x00\x01\x00\x00\x05"),
        Err(Error::FrameTooLarge { len: 5, max: 4 })
    ));
}

#[test]
fn callback_errors_stop_decoding() {
    let mut wire = Vec::new();
    encode_frame(b"a", &mut wire).unwrap();
    encode_frame(b"b", &mut wire).unwrap();
    let mut d = FrameDecoder::client();
    let mut seen = 0;
    let r = d.for_each_frame(&wire, |_| {
        seen += 1;
        Err(Error::InvalidArgument("stop"))
    });
    assert_eq!(r, Err(Error::InvalidArgument("stop")));
    assert_eq!(seen, 1);
}

fn payloads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::collection::vec(any::<u8>(), 0..64),
            2 => prop::collection::vec(any::<u8>(), 64..3000),
            1 => (70_000usize..70_100).prop_map(|n| vec![0xa5; n]),
        ],
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any split of any frame sequence decodes to the same payloads, with
    /// both APIs, on the client and the server side (both intro forms).
    #[test]
    fn reassembly_across_random_splits(
        frames in payloads(),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
        routing in prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
    ) {
        // Server → client: no intro.
        let mut wire = Vec::new();
        let mut e = FrameEncoder::server();
        for f in &frames {
            e.encode(f, &mut wire).unwrap();
        }
        let (a, b, _) = decode_split(FrameDecoder::client, &wire, &cuts);
        prop_assert_eq!(&a, &frames);
        prop_assert_eq!(&b, &frames);

        // Client → server with an intro (only sent with the first frame).
        let mut e = match &routing {
            Some(r) => FrameEncoder::client_with_routing(r).unwrap(),
            None => FrameEncoder::client(),
        };
        let mut wire = Vec::new();
        for f in &frames {
            e.encode(f, &mut wire).unwrap();
        }
        if frames.is_empty() {
            prop_assert!(wire.is_empty());
        } else {
            let (a, b, d) = decode_split(FrameDecoder::server, &wire, &cuts);
            prop_assert_eq!(&a, &frames);
            prop_assert_eq!(&b, &frames);
            prop_assert_eq!(d.routing_info(), routing.as_deref());
        }
    }

    /// Arbitrary bytes never panic the server decoder, and both APIs agree
    /// on the frames and on whether the stream fails.
    #[test]
    fn arbitrary_bytes_agree_across_apis(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        cut in any::<usize>(),
    ) {
        let mut prefixed = WA_HEADER.to_vec();
        prefixed.extend_from_slice(&bytes);
        for input in [&bytes[..], &prefixed[..]] {
            let cut = cut % (input.len() + 1);
            let mut d1 = FrameDecoder::server().with_max_frame_len(100);
            let mut d2 = FrameDecoder::server().with_max_frame_len(100);
            let (mut f1, mut f2) = (Vec::new(), Vec::new());
            let r1 = (|| {
                for piece in [&input[..cut], &input[cut..]] {
                    d1.push(piece)?;
                    f1.extend(drain(&mut d1)?);
                }
                Ok::<(), Error>(())
            })();
            let r2 = (|| {
                for piece in [&input[..cut], &input[cut..]] {
                    d2.for_each_frame(piece, |f| { f2.push(f.to_vec()); Ok(()) })?;
                }
                Ok::<(), Error>(())
            })();
            prop_assert_eq!(r1.is_ok(), r2.is_ok());
            prop_assert_eq!(f1, f2);
        }
    }
}
