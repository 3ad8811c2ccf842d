//! The commands the journal stores and the hub applies, and their outcomes.
//!
//! **Compatibility rule**: `Action` is journalled (postcard, by variant index). New variants are
//! appended at the end, never inserted or reordered; existing variants' fields never change.

use serde::{Deserialize, Serialize};

use crate::error::HubError;
use crate::error::Reason;
use crate::fx::{Quote, QuoteRequest, Rate};
use crate::model::{
    Bic, CountryCode, CredentialId, CurrencyCode, FalsePositiveId, ParticipantId,
    ParticipantStatus, PartySide, PaymentId, PaymentInstruction, PaymentStatus, Principal,
    RelatedParties, Roles, ScreeningHitRecord, ScreeningVerdict, SettlementModel, Timestamp,
    WindowId,
};
use crate::window::InstructionMode;

/// One command: who acts, and what. Everything the server knows (screening verdicts, token
/// hashes, generated ids) is inside, so replay re-derives nothing from the outside world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub actor: Principal,
    pub action: Action,
}

impl Command {
    pub fn new(actor: Principal, action: Action) -> Self {
        Self { actor, action }
    }
}

/// Deposit into, or withdraw from, a participant's pre-funded liquidity account.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiquidityDirection {
    Deposit,
    Withdrawal,
}

/// A new payment, screened by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePayment {
    pub instruction: PaymentInstruction,
    /// When an unanswered reservation is voided (ns). Held payments do not expire while held;
    /// a release after the expiry expires the payment instead of reserving.
    pub expires_at: Timestamp,
    pub screening: ScreeningVerdict,
}

/// A new payment naming more than debtor and creditor (ultimate parties, initiating party,
/// agents, structured remittance text), all of it screened by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePaymentWithParties {
    pub payment: CreatePayment,
    pub parties: RelatedParties,
    /// Hits the server found but left out of the verdict because officers confirmed them as
    /// false positives for this party (see [`ClearedHit`]); the hub checks each.
    pub cleared: Vec<ClearedHit>,
}

/// A screening hit left out of a payment's verdict by a confirmed false positive. The hub
/// accepts it only if the false positive is in force and names the same participant, party
/// name, listed entry and entry fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearedHit {
    pub hit: ScreeningHitRecord,
    pub false_positive: FalsePositiveId,
    /// The listed entry's fingerprint in the lists the payment was screened against.
    pub entry_fingerprint: String,
}

/// An officer's proposal that a hit on a party of a held payment is a false positive: the
/// party (the participant's customer by name) is not the listed entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FalsePositiveProposal {
    /// The payment whose screening had the hit.
    pub payment: PaymentId,
    /// The field of the hit: a party's name (debtor, creditor, ultimate parties, initiating
    /// party).
    pub party: PartySide,
    pub list: String,
    pub reference: String,
    /// The listed entry's fingerprint as the server reads it now.
    pub entry_fingerprint: String,
    /// Why the officer judges it a false positive.
    pub note: String,
    /// The credential the officer authenticated with.
    pub credential: CredentialId,
}

