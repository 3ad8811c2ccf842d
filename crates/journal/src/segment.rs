//! Log segments: the journal's records split over files of bounded size. `journal.log` holds the
//! records from 1 (a journal from before segments is just that one file); each later segment
//! `journal-<first sequence, 20 digits>.log` starts with the same file header and continues the
//! sequence and the hash chain where the previous one ended.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::JournalError;
use crate::log::{LOG_FILE_NAME, fsync_dir};

const SEGMENT_PREFIX: &str = "journal-";
const SEGMENT_SUFFIX: &str = ".log";
const TEMP_SUFFIX: &str = ".tmp";

/// One segment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// Sequence its first record must have (1 for `journal.log`).
    pub first_sequence: u64,
    pub path: PathBuf,
}

/// File name of the segment whose first record is `first_sequence`.
pub fn file_name(first_sequence: u64) -> String {
    if first_sequence <= 1 {
        LOG_FILE_NAME.to_string()
    } else {
        format!("{SEGMENT_PREFIX}{first_sequence:020}{SEGMENT_SUFFIX}")
    }
}

/// The first sequence a segment file name stands for, or `None` for other files.
fn parse_name(name: &str) -> Option<u64> {
    if name == LOG_FILE_NAME {
        return Some(1);
    }
    let digits = name
        .strip_prefix(SEGMENT_PREFIX)?
        .strip_suffix(SEGMENT_SUFFIX)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok().filter(|first| *first > 1)
}

/// The segments found in `dirs` (the data directory, then any archive directories), in order of
/// their first sequence. The same segment in two places is refused: which copy counts would be a
/// guess.
pub(crate) fn list(dirs: &[&Path]) -> Result<Vec<Segment>, JournalError> {
    let mut found: Vec<Segment> = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(JournalError::io(*dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| JournalError::io(*dir, e))?;
            let name = entry.file_name();
            let Some(first_sequence) = name.to_str().and_then(parse_name) else {
                continue;
            };
            if let Some(other) = found.iter().find(|s| s.first_sequence == first_sequence) {
                return Err(JournalError::SegmentTwice {
                    first: other.path.clone(),
                    second: entry.path(),
                });
            }
            found.push(Segment {
                first_sequence,
                path: entry.path(),
            });
        }
    }
    found.sort_by_key(|segment| segment.first_sequence);
    Ok(found)
}

/// Durably creates the segment starting at `first_sequence` in `dir` holding only `header`
/// (written under a temporary name and linked, so a crash never leaves a half-written header).
pub(crate) fn create(
    dir: &Path,
    first_sequence: u64,
    header: &[u8],
) -> Result<PathBuf, JournalError> {
    let path = dir.join(file_name(first_sequence));
    let temp = dir.join(format!("{}{TEMP_SUFFIX}", file_name(first_sequence)));
    let mut file = crate::log::private_file()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(|e| JournalError::io(&temp, e))?;
    file.write_all(header)
        .and_then(|()| file.sync_all())
        .map_err(|e| JournalError::io(&temp, e))?;
    // A hard link, unlike a rename, refuses to replace an existing segment.
    std::fs::hard_link(&temp, &path).map_err(|e| JournalError::io(&path, e))?;
    std::fs::remove_file(&temp).map_err(|e| JournalError::io(&temp, e))?;
    fsync_dir(dir)?;
    Ok(path)
}

/// Removes segment files of a creation that crashed before its link.
pub(crate) fn remove_temp_files(dir: &Path) -> Result<(), JournalError> {
    for entry in std::fs::read_dir(dir).map_err(|e| JournalError::io(dir, e))? {
        let entry = entry.map_err(|e| JournalError::io(dir, e))?;
        let name = entry.file_name();
        let unfinished = name
            .to_str()
            .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
            .and_then(parse_name)
            .is_some();
        if unfinished {
            let path = entry.path();
            tracing::info!(path = %path.display(), "removing unfinished journal segment");
            std::fs::remove_file(&path).map_err(|e| JournalError::io(&path, e))?;
        }
    }
    Ok(())
}

/// Moves the segments of the journal in `dir` whose records all come before record `keep_from`
/// into `archive` (created if needed), and returns where they went. The segment holding
/// `keep_from` and the last segment always stay. Give the sequence of a verified snapshot as
/// `keep_from`: recovery starts from that snapshot and needs its record in `dir`, while
/// `verify --archive` still replays from genesis. Each segment is copied, made durable, and only
/// then removed from `dir`, so a crash leaves it in one place or both (then remove the copy in
/// `dir` by hand; the listing refuses a segment found twice rather than guess). Needs no lock:
/// the journal appends only to its last segment.
pub fn archive(dir: &Path, archive: &Path, keep_from: u64) -> Result<Vec<PathBuf>, JournalError> {
    let segments = list(&[dir])?;
    crate::log::create_private_dir(archive).map_err(|e| JournalError::io(archive, e))?;
    let mut moved = Vec::new();
    for pair in segments.windows(2) {
        let (segment, next) = (&pair[0], &pair[1]);
        if next.first_sequence > keep_from {
            break;
        }
        let name = file_name(segment.first_sequence);
        let target = archive.join(&name);
        let temp = archive.join(format!("{name}{TEMP_SUFFIX}"));
        std::fs::copy(&segment.path, &temp)
            .and_then(|_| File::open(&temp)?.sync_all())
            .map_err(|e| JournalError::io(&temp, e))?;
        // A hard link, unlike a rename, refuses to replace a segment already archived.
        std::fs::hard_link(&temp, &target).map_err(|e| JournalError::io(&target, e))?;
        std::fs::remove_file(&temp).map_err(|e| JournalError::io(&temp, e))?;
        fsync_dir(archive)?;
        std::fs::remove_file(&segment.path).map_err(|e| JournalError::io(&segment.path, e))?;
        fsync_dir(dir)?;
        tracing::info!(segment = %segment.path.display(), to = %target.display(),
            "archived journal segment");
        moved.push(target);
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_other_files_are_ignored() {
        assert_eq!(file_name(1), "journal.log");
        assert_eq!(parse_name(&file_name(1)), Some(1));
        assert_eq!(file_name(123), "journal-00000000000000000123.log");
        assert_eq!(parse_name(&file_name(123)), Some(123));
        for other in [
            "journal.head",
            "journal-123.log",
            "journal-00000000000000000001.log",
            "journal-0000000000000000012x.log",
            "journal.log.tmp",
            "snapshot-00000000000000000004.snap",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }

    #[test]
    fn list_orders_by_sequence_across_directories_and_refuses_duplicates() {
        let data = tempfile::tempdir().expect("tempdir");
        let archive = tempfile::tempdir().expect("tempdir");
        for (dir, first) in [(&archive, 1), (&data, 40), (&archive, 7)] {
            std::fs::write(dir.path().join(file_name(first)), b"x").expect("writes");
        }
        let found = list(&[data.path(), archive.path()]).expect("lists");
        let firsts: Vec<u64> = found.iter().map(|s| s.first_sequence).collect();
        assert_eq!(firsts, vec![1, 7, 40]);
        std::fs::write(data.path().join(file_name(7)), b"x").expect("writes");
        assert!(matches!(
            list(&[data.path(), archive.path()]),
            Err(JournalError::SegmentTwice { .. })
        ));
    }
}
