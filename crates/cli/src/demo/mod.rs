//! `kliring demo`: the main job in one command. Starts a real hub (HTTP server, journal,
//! sequencer) on a temporary directory, sets up a small scheme as its operator would, runs a few
//! thousand payments over the HTTP API as the participant banks would — some held by sanctions
//! screening, some refused by net debit caps, some rejected by the creditor, some left to
//! expire, some converted between currencies by an FX provider — then closes, nets and settles
//! the deferred-net settlement windows and prints a report. The settlement reports (CSV) are
//! written to `--out` (the current directory by default). With `--data DIR` the hub is left
//! behind ready to serve: its journal, the demo's lists in `DIR/lists`, and every token.

mod report;
mod scheme;
mod traffic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use uuid::Uuid;

use api::client::HubClient;
use report::{Report, build_report, print_report};
use scheme::{IssuedToken, set_up_scheme};
use traffic::{
    Planned, decide_incoming, plan_payments, review_holds, settle_windows, submit_all,
    wait_for_expiries,
};

#[derive(Args)]
pub struct DemoArgs {
    /// Keep the hub in DIR (a new or empty directory) instead of a temporary one: its journal,
    /// the demo's sanctions lists (DIR/lists) and every token (DIR/operator.token,
    /// DIR/tokens/*.token, mode 0600), so that `kliring serve --data DIR` runs it again and
    /// `kliring verify --data DIR` checks it.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Write the settlement reports (one CSV per deferred-net window) into DIR, created if
    /// missing; the current directory by default. Their absolute paths are printed.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// Print the report as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    json: bool,
    /// Payments to send.
    #[arg(long, value_name = "N", default_value_t = 3_000)]
    payments: usize,
    /// Seed of the payment generator, for a repeatable run.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// With `--data`: what the demo left behind so that the hub can be served again.
#[derive(serde::Serialize)]
pub(super) struct KeptHub {
    /// The data directory (absolute).
    data_dir: String,
    /// The command that serves it.
    serve_command: String,
    /// Where the operator's token is (the file `kliring serve` reads).
    operator_token_file: String,
    operator_token: String,
    /// The participants' and officers' tokens and their files.
    tokens: Vec<KeptToken>,
}

#[derive(serde::Serialize)]
struct KeptToken {
    #[serde(flatten)]
    issued: IssuedToken,
    file: String,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_hub(args))
}

/// Refuses a data directory that already holds something: the demo sets up a scheme from
/// scratch, and must not mix its journal or tokens with another hub's.
fn check_new_or_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            anyhow::ensure!(
                entries.next().is_none(),
                "--data {} is not empty; the demo needs a new or empty directory (an existing \
                 hub is run with `kliring serve --data {}`)",
                dir.display(),
                dir.display()
            );
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error).with_context(|| format!("reading {}", dir.display())),
    }
}

/// An absolute form of a directory, created if missing.
fn absolute_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    dir.canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))
}

async fn run_hub(args: DemoArgs) -> anyhow::Result<()> {
    let kept_dir = match &args.data {
        Some(dir) => {
            check_new_or_empty(dir)?;
            Some(absolute_dir(dir)?)
        }
        None => None,
    };
    let out_dir = absolute_dir(&args.out)?;
    let temp = tempfile::Builder::new().prefix("kliring-demo-").tempdir()?;
    let data_dir = kept_dir
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
    let kept_name = kept_dir.as_ref().map(|dir| dir.display().to_string());
    let report = drive(&operator, &args, kept_name, &out_dir).await;
    // Stop the hub before the temporary directory goes, whatever happened.
    hub_server.shutdown().await.context("stopping the hub")?;
    let (mut report, tokens) = report?;
    if let Some(dir) = &kept_dir {
        report.kept = Some(keep(dir, &operator_token, tokens)?);
    }
    print_report(&report, args.json)?;
    if !args.json {
        println!("\nSettlement reports written to {}", out_dir.display());
        if let Some(kept) = &report.kept {
            print_kept(kept);
        }
    }
    Ok(())
}

/// Leaves the stopped hub in `dir` ready to serve: the demo's lists in `dir/lists` (labelled
/// demo data) and every token in a file of its own (mode 0600).
fn keep(dir: &Path, operator_token: &str, tokens: Vec<IssuedToken>) -> anyhow::Result<KeptHub> {
    let store = screening::ListStore::new(dir.join("lists"));
    for raw in [
        screening::fixtures::demo_un_raw(),
        screening::fixtures::demo_ofac_raw(),
    ] {
        let imported = screening::import(
            &raw,
            Some(screening::fixtures::DEMO_LABEL),
            &mut screening::no_progress,
        )
        .context("demo sanctions lists")?;
        store
            .save(&raw, &imported.version)
            .with_context(|| format!("saving the demo lists into {}", store.dir().display()))?;
    }
    // The file `kliring serve` reads the operator's token from (server's bootstrap).
    let operator_file = dir.join("operator.token");
    write_token(&operator_file, operator_token)?;
    let tokens_dir = dir.join("tokens");
    create_private_dir(&tokens_dir)?;
    let mut kept = Vec::new();
    for issued in tokens {
        let stem = issued
            .bic
            .clone()
            .unwrap_or_else(|| issued.name.clone())
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let file = tokens_dir.join(format!("{stem}.token"));
        write_token(&file, &issued.token)?;
        kept.push(KeptToken {
            issued,
            file: file.display().to_string(),
        });
    }
    Ok(KeptHub {
        data_dir: dir.display().to_string(),
        serve_command: format!("kliring serve --data {}", dir.display()),
        operator_token_file: operator_file.display().to_string(),
        operator_token: operator_token.to_owned(),
        tokens: kept,
    })
}

fn write_token(path: &Path, token: &str) -> anyhow::Result<()> {
    server::token::write_private(path, token).with_context(|| format!("writing {}", path.display()))
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

fn print_kept(kept: &KeptHub) {
    println!(
        "\nThe hub is kept in {}. Serve it again with:",
        kept.data_dir
    );
    println!("  {}", kept.serve_command);
    println!(
        "(the bundled demo UN list is not the published one: /v1/health and the dashboard say \
         so while it is in force; import the published list before real payments)"
    );
    println!(
        "Check its journal with: kliring verify --data {}",
        kept.data_dir
    );
    println!("\nTokens (files are mode 0600; e.g. KLIRING_TOKEN=$(cat FILE) kliring client ...)");
    println!("  operator  {}", kept.operator_token_file);
    println!("    {}", kept.operator_token);
    for kept in &kept.tokens {
        let who = match (&kept.issued.participant_id, &kept.issued.bic) {
            (Some(id), Some(bic)) => format!("#{id} {} ({bic})", kept.issued.name),
            _ => kept.issued.name.clone(),
        };
        println!("  {} {who}  {}", kept.issued.role, kept.file);
        println!("    {}", kept.issued.token);
    }
}

/// Everything the operator, the banks and the compliance officers do, over HTTP; the report and
/// the tokens issued.
async fn drive(
    operator: &HubClient,
    args: &DemoArgs,
    data_dir: Option<String>,
    out_dir: &Path,
) -> anyhow::Result<(Report, Vec<IssuedToken>)> {
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
    let windows = settle_windows(operator, out_dir).await?;
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
    Ok((report, scheme.tokens))
}
