//! Snapshot files: checksummed, versioned, written atomically (temp file, fsync, rename, fsync
//! of the directory), named by the sequence of the last record they include.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::JournalError;
use crate::format::{self, Hash, read_u16, read_u32, read_u64};
use crate::log::fsync_dir;

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
    let mut file = File::create(&temp).map_err(|e| JournalError::io(&temp, e))?;
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
    Ok((meta, payload.to_vec()))
}
