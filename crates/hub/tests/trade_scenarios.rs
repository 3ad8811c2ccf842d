//! Trade scenarios through `Hub::apply` (the fixture checks every invariant after each batch
//! and that refused commands change nothing): establishment reserving the obligation, two
//! partial shipments (one clean match, one mismatch accepted) with the money arriving in two
//! parts, duplicate documents, pre-match, amendments, closure voiding the remainder,
//! authorization, screening, and the trade report.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;
mod trade_support;

use common::*;
use hub::trade::*;
use hub::*;
use journal::StateMachine;
use trade_support::*;

fn reserved_by(f: &Fixture, p: ParticipantId) -> u128 {
    f.balance(p, eur()).position_pending_debits
}

#[test]
fn two_partial_shipments_release_the_money_in_two_parts() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    let outcome = propose(&mut f, A, id, t.clone()).unwrap();
    assert!(
        matches!(outcome, Success::TradeBaseline(ref b) if b.status == BaselineStatus::Proposed)
    );
    // The proposer cannot accept its own proposal; a bank not in it does not see it.
    assert_eq!(
        code(&accept(&mut f, A, id)),
        "trade_forbidden_not_counterparty"
    );
    assert_eq!(code(&accept(&mut f, C, id)), "trade_baseline_not_found");
    assert_eq!(
        code(&accept(&mut f, ParticipantId(4), id)),
        "trade_baseline_not_found"
    );
    assert!(f.hub.trade_baseline(&participant(C), id).is_none());
    assert_eq!(reserved_by(&f, A), 0);
    // An identical proposal again answers as the first; different terms are refused.
    let again = propose(&mut f, A, id, t.clone()).unwrap();
    assert!(matches!(again, Success::TradeBaseline(ref b) if b.replayed));
    let mut other = t.clone();
    other.po_reference = "PO-X".into();
    assert_eq!(
        code(&propose(&mut f, A, id, other)),
        "trade_baseline_exists"
    );

    let outcome = accept(&mut f, B, id).unwrap();
    assert!(
        matches!(outcome, Success::TradeBaseline(ref b) if b.status == BaselineStatus::Established && b.reserved == 70_000)
    );
    assert_eq!(reserved_by(&f, A), 70_000);
    assert_eq!(f.balance(A, eur()).position, 0);

    // Shipment 1: 600 kg of L1, clean: 300.00 released in the same command.
    let now = f.now;
    let first = data_sets(&[("L1", 600, 50)], now + DAY, 10);
    let outcome = submit(
        &mut f,
        id,
        submission_id(1),
        SubmissionMode::Match,
        first.clone(),
    );
    let m = matched(&outcome);
    assert!(m.report.is_match(), "{:?}", m.report);
    assert_eq!(
        (m.status, m.released),
        (Some(ShipmentStatus::Matched), 30_000)
    );
    assert_eq!(m.baseline_status, BaselineStatus::Active);
    assert_eq!(f.balance(B, eur()).position, 30_000);
    assert_eq!(f.balance(A, eur()).position, -30_000);
    assert_eq!(reserved_by(&f, A), 40_000);

    // The same submission again answers as the first and moves nothing.
    let again = submit(
        &mut f,
        id,
        submission_id(1),
        SubmissionMode::Match,
        first.clone(),
    );
    assert!(matched(&again).replayed);
    assert_eq!(f.balance(B, eur()).position, 30_000);
    // The same bill of lading under a new submission: refused with its own code.
    let mut reused = data_sets(&[("L1", 100, 50)], now + DAY, 20);
    reused[1].hash = first[1].hash;
    let refused = submit(&mut f, id, submission_id(2), SubmissionMode::Match, reused);
    assert_eq!(code(&refused), "trade_data_set_hash_used");
    assert_eq!(refused.unwrap_err().field(), Some("data_sets.hash"));
    // Twice inside one submission, too.
    let mut twice = data_sets(&[("L1", 100, 50)], now + DAY, 30);
    twice[1].hash = twice[0].hash;
    assert_eq!(
        code(&submit(
            &mut f,
            id,
            submission_id(3),
            SubmissionMode::Match,
            twice
        )),
        "trade_data_set_hash_used"
    );

    // Shipment 2: the rest, shipped a day late: a mismatch, nothing moves.
    let late = f.now + 40 * DAY;
    let second = data_sets(&[("L1", 400, 50), ("L2", 100, 200)], late, 40);
    let outcome = submit(&mut f, id, submission_id(4), SubmissionMode::Match, second);
    let m = matched(&outcome);
    assert_eq!(rule_ids(&m.report), ["TRD-DATE-1"]);
    assert_eq!(
        (m.status, m.released),
        (Some(ShipmentStatus::AwaitingDecision), 0)
    );
    assert_eq!(f.balance(B, eur()).position, 30_000);
    let lines = baseline(&f, id).line_statuses();
    assert_eq!(
        (lines[0].shipped, lines[0].pending, lines[0].outstanding),
        (600, 400, 400)
    );

    // Only the obligor bank decides.
    let decide = |_by: ParticipantId| Action::AcceptMismatches {
        baseline: id,
        submission: submission_id(4),
    };
    assert_eq!(
        code(&f.run(participant(B), decide(B))),
        "trade_forbidden_not_obligor"
    );
    assert_eq!(
        code(&f.run(participant(C), decide(C))),
        "trade_baseline_not_found"
    );
    let outcome = f.run(participant(A), decide(A));
    let m = matched(&outcome);
    assert_eq!(
        (m.status, m.released),
        (Some(ShipmentStatus::MismatchesAccepted), 40_000)
    );
    // All shipped and drawn: completed, nothing left reserved.
    assert_eq!(m.baseline_status, BaselineStatus::Completed);
    assert_eq!(f.balance(B, eur()).position, 70_000);
    assert_eq!(reserved_by(&f, A), 0);
    assert_eq!(
        code(&f.run(participant(A), decide(A))),
        "trade_shipment_not_awaiting_decision"
    );

    let b = baseline(&f, id);
    assert_eq!(
        (b.money.released, b.money.voided, b.money.reserved),
        (70_000, 0, 0)
    );
    let lines = b.line_statuses();
    assert_eq!(
        (lines[0].shipped, lines[0].outstanding, lines[1].shipped),
        (1_000, 0, 100)
    );
    assert_eq!(f.hub.trade_flows().len(), 2);
    // Both banks heard of every step.
    let events: Vec<_> = f
        .hub
        .trade_inbox(B, 0, 100)
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(matches!(events[5], TradeEventKind::Completed { voided: 0 }));
    assert_eq!(f.hub.trade_inbox(A, 0, 100).len(), 6);
    assert_eq!(f.hub.trade_baselines(&participant(A)).len(), 1);
    assert!(f.hub.trade_baselines(&participant(C)).is_empty());

    // The trade report: KE → DE, EUR, two trade-linked releases; a plain payment apart.
    f.pay(1, A, B, 1_000).unwrap();
    f.accept(1, B).unwrap();
    let report = f.hub.trade_report(0, u64::MAX, None).unwrap();
    assert_eq!(report.flows.len(), 1);
    let cell = &report.flows[0];
    assert_eq!(
        (cell.from_country.as_str(), cell.to_country.as_str()),
        ("KE", "DE")
    );
    assert_eq!((cell.trade_count, cell.trade_gross), (2, 70_000));
    assert_eq!((cell.other_count, cell.other_gross), (1, 1_000));
    let ke = report.positions.iter().find(|p| p.country == "KE").unwrap();
    assert_eq!(
        (ke.trade_net, ke.other_net, ke.net),
        (-70_000, -1_000, -71_000)
    );
    let csv = report::to_csv(&report);
    assert!(csv.contains("flow,KE,DE,EUR,2,70000,1,1000,,,\n"), "{csv}");
    assert!(
        csv.contains("position,DE,,EUR,,,,,70000,1000,71000\n"),
        "{csv}"
    );
    // A range before everything is empty; the open EUR window holds all of it.
    assert!(f.hub.trade_report(0, T0, None).unwrap().flows.is_empty());
    let window = f.hub.open_window_of(eur()).unwrap().id;
    let in_window = f.hub.trade_report_for_window(window).unwrap();
    assert_eq!(in_window.flows, report.flows);
    assert_eq!(in_window.positions, report.positions);
}

