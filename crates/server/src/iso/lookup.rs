//! Finding hub things from ISO identifiers: participants by BIC, the sender check, payment ids
//! derived from message references, and original payments by UETR / TxId / EndToEndId.

use std::sync::{Arc, RwLock};

use hmac::{Hmac, Mac};
use hub::query::PaymentFilter;
use hub::state::Payment;
use hub::{ParticipantId, PaymentId, PaymentStatus, Principal};
use iso20022::emit::StatusReason;
use iso20022::model::{Agent, OriginalRef};
use sha2::Sha256;
use uuid::Uuid;

use super::reasons::with_text;
use crate::error::ApiError;
use crate::state::AppState;

/// An admitted participant as ISO messages name it.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: ParticipantId,
    pub bic: String,
    pub name: String,
}

/// The participants, read once per message.
pub struct Directory(Vec<Member>);

impl Directory {
    pub fn new(members: Vec<Member>) -> Self {
        Self(members)
    }

    pub async fn load(state: &AppState) -> Result<Self, ApiError> {
        let members = state
            .read(|hub| {
                hub.participants()
                    .iter()
                    .map(|p| Member {
                        id: p.id,
                        bic: p.bic.as_str().to_owned(),
                        name: p.name.clone(),
                    })
                    .collect()
            })
            .await?;
        Ok(Self::new(members))
    }

    pub fn by_bic(&self, bic: &str) -> Option<&Member> {
        self.0.iter().find(|m| same_bic(&m.bic, bic))
    }

    /// Every admitted participant's id.
    pub fn ids(&self) -> Vec<ParticipantId> {
        self.0.iter().map(|m| m.id).collect()
    }

    pub fn by_id(&self, id: ParticipantId) -> Option<&Member> {
        self.0.iter().find(|m| m.id == id)
    }

    /// Checks that `agent` (the message's instructing agent) is the calling participant:
    /// `AG01` when it names another institution, `RC01` when it carries no BIC. No agent at all
    /// means the caller acts for itself.
    pub fn check_sender(
        &self,
        sender: ParticipantId,
        agent: Option<&Agent>,
        what: &str,
    ) -> Result<(), StatusReason> {
        let Some(agent) = agent else {
            return Ok(());
        };
        let Some(bic) = agent.bic.as_deref() else {
            return Err(with_text(
                "RC01",
                format!("{what} has no BIC; kliring identifies participants by BIC"),
            ));
        };
        match self.by_id(sender) {
            Some(me) if same_bic(&me.bic, bic) => Ok(()),
            Some(me) => Err(with_text(
                "AG01",
                format!("{what} {bic} is not the sending participant {}", me.bic),
            )),
            None => Err(with_text("AG01", "the sending participant is not admitted")),
        }
    }

    /// The participant an agent names; `code` is the reason when it names none.
    pub fn participant(
        &self,
        agent: Option<&Agent>,
        what: &str,
        code: &str,
    ) -> Result<&Member, StatusReason> {
        let bic = agent
            .and_then(|a| a.bic.as_deref())
            .ok_or_else(|| with_text(code, format!("{what} with a BIC is required")))?;
        self.by_bic(bic)
            .ok_or_else(|| with_text(code, format!("{what} {bic} is not a participant")))
    }
}

/// The directory, cached between messages: admitted participants are never removed and never
/// change BIC, so a cached directory can only lack newcomers; a lookup it cannot answer reloads
/// it (one read on the sequencer thread, which would otherwise cut its batch short).
#[derive(Default)]
pub struct DirectoryCache(RwLock<Option<Arc<Directory>>>);

impl DirectoryCache {
    /// A directory that knows `participants` and every BIC in `bics`, when the hub does.
    pub async fn get(
        &self,
        state: &AppState,
        participants: &[ParticipantId],
        bics: &[&str],
    ) -> Result<Arc<Directory>, ApiError> {
        let cached = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(dir) = cached
            && participants.iter().all(|p| dir.by_id(*p).is_some())
            && bics.iter().all(|bic| dir.by_bic(bic).is_some())
        {
            return Ok(dir);
        }
        let dir = Arc::new(Directory::load(state).await?);
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&dir));
        Ok(dir)
    }
}

/// The BICs of the agents a message names.
pub fn bics<'a>(agents: impl IntoIterator<Item = Option<&'a Agent>>) -> Vec<&'a str> {
    agents
        .into_iter()
        .flatten()
        .filter_map(|a| a.bic.as_deref())
        .collect()
}

