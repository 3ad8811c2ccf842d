//! Optional webhooks: each participant may register one URL; every event of its inbox is POSTed
//! there as JSON, signed with HMAC-SHA256 so the bank can verify it came from the hub.
//!
//! - Signature: header `X-Kliring-Signature: sha256=<hex>` = HMAC-SHA256(secret, raw body). The
//!   secret (32 random bytes, hex) is returned once, when the webhook is registered.
//! - Delivery is at least once, in cursor order: the cursor advances only after a 2xx answer
//!   (and is written to disk once per round of up to 100 events, so a crash may resend up to a
//!   round); failures are retried with exponential backoff (up to [`BACKOFF_MAX_MS`]). Header
//!   `X-Kliring-Cursor` carries the event's cursor so a receiver can drop duplicates.
//! - Targets: `https` only, no special-purpose addresses unless the operator allows them, no
//!   proxy, no redirects (see [`crate::webhook_target`]).
//! - Registrations live in `DATA/webhooks.json` (mode 0600: it holds secrets), not in the
//!   journal: they are delivery settings of this server, not scheme state. The inbox itself is
//!   journalled, so nothing is lost while a webhook is down; after a restart delivery resumes
//!   from the last acknowledged cursor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use hub::ParticipantId;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::convert::event_wire;
use crate::state::AppState;

/// First retry delay after a failed delivery, in ms.
pub const BACKOFF_MIN_MS: u64 = 100;
/// Longest retry delay, in ms.
pub const BACKOFF_MAX_MS: u64 = 30_000;
/// Timeout of one delivery request, in ms.
pub const DELIVERY_TIMEOUT_MS: u64 = 10_000;
/// Events read from the inbox per round.
const EVENTS_PER_ROUND: usize = 100;
/// File name of the registrations inside the data directory.
pub const WEBHOOKS_FILE: &str = "webhooks.json";

/// One participant's webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub url: String,
    pub secret: String,
    /// Last cursor the receiver acknowledged.
    pub delivered: u64,
}

/// The registrations and their delivery tasks.
pub struct Webhooks {
    path: PathBuf,
    registrations: Mutex<BTreeMap<u64, Registration>>,
    tasks: Mutex<BTreeMap<u64, JoinHandle<()>>>,
    /// One writer of the file at a time (delivery tasks and handlers both persist).
    persisting: Mutex<()>,
}

/// The signature header value for `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhooks {
    /// Loads `DATA/webhooks.json` (absent: none registered).
    pub fn load(data_dir: &Path) -> std::io::Result<Self> {
        let path = data_dir.join(WEBHOOKS_FILE);
        let registrations = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e),
        };
        Ok(Webhooks {
            path,
            registrations: Mutex::new(registrations),
            tasks: Mutex::new(BTreeMap::new()),
            persisting: Mutex::new(()),
        })
    }

    fn snapshot(&self) -> BTreeMap<u64, Registration> {
        self.registrations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Writes the current registrations (with their delivery cursors).
    fn persist(&self) -> std::io::Result<()> {
        let _writing = self.persisting.lock().unwrap_or_else(|e| e.into_inner());
        self.write(&self.snapshot())
    }

    /// Writes `registrations` atomically (temp file, fsync, rename), readable by the owner
    /// only. The caller holds `persisting`.
    fn write(&self, registrations: &BTreeMap<u64, Registration>) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(registrations)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let temp = self.path.with_extension("json.tmp");
        let _ = std::fs::remove_file(&temp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        {
            use std::io::Write;
            let mut file = options.open(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&temp, &self.path)
    }

    /// Registers (or replaces) a participant's webhook, starting delivery after `from` (the
    /// current inbox head, so only new events are sent). Returns the new secret. The file is
    /// written first: if that fails nothing changed (no delivery to a URL whose secret the
    /// caller never received).
    pub fn register(
        &self,
        state: &AppState,
        participant: ParticipantId,
        url: String,
        from: u64,
    ) -> std::io::Result<String> {
        let secret = crate::token::generate();
        let registration = Registration {
            url,
            secret: secret.clone(),
            delivered: from,
        };
        {
            let _writing = self.persisting.lock().unwrap_or_else(|e| e.into_inner());
            let mut next = self.snapshot();
            next.insert(participant.0, registration.clone());
            self.write(&next)?;
            self.registrations
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(participant.0, registration);
        }
        self.spawn(state, participant);
        Ok(secret)
    }

    /// Removes a participant's webhook; returns whether there was one. The file is written
    /// first: if that fails, delivery goes on as before (it would come back at restart).
    pub fn remove(&self, participant: ParticipantId) -> std::io::Result<bool> {
        {
            let _writing = self.persisting.lock().unwrap_or_else(|e| e.into_inner());
            let mut next = self.snapshot();
            if next.remove(&participant.0).is_none() {
                return Ok(false);
            }
            self.write(&next)?;
            self.registrations
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&participant.0);
        }
        if let Some(task) = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&participant.0)
        {
            task.abort();
        }
        Ok(true)
    }

    /// The registered URL of a participant, if any.
    pub fn url(&self, participant: ParticipantId) -> Option<String> {
        self.snapshot().get(&participant.0).map(|r| r.url.clone())
    }

    /// Starts delivery for every registration (at server start).
    pub fn start_all(&self, state: &AppState) {
        for participant in self.snapshot().keys() {
            self.spawn(state, ParticipantId(*participant));
        }
    }

    /// Stops every delivery task (at shutdown).
    pub fn stop_all(&self) {
        for (_, task) in std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()))
        {
            task.abort();
        }
    }

    fn spawn(&self, state: &AppState, participant: ParticipantId) {
        let task = tokio::spawn(deliver(state.clone(), participant));
        if let Some(old) = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(participant.0, task)
        {
            old.abort();
        }
    }

    fn acknowledge(&self, participant: ParticipantId, secret: &str, cursor: u64) {
        let mut registrations = self.registrations.lock().unwrap_or_else(|e| e.into_inner());
        // A re-registration since this round started has its own cursor: leave it alone.
        if let Some(registration) = registrations.get_mut(&participant.0)
            && registration.secret == secret
        {
            registration.delivered = cursor;
        }
    }
}

