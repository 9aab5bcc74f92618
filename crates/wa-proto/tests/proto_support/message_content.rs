//! Typed assertions for the location, contact, poll, reaction and protocol
//! `Message` vectors; used by `tests/proto_vectors_message.rs`.

use super::check_message_context_info;
use super::proto_support::{Vector, check_key};
use wa_proto::proto::wa::{self, message};

pub(crate) fn check_location(m: &wa::Message, v: &Vector) {
    let l = m.location_message.as_ref().expect("locationMessage");
    assert_eq!(l.degrees_latitude(), v.f("locationMessage.degreesLatitude"));
    assert_eq!(
        l.degrees_longitude(),
        v.f("locationMessage.degreesLongitude")
    );
    assert_eq!(l.name(), v.s("locationMessage.name"));
    assert_eq!(l.address(), v.s("locationMessage.address"));
    assert_eq!(l.url(), v.s("locationMessage.url"));
    assert_eq!(l.is_live(), v.b("locationMessage.isLive"));
    assert_eq!(
        u64::from(l.accuracy_in_meters()),
        v.u("locationMessage.accuracyInMeters")
    );
    assert_eq!(
        f64::from(l.speed_in_mps()),
        v.f("locationMessage.speedInMps")
    );
    assert_eq!(
        u64::from(l.degrees_clockwise_from_magnetic_north()),
        v.u("locationMessage.degreesClockwiseFromMagneticNorth")
    );
    assert_eq!(l.comment(), v.s("locationMessage.comment"));
    assert_eq!(
        l.jpeg_thumbnail(),
        v.bytes_at("locationMessage.jpegThumbnail")
    );
}

pub(crate) fn check_live_location(m: &wa::Message, v: &Vector) {
    let l = m
        .live_location_message
        .as_ref()
        .expect("liveLocationMessage");
    let p = "liveLocationMessage";
    assert_eq!(l.degrees_latitude(), v.f(&format!("{p}.degreesLatitude")));
    assert_eq!(l.degrees_longitude(), v.f(&format!("{p}.degreesLongitude")));
    assert_eq!(
        u64::from(l.accuracy_in_meters()),
        v.u(&format!("{p}.accuracyInMeters"))
    );
    assert_eq!(f64::from(l.speed_in_mps()), v.f(&format!("{p}.speedInMps")));
    assert_eq!(l.caption(), v.s(&format!("{p}.caption")));
    assert_eq!(l.sequence_number(), v.i(&format!("{p}.sequenceNumber")));
    assert_eq!(u64::from(l.time_offset()), v.u(&format!("{p}.timeOffset")));
}

pub(crate) fn check_contacts(m: &wa::Message, v: &Vector) {
    if let Some(c) = &m.contact_message {
        assert_eq!(c.display_name(), v.s("contactMessage.displayName"));
        assert_eq!(c.vcard(), v.s("contactMessage.vcard"));
        assert!(c.vcard().starts_with("BEGIN:VCARD"));
    } else {
        let a = m
            .contacts_array_message
            .as_ref()
            .expect("contactsArrayMessage");
        assert_eq!(a.display_name(), v.s("contactsArrayMessage.displayName"));
        assert_eq!(a.contacts.len(), 2);
        for (i, c) in a.contacts.iter().enumerate() {
            assert_eq!(
                c.display_name(),
                v.s(&format!("contactsArrayMessage.contacts.{i}.displayName"))
            );
            assert_eq!(
                c.vcard(),
                v.s(&format!("contactsArrayMessage.contacts.{i}.vcard"))
            );
        }
    }
}

pub(crate) fn check_poll_creation(m: &wa::Message, v: &Vector) {
    let (poll, p) = if let Some(p) = &m.poll_creation_message {
        assert_eq!(p.enc_key(), v.bytes_at("pollCreationMessage.encKey"));
        (p, "pollCreationMessage")
    } else if let Some(p) = &m.poll_creation_message_v2 {
        (p, "pollCreationMessageV2")
    } else {
        let p3 = m
            .poll_creation_message_v3
            .as_ref()
            .expect("a poll creation");
        assert_eq!(
            p3.poll_content_type().as_str_name(),
            v.s("pollCreationMessageV3.pollContentType")
        );
        assert_eq!(
            p3.poll_type().as_str_name(),
            v.s("pollCreationMessageV3.pollType")
        );
        let mentioned = &p3.context_info.as_ref().expect("contextInfo").mentioned_jid;
        assert_eq!(
            *mentioned,
            v.strings("pollCreationMessageV3.contextInfo.mentionedJid")
        );
        (p3, "pollCreationMessageV3")
    };
    assert_eq!(poll.name(), v.s(&format!("{p}.name")));
    let names: Vec<&str> = poll.options.iter().map(|o| o.option_name()).collect();
    assert_eq!(names, ["Yes", "No", "Maybe 🤔"]);
    for (i, o) in poll.options.iter().enumerate() {
        assert_eq!(o.option_name(), v.s(&format!("{p}.options.{i}.optionName")));
    }
    let count = u64::from(poll.selectable_options_count());
    assert_eq!(count, v.u(&format!("{p}.selectableOptionsCount")));
    if p != "pollCreationMessage" {
        check_message_context_info(m, v);
    }
}

pub(crate) fn check_poll_update(m: &wa::Message, v: &Vector) {
    let u = m.poll_update_message.as_ref().expect("pollUpdateMessage");
    let key = u.poll_creation_message_key.as_ref().expect("key");
    check_key(key, v, "pollUpdateMessage.pollCreationMessageKey");
    let vote = u.vote.as_ref().expect("vote");
    assert_eq!(
        vote.enc_payload(),
        v.bytes_at("pollUpdateMessage.vote.encPayload")
    );
    assert_eq!(vote.enc_iv(), v.bytes_at("pollUpdateMessage.vote.encIv"));
    assert_eq!(vote.enc_iv().len(), 12);
    assert!(u.metadata.is_some(), "empty metadata message must survive");
    assert_eq!(
        u.sender_timestamp_ms(),
        v.i("pollUpdateMessage.senderTimestampMs")
    );
    check_message_context_info(m, v);
}

pub(crate) fn check_reaction(m: &wa::Message, v: &Vector) {
    let r = m.reaction_message.as_ref().expect("reactionMessage");
    check_key(r.key.as_ref().expect("key"), v, "reactionMessage.key");
    assert_eq!(r.text(), v.s("reactionMessage.text"));
    // An empty reaction (removal) is present, not absent.
    assert!(r.text.is_some());
    assert_eq!(
        r.sender_timestamp_ms(),
        v.i("reactionMessage.senderTimestampMs")
    );
}

pub(crate) fn check_protocol(pm: &message::ProtocolMessage, v: &Vector, p: &str) {
    assert_eq!(pm.r#type().as_str_name(), v.s(&format!("{p}.type")));
    if v.has(&format!("{p}.key")) {
        check_key(pm.key.as_ref().expect("key"), v, &format!("{p}.key"));
    }
}
