//! The tail of the journal against its head marker (`journal.head`): damage to an acknowledged
//! record refuses both recovery and `verify`, naming file and offset; a torn write of an
//! unacknowledged batch is cut and the journal starts; damage to the marker alone never makes
//! an intact journal unstartable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{
    Tape, assert_starts_with_the_sample_cut_to, log_path, model, read_log, sample_batches,
    sample_journal, write_batches, write_log, write_unacknowledged,
};
use journal::format::RECORD_HEADER_LEN;
use journal::head::{self, HEAD_FILE_NAME, Marker};
use journal::{JournalError, Sequencer, SequencerConfig, VerifyError, recover, replica, verify};

/// Flips a bit in the last byte of `journal.log`: inside the last record's body.
fn flip_last_log_byte(dir: &std::path::Path) {
    let mut bytes = read_log(dir);
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    write_log(dir, &bytes);
}

/// The sequence `journal.head` names as the last acknowledged record.
fn acknowledged(dir: &std::path::Path) -> Option<u64> {
    let marker = head::read(dir).expect("reads marker");
    marker.acknowledged().map(|ack| ack.sequence)
}

fn at(offset: u64) -> usize {
    usize::try_from(offset).expect("small file")
}

/// Asserts that both recovery and verify refuse with a lost acknowledged record at `offset` of
/// `journal.log`, and that refusing left the log untouched.
fn assert_lost(dir: &std::path::Path, offset: u64, first_missing: u64, damage: &str) {
    let before = read_log(dir);
    let error = recover::<Tape>(dir).err().expect("refuses to start");
    let message = error.to_string();
    match error {
        JournalError::AcknowledgedRecordLost {
            path,
            offset: found,
            first_missing: missing,
            acknowledged,
            damage: what,
        } => {
            assert_eq!(path, log_path(dir));
            assert_eq!((found, missing, acknowledged), (offset, first_missing, 5));
            assert!(what.contains(damage), "{what}");
        }
        other => panic!("expected a lost acknowledged record, got {other}"),
    }
    assert!(message.contains("journal.log") && message.contains(&offset.to_string()));
    match verify::<Tape>(dir).expect_err("verify fails") {
        VerifyError::Journal(JournalError::AcknowledgedRecordLost {
            offset: found,
            first_missing: missing,
            ..
        }) => assert_eq!((found, missing), (offset, first_missing)),
        other => panic!("expected a lost acknowledged record, got {other}"),
    }
    assert_eq!(read_log(dir), before, "refusing must not modify the log");
}

#[test]
fn flipped_byte_in_the_last_acknowledged_record_body_refuses() {
    let (dir, offsets) = sample_journal();
    flip_last_log_byte(dir.path());
    assert_lost(dir.path(), offsets[4], 5, "body checksum");
}

#[test]
fn flipped_byte_in_the_last_acknowledged_record_header_refuses() {
    let (dir, offsets) = sample_journal();
    for field in [0, 9, 25, 40, RECORD_HEADER_LEN - 1] {
        let mut bytes = read_log(dir.path());
        let original = bytes.clone();
        bytes[at(offsets[4]) + field] ^= 0x01;
        write_log(dir.path(), &bytes);
        assert_lost(dir.path(), offsets[4], 5, "damaged");
        write_log(dir.path(), &original);
    }
    recover::<Tape>(dir.path()).expect("the restored journal starts");
}

#[test]
fn last_acknowledged_record_removed_whole_refuses() {
    let (dir, offsets) = sample_journal();
    let bytes = read_log(dir.path());
    write_log(dir.path(), &bytes[..at(offsets[4])]);
    assert_lost(dir.path(), offsets[4], 5, "missing");
}

#[test]
fn last_two_acknowledged_records_removed_refuses() {
    let (dir, offsets) = sample_journal();
    let bytes = read_log(dir.path());
    write_log(dir.path(), &bytes[..at(offsets[3])]);
    assert_lost(dir.path(), offsets[3], 4, "missing");
    // Cut inside record 4 instead: it reads as a torn record 4, still acknowledged.
    write_log(dir.path(), &bytes[..at(offsets[3]) + 10]);
    assert_lost(dir.path(), offsets[3], 4, "incomplete");
}

