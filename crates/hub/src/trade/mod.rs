//! Trade settlement (issue 15): baselines agreed by a buyer's bank and a seller's bank, data
//! sets matched against them by versioned rules, and the obligor bank's payment obligation
//! reserved at establishment and released per matched shipment — the hub acting as the
//! transaction matching application of ICC's URBPO, with ISO 20022 tsmt semantics.
//!
//! - [`baseline`]: `ProposeBaseline` (tsmt.019, by either bank), `AcceptBaseline` (the other
//!   bank establishes it; the obligation is reserved as one pending ledger transfer obligor →
//!   recipient, counted against the obligor's limits like a payment), amendments proposed by one
//!   bank and accepted or rejected by the other (tsmt.009 and its answers).
//! - [`dataset`]: `SubmitDataSets` by the seller's bank (tsmt.014; pre-match changes nothing),
//!   a clean match releasing the shipment's amount in the same command (a partial post of the
//!   reservation and a new pending transfer for the remainder, linked), mismatches waiting for
//!   the obligor bank's `AcceptMismatches` (releases) or `RejectMismatches`; closure at the
//!   obligation's expiry or latest match date voids the remainder (batch start, like payment
//!   expiry).
//! - [`rules`]: the pure match function and its versioned rule ids (`TRD-QTY-1`, ...).
//! - [`report`]: the clearing-union trade report (country pair × currency, trade-linked and
//!   other payments) with CSV rendering.
//!
//! Screening verdicts (buyer, seller, every party a data set names) arrive inside the commands
//! as they do for payments; a verdict with hits refuses the step (`trade_screening_hit`).
//! Only same-currency obligations: an FX quote lives minutes while an obligation lives for
//! weeks and is released in parts, so the quote machinery does not fit without a quote per
//! release (left for later).

pub mod baseline;
pub mod dataset;
pub(crate) mod invariants;
pub mod report;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};

use ledger::TransferId;
use serde::{Deserialize, Serialize};

use crate::error::HubError;
use crate::model::{
    CountryCode, CurrencyCode, NAME_LEN_MAX, ParticipantId, Principal, ScreeningVerdict, Timestamp,
    check_text,
};

pub use rules::{MatchReport, Mismatch, Rule, match_data_sets};

/// A baseline's id (a UUID chosen by the server, like a payment id).
pub type BaselineId = uuid::Uuid;
/// A data-set submission's id (a UUID chosen by the server).
pub type SubmissionId = uuid::Uuid;

/// Most goods lines per baseline.
pub const LINES_MAX: usize = 500;
/// Most data sets per submission.
pub const DATA_SETS_MAX: usize = 16;
/// Most pending amendments' and proposals' text: the line description.
pub const DESCRIPTION_LEN_MAX: usize = 350;
/// Line ids, units, PO references, document references.
pub const REFERENCE_LEN_MAX: usize = 35;
/// The longest an obligation may run: 400 days (a year's trade plus presentation).
pub const OBLIGATION_EXPIRY_MAX_NS: u64 = 400 * 24 * 3600 * 1_000_000_000;
/// A tolerance may not exceed 100 %.
pub const TOLERANCE_BP_MAX: u16 = 10_000;

/// A buyer or seller: the bank's customer, by name and country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeParty {
    pub name: String,
    pub country: CountryCode,
}

/// A ± tolerance in basis points (ISO 20022 `PlusPct` / `MnsPct`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    pub plus_bp: u16,
    pub minus_bp: u16,
}

impl Tolerance {
    /// No deviation allowed.
    pub const EXACT: Tolerance = Tolerance {
        plus_bp: 0,
        minus_bp: 0,
    };
    /// UCP 600 art. 30 (a): "about" or "approximately": ±10 %.
    pub const ABOUT: Tolerance = Tolerance {
        plus_bp: 1_000,
        minus_bp: 1_000,
    };
    /// UCP 600 art. 30 (b): goods not counted in units (bulk): ±5 % of quantity.
    pub const BULK_QUANTITY: Tolerance = Tolerance {
        plus_bp: 500,
        minus_bp: 500,
    };

    /// `(lowest, highest)` allowed around `value`: the lower bound rounded up, the upper bound
    /// rounded down, so that a value exactly at the limit passes and nothing beyond it does.
    /// `None` on overflow.
    pub fn bounds(&self, value: u128) -> Option<(u128, u128)> {
        let low_factor = 10_000u128.checked_sub(u128::from(self.minus_bp))?;
        let high_factor = 10_000u128.checked_add(u128::from(self.plus_bp))?;
        let low = value.checked_mul(low_factor)?.div_ceil(10_000);
        let high = value.checked_mul(high_factor)? / 10_000;
        Some((low, high))
    }

