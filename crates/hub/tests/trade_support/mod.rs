//! Trade fixtures on top of the common scheme: A (Alpha Bank, KE) is the buyer's bank and
//! obligor, B (Beta Bank, DE) the seller's bank and recipient; EUR deferred net (caps 1000.00).
#![allow(dead_code)] // each test binary uses a different subset of the helpers

use std::collections::BTreeSet;

use hub::trade::baseline::{AmendmentProposal, BaselineProposal};
use hub::trade::dataset::{DataSetSubmission, MatchOutcome};
use hub::trade::*;
use hub::*;
use uuid::Uuid;

use crate::common::*;

pub const DAY: u64 = 24 * 3600 * SECOND;

pub fn baseline_id(n: u128) -> BaselineId {
    Uuid::from_u128(0xB000 + n)
}
pub fn submission_id(n: u128) -> SubmissionId {
    Uuid::from_u128(0x5000 + n)
}
pub fn hash(n: u32) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..4].copy_from_slice(&n.to_be_bytes());
    h[31] = 1;
    h
}

pub fn buyer() -> TradeParty {
    TradeParty {
        name: "Nairobi Importers Ltd".into(),
        country: CountryCode::new("KE").unwrap(),
    }
}
pub fn seller() -> TradeParty {
    TradeParty {
        name: "Hamburg Exporte GmbH".into(),
        country: CountryCode::new("DE").unwrap(),
    }
}
pub fn fob() -> Incoterms {
    Incoterms {
        rule: Incoterm::Fob,
        place: "Hamburg".into(),
    }
}

/// L1: 1000 KGM coffee at 0.50 (±10 % quantity and price), L2: 100 PCE bags at 2.00 (exact
/// quantity, ±10 % price); total and obligation 700.00 EUR; shipment within 30 days from
/// `now`, latest match 45 days, expiry 60 days; a transport data set required.
pub fn terms(now: u64) -> BaselineTerms {
    let lines = vec![
        GoodsLine {
            line_id: "L1".into(),
            description: "Green coffee beans".into(),
            quantity: 1_000,
            unit: "KGM".into(),
            unit_price: 50,
            quantity_tolerance: Tolerance::ABOUT,
            price_tolerance: Tolerance::ABOUT,
        },
        GoodsLine {
            line_id: "L2".into(),
            description: "Jute bags".into(),
            quantity: 100,
            unit: "PCE".into(),
            unit_price: 200,
            quantity_tolerance: Tolerance::EXACT,
            price_tolerance: Tolerance::ABOUT,
        },
    ];
    BaselineTerms {
        po_reference: "PO-2026-001".into(),
        buyer: buyer(),
        seller: seller(),
        buyer_bank: A,
        seller_bank: B,
        lines,
        partial_shipment: true,
        shipment_earliest: now,
        shipment_latest: now + 30 * DAY,
        incoterms: fob(),
        currency: eur(),
        total: 70_000,
        obligation: PaymentObligation {
            obligor: A,
            recipient: B,
            amount: 70_000,
            expires_at: now + 60 * DAY,
            latest_match_at: now + 45 * DAY,
        },
        required: BTreeSet::from([DataSetKind::Transport]),
    }
}

/// A commercial and a transport data set presenting `lines` (line, quantity, unit price),
/// shipped at `date`, hashes `h` and `h + 1`.
pub fn data_sets(lines: &[(&str, u128, u128)], date: u64, h: u32) -> Vec<DataSet> {
    let amount = lines.iter().map(|(_, q, p)| q * p).sum();
    let presented = |priced: bool| {
        lines
            .iter()
            .map(|(id, q, p)| PresentedLine {
                line_id: (*id).into(),
                quantity: *q,
                unit_price: priced.then_some(*p),
            })
            .collect()
    };
    vec![
        DataSet {
            kind: DataSetKind::Commercial,
            hash: hash(h),
            document_ref: format!("INV-{h}"),
            po_reference: "PO-2026-001".into(),
            buyer: Some(buyer()),
            seller: Some(seller()),
            lines: presented(true),
            shipment_date: None,
            incoterms: Some(fob()),
            currency: Some(eur()),
            amount: Some(amount),
        },
        DataSet {
            kind: DataSetKind::Transport,
            hash: hash(h + 1),
            document_ref: format!("BL-{h}"),
            po_reference: "PO-2026-001".into(),
            buyer: None,
            seller: Some(seller()),
            lines: presented(false),
            shipment_date: Some(date),
            incoterms: Some(fob()),
            currency: None,
            amount: None,
        },
    ]
}

pub fn propose(
    f: &mut Fixture,
    by: ParticipantId,
    id: BaselineId,
    terms: BaselineTerms,
) -> Outcome {
    f.run(
        participant(by),
        Action::ProposeBaseline(Box::new(BaselineProposal {
            baseline: id,
            terms,
            screening: clear(),
        })),
    )
}

pub fn accept(f: &mut Fixture, by: ParticipantId, id: BaselineId) -> Outcome {
    f.run(
        participant(by),
        Action::AcceptBaseline {
            baseline: id,
            screening: clear(),
        },
    )
}

pub fn amend(f: &mut Fixture, by: ParticipantId, id: BaselineId, terms: BaselineTerms) -> Outcome {
    f.run(
        participant(by),
        Action::ProposeAmendment(Box::new(AmendmentProposal {
            baseline: id,
            terms,
            screening: clear(),
        })),
    )
}

pub fn submit(
    f: &mut Fixture,
    id: BaselineId,
    submission: SubmissionId,
    mode: SubmissionMode,
    data_sets: Vec<DataSet>,
) -> Outcome {
    f.run(
        participant(B),
        Action::SubmitDataSets(Box::new(DataSetSubmission {
            baseline: id,
            submission,
            mode,
            data_sets,
            screening: clear(),
        })),
    )
}

/// Proposed by the buyer's bank, established by the seller's bank.
pub fn established(f: &mut Fixture, id: BaselineId, terms: BaselineTerms) {
    propose(f, A, id, terms).unwrap();
    accept(f, B, id).unwrap();
}

pub fn matched(outcome: &Outcome) -> &MatchOutcome {
    match outcome {
        Ok(Success::TradeMatch(m)) => m,
        other => panic!("not a match outcome: {other:?}"),
    }
}

pub fn baseline(f: &Fixture, id: BaselineId) -> &Baseline {
    f.hub.trade_baseline(&Principal::Operator, id).unwrap()
}

pub fn rule_ids(report: &MatchReport) -> Vec<&'static str> {
    let mut ids: Vec<_> = report.mismatches.iter().map(|m| m.rule.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
