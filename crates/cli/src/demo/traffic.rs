//! The demo's traffic: payments planned from a seed, sent in bulk (and cross-currency with a
//! quote), answered by creditors from their inboxes, reviewed by compliance, left to expire, and
//! the deferred-net windows closed and settled by the operator.

use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::report::{WindowSummary, wire_name};
use super::scheme::{BANKS, CURRENCIES, FX_PERCENT, FX_RATES, Scheme};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use api::wire::*;
use uuid::Uuid;

use api::client::HubClient;

pub(super) const CUSTOMERS: [&str; 12] = [
    "Amina Odhiambo",
    "Chukwuemeka Obi",
    "Kwame Mensah",
    "Nour El-Sayed",
    "Jean-Paul Habimana",
    "Savannah Coffee Exporters Ltd",
    "Lagos Textile Mills Plc",
    "Accra Cocoa Traders",
    "Nile Valley Cotton Co",
    "Great Lakes Logistics",
    "Wanjiru Kamau",
    "Fatima Bello",
];
/// Spellings of listed names (demo lists): other romanisations, order, and scripts.
pub(super) const LISTED_NAMES: [&str; 5] = [
    "Kim Tong Myong",
    "Doku Umarov",
    "Умаров Доку Хаматович",
    "Muammar Qaddafi",
    "Jong Un Kim",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    Accept,
    Reject,
    /// The creditor never answers: the reservation expires.
    Ignore,
}

pub(super) struct Planned {
    pub(super) request: CreatePaymentRequest,
    pub(super) fate: Fate,
    pub(super) minor: u128,
    /// For a cross-currency payment, the currency the creditor receives.
    pub(super) fx_target: Option<&'static str>,
}

pub(super) fn plan_payments(scheme: &Scheme, count: usize, seed: u64) -> Vec<Planned> {
    let mut rng = StdRng::seed_from_u64(seed);
    let banks = scheme.banks.len();
    (0..count)
        .map(|index| {
            let debtor = rng.random_range(0..banks);
            let creditor = (debtor + rng.random_range(1..banks)) % banks;
            let fx = rng.random_ratio(FX_PERCENT, 100);
            let (currency, fx_target) = if fx {
                let pair = FX_RATES[rng.random_range(0..FX_RATES.len())];
                if rng.random_bool(0.5) {
                    (pair.0, Some(pair.1))
                } else {
                    (pair.1, Some(pair.0))
                }
            } else {
                (CURRENCIES[rng.random_range(0..CURRENCIES.len())].0, None)
            };
            // Mostly retail and trade sizes, with a tail of large trade payments.
            let major: u64 = if rng.random_bool(0.05) {
                rng.random_range(200_000..1_500_000)
            } else {
                rng.random_range(10..50_000)
            };
            let cents: u64 = rng.random_range(0..100);
            let listed = rng.random_bool(0.01);
            let creditor_name = if listed {
                LISTED_NAMES[rng.random_range(0..LISTED_NAMES.len())]
            } else {
                CUSTOMERS[rng.random_range(0..CUSTOMERS.len())]
            };
            let fate = match rng.random_range(0..100) {
                0..=84 => Fate::Accept,
                85..=92 => Fate::Reject,
                _ => Fate::Ignore,
            };
            let party = |name: &str, bank: usize| PartyWire {
                name: name.to_string(),
                address: vec![],
                country: BANKS[bank].country.to_string(),
                account: format!("{:010}", rng_account(seed, index, bank)),
            };
            let request = CreatePaymentRequest {
                payment_id: Uuid::from_u128(rng.random()),
                end_to_end_id: format!("DEMO-{index:06}"),
                debtor: party(CUSTOMERS[index % CUSTOMERS.len()], debtor),
                creditor: party(creditor_name, creditor),
                debtor_participant: scheme.banks[debtor].0.id,
                creditor_participant: scheme.banks[creditor].0.id,
                amount: format!("{major}.{cents:02}"),
                currency: currency.to_string(),
                remittance_info: Some(format!("Invoice {index:06}")),
                expires_in_secs: Some(if fate == Fate::Ignore { 1 } else { 600 }),
                fx_quote_id: None,
                ..CreatePaymentRequest::default()
            };
            let minor = u128::from(major) * 100 + u128::from(cents);
            Planned {
                request,
                fate,
                minor,
                fx_target,
            }
        })
        .collect()
}

/// A stable, made-up customer account number.
pub(super) fn rng_account(seed: u64, index: usize, bank: usize) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).rotate_left(17) ^ bank as u64);
    rng.random_range(1_000_000_000..10_000_000_000)
}