    /// "+10.00% -5.00%", as a match report states the tolerance applied.
    pub fn describe(&self) -> String {
        format!("+{} -{}", percent(self.plus_bp), percent(self.minus_bp))
    }

    fn validate(&self, field: &'static str) -> Result<(), HubError> {
        if self.plus_bp > TOLERANCE_BP_MAX || self.minus_bp > TOLERANCE_BP_MAX {
            return Err(HubError::TradeToleranceTooLarge {
                field: field.to_owned(),
            });
        }
        Ok(())
    }
}

fn percent(bp: u16) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// One goods line of a baseline (ISO 20022 `LineItmDtls`). Quantities are whole numbers of
/// `unit` (state bulk goods in a unit small enough: kilograms, litres).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsLine {
    pub line_id: String,
    pub description: String,
    pub quantity: u128,
    /// UN/ECE Recommendation 20 code or a word: "KGM", "PCE", "bags".
    pub unit: String,
    /// Minor units of the baseline's currency per unit.
    pub unit_price: u128,
    pub quantity_tolerance: Tolerance,
    pub price_tolerance: Tolerance,
}

impl GoodsLine {
    /// quantity × unit price, `None` on overflow.
    pub fn amount(&self) -> Option<u128> {
        self.quantity.checked_mul(self.unit_price)
    }
}

/// Incoterms 2020 rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Incoterm {
    Exw,
    Fca,
    Cpt,
    Cip,
    Dap,
    Dpu,
    Ddp,
    Fas,
    Fob,
    Cfr,
    Cif,
}

impl Incoterm {
    pub const ALL: [Incoterm; 11] = [
        Incoterm::Exw,
        Incoterm::Fca,
        Incoterm::Cpt,
        Incoterm::Cip,
        Incoterm::Dap,
        Incoterm::Dpu,
        Incoterm::Ddp,
        Incoterm::Fas,
        Incoterm::Fob,
        Incoterm::Cfr,
        Incoterm::Cif,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Incoterm::Exw => "EXW",
            Incoterm::Fca => "FCA",
            Incoterm::Cpt => "CPT",
            Incoterm::Cip => "CIP",
            Incoterm::Dap => "DAP",
            Incoterm::Dpu => "DPU",
            Incoterm::Ddp => "DDP",
            Incoterm::Fas => "FAS",
            Incoterm::Fob => "FOB",
            Incoterm::Cfr => "CFR",
            Incoterm::Cif => "CIF",
        }
    }

    pub fn from_code(code: &str) -> Option<Incoterm> {
        Incoterm::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// An Incoterms rule with its named place ("FOB Mombasa").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoterms {
    pub rule: Incoterm,
    pub place: String,
}

impl Incoterms {
    pub fn describe(&self) -> String {
        format!("{} {}", self.rule.code(), self.place)
    }
}

/// The kinds of data set a baseline may require (tsmt.014).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DataSetKind {
    /// The commercial invoice: always required, it carries the amount paid.
    Commercial,
    /// Bill of lading, air waybill, ...
    Transport,
    Insurance,
    /// Certificate of origin, inspection, phytosanitary, ...
    Certificate,
}

impl DataSetKind {
    pub fn code(&self) -> &'static str {
        match self {
            DataSetKind::Commercial => "commercial",
            DataSetKind::Transport => "transport",
            DataSetKind::Insurance => "insurance",
            DataSetKind::Certificate => "certificate",
        }
    }
}

/// The obligor bank's undertaking to pay the recipient bank on a match (URBPO `PmtOblgtn`).
/// The obligor is the buyer's bank and the recipient the seller's bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentObligation {
    pub obligor: ParticipantId,
    pub recipient: ParticipantId,
    /// In the baseline's currency.
    pub amount: u128,
    /// The obligation ends here (URBPO `XpryDt`).
    pub expires_at: Timestamp,
    /// No data set is matched after this (`LatstMtchDt`); not after `expires_at`.
    pub latest_match_at: Timestamp,
}

impl PaymentObligation {
    /// When the baseline closes and the remainder is voided.
    pub fn deadline(&self) -> Timestamp {
        self.expires_at.min(self.latest_match_at)
    }
}

