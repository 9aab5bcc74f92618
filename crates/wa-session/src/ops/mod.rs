//! Account operations beyond messaging, each an `impl Client` block in its
//! own module: groups, contacts, profile, presence and chat states, chats
//! and labels through app state.
//!
//! Every operation is a typed call over [`crate::Client::iq`] (or an
//! app-state mutation) that returns typed results; none knows about HTTP.

pub mod contacts;
pub mod group_model;
pub mod groups;
pub mod presence;
pub mod profile;