/// What to do. See each variant for who may do it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Operator. The server bootstraps the first operator credential with this command, acting
    /// as `Principal::Operator`. `token_hash` = sha256 of the bearer token.
    RegisterCredential {
        token_hash: [u8; 32],
        principal: Principal,
    },
    /// Operator.
    RevokeCredential { credential: CredentialId },
    /// Operator. Creates the scheme settlement account for the currency and a position and a
    /// liquidity account for every admitted participant.
    AddCurrency {
        currency: CurrencyCode,
        exponent: u8,
        model: SettlementModel,
    },
    /// Operator. Creates the participant's accounts in every accepted currency (net debit caps 0).
    AdmitParticipant {
        name: String,
        bic: Bic,
        country: CountryCode,
        roles: Roles,
    },
    /// Operator.
    SuspendParticipant { participant: ParticipantId },
    /// Operator.
    ReactivateParticipant { participant: ParticipantId },
    /// Operator. Lowering the cap below current usage is allowed; new debits are then refused.
    SetNetDebitCap {
        participant: ParticipantId,
        currency: CurrencyCode,
        cap: u128,
    },
    /// Operator: the settlement bank confirmed money moved into / out of the participant's
    /// pre-funded account.
    RecordLiquidity {
        participant: ParticipantId,
        currency: CurrencyCode,
        direction: LiquidityDirection,
        amount: u128,
    },
    /// The debtor participant.
    CreatePayment(Box<CreatePayment>),
    /// The creditor participant: commit the reservation.
    AcceptPayment { payment: PaymentId },
    /// The creditor participant: void the reservation with a reason.
    RejectPayment { payment: PaymentId, reason: Reason },
    /// The creditor participant of a committed payment: send the full amount back as a new
    /// payment `return_id` (committed at once; the original becomes Returned).
    ReturnPayment {
        payment: PaymentId,
        return_id: PaymentId,
        reason: Reason,
    },
    /// A compliance officer: first look at a held payment.
    ReviewHold { payment: PaymentId },
    /// A compliance officer other than the reviewer: the payment proceeds to reservation.
    ReleaseHold { payment: PaymentId },
    /// A compliance officer other than the reviewer: the payment fails with `SanctionsHit`.
    RejectHold { payment: PaymentId },
    /// An FX provider: its mid rate for `base/quote` (replaces its rate for the pair either way).
    PublishRate {
        base: CurrencyCode,
        quote: CurrencyCode,
        rate: Rate,
        spread_bp: u16,
    },
    /// A participant asks a provider for a quote, computed from the provider's published rate.
    RequestQuote(QuoteRequest),
    /// Operator: close the currency's open window, net it, open the next one.
    CloseWindow {
        currency: CurrencyCode,
        mode: InstructionMode,
    },
    /// Operator: the settlement bank moved the money; reset positions by the window's figures.
    SettleWindow { window: WindowId },
    /// Operator: settlement failed; the window's obligations join the open window.
    AbortWindow { window: WindowId },
    /// Operator: enable or disable the liquidity queue of a gross currency (see
    /// [`crate::queue`]). Disabling keeps already queued payments queued until they settle or
    /// expire.
    SetLiquidityQueue {
        currency: CurrencyCode,
        enabled: bool,
    },
    /// The debtor participant or the operator (see the `cancel` module): cancel a payment not
    /// yet committed (Held, Queued, Reserved → Rejected `cancelled_by_debtor`), or ask the
    /// creditor participant to return a committed one. `reason` is the debtor's (one a
    /// participant may give).
    CancelPayment { payment: PaymentId, reason: Reason },
    /// A participant's message (an ISO 20022 pacs.008, pacs.002, pacs.004 ...) as one unit:
    /// its MsgId is recorded for the sender, then each action is applied in order as the
    /// sender, with its own outcome. A MsgId the sender used before refuses the whole message
    /// (`duplicate_message_id`), so a resend changes nothing, even after a restart.
    ReceiveMessage {
        msg_id: String,
        actions: Vec<Action>,
    },
    /// The debtor participant: `CreatePayment` with the related parties it named (idempotency
    /// compares both).
    CreatePaymentWithParties(Box<CreatePaymentWithParties>),
    /// A compliance officer, naming the credential it authenticated with: `ReviewHold`, with
    /// four eyes decided by credential (see [`Action::ReleaseHoldAs`]).
    ReviewHoldAs {
        payment: PaymentId,
        credential: CredentialId,
    },
    /// A compliance officer whose credential differs from the reviewer's (and whose name is
    /// not the reviewer's): `ReleaseHold`.
    ReleaseHoldAs {
        payment: PaymentId,
        credential: CredentialId,
    },
    /// As [`Action::ReleaseHoldAs`], for `RejectHold`.
    RejectHoldAs {
        payment: PaymentId,
        credential: CredentialId,
    },
    /// Operator: a sanctions list version that fails the server's checks of a published list
    /// (too few entries, no or an older generation date) was put in force by the operator's
    /// explicit override. Recorded once per version (a repeat changes nothing).
    RecordListOverride(ListOverrideRecord),
    /// Operator (the server, when lists change): a participant's own name hits a list. It is
    /// suspended, and every payment of it whose funds are reserved is voided and held for two
    /// officers (a sanctioned bank's money moves only by their decision). Reactivating the
    /// participant clears the sanction.
    SanctionParticipant(Box<ParticipantSanction>),
    /// A compliance officer: proposes a false positive (see [`FalsePositiveProposal`]); it is
    /// in force once a second officer confirms it.
    ProposeFalsePositive(Box<FalsePositiveProposal>),
    /// A compliance officer with another credential (and name) than the proposer's: puts the
    /// false positive in force.
    ConfirmFalsePositive {
        false_positive: FalsePositiveId,
        credential: CredentialId,
    },
    /// A compliance officer or the operator: withdraws a false positive (one person may always
    /// make screening stricter).
    RevokeFalsePositive { false_positive: FalsePositiveId },
    /// The buyer's or the seller's bank of the terms: proposes a baseline (tsmt.019).
    ProposeBaseline(Box<crate::trade::baseline::BaselineProposal>),
    /// The other bank: establishes the baseline and reserves the obligor's funds.
    AcceptBaseline {
        baseline: crate::trade::BaselineId,
        /// The server's screening of the baseline's parties at acceptance.
        screening: ScreeningVerdict,
    },
    /// Either bank of a live baseline: proposes new terms (tsmt.009).
    ProposeAmendment(Box<crate::trade::baseline::AmendmentProposal>),
    /// The other bank: puts the amendment in force.
    AcceptAmendment {
        baseline: crate::trade::BaselineId,
        screening: ScreeningVerdict,
    },
    /// The other bank: refuses the amendment.
    RejectAmendment { baseline: crate::trade::BaselineId },
    /// The seller's bank: presents a shipment's data sets (tsmt.014), or pre-matches them.
    SubmitDataSets(Box<crate::trade::dataset::DataSetSubmission>),
    /// The obligor bank: accepts a shipment's mismatches, releasing its amount (tsmt.020).
    AcceptMismatches {
        baseline: crate::trade::BaselineId,
        submission: crate::trade::SubmissionId,
    },
    /// The obligor bank: rejects a shipment's mismatches (tsmt.022).
    RejectMismatches {
        baseline: crate::trade::BaselineId,
        submission: crate::trade::SubmissionId,
    },
}

