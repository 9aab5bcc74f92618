//! Sockets: one listening port serving plain HTTP and TLS alike, and the
//! TLS material.
//!
//! * [`listener`]: the accept loop; peeks the first byte of every TCP
//!   connection (`0x16` = TLS ClientHello) and serves the same router either
//!   way (HTTP/1.1 with upgrades for websockets).
//! * [`tls`]: the sim's CA and the rustls server configuration.

pub mod listener;
pub mod tls;
