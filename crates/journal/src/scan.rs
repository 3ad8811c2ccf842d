//! Sequential validation of `journal.log`: checksums, sequence, hash chain, timestamps, and the
//! decision between a torn tail (cut it) and corruption (refuse).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Corruption, JournalError};
use crate::format::{
    self, FILE_HEADER_LEN, Hash, HeaderProblem, RECORD_HEADER_LEN, RECORD_MAGIC, RecordHeader,
};
use crate::log::LOG_FILE_NAME;
use crate::segment::{self, Segment};

/// Read buffer for sequential scans; records are usually smaller, bulk batches larger.
const SCAN_BUFFER_BYTES: usize = 1 << 20;
/// Where the first record of every segment starts.
pub(crate) const FILE_HEADER_OFFSET: u64 = 64;

/// One validated record.
pub(crate) struct ScannedRecord {
    /// Offset in its segment file.
    pub offset: u64,
    pub header: RecordHeader,
    pub header_bytes: [u8; RECORD_HEADER_LEN],
    pub body: Vec<u8>,
    pub hash: Hash,
}

/// The outcome of one scanning step.
pub(crate) enum Step {
    Record(ScannedRecord),
    /// Clean end of the journal.
    End,
    /// An unacknowledged, partly written last record starting at `offset`.
    TornTail {
        offset: u64,
        reason: Corruption,
    },
}

/// Where the scanner expects the next record, and what it must chain to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Position {
    /// First sequence of the segment file the position is in (1: `journal.log`).
    pub segment: u64,
    /// Byte offset in that file.
    pub offset: u64,
    pub next_sequence: u64,
    pub prev_hash: Hash,
    pub last_timestamp: u64,
}

impl Position {
    /// Checks that a record with valid checksums, ending at `end`, continues the journal here
    /// (next sequence, hash chain, later timestamp), and returns its hash and the position
    /// after it. Shared by the scanner and [`crate::Journal::append_sealed`].
    pub(crate) fn follow(
        &self,
        header: &RecordHeader,
        header_bytes: &[u8; RECORD_HEADER_LEN],
        body: &[u8],
        end: u64,
    ) -> Result<(Hash, Position), Corruption> {
        if header.sequence != self.next_sequence {
            return Err(Corruption::SequenceGap {
                expected: self.next_sequence,
                found: header.sequence,
            });
        }
        if header.prev_hash != self.prev_hash {
            return Err(Corruption::ChainBroken {
                sequence: header.sequence,
            });
        }
        if header.timestamp <= self.last_timestamp {
            return Err(Corruption::TimestampBackwards {
                sequence: header.sequence,
            });
        }
        let hash = format::record_hash(header_bytes, body);
        let next = Position {
            segment: self.segment,
            offset: end,
            next_sequence: header.sequence.saturating_add(1),
            prev_hash: hash,
            last_timestamp: header.timestamp,
        };
        Ok((hash, next))
    }
}

/// What a record header that does not decode means: a damaged record, or (`Err`) a format
/// version this reader does not know.
pub(crate) fn header_corruption(problem: HeaderProblem) -> Result<Corruption, u16> {
    match problem {
        HeaderProblem::UnknownVersion(version) => Err(version),
        HeaderProblem::BadMagic => Ok(Corruption::BadMagic),
        HeaderProblem::BadChecksum => Ok(Corruption::BadHeaderChecksum),
        HeaderProblem::BodyTooLarge(len) => Ok(Corruption::BodyTooLarge(len)),
    }
}

/// Reads the records of all segments in order, validating each and the links between them.
pub(crate) struct Scanner {
    segments: Vec<Segment>,
    /// Index of the segment being read.
    index: usize,
    path: PathBuf,
    file: File,
    reader: BufReader<File>,
    file_len: u64,
    kind: String,
    pos: Position,
    /// The first present segment is not `journal.log` (earlier ones are archived): its first
    /// record's predecessor hash cannot be checked here and is taken as found.
    first_link_unknown: bool,
}

