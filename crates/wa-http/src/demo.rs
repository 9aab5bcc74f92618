//! Demo mode (`wa-http --demo`): an embedded wa-sim stands in for WhatsApp.
//! Every session that shows a QR is linked a few seconds later by a new
//! virtual phone, and a few virtual contacts answer whatever they are sent,
//! so a newcomer sees QR → ready → send → webhook → reply without a phone.
//!
//! The sim lives in memory: demo data goes to a temporary `SESSIONS_PATH`
//! (unless one is given) and is gone when the process exits.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wa_proto::keys::PublicKey;
use wa_proto::noise::TrustedRoot;
use wa_session::ClientTemplate;
use wa_sim::{Sim, SimConfig, SimHandle};

use crate::error::ApiError;

/// The virtual contacts: phone number and name.
pub const CONTACTS: &[(&str, &str)] = &[
    ("15550000001", "Alice (virtual)"),
    ("15550000002", "Bob (virtual)"),
    ("15550000003", "Carol (virtual)"),
];

/// The running demo network.
pub struct Demo {
    sim: SimHandle,
    link_delay: Duration,
    next_phone: AtomicU32,
    linking: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("sim", &self.sim.addr())
            .finish_non_exhaustive()
    }
}

impl Demo {
    /// Starts the sim and its contacts; returns the demo and the client
    /// template pointing at it.
    ///
    /// # Errors
    /// The sim does not start.
    pub async fn start(link_delay: Duration) -> Result<(Arc<Demo>, ClientTemplate), ApiError> {
        let sim = Sim::start(SimConfig::local())
            .await
            .map_err(|e| ApiError::Internal(format!("demo sim: {e}")))?;
        for (phone, name) in CONTACTS {
            sim.create_account(phone, name)
                .map_err(|e| ApiError::Internal(format!("demo sim: {e}")))?;
        }
        let mut template = ClientTemplate {
            url: sim.ws_url(),
            root: TrustedRoot::new(PublicKey::from_raw(sim.root_public_key())),
            ..ClientTemplate::default()
        };
        template.options.media_ca_pem = Some(sim.ca_pem());
        let demo = Arc::new(Demo {
            sim,
            link_delay,
            next_phone: AtomicU32::new(1),
            linking: Mutex::new(HashSet::new()),
        });
        tokio::spawn(answer_loop(Arc::clone(&demo)));
        Ok((demo, template))
    }

    /// The embedded sim.
    pub fn sim(&self) -> &SimHandle {
        &self.sim
    }

    /// A session showed `qr`: a new virtual phone scans it after the link
    /// delay (once per session).
    pub fn on_qr(self: &Arc<Self>, session: &str, qr: String) {
        {
            let mut l = self
                .linking
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !l.insert(session.to_owned()) {
                return;
            }
        }
        let n = self.next_phone.fetch_add(1, Ordering::Relaxed);
        let phone = format!("1555100{n:04}");
        let demo = Arc::clone(self);
        let session = session.to_owned();
        tokio::spawn(async move {
            if let Err(e) = demo.sim.create_account(&phone, &format!("Demo phone {n}")) {
                tracing::warn!(error = %e, "demo: cannot create the virtual phone");
                return;
            }
            println!(
                "demo: session {session} shows a QR; the virtual phone +{phone} scans it in {} s",
                demo.link_delay.as_secs()
            );
            tokio::time::sleep(demo.link_delay).await;
            match demo.sim.link_qr(&phone, &qr).await {
                Ok(jid) => println!(
                    "demo: linked as {jid}. Send a message to a virtual contact: {}",
                    CONTACTS
                        .iter()
                        .map(|(p, n)| format!("{p}@c.us ({n})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "demo: link failed");
                    demo.linking
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .remove(&session);
                }
            }
        });
    }
}

/// The contacts answer every new message in their inboxes.
async fn answer_loop(demo: Arc<Demo>) {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        for (phone, name) in CONTACTS {
            let Ok(inbox) = demo.sim.inbox(phone) else {
                continue;
            };
            for m in inbox {
                if !seen.insert(((*phone).to_owned(), m.id.clone())) {
                    continue;
                }
                if m.kind == "reaction" || m.kind == "protocol" {
                    continue;
                }
                let said = if m.text.is_empty() {
                    format!("your {}", m.kind)
                } else {
                    format!("\"{}\"", m.text)
                };
                let reply = format!("Hi, this is {name}. I got {said}.");
                if let Err(e) = demo.sim.send_text(phone, &m.chat, &reply) {
                    tracing::debug!(error = %e, "demo: reply failed");
                }
            }
        }
    }
}
