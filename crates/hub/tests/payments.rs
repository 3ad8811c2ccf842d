//! Payment lifecycle: table of refusals, then flows (reserve, accept, reject, expiry, return,
//! idempotency, inboxes, pagination, report).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn create_as(
    actor: Principal,
    ins: PaymentInstruction,
    screening: ScreeningVerdict,
    expires_in: i64,
) -> (Principal, Action) {
    (
        actor,
        Action::CreatePayment(Box::new(CreatePayment {
            instruction: ins,
            // Filled relative to the fixture's clock by `run_row`.
            expires_at: u64::try_from(expires_in).unwrap_or(0),
            screening,
        })),
    )
}

/// Runs a create row with `expires_at` interpreted as seconds from the command's time (0 = past).
fn run_row(f: &mut Fixture, actor: Principal, action: Action) -> Outcome {
    let action = match action {
        Action::CreatePayment(mut c) => {
            let now = f.now + SECOND;
            c.expires_at = if c.expires_at == 0 {
                now
            } else {
                now + c.expires_at * SECOND
            };
            Action::CreatePayment(c)
        }
        other => other,
    };
    f.run(actor, action)
}

#[test]
fn create_refusals_table() {
    let ok = || instruction(1, A, B, 10_000, eur());
    let with = |change: &dyn Fn(&mut PaymentInstruction)| {
        let mut i = ok();
        change(&mut i);
        i
    };
    let no_un = ScreeningVerdict {
        lists: vec![ListVersionRecord {
            source: "ofac-sdn".into(),
            version: "v1".into(),
        }],
        hits: vec![],
    };
    let mut bad_score = hit();
    bad_score.hits[0].score_bp = 10_001;
    let a = participant(A);
    let rows: Vec<((Principal, Action), &str)> = vec![
        (create_as(a.clone(), ok(), clear(), 60), "ok"),
        (
            create_as(participant(B), ok(), clear(), 60),
            "forbidden_not_debtor",
        ),
        (
            create_as(Principal::Operator, ok(), clear(), 60),
            "forbidden_not_debtor",
        ),
        (
            create_as(officer("x"), ok(), clear(), 60),
            "forbidden_not_debtor",
        ),
        (
            create_as(a.clone(), with(&|i| i.amount = 0), clear(), 60),
            "amount_must_not_be_zero",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.creditor_participant = A),
                clear(),
                60,
            ),
            "participants_must_differ",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.creditor_participant = ParticipantId(99)),
                clear(),
                60,
            ),
            "creditor_participant_not_found",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.creditor_participant = ParticipantId(4)),
                clear(),
                60,
            ),
            "forbidden_not_participant_role",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.currency = CurrencyCode::new("USD").unwrap()),
                clear(),
                60,
            ),
            "currency_not_accepted",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.end_to_end_id = "x".repeat(36)),
                clear(),
                60,
            ),
            "invalid_text",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.debtor.name = String::new()),
                clear(),
                60,
            ),
            "invalid_text",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.creditor.address_lines = vec!["l".into(); 8]),
                clear(),
                60,
            ),
            "invalid_text",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.remittance_info = Some("r".repeat(141))),
                clear(),
                60,
            ),
            "invalid_text",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| i.fx_quote = Some(pid(77))),
                clear(),
                60,
            ),
            "quote_not_found",
        ),
        (create_as(a.clone(), ok(), no_un, 60), "no_un_list_loaded"),
        (
            create_as(
                a.clone(),
                ok(),
                ScreeningVerdict {
                    lists: vec![],
                    hits: vec![],
                },
                60,
            ),
            "no_un_list_loaded",
        ),
        (
            create_as(a.clone(), ok(), bad_score, 60),
            "invalid_screening_verdict",
        ),
        (create_as(a.clone(), ok(), clear(), 0), "expiry_in_past"),
        (
            create_as(a.clone(), ok(), clear(), 8 * 24 * 3600),
            "expiry_too_far",
        ),
        (
            create_as(a.clone(), with(&|i| i.amount = 100_001), clear(), 60),
            "insufficient_funds",
        ),
        (
            create_as(a.clone(), with(&|i| i.amount = 100_000), clear(), 60),
            "ok",
        ),
        (
            create_as(a.clone(), with(&|i| i.currency = kes()), clear(), 60),
            "ok",
        ),
        (
            create_as(
                a.clone(),
                with(&|i| {
                    i.currency = kes();
                    i.amount = 50_001
                }),
                clear(),
                60,
            ),
            "insufficient_funds",
        ),
        (
            create_as(
                participant(C),
                with(&|i| i.debtor_participant = C),
                clear(),
                60,
            ),
            "insufficient_funds",
        ),
        (
            create_as(a.clone(), with(&|i| i.amount = u128::MAX), clear(), 60),
            "insufficient_funds",
        ),
    ];
    for ((actor, action), expected) in rows {
        let mut f = Fixture::new();
        let what = format!("{action:?}");
        assert_eq!(code(&run_row(&mut f, actor, action)), expected, "{what}");
    }
}

