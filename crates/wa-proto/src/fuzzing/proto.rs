//! Fuzz entry points for protobuf decoding.

/// Decodes `data` as `M`; when it decodes, checks that prost's encoding is
/// canonical: it has the announced length, decodes to the same value, and
/// encodes to the same bytes again. Returns the decoded message.
fn proto_roundtrip<M: prost::Message + Default + PartialEq>(data: &[u8]) -> Option<M> {
    let m = M::decode(data).ok()?;
    let bytes = m.encode_to_vec();
    assert_eq!(
        bytes.len(),
        m.encoded_len(),
        "encoded_len disagrees with encode"
    );
    let again = M::decode(bytes.as_slice());
    assert!(again.as_ref() == Ok(&m), "re-decoded protobuf differs");
    let bytes_again = again.map(|a| a.encode_to_vec()).unwrap_or_default();
    assert!(bytes_again == bytes, "protobuf encoding is not stable");
    Some(m)
}

/// `proto_handshake`: the protobufs read before and during login, from
/// untrusted bytes: HandshakeMessage, CertChain and its certificate Details,
/// ClientPayload, and the pairing chain ADVSignedDeviceIdentityHMAC →
/// ADVSignedDeviceIdentity → ADVDeviceIdentity (each `details` decoded as the
/// next, like the pair-success handler does).
pub fn proto_handshake(data: &[u8]) {
    use crate::proto::wa;
    type Details = wa::cert_chain::noise_certificate::Details;

    let _ = proto_roundtrip::<wa::HandshakeMessage>(data);
    if let Some(chain) = proto_roundtrip::<wa::CertChain>(data) {
        for cert in [chain.leaf, chain.intermediate].into_iter().flatten() {
            let _ = proto_roundtrip::<Details>(cert.details());
        }
    }
    let _ = proto_roundtrip::<Details>(data);
    let _ = proto_roundtrip::<wa::ClientPayload>(data);
    if let Some(hmac) = proto_roundtrip::<wa::AdvSignedDeviceIdentityHmac>(data)
        && let Some(signed) = proto_roundtrip::<wa::AdvSignedDeviceIdentity>(hmac.details())
    {
        let _ = proto_roundtrip::<wa::AdvDeviceIdentity>(signed.details());
    }
    let _ = proto_roundtrip::<wa::AdvSignedDeviceIdentity>(data);
    let _ = proto_roundtrip::<wa::AdvDeviceIdentity>(data);
}