#[test]
fn torn_write_of_an_unacknowledged_batch_is_cut_and_the_journal_starts() {
    let (dir, _) = sample_journal();
    let clean_len = read_log(dir.path()).len();
    write_unacknowledged(dir.path(), &[42, 43, 44]);
    let mut bytes = read_log(dir.path());
    bytes.truncate(clean_len + RECORD_HEADER_LEN + 2);
    write_log(dir.path(), &bytes);

    let report = verify::<Tape>(dir.path()).expect("an unacknowledged torn write verifies");
    assert_eq!(
        report.torn_tail_bytes,
        u64::try_from(RECORD_HEADER_LEN + 2).expect("small")
    );
    assert_eq!(report.acknowledged_sequence, Some(5));
    assert_starts_with_the_sample_cut_to(dir.path(), clean_len);
}

#[test]
fn whole_unacknowledged_record_is_kept_and_acknowledged_at_start() {
    let (dir, _) = sample_journal();
    write_unacknowledged(dir.path(), &[42]);
    assert_eq!(acknowledged(dir.path()), Some(5));
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.head_sequence, 6);
    drop(recovered);
    // The hub served record 6 after that start: from now on its damage is refused.
    assert_eq!(acknowledged(dir.path()), Some(6));
    flip_last_log_byte(dir.path());
    assert!(matches!(
        recover::<Tape>(dir.path()),
        Err(JournalError::AcknowledgedRecordLost {
            first_missing: 6,
            acknowledged: 6,
            ..
        })
    ));
}

fn damage_marker(dir: &std::path::Path, slots: &[usize]) {
    let path = dir.join(HEAD_FILE_NAME);
    let mut bytes = std::fs::read(&path).expect("reads marker");
    for slot in slots {
        bytes[slot * 512 + 20] ^= 0xFF;
    }
    std::fs::write(&path, bytes).expect("writes marker");
}

#[test]
fn one_damaged_marker_slot_falls_back_to_the_other() {
    for slot in [0, 1] {
        let (dir, offsets) = sample_journal();
        damage_marker(dir.path(), &[slot]);
        let marker = head::read(dir.path()).expect("reads");
        let acknowledged = marker.acknowledged().expect("one slot survives").sequence;
        assert!(acknowledged >= 4, "slot {slot}: {marker:?}");
        verify::<Tape>(dir.path()).expect("verifies");
        let recovered = recover::<Tape>(dir.path()).expect("starts");
        assert_eq!(recovered.state, model(&sample_batches()));
        drop(recovered);
        // Damage to an earlier acknowledged record is still refused.
        let bytes = read_log(dir.path());
        write_log(dir.path(), &bytes[..at(offsets[3])]);
        assert!(recover::<Tape>(dir.path()).is_err());
    }
}

#[test]
fn damaged_marker_with_intact_records_starts_and_is_rewritten() {
    let (dir, _) = sample_journal();
    damage_marker(dir.path(), &[0, 1]);
    assert_eq!(head::read(dir.path()).expect("reads"), Marker::Damaged);
    let report = verify::<Tape>(dir.path()).expect("intact records verify");
    assert_eq!(report.head_marker, "damaged");
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.state, model(&sample_batches()));
    drop(recovered);
    assert_eq!(acknowledged(dir.path()), Some(5));
    assert_eq!(
        verify::<Tape>(dir.path()).expect("verifies").head_marker,
        "valid"
    );
}