impl Scanner {
    /// Opens the journal of `dir` (its segments in `dir`, and in `archives` when given) at its
    /// first present record. Returns the scanner and the journal's kind.
    pub fn open(dir: &Path, archives: &[&Path]) -> Result<(Scanner, String), JournalError> {
        let mut dirs = vec![dir];
        dirs.extend_from_slice(archives);
        let segments = segment::list(&dirs)?;
        let Some(first) = segments.first().cloned() else {
            return Err(JournalError::NotFound(dir.join(LOG_FILE_NAME)));
        };
        let (file, file_len, kind, header) = open_segment(&first.path)?;
        let reader_file = file
            .try_clone()
            .map_err(|e| JournalError::io(&first.path, e))?;
        let mut scanner = Scanner {
            segments,
            index: 0,
            path: first.path,
            file,
            reader: BufReader::with_capacity(SCAN_BUFFER_BYTES, reader_file),
            file_len,
            kind: kind.clone(),
            pos: Position {
                segment: first.first_sequence,
                offset: FILE_HEADER_OFFSET,
                next_sequence: first.first_sequence,
                prev_hash: format::genesis_hash(&header),
                last_timestamp: 0,
            },
            first_link_unknown: first.first_sequence != 1,
        };
        scanner.seek(scanner.pos)?;
        Ok((scanner, kind))
    }

    /// Sequence of the first record present (1 unless early segments are archived).
    pub fn first_sequence(&self) -> u64 {
        self.segments.first().map_or(1, |s| s.first_sequence)
    }

    /// The segments the scan covers, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Continues scanning from a position learnt in an earlier pass.
    pub fn seek(&mut self, pos: Position) -> Result<(), JournalError> {
        if pos.segment != self.segments[self.index].first_sequence {
            let index = self
                .segments
                .iter()
                .position(|s| s.first_sequence == pos.segment)
                .ok_or_else(|| JournalError::NotFound(self.path.clone()))?;
            self.enter(index)?;
        }
        self.reader
            .seek(SeekFrom::Start(pos.offset))
            .map_err(|e| JournalError::io(&self.path, e))?;
        if pos.offset > FILE_HEADER_OFFSET || pos.segment != self.first_sequence() {
            self.first_link_unknown = false;
        }
        self.pos = pos;
        Ok(())
    }

    /// Switches to segment `index`, checking its header names the same kind.
    fn enter(&mut self, index: usize) -> Result<(), JournalError> {
        let segment = &self.segments[index];
        let (file, file_len, kind, _) = open_segment(&segment.path)?;
        if kind != self.kind {
            return Err(JournalError::Corrupt {
                path: segment.path.clone(),
                offset: 0,
                corruption: Corruption::FileHeader(format!(
                    "segment of kind {kind:?} in a journal of kind {:?}",
                    self.kind
                )),
            });
        }
        let reader_file = file
            .try_clone()
            .map_err(|e| JournalError::io(&segment.path, e))?;
        self.path = segment.path.clone();
        self.file = file;
        self.reader = BufReader::with_capacity(SCAN_BUFFER_BYTES, reader_file);
        self.file_len = file_len;
        self.index = index;
        Ok(())
    }

    pub fn position(&self) -> Position {
        self.pos
    }

