//! The JSON objects of the API, shaped like whatsapp-web.js's (what the
//! reference returns and posts): each documented field by field in
//! `docs/http.md`.

pub mod chat;
pub mod contact;
pub mod label;
pub mod message;
