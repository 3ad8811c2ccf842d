//! Snapshot files: checksummed, versioned, written atomically (temp file, fsync, rename, fsync
//! of the directory), named by the sequence of the last record they include.
//!
//! The sequencer does not encode its own state for a snapshot (at millions of payments that
//! took seconds while every caller waited). A background thread builds the state to encode
//! itself, from durable data only ([`rebuild`]): the newest snapshot before the target record,
//! plus the journal's records up to it, replayed exactly as recovery replays them. The
//! sequencer only names the target (its head when it asked).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::StateMachine;
use crate::error::JournalError;
use crate::format::{self, Hash, read_u16, read_u32, read_u64};
use crate::log::fsync_dir;
use crate::recovery::decode_commands;
use crate::scan::{Position, Scanner, Step};

const SNAPSHOT_MAGIC: [u8; 8] = *b"KLIRSNAP";
const SNAPSHOT_FORMAT_VERSION: u16 = 1;
const SNAPSHOT_HEADER_LEN: usize = 152;
const SNAPSHOT_PREFIX: &str = "snapshot-";
const SNAPSHOT_SUFFIX: &str = ".snap";
const TEMP_SUFFIX: &str = ".tmp";
/// Snapshots kept on disk; the older one is the fallback if the newest is damaged.
const SNAPSHOTS_KEPT: usize = 2;

/// Where a snapshot sits in the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SnapshotMeta {
    /// Sequence of the last record applied to the state.
    pub sequence: u64,
    pub timestamp: u64,
    /// Hash of that record, so a snapshot cannot be paired with a different journal.
    pub record_hash: Hash,
}

/// Writes a snapshot atomically and prunes older ones.
///
/// Header: `magic[8] | version u16 | kind slot[50] | sequence u64 | timestamp u64 |
/// record_hash[32] | payload_len u64 | blake3(payload)[32] | crc32c(0..148) u32`.
pub(crate) fn write(
    dir: &Path,
    kind: &str,
    meta: &SnapshotMeta,
    payload: &[u8],
) -> Result<PathBuf, JournalError> {
    let mut header = [0u8; SNAPSHOT_HEADER_LEN];
    header[0..8].copy_from_slice(&SNAPSHOT_MAGIC);
    header[8..10].copy_from_slice(&SNAPSHOT_FORMAT_VERSION.to_le_bytes());
    format::write_kind(&mut header[10..60], kind)
        .ok_or_else(|| JournalError::KindTooLong(kind.to_string()))?;
    header[60..68].copy_from_slice(&meta.sequence.to_le_bytes());
    header[68..76].copy_from_slice(&meta.timestamp.to_le_bytes());
    header[76..108].copy_from_slice(&meta.record_hash);
    let payload_len = u64::try_from(payload.len()).unwrap_or(u64::MAX);
    header[108..116].copy_from_slice(&payload_len.to_le_bytes());
    header[116..148].copy_from_slice(blake3::hash(payload).as_bytes());
    let crc = crc32c::crc32c(&header[0..148]);
    header[148..152].copy_from_slice(&crc.to_le_bytes());

    let name = format!("{SNAPSHOT_PREFIX}{:020}{SNAPSHOT_SUFFIX}", meta.sequence);
    let path = dir.join(&name);
    let temp = dir.join(format!("{name}{TEMP_SUFFIX}"));
    let mut file = crate::log::private_file()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(|e| JournalError::io(&temp, e))?;
    file.write_all(&header)
        .and_then(|()| file.write_all(payload))
        .and_then(|()| file.sync_all())
        .map_err(|e| JournalError::io(&temp, e))?;
    fs::rename(&temp, &path).map_err(|e| JournalError::io(&path, e))?;
    fsync_dir(dir)?;
    for (_, old) in list(dir)?.into_iter().skip(SNAPSHOTS_KEPT) {
        if let Err(e) = fs::remove_file(&old) {
            tracing::warn!(path = %old.display(), error = %e, "could not remove old snapshot");
        }
    }
    Ok(path)
}

/// Snapshot files in `dir`, newest (highest sequence) first.
pub(crate) fn list(dir: &Path) -> Result<Vec<(u64, PathBuf)>, JournalError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| JournalError::io(dir, e))? {
        let entry = entry.map_err(|e| JournalError::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let sequence = name
            .strip_prefix(SNAPSHOT_PREFIX)
            .and_then(|rest| rest.strip_suffix(SNAPSHOT_SUFFIX))
            .and_then(|digits| digits.parse::<u64>().ok());
        if let Some(sequence) = sequence {
            found.push((sequence, entry.path()));
        }
    }
    found.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    Ok(found)
}

