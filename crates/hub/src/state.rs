//! The hub's state: scheme configuration, participants, credentials, payments, inboxes, and the
//! ledger holding the money. Only deterministic containers (BTreeMap, Vec), so equal states
//! serialize to equal bytes.

use std::collections::{BTreeMap, BTreeSet};

use ledger::{AccountId, EventResult, Ledger, TransferId};
use serde::{Deserialize, Serialize};

use crate::error::{HubError, Reason};
use crate::fx::{PublishedRate, Quote};
use crate::model::{
    Bic, CountryCode, CredentialId, CurrencyCode, FalsePositiveId, ParticipantId,
    ParticipantStatus, PaymentId, PaymentInstruction, PaymentStatus, Principal, QuoteId,
    RelatedParties, Roles, ScreeningVerdict, SettlementModel, Timestamp, WindowId,
};
use crate::queue::LiquidityQueue;
use crate::window::Window;

/// Ledger account kinds (the ledger account's `code`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountKind {
    /// A participant's position: net debit capped, used by deferred-net currencies.
    Position = 1,
    /// A participant's pre-funded liquidity: debits must not exceed credits; used by gross
    /// currencies.
    Liquidity = 2,
    /// The scheme's settlement account per currency (owner 0, no limit): counterparty of
    /// deposits, withdrawals and settlement resets.
    Settlement = 3,
    /// The scheme's transit account per gross currency with a liquidity queue (owner 0, no
    /// limit): gridlock-released payments pass through it; it is zero after every batch.
    Transit = 4,
}

/// The ledger account id for (participant, currency, kind): participant in the high 64 bits,
/// the currency's three ASCII bytes and the kind below. The scheme's own accounts use
/// participant 0, which the hub never assigns. Never zero, so always a valid ledger id.
pub fn account_id(
    participant: ParticipantId,
    currency: CurrencyCode,
    kind: AccountKind,
) -> AccountId {
    let [a, b, c] = currency.as_bytes();
    let code = (u128::from(a) << 16) | (u128::from(b) << 8) | u128::from(c);
    AccountId((u128::from(participant.0) << 64) | (code << 8) | kind as u128)
}

/// The scheme itself as a ledger owner.
pub const SCHEME: ParticipantId = ParticipantId(0);

/// Ledger transfer codes, so a reader of the ledger alone can tell transfers apart.
pub mod transfer_code {
    pub const PAYMENT: u16 = 1;
    pub const RETURN: u16 = 2;
    pub const FX_SOURCE_LEG: u16 = 3;
    pub const FX_TARGET_LEG: u16 = 4;
    pub const DEPOSIT: u16 = 10;
    pub const WITHDRAWAL: u16 = 11;
    pub const SETTLEMENT: u16 = 20;
    /// Gridlock release: transit → payee, then payer → transit.
    pub const GRIDLOCK_CREDIT: u16 = 30;
    pub const GRIDLOCK_DEBIT: u16 = 31;
    /// A trade payment obligation: reserved obligor → recipient, posted in parts per shipment.
    pub const TRADE_OBLIGATION: u16 = 40;
}

/// A currency the scheme accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyConfig {
    pub code: CurrencyCode,
    pub exponent: u8,
    pub model: SettlementModel,
    pub added_at: Timestamp,
}

/// An admitted participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    pub bic: Bic,
    pub country: CountryCode,
    pub roles: Roles,
    pub status: ParticipantStatus,
    pub admitted_at: Timestamp,
}

/// A credential: the sha256 of a bearer token, and whom it authenticates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub id: CredentialId,
    pub token_hash: [u8; 32],
    pub principal: Principal,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// One ledger transfer of a payment (one for same-currency payments, two for FX).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    /// The pending transfer (or, for a return, the posted transfer).
    pub transfer: TransferId,
    pub currency: CurrencyCode,
    /// The participant whose account is debited.
    pub from: ParticipantId,
    /// The participant whose account is credited.
    pub to: ParticipantId,
    pub debit: AccountId,
    pub credit: AccountId,
    pub amount: u128,
    /// The post or void record that resolved the pending transfer.
    pub resolution: Option<TransferId>,
}

