//! Corruption tests: each damage to the journal or its snapshots gives the behaviour documented
//! in the crate docs (cut a torn tail, refuse with file and offset, fall back from a bad snapshot).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{
    Tape, assert_starts_with_the_sample_cut_to, log_path, model, read_log, record_offsets,
    sample_batches, sample_journal, write_batches, write_log, write_unacknowledged,
};
use journal::format::{self, RECORD_HEADER_LEN};
use journal::{Corruption, JournalError, StateMachine, VerifyError, recover, verify};

/// The sample journal whose last record was written but never acknowledged (no head marker for
/// it): the only record whose damage is a torn write.
fn journal_with_unacknowledged_last() -> (tempfile::TempDir, Vec<u64>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let batches = sample_batches();
    write_batches(dir.path(), &batches[..4]);
    write_unacknowledged(dir.path(), &batches[4]);
    let offsets = record_offsets(dir.path());
    assert_eq!(offsets.len(), 5);
    (dir, offsets)
}

fn offset_usize(offset: u64) -> usize {
    usize::try_from(offset).expect("small file")
}

/// Asserts `error` is corruption of `journal.log` at `offset` for `expected` reason.
fn assert_corrupt(error: JournalError, dir: &std::path::Path, offset: u64, expected: &Corruption) {
    match error {
        JournalError::Corrupt {
            path,
            offset: found,
            corruption,
        } => {
            assert_eq!(path, log_path(dir));
            assert_eq!(found, offset);
            assert_eq!(&corruption, expected);
        }
        other => panic!("expected corruption at {offset}, got {other}"),
    }
}

#[test]
fn flipped_byte_in_middle_record_body_refuses_with_file_and_offset() {
    let (dir, offsets) = sample_journal();
    let mut bytes = read_log(dir.path());
    bytes[offset_usize(offsets[1]) + RECORD_HEADER_LEN] ^= 0x40;
    write_log(dir.path(), &bytes);

    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    let message = error.to_string();
    assert!(message.contains("journal.log") && message.contains(&offsets[1].to_string()));
    assert_corrupt(error, dir.path(), offsets[1], &Corruption::BadBodyChecksum);
    assert!(matches!(
        verify::<Tape>(dir.path()),
        Err(VerifyError::Journal(_))
    ));
    // Refusing must not have modified the file.
    assert_eq!(read_log(dir.path()), bytes);
}

#[test]
fn flipped_byte_in_middle_record_header_refuses() {
    let (dir, offsets) = sample_journal();
    let mut bytes = read_log(dir.path());
    bytes[offset_usize(offsets[2]) + 9] ^= 0x01; // inside the sequence number
    write_log(dir.path(), &bytes);

    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    assert_corrupt(
        error,
        dir.path(),
        offsets[2],
        &Corruption::BadHeaderChecksum,
    );
}

#[test]
fn truncated_unacknowledged_last_record_is_cut_and_startup_continues() {
    let (dir, offsets) = journal_with_unacknowledged_last();
    let bytes = read_log(dir.path());
    let cut = offset_usize(offsets[4]) + 30;
    write_log(dir.path(), &bytes[..cut]);

    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.head_sequence, 4);
    assert_eq!(recovered.report.torn_tail_bytes, 30);
    assert_eq!(recovered.state, model(&sample_batches()[..4]));
    drop(recovered);
    assert_eq!(read_log(dir.path()).len(), offset_usize(offsets[4]));

    // The journal keeps working after the cut, and verifies.
    write_batches(dir.path(), &[vec![5, 5]]);
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(
        (report.records, report.head_sequence, report.torn_tail_bytes),
        (5, 5, 0)
    );
}

#[test]
fn flipped_byte_in_unacknowledged_last_record_is_a_torn_tail() {
    let (dir, offsets) = journal_with_unacknowledged_last();
    let mut bytes = read_log(dir.path());
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    write_log(dir.path(), &bytes);

    let report = verify::<Tape>(dir.path()).expect("verify reports, not fails, a torn tail");
    assert_eq!(
        report.torn_tail_bytes,
        u64::try_from(bytes.len()).expect("small") - offsets[4]
    );
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.head_sequence, 4);
}

#[test]
fn zeroed_or_garbage_tail_is_cut() {
    for tail in [
        vec![0u8; 500],
        b"KREC but not a real header, just noise".to_vec(),
    ] {
        let (dir, _) = sample_journal();
        let mut bytes = read_log(dir.path());
        let clean_len = bytes.len();
        bytes.extend_from_slice(&tail);
        write_log(dir.path(), &bytes);

        assert_starts_with_the_sample_cut_to(dir.path(), clean_len);
    }
}

#[test]
fn removed_middle_record_refuses_with_a_sequence_gap() {
    let (dir, offsets) = sample_journal();
    let bytes = read_log(dir.path());
    let (start, end) = (offset_usize(offsets[1]), offset_usize(offsets[2]));
    let spliced = [&bytes[..start], &bytes[end..]].concat();
    write_log(dir.path(), &spliced);

    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    let gap = Corruption::SequenceGap {
        expected: 2,
        found: 3,
    };
    assert_corrupt(error, dir.path(), offsets[1], &gap);
}