/// A participant's screening hits, as journalled by [`Action::SanctionParticipant`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSanction {
    pub participant: ParticipantId,
    /// The lists it was screened against and its hits (`party` is ignored: the hub records
    /// each held payment's hits on the side the participant takes in it).
    pub screening: ScreeningVerdict,
}

/// An operator's override of the list checks, as journalled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOverrideRecord {
    /// `un`, `ofac-sdn`, ...
    pub source: String,
    /// The list's content hash.
    pub version: String,
    pub entries: u64,
    /// The list's own generation date, if it states one.
    pub generated: Option<String>,
    /// What the checks found, in words.
    pub reason: String,
}

impl Action {
    /// A short stable name for metrics and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Action::RegisterCredential { .. } => "register_credential",
            Action::RevokeCredential { .. } => "revoke_credential",
            Action::AddCurrency { .. } => "add_currency",
            Action::AdmitParticipant { .. } => "admit_participant",
            Action::SuspendParticipant { .. } => "suspend_participant",
            Action::ReactivateParticipant { .. } => "reactivate_participant",
            Action::SetNetDebitCap { .. } => "set_net_debit_cap",
            Action::RecordLiquidity { .. } => "record_liquidity",
            Action::CreatePayment(_) => "create_payment",
            Action::AcceptPayment { .. } => "accept_payment",
            Action::RejectPayment { .. } => "reject_payment",
            Action::ReturnPayment { .. } => "return_payment",
            Action::ReviewHold { .. } => "review_hold",
            Action::ReleaseHold { .. } => "release_hold",
            Action::RejectHold { .. } => "reject_hold",
            Action::PublishRate { .. } => "publish_rate",
            Action::RequestQuote(_) => "request_quote",
            Action::CloseWindow { .. } => "close_window",
            Action::SettleWindow { .. } => "settle_window",
            Action::AbortWindow { .. } => "abort_window",
            Action::SetLiquidityQueue { .. } => "set_liquidity_queue",
            Action::CancelPayment { .. } => "cancel_payment",
            Action::ReceiveMessage { .. } => "receive_message",
            Action::CreatePaymentWithParties(_) => "create_payment_with_parties",
            Action::ReviewHoldAs { .. } => "review_hold_as",
            Action::ReleaseHoldAs { .. } => "release_hold_as",
            Action::RejectHoldAs { .. } => "reject_hold_as",
            Action::RecordListOverride(_) => "record_list_override",
            Action::SanctionParticipant(_) => "sanction_participant",
            Action::ProposeFalsePositive(_) => "propose_false_positive",
            Action::ConfirmFalsePositive { .. } => "confirm_false_positive",
            Action::RevokeFalsePositive { .. } => "revoke_false_positive",
            Action::ProposeBaseline(_) => "propose_baseline",
            Action::AcceptBaseline { .. } => "accept_baseline",
            Action::ProposeAmendment(_) => "propose_amendment",
            Action::AcceptAmendment { .. } => "accept_amendment",
            Action::RejectAmendment { .. } => "reject_amendment",
            Action::SubmitDataSets(_) => "submit_data_sets",
            Action::AcceptMismatches { .. } => "accept_mismatches",
            Action::RejectMismatches { .. } => "reject_mismatches",
        }
    }
}

