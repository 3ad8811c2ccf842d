//! Property test: random baselines and random sequences of proposals, acceptances,
//! submissions (clean, mismatched, late, duplicate documents, pre-match), decisions,
//! amendments and time passing, against a simple reference model of the money: the total
//! released never exceeds the obligation, no shipment is released twice, a reused document
//! hash is always refused, the remainder is voided at the deadline, the recipient's position is
//! exactly what was released, and replaying the batches gives the same snapshot bytes. The
//! fixture checks every hub invariant (the trade ones included) after each batch.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;
mod trade_support;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use hub::trade::baseline::{AmendmentProposal, BaselineProposal};
use hub::trade::dataset::DataSetSubmission;
use hub::trade::*;
use hub::*;
use journal::StateMachine;
use proptest::prelude::*;
use trade_support::*;

#[derive(Clone, Debug)]
struct Line {
    quantity: u128,
    price: u128,
    qty_tol: u16,
    price_tol: u16,
}

#[derive(Clone, Debug)]
struct Spec {
    lines: Vec<Line>,
    partial: bool,
    /// Obligation as a share of the total, in percent.
    share: u128,
}

#[derive(Clone, Debug)]
enum Op {
    Propose {
        b: u8,
        by: u64,
    },
    Accept {
        b: u8,
        by: u64,
    },
    Submit {
        b: u8,
        s: u8,
        /// (line index, percent of ordered, price percent).
        lines: Vec<(usize, u128, u128)>,
        hashes: (u32, u32),
        late: bool,
        pre: bool,
        by: u64,
    },
    Decide {
        b: u8,
        s: u8,
        accept: bool,
        by: u64,
    },
    Amend {
        b: u8,
        by: u64,
        share: u128,
    },
    AnswerAmendment {
        b: u8,
        by: u64,
        accept: bool,
    },
    Tick {
        days: u64,
    },
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(
            (1u128..2_000, 1u128..100, 0u16..=1_000, 0u16..=1_000).prop_map(
                |(quantity, price, qty_tol, price_tol)| Line {
                    quantity,
                    price,
                    qty_tol,
                    price_tol,
                },
            ),
            1..=3,
        ),
        any::<bool>(),
        50u128..=100,
    )
        .prop_map(|(lines, partial, share)| Spec {
            lines,
            partial,
            share,
        })
}

fn bank() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1u64..=2, 1 => Just(3u64)]
}

fn op() -> impl Strategy<Value = Op> {
    let b = 0u8..2;
    prop_oneof![
        2 => (b.clone(), bank()).prop_map(|(b, by)| Op::Propose { b, by }),
        2 => (b.clone(), bank()).prop_map(|(b, by)| Op::Accept { b, by }),
        8 => (
            b.clone(),
            0u8..6,
            prop::collection::vec((0usize..3, prop_oneof![3 => Just(100u128), 2 => 0u128..=130], prop_oneof![3 => Just(100u128), 1 => 85u128..=115]), 1..=3),
            (0u32..14, 0u32..14),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.15),
            prop_oneof![6 => Just(2u64), 1 => bank()],
        )
            .prop_map(|(b, s, lines, hashes, late, pre, by)| Op::Submit {
                b,
                s,
                lines,
                hashes,
                late,
                pre,
                by,
            }),
        3 => (b.clone(), 0u8..6, any::<bool>(), prop_oneof![5 => Just(1u64), 1 => bank()])
            .prop_map(|(b, s, accept, by)| Op::Decide { b, s, accept, by }),
        2 => (b.clone(), bank(), 30u128..=110).prop_map(|(b, by, share)| Op::Amend { b, by, share }),
        3 => (b.clone(), bank(), any::<bool>())
            .prop_map(|(b, by, accept)| Op::AnswerAmendment { b, by, accept }),
        2 => (0u64..=12).prop_map(|days| Op::Tick { days }),
    ]
}

