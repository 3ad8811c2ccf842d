//! The durable ledger benchmark behind `kliring bench ledger`: transfers per second through the
//! same [`Sequencer`] path the server uses (one record and one `fdatasync` per batch), from
//! several producer threads using `submit_many`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ledger::{
    AccountFlags, AccountId, Currency, Event, NewAccount, NewTransfer, TransferFlags, TransferId,
};
use serde::Serialize;

use journal::{JournalError, Sequencer, SequencerConfig, SequencerError, StateMachine};
use ledger::machine::LedgerMachine;

/// How to run the benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    /// Transfers per workload.
    pub transfers: u64,
    /// Producer threads, each with one `submit_many` in flight.
    pub producers: usize,
    /// Transfers per `submit_many` call.
    pub chunk_transfers: usize,
    /// Upper bound on commands per journal record.
    pub batch_commands_max: usize,
    /// Workloads as (name, number of accounts).
    pub workloads: Vec<(String, u64)>,
    /// Where to put the journals; a fresh temporary directory when `None`.
    pub dir: Option<PathBuf>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            transfers: 4_000_000,
            producers: 8,
            chunk_transfers: 16_384,
            batch_commands_max: 262_144,
            workloads: vec![
                ("hot_accounts".to_string(), 16),
                ("many_accounts".to_string(), 100_000),
            ],
            dir: None,
        }
    }
}

/// One workload's measurement; serialised as one JSON object per line by the CLI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// The workload's name (`hot_accounts`, `many_accounts`; the CLI appends `+postgres`).
    pub workload: String,
    /// Accounts the transfers spread over.
    pub accounts: u64,
    /// Transfers submitted.
    pub transfers: u64,
    /// Transfers the ledger rejected (expected 0: accounts have no limits).
    pub rejected: u64,
    /// Producer threads submitting.
    pub producers: u64,
    /// Journal records (= fdatasync calls) written for the transfers.
    pub records: u64,
    /// Mean commands per record.
    pub batch_size: f64,
    /// Durable transfers per second over the whole run.
    pub transfers_per_sec: u64,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Commit latency per record (write + fdatasync + apply), from the sequencer's histogram.
    pub p50_batch_ms: f64,
    /// 99th percentile of the same.
    pub p99_batch_ms: f64,
    /// Journal bytes written per transfer (headers included).
    pub journal_bytes_per_transfer: f64,
    /// CPU time of the whole process during the run (Linux; 0 elsewhere). On a shared machine
    /// `transfers / cpu_seconds` shows the cost independently of other load.
    pub cpu_seconds: f64,
    /// CPU time of the sequencer thread alone: `transfers / sequencer_cpu_seconds` is what the
    /// single writer sustains with a core to itself.
    pub sequencer_cpu_seconds: f64,
    /// Always true: every record is fsynced before its callers are answered.
    pub durable: bool,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The journal could not be opened or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The sequencer stopped or refused a submission.
    #[error(transparent)]
    Sequencer(#[from] SequencerError),
    /// The scratch data directory could not be created.
    #[error("cannot create a temporary directory: {0}")]
    TempDir(std::io::Error),
    /// A producer thread panicked.
    #[error("a producer thread panicked")]
    ProducerPanicked,
    /// The sequencer's system of record could not be prepared.
    #[error("{0}")]
    Start(String),
}

/// Starts the sequencer of one workload in a directory (the embedded journal, or one with a
/// system of record).
pub type StartFn<'a> =
    dyn FnMut(&Path, SequencerConfig) -> Result<Sequencer<LedgerMachine>, BenchError> + 'a;

/// Runs every configured workload in its own fresh journal and returns one result each.
pub fn ledger(config: &BenchConfig) -> Result<Vec<BenchResult>, BenchError> {
    ledger_with(config, &mut |dir, sequencer_config| {
        Ok(Sequencer::start(dir, sequencer_config)?)
    })
}

