//! JID text form: parsing, formatting, helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use wa_proto::Error;
use wa_proto::jid::{Jid, Server};

fn p(s: &str) -> Jid {
    Jid::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn forms() {
    assert_eq!(p("6281288888888@s.whatsapp.net"), Jid::pn("6281288888888"));
    assert_eq!(
        p("6281288888888:3@s.whatsapp.net"),
        Jid::pn("6281288888888").with_device(3)
    );
    assert_eq!(
        p("123_5:3@s.whatsapp.net"),
        Jid::pn("123").with_agent(5).with_device(3)
    );
    // whatsmeow's agent form is accepted and written back in Baileys' form.
    assert_eq!(
        p("123.5:3@s.whatsapp.net"),
        Jid::pn("123").with_agent(5).with_device(3)
    );
    assert_eq!(
        p("123.5:3@s.whatsapp.net").to_string(),
        "123_5:3@s.whatsapp.net"
    );
    assert_eq!(
        p("987654321098765:12@lid"),
        Jid::lid("987654321098765").with_device(12)
    );
    assert_eq!(
        p("120363025246125486@g.us"),
        Jid::group("120363025246125486")
    );
    assert_eq!(p("status@broadcast"), Jid::new("status", Server::Broadcast));
    assert_eq!(p("1@newsletter").server, Server::Newsletter);
    assert_eq!(p("x@call").server, Server::Call);
    assert_eq!(p("x@bot").server, Server::Bot);
    assert_eq!(p("1:99@hosted").server, Server::Hosted);
    assert_eq!(p("1:99@hosted.lid").server, Server::HostedLid);
    assert_eq!(p("1:0@msgr"), Jid::new("1", Server::Msgr));
    assert_eq!(p("7-1:2@interop"), {
        let mut j = Jid::new("1", Server::Interop).with_device(2);
        j.integrator = 7;
        j
    });
    assert_eq!(
        p("a@example.org").server,
        Server::Other("example.org".into())
    );
    // Old-style group ids keep their dash; dots without a device stay in the user.
    assert_eq!(p("6281234-1600000000@g.us").user, "6281234-1600000000");
    assert_eq!(p("a.b@x").user, "a.b");
    // Agent suffixes that are not 1..=255 in canonical form stay in the user.
    assert_eq!(p("a_0@s.whatsapp.net").user, "a_0");
    assert_eq!(p("a_300@s.whatsapp.net").user, "a_300");
    assert_eq!(p("a_05@s.whatsapp.net").user, "a_05");
}

#[test]
fn server_only() {
    let s = Jid::server_only(Server::Pn);
    assert_eq!(p("s.whatsapp.net"), s);
    assert_eq!(p("@s.whatsapp.net"), s);
    assert!(s.is_server());
    assert_eq!(s.to_string(), "s.whatsapp.net");
    assert_eq!(s.to_node_text(), "@s.whatsapp.net");
    assert_eq!(p("g.us"), Jid::server_only(Server::Group));
}

#[test]
fn c_us_maps_to_s_whatsapp_net() {
    assert_eq!(p("6281288888888@c.us"), Jid::pn("6281288888888"));
    assert_eq!(p("c.us"), Jid::server_only(Server::Pn));
    assert_eq!(Jid::pn("6281288888888").to_c_us(), "6281288888888@c.us");
    assert_eq!(Jid::pn("1").with_device(2).to_c_us(), "1:2@c.us");
    assert_eq!(Jid::group("1").to_c_us(), "1@g.us");
}

#[test]
fn formatting() {
    assert_eq!(Jid::pn("1").with_device(0).to_string(), "1@s.whatsapp.net");
    assert_eq!(Jid::pn("1").with_agent(5).to_string(), "1_5@s.whatsapp.net");
    assert_eq!(Jid::new("u", Server::Msgr).to_string(), "u:0@msgr");
    assert_eq!(
        Jid::new("u", Server::Interop).with_device(4).to_string(),
        "0-u:4@interop"
    );
}

#[test]
fn helpers() {
    let d = Jid::pn("1").with_agent(5).with_device(3);
    assert_eq!(d.to_non_ad(), Jid::pn("1"));
    assert!(Jid::group("1").is_group() && !Jid::pn("1").is_group());
    assert!(Jid::pn("1").is_pn() && !Jid::server_only(Server::Pn).is_pn());
    assert!(Jid::lid("1").is_lid());
    assert!(p("status@broadcast").is_status_broadcast() && p("x@broadcast").is_broadcast());
    assert!(p("1@newsletter").is_newsletter());
    assert_eq!("1@g.us".parse::<Jid>(), Ok(Jid::group("1")));
}

#[test]
fn signal_addresses() {
    let a = |s: &str| p(s).signal_address().to_string();
    assert_eq!(a("123@s.whatsapp.net"), "123:0");
    assert_eq!(a("123:3@s.whatsapp.net"), "123:3");
    assert_eq!(a("123:3@lid"), "123_1:3");
    assert_eq!(a("123:99@hosted"), "123_128:99");
    assert_eq!(a("123:99@hosted.lid"), "123_129:99");
    assert_eq!(p("123:3@lid").signal_address().to_dotted(), "123_1.3");
}

#[test]
fn errors() {
    assert_eq!(Jid::parse(""), Err(Error::InvalidJid("empty")));
    assert_eq!(Jid::parse("1@"), Err(Error::InvalidJid("empty server")));
    assert_eq!(
        Jid::parse("1@a@b"),
        Err(Error::InvalidJid("more than one '@'"))
    );
    assert_eq!(
        Jid::parse("1:x@s.whatsapp.net"),
        Err(Error::InvalidJid("device is not a number"))
    );
    assert_eq!(
        Jid::parse("1:70000@s.whatsapp.net"),
        Err(Error::InvalidJid("device out of range"))
    );
    assert_eq!(
        Jid::parse("1:2:3@s.whatsapp.net"),
        Err(Error::InvalidJid("more than one ':'"))
    );
    assert_eq!(
        Jid::parse(":3@s.whatsapp.net"),
        Err(Error::InvalidJid("empty user"))
    );
    assert_eq!(
        Jid::parse("_5:3@s.whatsapp.net"),
        Err(Error::InvalidJid("empty user"))
    );
}

proptest! {
    /// Whatever parses, formats to text that parses back to the same JID.
    #[test]
    fn parse_format_parse(s in prop_oneof![
        "[0-9a-z_.:-]{0,12}@[a-z.]{1,14}",
        "[0-9]{0,4}-?[0-9a-z_.]{0,8}(:[0-9]{1,5})?@(msgr|interop|lid|hosted|s.whatsapp.net|c.us)",
        "\\PC{0,16}",
    ]) {
        if let Ok(j) = Jid::parse(&s) {
            prop_assert_eq!(Jid::parse(&j.to_string()), Ok(j.clone()));
            prop_assert_eq!(Jid::parse(&j.to_node_text()), Ok(j));
        }
    }
}