/// Persists the cursors off the async runtime (once per delivery round, not per event).
async fn persist_cursors(webhooks: &SharedWebhooks) {
    let webhooks = Arc::clone(webhooks);
    let persisted = tokio::task::spawn_blocking(move || webhooks.persist()).await;
    if !matches!(persisted, Ok(Ok(()))) {
        tracing::warn!("persisting webhook cursors failed; events may be sent again");
    }
}

/// The delivery loop of one participant's webhook.
async fn deliver(state: AppState, participant: ParticipantId) {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_millis(DELIVERY_TIMEOUT_MS))
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would receive the request instead of the checked address.
        .no_proxy();
    if !state.config.webhook_private_targets {
        builder = builder.dns_resolver(crate::webhook_target::PublicOnly::shared());
    }
    if let Some(ca) = &state.config.webhook_ca {
        let certificate = std::fs::read(ca)
            .map_err(|e| e.to_string())
            .and_then(|pem| reqwest::Certificate::from_pem(&pem).map_err(|e| e.to_string()));
        match certificate {
            Ok(certificate) => builder = builder.add_root_certificate(certificate),
            Err(error) => {
                tracing::error!(%error, ca = %ca.display(), "cannot read the webhook CA");
                return;
            }
        }
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook HTTP client");
            return;
        }
    };
    let mut backoff_ms = BACKOFF_MIN_MS;
    'rounds: loop {
        let Some(registration) = state.webhooks.snapshot().get(&participant.0).cloned() else {
            return;
        };
        let private_allowed = state.config.webhook_private_targets;
        if let Err(reason) = crate::webhook_target::check_url(&registration.url, private_allowed) {
            // Registered under an older policy: not sent; a new registration replaces it.
            tracing::warn!(participant = participant.0, %reason, "webhook target refused");
            return;
        }
        let notified = state.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let after = registration.delivered;
        let events = match state
            .read(move |hub| {
                hub.inbox(participant, after, EVENTS_PER_ROUND)
                    .iter()
                    .map(event_wire)
                    .collect::<Vec<_>>()
            })
            .await
        {
            Ok(events) => events,
            Err(_) => return, // the sequencer stopped: the server is going down
        };
        if events.is_empty() {
            let _ = tokio::time::timeout(Duration::from_millis(1_000), notified).await;
            continue;
        }
        for event in events {
            let body = match serde_json::to_vec(&event) {
                Ok(body) => body,
                Err(error) => {
                    tracing::error!(%error, "cannot encode an inbox event");
                    return;
                }
            };
            let sent = client
                .post(&registration.url)
                .header("content-type", "application/json")
                .header(
                    "x-kliring-signature",
                    signature(&registration.secret, &body),
                )
                .header("x-kliring-cursor", event.cursor.to_string())
                .body(body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    state
                        .webhooks
                        .acknowledge(participant, &registration.secret, event.cursor);
                    backoff_ms = BACKOFF_MIN_MS;
                }
                outcome => {
                    persist_cursors(&state.webhooks).await;
                    let status = outcome.as_ref().map(|r| r.status().as_u16()).ok();
                    tracing::warn!(
                        participant = participant.0,
                        ?status,
                        backoff_ms,
                        "webhook delivery failed; retrying"
                    );
                    tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
                    backoff_ms = backoff_ms.saturating_mul(2).min(BACKOFF_MAX_MS);
                    continue 'rounds;
                }
            }
        }
        persist_cursors(&state.webhooks).await;
    }
}

/// Shared handle type stored in the application state.
pub type SharedWebhooks = Arc<Webhooks>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
