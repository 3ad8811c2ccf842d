//! `kliring demo`: the main job in one command. Starts a real hub (HTTP server, journal,
//! sequencer) on a temporary directory, sets up a small scheme as its operator would, runs a few
//! thousand payments over the HTTP API as the participant banks would — some held by sanctions
//! screening, some refused by net debit caps, some rejected by the creditor, some left to
//! expire, some converted between currencies by an FX provider — then closes, nets and settles
//! the deferred-net settlement windows and prints a report.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use server::wire::*;
use uuid::Uuid;

use crate::client::HubClient;

#[derive(Args)]
pub struct DemoArgs {
    /// Keep the hub's data (journal, snapshots, lists) in DIR instead of a temporary directory,
    /// so that `kliring verify --data DIR` can check it afterwards.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Print the report as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    json: bool,
    /// Payments to send.
    #[arg(long, default_value_t = 3_000)]
    payments: usize,
    /// Seed of the payment generator, for a repeatable run.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// A demo bank: who it is and its net debit cap per deferred-net currency (major units).
struct Bank {
    name: &'static str,
    bic: &'static str,
    country: &'static str,
    net_debit_cap: u64,
}

const BANKS: [Bank; 5] = [
    Bank {
        name: "Equity Bank Kenya",
        bic: "EQBLKENA",
        country: "KE",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Access Bank Nigeria",
        bic: "ABNGNGLA",
        country: "NG",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Ecobank Ghana",
        bic: "ECOCGHAC",
        country: "GH",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Banque Misr",
        bic: "BMISEGCX",
        country: "EG",
        net_debit_cap: 40_000_000,
    },
    // A deliberately small cap: some of its payments are refused for lack of headroom.
    Bank {
        name: "Kigali Savings Bank",
        bic: "KSBLRWRW",
        country: "RW",
        net_debit_cap: 2_000_000,
    },
];

/// The scheme's FX provider: converts between the deferred-net currencies.
const FX_PROVIDER: Bank = Bank {
    name: "Afreximbank FX Desk",
    bic: "AFRIEGCX",
    country: "EG",
    net_debit_cap: 500_000_000,
};
/// Rates the provider publishes: (base, quote, rate, spread in basis points).
const FX_RATES: [(&str, &str, &str, u16); 1] = [("KES", "NGN", "11.9525", 40)];
/// Share of payments sent cross-currency (KES ↔ NGN through the provider), in percent.
const FX_PERCENT: u32 = 8;

/// (code, settlement model); every amount the demo draws has two decimals.
const CURRENCIES: [(&str, SettlementModelWire); 3] = [
    ("KES", SettlementModelWire::DeferredNet),
    ("NGN", SettlementModelWire::DeferredNet),
    ("EUR", SettlementModelWire::Gross),
];
/// Pre-funded EUR liquidity deposited for every bank (major units).
const EUR_DEPOSIT: u64 = 10_000_000;

const CUSTOMERS: [&str; 12] = [
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
const LISTED_NAMES: [&str; 5] = [
    "Kim Tong Myong",
    "Doku Umarov",
    "Умаров Доку Хаматович",
    "Muammar Qaddafi",
    "Jong Un Kim",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Accept,
    Reject,
    /// The creditor never answers: the reservation expires.
    Ignore,
}

struct Planned {
    request: CreatePaymentRequest,
    fate: Fate,
    minor: u128,
    /// For a cross-currency payment, the currency the creditor receives.
    fx_target: Option<&'static str>,
}

#[derive(Default, Serialize)]
struct Totals {
    count: u64,
    /// Per currency, in minor units rendered as decimal strings.
    amounts: BTreeMap<String, String>,
    #[serde(skip)]
    minor: BTreeMap<String, u128>,
}

impl Totals {
    fn add(&mut self, currency: &str, minor: u128) {
        self.count += 1;
        let total = self.minor.entry(currency.to_string()).or_default();
        *total = total.saturating_add(minor);
        self.amounts.insert(currency.to_string(), decimal(*total));
    }
}

#[derive(Serialize)]
struct ParticipantLine {
    id: u64,
    name: String,
    bic: String,
    sent: Totals,
    received: Totals,
    balances: Vec<BalanceView>,
}

#[derive(Serialize)]
struct Report {
    data_dir: String,
    payments_submitted: usize,
    /// Payments the hub refused outright (nothing recorded), by reason code.
    refused: BTreeMap<String, u64>,
    /// Final status of every payment the hub took, and the reasons of the unsuccessful ones.
    outcomes: BTreeMap<String, u64>,
    reasons: BTreeMap<String, u64>,
    held_released: u64,
    held_rejected: u64,
    seconds: f64,
    participants: Vec<ParticipantLine>,
    /// Deferred-net settlement windows closed, netted and settled at the end of the run.
    windows: Vec<WindowSummary>,
    lists: Vec<ListVersionView>,
}

#[derive(Serialize)]
struct WindowSummary {
    window: WindowView,
    /// Where the CSV settlement report was written.
    csv: String,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_hub(args))
}

async fn run_hub(args: DemoArgs) -> anyhow::Result<()> {
    let temp = tempfile::Builder::new().prefix("kliring-demo-").tempdir()?;
    let data_dir = args
        .data
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    let operator_token = server::token::generate();
    let mut config = server::ServerConfig::new(&data_dir, "127.0.0.1:0".parse()?);
    config.operator_token = Some(operator_token.clone());
    config.lists = screening::fixtures::demo_lists().context("demo sanctions lists")?;
    config.tick_interval_ms = 200;
    let hub_server = server::start(config).await.context("starting the hub")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .build()?;
    let operator = HubClient::new(http, &hub_server.base_url(), &operator_token);
    let report = drive(&operator, &args, data_dir.display().to_string()).await;
    // Stop the hub before the temporary directory goes, whatever happened.
    hub_server.shutdown().await.context("stopping the hub")?;
    print_report(&report?, args.json)?;
    if args.data.is_some() && !args.json {
        println!(
            "\nThe journal is in {}; check it with: kliring verify --data {}",
            data_dir.display(),
            data_dir.display()
        );
    }
    Ok(())
}

/// Everything the operator, the banks and the compliance officers do, over HTTP.
async fn drive(operator: &HubClient, args: &DemoArgs, data_dir: String) -> anyhow::Result<Report> {
    let started = Instant::now();
    let scheme = set_up_scheme(operator).await?;
    let plan = plan_payments(&scheme, args.payments, args.seed);
    let refused = submit_all(&scheme, &plan).await?;
    let by_id: BTreeMap<Uuid, &Planned> = plan.iter().map(|p| (p.request.payment_id, p)).collect();
    let mut cursors = vec![0u64; scheme.banks.len()];
    decide_incoming(&scheme, &mut cursors, &by_id).await?;
    let holds = review_holds(&scheme).await?;
    decide_incoming(&scheme, &mut cursors, &by_id).await?;
    wait_for_expiries(operator, &plan).await?;
    let windows = settle_windows(operator, &data_dir).await?;
    let mut report = build_report(
        operator,
        &scheme,
        &plan,
        data_dir,
        refused,
        holds,
        started.elapsed(),
    )
    .await?;
    report.windows = windows;
    Ok(report)
}

struct Scheme {
    /// Participant id of the FX provider.
    fx_provider: u64,
    /// Every participant, the FX provider included, for the report.
    participants: Vec<ParticipantView>,
    /// Per bank: its participant id and a client acting as it.
    banks: Vec<(ParticipantView, HubClient)>,
    officers: [HubClient; 2],
    lists: Vec<ListVersionView>,
}

async fn set_up_scheme(operator: &HubClient) -> anyhow::Result<Scheme> {
    for (code, settlement_model) in CURRENCIES {
        let _: CurrencyView = operator
            .post(
                "/v1/currencies",
                &AddCurrencyRequest {
                    code: code.to_string(),
                    exponent: 2,
                    settlement_model,
                },
            )
            .await?;
    }
    let mut banks = Vec::new();
    for bank in &BANKS {
        banks.push(admit(operator, bank, false).await?);
    }
    let (provider, provider_client) = admit(operator, &FX_PROVIDER, true).await?;
    for (base, quote, rate, spread_bp) in FX_RATES {
        let _: RateView = provider_client
            .post(
                "/v1/fx/rates",
                &PublishRateRequest {
                    base: base.to_string(),
                    quote: quote.to_string(),
                    rate: rate.to_string(),
                    spread_bp,
                },
            )
            .await?;
    }
    let mut officers = Vec::new();
    for name in ["Officer Achieng", "Officer Adeyemi"] {
        let credential: CredentialView = operator
            .post(
                "/v1/credentials",
                &CreateCredentialRequest {
                    role: CredentialRoleWire::ComplianceOfficer,
                    participant_id: None,
                    officer: Some(name.to_string()),
                },
            )
            .await?;
        officers.push(operator.as_principal(&credential.token));
    }
    let health: HealthView = operator.get("/v1/health").await?;
    let officers: [HubClient; 2] = officers
        .try_into()
        .map_err(|_| anyhow::anyhow!("two compliance officers expected"))?;
    let mut participants: Vec<ParticipantView> = banks.iter().map(|(v, _)| v.clone()).collect();
    participants.push(provider.clone());
    Ok(Scheme {
        fx_provider: provider.id,
        participants,
        banks,
        officers,
        lists: health.lists,
    })
}

/// Admits a bank, issues its token, and sets its caps (deferred net) or deposits liquidity (gross).
async fn admit(
    operator: &HubClient,
    bank: &Bank,
    fx_provider: bool,
) -> anyhow::Result<(ParticipantView, HubClient)> {
    let mut roles = vec![ParticipantRoleWire::Participant];
    if fx_provider {
        roles.push(ParticipantRoleWire::FxProvider);
    }
    let view: ParticipantView = operator
        .post(
            "/v1/participants",
            &AdmitParticipantRequest {
                name: bank.name.to_string(),
                bic: bank.bic.to_string(),
                country: bank.country.to_string(),
                roles,
            },
        )
        .await?;
    let credential: CredentialView = operator
        .post(
            "/v1/credentials",
            &CreateCredentialRequest {
                role: CredentialRoleWire::Participant,
                participant_id: Some(view.id),
                officer: None,
            },
        )
        .await?;
    for (code, model) in CURRENCIES {
        let path = format!("/v1/participants/{}", view.id);
        let _: BalanceView = match model {
            SettlementModelWire::DeferredNet => {
                operator
                    .put(
                        &format!("{path}/net-debit-cap"),
                        &NetDebitCapRequest {
                            currency: code.to_string(),
                            cap: format!("{}.00", bank.net_debit_cap),
                        },
                    )
                    .await?
            }
            SettlementModelWire::Gross => {
                operator
                    .post(
                        &format!("{path}/liquidity/deposits"),
                        &LiquidityRequest {
                            currency: code.to_string(),
                            amount: format!("{EUR_DEPOSIT}.00"),
                        },
                    )
                    .await?
            }
        };
    }
    let client = operator.as_principal(&credential.token);
    Ok((view, client))
}

fn plan_payments(scheme: &Scheme, count: usize, seed: u64) -> Vec<Planned> {
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
fn rng_account(seed: u64, index: usize, bank: usize) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).rotate_left(17) ^ bank as u64);
    rng.random_range(1_000_000_000..10_000_000_000)
}

