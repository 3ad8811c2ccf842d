//! Crash test: a child process (this test binary, re-executed) applies ledger transfers under
//! load through the Sequencer and prints each transfer id only after its result arrived; the
//! parent SIGKILLs it at random moments, restarts, and checks that every acknowledged transfer
//! is present exactly once, the invariants hold and `verify` passes. A SIGKILL loses nothing
//! the kernel already has, so after some kills the parent also simulates a power cut: it drops a
//! random part of the unacknowledged tail, usually mid-record, which recovery must cut.
//!
//! The head marker is checked too: right after each kill it must name a record at or after the
//! last one holding an acknowledged transfer (it is written before anyone is answered), and
//! after each restart a copy of the journal with its last record damaged must be refused, not
//! cut as a torn write.
//!
//! The child snapshots every few records, so that background snapshots are nearly always in
//! flight and some kills land while one is being written (counted in the summary): recovery
//! then falls back to the previous snapshot and removes the unfinished file.
//!
//! 50 kills by default; `KLIRING_CRASH_KILLS=1000` for the long mode; `KLIRING_CRASH_SEED`
//! replays a run (the seed is printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::segment_files;
use journal::head::Marker;
use journal::{JournalError, JournalReader, Sequencer, SequencerConfig, recover, verify};
use ledger::machine::LedgerMachine;
use ledger::{
    AccountFlags, AccountId, Currency, Event, EventResult, NewAccount, NewTransfer, TransferFlags,
    TransferId,
};
use rand::{Rng, SeedableRng, rngs::StdRng};

const CHILD_DIR_ENV: &str = "KLIRING_CRASH_CHILD_DIR";
const CHILD_RUN_ENV: &str = "KLIRING_CRASH_CHILD_RUN";
const ACCOUNTS: u128 = 16;
const PRODUCERS: u128 = 4;
/// Transfers per child run, so the journal (and each verify) stays small.
const TRANSFERS_PER_RUN: u128 = 2_000;

fn account(id: u128) -> Event {
    Event::CreateAccount(NewAccount {
        id: AccountId(id),
        currency: Currency::new("EUR", 2).expect("valid currency"),
        owner: id,
        code: 1,
        flags: AccountFlags::NONE,
        net_debit_cap: None,
    })
}

/// Transfer ids encode (run, producer, index); the amount is derived from the id so that a
/// transfer applied twice, or with other data, would show in the totals.
fn transfer(id: u128, debit: u128) -> Event {
    Event::CreateTransfer(NewTransfer {
        id: TransferId(id),
        debit_account_id: AccountId(debit),
        credit_account_id: AccountId(debit % ACCOUNTS + 1),
        amount: amount_of(id),
        pending_id: None,
        timeout_ns: 0,
        code: 1,
        user_data: id,
        flags: TransferFlags::NONE,
    })
}

fn amount_of(id: u128) -> u128 {
    id % 997 + 1
}

#[test]
#[ignore = "child process of crash_test_sigkill_recovers_every_acknowledged_transfer"]
fn crash_child() {
    let (Ok(dir), Ok(run)) = (std::env::var(CHILD_DIR_ENV), std::env::var(CHILD_RUN_ENV)) else {
        return; // run by hand without the parent: nothing to do
    };
    let run: u128 = run.parse().expect("run number");
    let config = SequencerConfig {
        batch_commands_max: 1_024,
        queue_requests_max: 64,
        tick_interval: Some(Duration::from_millis(5)),
        // Often, so that kills land during background snapshots too.
        snapshot_every_records: 3,
        snapshot_every_bytes: 0,
        // Small segments, so that kills also land around segment rollovers.
        segment_bytes_max: 16 << 10,
    };
    let sequencer = Sequencer::<LedgerMachine>::start(Path::new(&dir), config).expect("starts");
    let handle = sequencer.handle();
    let opened = handle
        .submit_many_blocking((1..=ACCOUNTS).map(account).collect())
        .expect("accounts");
    assert!(opened.iter().all(|r| r.is_success()), "{opened:?}");
    println!("READY");
    std::io::stdout().flush().expect("flush");
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                let mut index = 0u128;
                let per_producer = TRANSFERS_PER_RUN / PRODUCERS;
                while index < per_producer {
                    let n = (index % 13 + 1).min(per_producer - index);
                    let ids: Vec<u128> = (index..index + n)
                        .map(|i| ((run + 1) << 40) | (producer << 32) | i)
                        .collect();
                    let events = ids
                        .iter()
                        .map(|id| transfer(*id, id % ACCOUNTS + 1))
                        .collect();
                    let results = handle.submit_many_blocking(events).expect("durable");
                    let mut lines = String::new();
                    for (id, result) in ids.iter().zip(&results) {
                        assert_eq!(*result, EventResult::Ok, "transfer {id}: {result}");
                        lines.push_str(&format!("ACK {id}\n"));
                    }
                    let mut out = std::io::stdout().lock();
                    out.write_all(lines.as_bytes()).expect("write");
                    out.flush().expect("flush");
                    index += n;
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().expect("producer");
    }
    println!("DONE");
    std::io::stdout().flush().expect("flush");
    // Wait to be killed, like a server that is never shut down gracefully.
    std::thread::sleep(Duration::from_secs(600));
}

