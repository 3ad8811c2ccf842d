//! A journal in segments: rollover, recovery and replay across segment files, the single-file
//! layout continuing into segments, missing or altered segments named, archived segments.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use std::path::Path;

use common::{Tape, model, segment_files, write_unacknowledged};
use journal::segment::{self, file_name};
use journal::{
    Corruption, JournalError, JournalReader, StateMachine, VerifyError, recover, verify,
    verify_from_snapshot, verify_with_archives,
};

/// Small segments, so a few batches span several files.
const SEGMENT_BYTES: u64 = 300;

fn batches(count: u64) -> Vec<Vec<u64>> {
    (0..count)
        .map(|i| vec![i; usize::try_from(i % 7 + 1).expect("small")])
        .collect()
}

/// Appends `batches` with segments of `segment_bytes`, a snapshot after each record in
/// `snapshot_after`.
fn write(dir: &Path, batches: &[Vec<u64>], segment_bytes: u64, snapshot_after: &[u64]) {
    let mut recovered = recover::<Tape>(dir).expect("recovers");
    recovered.journal.set_segment_bytes_max(segment_bytes);
    for batch in batches {
        let timestamp = recovered.journal.last_timestamp() + 1;
        let info = recovered.journal.append(timestamp, batch).expect("appends");
        recovered.state.apply(timestamp, batch);
        if snapshot_after.contains(&info.sequence) {
            recovered
                .journal
                .write_snapshot(&recovered.state)
                .expect("snapshot");
        }
    }
}

#[test]
fn journal_rolls_into_segments_and_recovers_and_verifies_across_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = batches(40);
    write(dir.path(), &all[..25], SEGMENT_BYTES, &[]);
    write(dir.path(), &all[25..], SEGMENT_BYTES, &[]);
    let files = segment_files(dir.path());
    assert!(files.len() > 3, "{files:?}");
    assert_eq!(files[0].1, dir.path().join("journal.log"));
    for (first, path) in &files {
        assert_eq!(path, &dir.path().join(file_name(*first)));
        let len = std::fs::metadata(path).expect("stat").len();
        assert!(
            len < SEGMENT_BYTES + 200,
            "{} is {len} bytes",
            path.display()
        );
    }
    let recovered = recover::<Tape>(dir.path()).expect("recovers");
    assert_eq!(recovered.state, model(&all));
    assert_eq!(recovered.report.records_replayed, 40);
    drop(recovered);
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(report.records, 40);
    assert_eq!(report.segments, u64::try_from(files.len()).expect("small"));
    assert_eq!(report.acknowledged_sequence, Some(40));
    let sequences: Vec<u64> = JournalReader::<u64>::open(dir.path())
        .expect("opens")
        .map(|batch| batch.expect("valid").sequence)
        .collect();
    assert_eq!(sequences, (1..=40).collect::<Vec<u64>>());
}

#[test]
fn single_file_journal_continues_in_segments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = batches(30);
    write(dir.path(), &all[..20], 0, &[]);
    assert_eq!(segment_files(dir.path()).len(), 1);
    write(dir.path(), &all[20..], SEGMENT_BYTES, &[]);
    let files = segment_files(dir.path());
    assert_eq!(
        files[1].0, 21,
        "the next record opens the second segment: {files:?}"
    );
    let recovered = recover::<Tape>(dir.path()).expect("recovers");
    assert_eq!(recovered.state, model(&all));
    drop(recovered);
    assert_eq!(verify::<Tape>(dir.path()).expect("verifies").records, 30);
}

#[test]
fn missing_middle_segment_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &batches(40), SEGMENT_BYTES, &[]);
    let files = segment_files(dir.path());
    std::fs::remove_file(&files[2].1).expect("removes");
    let expect_named = |error: JournalError| match error {
        JournalError::Corrupt {
            path,
            offset: 0,
            corruption: Corruption::SegmentOutOfPlace { expected, found },
        } => {
            assert_eq!(path, files[3].1);
            assert_eq!((expected, found), (files[2].0, files[3].0));
        }
        other => panic!("expected a segment out of place, got {other}"),
    };
    expect_named(recover::<Tape>(dir.path()).err().expect("refuses"));
    match verify::<Tape>(dir.path()).expect_err("fails") {
        VerifyError::Journal(error) => expect_named(error),
        other => panic!("{other}"),
    }
}

