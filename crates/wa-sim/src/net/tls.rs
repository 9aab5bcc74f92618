//! The sim's own certificate authority and the TLS server configuration
//! (rustls with the ring provider) for `127.0.0.1` and `localhost`.
//!
//! Clients trust the CA (`GET /sim/info` → `ca_pem`; Node reads it from
//! `NODE_EXTRA_CA_CERTS`). The CA persists with `--data`; the leaf is
//! re-issued at every start.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{Error, Result};

fn tls(e: impl std::fmt::Display) -> Error {
    Error::Tls(e.to_string())
}

/// The CA's parameters (fixed, so an issuer can be rebuilt from the key).
fn ca_params() -> Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
        .distinguished_name
        .push(DnType::CommonName, "wa-sim local CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "wa-sim");
    Ok(params)
}

/// A new CA: `(certificate PEM, private key PEM)`.
pub fn generate_ca() -> Result<(String, String)> {
    let key = KeyPair::generate().map_err(tls)?;
    let cert = ca_params()?.self_signed(&key).map_err(tls)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// A rustls server configuration with a fresh leaf for `127.0.0.1` and
/// `localhost` signed by the CA.
pub fn server_config(ca_key_pem: &str) -> Result<Arc<ServerConfig>> {
    let ca_key = KeyPair::from_pem(ca_key_pem).map_err(tls)?;
    let issuer = Issuer::new(ca_params()?, ca_key);
    let leaf_key = KeyPair::generate().map_err(tls)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(tls)?;
    params.distinguished_name.push(DnType::CommonName, "wa-sim");
    let leaf = params.signed_by(&leaf_key, &issuer).map_err(tls)?;
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