/// [`ledger()`] with each workload's sequencer started by `start` (e.g. with a PostgreSQL sink).
pub fn ledger_with(
    config: &BenchConfig,
    start: &mut StartFn<'_>,
) -> Result<Vec<BenchResult>, BenchError> {
    let temp = match &config.dir {
        Some(dir) => tempfile::Builder::new()
            .prefix("kliring-bench-")
            .tempdir_in(dir),
        None => tempfile::Builder::new().prefix("kliring-bench-").tempdir(),
    }
    .map_err(BenchError::TempDir)?;
    let mut results = Vec::with_capacity(config.workloads.len());
    for (name, accounts) in &config.workloads {
        let dir = temp.path().join(name);
        let sequencer = start(&dir, sequencer_config(config))?;
        results.push(run_workload(config, name, (*accounts).max(2), sequencer)?);
        // Free the disk space before the next workload.
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(results)
}

fn sequencer_config(config: &BenchConfig) -> SequencerConfig {
    SequencerConfig {
        batch_commands_max: config.batch_commands_max.max(config.chunk_transfers),
        queue_requests_max: config.producers.max(1) * 2,
        tick_interval: None,
        snapshot_every_records: 0,
        snapshot_every_bytes: 0,
        ..SequencerConfig::default()
    }
}

fn run_workload(
    config: &BenchConfig,
    name: &str,
    accounts: u64,
    sequencer: Sequencer<LedgerMachine>,
) -> Result<BenchResult, BenchError> {
    let handle = sequencer.handle();
    open_accounts(&handle, accounts, config.chunk_transfers.max(1))?;

    let producers = u64::try_from(config.producers.max(1)).unwrap_or(1);
    let per_producer = config.transfers.div_ceil(producers);
    let chunk = u64::try_from(config.chunk_transfers.max(1)).unwrap_or(1);
    let before = handle.metrics();
    let cpu_before = crate::cpu::process_seconds();
    let sequencer_before = crate::cpu::sequencer_seconds(<LedgerMachine as StateMachine>::KIND);
    let started = Instant::now();
    let workers: Vec<_> = (0..producers)
        .map(|producer| {
            let handle = handle.clone();
            std::thread::spawn(move || -> Result<u64, SequencerError> {
                let mut rng = SplitMix(producer.wrapping_mul(0x9E37_79B9) ^ accounts);
                let mut rejected = 0u64;
                let mut sent = 0u64;
                while sent < per_producer {
                    let n = chunk.min(per_producer - sent);
                    let events = (sent..sent + n)
                        .map(|i| random_transfer(&mut rng, producer, i, accounts))
                        .collect();
                    let results = handle.submit_many_blocking(events)?;
                    let bounced = results.iter().filter(|r| !r.is_ok()).count();
                    rejected += u64::try_from(bounced).unwrap_or(u64::MAX);
                    sent += n;
                }
                Ok(rejected)
            })
        })
        .collect();
    let mut rejected = 0u64;
    for worker in workers {
        rejected += worker.join().map_err(|_| BenchError::ProducerPanicked)??;
    }
    let elapsed = started.elapsed();
    let delta = handle.metrics().since(&before);
    let cpu = crate::cpu::process_seconds() - cpu_before;
    let sequencer_cpu =
        crate::cpu::sequencer_seconds(<LedgerMachine as StateMachine>::KIND) - sequencer_before;
    drop(handle);
    sequencer.shutdown()?;

    let transfers = delta.commands;
    Ok(BenchResult {
        workload: name.to_string(),
        accounts,
        transfers,
        rejected,
        producers,
        records: delta.records,
        batch_size: ratio(transfers, delta.records),
        transfers_per_sec: per_second(transfers, elapsed),
        seconds: elapsed.as_secs_f64(),
        p50_batch_ms: millis(delta.latency_percentile_us(50)),
        p99_batch_ms: millis(delta.latency_percentile_us(99)),
        journal_bytes_per_transfer: ratio(delta.bytes, transfers),
        cpu_seconds: cpu,
        sequencer_cpu_seconds: sequencer_cpu,
        durable: true,
    })
}

/// Opens accounts `1..=count` in one currency, without limits, so transfers never bounce.
fn open_accounts(
    handle: &journal::SequencerHandle<LedgerMachine>,
    count: u64,
    chunk: usize,
) -> Result<(), BenchError> {
    let currency = Currency {
        code: *b"EUR",
        exponent: 2,
    };
    let events: Vec<Event> = (1..=u128::from(count))
        .map(|id| {
            Event::CreateAccount(NewAccount {
                id: AccountId(id),
                currency,
                owner: id,
                code: 1,
                flags: AccountFlags::NONE,
                net_debit_cap: None,
            })
        })
        .collect();
    for part in events.chunks(chunk) {
        handle.submit_many_blocking(part.to_vec())?;
    }
    Ok(())
}

fn random_transfer(rng: &mut SplitMix, producer: u64, index: u64, accounts: u64) -> Event {
    let debit = rng.next() % accounts + 1;
    // A different account: shift by 1..accounts-1 positions.
    let credit = (debit - 1 + 1 + rng.next() % (accounts - 1)) % accounts + 1;
    Event::CreateTransfer(NewTransfer {
        // Unique across producers: producer in the high bits.
        id: TransferId((u128::from(producer) + 1) << 64 | u128::from(index)),
        debit_account_id: AccountId(u128::from(debit)),
        credit_account_id: AccountId(u128::from(credit)),
        amount: u128::from(rng.next() % 100_000 + 1),
        pending_id: None,
        timeout_ns: 0,
        code: 1,
        user_data: 0,
        flags: TransferFlags::NONE,
    })
}

/// A tiny deterministic generator (SplitMix64) for benchmark traffic.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

// Statistics below are reporting figures, not money, so floating point is fine.
fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn per_second(count: u64, elapsed: Duration) -> u64 {
    let nanos = elapsed.as_nanos().max(1);
    u64::try_from(u128::from(count) * 1_000_000_000 / nanos).unwrap_or(u64::MAX)
}

fn millis(micros: Option<u64>) -> f64 {
    micros.map_or(0.0, |us| us as f64 / 1000.0)
}