/// Removes temporary files left by a snapshot write that crashed before its rename.
pub(crate) fn remove_temp_files(dir: &Path) -> Result<(), JournalError> {
    for entry in fs::read_dir(dir).map_err(|e| JournalError::io(dir, e))? {
        let entry = entry.map_err(|e| JournalError::io(dir, e))?;
        let name = entry.file_name();
        let is_temp = name.to_str().is_some_and(|n| {
            n.starts_with(SNAPSHOT_PREFIX)
                && n.ends_with(&format!("{SNAPSHOT_SUFFIX}{TEMP_SUFFIX}"))
        });
        if is_temp {
            let path = entry.path();
            tracing::info!(path = %path.display(), "removing unfinished snapshot");
            fs::remove_file(&path).map_err(|e| JournalError::io(&path, e))?;
        }
    }
    Ok(())
}

/// Reads and checks a snapshot file: header checksum, version, kind, length, payload hash.
pub(crate) fn load(path: &Path, kind: &str) -> Result<(SnapshotMeta, Vec<u8>), String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let Some(header) = bytes.get(..SNAPSHOT_HEADER_LEN) else {
        return Err("shorter than its header".to_string());
    };
    if header[0..8] != SNAPSHOT_MAGIC {
        return Err("bad magic".to_string());
    }
    if crc32c::crc32c(&header[0..148]) != read_u32(header, 148) {
        return Err("header checksum mismatch".to_string());
    }
    let version = read_u16(header, 8);
    if version != SNAPSHOT_FORMAT_VERSION {
        return Err(format!("unsupported snapshot format version {version}"));
    }
    let found_kind = format::read_kind(&header[10..60])?;
    if found_kind != kind {
        return Err(format!("kind {found_kind:?}, expected {kind:?}"));
    }
    let payload = &bytes[SNAPSHOT_HEADER_LEN..];
    let declared = read_u64(header, 108);
    if u64::try_from(payload.len()).ok() != Some(declared) {
        return Err(format!(
            "payload is {} bytes, header says {declared}",
            payload.len()
        ));
    }
    if blake3::hash(payload).as_bytes()[..] != header[116..148] {
        return Err("payload hash mismatch".to_string());
    }
    let mut record_hash = [0u8; 32];
    record_hash.copy_from_slice(&header[76..108]);
    let meta = SnapshotMeta {
        sequence: read_u64(header, 60),
        timestamp: read_u64(header, 68),
        record_hash,
    };
    // In place rather than a copy: a snapshot may be gigabytes.
    let mut payload = bytes;
    payload.drain(..SNAPSHOT_HEADER_LEN);
    Ok((meta, payload))
}

/// Where a background snapshot ended: the next one restores it and replays from `after`,
/// without scanning the journal for its position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Base {
    pub sequence: u64,
    pub after: Position,
}

/// Why a background snapshot was not written (logged; the sequencer tries again later).
#[derive(Debug, thiserror::Error)]
pub(crate) enum BuildError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "no usable snapshot to start from, and records before {first_present} are not in the \
         data directory"
    )]
    NoStart { first_present: u64 },
    #[error("the journal ends at record {head}, before record {target}")]
    JournalEnds { target: u64, head: u64 },
    #[error("the replayed journal does not end at record {sequence}'s hash and timestamp")]
    Diverged { sequence: u64 },
}

/// A snapshot [`rebuild`] wrote, and what it cost.
#[derive(Debug)]
pub(crate) struct Built {
    pub path: PathBuf,
    pub base: Base,
    pub payload_bytes: usize,
    /// Sequence of the snapshot it started from (0: genesis).
    pub from_sequence: u64,
    pub records_replayed: u64,
    /// Finding, loading and decoding the starting snapshot.
    pub restore: Duration,
    pub replay: Duration,
    pub encode: Duration,
    /// Writing, fsync, rename and directory fsync.
    pub write: Duration,
}