fn terms_of(spec: &Spec, start: u64, share: u128) -> BaselineTerms {
    let mut t = terms(start);
    t.partial_shipment = spec.partial;
    t.required = BTreeSet::from([DataSetKind::Transport]);
    t.lines = spec
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| GoodsLine {
            line_id: format!("L{i}"),
            description: "goods".into(),
            quantity: l.quantity,
            unit: "KGM".into(),
            unit_price: l.price,
            quantity_tolerance: Tolerance {
                plus_bp: l.qty_tol,
                minus_bp: l.qty_tol,
            },
            price_tolerance: Tolerance {
                plus_bp: l.price_tol,
                minus_bp: l.price_tol,
            },
        })
        .collect();
    t.total = spec.lines.iter().map(|l| l.quantity * l.price).sum();
    t.obligation.amount = (t.total * share / 100).max(1);
    t
}

/// The reference model of one baseline's money.
#[derive(Default, Debug)]
struct Model {
    established: bool,
    ended: bool,
    obligation: u128,
    released: u128,
    released_submissions: BTreeSet<u8>,
    recorded_submissions: BTreeSet<u8>,
    amendment: Option<u128>,
}

fn run(specs: &[Spec; 2], ops: &[Op], reached: &mut BTreeSet<String>) -> Result<(), TestCaseError> {
    let mut f = Fixture::new();
    // Caps high enough for any obligation (the limits are tested in the scenarios).
    f.ok_op(Action::SetNetDebitCap {
        participant: A,
        currency: eur(),
        cap: 10_000_000,
    });
    let start = f.now;
    let mut log = vec![(f.now, Vec::new())];
    let mut models: [Model; 2] = Default::default();
    let mut used: BTreeSet<[u8; 32]> = BTreeSet::new();
    let base_terms: Vec<BaselineTerms> =
        specs.iter().map(|s| terms_of(s, start, s.share)).collect();
    for op in ops {
        f.now += SECOND;
        let (actor, action) = match op {
            Op::Propose { b, by } => (
                *by,
                Action::ProposeBaseline(Box::new(BaselineProposal {
                    baseline: baseline_id(u128::from(*b)),
                    terms: base_terms[usize::from(*b)].clone(),
                    screening: clear(),
                })),
            ),
            Op::Accept { b, by } => (
                *by,
                Action::AcceptBaseline {
                    baseline: baseline_id(u128::from(*b)),
                    screening: clear(),
                },
            ),
            Op::Submit {
                b,
                s,
                lines,
                hashes,
                late,
                pre,
                by,
            } => {
                let spec = &specs[usize::from(*b)];
                let mut chosen = BTreeMap::new();
                for (i, pct, price_pct) in lines {
                    let i = i % spec.lines.len();
                    let l = &spec.lines[i];
                    chosen.insert(i, (l.quantity * pct / 100, l.price * price_pct / 100));
                }
                let presented: Vec<(String, u128, u128)> = chosen
                    .iter()
                    .map(|(i, (q, p))| (format!("L{i}"), *q, *p))
                    .collect();
                let refs: Vec<(&str, u128, u128)> = presented
                    .iter()
                    .map(|(id, q, p)| (id.as_str(), *q, *p))
                    .collect();
                let date = if *late { start + 31 * DAY } else { start + DAY };
                let mut ds = data_sets(&refs, date, 0);
                ds[0].hash = hash(hashes.0);
                ds[1].hash = hash(hashes.1);
                let mode = if *pre {
                    SubmissionMode::PreMatch
                } else {
                    SubmissionMode::Match
                };
                (
                    *by,
                    Action::SubmitDataSets(Box::new(DataSetSubmission {
                        baseline: baseline_id(u128::from(*b)),
                        submission: submission_id(u128::from(*s)),
                        mode,
                        data_sets: ds,
                        screening: clear(),
                    })),
                )
            }
            Op::Decide { b, s, accept, by } => {
                let baseline = baseline_id(u128::from(*b));
                let submission = submission_id(u128::from(*s));
                let action = if *accept {
                    Action::AcceptMismatches {
                        baseline,
                        submission,
                    }
                } else {
                    Action::RejectMismatches {
                        baseline,
                        submission,
                    }
                };
                (*by, action)
            }
            Op::Amend { b, by, share } => {
                let spec = &specs[usize::from(*b)];
                (
                    *by,
                    Action::ProposeAmendment(Box::new(AmendmentProposal {
                        baseline: baseline_id(u128::from(*b)),
                        terms: terms_of(spec, start, *share),
                        screening: clear(),
                    })),
                )
            }
            Op::AnswerAmendment { b, by, accept } => {
                let baseline = baseline_id(u128::from(*b));
                let action = if *accept {
                    Action::AcceptAmendment {
                        baseline,
                        screening: clear(),
                    }
                } else {
                    Action::RejectAmendment { baseline }
                };
                (*by, action)
            }
            Op::Tick { days } => {
                f.now += days * DAY;
                log.push((f.now, Vec::new()));
                f.batch(vec![]);
                check_deadlines(&f, &mut models, &base_terms, reached)?;
                continue;
            }
        };
        let command = Command::new(participant(ParticipantId(actor)), action.clone());
        log.push((f.now, Vec::new()));
        log.push((f.now, vec![command.clone()]));
        let outcome = f.batch(vec![command]).remove(0);
        reached.insert(format!("{} {}", action.name(), code(&outcome)));
        if let Ok(Success::TradeMatch(r)) = &outcome
            && r.released > 0
        {
            reached.insert(format!("{} released", action.name()));
        }

        // The model's predictions and bookkeeping.
        match (&action, &outcome) {
            (Action::AcceptBaseline { baseline, .. }, Ok(_)) => {
                let m = &mut models[index(*baseline)];
                prop_assert!(!m.established);
                m.established = true;
                m.obligation = base_terms[index(*baseline)].obligation.amount;
            }
            (Action::SubmitDataSets(sub), _) => {
                let m = &mut models[index(sub.baseline)];
                let s = (sub.submission.as_u128() - 0x5000) as u8;
                let live = m.established && !m.ended;
                let reused = sub.data_sets.iter().any(|d| used.contains(&d.hash))
                    || sub.data_sets[0].hash == sub.data_sets[1].hash;
                let fresh = !m.recorded_submissions.contains(&s);
                if live && actor == 2 && fresh && reused {
                    prop_assert_eq!(code(&outcome), "trade_data_set_hash_used");
                }
                if let Ok(Success::TradeMatch(r)) = &outcome {
                    prop_assert!(!reused || r.replayed, "a used hash was accepted");
                    if sub.mode == SubmissionMode::PreMatch {
                        prop_assert_eq!(r.status, None);
                        prop_assert_eq!(r.released, 0);
                    } else if !r.replayed {
                        used.extend(sub.data_sets.iter().map(|d| d.hash));
                        m.recorded_submissions.insert(s);
                        prop_assert_eq!(r.released > 0, r.report.is_match());
                        if r.released > 0 {
                            release(m, s, r.released)?;
                        }
                    } else {
                        prop_assert_eq!(r.released, 0);
                    }
                }
            }
            (
                Action::AcceptMismatches {
                    baseline,
                    submission,
                },
                Ok(Success::TradeMatch(r)),
            ) => {
                let m = &mut models[index(*baseline)];
                release(m, (submission.as_u128() - 0x5000) as u8, r.released)?;
            }
            (Action::ProposeAmendment(p), Ok(_)) => {
                models[index(p.baseline)].amendment = Some(p.terms.obligation.amount);
            }
            (Action::AcceptAmendment { baseline, .. }, Ok(_)) => {
                let m = &mut models[index(*baseline)];
                m.obligation = m.amendment.take().unwrap();
                prop_assert!(m.obligation >= m.released);
            }
            (Action::RejectAmendment { baseline }, Ok(_)) => {
                models[index(*baseline)].amendment = None;
            }
            _ => {}
        }
        check_deadlines(&f, &mut models, &base_terms, reached)?;
        // The hub agrees with the model.
        let mut total_released = 0;
        for (i, m) in models.iter().enumerate() {
            total_released += m.released;
            let Some(b) = f
                .hub
                .trade_baseline(&Principal::Operator, baseline_id(i as u128))
            else {
                continue;
            };
            prop_assert_eq!(b.money.released, m.released);
            prop_assert!(b.money.released <= b.terms.obligation.amount);
            if m.established && !m.ended {
                prop_assert_eq!(b.terms.obligation.amount, m.obligation);
            }
            if !b.status.is_open() && !m.ended {
                // Completed by a release or an amendment: the remainder voided.
                m_end_check(b, m)?;
            }
        }
        prop_assert_eq!(f.balance(B, eur()).position, total_released as i128);
    }
    // Replay gives the same bytes, through a snapshot round trip.
    let mut replay = Fixture::new();
    replay.ok_op(Action::SetNetDebitCap {
        participant: A,
        currency: eur(),
        cap: 10_000_000,
    });
    for (now, commands) in &log {
        replay.hub.apply(*now, commands);
    }
    let bytes = f.hub.encode_snapshot();
    prop_assert_eq!(&bytes, &replay.hub.encode_snapshot());
    let decoded = Hub::decode_snapshot(&bytes).map_err(TestCaseError::fail)?;
    prop_assert!(decoded == f.hub);
    Ok(())
}