enum Line {
    Ready,
    Ack(u128),
}

/// Runs one child until a random moment, SIGKILLs it, and returns the acknowledged ids.
fn run_and_kill(dir: &Path, run: u64, rng: &mut StdRng) -> Vec<u128> {
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, dir)
        .env(CHILD_RUN_ENV, run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawns child");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match stdout.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            // A line cut by the kill has no newline: it was never fully acknowledged output.
            let Some(text) = line.strip_suffix(b"\n") else {
                break;
            };
            let text = String::from_utf8_lossy(text);
            // libtest may print "test crash_child ... " just before READY on the same line.
            let parsed = if text.ends_with("READY") {
                Some(Line::Ready)
            } else {
                text.strip_prefix("ACK ")
                    .map(|id| Line::Ack(id.parse().expect("id")))
            };
            if let Some(parsed) = parsed
                && tx.send(parsed).is_err()
            {
                break;
            }
        }
    });
    // One kill in five lands during startup/recovery, the rest while transfers flow.
    let early = rng.random_range(0..5) == 0;
    let delay = if early {
        Duration::from_millis(rng.random_range(0..40))
    } else {
        let ready = rx.recv_timeout(Duration::from_secs(60));
        assert!(
            matches!(ready, Ok(Line::Ready)),
            "child of run {run} never got ready"
        );
        Duration::from_millis(rng.random_range(0..250))
    };
    std::thread::sleep(delay);
    if let Some(status) = child.try_wait().expect("polls child") {
        panic!("child of run {run} exited by itself: {status}");
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaps child");
    reader.join().expect("reader");
    rx.try_iter()
        .filter_map(|line| match line {
            Line::Ack(id) => Some(id),
            Line::Ready => None,
        })
        .collect()
}