#[test]
fn pre_match_answers_the_report_and_changes_nothing() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    established(&mut f, id, t);
    f.now += SECOND;
    f.hub.apply(f.now, &[]);
    let before = f.hub.encode_snapshot();
    let ds = data_sets(&[("L1", 2_000, 50)], f.now + DAY, 1);
    let command = Command::new(
        participant(B),
        Action::SubmitDataSets(Box::new(hub::trade::dataset::DataSetSubmission {
            baseline: id,
            submission: submission_id(1),
            mode: SubmissionMode::PreMatch,
            data_sets: ds.clone(),
            screening: clear(),
        })),
    );
    let outcome = f.hub.apply(f.now, &[command]).remove(0);
    let m = matched(&outcome);
    assert_eq!(m.status, None);
    assert_eq!(rule_ids(&m.report), ["TRD-AMT-1", "TRD-QTY-1", "TRD-QTY-2"]);
    assert_eq!(f.hub.encode_snapshot(), before);
    // The hashes are still free: the real submission gives the same report.
    let real = submit(&mut f, id, submission_id(1), SubmissionMode::Match, ds);
    assert_eq!(matched(&real).report, m.report);
}

#[test]
fn the_deadline_closes_the_baseline_and_voids_the_remainder() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    let deadline = t.obligation.latest_match_at;
    established(&mut f, id, t);
    let ds = data_sets(&[("L1", 200, 50)], f.now + DAY, 1);
    submit(&mut f, id, submission_id(1), SubmissionMode::Match, ds).unwrap();
    // A mismatched shipment still waiting at the deadline lapses.
    let ds = data_sets(&[("L1", 200, 56)], f.now + DAY, 3);
    let m = submit(&mut f, id, submission_id(2), SubmissionMode::Match, ds);
    assert_eq!(matched(&m).status, Some(ShipmentStatus::AwaitingDecision));
    assert_eq!(reserved_by(&f, A), 60_000);
    f.tick(deadline - f.now - 1);
    assert_eq!(baseline(&f, id).status, BaselineStatus::Active);
    f.tick(1);
    let b = baseline(&f, id);
    assert_eq!(b.status, BaselineStatus::Closed);
    assert_eq!(
        (b.money.released, b.money.voided, b.money.reserved),
        (10_000, 60_000, 0)
    );
    assert_eq!(b.shipments[1].status, ShipmentStatus::Lapsed);
    assert_eq!(reserved_by(&f, A), 0);
    assert_eq!(f.balance(B, eur()).position, 10_000);
    let ds = data_sets(&[("L1", 200, 50)], f.now, 5);
    assert_eq!(
        code(&submit(
            &mut f,
            id,
            submission_id(3),
            SubmissionMode::Match,
            ds
        )),
        "trade_baseline_not_live"
    );
    let accept_late = Action::AcceptMismatches {
        baseline: id,
        submission: submission_id(2),
    };
    assert_eq!(
        code(&f.run(participant(A), accept_late)),
        "trade_shipment_not_awaiting_decision"
    );
}

