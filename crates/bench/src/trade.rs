//! The trade benchmark behind `kliring bench trade`: data-set submissions of `lines` lines
//! matched through `Hub::apply` on one core (each a real match: rules, hash registry, line
//! ledger and the partial release of the obligation in the ledger), then the trade report over
//! a hub holding `report_payments` committed payments. Inputs are built before the clock
//! starts; the clock never influences a result.
//!
//! Targets (issue 15): p99 per match ≤ 5 ms for 50 lines; the report over 1,000,000 payments
//! in ≤ 1 s.

use std::collections::BTreeSet;
use std::time::Instant;

use hub::trade::baseline::BaselineProposal;
use hub::trade::dataset::DataSetSubmission;
use hub::trade::{
    BaselineTerms, DataSet, DataSetKind, GoodsLine, Incoterm, Incoterms, PaymentObligation,
    PresentedLine, SubmissionMode, Tolerance, TradeParty,
};
use hub::{
    Action, Bic, Command, CountryCode, CreatePayment, CurrencyCode, Hub, HubError,
    ListVersionRecord, ParticipantId, Party, PaymentInstruction, Principal, Roles,
    ScreeningVerdict, SettlementModel, Success,
};
use serde::Serialize;

const SECOND: u64 = 1_000_000_000;
const T0: u64 = 1_700_000_000 * SECOND;
/// Payments per batch while building the report's hub.
const BATCH: u64 = 1_000;
/// Banks the report's payments are spread across (two per country).
const BANKS: u64 = 20;

/// One run, printed by the CLI as one JSON object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeBenchResult {
    /// Always "trade".
    pub bench: &'static str,
    /// Lines per data set.
    pub lines: u64,
    /// Submissions matched (each releasing money).
    pub matches: u64,
    /// Matches per second of `Hub::apply` time.
    pub matches_per_sec: f64,
    /// Median milliseconds per match (one `Hub::apply` of one submission).
    pub p50_ms: f64,
    /// 99th percentile milliseconds per match.
    pub p99_ms: f64,
    /// Committed payments the trade report ran over.
    pub report_payments: u64,
    /// Seconds of one `Hub::trade_report` call.
    pub report_seconds: f64,
    /// Country-pair × currency cells in the report.
    pub report_cells: u64,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum TradeBenchError {
    /// The hub refused a setup or benchmark command (a bug in the benchmark).
    #[error("the hub refused {action}: {error}")]
    Refused {
        /// The action's name.
        action: &'static str,
        /// The hub's refusal.
        error: HubError,
    },
    /// A submission did not match cleanly (the benchmark measures matches that release).
    #[error("submission {0} did not match")]
    NotMatched(u64),
    /// Sizes beyond what the benchmark builds.
    #[error("{0}")]
    Size(&'static str),
}

fn verdict() -> ScreeningVerdict {
    ScreeningVerdict {
        lists: vec![ListVersionRecord {
            source: "un".into(),
            version: "bench".into(),
        }],
        hits: vec![],
    }
}

fn uuid(kind: u128, n: u64) -> uuid::Uuid {
    uuid::Uuid::from_u128((kind << 64) | u128::from(n))
}

fn hash(n: u64) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&n.to_be_bytes());
    h[31] = 0xAA;
    h
}

/// Applies one batch, refusing the run if any command was refused.
fn apply(hub: &mut Hub, now: u64, commands: &[Command]) -> Result<Vec<Success>, TradeBenchError> {
    hub.apply(now, commands)
        .into_iter()
        .zip(commands)
        .map(|(outcome, command)| {
            outcome.map_err(|error| TradeBenchError::Refused {
                action: command.action.name(),
                error,
            })
        })
        .collect()
}

fn op(action: Action) -> Command {
    Command::new(Principal::Operator, action)
}

fn currency() -> Result<CurrencyCode, TradeBenchError> {
    CurrencyCode::new("EUR").map_err(|error| TradeBenchError::Refused {
        action: "currency",
        error,
    })
}