fn index(id: BaselineId) -> usize {
    (id.as_u128() - 0xB000) as usize
}

fn release(m: &mut Model, s: u8, amount: u128) -> Result<(), TestCaseError> {
    prop_assert!(m.established && !m.ended);
    prop_assert!(m.released_submissions.insert(s), "released twice");
    m.released += amount;
    prop_assert!(m.released <= m.obligation, "released above the obligation");
    Ok(())
}

fn m_end_check(b: &Baseline, m: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(b.money.reserved, 0);
    let expected_void = if m.established {
        b.terms.obligation.amount - m.released
    } else {
        0
    };
    prop_assert_eq!(b.money.voided, expected_void);
    Ok(())
}

/// Once the deadline has passed, every baseline has ended with its remainder voided.
fn check_deadlines(
    f: &Fixture,
    models: &mut [Model; 2],
    base_terms: &[BaselineTerms],
    reached: &mut BTreeSet<String>,
) -> Result<(), TestCaseError> {
    for (i, m) in models.iter_mut().enumerate() {
        let Some(b) = f
            .hub
            .trade_baseline(&Principal::Operator, baseline_id(i as u128))
        else {
            continue;
        };
        if f.now >= base_terms[i].obligation.deadline() {
            prop_assert!(!b.status.is_open(), "open after its deadline");
        }
        if !b.status.is_open() && !m.ended {
            m_end_check(b, m)?;
            m.ended = true;
            reached.insert(format!("ended {}", b.status.code()));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn trade_money_matches_the_model_and_replays_identically(
        a in spec(),
        b in spec(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        run(&[a, b], &ops, &mut BTreeSet::new())?;
    }
}

/// The generator reaches every trade path, or the property above proves little.
#[test]
fn generator_reaches_every_trade_path() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut reached = BTreeSet::new();
    let case = (spec(), spec(), prop::collection::vec(op(), 1..40));
    for _ in 0..300 {
        let (a, b, ops) = case.new_tree(&mut runner).unwrap().current();
        run(&[a, b], &ops, &mut reached).unwrap();
    }
    for path in [
        "propose_baseline ok",
        "accept_baseline ok",
        "submit_data_sets ok",
        "submit_data_sets released",
        "submit_data_sets trade_data_set_hash_used",
        "submit_data_sets trade_baseline_not_live",
        "accept_mismatches released",
        "reject_mismatches ok",
        "propose_amendment ok",
        "accept_amendment ok",
        "reject_amendment ok",
        "ended closed",
        "ended completed",
    ] {
        assert!(reached.contains(path), "never reached {path}: {reached:#?}");
    }
}