#[test]
fn suspended_parties_are_refused() {
    let mut f = Fixture::new();
    f.ok_op(Action::SuspendParticipant { participant: B });
    assert_eq!(code(&f.pay(1, A, B, 100)), "creditor_participant_suspended");
    f.ok_op(Action::ReactivateParticipant { participant: B });
    f.ok_op(Action::SuspendParticipant { participant: A });
    assert_eq!(code(&f.pay(1, A, B, 100)), "participant_suspended");
}

#[test]
fn decision_refusals_table() {
    let accept = |id| Action::AcceptPayment { payment: pid(id) };
    let reject = |id, reason| Action::RejectPayment {
        payment: pid(id),
        reason,
    };
    let ret = |id, back| Action::ReturnPayment {
        payment: pid(id),
        return_id: pid(back),
        reason: Reason::RequestedByCustomer,
    };
    // Payment 1 reserved A→B; payment 2 committed A→B.
    let rows: Vec<(Principal, Action, &str)> = vec![
        (participant(B), accept(1), "ok"),
        (participant(A), accept(1), "forbidden_not_creditor"),
        (Principal::Operator, accept(1), "forbidden_not_creditor"),
        (participant(C), accept(1), "payment_not_found"),
        (participant(B), accept(9), "payment_not_found"),
        // Accepted already by B: a resent accept answers the original outcome.
        (participant(B), accept(2), "ok"),
        (
            participant(B),
            reject(1, Reason::IncorrectAccountNumber),
            "ok",
        ),
        (
            participant(B),
            reject(1, Reason::Timeout),
            "reason_not_allowed",
        ),
        (
            participant(B),
            reject(1, Reason::SanctionsHit),
            "reason_not_allowed",
        ),
        (
            participant(A),
            reject(1, Reason::ClosedAccountNumber),
            "forbidden_not_creditor",
        ),
        (
            participant(B),
            reject(2, Reason::ClosedAccountNumber),
            "payment_not_reserved",
        ),
        (participant(B), ret(2, 20), "ok"),
        (participant(B), ret(1, 20), "payment_not_committed"),
        (participant(A), ret(2, 20), "forbidden_not_creditor"),
        (participant(C), ret(2, 20), "payment_not_found"),
        (
            participant(B),
            ret(2, 1),
            "duplicate_payment_id_different_content",
        ),
        (
            participant(B),
            Action::ReturnPayment {
                payment: pid(2),
                return_id: pid(20),
                reason: Reason::Timeout,
            },
            "reason_not_allowed",
        ),
    ];
    for (actor, action, expected) in rows {
        let mut f = Fixture::new();
        f.pay(1, A, B, 100).unwrap();
        f.pay(2, A, B, 200).unwrap();
        f.accept(2, B).unwrap();
        let what = format!("{actor:?} {action:?}");
        assert_eq!(code(&f.run(actor, action)), expected, "{what}");
    }
}

