//! `kliring bench …`: runs a library crate's benchmark and prints a human summary, or one JSON
//! object per configuration with `--json`.

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Durable transfers per second through the journal's sequencer (fdatasync per batch).
    Ledger {
        #[command(flatten)]
        output: Output,
        /// Transfers per workload.
        #[arg(long, default_value_t = bench::ledger_durable::BenchConfig::default().transfers)]
        transfers: u64,
        /// Producer threads submitting chunks of transfers.
        #[arg(long, default_value_t = bench::ledger_durable::BenchConfig::default().producers)]
        producers: usize,
        /// Also commit every batch in this PostgreSQL database (in a scratch schema per
        /// workload, dropped afterwards), as `serve --postgres` does.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Payments per second end to end over HTTP on loopback: a hub and a load generator of
    /// concurrent clients creating and accepting payments, singly and in bulk.
    Payments {
        #[command(flatten)]
        output: Output,
        /// Committed payments to aim for per configuration.
        #[arg(long, default_value_t = bench::payments::BenchConfig::default().payments)]
        payments: usize,
    },
    /// A long run of payments directly through the hub's sequencer (durable journal in a temp
    /// directory, no HTTP): memory, journal and snapshot bytes per payment, latency and
    /// throughput at every report point, then the restart time and memory.
    Soak {
        #[command(flatten)]
        output: Output,
        /// Payments created and accepted in all.
        #[arg(long, default_value_t = bench::soak::SoakConfig::default().payments)]
        payments: u64,
        /// Payments between two reports.
        #[arg(long, default_value_t = bench::soak::SoakConfig::default().report_every)]
        report_every: u64,
        /// Internal: recover this soak's data directory in this (fresh) process and report.
        #[arg(long, value_name = "DIR", hide = true)]
        restart_from: Option<std::path::PathBuf>,
    },
    /// Trade: data sets of `--lines` lines matched per second through the hub (each releasing
    /// money), p99 per match on one core, and the trade report over `--report-payments`
    /// committed payments.
    Trade {
        #[command(flatten)]
        output: Output,
        /// Lines per data set.
        #[arg(long, default_value_t = 50)]
        lines: u64,
        /// Submissions matched.
        #[arg(long, default_value_t = 5_000)]
        matches: u64,
        /// Committed payments in the hub the trade report runs over.
        #[arg(long, default_value_t = 1_000_000)]
        report_payments: u64,
    },
    /// Multilateral netting of many obligations on one core.
    Netting {
        #[command(flatten)]
        output: Output,
        /// Obligations (payments) to net.
        #[arg(long, default_value_t = 10_000_000)]
        obligations: u64,
        /// Participants the obligations are spread across.
        #[arg(long, default_value_t = 1_000)]
        participants: u64,
        /// Runs, each with its own seed.
        #[arg(long, default_value_t = 3)]
        runs: u64,
    },
    /// Sanctions screening against the lists given (e.g. the full UN and OFAC files): precision
    /// and recall on the labelled set per threshold; recall under attack on every disguise of
    /// every UN listed name; false alarms on 13,050 ordinary names per locale (name only, and
    /// with country, kind and birth date); latency per name and per payment-equivalent.
    Screening {
        #[command(flatten)]
        output: Output,
        /// A list file as SOURCE=FILE (un, ofac-sdn, ofac-alt, ofac-add); repeatable. Without
        /// it, the lists imported into --data are used.
        #[arg(long = "list")]
        lists: Vec<String>,
        /// The data directory whose imported lists (DATA/lists) are used without --list.
        #[arg(long, value_name = "DIR", default_value = "kliring-data")]
        data: std::path::PathBuf,
    },
    /// pacs.008 parse + validate + map per second on one core.
    Iso20022 {
        #[command(flatten)]
        output: Output,
        /// pacs.008 messages to parse, validate and map.
        #[arg(long, default_value_t = 200_000)]
        iterations: u64,
    },
}

#[derive(Args)]
pub struct Output {
    /// One JSON object per configuration on stdout, nothing else.
    #[arg(long)]
    json: bool,
}

pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Ledger {
            output,
            transfers,
            producers,
            postgres,
        } => {
            let config = bench::ledger_durable::BenchConfig {
                transfers,
                producers,
                ..Default::default()
            };
            let results = match &postgres {
                Some(url) => bench::ledger_postgres::ledger(url, &config)?,
                None => bench::ledger_durable::ledger(&config)?,
            };
            for mut result in results {
                // The JSON line says which journal was measured too.
                if postgres.is_some() {
                    result.workload.push_str("+postgres");
                }
                emit(&output, &result, || {
                    format!(
                        "ledger {:<23} accounts={:<7} {:>10} transfers/s durable  batch≈{:.0}  p50={:.2} ms  p99={:.2} ms",
                        result.workload,
                        result.accounts,
                        result.transfers_per_sec,
                        result.batch_size,
                        result.p50_batch_ms,
                        result.p99_batch_ms
                    )
                })?;
            }
        }
        BenchCommand::Payments { output, payments } => {
            let config = bench::payments::BenchConfig {
                payments,
                ..Default::default()
            };
            let results = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(bench::payments::payments(config))?;
            for result in results {
                emit(&output, &result, || {
                    format!(
                        "payments clients={:<3} batch={:<5} {:>8.0} committed/s  p50={:.2} ms  p99={:.2} ms  failed={}",
                        result.clients,
                        result.batch,
                        result.payments_per_sec,
                        result.p50_ms,
                        result.p99_ms,
                        result.failed
                    )
                })?;
            }
        }
        BenchCommand::Soak {
            output,
            payments,
            report_every,
            restart_from,
        } => soak(&output, payments, report_every, restart_from)?,
        BenchCommand::Trade {
            output,
            lines,
            matches,
            report_payments,
        } => {
            let result = bench::trade::trade(lines, matches, report_payments)?;
            emit(&output, &result, || {
                format!(
                    "trade {} matches of {} lines: {:.0} matches/s, p50={:.3} ms p99={:.3} ms; report over {} payments in {:.3} s ({} cells)",
                    result.matches,
                    result.lines,
                    result.matches_per_sec,
                    result.p50_ms,
                    result.p99_ms,
                    result.report_payments,
                    result.report_seconds,
                    result.report_cells
                )
            })?;
        }
        BenchCommand::Netting {
            output,
            obligations,
            participants,
            runs,
        } => {
            for seed in 1..=runs {
                let result = bench::netting::netting(obligations, participants, seed)?;
                emit(&output, &result, || {
                    format!(
                        "netting {} obligations across {} participants in {:.3} s ({:.0}/s), {} direct instructions",
                        result.obligations,
                        result.participants,
                        result.seconds,
                        result.obligations_per_second,
                        result.direct_instructions
                    )
                })?;
            }
        }
        BenchCommand::Screening {
            output,
            lists,
            data,
        } => {
            let lists = crate::lists::load_for_screening(&lists, &data)?;
            let eval = screening::bench::bundled_eval().map_err(anyhow::Error::msg)?;
            for result in screening::bench::run(&lists.snapshot(), &eval) {
                emit(&output, &result, || {
                    format!(
                        "screening threshold={:.2}  precision={:.3} recall={:.3}  {:.0} screenings/s  p50={:.3} ms  p99={:.3} ms",
                        result.threshold,
                        result.precision,
                        result.recall,
                        result.screenings_per_sec,
                        result.p50_ms,
                        result.p99_ms
                    )
                })?;
            }
            let snapshot = lists.snapshot();
            let threshold = screening::DEFAULT_THRESHOLD;
            let un = snapshot
                .get(screening::ListSource::Un)
                .context("bench screening needs the UN list (--list un=FILE)")?;
            let cases = screening::bench::adversarial::cases(un.entries(), 1);
            let attack = screening::bench::adversarial::run(&snapshot, &cases, threshold);
            emit(&output, &attack, || {
                let rows: Vec<String> = attack
                    .per_disguise
                    .iter()
                    .map(|r| {
                        format!(
                            "  {:<24} {:>5} cases  recall={:.3}",
                            r.group, r.cases, r.rate
                        )
                    })
                    .collect();
                format!(
                    "screening adversarial threshold={threshold:.2}  recall={:.3} of {} disguised UN names  {} suspicious  p50={:.3} ms  p99={:.3} ms\n{}",
                    attack.overall.rate,
                    attack.overall.cases,
                    attack.suspicious,
                    attack.p50_ms,
                    attack.p99_ms,
                    rows.join("\n")
                )
            })?;
            let people =
                screening::bench::population::bundled_population().map_err(anyhow::Error::msg)?;
            let population = screening::bench::population::run(&snapshot, &people, threshold, 1);
            emit(&output, &population, || {
                let rows: Vec<String> = population
                    .per_locale
                    .iter()
                    .map(|r| {
                        format!(
                            "  {:<7} {:>4} names  alerts name only={:.3}  with country/kind/birth date={:.3}",
                            r.locale, r.cases, r.names_only_rate, r.with_secondary_rate
                        )
                    })
                    .collect();
                format!(
                    "screening population threshold={threshold:.2}  alert rate name only={:.4} with secondary data={:.4} of {} ordinary names  per name p50={:.3} ms p99={:.3} ms  per payment ({} strings) p50={:.3} ms p99={:.3} ms\n{}",
                    population.names_only.rate,
                    population.with_secondary.rate,
                    population.names_only.cases,
                    population.name_p50_ms,
                    population.name_p99_ms,
                    screening::bench::population::PAYMENT_STRINGS,
                    population.payment_p50_ms,
                    population.payment_p99_ms,
                    rows.join("\n")
                )
            })?;
        }
        BenchCommand::Iso20022 { output, iterations } => {
            let result = bench::pacs008::pacs008(iterations);
            emit(&output, &result, || {
                format!(
                    "iso20022 {}: {:.0} messages/s (parse + validate + map, one core)",
                    result.message, result.messages_per_sec
                )
            })?;
        }
    }
    Ok(())
}