#[test]
fn a_proposal_never_accepted_closes_without_money() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    let deadline = t.obligation.deadline();
    propose(&mut f, B, id, t).unwrap();
    f.tick(deadline - f.now);
    assert_eq!(baseline(&f, id).status, BaselineStatus::Closed);
    assert_eq!(code(&accept(&mut f, A, id)), "trade_baseline_not_proposed");
}

#[test]
fn amendments_are_proposed_by_one_bank_and_accepted_by_the_other() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    established(&mut f, id, t.clone());
    let ds = data_sets(&[("L1", 1_000, 50)], f.now + DAY, 1);
    submit(&mut f, id, submission_id(1), SubmissionMode::Match, ds).unwrap();
    // L2 doubled: total and obligation 900.00.
    let mut bigger = t.clone();
    bigger.lines[1].quantity = 200;
    bigger.total = 90_000;
    bigger.obligation.amount = 90_000;
    amend(&mut f, B, id, bigger.clone()).unwrap();
    assert_eq!(
        code(&amend(&mut f, A, id, bigger.clone())),
        "trade_amendment_pending"
    );
    let accept_amendment = Action::AcceptAmendment {
        baseline: id,
        screening: clear(),
    };
    assert_eq!(
        code(&f.run(participant(B), accept_amendment.clone())),
        "trade_forbidden_not_counterparty"
    );
    let outcome = f.run(participant(A), accept_amendment.clone()).unwrap();
    assert!(
        matches!(outcome, Success::TradeBaseline(ref b) if b.version == 2 && b.reserved == 40_000)
    );
    assert_eq!(reserved_by(&f, A), 40_000);
    // An amendment may not drop below what was released, nor drop a shipped line.
    let mut smaller = bigger.clone();
    smaller.obligation.amount = 49_999;
    assert_eq!(
        code(&amend(&mut f, A, id, smaller)),
        "trade_amendment_invalid"
    );
    let mut dropped = bigger.clone();
    dropped.lines.remove(0);
    dropped.total = 40_000;
    assert_eq!(
        code(&amend(&mut f, A, id, dropped)),
        "trade_amendment_invalid"
    );
    // A rejected amendment leaves the terms as they were.
    let mut other = bigger.clone();
    other.incoterms.place = "Bremen".into();
    amend(&mut f, A, id, other).unwrap();
    f.run(participant(B), Action::RejectAmendment { baseline: id })
        .unwrap();
    assert_eq!(baseline(&f, id).terms, bigger);
    // The second shipment matches the amended quantity.
    let ds = data_sets(&[("L2", 200, 200)], f.now + DAY, 5);
    let m = submit(&mut f, id, submission_id(2), SubmissionMode::Match, ds);
    assert_eq!(matched(&m).released, 40_000);
    assert_eq!(matched(&m).baseline_status, BaselineStatus::Completed);
    assert_eq!(f.balance(B, eur()).position, 90_000);
}