fn progress(len: usize, message: &'static str) -> anyhow::Result<ProgressBar> {
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
async fn submit_all(scheme: &Scheme, plan: &[Planned]) -> anyhow::Result<BTreeMap<String, u64>> {
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
                    Err(error) => match error.downcast::<crate::client::Refused>() {
                        Ok(refusal) => refused.push(refusal.body),
                        Err(other) => return Err(other),
                    },
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
const REFUSALS_EXPECTED: [&str; 1] = ["insufficient_funds"];

/// Every creditor reads its inbox and answers incoming payments in bulk, as planned.
async fn decide_incoming(
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
async fn review_holds(scheme: &Scheme) -> anyhow::Result<(u64, u64)> {
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
async fn wait_for_expiries(operator: &HubClient, plan: &[Planned]) -> anyhow::Result<()> {
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

async fn count_payments(operator: &HubClient, status: PaymentStatusWire) -> anyhow::Result<usize> {
    Ok(all_payments(operator, Some(status)).await?.len())
}

async fn all_payments(
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
/// into one figure per participant), saves the CSV report, and confirms settlement, which resets
/// the positions by the netted figures.
async fn settle_windows(
    operator: &HubClient,
    data_dir: &str,
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
        let csv_path = std::path::Path::new(data_dir)
            .join(format!("settlement-window-{}-{currency}.csv", closed.id));
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

/// The snake_case name serde gives a wire enum value.
fn wire_name<T: Serialize>(value: &T) -> anyhow::Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(name) => Ok(name),
        other => anyhow::bail!("not a wire enum: {other}"),
    }
}

/// Parses a two-decimal amount as the hub renders it ("1234.56").
fn minor_units(amount: &str) -> anyhow::Result<u128> {
    let (units, cents) = amount.split_once('.').unwrap_or((amount, "00"));
    let parse = |digits: &str| {
        digits
            .parse::<u128>()
            .with_context(|| format!("amount {amount:?}"))
    };
    anyhow::ensure!(
        cents.len() == 2,
        "amount {amount:?} does not have two decimals"
    );
    parse(units)?
        .checked_mul(100)
        .and_then(|minor| minor.checked_add(parse(cents).ok()?))
        .with_context(|| format!("amount {amount:?} out of range"))
}

/// Minor units of a two-decimal currency as a decimal string.
fn decimal(minor: u128) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

async fn build_report(
    operator: &HubClient,
    scheme: &Scheme,
    plan: &[Planned],
    data_dir: String,
    refused: BTreeMap<String, u64>,
    (held_released, held_rejected): (u64, u64),
    elapsed: Duration,
) -> anyhow::Result<Report> {
    let minor_by_id: BTreeMap<Uuid, u128> = plan
        .iter()
        .map(|p| (p.request.payment_id, p.minor))
        .collect();
    let mut outcomes = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    let mut sent: BTreeMap<u64, Totals> = BTreeMap::new();
    let mut received: BTreeMap<u64, Totals> = BTreeMap::new();
    for payment in all_payments(operator, None).await? {
        *outcomes.entry(wire_name(&payment.status)?).or_insert(0u64) += 1;
        if let Some(reason) = &payment.reason_code {
            *reasons.entry(reason.clone()).or_insert(0u64) += 1;
        }
        if payment.status == PaymentStatusWire::Committed {
            let minor = *minor_by_id
                .get(&payment.payment_id)
                .context("the hub reports a payment the demo did not send")?;
            sent.entry(payment.debtor_participant)
                .or_default()
                .add(&payment.currency, minor);
            let (currency, received_minor) = match &payment.fx {
                Some(fx) => (fx.target_currency.clone(), minor_units(&fx.target_amount)?),
                None => (payment.currency.clone(), minor),
            };
            received
                .entry(payment.creditor_participant)
                .or_default()
                .add(&currency, received_minor);
        }
    }
    let mut participants = Vec::new();
    for view in &scheme.participants {
        let balances: Vec<BalanceView> = operator
            .get(&format!("/v1/participants/{}/balances", view.id))
            .await?;
        participants.push(ParticipantLine {
            id: view.id,
            name: view.name.clone(),
            bic: view.bic.clone(),
            sent: sent.remove(&view.id).unwrap_or_default(),
            received: received.remove(&view.id).unwrap_or_default(),
            balances,
        });
    }
    Ok(Report {
        data_dir,
        payments_submitted: plan.len(),
        refused,
        outcomes,
        reasons,
        held_released,
        held_rejected,
        seconds: elapsed.as_secs_f64(),
        participants,
        windows: Vec::new(),
        lists: scheme.lists.clone(),
    })
}

fn print_report(report: &Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    println!(
        "kliring demo: {} payments in {:.1} s",
        report.payments_submitted, report.seconds
    );
    println!("\nRefused on submission (nothing recorded)");
    for (code, count) in &report.refused {
        println!("  {code:<36} {count:>6}");
    }
    println!("\nOutcomes of the payments taken");
    for (status, count) in &report.outcomes {
        println!("  {status:<12} {count:>6}");
    }
    println!(
        "  (held by sanctions screening: {} released, {} rejected by a second officer)",
        report.held_released, report.held_rejected
    );
    println!("\nReasons for payments that did not complete");
    for (reason, count) in &report.reasons {
        println!("  {reason:<36} {count:>6}");
    }
    println!("\nParticipants (committed payments; balances after settlement)");
    for line in &report.participants {
        println!("  #{} {} ({})", line.id, line.name, line.bic);
        println!(
            "    sent      {:>5}  {}",
            line.sent.count,
            amounts(&line.sent)
        );
        println!(
            "    received  {:>5}  {}",
            line.received.count,
            amounts(&line.received)
        );
        for balance in &line.balances {
            println!(
                "    {}  position {:>16}  liquidity {:>14}  available {:>16}",
                balance.currency, balance.position, balance.liquidity, balance.available
            );
        }
    }
    println!("\nSettlement windows (deferred net)");
    for summary in &report.windows {
        let window = &summary.window;
        println!(
            "  window #{} {}: {}",
            window.id,
            window.currency,
            wire_name(&window.status)?
        );
        if let Some(netted) = &window.report {
            println!(
                "    {} payments, gross {} → net {} ({} instructions)",
                netted.obligation_count,
                netted.gross_total,
                netted.net_total,
                netted.instructions.len()
            );
            for position in &netted.positions {
                println!(
                    "    participant #{:<3} net {:>16}",
                    position.participant, position.net
                );
            }
        }
        println!("    report: {}", summary.csv);
    }
    println!("\nSanctions lists used");
    for list in &report.lists {
        let label = list
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        println!("  {} {}{label}", list.source, list.version);
    }
    Ok(())
}

fn amounts(totals: &Totals) -> String {
    totals
        .amounts
        .iter()
        .map(|(currency, amount)| format!("{currency} {amount}"))
        .collect::<Vec<_>>()
        .join(", ")
}