#[test]
fn altered_segment_is_named_with_its_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &batches(40), SEGMENT_BYTES, &[]);
    let files = segment_files(dir.path());
    let path = &files[1].1;
    let mut bytes = std::fs::read(path).expect("reads");
    let at = bytes.len() - 1; // the segment's last record, which a later segment follows
    bytes[at] ^= 0x04;
    std::fs::write(path, &bytes).expect("writes");
    for error in [
        recover::<Tape>(dir.path()).err().expect("refuses"),
        match verify::<Tape>(dir.path()).expect_err("fails") {
            VerifyError::Journal(error) => error,
            other => panic!("{other}"),
        },
    ] {
        match error {
            JournalError::Corrupt {
                path: found,
                corruption: Corruption::BadBodyChecksum,
                ..
            } => assert_eq!(&found, path),
            other => panic!("expected the altered segment named, got {other}"),
        }
    }
}

#[test]
fn removed_last_segment_is_an_acknowledged_loss() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &batches(40), SEGMENT_BYTES, &[]);
    let files = segment_files(dir.path());
    let (last_first, last_path) = files.last().cloned().expect("segments");
    std::fs::remove_file(&last_path).expect("removes");
    let error = recover::<Tape>(dir.path()).err().expect("refuses");
    match &error {
        JournalError::AcknowledgedRecordLost {
            first_missing,
            acknowledged: 40,
            damage,
            ..
        } => {
            assert_eq!(*first_missing, last_first);
            assert!(damage.contains(&file_name(last_first)), "{damage}");
        }
        other => panic!("expected an acknowledged loss, got {other}"),
    }
    assert!(verify::<Tape>(dir.path()).is_err());
}

#[test]
fn torn_unacknowledged_write_in_the_last_segment_is_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &batches(40), SEGMENT_BYTES, &[]);
    write_unacknowledged(dir.path(), &[5, 6, 7]);
    let (_, last) = segment_files(dir.path()).last().cloned().expect("segments");
    let bytes = std::fs::read(&last).expect("reads");
    std::fs::write(&last, &bytes[..bytes.len() - 3]).expect("writes");
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.head_sequence, 40);
    assert!(recovered.report.torn_tail_bytes > 0);
    drop(recovered);
    // The same damage in an earlier segment is corruption, not a torn write.
    let files = segment_files(dir.path());
    let earlier = &files[files.len() - 2].1;
    let bytes = std::fs::read(earlier).expect("reads");
    std::fs::write(earlier, &bytes[..bytes.len() - 3]).expect("writes");
    assert!(matches!(
        recover::<Tape>(dir.path()),
        Err(JournalError::Corrupt { path, .. }) if &path == earlier
    ));
}

#[test]
fn archived_segments_recover_from_a_snapshot_and_verify_with_the_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = tempfile::tempdir().expect("tempdir");
    let all = batches(40);
    write(dir.path(), &all, SEGMENT_BYTES, &[20, 30]);
    let before = segment_files(dir.path());

    let moved = segment::archive(dir.path(), archive.path(), 30).expect("archives");
    assert!(moved.len() >= 2, "{moved:?}");
    let kept = segment_files(dir.path());
    assert_eq!(kept.len() + moved.len(), before.len());
    assert!(
        kept[0].0 <= 30,
        "record 30 stays with its snapshot: {kept:?}"
    );
    assert!(kept[0].0 > 1);

    let recovered = recover::<Tape>(dir.path()).expect("starts from the snapshot");
    assert_eq!(recovered.report.snapshot_sequence, Some(30));
    assert_eq!(recovered.state, model(&all));
    drop(recovered);
    // Appending continues the chain after archiving.
    write(dir.path(), &[vec![99]], SEGMENT_BYTES, &[]);

    match verify::<Tape>(dir.path()).expect_err("genesis is archived") {
        VerifyError::Journal(JournalError::SegmentsMissing { last_missing, .. }) => {
            assert_eq!(last_missing, kept[0].0 - 1);
        }
        other => panic!("expected missing segments, got {other}"),
    }
    let report = verify_with_archives::<Tape>(dir.path(), &[archive.path()]).expect("verifies");
    assert_eq!(report.records, 41);
    assert_eq!(
        report.segments,
        u64::try_from(segment_files(dir.path()).len() + moved.len()).expect("small")
    );

    // An archived segment altered or lost is named too.
    std::fs::remove_file(&moved[moved.len() - 1]).expect("removes");
    assert!(matches!(
        verify_with_archives::<Tape>(dir.path(), &[archive.path()]),
        Err(VerifyError::Journal(JournalError::Corrupt {
            corruption: Corruption::SegmentOutOfPlace { .. },
            ..
        }))
    ));
    // A segment present in both places is refused rather than guessed.
    std::fs::copy(&kept[0].1, archive.path().join(file_name(kept[0].0))).expect("copies");
    assert!(matches!(
        verify_with_archives::<Tape>(dir.path(), &[archive.path()]),
        Err(VerifyError::Journal(JournalError::SegmentTwice { .. }))
    ));
}

