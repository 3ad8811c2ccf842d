//! The demo's report: outcomes from the hub's own records, per-participant totals and balances,
//! the settled windows, and the lists used; printed for people or as JSON.

use super::scheme::Scheme;
use super::traffic::{Planned, all_payments};
use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use api::wire::*;
use serde::Serialize;
use uuid::Uuid;

use api::client::HubClient;

#[derive(Default, Serialize)]
pub(super) struct Totals {
    pub(super) count: u64,
    /// Per currency, in minor units rendered as decimal strings.
    pub(super) amounts: BTreeMap<String, String>,
    #[serde(skip)]
    pub(super) minor: BTreeMap<String, u128>,
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
pub(super) struct ParticipantLine {
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) bic: String,
    pub(super) sent: Totals,
    pub(super) received: Totals,
    pub(super) balances: Vec<BalanceView>,
}

#[derive(Serialize)]
pub(super) struct Report {
    /// The hub's data directory when it is kept (`--data`); absent for a temporary one.
    pub(super) data_dir: Option<String>,
    pub(super) payments_submitted: usize,
    /// Payments the hub refused outright (nothing recorded), by reason code.
    pub(super) refused: BTreeMap<String, u64>,
    /// Final status of every payment the hub took, and the reasons of the unsuccessful ones.
    pub(super) outcomes: BTreeMap<String, u64>,
    pub(super) reasons: BTreeMap<String, u64>,
    pub(super) held_released: u64,
    pub(super) held_rejected: u64,
    pub(super) seconds: f64,
    pub(super) participants: Vec<ParticipantLine>,
    /// Deferred-net settlement windows closed, netted and settled at the end of the run.
    pub(super) windows: Vec<WindowSummary>,
    pub(super) lists: Vec<ListVersionView>,
    /// With `--data`: what was left behind to serve the hub again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) kept: Option<super::KeptHub>,
}

#[derive(Serialize)]
pub(super) struct WindowSummary {
    pub(super) window: WindowView,
    /// Where the CSV settlement report was written.
    pub(super) csv: String,
}

/// The snake_case name serde gives a wire enum value.
pub(super) fn wire_name<T: Serialize>(value: &T) -> anyhow::Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(name) => Ok(name),
        other => anyhow::bail!("not a wire enum: {other}"),
    }
}

/// Parses a two-decimal amount as the hub renders it ("1234.56").
pub(super) fn minor_units(amount: &str) -> anyhow::Result<u128> {
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
pub(super) fn decimal(minor: u128) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

pub(super) async fn build_report(
    operator: &HubClient,
    scheme: &Scheme,
    plan: &[Planned],
    data_dir: Option<String>,
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
        kept: None,
    })
}

pub(super) fn print_report(report: &Report, json: bool) -> anyhow::Result<()> {
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

pub(super) fn amounts(totals: &Totals) -> String {
    totals
        .amounts
        .iter()
        .map(|(currency, amount)| format!("{currency} {amount}"))
        .collect::<Vec<_>>()
        .join(", ")
}