#[test]
fn reserve_then_accept_moves_positions() {
    let mut f = Fixture::new();
    assert_eq!(
        payment_status(&f.pay(1, A, B, 30_000)),
        PaymentStatus::Reserved
    );
    let a = f.balance(A, eur());
    assert_eq!(
        (a.position, a.position_pending_debits, a.available),
        (0, 30_000, 70_000)
    );
    assert_eq!(f.balance(B, eur()).position_pending_credits, 30_000);
    assert_eq!(payment_status(&f.accept(1, B)), PaymentStatus::Committed);
    let (a, b) = (f.balance(A, eur()), f.balance(B, eur()));
    assert_eq!(
        (a.position, a.position_pending_debits, a.available),
        (-30_000, 0, 70_000)
    );
    assert_eq!((b.position, b.available), (30_000, 130_000));
    // Inboxes: the creditor was offered the payment, then told it committed.
    let kinds = |p| {
        f.hub
            .inbox(p, 0, 0)
            .iter()
            .map(|e| e.kind.clone())
            .collect::<Vec<_>>()
    };
    let committed = InboxKind::StatusChanged {
        status: PaymentStatus::Committed,
        reason: None,
    };
    let reserved = InboxKind::StatusChanged {
        status: PaymentStatus::Reserved,
        reason: None,
    };
    assert_eq!(kinds(B), [InboxKind::PaymentReceived, committed.clone()]);
    assert_eq!(kinds(A), [reserved, committed]);
    assert_eq!(f.hub.inbox(B, 1, 0).len(), 1);
    assert_eq!(f.hub.inbox_head(B), 2);
    assert!(f.hub.inbox(C, 0, 0).is_empty());
}

#[test]
fn gross_payment_moves_liquidity() {
    let mut f = Fixture::new();
    f.create(instruction(1, A, B, 20_000, kes()), clear())
        .unwrap();
    assert_eq!(f.balance(A, kes()).available, 30_000);
    f.accept(1, B).unwrap();
    assert_eq!(
        (f.balance(A, kes()).liquidity, f.balance(B, kes()).liquidity),
        (30_000, 20_000)
    );
    assert_eq!(
        f.balance(A, kes()).position,
        0,
        "gross leaves positions alone"
    );
    // B can now spend what it received.
    f.create(instruction(2, B, C, 20_000, kes()), clear())
        .unwrap();
    assert_eq!(
        code(&f.create(instruction(3, B, C, 1, kes()), clear())),
        "insufficient_funds"
    );
}

#[test]
fn reject_releases_the_reservation() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 30_000).unwrap();
    let out = f.run(
        participant(B),
        Action::RejectPayment {
            payment: pid(1),
            reason: Reason::BlockedAccount,
        },
    );
    assert_eq!(payment_status(&out), PaymentStatus::Rejected);
    assert_eq!(
        f.status(1),
        (PaymentStatus::Rejected, Some(Reason::BlockedAccount))
    );
    assert_eq!(Reason::BlockedAccount.iso_code(), Some("AC06"));
    assert_eq!(f.balance(A, eur()).available, 100_000);
    let last = f.hub.inbox(A, 0, 0).last().unwrap().kind.clone();
    assert_eq!(
        last,
        InboxKind::StatusChanged {
            status: PaymentStatus::Rejected,
            reason: Some(Reason::BlockedAccount)
        }
    );
}

#[test]
fn unanswered_payment_expires_at_its_expiry() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 30_000).unwrap(); // expires 60 s after creation
    f.tick(58 * SECOND);
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
    f.tick(2 * SECOND);
    assert_eq!(f.status(1), (PaymentStatus::Expired, Some(Reason::Timeout)));
    assert_eq!(f.balance(A, eur()).available, 100_000);
    assert_eq!(code(&f.accept(1, B)), "payment_expired");
    let history: Vec<_> = f
        .hub
        .payment(pid(1))
        .unwrap()
        .history
        .iter()
        .map(|s| (s.kind.clone(), s.by.clone()))
        .collect();
    assert_eq!(
        history,
        [
            (StepKind::Received, Some(participant(A))),
            (StepKind::Reserved, Some(participant(A))),
            (StepKind::Expired, None),
        ]
    );
}

#[test]
fn return_sends_the_money_back() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 30_000).unwrap();
    f.accept(1, B).unwrap();
    let ret = Action::ReturnPayment {
        payment: pid(1),
        return_id: pid(2),
        reason: Reason::ClosedAccountNumber,
    };
    let expected = Ok(Success::Returned {
        original: pid(1),
        return_payment: pid(2),
    });
    assert_eq!(f.run(participant(B), ret.clone()), expected);
    assert_eq!(
        f.run(participant(B), ret),
        expected,
        "a retried return answers the same"
    );
    assert_eq!(
        f.status(1),
        (PaymentStatus::Returned, Some(Reason::ClosedAccountNumber))
    );
    assert_eq!(f.status(2).0, PaymentStatus::Committed);
    let back = f.hub.payment(pid(2)).unwrap();
    assert_eq!(
        (
            back.instruction.debtor_participant,
            back.instruction.creditor_participant
        ),
        (B, A)
    );
    assert_eq!(back.return_of, Some(pid(1)));
    assert_eq!(
        (f.balance(A, eur()).position, f.balance(B, eur()).position),
        (0, 0)
    );
    let again = Action::ReturnPayment {
        payment: pid(1),
        return_id: pid(3),
        reason: Reason::ClosedAccountNumber,
    };
    assert_eq!(
        code(&f.run(participant(B), again)),
        "payment_already_returned"
    );
    let of_return = Action::ReturnPayment {
        payment: pid(2),
        return_id: pid(3),
        reason: Reason::ClosedAccountNumber,
    };
    assert_eq!(code(&f.run(participant(A), of_return)), "return_of_return");
}