/// Simulates a power cut after the kill: drops a random part of the journal's unacknowledged
/// tail (records after the last one holding an acknowledged transfer, after the newest
/// snapshot's record and after the record the head marker names (`marked`): all of those were
/// fsynced), often mid-record; when there is none, appends a torn in-flight write instead.
/// Returns the bytes dropped or added.
fn power_cut(dir: &Path, acked: &HashSet<u128>, marked: u64, rng: &mut StdRng) -> u64 {
    let newest_snapshot = std::fs::read_dir(dir)
        .expect("lists dir")
        .filter_map(|entry| {
            let name = entry.expect("entry").file_name();
            let name = name.to_str()?.to_string();
            name.strip_prefix("snapshot-")?
                .strip_suffix(".snap")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    // A child killed before it created its journal left nothing to cut (and acknowledged
    // nothing: it answers only after a durable append).
    let Some((last_segment, log)) = segment_files(dir).pop() else {
        return 0;
    };
    let len = std::fs::metadata(&log).expect("log").len();
    // Only the last segment can lose unacknowledged bytes: earlier ones were complete and
    // durable before the next one was created.
    let mut keep: Option<(u64, u64)> = None;
    let mut previous_end_needed = false;
    for batch in JournalReader::<Event>::open(dir).expect("opens") {
        let batch = batch.expect("valid record");
        if previous_end_needed {
            keep = Some((batch.segment, batch.offset));
        }
        previous_end_needed = batch.sequence <= newest_snapshot.max(marked)
            || batch
                .commands
                .iter()
                .any(|event| matches!(event, Event::CreateTransfer(t) if acked.contains(&t.id.0)));
    }
    if previous_end_needed {
        keep = Some((last_segment, len));
    }
    let keep_from = match keep {
        None => 0,
        Some((segment, offset)) if segment == last_segment => offset,
        Some(_) => FILE_HEADER_BYTES,
    };
    if keep_from == 0 {
        return 0;
    }
    if keep_from >= len {
        // Nothing unacknowledged reached the disk: tear an in-flight write instead.
        let torn: Vec<u8> = (0..rng.random_range(1..300usize))
            .map(|_| rng.random())
            .collect();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("opens log");
        file.write_all(&torn).expect("appends");
        return u64::try_from(torn.len()).expect("small");
    }
    let cut_at = rng.random_range(keep_from..=len);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .expect("opens log");
    file.set_len(cut_at).expect("truncates");
    len - cut_at
}

/// Size of the header every segment file starts with.
const FILE_HEADER_BYTES: u64 = 64;

/// The sequence the head marker names right after a kill; every record holding an
/// acknowledged transfer must be at or before it.
fn check_marker_covers_acknowledged(dir: &Path, acked: &HashSet<u128>, run: u64) -> u64 {
    let marked = match journal::head::read(dir).expect("reads marker") {
        Marker::Valid(ack) => ack.sequence,
        Marker::Absent => 0,
        Marker::Damaged => panic!("run {run}: a kill damaged the head marker"),
    };
    if segment_files(dir).is_empty() {
        return marked;
    }
    for batch in JournalReader::<Event>::open(dir).expect("opens") {
        let batch = batch.expect("valid record");
        let holds_acked = batch
            .commands
            .iter()
            .any(|event| matches!(event, Event::CreateTransfer(t) if acked.contains(&t.id.0)));
        assert!(
            !holds_acked || batch.sequence <= marked,
            "run {run}: record {} was acknowledged but the marker names {marked}",
            batch.sequence
        );
    }
    marked
}

/// On a copy of the journal, damages the last (acknowledged) record and expects a refusal
/// naming it, where the journal without a marker would have cut it silently.
fn check_damaged_last_record_refused(dir: &Path, run: u64, rng: &mut StdRng) {
    let copy = tempfile::tempdir().expect("tempdir");
    for (_, path) in segment_files(dir) {
        std::fs::copy(&path, copy.path().join(path.file_name().expect("name"))).expect("copies");
    }
    let head = journal::head::HEAD_FILE_NAME;
    std::fs::copy(dir.join(head), copy.path().join(head)).expect("copies");
    let Some(last) = JournalReader::<Event>::open(copy.path())
        .expect("opens")
        .last()
        .map(|batch| batch.expect("valid record"))
    else {
        return;
    };
    let last_is_in_earlier_segment =
        segment_files(copy.path()).last().map(|(first, _)| *first) != Some(last.segment);
    let log = copy.path().join(journal::segment::file_name(last.segment));
    let mut bytes = std::fs::read(&log).expect("reads");
    let start = usize::try_from(last.offset).expect("small");
    if rng.random_range(0..2) == 0 {
        let at = rng.random_range(start..bytes.len());
        bytes[at] ^= 1 << rng.random_range(0..8);
    } else {
        bytes.truncate(start);
    }
    std::fs::write(&log, &bytes).expect("writes");
    match recover::<LedgerMachine>(copy.path()) {
        Err(JournalError::AcknowledgedRecordLost {
            first_missing,
            offset,
            ..
        }) => assert_eq!((first_missing, offset), (last.sequence, last.offset)),
        // A kill right after a rollover leaves an empty last segment: the damaged record is in
        // an earlier one, where any damage is corruption naming that segment or the next.
        Err(JournalError::Corrupt { path, .. }) if last_is_in_earlier_segment => {
            assert!(path.starts_with(copy.path()), "{}", path.display());
        }
        Err(other) => panic!("run {run}: expected a lost acknowledged record, got {other}"),
        Ok(_) => panic!(
            "run {run}: damaged acknowledged record {} was cut",
            last.sequence
        ),
    }
}

/// Temporary files of a snapshot being written.
fn snapshot_temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("lists")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            name.to_string_lossy().ends_with(".snap.tmp")
        })
        .count()
}

