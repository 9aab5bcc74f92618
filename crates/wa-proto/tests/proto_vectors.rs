//! Baileys' protobuf encodings (`tests/vectors/proto/baileys.json`) decode
//! with our prost types and re-encode to exactly Baileys' bytes.
//!
//! Byte identity shows that every field Baileys wrote is declared with a
//! wire-compatible type (an unknown field would be dropped, a wrong wire type
//! would fail to decode) and that both encoders agree on field order,
//! packing and presence. The typed per-vector assertions live in the
//! `proto_vectors_*.rs` files; the schema itself (names, numbers, types) is
//! checked against `WAProto.proto` by `cargo xtask interop proto`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use proto_support::{reencode, vector, vectors};

/// Vectors whose re-encoding is a permutation of Baileys' bytes rather than
/// the same bytes. prost writes a oneof at the position of its lowest-numbered
/// member; protobufjs writes every field in number order. So when the member
/// that is set has a higher number than a plain field that comes after the
/// oneof's first member, the two orders differ (both are valid encodings
/// and decode to the same message, which `reencode` checks).
const ONEOF_ORDER: &[&str] = &["interactive_header_video"];

#[test]
fn every_vector_reencodes_to_baileys_bytes() {
    let mut identical = 0usize;
    for v in vectors() {
        let ours = reencode(v);
        if ONEOF_ORDER.contains(&v.name.as_str()) {
            assert_ne!(ours, v.bytes, "{}: expected the oneof reordering", v.name);
            let mut a = ours.clone();
            let mut b = v.bytes.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{}: not a permutation of Baileys' bytes", v.name);
        } else {
            assert_eq!(
                hex::encode(&ours),
                hex::encode(&v.bytes),
                "{}: prost re-encoding differs from Baileys",
                v.name
            );
            identical += 1;
        }
    }
    assert!(identical >= 130, "only {identical} byte-identical vectors");
}

#[test]
fn oneof_reordering_is_only_a_field_order_difference() {
    use wa_proto::proto::wa;

    let v = vector("interactive_header_video");
    let m: wa::Message = v.decode();
    let header = m
        .interactive_message
        .as_ref()
        .and_then(|i| i.header.as_ref())
        .expect("header");
    assert!(header.has_media_attachment());
    let Some(wa::message::interactive_message::header::Media::VideoMessage(video)) = &header.media
    else {
        panic!("header media is not a video");
    };
    assert_eq!(video.seconds(), 3);
    assert_eq!(
        video.mimetype(),
        v.s("interactiveMessage.header.videoMessage.mimetype")
    );
    assert_eq!(header.title(), v.s("interactiveMessage.header.title"));
}

#[test]
fn vector_names_are_unique_and_cover_the_brief() {
    let mut names: Vec<&str> = vectors().iter().map(|v| v.name.as_str()).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate vector names");
    for required in [
        "text",
        "extended_text_context",
        "image",
        "location",
        "contact",
        "poll_creation_v3",
        "poll_update",
        "reaction",
        "protocol_revoke",
        "protocol_edit",
        "sender_key_distribution",
        "device_sent",
        "buttons",
        "list",
        "client_payload_registration",
        "client_payload_login",
        "adv_signed_device_identity_hmac",
        "adv_signed_device_identity",
        "adv_device_identity",
        "history_sync_initial_bootstrap",
        "syncd_patch",
        "sync_action_starAction",
    ] {
        assert!(names.contains(&required), "missing vector {required}");
    }
}

#[test]
fn decode_rejects_truncated_vectors_with_a_typed_error() {
    use wa_proto::proto::{decode, wa};

    // Cutting a length-delimited field short must be an error, never a panic
    // and never a silently shorter message.
    let v = vector("image");
    let cut = &v.bytes[..v.bytes.len() - 1];
    let err = decode::<wa::Message>(cut).expect_err("truncated message decoded");
    assert!(matches!(err, wa_proto::Error::Protobuf(_)));
    let ok: wa::Message = decode(&v.bytes).expect("full message decodes");
    assert!(ok.image_message.is_some());
}

#[test]
fn every_vector_type_has_a_typed_assertion_file() {
    // The types asserted by proto_vectors_{message,login,history,sync}.rs.
    const COVERED: &[&str] = &[
        "Message",
        "Message.PollVoteMessage",
        "MessageKey",
        "ClientPayload",
        "DeviceProps",
        "ADVDeviceIdentity",
        "ADVSignedDeviceIdentity",
        "ADVSignedDeviceIdentityHMAC",
        "ADVKeyIndexList",
        "ADVSignedKeyIndexList",
        "HandshakeMessage",
        "CertChain",
        "CertChain.NoiseCertificate.Details",
        "SignalMessage",
        "PreKeySignalMessage",
        "SenderKeyMessage",
        "SenderKeyDistributionMessage",
        "MediaRetryNotification",
        "ServerErrorReceipt",
        "VerifiedNameCertificate",
        "VerifiedNameCertificate.Details",
        "WebMessageInfo",
        "HistorySync",
        "SyncActionValue",
        "SyncActionData",
        "SyncdPatch",
        "SyncdMutations",
        "SyncdSnapshot",
    ];
    for v in vectors() {
        assert!(
            COVERED.contains(&v.type_name.as_str()),
            "{}: type {} unasserted",
            v.name,
            v.type_name
        );
    }
}