#[test]
fn same_id_same_content_replays_the_original_outcome() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 30_000).unwrap();
    f.accept(1, B).unwrap();
    let replay = f.pay(1, A, B, 30_000);
    assert_eq!(
        replay,
        Ok(Success::Payment(PaymentOutcome {
            payment: pid(1),
            status: PaymentStatus::Reserved,
            reason: None,
            replayed: true,
        }))
    );
    assert_eq!(
        f.balance(A, eur()).position,
        -30_000,
        "replay moved no money"
    );
    assert_eq!(
        code(&f.pay(1, A, B, 30_001)),
        "duplicate_payment_id_different_content"
    );
    assert_eq!(
        f.hub
            .payments(&Principal::Operator, &PaymentFilter::default())
            .payments
            .len(),
        1
    );
}

#[test]
fn payments_paginate_and_respect_visibility() {
    let mut f = Fixture::new();
    for id in 1..=5 {
        f.pay(id, A, B, 100).unwrap();
    }
    f.pay(6, B, A, 100).unwrap();
    f.accept(2, B).unwrap();
    let page = |f: &Fixture, viewer: &Principal, filter: PaymentFilter| {
        let page = f.hub.payments(viewer, &filter);
        (
            page.payments.iter().map(|p| p.seq).collect::<Vec<_>>(),
            page.next_cursor,
        )
    };
    let op = Principal::Operator;
    let two = PaymentFilter {
        limit: 2,
        ..Default::default()
    };
    assert_eq!(page(&f, &op, two.clone()), (vec![1, 2], Some(2)));
    assert_eq!(
        page(
            &f,
            &op,
            PaymentFilter {
                after: Some(2),
                ..two.clone()
            }
        ),
        (vec![3, 4], Some(4))
    );
    assert_eq!(
        page(
            &f,
            &op,
            PaymentFilter {
                after: Some(4),
                ..two.clone()
            }
        ),
        (vec![5, 6], None)
    );
    let committed = PaymentFilter {
        status: Some(PaymentStatus::Committed),
        ..Default::default()
    };
    assert_eq!(page(&f, &participant(A), committed), (vec![2], None));
    assert_eq!(
        page(&f, &participant(C), PaymentFilter::default()),
        (vec![], None)
    );
    let others = PaymentFilter {
        participant: Some(A),
        ..Default::default()
    };
    assert_eq!(page(&f, &participant(C), others).0, Vec::<u64>::new());
    assert_eq!(
        page(
            &f,
            &participant(B),
            PaymentFilter {
                after: Some(4),
                ..Default::default()
            }
        )
        .0,
        vec![5, 6]
    );
    let kes_only = PaymentFilter {
        currency: Some(kes()),
        ..Default::default()
    };
    assert_eq!(page(&f, &op, kes_only).0, Vec::<u64>::new());
    assert!(f.hub.payment_for(&participant(C), pid(1)).is_none());
    assert!(f.hub.payment_for(&participant(B), pid(1)).is_some());
    assert!(f.hub.payment_for(&Principal::Auditor, pid(1)).is_some());

    // Newest first: the cursor is the oldest shown, the next page older, for all payments and
    // for one participant's.
    let newest = PaymentFilter {
        limit: 2,
        newest_first: true,
        ..Default::default()
    };
    for viewer in [op.clone(), participant(A)] {
        assert_eq!(page(&f, &viewer, newest.clone()), (vec![6, 5], Some(5)));
        let older = PaymentFilter {
            after: Some(5),
            ..newest.clone()
        };
        assert_eq!(page(&f, &viewer, older), (vec![4, 3], Some(3)));
        let oldest = PaymentFilter {
            after: Some(3),
            ..newest.clone()
        };
        assert_eq!(page(&f, &viewer, oldest), (vec![2, 1], None));
    }
    let newest_committed = PaymentFilter {
        status: Some(PaymentStatus::Committed),
        newest_first: true,
        ..Default::default()
    };
    assert_eq!(page(&f, &op, newest_committed), (vec![2], None));
    let beyond = PaymentFilter {
        after: Some(99),
        ..newest
    };
    assert_eq!(page(&f, &op, beyond).0, vec![6, 5]);
}