/// Same institution: equal first 8 characters and equal branch, a missing branch being `XXX`.
pub fn same_bic(a: &str, b: &str) -> bool {
    fn branch(s: &str) -> &str {
        s.get(8..).filter(|b| !b.is_empty()).unwrap_or("XXX")
    }
    a.len() >= 8 && b.len() >= 8 && a.get(..8) == b.get(..8) && branch(a) == branch(b)
}

/// The secret that keys the payment ids derived from ISO references, 32 random bytes in
/// `DATA/iso-payment-ids.key` (hex, mode 0600), made on first use. Keyed, because a derivation
/// anyone can compute lets another participant take an id first: create a JSON payment with the
/// id a bank's next pacs.008 will get, and that pacs.008 is refused (a squat that would also
/// tell the squatter, by a 409, when its guess was already in use).
pub struct IdKey(Hmac<Sha256>);

/// The file of [`IdKey`] in the data directory.
pub const ID_KEY_FILE: &str = "iso-payment-ids.key";

impl IdKey {
    /// Reads the key, or makes it when the data directory has none (blocking).
    pub fn load_or_create(dir: &std::path::Path) -> std::io::Result<IdKey> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = dir.join(ID_KEY_FILE);
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not 64 hex digits");
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut file) => {
                let key: [u8; 32] = rand::random();
                file.write_all(hex::encode(key).as_bytes())?;
                file.sync_all()?;
                std::fs::File::open(dir)?.sync_all()?;
                IdKey::new(&key)
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path)?;
                let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
                let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| bad())?;
                IdKey::new(&key)
            }
            Err(error) => Err(error),
        }
    }

    fn new(key: &[u8; 32]) -> std::io::Result<IdKey> {
        <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map(IdKey)
            .map_err(|error| std::io::Error::other(error.to_string()))
    }

    /// The payment id of a message without UETR: HMAC-SHA256 of the sending participant, the
    /// MsgId and the transaction key, shaped as a UUID v4. Per sender, so two banks using the
    /// same references never meet; stable, so later messages naming the references find it.
    pub fn derive(&self, sender: ParticipantId, msg_id: &str, tx_key: &str) -> PaymentId {
        let mut mac = self.0.clone();
        mac.update(b"kliring.iso20022.payment-id.v2\n");
        mac.update(sender.0.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(msg_id.as_bytes());
        mac.update(b"\n");
        mac.update(tx_key.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// The payment id for a transaction of `sender`: its UETR, else derived from the MsgId and
    /// TxId (else InstrId, else EndToEndId).
    pub fn payment_id(
        &self,
        sender: ParticipantId,
        uetr: Option<&str>,
        msg_id: &str,
        tx_id: Option<&str>,
        instruction_id: Option<&str>,
        end_to_end_id: &str,
    ) -> Result<PaymentId, StatusReason> {
        if let Some(uetr) = uetr {
            return Uuid::parse_str(uetr)
                .map_err(|_| with_text("FF02", format!("UETR {uetr} is not a UUID")));
        }
        let key = tx_id.or(instruction_id).unwrap_or(end_to_end_id);
        Ok(self.derive(sender, msg_id, key))
    }
}

/// Most payments scanned for an `OrgnlEndToEndId` match (a bound on the work one lookup does).
const E2E_SCAN_MAX: usize = 100_000;

/// The original payments the references name (each with the status that narrows its
/// end-to-end id search, e.g. reserved for a creditor's decision), as `viewer` may see them,
/// in one hub read: every read closes the sequencer's batch, so a message's lookups share one.
/// `senders` are the participants whose derived ids an `OrgnlMsgId` may name (the original's
/// sender is the debtor, who may be the viewer or its counterpart); they are computed here,
/// off the sequencer thread.
pub async fn originals(
    state: &AppState,
    ids: &IdKey,
    senders: &[ParticipantId],
    viewer: ParticipantId,
    wanted: Vec<(OriginalRef, Option<PaymentStatus>)>,
) -> Result<Vec<Option<Payment>>, ApiError> {
    let principal = Principal::Participant(viewer);
    let wanted: Vec<_> = wanted
        .into_iter()
        .map(|(original, status)| {
            let derived = derived_candidates(ids, senders, &original);
            (original, status, derived)
        })
        .collect();
    state
        .read(move |hub| {
            wanted
                .iter()
                .map(|(original, status, derived)| {
                    find(hub, &principal, original, derived, *status)
                })
                .collect()
        })
        .await
}

/// The ids `OrgnlMsgId` + the transaction key would have had when each of `senders` sent it.
fn derived_candidates(
    ids: &IdKey,
    senders: &[ParticipantId],
    original: &OriginalRef,
) -> Vec<(ParticipantId, PaymentId)> {
    let key = original
        .tx_id
        .as_deref()
        .or(original.instruction_id.as_deref())
        .or(original.end_to_end_id.as_deref());
    match (original.msg_id.as_deref(), key) {
        (Some(msg), Some(key)) => senders
            .iter()
            .map(|sender| (*sender, ids.derive(*sender, msg, key)))
            .collect(),
        _ => Vec::new(),
    }
}

/// By `OrgnlUETR`, then by an id derived from `OrgnlMsgId` + the transaction key (the
/// payment's debtor being the sender it was derived for), then by a unique `OrgnlEndToEndId`
/// among the viewer's payments.
fn find(
    hub: &hub::Hub,
    principal: &Principal,
    original: &OriginalRef,
    derived: &[(ParticipantId, PaymentId)],
    status: Option<PaymentStatus>,
) -> Option<Payment> {
    let by_uetr = original
        .uetr
        .as_deref()
        .and_then(|u| Uuid::parse_str(u).ok())
        .and_then(|id| hub.payment_for(principal, id));
    let by_derived = || {
        derived.iter().find_map(|(sender, id)| {
            hub.payment_for(principal, *id)
                .filter(|p| p.instruction.debtor_participant == *sender)
        })
    };
    if let Some(found) = by_uetr.or_else(by_derived) {
        return Some(found.clone());
    }
    let e2e = original
        .end_to_end_id
        .as_deref()
        .filter(|e| *e != crate::app::payments::NOT_PROVIDED)?;
    by_end_to_end_id(hub, principal, e2e, status)
}

/// The one payment of `viewer` with this end-to-end id (and status); none when several match.
fn by_end_to_end_id(
    hub: &hub::Hub,
    viewer: &Principal,
    e2e: &str,
    status: Option<PaymentStatus>,
) -> Option<Payment> {
    let mut filter = PaymentFilter {
        status,
        ..PaymentFilter::default()
    };
    let mut found: Option<&Payment> = None;
    let mut scanned = 0usize;
    loop {
        let page = hub.payments(viewer, &filter);
        for payment in &page.payments {
            if payment.instruction.end_to_end_id == e2e {
                if found.is_some() {
                    return None;
                }
                found = Some(payment);
            }
        }
        scanned = scanned.saturating_add(page.payments.len());
        match page.next_cursor {
            Some(cursor) if scanned < E2E_SCAN_MAX => filter.after = Some(cursor),
            _ => break,
        }
    }
    found.cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bics_compare_with_default_branch() {
        assert!(same_bic("ALPHKENA", "ALPHKENAXXX"));
        assert!(same_bic("ALPHKENAXXX", "ALPHKENA"));
        assert!(!same_bic("ALPHKENA", "ALPHKENA001"));
        assert!(!same_bic("ALPHKENA", "BETAKENA"));
        assert!(!same_bic("ALPH", "ALPH"));
    }

    #[test]
    fn derived_ids_are_keyed_per_sender_deterministic_v4_uuids() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ids = IdKey::load_or_create(dir.path()).expect("key");
        let (a, b) = (ParticipantId(1), ParticipantId(2));
        let id = ids.derive(a, "MSG1", "TX1");
        assert_eq!(id, ids.derive(a, "MSG1", "TX1"));
        assert_ne!(id, ids.derive(a, "MSG1", "TX2"));
        assert_ne!(
            id,
            ids.derive(a, "MSG1T", "X1"),
            "separator keeps fields apart"
        );
        assert_ne!(
            id,
            ids.derive(b, "MSG1", "TX1"),
            "another sender, another id"
        );
        assert!(iso20022::rules::is_uuid_v4(&id.to_string()));
        let again = IdKey::load_or_create(dir.path()).expect("same key");
        assert_eq!(again.derive(a, "MSG1", "TX1"), id, "stable across restarts");
        let other = tempfile::tempdir().expect("tempdir");
        let elsewhere = IdKey::load_or_create(other.path()).expect("key");
        assert_ne!(
            elsewhere.derive(a, "MSG1", "TX1"),
            id,
            "unpredictable without the key"
        );
        let uetr = "8a562c67-ca16-48ba-b074-65581be6f001";
        let by_uetr = ids.payment_id(a, Some(uetr), "M", None, None, "E");
        assert_eq!(by_uetr.map(|id| id.to_string()), Ok(uetr.to_owned()));
        assert_eq!(
            ids.payment_id(a, None, "M", None, Some("I"), "E"),
            Ok(ids.derive(a, "M", "I"))
        );
        std::fs::write(dir.path().join(ID_KEY_FILE), "zz").expect("write");
        assert!(
            IdKey::load_or_create(dir.path()).is_err(),
            "a damaged key is refused"
        );
    }
}