#[test]
fn damaged_marker_and_damaged_tail_refuse_until_the_operator_removes_the_marker() {
    let (dir, offsets) = sample_journal();
    damage_marker(dir.path(), &[0, 1]);
    flip_last_log_byte(dir.path());
    match recover::<Tape>(dir.path())
        .err()
        .expect("refuses: cannot tell")
    {
        JournalError::HeadDamaged { head, path, offset } => {
            assert_eq!(head, dir.path().join(HEAD_FILE_NAME));
            assert_eq!((path, offset), (log_path(dir.path()), offsets[4]));
        }
        other => panic!("expected a damaged marker, got {other}"),
    }
    assert!(matches!(
        verify::<Tape>(dir.path()),
        Err(VerifyError::Journal(JournalError::HeadDamaged { .. }))
    ));
    // The documented recovery: remove the marker; the damaged record is cut as torn.
    std::fs::remove_file(dir.path().join(HEAD_FILE_NAME)).expect("removes");
    let recovered = recover::<Tape>(dir.path()).expect("starts");
    assert_eq!(recovered.report.head_sequence, 4);
}

#[test]
fn journal_without_a_marker_opens_as_before_and_gains_one() {
    let (dir, offsets) = sample_journal();
    std::fs::remove_file(dir.path().join(HEAD_FILE_NAME)).expect("removes");
    assert_eq!(
        verify::<Tape>(dir.path()).expect("verifies").head_marker,
        "absent"
    );
    flip_last_log_byte(dir.path());
    let recovered = recover::<Tape>(dir.path()).expect("starts (judged as before markers)");
    assert_eq!(recovered.report.head_sequence, 4);
    drop(recovered);
    let marker = head::read(dir.path()).expect("reads");
    let ack = marker.acknowledged().expect("written at start");
    assert_eq!((ack.sequence, ack.end_offset), (4, offsets[4]));
}

#[test]
fn marker_of_another_journal_refuses() {
    let (dir, _) = sample_journal();
    let other = tempfile::tempdir().expect("tempdir");
    let mut batches = sample_batches();
    batches[4] = vec![8; 20];
    write_batches(other.path(), &batches);
    std::fs::copy(
        other.path().join(HEAD_FILE_NAME),
        dir.path().join(HEAD_FILE_NAME),
    )
    .expect("copies");
    assert!(matches!(
        recover::<Tape>(dir.path()),
        Err(JournalError::HeadMismatch { sequence: 5, .. })
    ));
    assert!(matches!(
        verify::<Tape>(dir.path()),
        Err(VerifyError::Journal(JournalError::HeadMismatch { .. }))
    ));
}

#[test]
fn sequencer_acknowledges_every_answered_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SequencerConfig {
        tick_interval: None,
        ..SequencerConfig::default()
    };
    let sequencer = Sequencer::<Tape>::start(dir.path(), config).expect("starts");
    let handle = sequencer.handle();
    for n in 1..=3u64 {
        handle.submit_blocking(n).expect("durable");
        let marker = head::read(dir.path()).expect("reads");
        assert_eq!(marker.acknowledged().map(|a| a.sequence), Some(n));
    }
    drop(sequencer);
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(report.acknowledged_sequence, Some(report.head_sequence));
}

#[test]
fn a_system_of_record_may_not_cut_acknowledged_records() {
    let (dir, _) = sample_journal();
    write_unacknowledged(dir.path(), &[9]);
    match replica::cut_after(dir.path(), "tape", 4) {
        Err(JournalError::CutBelowAcknowledged {
            keep: 4,
            acknowledged: 5,
            ..
        }) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Records after the acknowledged one were never acknowledged: those may go.
    assert_eq!(replica::cut_after(dir.path(), "tape", 5).expect("cuts"), 1);
    assert_eq!(
        verify::<Tape>(dir.path()).expect("verifies").head_sequence,
        5
    );
}

#[test]
fn a_deleted_journal_beside_its_marker_refuses_instead_of_starting_empty() {
    let (dir, _) = sample_journal();
    std::fs::remove_file(log_path(dir.path())).expect("removes");
    match recover::<Tape>(dir.path()) {
        Err(JournalError::AcknowledgedRecordLost {
            first_missing: 1,
            acknowledged: 5,
            ..
        }) => {}
        Err(other) => panic!("expected an acknowledged loss, got {other}"),
        Ok(_) => panic!("started an empty journal over acknowledged records"),
    }
    assert!(!log_path(dir.path()).exists(), "no new journal was created");
}
