//! Measures `Hub::apply` alone (no journal, no HTTP): create + accept of same-currency payments
//! in batches, between 100 participants in a deferred-net currency, with clear screening.
//! Run: `cargo run --release -p bench --example hub_apply [payments] [batch]`.
//! Prints one JSON object: payments_per_sec counts committed payments (two commands each).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement harness: a broken setup aborts the run"
)]

use std::time::Instant;

use hub::*;
use uuid::Uuid;

const PARTICIPANTS: u64 = 100;

fn op(hub: &mut Hub, now: u64, action: Action) {
    let outcome = hub.apply(now, &[Command::new(Principal::Operator, action)]);
    assert!(outcome[0].is_ok(), "setup failed: {outcome:?}");
}

fn party(name: &str) -> Party {
    Party {
        name: name.into(),
        address_lines: vec!["1 Main Street".into()],
        country: CountryCode::new("KE").unwrap(),
        account: "KE0012345678".into(),
    }
}

/// Four letters from a number (base 26), for distinct BICs.
fn bank_code(mut n: u64) -> String {
    (0..4)
        .map(|_| {
            let letter = b'A' + u8::try_from(n % 26).unwrap();
            n /= 26;
            char::from(letter)
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let payments: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let batch: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let eur = CurrencyCode::new("EUR").unwrap();
    let mut hub = Hub::new();
    let mut now = 1_700_000_000_000_000_000u64;
    op(
        &mut hub,
        now,
        Action::AddCurrency {
            currency: eur,
            exponent: 2,
            model: SettlementModel::DeferredNet,
        },
    );
    for p in 1..=PARTICIPANTS {
        op(
            &mut hub,
            now,
            Action::AdmitParticipant {
                name: format!("Bank {p}"),
                bic: Bic::new(&format!("{}KENA", bank_code(p))).unwrap(),
                country: CountryCode::new("KE").unwrap(),
                roles: Roles {
                    participant: true,
                    fx_provider: false,
                },
            },
        );
        op(
            &mut hub,
            now,
            Action::SetNetDebitCap {
                participant: ParticipantId(p),
                currency: eur,
                cap: u128::from(u64::MAX),
            },
        );
    }
    let screening = ScreeningVerdict {
        lists: vec![ListVersionRecord {
            source: "un".into(),
            version: "demo".into(),
        }],
        hits: vec![],
    };
    let (debtor, creditor) = (party("Alice"), party("Bob"));
    let mut elapsed = std::time::Duration::ZERO;
    let mut committed = 0u64;
    let mut next = 0u64;
    while next < payments {
        let n = batch.min(payments - next);
        let mut creates = Vec::with_capacity(usize::try_from(n).unwrap());
        let mut accepts = Vec::with_capacity(creates.capacity());
        for i in next..next + n {
            let (from, to) = (
                i % PARTICIPANTS + 1,
                (i / PARTICIPANTS + i + 1) % PARTICIPANTS + 1,
            );
            let to = if to == from {
                to % PARTICIPANTS + 1
            } else {
                to
            };
            let id = Uuid::from_u128(u128::from(i) + 1);
            creates.push(Command::new(
                Principal::Participant(ParticipantId(from)),
                Action::CreatePayment(Box::new(CreatePayment {
                    instruction: PaymentInstruction {
                        payment_id: id,
                        end_to_end_id: format!("E2E{i}"),
                        debtor: debtor.clone(),
                        creditor: creditor.clone(),
                        debtor_participant: ParticipantId(from),
                        creditor_participant: ParticipantId(to),
                        amount: 100 + u128::from(i % 1000),
                        currency: eur,
                        remittance_info: None,
                        fx_quote: None,
                    },
                    expires_at: now + 3_600_000_000_000,
                    screening: screening.clone(),
                })),
            ));
            accepts.push(Command::new(
                Principal::Participant(ParticipantId(to)),
                Action::AcceptPayment { payment: id },
            ));
        }
        now += 1_000_000;
        let start = Instant::now();
        let created = hub.apply(now, &creates);
        now += 1_000_000;
        let accepted = hub.apply(now, &accepts);
        elapsed += start.elapsed();
        assert!(created.iter().chain(&accepted).all(Result::is_ok));
        committed += n;
        next += n;
    }
    let check = Instant::now();
    hub.check_invariants().expect("invariants hold");
    let seconds = elapsed.as_secs_f64();
    println!(
        "{{\"workload\":\"hub_apply\",\"payments\":{committed},\"batch\":{batch},\"seconds\":{seconds:.3},\"payments_per_sec\":{:.0},\"check_invariants_ms\":{}}}",
        committed as f64 / seconds,
        check.elapsed().as_millis()
    );
}
