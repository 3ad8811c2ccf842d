//! `kliring demo`: the main job in one command. Starts a real hub (HTTP server, journal,
//! sequencer) on a temporary directory, sets up a small scheme as its operator would, runs a few
//! thousand payments over the HTTP API as the participant banks would — some held by sanctions
//! screening, some refused by net debit caps, some rejected by the creditor, some left to
//! expire, some converted between currencies by an FX provider — then closes, nets and settles
//! the deferred-net settlement windows and prints a report.

mod report;
mod scheme;
mod traffic;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use uuid::Uuid;

use api::client::HubClient;
use report::{Report, build_report, print_report};
use scheme::set_up_scheme;
use traffic::{
    Planned, decide_incoming, plan_payments, review_holds, settle_windows, submit_all,
    wait_for_expiries,
};

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
