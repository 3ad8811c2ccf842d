//! `kliring bench soak`: a long run of payments through the hub to show what grows with history.
//!
//! Payments go **directly through the journal's sequencer** (`journal::Sequencer<hub::Hub>`) with
//! a real, durable journal in a temporary directory — no HTTP, no screening, so that a hundred
//! million payments fit in hours. The hub has one deferred-net currency and a few hundred
//! participants paying each other in a ring (positions stay balanced). Client threads each
//! loop: submit a batch of creates as one `submit_many`, then the batch of their accepts; a
//! payment counts once accepted. Snapshots run at the sequencer's default schedule.
//!
//! At every `report_every` payments a [`SoakStep`] gives resident memory (`VmRSS`), journal and
//! newest snapshot bytes per payment, throughput, and the p99 and maximum latency of one
//! submission (a batch of creates or of accepts, through the sequencer: journal write,
//! fdatasync, head marker, apply) during the step. At the end the hub is stopped and restarted
//! by the caller in a fresh process ([`restart`]), so that its resident memory is its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hub::{
    Action, Bic, Command, CountryCode, CreatePayment, CurrencyCode, Hub, ListVersionRecord,
    ParticipantId, Party, PaymentInstruction, Principal, Roles, ScreeningVerdict, SettlementModel,
};
use journal::{Sequencer, SequencerConfig, SequencerError, SequencerHandle};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A reservation's lifetime: far beyond the moment its accept follows.
const EXPIRY_NS: u64 = 3_600 * 1_000_000_000;
/// Net debit cap of every participant, in minor units: ring payments keep positions near zero.
const NET_DEBIT_CAP: u128 = 1_000_000_000_000;

/// What to run.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    /// Payments created and accepted in all.
    pub payments: u64,
    /// Payments between two reports.
    pub report_every: u64,
    /// Participants paying each other in a ring.
    pub participants: u64,
    /// Client threads submitting concurrently.
    pub clients: u64,
    /// Payments per submission (creates, then their accepts).
    pub batch: u64,
}

impl Default for SoakConfig {
    fn default() -> Self {
        SoakConfig {
            payments: 100_000_000,
            report_every: 10_000_000,
            participants: 300,
            clients: 8,
            batch: 250,
        }
    }
}

/// The figures at one report point (one JSON line with `--json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoakStep {
    /// Always `direct-sequencer`: payments went through the sequencer, not HTTP.
    pub path: String,
    /// Payments created and accepted so far.
    pub payments: u64,
    /// Resident memory of this process (`VmRSS`), bytes.
    pub resident_bytes: u64,
    /// `resident_bytes / payments`.
    pub resident_bytes_per_payment: f64,
    /// All journal segment files.
    pub journal_bytes: u64,
    /// `journal_bytes / payments`.
    pub journal_bytes_per_payment: f64,
    /// The newest snapshot file (0 before the first).
    pub snapshot_bytes: u64,
    /// `snapshot_bytes / payments`.
    pub snapshot_bytes_per_payment: f64,
    /// Snapshots the sequencer finished so far.
    pub snapshots: u64,
    /// Payments per second during this step.
    pub payments_per_sec: f64,
    /// 99th percentile latency of one submission of `batch` commands during this step, ms.
    pub p99_ms: f64,
    /// The slowest submission of this step, ms.
    pub max_ms: f64,
    /// Submissions of this step that took longer than 100 ms.
    pub over_100ms: u64,
    /// Commands refused by the hub or the sequencer during this step (should be 0).
    pub failed: u64,
}

/// The restart at the end (one JSON line with `--json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoakRestart {
    /// Seconds for the graceful stop (waits for a snapshot in flight, writes the final one).
    pub stop_seconds: f64,
    /// Seconds to recover (newest snapshot + replay) and start the sequencer.
    pub restart_seconds: f64,
    /// Resident memory of the restarted process, bytes.
    pub resident_bytes: u64,
    /// Sequence of the snapshot recovery started from, if any.
    pub snapshot_sequence: Option<u64>,
    /// Records replayed on top of it.
    pub records_replayed: u64,
}