#[test]
fn establishment_counts_against_the_obligors_limits() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let mut t = terms(f.now + SECOND);
    t.lines[0].quantity = 2_000;
    t.total = 120_000;
    t.obligation.amount = 120_000; // above A's net debit cap of 1000.00
    propose(&mut f, A, id, t).unwrap();
    assert_eq!(code(&accept(&mut f, B, id)), "insufficient_funds");
    assert_eq!(baseline(&f, id).status, BaselineStatus::Proposed);
    // A payment reserving most of the cap leaves too little for a 700.00 obligation.
    f.pay(1, A, C, 50_000).unwrap();
    let id2 = baseline_id(2);
    let t = terms(f.now + SECOND);
    propose(&mut f, A, id2, t).unwrap();
    assert_eq!(code(&accept(&mut f, B, id2)), "insufficient_funds");
}

#[test]
fn a_gross_currency_obligation_moves_liquidity() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let mut t = terms(f.now + SECOND);
    t.currency = kes();
    f.ok_op(Action::RecordLiquidity {
        participant: A,
        currency: kes(),
        direction: LiquidityDirection::Deposit,
        amount: 30_000,
    });
    established(&mut f, id, t);
    assert_eq!(f.balance(A, kes()).liquidity_pending_debits, 70_000);
    let mut ds = data_sets(&[("L1", 1_000, 50)], f.now + DAY, 1);
    ds[0].currency = Some(kes());
    let m = submit(&mut f, id, submission_id(1), SubmissionMode::Match, ds);
    assert_eq!(matched(&m).released, 50_000);
    assert_eq!(f.balance(B, kes()).liquidity, 50_000);
    assert_eq!(f.balance(A, kes()).liquidity, 30_000);
    assert_eq!(f.balance(A, kes()).liquidity_pending_debits, 20_000);
}

#[test]
fn screening_hits_stop_the_step() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let t = terms(f.now + SECOND);
    let propose_hit = Action::ProposeBaseline(Box::new(hub::trade::baseline::BaselineProposal {
        baseline: id,
        terms: t.clone(),
        screening: hit(),
    }));
    let refused = f.run(participant(A), propose_hit);
    assert_eq!(code(&refused), "trade_screening_hit");
    let no_un_list = Action::ProposeBaseline(Box::new(hub::trade::baseline::BaselineProposal {
        baseline: id,
        terms: t.clone(),
        screening: ScreeningVerdict {
            lists: vec![],
            hits: vec![],
        },
    }));
    assert_eq!(
        code(&f.run(participant(A), no_un_list)),
        "no_un_list_loaded"
    );
    propose(&mut f, A, id, t).unwrap();
    let accept_hit = Action::AcceptBaseline {
        baseline: id,
        screening: hit(),
    };
    assert_eq!(
        code(&f.run(participant(B), accept_hit)),
        "trade_screening_hit"
    );
    accept(&mut f, B, id).unwrap();
    let submit_hit = Action::SubmitDataSets(Box::new(hub::trade::dataset::DataSetSubmission {
        baseline: id,
        submission: submission_id(1),
        mode: SubmissionMode::Match,
        data_sets: data_sets(&[("L1", 100, 50)], f.now + DAY, 1),
        screening: hit(),
    }));
    assert_eq!(
        code(&f.run(participant(B), submit_hit)),
        "trade_screening_hit"
    );
    assert_eq!(f.balance(B, eur()).position, 0);
}