/// What the two banks agree on (ISO 20022 `Baseline5`, the parts the hub matches on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineTerms {
    pub po_reference: String,
    pub buyer: TradeParty,
    pub seller: TradeParty,
    pub buyer_bank: ParticipantId,
    pub seller_bank: ParticipantId,
    pub lines: Vec<GoodsLine>,
    pub partial_shipment: bool,
    pub shipment_earliest: Timestamp,
    pub shipment_latest: Timestamp,
    pub incoterms: Incoterms,
    pub currency: CurrencyCode,
    /// The baseline's total: the sum of its lines' amounts.
    pub total: u128,
    pub obligation: PaymentObligation,
    /// Data sets each shipment must present besides the commercial one.
    pub required: BTreeSet<DataSetKind>,
}

impl BaselineTerms {
    /// Checks the terms on their own (the hub checks participants, currency and time).
    pub fn validate(&self) -> Result<(), HubError> {
        check_text("po_reference", &self.po_reference, REFERENCE_LEN_MAX)?;
        check_text("buyer.name", &self.buyer.name, NAME_LEN_MAX)?;
        check_text("seller.name", &self.seller.name, NAME_LEN_MAX)?;
        check_text("incoterms.place", &self.incoterms.place, NAME_LEN_MAX)?;
        if self.buyer_bank == self.seller_bank {
            return Err(HubError::ParticipantsMustDiffer);
        }
        if self.lines.is_empty() || self.lines.len() > LINES_MAX {
            return Err(HubError::TradeLineCount);
        }
        let mut ids = BTreeSet::new();
        let mut total: u128 = 0;
        for line in &self.lines {
            check_text("lines.line_id", &line.line_id, REFERENCE_LEN_MAX)?;
            check_text("lines.description", &line.description, DESCRIPTION_LEN_MAX)?;
            check_text("lines.unit", &line.unit, REFERENCE_LEN_MAX)?;
            if !ids.insert(line.line_id.as_str()) {
                return Err(HubError::TradeDuplicateLineId);
            }
            if line.quantity == 0 || line.unit_price == 0 {
                return Err(HubError::AmountMustNotBeZero);
            }
            line.quantity_tolerance
                .validate("lines.quantity_tolerance")?;
            line.price_tolerance.validate("lines.price_tolerance")?;
            // The most a line can be drawn for must be representable.
            let (_, high_qty) = line
                .quantity_tolerance
                .bounds(line.quantity)
                .ok_or(HubError::AmountOverflow)?;
            let (_, high_price) = line
                .price_tolerance
                .bounds(line.unit_price)
                .ok_or(HubError::AmountOverflow)?;
            high_qty
                .checked_mul(high_price)
                .ok_or(HubError::AmountOverflow)?;
            total = line
                .amount()
                .and_then(|a| total.checked_add(a))
                .ok_or(HubError::AmountOverflow)?;
        }
        if total != self.total {
            return Err(HubError::TradeTotalMismatch);
        }
        if self.shipment_earliest > self.shipment_latest {
            return Err(HubError::TradeShipmentRangeInvalid);
        }
        let o = &self.obligation;
        if o.obligor != self.buyer_bank || o.recipient != self.seller_bank {
            return Err(HubError::TradeObligationBanks);
        }
        if o.amount == 0 {
            return Err(HubError::AmountMustNotBeZero);
        }
        if o.latest_match_at > o.expires_at {
            return Err(HubError::TradeDeadlineInvalid);
        }
        Ok(())
    }

    /// The other bank of the baseline, if `bank` is one of them.
    pub fn counterparty(&self, bank: ParticipantId) -> Option<ParticipantId> {
        if bank == self.buyer_bank {
            Some(self.seller_bank)
        } else if bank == self.seller_bank {
            Some(self.buyer_bank)
        } else {
            None
        }
    }

    pub fn line(&self, line_id: &str) -> Option<&GoodsLine> {
        self.lines.iter().find(|l| l.line_id == line_id)
    }
}

/// A baseline's status (ISO 20022 `BaselineStatus3Code`: PROP, ESTD, ACTV, COMP, CLSD).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaselineStatus {
    /// Proposed by one bank, awaiting the other's acceptance.
    Proposed,
    /// Agreed by both banks; the obligation is reserved; no shipment released yet.
    Established,
    /// At least one shipment released.
    Active,
    /// Every line shipped (or the obligation drawn in full, or the one shipment of a baseline
    /// without partial shipments released); the remainder voided.
    Completed,
    /// Closed at the obligation's deadline; the remainder voided.
    Closed,
}

