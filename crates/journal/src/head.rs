//! The head marker `journal.head`: a separately written, checksummed record of the last
//! *acknowledged* record (its sequence, hash and where it ends), so that recovery can tell a torn
//! write of an unacknowledged batch (cut it) from a damaged or missing acknowledged record
//! (refuse).
//!
//! # Layout
//! Two 512-byte slots (one disk sector each, so that a torn marker write damages at most one):
//! `magic[8] | version u16 | reserved[6] | sequence u64 | segment u64 | end_offset u64 |
//! hash[32] | crc32c(0..72) u32`, zero-padded. The valid slot with the higher sequence counts.
//! Each write goes to the slot *not* holding the newest marker, so a crash during the write
//! leaves the previous marker readable.
//!
//! # Ordering (why no acknowledged record is lost silently, and no crash blocks a start)
//! The sequencer writes record N and `fdatasync`s it, hands it to the system of record if there
//! is one, then writes marker N and `fdatasync`s the marker, and only then answers N's callers.
//! - A crash before marker N is durable: N was never acknowledged. The marker still names an
//!   earlier record, so whatever happened to N (torn, whole, absent) is a tail beyond the
//!   acknowledged position: a torn N is cut with a warning, a whole N is kept.
//! - A crash during the marker write can tear only the slot being written; the other slot names
//!   N-1 (or later), whose record was made durable before that marker was written.
//! - After marker N is durable, records 1..=N are on disk (each `fdatasync`ed before its marker).
//!   No crash tears an `fdatasync`ed write, so if any of them later reads as damaged, short or
//!   absent, it was damaged after the fact: recovery refuses, naming file and offset.
//!
//! Recovery refuses only (a) when a record at or before the marker's sequence is missing or
//! damaged, (b) when the marker's record hash differs from the journal's, or (c) when both slots
//! are damaged *and* the journal ends in a damaged record — none of which a crash produces, so a
//! crash never makes a healthy hub unstartable. An empty or absent `journal.head` is a journal
//! from before markers (the tail is judged as it was then: a damaged last record is cut) and is
//! created at the next start.
//!
//! The marker file is also the journal's lock (`flock`): it is never archived or renamed,
//! unlike the log segments.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::JournalError;
use crate::format::{Hash, read_u16, read_u64};

/// Name of the head marker inside a data directory.
pub const HEAD_FILE_NAME: &str = "journal.head";

const HEAD_MAGIC: [u8; 8] = *b"KLIRHEAD";
const HEAD_FORMAT_VERSION: u16 = 1;
/// One sector per slot: a torn write of one slot cannot reach the other.
const SLOT_LEN: usize = 512;
const SLOTS: usize = 2;
const SLOT_CHECKED_LEN: usize = 72;

/// The last acknowledged record, as the head marker names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acknowledged {
    /// Sequence of the record (0: none yet).
    pub sequence: u64,
    /// Its hash (the genesis hash when `sequence` is 0).
    pub hash: Hash,
    /// First sequence of the segment file holding it (1 for `journal.log`).
    pub segment: u64,
    /// Byte offset just after the record in that segment.
    pub end_offset: u64,
}

/// What `journal.head` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// No marker (a journal written before markers existed, or a new one).
    Absent,
    /// The newest valid slot.
    Valid(Acknowledged),
    /// The file exists but neither slot is valid.
    Damaged,
}

impl Marker {
    /// The acknowledged record, if the marker names one.
    pub fn acknowledged(&self) -> Option<Acknowledged> {
        match self {
            Marker::Valid(ack) => Some(*ack),
            Marker::Absent | Marker::Damaged => None,
        }
    }
}

/// The open, locked marker file of a live journal.
pub(crate) struct HeadFile {
    path: PathBuf,
    file: File,
    marker: Marker,
    /// The slot holding the newest marker; the next write goes to the other one.
    newest_slot: Option<usize>,
}