/// The result of one command: `Err` means nothing changed.
pub type Outcome = Result<Success, HubError>;

/// A payment command's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOutcome {
    pub payment: PaymentId,
    pub status: PaymentStatus,
    pub reason: Option<Reason>,
    /// True when a CreatePayment repeated an existing payment with identical content; the
    /// status is then the payment's original outcome at creation.
    pub replayed: bool,
}

/// What a successful command did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Success {
    CredentialRegistered {
        credential: CredentialId,
    },
    CredentialRevoked {
        credential: CredentialId,
    },
    CurrencyAdded {
        currency: CurrencyCode,
    },
    ParticipantAdmitted {
        participant: ParticipantId,
    },
    ParticipantStatusChanged {
        participant: ParticipantId,
        status: ParticipantStatus,
    },
    NetDebitCapSet {
        participant: ParticipantId,
        currency: CurrencyCode,
        cap: u128,
    },
    /// `liquidity` is the account's balance after the movement.
    LiquidityRecorded {
        participant: ParticipantId,
        currency: CurrencyCode,
        liquidity: u128,
    },
    /// CreatePayment, Accept, Reject, ReviewHold, ReleaseHold, RejectHold, CancelPayment
    /// (`replayed` also when the payment was already cancelled).
    Payment(PaymentOutcome),
    /// ReturnPayment: the original is Returned, the return payment Committed.
    Returned {
        original: PaymentId,
        return_payment: PaymentId,
    },
    RatePublished {
        provider: ParticipantId,
        base: CurrencyCode,
        quote: CurrencyCode,
    },
    QuoteIssued(Quote),
    /// `next` is the window now open for the currency.
    WindowClosed {
        window: WindowId,
        next: WindowId,
    },
    WindowSettled {
        window: WindowId,
    },
    WindowAborted {
        window: WindowId,
        carried_to: WindowId,
    },
    LiquidityQueueSet {
        currency: CurrencyCode,
        enabled: bool,
    },
    /// CancelPayment on a committed payment: the creditor participant was asked to return it.
    /// `replayed` when an earlier request had already asked.
    ReturnRequested {
        payment: PaymentId,
        replayed: bool,
    },
    /// ReceiveMessage: the outcome of each of its actions, in order.
    MessageReceived {
        outcomes: Vec<Outcome>,
    },
    /// RecordListOverride: `replayed` when the version was already recorded.
    ListOverrideRecorded {
        version: String,
        replayed: bool,
    },
    /// SanctionParticipant: whether it was suspended by this action (not before), and the
    /// payments put on hold.
    ParticipantSanctioned {
        participant: ParticipantId,
        suspended: bool,
        held: Vec<PaymentId>,
    },
    /// Propose, Confirm or RevokeFalsePositive: the record as it now is.
    FalsePositive(Box<crate::state::FalsePositive>),
    /// Propose/AcceptBaseline, Propose/Accept/RejectAmendment.
    TradeBaseline(crate::trade::baseline::BaselineOutcome),
    /// SubmitDataSets (also pre-match), Accept/RejectMismatches.
    TradeMatch(Box<crate::trade::dataset::MatchOutcome>),
}