/// What happened to a payment, in order, with who and when (the audit trail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at: Timestamp,
    /// `None` for steps the hub takes by itself (expiry).
    pub by: Option<Principal>,
    pub kind: StepKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepKind {
    Received,
    Held,
    HoldReviewed,
    HoldReleased,
    HoldRejected,
    Reserved,
    Committed,
    Rejected(Reason),
    Expired,
    Returned {
        return_payment: PaymentId,
    },
    /// Put in its currency's liquidity queue.
    Queued,
    /// The debtor participant (or the operator) asked to cancel, with its reason (appended
    /// last: postcard encodes variant indexes).
    CancellationRequested {
        reason: Reason,
    },
    /// Its reservation voided and the payment held because a participant in it was
    /// sanctioned (`SanctionParticipant`).
    HeldParticipantSanctioned {
        participant: ParticipantId,
    },
    /// Hits left out of the verdict at creation by officers' false positives.
    HitsCleared {
        false_positives: Vec<FalsePositiveId>,
    },
}

/// A compliance officer's action on a held payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerStamp {
    pub officer: String,
    pub at: Timestamp,
}

/// The compliance hold of a payment whose screening had hits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub reviewed: Option<OfficerStamp>,
    /// The second officer's decision (release or reject), if taken.
    pub decided: Option<OfficerStamp>,
}

/// The FX side of a cross-currency payment (copied from its quote at creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxTerms {
    pub quote: QuoteId,
    pub provider: ParticipantId,
    pub target_currency: CurrencyCode,
    pub target_amount: u128,
    pub quote_expires_at: Timestamp,
}

/// A payment and its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Creation order, from 1; the pagination cursor.
    pub seq: u64,
    pub instruction: PaymentInstruction,
    pub expires_at: Timestamp,
    pub screening: ScreeningVerdict,
    pub status: PaymentStatus,
    pub reason: Option<Reason>,
    /// Status and reason at the end of the creating command (what an idempotent replay returns).
    pub created_status: PaymentStatus,
    pub created_reason: Option<Reason>,
    pub legs: Vec<Leg>,
    /// For a cross-currency payment: what the creditor receives, through whom.
    pub fx: Option<FxTerms>,
    pub hold: Option<Hold>,
    pub history: Vec<Step>,
    /// For a return: the payment it returns.
    pub return_of: Option<PaymentId>,
    /// For a returned payment: its return.
    pub returned_by: Option<PaymentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Payment {
    pub fn id(&self) -> PaymentId {
        self.instruction.payment_id
    }

    /// Whether `participant` is the debtor or creditor participant, or the FX provider of a
    /// cross-currency payment (it funds a leg, so it sees the payment and hears of it).
    pub fn involves(&self, participant: ParticipantId) -> bool {
        self.instruction.debtor_participant == participant
            || self.instruction.creditor_participant == participant
            || self
                .fx
                .as_ref()
                .is_some_and(|fx| fx.provider == participant)
    }

    /// Whether `viewer` may see the payment. The debtor participant always may; the creditor
    /// and an FX provider only once the payment was offered (reserved for them: its legs
    /// exist), so a creditor never learns of a payment held for compliance, or refused before
    /// it was reserved (telling it would tip off the beneficiary).
    pub fn visible_to(&self, viewer: &Principal) -> bool {
        match viewer {
            Principal::Participant(p) => {
                self.instruction.debtor_participant == *p || (self.involves(*p) && self.offered())
            }
            _ => true,
        }
    }

    /// Whether the payment was ever reserved for its creditor (legs exist only then).
    pub fn offered(&self) -> bool {
        !self.legs.is_empty()
    }
}

/// What an inbox event tells its participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InboxKind {
    /// An incoming payment is reserved and awaits this (creditor) participant's accept/reject.
    PaymentReceived,
    /// A payment this participant is party to changed status.
    StatusChanged {
        status: PaymentStatus,
        reason: Option<Reason>,
    },
    /// The debtor side asks this (creditor) participant to return a committed payment, for
    /// `reason`; nothing moves until it does (`ReturnPayment`).
    ReturnRequested { reason: Reason },
}

/// One event in a participant's inbox; cursors increase by one per participant, from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxEvent {
    pub cursor: u64,
    pub at: Timestamp,
    pub payment: PaymentId,
    pub kind: InboxKind,
}