impl HeadFile {
    /// Opens (creating empty if absent) and locks `dir/journal.head`; the lock is held as long
    /// as the returned value lives: two writers would corrupt the journal.
    pub fn lock(dir: &Path) -> Result<HeadFile, JournalError> {
        let path = dir.join(HEAD_FILE_NAME);
        let file = crate::log::private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| JournalError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(JournalError::Locked(path)),
            Err(std::fs::TryLockError::Error(e)) => return Err(JournalError::io(&path, e)),
        }
        let (marker, newest_slot) = read_slots(&file).map_err(|e| JournalError::io(&path, e))?;
        Ok(HeadFile {
            path,
            file,
            marker,
            newest_slot,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The marker as read at open or last written.
    pub fn marker(&self) -> Marker {
        self.marker
    }

    /// Durably records `ack` as the last acknowledged record. Called only after that record is
    /// durable (see the module docs for the order).
    pub fn write(&mut self, ack: &Acknowledged) -> Result<(), JournalError> {
        if self.marker == Marker::Valid(*ack) {
            return Ok(());
        }
        let slot = match self.newest_slot {
            Some(newest) => (newest + 1) % SLOTS,
            None => 0,
        };
        let bytes = encode_slot(ack);
        let at = u64::try_from(slot * SLOT_LEN).unwrap_or(0);
        let mut written = self.file.write_all_at(&bytes, at);
        if written.is_ok() && self.newest_slot.is_none() {
            // A fresh or damaged file: fill the other slot too, so both are valid.
            let other = u64::try_from(SLOT_LEN).unwrap_or(0);
            written = self.file.write_all_at(&bytes, other);
        }
        written
            .and_then(|()| self.file.sync_data())
            .map_err(|e| JournalError::io(&self.path, e))?;
        self.marker = Marker::Valid(*ack);
        self.newest_slot = Some(slot);
        Ok(())
    }
}

/// Reads `dir/journal.head` without locking it (for verification and inspection).
pub fn read(dir: &Path) -> Result<Marker, JournalError> {
    let path = dir.join(HEAD_FILE_NAME);
    match File::open(&path) {
        Ok(file) => read_slots(&file)
            .map(|(marker, _)| marker)
            .map_err(|e| JournalError::io(&path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Marker::Absent),
        Err(e) => Err(JournalError::io(&path, e)),
    }
}

fn read_slots(file: &File) -> std::io::Result<(Marker, Option<usize>)> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok((Marker::Absent, None));
    }
    let mut newest: Option<(usize, Acknowledged)> = None;
    for slot in 0..SLOTS {
        let mut bytes = [0u8; SLOT_LEN];
        let at = u64::try_from(slot * SLOT_LEN).unwrap_or(0);
        // A short file (a torn first write) leaves the slot unreadable, i.e. invalid.
        if file.read_exact_at(&mut bytes, at).is_err() {
            continue;
        }
        if let Some(ack) = decode_slot(&bytes)
            && newest.is_none_or(|(_, best)| ack.sequence > best.sequence)
        {
            newest = Some((slot, ack));
        }
    }
    Ok(match newest {
        Some((slot, ack)) => (Marker::Valid(ack), Some(slot)),
        None => (Marker::Damaged, None),
    })
}

fn encode_slot(ack: &Acknowledged) -> [u8; SLOT_LEN] {
    let mut out = [0u8; SLOT_LEN];
    out[0..8].copy_from_slice(&HEAD_MAGIC);
    out[8..10].copy_from_slice(&HEAD_FORMAT_VERSION.to_le_bytes());
    out[16..24].copy_from_slice(&ack.sequence.to_le_bytes());
    out[24..32].copy_from_slice(&ack.segment.to_le_bytes());
    out[32..40].copy_from_slice(&ack.end_offset.to_le_bytes());
    out[40..72].copy_from_slice(&ack.hash);
    let crc = crc32c::crc32c(&out[0..SLOT_CHECKED_LEN]);
    out[72..76].copy_from_slice(&crc.to_le_bytes());
    out
}

fn decode_slot(bytes: &[u8; SLOT_LEN]) -> Option<Acknowledged> {
    if bytes[0..8] != HEAD_MAGIC || read_u16(bytes, 8) != HEAD_FORMAT_VERSION {
        return None;
    }
    let crc = crate::format::read_u32(bytes, 72);
    if crc32c::crc32c(&bytes[0..SLOT_CHECKED_LEN]) != crc {
        return None;
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&bytes[40..72]);
    Some(Acknowledged {
        sequence: read_u64(bytes, 16),
        segment: read_u64(bytes, 24),
        end_offset: read_u64(bytes, 32),
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(sequence: u64) -> Acknowledged {
        Acknowledged {
            sequence,
            hash: [u8::try_from(sequence % 251).expect("small"); 32],
            segment: 1,
            end_offset: 64 + sequence * 100,
        }
    }

    #[test]
    fn slots_alternate_and_a_torn_write_leaves_the_previous_marker() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut head = HeadFile::lock(dir.path()).expect("locks");
        assert_eq!(head.marker(), Marker::Absent);
        head.write(&ack(1)).expect("writes");
        head.write(&ack(2)).expect("writes");
        head.write(&ack(3)).expect("writes");
        drop(head);
        assert_eq!(read(dir.path()).expect("reads"), Marker::Valid(ack(3)));
        // Marker 3 went to slot 0 (1: both, 2: slot 1, 3: slot 0); tear it.
        let path = dir.path().join(HEAD_FILE_NAME);
        let mut bytes = std::fs::read(&path).expect("reads");
        bytes[20] ^= 0xff;
        std::fs::write(&path, &bytes).expect("writes");
        assert_eq!(read(dir.path()).expect("reads"), Marker::Valid(ack(2)));
        // The next write replaces the damaged slot, not the surviving one.
        let mut head = HeadFile::lock(dir.path()).expect("locks");
        head.write(&ack(4)).expect("writes");
        drop(head);
        let bytes = std::fs::read(&path).expect("reads");
        let mut slot = [0u8; SLOT_LEN];
        slot.copy_from_slice(&bytes[SLOT_LEN..2 * SLOT_LEN]);
        assert_eq!(decode_slot(&slot), Some(ack(2)));
        assert_eq!(read(dir.path()).expect("reads"), Marker::Valid(ack(4)));
    }

    #[test]
    fn both_slots_damaged_or_short_file_is_damaged_and_empty_is_absent() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read(dir.path()).expect("reads"), Marker::Absent);
        let path = dir.path().join(HEAD_FILE_NAME);
        std::fs::write(&path, b"").expect("writes");
        assert_eq!(read(dir.path()).expect("reads"), Marker::Absent);
        std::fs::write(&path, [7u8; 100]).expect("writes");
        assert_eq!(read(dir.path()).expect("reads"), Marker::Damaged);
        let mut head = HeadFile::lock(dir.path()).expect("locks");
        assert_eq!(head.marker(), Marker::Damaged);
        head.write(&ack(9)).expect("writes");
        drop(head);
        assert_eq!(read(dir.path()).expect("reads"), Marker::Valid(ack(9)));
        assert!(HeadFile::lock(dir.path()).is_ok());
    }

    #[test]
    fn a_second_writer_is_locked_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = HeadFile::lock(dir.path()).expect("locks");
        assert!(matches!(
            HeadFile::lock(dir.path()),
            Err(JournalError::Locked(_))
        ));
    }
}
