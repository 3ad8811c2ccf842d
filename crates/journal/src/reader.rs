//! Reading a journal without a state machine: its kind, and its batches in order (for auditors,
//! tests and tools that inspect what was journalled).

use std::marker::PhantomData;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Corruption, JournalError};
use crate::format::Hash;
use crate::recovery::decode_commands;
use crate::scan::{Scanner, Step};

/// Returns the machine kind recorded in the journal of `dir` (e.g. "ledger"), so a tool can pick
/// the right [`crate::StateMachine`] before reading further.
pub fn read_kind(dir: &Path) -> Result<String, JournalError> {
    Scanner::open(dir, &[]).map(|(_, kind)| kind)
}

/// One journalled batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch<C> {
    pub sequence: u64,
    pub timestamp: u64,
    /// First sequence of the segment file holding the record (1: `journal.log`; the file name
    /// is [`crate::segment::file_name`] of it).
    pub segment: u64,
    /// Byte offset of the record in its segment file.
    pub offset: u64,
    /// This record's hash (what the next record chains to).
    pub hash: Hash,
    pub commands: Vec<C>,
}

/// Iterates over the validated batches of a journal, read-only (a torn tail is reported through
/// [`JournalReader::torn_tail`], not cut). Yields an error and stops on corruption.
pub struct JournalReader<C> {
    scanner: Scanner,
    kind: String,
    torn_tail: Option<(u64, Corruption)>,
    finished: bool,
    commands: PhantomData<fn() -> C>,
}

impl<C: DeserializeOwned> JournalReader<C> {
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        let (scanner, kind) = Scanner::open(dir, &[])?;
        Ok(JournalReader {
            scanner,
            kind,
            torn_tail: None,
            finished: false,
            commands: PhantomData,
        })
    }

    /// The machine kind in the file header.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Offset and reason of a torn tail met at the end of iteration, if any.
    pub fn torn_tail(&self) -> Option<&(u64, Corruption)> {
        self.torn_tail.as_ref()
    }
}

impl<C: DeserializeOwned> Iterator for JournalReader<C> {
    type Item = Result<Batch<C>, JournalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let step = self.scanner.next_step().and_then(|step| match step {
            Step::Record(record) => {
                let commands = decode_commands(&self.scanner, &record)?;
                Ok(Some(Batch {
                    sequence: record.header.sequence,
                    timestamp: record.header.timestamp,
                    segment: self.scanner.position().segment,
                    offset: record.offset,
                    hash: record.hash,
                    commands,
                }))
            }
            Step::End => Ok(None),
            Step::TornTail { offset, reason } => {
                self.torn_tail = Some((offset, reason));
                Ok(None)
            }
        });
        match step {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}