/// Why the soak could not run.
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    /// The journal did not open or recover.
    #[error("journal: {0}")]
    Journal(#[from] journal::JournalError),
    /// A submission got no result.
    #[error("sequencer: {0}")]
    Sequencer(#[from] SequencerError),
    /// Reading the data directory or the process status failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A command setting up the scheme was refused.
    #[error("setup command refused: {0}")]
    Setup(String),
    /// The configuration cannot run.
    #[error("invalid configuration: {0}")]
    Config(&'static str),
    /// A client thread panicked.
    #[error("a client thread panicked")]
    Client,
    /// Commands were refused during the run (their steps' `failed` say when).
    #[error("{0} commands were refused")]
    Refused(u64),
    /// The restart in a fresh process failed.
    #[error("restart: {0}")]
    Restart(String),
}

/// Runs the soak, calling `on_step` at each report point, then stops the hub and calls
/// `restart` with the data directory (to recover it in a fresh process); returns its figures
/// with the stop time filled in, or [`SoakError::Refused`] if any command was refused.
pub fn run(
    config: &SoakConfig,
    mut on_step: impl FnMut(&SoakStep),
    restart: impl FnOnce(&Path) -> Result<SoakRestart, SoakError>,
) -> Result<SoakRestart, SoakError> {
    if config.report_every == 0 || config.clients == 0 || config.batch == 0 {
        return Err(SoakError::Config(
            "report-every, clients and batch must be > 0",
        ));
    }
    if config.participants < 2 {
        return Err(SoakError::Config("participants must be at least 2"));
    }
    let dir = tempfile::tempdir()?;
    let sequencer = Sequencer::<Hub>::start(dir.path(), SequencerConfig::default())?;
    let handle = sequencer.handle();
    setup(&handle, config.participants)?;
    let mut done = 0u64;
    let mut refused = 0u64;
    while done < config.payments {
        let step = config.report_every.min(config.payments - done);
        let started = Instant::now();
        let (mut latencies, failed) = run_step(&handle, config, done, step)?;
        let seconds = started.elapsed().as_secs_f64();
        done += step;
        refused = refused.saturating_add(failed);
        latencies.sort_unstable();
        on_step(&step_figures(
            dir.path(),
            &handle,
            done,
            step,
            seconds,
            &latencies,
            failed,
        )?);
    }
    let stopping = Instant::now();
    sequencer.shutdown()?;
    let stop_seconds = stopping.elapsed().as_secs_f64();
    let mut restarted = restart(dir.path())?;
    restarted.stop_seconds = stop_seconds;
    if refused > 0 {
        return Err(SoakError::Refused(refused));
    }
    Ok(restarted)
}

/// Recovers the hub in `dir` and starts its sequencer, as `serve` would; measured in the
/// calling process (run it in a fresh one).
pub fn restart(dir: &Path) -> Result<SoakRestart, SoakError> {
    let started = Instant::now();
    let config = SequencerConfig {
        tick_interval: None,
        ..SequencerConfig::default()
    };
    let sequencer = Sequencer::<Hub>::start(dir, config)?;
    let restart_seconds = started.elapsed().as_secs_f64();
    let report = sequencer.recovery_report().clone();
    let resident_bytes = resident_bytes();
    sequencer.shutdown()?;
    Ok(SoakRestart {
        stop_seconds: 0.0,
        restart_seconds,
        resident_bytes,
        snapshot_sequence: report.snapshot_sequence,
        records_replayed: report.records_replayed,
    })
}

fn operator(action: Action) -> Command {
    Command::new(Principal::Operator, action)
}

fn eur() -> Result<CurrencyCode, SoakError> {
    CurrencyCode::new("EUR").map_err(|e| SoakError::Setup(e.to_string()))
}

/// The `n`th participant's BIC: a four-letter bank code spelling `n` in base 26, `DEFF`.
fn bic(n: u64) -> Result<Bic, SoakError> {
    let mut code = [b'A'; 4];
    let mut rest = n;
    for letter in code.iter_mut().rev() {
        *letter = b'A' + u8::try_from(rest % 26).unwrap_or(0);
        rest /= 26;
    }
    let text = format!("{}DEFF", String::from_utf8_lossy(&code));
    Bic::new(&text).map_err(|e| SoakError::Setup(e.to_string()))
}

fn setup(handle: &SequencerHandle<Hub>, participants: u64) -> Result<(), SoakError> {
    let mut commands = vec![operator(Action::AddCurrency {
        currency: eur()?,
        exponent: 2,
        model: SettlementModel::DeferredNet,
    })];
    for n in 0..participants {
        commands.push(operator(Action::AdmitParticipant {
            name: format!("Soak Bank {n}"),
            bic: bic(n)?,
            country: CountryCode::new("DE").map_err(|e| SoakError::Setup(e.to_string()))?,
            roles: Roles {
                participant: true,
                fx_provider: false,
            },
        }));
    }
    for n in 1..=participants {
        commands.push(operator(Action::SetNetDebitCap {
            participant: ParticipantId(n),
            currency: eur()?,
            cap: NET_DEBIT_CAP,
        }));
    }
    for chunk in commands.chunks(1_000) {
        for outcome in handle.submit_many_blocking(chunk.to_vec())? {
            outcome.map_err(|e| SoakError::Setup(e.to_string()))?;
        }
    }
    Ok(())
}

/// Payment `n` (from 0): from participant `n mod P` to the next one in the ring.
fn ring(n: u64, participants: u64) -> (ParticipantId, ParticipantId) {
    let from = n % participants;
    (
        ParticipantId(from + 1),
        ParticipantId((from + 1) % participants + 1),
    )
}

fn party(name: &str, n: u64) -> Result<Party, SoakError> {
    Ok(Party {
        name: name.to_string(),
        address_lines: vec!["Hauptstrasse 1".to_string(), "Frankfurt".to_string()],
        country: CountryCode::new("DE").map_err(|e| SoakError::Setup(e.to_string()))?,
        account: format!("DE89370400440{n:09}"),
    })
}

fn create(n: u64, participants: u64, expires_at: u64) -> Result<Command, SoakError> {
    let (from, to) = ring(n, participants);
    let instruction = PaymentInstruction {
        payment_id: Uuid::from_u128(u128::from(n) + 1),
        end_to_end_id: format!("SOAK-{n}"),
        debtor: party("Alice Debtor", n)?,
        creditor: party("Bob Creditor", n)?,
        debtor_participant: from,
        creditor_participant: to,
        amount: 100 + u128::from(n % 1_000),
        currency: eur()?,
        remittance_info: Some(format!("invoice {n}")),
        fx_quote: None,
    };
    Ok(Command::new(
        Principal::Participant(from),
        Action::CreatePayment(Box::new(CreatePayment {
            instruction,
            expires_at,
            screening: ScreeningVerdict {
                lists: vec![ListVersionRecord {
                    source: "un".to_string(),
                    version: "blake3:soak".to_string(),
                }],
                hits: Vec::new(),
            },
        })),
    ))
}

fn accept(n: u64, participants: u64) -> Command {
    let (_, to) = ring(n, participants);
    Command::new(
        Principal::Participant(to),
        Action::AcceptPayment {
            payment: Uuid::from_u128(u128::from(n) + 1),
        },
    )
}

/// Runs payments `first .. first + count` on the client threads; returns the latency of every
/// submission (µs) and the refused commands.
fn run_step(
    handle: &SequencerHandle<Hub>,
    config: &SoakConfig,
    first: u64,
    count: u64,
) -> Result<(Vec<u64>, u64), SoakError> {
    let next = Arc::new(std::sync::atomic::AtomicU64::new(first));
    let end = first + count;
    let clients: Vec<_> = (0..config.clients)
        .map(|_| {
            let handle = handle.clone();
            let next = Arc::clone(&next);
            let (batch, participants) = (config.batch, config.participants);
            std::thread::spawn(move || -> Result<(Vec<u64>, u64), SoakError> {
                let mut latencies = Vec::new();
                let mut failed = 0u64;
                loop {
                    let start = next.fetch_add(batch, std::sync::atomic::Ordering::Relaxed);
                    if start >= end {
                        break;
                    }
                    let numbers = start..(start + batch).min(end);
                    let expires_at = wall_clock_ns().saturating_add(EXPIRY_NS);
                    let creates = numbers
                        .clone()
                        .map(|n| create(n, participants, expires_at))
                        .collect::<Result<Vec<_>, _>>()?;
                    let accepts = numbers.map(|n| accept(n, participants)).collect();
                    for commands in [creates, accepts] {
                        let sent = Instant::now();
                        let outcomes = handle.submit_many_blocking(commands)?;
                        latencies.push(micros(sent.elapsed()));
                        failed += u64::try_from(outcomes.iter().filter(|o| o.is_err()).count())
                            .unwrap_or(u64::MAX);
                    }
                }
                Ok((latencies, failed))
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failed = 0u64;
    for client in clients {
        let (mut more, refused) = client.join().map_err(|_| SoakError::Client)??;
        latencies.append(&mut more);
        failed += refused;
    }
    Ok((latencies, failed))
}

fn step_figures(
    dir: &Path,
    handle: &SequencerHandle<Hub>,
    payments: u64,
    step: u64,
    seconds: f64,
    latencies: &[u64],
    failed: u64,
) -> Result<SoakStep, SoakError> {
    let resident = resident_bytes();
    let journal_bytes = files_bytes(dir, |name| {
        name.starts_with("journal") && name.ends_with(".log")
    })?;
    let snapshot_bytes = newest_snapshot(dir)?
        .map(|path| std::fs::metadata(path).map(|m| m.len()))
        .transpose()?
        .unwrap_or(0);
    let per = |bytes: u64| ratio(bytes, payments);
    let ms = |micros: u64| ratio(micros, 1_000);
    let p99 = latencies
        .get(latencies.len().saturating_mul(99) / 100)
        .or(latencies.last())
        .copied()
        .unwrap_or(0);
    Ok(SoakStep {
        path: "direct-sequencer".to_string(),
        payments,
        resident_bytes: resident,
        resident_bytes_per_payment: per(resident),
        journal_bytes,
        journal_bytes_per_payment: per(journal_bytes),
        snapshot_bytes,
        snapshot_bytes_per_payment: per(snapshot_bytes),
        snapshots: handle.metrics().snapshots,
        payments_per_sec: if seconds > 0.0 {
            as_f64(step) / seconds
        } else {
            0.0
        },
        p99_ms: ms(p99),
        max_ms: ms(latencies.last().copied().unwrap_or(0)),
        over_100ms: u64::try_from(latencies.iter().filter(|l| **l > 100_000).count())
            .unwrap_or(u64::MAX),
        failed,
    })
}

fn files_bytes(dir: &Path, wanted: impl Fn(&str) -> bool) -> Result<u64, SoakError> {
    let mut total = 0u64;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(&wanted) {
            total = total.saturating_add(entry.metadata()?.len());
        }
    }
    Ok(total)
}

/// The snapshot file with the highest sequence (names are zero-padded, so the greatest name).
fn newest_snapshot(dir: &Path) -> Result<Option<PathBuf>, SoakError> {
    let mut newest: Option<PathBuf> = None;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_snapshot = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("snapshot-") && n.ends_with(".snap"));
        if is_snapshot && newest.as_ref().is_none_or(|best| path > *best) {
            newest = Some(path);
        }
    }
    Ok(newest)
}

/// Resident memory of this process from `/proc/self/status` (0 where there is none).
pub fn resident_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb.saturating_mul(1_024))
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

// Figures for a report: f64's precision is plenty (exact below 2^53).
#[allow(clippy::cast_precision_loss)]
fn as_f64(value: u64) -> f64 {
    value as f64
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        as_f64(numerator) / as_f64(denominator)
    }
}

/// The sequencer stamps batches with the wall clock; expiries are set from it too.
fn wall_clock_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