/// Writes the snapshot of the state after record `target` (the sequencer's head when it asked)
/// without the sequencer's state: restores the newest usable snapshot before it (or genesis),
/// replays the durable records up to `target`, checks the result ends at `target`'s hash and
/// timestamp, encodes and writes it. `hint` is where the previous rebuild ended; without it
/// (the first snapshot after a start) the present segments are scanned once to find where each
/// snapshot's record ends. Runs beside the sequencer, which goes on appending: only records up
/// to `target`, durable before this was called, are read.
pub(crate) fn rebuild<S: StateMachine>(
    dir: &Path,
    target: &SnapshotMeta,
    hint: Option<Base>,
) -> Result<Built, BuildError> {
    let started = Instant::now();
    let (mut scanner, _) = Scanner::open(dir, &[])?;
    let candidates: Vec<(u64, PathBuf)> = list(dir)?
        .into_iter()
        .filter(|(sequence, _)| *sequence <= target.sequence)
        .collect();
    let hinted = hint.filter(|h| {
        candidates
            .first()
            .is_some_and(|(seq, _)| *seq == h.sequence)
    });
    let mut restored = hinted.and_then(|h| {
        let positions = HashMap::from([(h.sequence, h.after)]);
        restore::<S>(dir, &candidates[..1], &positions)
    });
    if restored.is_none() {
        let genesis = scanner.position();
        let positions = positions_of(&mut scanner, &candidates, target.sequence)?;
        restored = restore::<S>(dir, &candidates, &positions);
        if restored.is_none() && scanner.first_sequence() == 1 {
            restored = Some((S::fresh(), genesis, 0));
        }
    }
    let Some((mut state, start, from_sequence)) = restored else {
        return Err(BuildError::NoStart {
            first_present: scanner.first_sequence(),
        });
    };
    let restore_took = started.elapsed();

    let replay_started = Instant::now();
    scanner.seek(start)?;
    let mut records_replayed = 0u64;
    while scanner.position().next_sequence <= target.sequence {
        let Step::Record(record) = scanner.next_step()? else {
            return Err(BuildError::JournalEnds {
                target: target.sequence,
                head: scanner.position().next_sequence.saturating_sub(1),
            });
        };
        let commands = decode_commands::<S::Command>(&scanner, &record)?;
        state.apply(record.header.timestamp, &commands);
        records_replayed += 1;
    }
    let end = scanner.position();
    // The sequencer's state after `target` is what this one must equal: same record, same
    // hash chain, same batch timestamp.
    if end.prev_hash != target.record_hash || end.last_timestamp != target.timestamp {
        return Err(BuildError::Diverged {
            sequence: target.sequence,
        });
    }
    let replay_took = replay_started.elapsed();

    let encode_started = Instant::now();
    let payload = state.encode_snapshot();
    drop(state);
    let encode_took = encode_started.elapsed();
    let write_started = Instant::now();
    let path = write(dir, S::KIND, target, &payload)?;
    Ok(Built {
        path,
        base: Base {
            sequence: target.sequence,
            after: end,
        },
        payload_bytes: payload.len(),
        from_sequence,
        records_replayed,
        restore: restore_took,
        replay: replay_took,
        encode: encode_took,
        write: write_started.elapsed(),
    })
}

/// Scans from the first present record to `up_to`, returning the position after each
/// candidate snapshot's record.
fn positions_of(
    scanner: &mut Scanner,
    candidates: &[(u64, PathBuf)],
    up_to: u64,
) -> Result<HashMap<u64, Position>, JournalError> {
    let mut positions = HashMap::new();
    let Some(oldest) = candidates.last().map(|(sequence, _)| *sequence) else {
        return Ok(positions);
    };
    let newest = candidates.first().map_or(up_to, |(sequence, _)| *sequence);
    while scanner.position().next_sequence <= newest.min(up_to) {
        let Step::Record(record) = scanner.next_step()? else {
            break;
        };
        let sequence = record.header.sequence;
        if sequence >= oldest && candidates.iter().any(|(s, _)| *s == sequence) {
            positions.insert(sequence, scanner.position());
        }
    }
    Ok(positions)
}

/// The newest candidate that loads, belongs at its position and decodes, with that position.
/// A candidate that does not is skipped with a warning, as recovery skips it. (Invariants are
/// left to the machine's decode and to `verify`: this state is only re-encoded.)
fn restore<S: StateMachine>(
    dir: &Path,
    candidates: &[(u64, PathBuf)],
    positions: &HashMap<u64, Position>,
) -> Option<(S, Position, u64)> {
    for (sequence, path) in candidates {
        let Some(position) = positions.get(sequence) else {
            continue;
        };
        let loaded = load(path, S::KIND).and_then(|(meta, payload)| {
            if meta.sequence != *sequence || meta.record_hash != position.prev_hash {
                return Err("does not match the journal's record".to_string());
            }
            S::decode_snapshot(&payload).map_err(|e| format!("does not decode: {e}"))
        });
        match loaded {
            Ok(state) => return Some((state, *position, *sequence)),
            Err(reason) => tracing::warn!(
                dir = %dir.display(),
                snapshot = %path.display(),
                %reason,
                "background snapshot: skipping an unusable snapshot as its starting point"
            ),
        }
    }
    None
}