#[test]
fn edited_record_with_recomputed_checksums_breaks_the_hash_chain() {
    let (dir, offsets) = sample_journal();
    let mut bytes = read_log(dir.path());
    let (start, end) = (offset_usize(offsets[3]), offset_usize(offsets[4]));
    // Forge record 4 ([100, 200] -> [100, 201]) and re-seal it so its checksums are valid.
    let mut forged = bytes[start..end].to_vec();
    let body: Vec<u64> = postcard::from_bytes(&forged[RECORD_HEADER_LEN..]).expect("decodes");
    assert_eq!(body, vec![100, 200]);
    let mut record = vec![0u8; RECORD_HEADER_LEN];
    record.extend(postcard::to_allocvec(&vec![100u64, 201]).expect("encodes"));
    let prev: [u8; 32] = forged[32..64].try_into().expect("32 bytes");
    let timestamp = u64::from_le_bytes(forged[16..24].try_into().expect("8 bytes"));
    format::seal_record(&mut record, 4, timestamp, 2, &prev).expect("seals");
    assert_eq!(record.len(), forged.len());
    forged.copy_from_slice(&record);
    bytes[start..end].copy_from_slice(&forged);
    write_log(dir.path(), &bytes);

    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    assert_corrupt(
        error,
        dir.path(),
        offsets[4],
        &Corruption::ChainBroken { sequence: 5 },
    );
}

#[test]
fn unknown_record_version_is_refused_not_misread() {
    let (dir, offsets) = sample_journal();
    let mut bytes = read_log(dir.path());
    let at = offset_usize(offsets[0]);
    bytes[at + 4..at + 6].copy_from_slice(&9u16.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[at..at + 68]);
    bytes[at + 68..at + 72].copy_from_slice(&crc.to_le_bytes());
    write_log(dir.path(), &bytes);

    match recover::<Tape>(dir.path()).err().expect("refuses") {
        JournalError::UnsupportedVersion {
            offset, version, ..
        } => {
            assert_eq!((offset, version), (offsets[0], 9));
        }
        other => panic!("expected UnsupportedVersion, got {other}"),
    }
}

/// A journal with snapshots after records 2 and 4 (the two kept).
fn journal_with_snapshots() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let batches = sample_batches();
    let mut recovered = recover::<Tape>(dir.path()).expect("creates");
    for (i, batch) in batches.iter().enumerate() {
        let timestamp = recovered.journal.last_timestamp() + 1;
        recovered.journal.append(timestamp, batch).expect("appends");
        recovered.state.apply(timestamp, batch);
        if i == 1 || i == 3 {
            recovered
                .journal
                .write_snapshot(&recovered.state)
                .expect("snapshot");
        }
    }
    dir
}

fn snapshot_path(dir: &std::path::Path, sequence: u64) -> std::path::PathBuf {
    dir.join(format!("snapshot-{sequence:020}.snap"))
}

fn flip_last_byte(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).expect("reads");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(path, bytes).expect("writes");
}

#[test]
fn recovery_uses_the_newest_snapshot_and_replays_the_rest() {
    let dir = journal_with_snapshots();
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.snapshot_sequence, Some(4));
    assert_eq!(recovered.report.records_replayed, 1);
    assert_eq!(recovered.state, model(&sample_batches()));
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(report.snapshots_checked, 2);
}

#[test]
fn corrupt_snapshot_falls_back_to_older_then_to_genesis() {
    let dir = journal_with_snapshots();
    flip_last_byte(&snapshot_path(dir.path(), 4));
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.snapshot_sequence, Some(2));
    assert_eq!(recovered.report.snapshots_skipped, 1);
    assert_eq!(recovered.report.records_replayed, 3);
    assert_eq!(recovered.state, model(&sample_batches()));
    drop(recovered);
    assert!(matches!(
        verify::<Tape>(dir.path()),
        Err(VerifyError::Snapshot { .. })
    ));

    flip_last_byte(&snapshot_path(dir.path(), 2));
    let recovered = recover::<Tape>(dir.path()).expect("starts from genesis");
    assert_eq!(recovered.report.snapshot_sequence, None);
    assert_eq!(recovered.report.snapshots_skipped, 2);
    assert_eq!(recovered.state, model(&sample_batches()));
}

#[test]
fn snapshot_ahead_of_the_journal_refuses() {
    let dir = journal_with_snapshots();
    let offsets = record_offsets(dir.path());
    let bytes = read_log(dir.path());
    // Lose records 4 and 5 exactly at a record boundary (as if acknowledged data vanished), in
    // a journal without a head marker (written before markers), which would catch it first.
    write_log(dir.path(), &bytes[..offset_usize(offsets[3])]);
    std::fs::remove_file(dir.path().join(journal::head::HEAD_FILE_NAME)).expect("removes");
    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    assert!(
        matches!(
            error,
            JournalError::SnapshotAheadOfLog {
                snapshot_sequence: 4,
                head_sequence: 3,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn kind_is_readable_without_the_machine_and_checked_on_open() {
    let (dir, _) = sample_journal();
    assert_eq!(journal::read_kind(dir.path()).expect("reads"), "tape");
    let error = recover::<ledger::machine::LedgerMachine>(dir.path())
        .err()
        .expect("refuses another kind");
    assert!(
        matches!(error, JournalError::KindMismatch { .. }),
        "{error}"
    );
    assert!(matches!(
        journal::read_kind(&dir.path().join("missing")),
        Err(JournalError::NotFound(_))
    ));
}

#[test]
fn verify_reports_counts_and_head_hash() {
    let (dir, _) = sample_journal();
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(report.kind, "tape");
    assert_eq!(
        (report.records, report.commands, report.head_sequence),
        (5, 26, 5)
    );
    let last = journal::JournalReader::<u64>::open(dir.path())
        .expect("opens")
        .last()
        .expect("has records")
        .expect("valid");
    assert_eq!(report.head_hash, hex_of(&last.hash));
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