impl BaselineStatus {
    pub fn code(&self) -> &'static str {
        match self {
            BaselineStatus::Proposed => "proposed",
            BaselineStatus::Established => "established",
            BaselineStatus::Active => "active",
            BaselineStatus::Completed => "completed",
            BaselineStatus::Closed => "closed",
        }
    }

    /// Proposed, established or active: waiting for its deadline.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            BaselineStatus::Proposed | BaselineStatus::Established | BaselineStatus::Active
        )
    }

    /// Established or active: data sets may be submitted and amendments made.
    pub fn is_live(&self) -> bool {
        matches!(self, BaselineStatus::Established | BaselineStatus::Active)
    }
}

/// The obligation's money. While the baseline is live `reserved + released = amount` of the
/// current obligation; once it is completed or closed `reserved = 0` and
/// `released + voided = amount`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationMoney {
    /// What the open pending transfer holds.
    pub reserved: u128,
    pub released: u128,
    pub voided: u128,
    /// The open pending transfer (obligor → recipient), while `reserved > 0`.
    pub pending: Option<TransferId>,
    /// The void record of the last reservation voided at completion or closure.
    pub void_record: Option<TransferId>,
}

/// Shipped and pending quantities of one line (tsmt.011 `LineItem` accepted/outstanding/
/// pending).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProgress {
    /// Accepted: in released shipments.
    pub shipped: u128,
    /// Minor units released for this line (quantity × presented unit price).
    pub shipped_amount: u128,
    /// In shipments awaiting the obligor bank's decision on mismatches.
    pub pending: u128,
}

/// One line's status as a query shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineStatus {
    pub line_id: String,
    pub ordered: u128,
    pub shipped: u128,
    pub pending: u128,
    /// `ordered - shipped`, never below zero (a shipment within the plus tolerance may
    /// exceed the order).
    pub outstanding: u128,
    pub ordered_amount: u128,
    pub shipped_amount: u128,
}

/// One presented line of a data set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedLine {
    pub line_id: String,
    pub quantity: u128,
    /// Minor units per unit; a transport document states none.
    pub unit_price: Option<u128>,
}

/// One data set: the fields of one document and the SHA-256 of its canonical form (the
/// document itself stays with the banks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSet {
    pub kind: DataSetKind,
    pub hash: [u8; 32],
    /// The document's own reference (invoice number, bill of lading number).
    pub document_ref: String,
    pub po_reference: String,
    pub buyer: Option<TradeParty>,
    pub seller: Option<TradeParty>,
    pub lines: Vec<PresentedLine>,
    pub shipment_date: Option<Timestamp>,
    pub incoterms: Option<Incoterms>,
    pub currency: Option<CurrencyCode>,
    /// The amount drawn; the commercial data set must state it.
    pub amount: Option<u128>,
}

impl DataSet {
    pub(crate) fn validate(&self) -> Result<(), HubError> {
        check_text(
            "data_sets.document_ref",
            &self.document_ref,
            REFERENCE_LEN_MAX,
        )?;
        check_text(
            "data_sets.po_reference",
            &self.po_reference,
            REFERENCE_LEN_MAX,
        )?;
        for party in [&self.buyer, &self.seller].into_iter().flatten() {
            check_text("data_sets.party.name", &party.name, NAME_LEN_MAX)?;
        }
        if let Some(incoterms) = &self.incoterms {
            check_text("data_sets.incoterms.place", &incoterms.place, NAME_LEN_MAX)?;
        }
        if self.lines.len() > LINES_MAX {
            return Err(HubError::TradeLineCount);
        }
        let mut ids = BTreeSet::new();
        for line in &self.lines {
            check_text("data_sets.lines.line_id", &line.line_id, REFERENCE_LEN_MAX)?;
            if !ids.insert(line.line_id.as_str()) {
                return Err(HubError::TradeDuplicateLineId);
            }
        }
        if self.kind == DataSetKind::Commercial && self.amount.is_none() {
            return Err(HubError::TradeCommercialDataSetMissing);
        }
        Ok(())
    }
}

/// Match for real, or only ask what the report would be (tsmt.014 `PMTC`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionMode {
    Match,
    PreMatch,
}