/// The whole deterministic state of the hub.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hub {
    pub(crate) ledger: Ledger,
    pub(crate) currencies: BTreeMap<CurrencyCode, CurrencyConfig>,
    /// Index = id - 1 (ids are assigned sequentially from 1).
    pub(crate) participants: Vec<Participant>,
    pub(crate) bics: BTreeMap<Bic, ParticipantId>,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) tokens: BTreeMap<[u8; 32], CredentialId>,
    /// In creation order: index = seq - 1. (A vector, not a map of large values: inserting
    /// into a B-tree of payments moved them around on every node split.)
    pub(crate) payments: Vec<Payment>,
    /// Payment id → seq.
    pub(crate) payment_index: BTreeMap<PaymentId, u64>,
    /// Per participant, the seqs of payments it is party to, increasing.
    pub(crate) participant_payments: BTreeMap<ParticipantId, Vec<u64>>,
    /// Reserved payments by (expiry, id): voided in `apply` once `now >= expiry`.
    pub(crate) expiry: BTreeSet<(Timestamp, PaymentId)>,
    /// Held payments by seq.
    pub(crate) held: BTreeMap<u64, PaymentId>,
    pub(crate) inboxes: BTreeMap<ParticipantId, Vec<InboxEvent>>,
    /// The last ledger transfer id the hub assigned.
    pub(crate) last_transfer: u128,
    /// Published FX rates by (provider, base, quote).
    pub(crate) rates: BTreeMap<(ParticipantId, CurrencyCode, CurrencyCode), PublishedRate>,
    pub(crate) quotes: BTreeMap<QuoteId, Quote>,
    /// Index = id - 1.
    pub(crate) windows: Vec<Window>,
    /// The open window of each deferred-net currency.
    pub(crate) open_windows: BTreeMap<CurrencyCode, WindowId>,
    /// Gross currencies whose liquidity queue is enabled.
    pub(crate) queue_enabled: BTreeSet<CurrencyCode>,
    /// Queued payments per currency (kept while the queue is disabled and not empty).
    pub(crate) queues: BTreeMap<CurrencyCode, LiquidityQueue>,
    /// Queued payments by (expiry, id).
    pub(crate) queue_expiry: BTreeSet<(Timestamp, PaymentId)>,
    /// The last FIFO position assigned in any queue.
    pub(crate) last_queue_position: u64,
    /// Messages by (MsgId, sender) → the payments they created (see [`crate::message`]);
    /// MsgId first, so every sender's use of one MsgId is a range.
    pub(crate) messages: BTreeMap<(String, ParticipantId), Vec<PaymentId>>,
    /// Related parties of payments that named any (`CreatePaymentWithParties`). Appended last:
    /// a snapshot written before it fails to decode (it ends early) and recovery replays.
    pub(crate) related: BTreeMap<PaymentId, RelatedParties>,
    /// The credentials that reviewed and decided holds through the `*HoldAs` actions.
    pub(crate) hold_credentials: BTreeMap<PaymentId, HoldCredentials>,
    /// List versions put in force by the operator's override, in order.
    pub(crate) list_overrides: Vec<ListOverride>,
    /// The latest sanction of each participant whose name hit a list.
    pub(crate) sanctions: BTreeMap<ParticipantId, Sanction>,
    /// Officers' false-positive decisions; index = id - 1.
    pub(crate) false_positives: Vec<FalsePositive>,
    /// Hits left out of payments' verdicts by false positives.
    pub(crate) cleared_hits: BTreeMap<PaymentId, Vec<crate::command::ClearedHit>>,
    /// Trade baselines, data sets and obligations (see [`crate::trade`]); appended last.
    pub(crate) trade: crate::trade::TradeState,
}

/// A false positive: the participant's customer of this name is not this listed entry (as
/// published with this fingerprint). In force once confirmed by a second officer, until
/// revoked; it never applies to another entry version, party name or participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FalsePositive {
    pub id: FalsePositiveId,
    /// The participant whose customer the party is.
    pub participant: ParticipantId,
    /// The party's name exactly as screened.
    pub party_name: String,
    pub list: String,
    pub reference: String,
    /// The listed entry's primary name, for display.
    pub listed_name: String,
    pub entry_fingerprint: String,
    pub note: String,
    /// The held payment on which it was proposed.
    pub seen_on: PaymentId,
    pub proposed: OfficerStamp,
    pub proposed_by: CredentialId,
    pub confirmed: Option<OfficerStamp>,
    pub confirmed_by: Option<CredentialId>,
    /// Who revoked it (officer name, or "operator") and when.
    pub revoked: Option<OfficerStamp>,
}