#[test]
fn report_sums_committed_payments() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 1_000).unwrap();
    f.pay(2, A, B, 2_000).unwrap();
    f.pay(3, B, A, 500).unwrap();
    f.pay(4, A, B, 9_000).unwrap(); // stays reserved: not in the report
    for (id, by) in [(1, B), (2, B), (3, A)] {
        f.accept(id, by).unwrap();
    }
    let report = f.hub.report();
    let a = report[0]
        .currencies
        .iter()
        .find(|c| c.currency == eur())
        .unwrap();
    assert_eq!(
        (
            a.sent_count,
            a.sent_amount,
            a.received_count,
            a.received_amount,
            a.position
        ),
        (2, 3_000, 1, 500, -2_500)
    );
    let b = report[1]
        .currencies
        .iter()
        .find(|c| c.currency == eur())
        .unwrap();
    assert_eq!(
        (
            b.sent_count,
            b.sent_amount,
            b.received_count,
            b.received_amount,
            b.position
        ),
        (1, 500, 2, 3_000, 2_500)
    );
}

#[test]
fn a_selective_filter_stops_at_the_scan_limit_with_a_cursor() {
    let mut f = Fixture::new();
    f.ok_op(Action::SetNetDebitCap {
        participant: A,
        currency: eur(),
        cap: u128::MAX / 4,
    });
    let n = u128::try_from(PAGE_SCAN_MAX).unwrap() + 5;
    let expires_at = f.now + 3_600 * SECOND;
    let commands: Vec<Command> = (1..=n)
        .map(|id| {
            let create = CreatePayment {
                instruction: instruction(id, A, B, 1, eur()),
                expires_at,
                screening: clear(),
            };
            Command::new(participant(A), Action::CreatePayment(Box::new(create)))
        })
        .collect();
    f.now += SECOND;
    assert!(f.batch(commands).iter().all(Result::is_ok));
    f.accept(n, B).unwrap(); // the only committed payment is the last one
    let committed = PaymentFilter {
        status: Some(PaymentStatus::Committed),
        ..Default::default()
    };
    let first = f.hub.payments(&Principal::Operator, &committed);
    let limit = u64::try_from(PAGE_SCAN_MAX).unwrap();
    assert_eq!((first.payments.len(), first.next_cursor), (0, Some(limit)));
    let rest = PaymentFilter {
        after: first.next_cursor,
        ..committed
    };
    let second = f.hub.payments(&Principal::Operator, &rest);
    let seqs: Vec<u64> = second.payments.iter().map(|p| p.seq).collect();
    assert_eq!((seqs, second.next_cursor), (vec![limit + 5], None));
}

fn create_with_parties(
    f: &mut Fixture,
    ins: PaymentInstruction,
    parties: RelatedParties,
) -> Outcome {
    let actor = participant(ins.debtor_participant);
    let expires_at = f.now + 60 * SECOND;
    f.run(
        actor,
        Action::CreatePaymentWithParties(Box::new(CreatePaymentWithParties {
            payment: CreatePayment {
                instruction: ins,
                expires_at,
                screening: clear(),
            },
            parties,
            cleared: Vec::new(),
        })),
    )
}

/// A change that makes related parties invalid.
type Spoil = fn(&mut RelatedParties);