/// What became of a submitted shipment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShipmentStatus {
    /// Matched cleanly; its amount was released.
    Matched,
    /// Mismatches reported; waiting for the obligor bank.
    AwaitingDecision,
    /// The obligor bank accepted the mismatches; its amount was released.
    MismatchesAccepted,
    /// The obligor bank rejected the mismatches; nothing moved.
    MismatchesRejected,
    /// The baseline ended (closed or completed) before the obligor bank decided.
    Lapsed,
}

impl ShipmentStatus {
    pub fn code(&self) -> &'static str {
        match self {
            ShipmentStatus::Matched => "matched",
            ShipmentStatus::AwaitingDecision => "awaiting_decision",
            ShipmentStatus::MismatchesAccepted => "mismatches_accepted",
            ShipmentStatus::MismatchesRejected => "mismatches_rejected",
            ShipmentStatus::Lapsed => "lapsed",
        }
    }
}

/// Money released to the recipient bank for one shipment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub amount: u128,
    /// The partial post of the reservation.
    pub transfer: TransferId,
    pub at: Timestamp,
}

/// One submission of data sets for a shipment, with its match report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub id: SubmissionId,
    pub submitted_at: Timestamp,
    /// The baseline version it was matched against.
    pub version: u32,
    pub data_sets: Vec<DataSet>,
    pub report: MatchReport,
    pub status: ShipmentStatus,
    pub release: Option<Release>,
    pub decided_at: Option<Timestamp>,
}

/// An amendment proposed by one bank, awaiting the other (tsmt.009).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub terms: BaselineTerms,
    pub proposed_by: ParticipantId,
    pub proposed_at: Timestamp,
}

/// What happened to a baseline: its history, and what its banks' trade inboxes receive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TradeEventKind {
    Proposed,
    Established {
        reserved: u128,
    },
    AmendmentProposed,
    AmendmentAccepted {
        version: u32,
    },
    AmendmentRejected,
    Matched {
        submission: SubmissionId,
        released: u128,
    },
    MismatchesReported {
        submission: SubmissionId,
        mismatches: u32,
    },
    MismatchesAccepted {
        submission: SubmissionId,
        released: u128,
    },
    MismatchesRejected {
        submission: SubmissionId,
    },
    Completed {
        voided: u128,
    },
    Closed {
        voided: u128,
    },
}

/// One step of a baseline's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeStep {
    pub at: Timestamp,
    /// `None` for the hub's own steps (closure at the deadline).
    pub by: Option<Principal>,
    pub kind: TradeEventKind,
}

/// One event in a bank's trade inbox; cursors increase by one per bank, from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeEvent {
    pub cursor: u64,
    pub at: Timestamp,
    pub baseline: BaselineId,
    pub kind: TradeEventKind,
}

/// A baseline and everything that happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub id: BaselineId,
    /// 1 when proposed; one more per accepted amendment.
    pub version: u32,
    pub terms: BaselineTerms,
    pub status: BaselineStatus,
    pub proposed_by: ParticipantId,
    pub proposed_at: Timestamp,
    pub established_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// The verdicts the steps were taken on (proposal, acceptance, amendments), in order.
    pub screenings: Vec<ScreeningVerdict>,
    pub amendment: Option<Amendment>,
    pub money: ObligationMoney,
    pub lines: BTreeMap<String, LineProgress>,
    pub shipments: Vec<Shipment>,
    pub history: Vec<TradeStep>,
}

impl Baseline {
    /// Whether `viewer` may see it: its two banks and the operator (auditors too, as for
    /// payments; compliance officers see what is held, and trade steps are refused, not held).
    pub fn visible_to(&self, viewer: &Principal) -> bool {
        match viewer {
            Principal::Participant(p) => self.terms.counterparty(*p).is_some(),
            Principal::Operator | Principal::Auditor => true,
            Principal::ComplianceOfficer(_) => false,
        }
    }

    /// What remains of the obligation to be released.
    pub fn remaining(&self) -> u128 {
        self.terms
            .obligation
            .amount
            .saturating_sub(self.money.released)
    }

    pub fn shipment(&self, id: SubmissionId) -> Option<&Shipment> {
        self.shipments.iter().find(|s| s.id == id)
    }

