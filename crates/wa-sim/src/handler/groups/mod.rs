//! Groups and broadcast lists: the `w:g2` namespace, `w:gp2`
//! notifications, and group/broadcast message and receipt routing. The
//! state lives in [`crate::world::groups`]; virtual phones' side (sender
//! keys) in [`crate::phone::group`].
//!
//! | module | owns |
//! |---|---|
//! | [`iq`] | `w:g2` requests: create, info, list, participants, subject, description, settings, invites, leave |
//! | [`node`] | the `<group>` node, `<participant>` entries, `w:gp2` notification fan-out |
//! | [`message`] | group/broadcast message fan-out with sender keys, group receipts |
//! | [`picture`] | `w:profile:picture` with a group `target` |

pub mod iq;
pub mod message;
pub mod node;
pub mod picture;

pub use iq::handle_iq;
pub use message::{route_message, route_receipt};