#[test]
fn archived_segments_without_a_covering_snapshot_refuse_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &batches(40), SEGMENT_BYTES, &[30]);
    segment::archive(dir.path(), archive.path(), 30).expect("archives");
    for snapshot in std::fs::read_dir(dir.path()).expect("lists") {
        let path = snapshot.expect("entry").path();
        if path.extension().is_some_and(|e| e == "snap") {
            std::fs::remove_file(path).expect("removes");
        }
    }
    assert!(matches!(
        recover::<Tape>(dir.path()),
        Err(JournalError::SegmentsMissing { .. })
    ));
}

#[test]
fn verify_from_the_newest_snapshot_needs_no_archive_and_still_checks_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = tempfile::tempdir().expect("tempdir");
    match verify_from_snapshot::<Tape>(dir.path(), &[]) {
        Err(VerifyError::Journal(JournalError::NotFound(_))) => {}
        other => panic!("no journal yet: {other:?}"),
    }
    write(dir.path(), &batches(10), SEGMENT_BYTES, &[]);
    assert!(matches!(
        verify_from_snapshot::<Tape>(dir.path(), &[]),
        Err(VerifyError::NoSnapshot { .. })
    ));
    write(dir.path(), &batches(40)[10..], SEGMENT_BYTES, &[20, 30]);
    let full = verify::<Tape>(dir.path()).expect("verifies");
    segment::archive(dir.path(), archive.path(), 30).expect("archives");

    let quick = verify_from_snapshot::<Tape>(dir.path(), &[]).expect("verifies");
    assert_eq!(quick.replayed_from, 30);
    assert_eq!(
        quick.records, 10,
        "only the records after the snapshot are replayed"
    );
    assert_eq!(
        (quick.head_sequence, &quick.head_hash),
        (full.head_sequence, &full.head_hash)
    );

    // A record after the snapshot damaged in an earlier segment: still found.
    let files = segment_files(dir.path());
    let path = &files[files.len() - 2].1;
    let mut bytes = std::fs::read(path).expect("reads");
    let at = bytes.len() - 2;
    bytes[at] ^= 0x08;
    std::fs::write(path, &bytes).expect("writes");
    assert!(matches!(
        verify_from_snapshot::<Tape>(dir.path(), &[]),
        Err(VerifyError::Journal(JournalError::Corrupt { .. }))
    ));
    bytes[at] ^= 0x08;
    std::fs::write(path, &bytes).expect("writes");

    // A snapshot whose state was altered (checksums recomputed by a forger would still leave
    // the payload hash; here the file is replaced by one of another journal's state).
    let other = tempfile::tempdir().expect("tempdir");
    let mut forged = batches(40);
    forged[3] = vec![1000];
    write(other.path(), &forged, SEGMENT_BYTES, &[30]);
    let name = "snapshot-00000000000000000030.snap";
    std::fs::copy(other.path().join(name), dir.path().join(name)).expect("copies");
    match verify_from_snapshot::<Tape>(dir.path(), &[]) {
        Err(VerifyError::Snapshot { path, reason }) => {
            assert_eq!(path, dir.path().join(name));
            assert!(reason.contains("does not match"), "{reason}");
        }
        other => panic!("expected the snapshot refused, got {other:?}"),
    }
}
