//! Persistence with `--data DIR`: the server's keys and CA (`keys.json`,
//! written once) and the world snapshot (`state.json`: accounts, devices,
//! prekeys, phone Signal state, inboxes, queues), written atomically
//! (temporary file + rename) at most every [`DEBOUNCE`] after a change and
//! at shutdown. The CA certificate is also written to `ca.pem`.

pub(crate) mod codec;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wa_proto::keys::{KeyPair, PrivateKey};
use wa_proto::noise::{CertIssuer, ChainSpec};

use crate::error::{Error, Result};
use crate::sim::{Shared, SimKeys};
use crate::world::Snapshot;

/// Delay between a change and the snapshot write.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

const KEYS_FILE: &str = "keys.json";
const STATE_FILE: &str = "state.json";
const CA_FILE: &str = "ca.pem";

/// The server's long-term secrets as stored.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    #[serde(with = "codec::keypair")]
    noise_root: KeyPair,
    #[serde(with = "codec::keypair")]
    noise_intermediate: KeyPair,
    #[serde(with = "codec::keypair")]
    noise_static: KeyPair,
    pub(crate) ca_cert_pem: String,
    pub(crate) ca_key_pem: String,
}

fn persist_err(e: impl std::fmt::Display) -> Error {
    Error::Persist(e.to_string())
}

impl KeyFile {
    /// Fresh keys and CA.
    pub(crate) fn generate() -> Result<KeyFile> {
        let mut rng = rand::rng();
        let (ca_cert_pem, ca_key_pem) = crate::net::tls::generate_ca()?;
        Ok(KeyFile {
            noise_root: KeyPair::from_private(PrivateKey::generate(&mut rng)),
            noise_intermediate: KeyPair::generate(&mut rng),
            noise_static: KeyPair::generate(&mut rng),
            ca_cert_pem,
            ca_key_pem,
        })
    }

    /// The runtime keys (the certificate chain is issued here).
    pub(crate) fn sim_keys(&self) -> Result<SimKeys> {
        let issuer = CertIssuer::new(self.noise_root.clone(), self.noise_intermediate.clone());
        let cert_chain = issuer.issue(
            &mut rand::rng(),
            &self.noise_static.public,
            &ChainSpec::default(),
        );
        Ok(SimKeys {
            root: self.noise_root.clone(),
            server_static: self.noise_static.clone(),
            cert_chain,
            ca_cert_pem: self.ca_cert_pem.clone(),
        })
    }
}

/// Reads `DIR/keys.json`, or creates it (and `DIR/ca.pem`).
pub(crate) fn load_or_create_keys(dir: &Path) -> Result<KeyFile> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(KEYS_FILE);
    let keys = if path.exists() {
        serde_json::from_slice(&std::fs::read(&path)?).map_err(persist_err)?
    } else {
        let keys = KeyFile::generate()?;
        write_atomic(
            &path,
            &serde_json::to_vec_pretty(&keys).map_err(persist_err)?,
        )?;
        keys
    };
    write_atomic(&dir.join(CA_FILE), keys.ca_cert_pem.as_bytes())?;
    Ok(keys)
}

/// Reads `DIR/state.json` if it exists.
pub(crate) fn load_snapshot(dir: &Path) -> Result<Option<Snapshot>> {
    let path = dir.join(STATE_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let snap = serde_json::from_slice(&std::fs::read(&path)?).map_err(persist_err)?;
    Ok(Some(snap))
}

/// Writes `bytes` to `path` via a temporary file and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn take_snapshot(shared: &Shared) -> Option<Vec<u8>> {
    let mut world = shared.lock();
    if !world.dirty {
        return None;
    }
    world.dirty = false;
    serde_json::to_vec(&world.snapshot()).ok()
}

/// Writes the snapshot whenever the world changed, until shutdown.
pub(crate) async fn writer(shared: Arc<Shared>, dir: PathBuf) {
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(DEBOUNCE) => {}
            _ = shutdown.changed() => break,
        }
        if let Some(bytes) = take_snapshot(&shared) {
            let path = dir.join(STATE_FILE);
            let r = tokio::task::spawn_blocking(move || write_atomic(&path, &bytes)).await;
            if !matches!(r, Ok(Ok(()))) {
                tracing::warn!("could not write the state snapshot");
            }
        }
    }
}

/// Writes a pending snapshot now (at shutdown).
pub(crate) async fn flush(shared: &Arc<Shared>) {
    let Some(dir) = shared.data_dir.clone() else {
        return;
    };
    if let Some(bytes) = take_snapshot(shared) {
        let path = dir.join(STATE_FILE);
        let _ = tokio::task::spawn_blocking(move || write_atomic(&path, &bytes)).await;
    }
}
