//! Device lists by `usync` (the `devices` and `lid` protocols), cached per
//! user and invalidated by `devices` notifications; what the server reports
//! also teaches the phone-number → LID mapping.

use std::collections::HashMap;
use std::time::Instant;

use wa_proto::binary::Node;
use wa_proto::jid::{Jid, Server};

use super::state::CachedDevices;
use crate::client::Client;
use crate::{Error, Result};

/// The usync query for `users` (non-AD JIDs) asking for device lists and LIDs.
pub(crate) fn usync_devices_query(users: &[Jid], sid: &str) -> Node {
    let list = users
        .iter()
        .map(|u| Node::new("user").with_attr("jid", u.to_non_ad()));
    Node::new("iq")
        .with_attr("to", crate::client::server_jid())
        .with_attr("type", "get")
        .with_attr("xmlns", "usync")
        .with_child(
            Node::new("usync")
                .with_attr("sid", sid.to_owned())
                .with_attr("mode", "query")
                .with_attr("last", "true")
                .with_attr("index", "0")
                .with_attr("context", "message")
                .with_children([
                    Node::new("query").with_children([
                        Node::new("devices").with_attr("version", "2"),
                        Node::new("lid"),
                    ]),
                    Node::new("list").with_children(list),
                ]),
        )
}

/// Parses a usync answer into `user → devices` (keyed by the user part of
/// the JID as asked).
pub(crate) fn parse_usync_devices(answer: &Node) -> HashMap<String, CachedDevices> {
    let mut out = HashMap::new();
    let Some(list) = answer.child_path(&["usync", "list"]) else {
        return out;
    };
    let now = Instant::now();
    for user in list.children_by_tag("user") {
        let Some(jid) = user.attr_jid("jid") else {
            continue;
        };
        let devices: Vec<u16> = user
            .child_path(&["devices", "device-list"])
            .map(|l| {
                l.children_by_tag("device")
                    .filter_map(|d| d.attr_parse::<u16>("id"))
                    .collect()
            })
            .unwrap_or_default();
        let lid = user
            .child("lid")
            .and_then(|l| l.attr_jid("val"))
            .filter(|l| l.server == Server::Lid && !l.user.is_empty())
            .map(|l| l.to_non_ad());
        out.insert(
            jid.user.clone(),
            CachedDevices {
                devices,
                lid,
                at: now,
            },
        );
    }
    out
}

impl Client {
    /// The devices of each of `users` (non-AD user JIDs), from the cache or
    /// one usync query for the missing ones. Keyed by user.
    ///
    /// # Errors
    /// IQ errors.
    pub(crate) async fn user_devices(
        &self,
        users: &[Jid],
    ) -> Result<HashMap<String, CachedDevices>> {
        let state = &self.shared().send;
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for u in users {
            match state.cached_devices(&u.user) {
                Some(c) => {
                    out.insert(u.user.clone(), c);
                }
                None => missing.push(u.to_non_ad()),
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        missing.sort_by(|a, b| a.user.cmp(&b.user));
        missing.dedup_by(|a, b| a.user == b.user);
        let sid = format!("{:016x}", rand::random::<u64>());
        let answer = self.iq(usync_devices_query(&missing, &sid)).await?;
        let found = parse_usync_devices(&answer);
        for u in &missing {
            let Some(c) = found.get(&u.user) else {
                return Err(Error::Server {
                    code: 404,
                    text: format!("no device list for {u}"),
                });
            };
            state.put_devices(u.user.clone(), c.clone());
            out.insert(u.user.clone(), c.clone());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_devices_and_lid() {
        let answer = Node::new("iq").with_child(
            Node::new("usync").with_child(
                Node::new("list").with_children([
                    Node::new("user")
                        .with_attr("jid", Jid::pn("111"))
                        .with_children([
                            Node::new("devices").with_child(
                                Node::new("device-list").with_children([
                                    Node::new("device").with_attr("id", "0"),
                                    Node::new("device")
                                        .with_attr("id", "3")
                                        .with_attr("key-index", "1"),
                                ]),
                            ),
                            Node::new("lid").with_attr("val", Jid::lid("999")),
                        ]),
                    Node::new("user").with_attr("jid", Jid::pn("222")),
                ]),
            ),
        );
        let got = parse_usync_devices(&answer);
        assert_eq!(got["111"].devices, vec![0, 3]);
        assert_eq!(got["111"].lid, Some(Jid::lid("999")));
        assert!(got["222"].devices.is_empty());
        assert_eq!(got["222"].lid, None);
    }
}