#[test]
fn related_parties_are_stored_compared_and_validated() {
    let mut f = Fixture::new();
    let out = create_with_parties(&mut f, instruction(1, A, B, 1_000, eur()), related());
    assert_eq!(payment_status(&out), PaymentStatus::Reserved);
    assert_eq!(f.hub.related_parties(pid(1)), Some(&related()));
    // The same content again is a replay; other related parties are other content.
    let again = create_with_parties(&mut f, instruction(1, A, B, 1_000, eur()), related());
    assert!(matches!(
        again,
        Ok(Success::Payment(PaymentOutcome { replayed: true, .. }))
    ));
    let mut other = related();
    other.ultimate_creditor = None;
    assert_eq!(
        code(&create_with_parties(
            &mut f,
            instruction(1, A, B, 1_000, eur()),
            other
        )),
        "duplicate_payment_id_different_content"
    );
    assert_eq!(
        code(&f.create(instruction(1, A, B, 1_000, eur()), clear())),
        "duplicate_payment_id_different_content"
    );
    // Naming nothing is a plain payment, and the same as CreatePayment.
    let out = create_with_parties(
        &mut f,
        instruction(2, A, B, 1_000, eur()),
        RelatedParties::default(),
    );
    assert_eq!(payment_status(&out), PaymentStatus::Reserved);
    assert_eq!(f.hub.related_parties(pid(2)), None);
    assert!(matches!(
        f.create(instruction(2, A, B, 1_000, eur()), clear()),
        Ok(Success::Payment(PaymentOutcome { replayed: true, .. }))
    ));
    // Each text is checked and the refusal names its field.
    let cases: Vec<(Spoil, &str)> = vec![
        (
            |r| r.ultimate_creditor.as_mut().unwrap().name = " ".into(),
            "ultimate_creditor.name",
        ),
        (
            |r| r.ultimate_debtor.as_mut().unwrap().address_lines = vec!["x".into(); 8],
            "ultimate_debtor.address",
        ),
        (
            |r| r.initiating_party.as_mut().unwrap().name = "a\nb".into(),
            "initiating_party.name",
        ),
        (
            |r| r.debtor_agent.as_mut().unwrap().name = Some("n".repeat(141)),
            "debtor_agent.name",
        ),
        (
            |r| r.intermediary_agents = vec![r.intermediary_agents[0].clone(); 4],
            "intermediary_agents",
        ),
        (
            |r| r.remittance_structured = vec![String::new()],
            "remittance_structured",
        ),
    ];
    for (n, (spoil, field)) in cases.into_iter().enumerate() {
        let mut bad = related();
        spoil(&mut bad);
        let id = 10 + u128::try_from(n).unwrap();
        let out = create_with_parties(&mut f, instruction(id, A, B, 1_000, eur()), bad);
        match out {
            Err(HubError::InvalidText { field: got }) => assert_eq!(got, field),
            other => panic!("{field}: {other:?}"),
        }
        assert!(f.hub.payment(pid(id)).is_none());
    }
}

#[test]
fn hit_fields_name_where_the_match_was() {
    assert_eq!(
        PartySide::UltimateCreditor.field(),
        "ultimate_creditor.name"
    );
    assert_eq!(
        PartySide::IntermediaryAgent(2).field(),
        "intermediary_agents[2].name"
    );
    assert_eq!(
        PartySide::RemittanceInformation.field(),
        "remittance_information"
    );
    assert_eq!(PartySide::DebtorAddress.field(), "debtor.address");
}

#[test]
fn a_resent_decision_answers_its_original_outcome_and_changes_nothing() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 100).unwrap();
    f.pay(2, A, B, 200).unwrap();
    let outcome = |status, reason, replayed| {
        Ok(Success::Payment(PaymentOutcome {
            payment: pid(1),
            status,
            reason,
            replayed,
        }))
    };
    assert_eq!(
        f.accept(1, B),
        outcome(PaymentStatus::Committed, None, false)
    );
    let balance = f.balance(B, eur());
    assert_eq!(
        f.accept(1, B),
        outcome(PaymentStatus::Committed, None, true)
    );
    assert_eq!(f.balance(B, eur()), balance, "the replay moved no money");
    // A different decision on the decided payment is still refused.
    let reject = |id, reason| Action::RejectPayment {
        payment: pid(id),
        reason,
    };
    let refused = f.run(participant(B), reject(1, Reason::ClosedAccountNumber));
    assert_eq!(code(&refused), "payment_not_reserved");

    let reason = Reason::IncorrectAccountNumber;
    assert!(f.run(participant(B), reject(2, reason)).is_ok());
    let again = f.run(participant(B), reject(2, reason));
    assert_eq!(
        again,
        Ok(Success::Payment(PaymentOutcome {
            payment: pid(2),
            status: PaymentStatus::Rejected,
            reason: Some(reason),
            replayed: true,
        }))
    );
    let other = f.run(participant(B), reject(2, Reason::ClosedAccountNumber));
    assert_eq!(code(&other), "payment_not_reserved");
    assert_eq!(code(&f.accept(2, B)), "payment_not_reserved");
}