fn soak(
    output: &Output,
    payments: u64,
    report_every: u64,
    restart_from: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    if let Some(dir) = restart_from {
        let restarted = bench::soak::restart(&dir)?;
        println!("{}", serde_json::to_string(&restarted)?);
        return Ok(());
    }
    let config = bench::soak::SoakConfig {
        payments,
        report_every,
        ..Default::default()
    };
    if !output.json {
        println!(
            "soak: {payments} payments directly through the hub's sequencer (durable journal, \
             no HTTP), {} clients × {} per submission, {} participants",
            config.clients, config.batch, config.participants
        );
    }
    let mut printed = Ok(());
    let on_step = |step: &bench::soak::SoakStep| {
        let line = emit(output, step, || {
            format!(
                "soak {:>11} payments  rss={:.0} MB ({:.0} B/payment)  journal={:.0} B/payment  snapshot={:.0} B/payment ({} written)  {:.0} payments/s  p99={:.1} ms  max={:.1} ms  >100ms={}  failed={}",
                step.payments,
                mb(step.resident_bytes),
                step.resident_bytes_per_payment,
                step.journal_bytes_per_payment,
                step.snapshot_bytes_per_payment,
                step.snapshots,
                step.payments_per_sec,
                step.p99_ms,
                step.max_ms,
                step.over_100ms,
                step.failed
            )
        });
        if printed.is_ok() {
            printed = line;
        }
    };
    // The restart runs in a fresh process, so that its resident memory is its own.
    let restart = |dir: &std::path::Path| {
        let exe = std::env::current_exe()?;
        let child = std::process::Command::new(exe)
            .args(["bench", "soak", "--restart-from"])
            .arg(dir)
            .output()?;
        if !child.status.success() {
            return Err(bench::soak::SoakError::Restart(
                String::from_utf8_lossy(&child.stderr).into_owned(),
            ));
        }
        serde_json::from_slice(&child.stdout)
            .map_err(|e| bench::soak::SoakError::Restart(e.to_string()))
    };
    let restarted = bench::soak::run(&config, on_step, restart)?;
    printed?;
    emit(output, &restarted, || {
        format!(
            "soak restart: stop {:.1} s, recover + start {:.1} s (snapshot {:?}, {} records replayed), rss={:.0} MB",
            restarted.stop_seconds,
            restarted.restart_seconds,
            restarted.snapshot_sequence,
            restarted.records_replayed,
            mb(restarted.resident_bytes)
        )
    })
}

// Megabytes for a human line.
#[allow(clippy::cast_precision_loss)]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Prints one result: a JSON line with `--json`, the human summary otherwise.
fn emit<T: Serialize>(
    output: &Output,
    result: &T,
    human: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if output.json {
        println!("{}", serde_json::to_string(result)?);
    } else {
        println!("{}", human());
    }
    Ok(())
}