    /// Length of the segment being read.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The segment file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn corrupt(&self, offset: u64, corruption: Corruption) -> JournalError {
        JournalError::Corrupt {
            path: self.path.clone(),
            offset,
            corruption,
        }
    }

    /// Reads and validates the next record, moving on to the next segment at the end of one.
    /// Only the last segment may end in a torn write: every earlier one was complete and
    /// durable before the next was created.
    pub fn next_step(&mut self) -> Result<Step, JournalError> {
        loop {
            let last = self.index + 1 == self.segments.len();
            if self.pos.offset < self.file_len || last {
                return match self.next_in_segment()? {
                    Step::TornTail { offset, reason } if !last => Err(self.corrupt(offset, reason)),
                    step => Ok(step),
                };
            }
            let next = &self.segments[self.index + 1];
            if next.first_sequence != self.pos.next_sequence {
                return Err(JournalError::Corrupt {
                    path: next.path.clone(),
                    offset: 0,
                    corruption: Corruption::SegmentOutOfPlace {
                        expected: self.pos.next_sequence,
                        found: next.first_sequence,
                    },
                });
            }
            self.enter(self.index + 1)?;
            self.pos.segment = self.segments[self.index].first_sequence;
            self.pos.offset = FILE_HEADER_OFFSET;
            self.reader
                .seek(SeekFrom::Start(FILE_HEADER_OFFSET))
                .map_err(|e| JournalError::io(&self.path, e))?;
        }
    }

    /// Reads and validates the next record of the current segment.
    fn next_in_segment(&mut self) -> Result<Step, JournalError> {
        let offset = self.pos.offset;
        let remaining = self.file_len.saturating_sub(offset);
        if remaining == 0 {
            return Ok(Step::End);
        }
        let header_len = u64::try_from(RECORD_HEADER_LEN).unwrap_or(u64::MAX);
        if remaining < header_len {
            return self.bad_header(offset, Corruption::Incomplete);
        }
        let mut header_bytes = [0u8; RECORD_HEADER_LEN];
        self.reader
            .read_exact(&mut header_bytes)
            .map_err(|e| JournalError::io(&self.path, e))?;
        let header = match format::decode_record_header(&header_bytes) {
            Ok(header) => header,
            Err(problem) => match header_corruption(problem) {
                Ok(corruption) => return self.bad_header(offset, corruption),
                Err(version) => {
                    return Err(JournalError::UnsupportedVersion {
                        path: self.path.clone(),
                        offset,
                        version,
                    });
                }
            },
        };
        let end = offset
            .saturating_add(header_len)
            .saturating_add(u64::from(header.body_len));
        if end > self.file_len {
            return Ok(Step::TornTail {
                offset,
                reason: Corruption::Incomplete,
            });
        }
        let mut body = vec![0u8; usize::try_from(header.body_len).unwrap_or(usize::MAX)];
        self.reader
            .read_exact(&mut body)
            .map_err(|e| JournalError::io(&self.path, e))?;
        if crc32c::crc32c(&body) != header.body_crc {
            if end == self.file_len {
                return Ok(Step::TornTail {
                    offset,
                    reason: Corruption::BadBodyChecksum,
                });
            }
            return Err(self.corrupt(offset, Corruption::BadBodyChecksum));
        }
        if self.first_link_unknown {
            // Its predecessor is archived: the chain is checked from here on.
            self.pos.prev_hash = header.prev_hash;
            self.first_link_unknown = false;
        }
        let (hash, next) = self
            .pos
            .follow(&header, &header_bytes, &body, end)
            .map_err(|corruption| self.corrupt(offset, corruption))?;
        self.pos = next;
        Ok(Step::Record(ScannedRecord {
            offset,
            header,
            header_bytes,
            body,
            hash,
        }))
    }

    /// A header that cannot be trusted: a torn tail if no valid record follows, else corruption.
    fn bad_header(&self, offset: u64, reason: Corruption) -> Result<Step, JournalError> {
        if self.valid_header_after(offset + 1)? {
            Err(self.corrupt(offset, reason))
        } else {
            Ok(Step::TornTail { offset, reason })
        }
    }

    /// Searches the rest of the file for any checksum-valid record header.
    fn valid_header_after(&self, from: u64) -> Result<bool, JournalError> {
        let overlap = RECORD_HEADER_LEN - 1;
        let mut chunk = vec![0u8; SCAN_BUFFER_BYTES + overlap];
        let mut start = from;
        while start < self.file_len {
            let want = usize::try_from(self.file_len - start)
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            let window = &mut chunk[..want];
            self.file
                .read_exact_at(window, start)
                .map_err(|e| JournalError::io(&self.path, e))?;
            for at in memchr_magic(window) {
                let Some(candidate) = window.get(at..at + RECORD_HEADER_LEN) else {
                    continue;
                };
                let mut header = [0u8; RECORD_HEADER_LEN];
                header.copy_from_slice(candidate);
                if format::decode_record_header(&header).is_ok() {
                    return Ok(true);
                }
            }
            if want < chunk.len() {
                break;
            }
            start += u64::try_from(SCAN_BUFFER_BYTES).unwrap_or(u64::MAX);
        }
        Ok(false)
    }
}

/// Opens a segment file and validates its header: the file, its length, the kind and the
/// header bytes.
fn open_segment(path: &Path) -> Result<(File, u64, String, [u8; FILE_HEADER_LEN]), JournalError> {
    let file = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            JournalError::NotFound(path.to_path_buf())
        } else {
            JournalError::io(path, e)
        }
    })?;
    let file_len = file
        .metadata()
        .map_err(|e| JournalError::io(path, e))?
        .len();
    let corrupt_header = |reason: String| JournalError::Corrupt {
        path: path.to_path_buf(),
        offset: 0,
        corruption: Corruption::FileHeader(reason),
    };
    let mut header = [0u8; FILE_HEADER_LEN];
    file.read_exact_at(&mut header, 0)
        .map_err(|_| corrupt_header("file shorter than its header".to_string()))?;
    let kind = format::decode_file_header(&header).map_err(corrupt_header)?;
    Ok((file, file_len, kind, header))
}

/// Positions in `window` where the record magic starts.
fn memchr_magic(window: &[u8]) -> impl Iterator<Item = usize> + '_ {
    window
        .windows(RECORD_MAGIC.len())
        .enumerate()
        .filter(|(_, w)| *w == RECORD_MAGIC)
        .map(|(at, _)| at)
}