impl FalsePositive {
    pub fn in_force(&self) -> bool {
        self.confirmed.is_some() && self.revoked.is_none()
    }
}

/// A participant's sanction (see `Action::SanctionParticipant`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sanction {
    pub screening: ScreeningVerdict,
    pub at: Timestamp,
    /// When the operator reactivated the participant, clearing the sanction.
    pub cleared_at: Option<Timestamp>,
}

/// A recorded override of the list checks (see `Action::RecordListOverride`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOverride {
    pub record: crate::command::ListOverrideRecord,
    pub at: Timestamp,
}

/// Which credentials acted on a hold (four eyes compares these, not display names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldCredentials {
    pub reviewed: Option<CredentialId>,
    pub decided: Option<CredentialId>,
}

/// Maps a ledger refusal of a money movement to the hub's error.
pub(crate) fn funds_error(result: EventResult) -> HubError {
    match result {
        EventResult::ExceedsCredits | EventResult::ExceedsNetDebitCap => {
            HubError::InsufficientFunds
        }
        EventResult::OverflowsDebits
        | EventResult::OverflowsCredits
        | EventResult::OverflowsDebitsPending
        | EventResult::OverflowsCreditsPending
        | EventResult::OverflowsDebitsPosted
        | EventResult::OverflowsCreditsPosted => HubError::AmountOverflow,
        other => HubError::LedgerRejected(other.code().to_owned()),
    }
}

impl Hub {
    /// An empty hub: no currencies, participants or credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ledger underneath (read-only).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(crate) fn payment_ref(&self, id: &PaymentId) -> Option<&Payment> {
        self.payment_by_seq(*self.payment_index.get(id)?)
    }

    pub(crate) fn payment_mut(&mut self, id: &PaymentId) -> Option<&mut Payment> {
        let seq = *self.payment_index.get(id)?;
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.payments.get_mut(index)
    }

    pub(crate) fn payment_by_seq(&self, seq: u64) -> Option<&Payment> {
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.payments.get(index)
    }

    pub(crate) fn participant_ref(&self, id: ParticipantId) -> Option<&Participant> {
        let index = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.participants.get(index)
    }

    pub(crate) fn participant_mut(&mut self, id: ParticipantId) -> Option<&mut Participant> {
        let index = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.participants.get_mut(index)
    }

    /// Applies ledger events as one unit; on failure returns the first event's own refusal
    /// (not `LinkedEventFailed`), and the ledger is unchanged for linked runs.
    pub(crate) fn ledger_apply(
        &mut self,
        now: Timestamp,
        events: &[ledger::Event],
    ) -> Result<(), EventResult> {
        let results = self.ledger.apply(now, events);
        match results
            .iter()
            .find(|r| !r.is_ok() && **r != EventResult::LinkedEventFailed)
        {
            Some(failure) => Err(*failure),
            None => Ok(()),
        }
    }

    /// Reserves the next `n` ledger transfer ids without consuming them: the caller bumps
    /// `last_transfer` only when the ledger accepted them, so a refused command leaves no trace.
    pub(crate) fn peek_transfer_ids(&self, n: u128) -> Result<Vec<TransferId>, HubError> {
        (1..=n)
            .map(|i| {
                self.last_transfer
                    .checked_add(i)
                    .map(TransferId)
                    .ok_or_else(|| HubError::LedgerRejected("transfer_ids_exhausted".into()))
            })
            .collect()
    }

    /// Appends an event to a participant's inbox.
    pub(crate) fn notify(
        &mut self,
        participant: ParticipantId,
        at: Timestamp,
        payment: PaymentId,
        kind: InboxKind,
    ) {
        let inbox = self.inboxes.entry(participant).or_default();
        // Cursor = position + 1; an inbox cannot hold u64::MAX events in memory.
        let cursor = u64::try_from(inbox.len()).map_or(u64::MAX, |n| n.saturating_add(1));
        inbox.push(InboxEvent {
            cursor,
            at,
            payment,
            kind,
        });
    }
}