/// A hub with EUR (deferred net) and `banks` banks, two per country, caps far above any run.
fn scheme(banks: u64) -> Result<Hub, TradeBenchError> {
    let eur = currency()?;
    let mut hub = Hub::new();
    let mut setup = vec![op(Action::AddCurrency {
        currency: eur,
        exponent: 2,
        model: SettlementModel::DeferredNet,
    })];
    for n in 0..banks {
        let letter = |k: u64| char::from(b'A' + u8::try_from(k % 26).unwrap_or(0));
        let country = format!("{}K", letter(n / 2));
        let bic = format!("BK{}{}{country}22", letter(n / 26), letter(n));
        let refused = |error| TradeBenchError::Refused {
            action: "admit_participant",
            error,
        };
        setup.push(op(Action::AdmitParticipant {
            name: format!("Bank {n}"),
            bic: Bic::new(&bic).map_err(refused)?,
            country: CountryCode::new(&country).map_err(refused)?,
            roles: Roles {
                participant: true,
                fx_provider: false,
            },
        }));
        setup.push(op(Action::SetNetDebitCap {
            participant: ParticipantId(n + 1),
            currency: eur,
            cap: u128::from(u64::MAX),
        }));
    }
    apply(&mut hub, T0, &setup)?;
    Ok(hub)
}

fn party(name: &str, country: CountryCode) -> TradeParty {
    TradeParty {
        name: name.into(),
        country,
    }
}

/// Matches `matches` submissions of `lines` lines each and reports their latency.
fn match_phase(lines: u64, matches: u64) -> Result<(Vec<f64>, f64), TradeBenchError> {
    let eur = currency()?;
    let mut hub = scheme(2)?;
    let ke = CountryCode::new("AK").map_err(|error| TradeBenchError::Refused {
        action: "country",
        error,
    })?;
    let (buyer_bank, seller_bank) = (ParticipantId(1), ParticipantId(2));
    // Twice what the matches ship (1 unit each), so that no line is ever fully shipped (which
    // would complete the baseline) within the run.
    let quantity = u128::from(matches).saturating_mul(2);
    let goods: Vec<GoodsLine> = (0..lines)
        .map(|i| GoodsLine {
            line_id: format!("L{i}"),
            description: format!("goods line {i}"),
            quantity,
            unit: "PCE".into(),
            unit_price: 100,
            quantity_tolerance: Tolerance::ABOUT,
            price_tolerance: Tolerance::ABOUT,
        })
        .collect();
    let total = quantity
        .checked_mul(100)
        .and_then(|t| t.checked_mul(u128::from(lines)))
        .ok_or(TradeBenchError::Size("lines × matches too large"))?;
    let incoterms = Incoterms {
        rule: Incoterm::Fob,
        place: "Mombasa".into(),
    };
    let baseline = uuid(1, 1);
    let terms = BaselineTerms {
        po_reference: "PO-BENCH".into(),
        buyer: party("Buyer Ltd", ke),
        seller: party("Seller GmbH", ke),
        buyer_bank,
        seller_bank,
        lines: goods,
        partial_shipment: true,
        shipment_earliest: T0,
        shipment_latest: T0 + 300 * 24 * 3600 * SECOND,
        incoterms: incoterms.clone(),
        currency: eur,
        total,
        obligation: PaymentObligation {
            obligor: buyer_bank,
            recipient: seller_bank,
            amount: total,
            expires_at: T0 + 390 * 24 * 3600 * SECOND,
            latest_match_at: T0 + 380 * 24 * 3600 * SECOND,
        },
        required: BTreeSet::from([DataSetKind::Transport]),
    };
    let mut now = T0 + SECOND;
    apply(
        &mut hub,
        now,
        &[Command::new(
            Principal::Participant(buyer_bank),
            Action::ProposeBaseline(Box::new(BaselineProposal {
                baseline,
                terms: terms.clone(),
                screening: verdict(),
            })),
        )],
    )?;
    now += SECOND;
    apply(
        &mut hub,
        now,
        &[Command::new(
            Principal::Participant(seller_bank),
            Action::AcceptBaseline {
                baseline,
                screening: verdict(),
            },
        )],
    )?;
    let presented = |priced: bool| -> Vec<PresentedLine> {
        terms
            .lines
            .iter()
            .map(|l| PresentedLine {
                line_id: l.line_id.clone(),
                quantity: 1,
                unit_price: priced.then_some(100),
            })
            .collect()
    };
    let submissions: Vec<Command> = (0..matches)
        .map(|n| {
            let data_set = |kind, h, priced: bool| DataSet {
                kind,
                hash: hash(h),
                document_ref: format!("DOC-{h}"),
                po_reference: terms.po_reference.clone(),
                buyer: Some(terms.buyer.clone()),
                seller: Some(terms.seller.clone()),
                lines: presented(priced),
                shipment_date: Some(T0 + SECOND),
                incoterms: Some(incoterms.clone()),
                currency: Some(eur),
                amount: priced.then_some(u128::from(lines) * 100),
            };
            Command::new(
                Principal::Participant(seller_bank),
                Action::SubmitDataSets(Box::new(DataSetSubmission {
                    baseline,
                    submission: uuid(2, n),
                    mode: SubmissionMode::Match,
                    data_sets: vec![
                        data_set(DataSetKind::Commercial, 2 * n, true),
                        data_set(DataSetKind::Transport, 2 * n + 1, false),
                    ],
                    screening: verdict(),
                })),
            )
        })
        .collect();
    let mut latencies = Vec::with_capacity(submissions.len());
    let mut busy = 0.0;
    for (n, command) in (0u64..).zip(&submissions) {
        now += SECOND;
        let started = Instant::now();
        let outcome = apply(&mut hub, now, std::slice::from_ref(command))?;
        let seconds = started.elapsed().as_secs_f64();
        let released = matches!(outcome.first(), Some(Success::TradeMatch(m)) if m.released > 0);
        if !released {
            return Err(TradeBenchError::NotMatched(n));
        }
        busy += seconds;
        latencies.push(seconds * 1_000.0);
    }
    Ok((latencies, busy))
}