pub(super) fn progress(len: usize, message: &'static str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(u64::try_from(len)?).with_style(
        ProgressStyle::with_template("{msg:<22} [{bar:40}] {pos}/{len} ({per_sec})")?
            .progress_chars("=> "),
    );
    bar.set_message(message);
    Ok(bar)
}

/// Each bank sends its payments in bulk files of up to `BULK` items, all banks at once.
/// Returns the refusals (payments the hub did not take: no headroom under the net debit cap,
/// no pre-funded liquidity) counted by reason code.
pub(super) async fn submit_all(
    scheme: &Scheme,
    plan: &[Planned],
) -> anyhow::Result<BTreeMap<String, u64>> {
    const BULK: usize = 200;
    let bar = progress(plan.len(), "sending payments")?;
    let mut tasks = tokio::task::JoinSet::new();
    for (view, client) in &scheme.banks {
        let (cross, same): (Vec<&Planned>, Vec<&Planned>) = plan
            .iter()
            .filter(|p| p.request.debtor_participant == view.id)
            .partition(|p| p.fx_target.is_some());
        let mine: Vec<serde_json::Value> = same
            .iter()
            .map(|p| serde_json::to_value(&p.request))
            .collect::<Result<_, _>>()?;
        let cross: Vec<(CreatePaymentRequest, &'static str)> = cross
            .iter()
            .filter_map(|p| Some((p.request.clone(), p.fx_target?)))
            .collect();
        let client = client.clone();
        let bar = bar.clone();
        let provider = scheme.fx_provider;
        tasks.spawn(async move {
            let mut refused = Vec::new();
            // Cross-currency: a quote from the provider first, then the payment naming it.
            for (mut request, target) in cross {
                let quote: QuoteView = client
                    .post(
                        "/v1/fx/quotes",
                        &QuoteRequestWire {
                            provider,
                            source_currency: request.currency.clone(),
                            target_currency: target.to_string(),
                            source_amount: request.amount.clone(),
                            expires_in_secs: Some(60),
                        },
                    )
                    .await?;
                request.fx_quote_id = Some(quote.quote_id);
                match client
                    .post::<_, PaymentResult>("/v1/payments", &request)
                    .await
                {
                    Ok(_) => {}
                    Err(api::client::ClientError::Refused { refused: r, .. }) => {
                        refused.push(r.body)
                    }
                    Err(other) => return Err(other.into()),
                }
                bar.inc(1);
            }
            for chunk in mine.chunks(BULK) {
                let response: BulkResponse = client
                    .post(
                        "/v1/payments/bulk",
                        &BulkPaymentsRequest {
                            payments: chunk.to_vec(),
                        },
                    )
                    .await?;
                bar.inc(u64::try_from(chunk.len())?);
                refused.extend(response.results.into_iter().filter_map(|item| item.error));
            }
            Ok::<_, anyhow::Error>(refused)
        });
    }
    let mut refused = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        for error in joined?? {
            if !REFUSALS_EXPECTED.contains(&error.code.as_str()) {
                anyhow::bail!(
                    "a demo payment was refused: {} {}",
                    error.code,
                    error.message
                );
            }
            *refused.entry(error.code).or_insert(0) += 1;
        }
    }
    bar.finish_and_clear();
    Ok(refused)
}

/// Refusals the demo provokes on purpose; any other refusal is a bug in the demo or the hub.
pub(super) const REFUSALS_EXPECTED: [&str; 1] = ["insufficient_funds"];

/// Every creditor reads its inbox and answers incoming payments in bulk, as planned.
pub(super) async fn decide_incoming(
    scheme: &Scheme,
    cursors: &mut [u64],
    plan: &BTreeMap<Uuid, &Planned>,
) -> anyhow::Result<()> {
    let mut decisions = Vec::new();
    for ((_, client), cursor) in scheme.banks.iter().zip(cursors.iter_mut()) {
        let mut mine = Vec::new();
        loop {
            let page: InboxPage = client
                .get(&format!("/v1/inbox?after={cursor}&limit=1000"))
                .await?;
            if page.events.is_empty() {
                break;
            }
            *cursor = page.next_cursor;
            for event in page.events {
                let Some(planned) = plan.get(&event.payment_id) else {
                    continue;
                };
                let decision = match (event.kind, planned.fate) {
                    (InboxEventKind::IncomingPayment, Fate::Accept) => DecisionWire::Accept,
                    (InboxEventKind::IncomingPayment, Fate::Reject) => DecisionWire::Reject,
                    _ => continue,
                };
                mine.push(serde_json::to_value(DecisionItem {
                    payment_id: event.payment_id,
                    decision,
                    reason: (decision == DecisionWire::Reject)
                        .then(|| "closed_account_number".to_string()),
                })?);
            }
        }
        decisions.push((client.clone(), mine));
    }
    let total = decisions.iter().map(|(_, d)| d.len()).sum();
    let bar = progress(total, "creditors deciding")?;
    for (client, mine) in decisions {
        for chunk in mine.chunks(500) {
            let response: BulkResponse = client
                .post(
                    "/v1/payments/bulk-decisions",
                    &BulkDecisionsRequest {
                        decisions: chunk.to_vec(),
                    },
                )
                .await?;
            bar.inc(u64::try_from(chunk.len())?);
            if let Some(error) = response.results.into_iter().find_map(|r| r.error) {
                anyhow::bail!(
                    "a creditor's decision was refused: {} {}",
                    error.code,
                    error.message
                );
            }
        }
    }
    bar.finish_and_clear();
    Ok(())
}

