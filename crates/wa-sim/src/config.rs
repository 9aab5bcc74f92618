//! [`SimConfig`]: where the simulator listens and where it keeps state.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Directory for the persistent state (keys, CA, accounts, queues);
    /// `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Seed for the world's randomness (deterministic ids and keys in
    /// tests); `None` seeds from the OS.
    pub seed: Option<u64>,
}

impl SimConfig {
    /// In memory, on a free port of 127.0.0.1.
    pub fn local() -> SimConfig {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed: None,
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self::local()
    }
}