#[test]
fn bad_terms_and_wrong_actors_are_refused_with_their_codes() {
    let mut f = Fixture::new();
    let id = baseline_id(1);
    let now = f.now + SECOND;
    type Mutation = fn(&mut BaselineTerms);
    let cases: Vec<(&str, Mutation)> = vec![
        ("trade_total_mismatch", |t| t.total += 1),
        ("trade_line_count", |t| t.lines.clear()),
        ("trade_duplicate_line_id", |t| {
            t.lines[1].line_id = "L1".into()
        }),
        ("trade_obligation_banks", |t| t.obligation.obligor = C),
        ("trade_shipment_range_invalid", |t| {
            t.shipment_latest = t.shipment_earliest - 1
        }),
        ("trade_deadline_invalid", |t| {
            t.obligation.latest_match_at = t.obligation.expires_at + 1
        }),
        ("trade_tolerance_too_large", |t| {
            t.lines[0].price_tolerance.minus_bp = 10_001
        }),
        ("participants_must_differ", |t| t.seller_bank = A),
        ("currency_not_accepted", |t| {
            t.currency = CurrencyCode::new("USD").unwrap()
        }),
        ("amount_must_not_be_zero", |t| t.obligation.amount = 0),
        ("invalid_text", |t| t.po_reference = " ".into()),
    ];
    for (expected, mutate) in cases {
        let mut t = terms(now);
        mutate(&mut t);
        assert_eq!(code(&propose(&mut f, A, id, t)), expected);
    }
    // Only a bank of the terms proposes; only participants act.
    assert_eq!(
        code(&propose(&mut f, C, id, terms(now))),
        "trade_forbidden_not_party"
    );
    let by_operator = Action::ProposeBaseline(Box::new(hub::trade::baseline::BaselineProposal {
        baseline: id,
        terms: terms(now),
        screening: clear(),
    }));
    assert_eq!(code(&f.op(by_operator)), "trade_forbidden_not_party");
    established(&mut f, id, terms(now));
    // Only the seller's bank submits.
    let by_buyer = Action::SubmitDataSets(Box::new(hub::trade::dataset::DataSetSubmission {
        baseline: id,
        submission: submission_id(1),
        mode: SubmissionMode::Match,
        data_sets: data_sets(&[("L1", 100, 50)], f.now + DAY, 1),
        screening: clear(),
    }));
    assert_eq!(
        code(&f.run(participant(A), by_buyer)),
        "trade_forbidden_not_seller_bank"
    );
    assert_eq!(
        code(&submit(
            &mut f,
            id,
            submission_id(1),
            SubmissionMode::Match,
            vec![]
        )),
        "trade_data_set_count"
    );
    let mut no_amount = data_sets(&[("L1", 100, 50)], f.now + DAY, 1);
    no_amount[0].amount = None;
    assert_eq!(
        code(&submit(
            &mut f,
            id,
            submission_id(1),
            SubmissionMode::Match,
            no_amount
        )),
        "trade_commercial_data_set_missing"
    );
    // A suspended seller's bank is refused everything; its trade waits.
    f.ok_op(Action::SuspendParticipant { participant: B });
    let ds = data_sets(&[("L1", 100, 50)], f.now + DAY, 1);
    assert_eq!(
        code(&submit(
            &mut f,
            id,
            submission_id(1),
            SubmissionMode::Match,
            ds
        )),
        "participant_suspended"
    );
    assert!(f.hub.trade_baseline(&Principal::Auditor, id).is_some());
    assert!(f.hub.trade_baseline(&officer("ann"), id).is_none());
}