    /// The per-line ledger (tsmt.011): ordered, shipped, pending, outstanding.
    pub fn line_statuses(&self) -> Vec<LineStatus> {
        self.terms
            .lines
            .iter()
            .map(|line| {
                let progress = self.lines.get(&line.line_id).cloned().unwrap_or_default();
                LineStatus {
                    line_id: line.line_id.clone(),
                    ordered: line.quantity,
                    shipped: progress.shipped,
                    pending: progress.pending,
                    outstanding: line.quantity.saturating_sub(progress.shipped),
                    ordered_amount: line.amount().unwrap_or(u128::MAX),
                    shipped_amount: progress.shipped_amount,
                }
            })
            .collect()
    }

    /// Every line shipped to at least its ordered quantity less its minus tolerance.
    pub(crate) fn fully_shipped(&self) -> bool {
        self.terms.lines.iter().all(|line| {
            let shipped = self.lines.get(&line.line_id).map_or(0, |p| p.shipped);
            line.quantity_tolerance
                .bounds(line.quantity)
                .is_some_and(|(low, _)| shipped >= low)
        })
    }
}

/// Trade released money, as the trade report reads it (one per released shipment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeFlow {
    pub baseline: BaselineId,
    pub at: Timestamp,
    pub currency: CurrencyCode,
    pub from: ParticipantId,
    pub to: ParticipantId,
    pub amount: u128,
}

/// The hub's trade state (a field of [`crate::Hub`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeState {
    pub(crate) baselines: BTreeMap<BaselineId, Baseline>,
    /// Open (proposed, established, active) baselines by (deadline, id): closed at batch
    /// start once `now >= deadline`.
    pub(crate) deadlines: BTreeSet<(Timestamp, BaselineId)>,
    /// Every data-set hash ever presented (pre-match aside), and where.
    pub(crate) hashes: BTreeMap<[u8; 32], (BaselineId, SubmissionId)>,
    /// Every release, in order.
    pub(crate) flows: Vec<TradeFlow>,
    pub(crate) inboxes: BTreeMap<ParticipantId, Vec<TradeEvent>>,
}

impl TradeState {
    pub(crate) fn notify(
        &mut self,
        bank: ParticipantId,
        at: Timestamp,
        baseline: BaselineId,
        kind: TradeEventKind,
    ) {
        let inbox = self.inboxes.entry(bank).or_default();
        let cursor = u64::try_from(inbox.len()).map_or(u64::MAX, |n| n.saturating_add(1));
        inbox.push(TradeEvent {
            cursor,
            at,
            baseline,
            kind,
        });
    }

    /// Records a step in the baseline's history and tells both of its banks.
    pub(crate) fn record(
        &mut self,
        id: BaselineId,
        at: Timestamp,
        by: Option<&Principal>,
        kind: TradeEventKind,
    ) {
        let Some(baseline) = self.baselines.get_mut(&id) else {
            return;
        };
        baseline.history.push(TradeStep {
            at,
            by: by.cloned(),
            kind: kind.clone(),
        });
        let banks = [baseline.terms.buyer_bank, baseline.terms.seller_bank];
        for bank in banks {
            self.notify(bank, at, id, kind.clone());
        }
    }
}

/// Trade queries, with the same visibility as the commands: a bank sees the baselines it is a
/// bank of, the operator and auditors see all.
impl crate::state::Hub {
    pub fn trade_baseline(&self, viewer: &Principal, id: BaselineId) -> Option<&Baseline> {
        self.trade
            .baselines
            .get(&id)
            .filter(|b| b.visible_to(viewer))
    }

    /// The baselines `viewer` may see, by id.
    pub fn trade_baselines(&self, viewer: &Principal) -> Vec<&Baseline> {
        self.trade
            .baselines
            .values()
            .filter(|b| b.visible_to(viewer))
            .collect()
    }

    /// A bank's trade events after `after` (cursors from 1), at most `limit`.
    pub fn trade_inbox(&self, bank: ParticipantId, after: u64, limit: usize) -> &[TradeEvent] {
        let Some(events) = self.trade.inboxes.get(&bank) else {
            return &[];
        };
        let start = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(events.len());
        let end = start.saturating_add(limit).min(events.len());
        &events[start..end]
    }

    /// Every release of trade money, in order (what the trade report reads).
    pub fn trade_flows(&self) -> &[TradeFlow] {
        &self.trade.flows
    }

    /// Whether a data-set hash was presented, and where (operator's audit view).
    pub fn trade_hash(&self, hash: &[u8; 32]) -> Option<(BaselineId, SubmissionId)> {
        self.trade.hashes.get(hash).copied()
    }
}