/// The checks after each restart; returns what recovery did.
fn check_after_restart(dir: &Path, acked: &HashSet<u128>, run: u64) -> journal::RecoveryReport {
    let recovered = recover::<LedgerMachine>(dir).expect("restart after SIGKILL");
    let ledger = recovered.state.ledger();
    ledger.check_invariants().expect("invariants");
    for id in acked {
        let stored = ledger
            .transfer(TransferId(*id))
            .unwrap_or_else(|| panic!("run {run}: acknowledged transfer {id} lost"));
        assert_eq!(stored.amount, amount_of(*id));
    }
    // Exactly once: the credits equal the sum of the stored transfers, each counted once.
    let credited: u128 = ledger.accounts().map(|a| a.credits_posted).sum();
    let stored: u128 = ledger.transfers().map(|t| t.amount).sum();
    assert_eq!(credited, stored, "run {run}: totals disagree");
    let recovery = recovered.report.clone();
    drop(recovered);

    let mut journalled: HashMap<u128, u32> = HashMap::new();
    for batch in JournalReader::<Event>::open(dir).expect("opens") {
        for event in batch.expect("valid record").commands {
            if let Event::CreateTransfer(t) = event {
                *journalled.entry(t.id.0).or_default() += 1;
            }
        }
    }
    for id in acked {
        assert_eq!(
            journalled.get(id),
            Some(&1),
            "run {run}: transfer {id} journalled"
        );
    }
    let report = verify::<LedgerMachine>(dir).expect("verify passes");
    assert_eq!(report.torn_tail_bytes, 0, "recovery cut the torn tail");
    recovery
}

#[test]
fn crash_test_sigkill_recovers_every_acknowledged_transfer() {
    let kills: u64 = std::env::var("KLIRING_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("KLIRING_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos().into())
                .unwrap_or(1)
        });
    println!("crash test: {kills} kills, KLIRING_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut acked = HashSet::new();
    let (mut torn, mut from_snapshot, mut power_cuts) = (0u32, 0u32, 0u32);
    let mut mid_snapshot = 0u32;
    for run in 0..kills {
        acked.extend(run_and_kill(dir.path(), run, &mut rng));
        // A background snapshot was being written when the child died: recovery must fall
        // back to the previous snapshot (the checks below) and remove the temporary file.
        mid_snapshot += u32::from(snapshot_temp_files(dir.path()) > 0);
        let marked = check_marker_covers_acknowledged(dir.path(), &acked, run);
        if rng.random_range(0..3) == 0 {
            power_cuts += u32::from(power_cut(dir.path(), &acked, marked, &mut rng) > 0);
        }
        let recovery = check_after_restart(dir.path(), &acked, run);
        assert_eq!(
            snapshot_temp_files(dir.path()),
            0,
            "run {run}: temp file kept"
        );
        check_damaged_last_record_refused(dir.path(), run, &mut rng);
        torn += u32::from(recovery.torn_tail_bytes > 0);
        from_snapshot += u32::from(recovery.snapshot_sequence.is_some());
    }
    let segments = segment_files(dir.path()).len();
    println!(
        "crash test: {} acknowledged transfers survived {kills} kills \
         ({power_cuts} simulated power cuts, {torn} torn tails cut, \
         {from_snapshot} recoveries from a snapshot, {mid_snapshot} kills during a \
         background snapshot, {segments} journal segments)",
        acked.len()
    );
    assert!(!acked.is_empty(), "the children acknowledged nothing");
    assert!(
        kills < 5 || segments > 1,
        "the journal never rolled into a second segment"
    );
}