/// Four eyes: the first officer reviews every held payment; the second releases those whose
/// match is a namesake and rejects the rest. The demo releases every other one.
pub(super) async fn review_holds(scheme: &Scheme) -> anyhow::Result<(u64, u64)> {
    let [reviewer, approver] = &scheme.officers;
    let held: Vec<HeldPaymentView> = reviewer.get("/v1/compliance/held").await?;
    let (mut released, mut rejected) = (0, 0);
    for (index, hold) in held.iter().enumerate() {
        let id = hold.payment.payment_id;
        let _: PaymentResult = reviewer
            .post(&format!("/v1/compliance/held/{id}/review"), &())
            .await?;
        let action = if index % 2 == 0 { "release" } else { "reject" };
        let _: PaymentResult = approver
            .post(&format!("/v1/compliance/held/{id}/{action}"), &())
            .await?;
        if index % 2 == 0 {
            released += 1;
        } else {
            rejected += 1;
        }
    }
    Ok((released, rejected))
}

/// Payments nobody answers expire one second after reservation; the hub's idle tick voids them.
pub(super) async fn wait_for_expiries(
    operator: &HubClient,
    plan: &[Planned],
) -> anyhow::Result<()> {
    let ignored = plan.iter().filter(|p| p.fate == Fate::Ignore).count();
    let bar = progress(ignored, "waiting for expiries")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reserved = count_payments(operator, PaymentStatusWire::Reserved).await?;
        let expired = count_payments(operator, PaymentStatusWire::Expired).await?;
        bar.set_position(u64::try_from(expired)?);
        if reserved == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bar.finish_and_clear();
    Ok(())
}

pub(super) async fn count_payments(
    operator: &HubClient,
    status: PaymentStatusWire,
) -> anyhow::Result<usize> {
    Ok(all_payments(operator, Some(status)).await?.len())
}

pub(super) async fn all_payments(
    client: &HubClient,
    status: Option<PaymentStatusWire>,
) -> anyhow::Result<Vec<PaymentView>> {
    let status = match status {
        Some(status) => format!("&status={}", wire_name(&status)?),
        None => String::new(),
    };
    let mut payments = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: PaymentPage = client
            .get(&format!("/v1/payments?limit=1000{status}{cursor}"))
            .await?;
        payments.extend(page.payments);
        match page.next_cursor {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return Ok(payments),
        }
    }
}

/// The operator closes each deferred-net currency's window (netting every committed payment
/// into one figure per participant), saves the CSV report into `out_dir` (an absolute path the
/// user keeps), and confirms settlement, which resets the positions by the netted figures.
pub(super) async fn settle_windows(
    operator: &HubClient,
    out_dir: &std::path::Path,
) -> anyhow::Result<Vec<WindowSummary>> {
    let mut summaries = Vec::new();
    for (currency, model) in CURRENCIES {
        if model != SettlementModelWire::DeferredNet {
            continue;
        }
        let closed: WindowView = operator
            .post(
                "/v1/settlement/windows/close",
                &CloseWindowRequest {
                    currency: currency.to_string(),
                    mode: InstructionModeWire::ViaSettlementAccount,
                },
            )
            .await?;
        let csv = operator
            .get_text(&format!("/v1/settlement/windows/{}/report.csv", closed.id))
            .await?;
        let csv_path = out_dir.join(format!("settlement-window-{}-{currency}.csv", closed.id));
        std::fs::write(&csv_path, csv)
            .with_context(|| format!("writing {}", csv_path.display()))?;
        let settled: WindowView = operator
            .post(&format!("/v1/settlement/windows/{}/settle", closed.id), &())
            .await?;
        // The netted figures come from the close; the settle answer carries the final status.
        summaries.push(WindowSummary {
            window: WindowView {
                report: closed.report,
                ..settled
            },
            csv: csv_path.display().to_string(),
        });
    }
    Ok(summaries)
}
