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

/// Read buffer for sequential scans; records are usually smaller, bulk batches larger.
const SCAN_BUFFER_BYTES: usize = 1 << 20;

/// One validated record.
pub(crate) struct ScannedRecord {
    pub offset: u64,
    pub header: RecordHeader,
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

pub(crate) struct Scanner {
    path: PathBuf,
    file: File,
    reader: BufReader<File>,
    file_len: u64,
    pos: Position,
}

impl Scanner {
    /// Opens `path`, validates its file header and positions at the first record.
    /// Returns the scanner and the journal's kind.
    pub fn open(path: &Path) -> Result<(Scanner, String), JournalError> {
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
        let reader_file = file.try_clone().map_err(|e| JournalError::io(path, e))?;
        let mut scanner = Scanner {
            path: path.to_path_buf(),
            file,
            reader: BufReader::with_capacity(SCAN_BUFFER_BYTES, reader_file),
            file_len,
            pos: Position {
                offset: 0,
                next_sequence: 1,
                prev_hash: format::genesis_hash(&header),
                last_timestamp: 0,
            },
        };
        scanner.seek(Position {
            offset: u64::try_from(FILE_HEADER_LEN).unwrap_or(64),
            ..scanner.pos
        })?;
        Ok((scanner, kind))
    }

    /// Continues scanning from a position learnt in an earlier pass.
    pub fn seek(&mut self, pos: Position) -> Result<(), JournalError> {
        self.reader
            .seek(SeekFrom::Start(pos.offset))
            .map_err(|e| JournalError::io(&self.path, e))?;
        self.pos = pos;
        Ok(())
    }

    pub fn position(&self) -> Position {
        self.pos
    }

    pub fn file_len(&self) -> u64 {
        self.file_len
    }

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

    /// Reads and validates the next record.
    pub fn next_step(&mut self) -> Result<Step, JournalError> {
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
        let (hash, next) = self
            .pos
            .follow(&header, &header_bytes, &body, end)
            .map_err(|corruption| self.corrupt(offset, corruption))?;
        self.pos = next;
        Ok(Step::Record(ScannedRecord {
            offset,
            header,
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

/// Positions in `window` where the record magic starts.
fn memchr_magic(window: &[u8]) -> impl Iterator<Item = usize> + '_ {
    window
        .windows(RECORD_MAGIC.len())
        .enumerate()
        .filter(|(_, w)| *w == RECORD_MAGIC)
        .map(|(at, _)| at)
}