/// A hub with `payments` committed payments between `BANKS` banks in ten countries.
fn report_hub(payments: u64) -> Result<Hub, TradeBenchError> {
    let eur = currency()?;
    let mut hub = scheme(BANKS)?;
    let country = CountryCode::new("AK").map_err(|error| TradeBenchError::Refused {
        action: "country",
        error,
    })?;
    let customer = |name: &str| Party {
        name: name.into(),
        address_lines: vec!["1 Main Street".into()],
        country,
        account: "AK0012345678".into(),
    };
    let mut now = T0 + SECOND;
    let mut n = 0u64;
    while n < payments {
        let size = BATCH.min(payments - n);
        let mut batch = Vec::new();
        for i in n..n + size {
            let debtor = ParticipantId(i % BANKS + 1);
            let creditor = ParticipantId((i * 7 + 3) % BANKS + 1);
            let creditor = if creditor == debtor {
                ParticipantId(debtor.0 % BANKS + 1)
            } else {
                creditor
            };
            let id = uuid(3, i);
            batch.push(Command::new(
                Principal::Participant(debtor),
                Action::CreatePayment(Box::new(CreatePayment {
                    instruction: PaymentInstruction {
                        payment_id: id,
                        end_to_end_id: format!("E2E-{i}"),
                        debtor: customer("Payer Ltd"),
                        creditor: customer("Payee Ltd"),
                        debtor_participant: debtor,
                        creditor_participant: creditor,
                        amount: u128::from(i % 10_000 + 1),
                        currency: eur,
                        remittance_info: None,
                        fx_quote: None,
                    },
                    expires_at: now + 60 * SECOND,
                    screening: verdict(),
                })),
            ));
            batch.push(Command::new(
                Principal::Participant(creditor),
                Action::AcceptPayment { payment: id },
            ));
        }
        apply(&mut hub, now, &batch)?;
        now += SECOND;
        n += size;
    }
    Ok(hub)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank; the float ↔ index conversions are of small counts.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs both phases.
pub fn trade(
    lines: u64,
    matches: u64,
    report_payments: u64,
) -> Result<TradeBenchResult, TradeBenchError> {
    if lines == 0 || lines > 500 || matches == 0 {
        return Err(TradeBenchError::Size(
            "lines must be 1..=500 and matches at least 1",
        ));
    }
    let (mut latencies, busy) = match_phase(lines, matches)?;
    latencies.sort_by(f64::total_cmp);
    let hub = report_hub(report_payments)?;
    let started = Instant::now();
    let report = hub
        .trade_report(0, u64::MAX, None)
        .map_err(|error| TradeBenchError::Refused {
            action: "trade_report",
            error,
        })?;
    let report_seconds = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let matches_per_sec = matches as f64 / busy.max(f64::MIN_POSITIVE);
    Ok(TradeBenchResult {
        bench: "trade",
        lines,
        matches,
        matches_per_sec,
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        report_payments,
        report_seconds,
        report_cells: u64::try_from(report.flows.len()).unwrap_or(u64::MAX),
    })
}
