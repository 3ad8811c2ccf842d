//! Error types. Import errors always say where the input went wrong (CSV file and line, or XML
//! element and byte offset) so an operator can find the fault; a failed import never yields a
//! partial list.

use std::path::PathBuf;

/// Why a list file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The XML is not well formed (or not UTF-8) at this byte offset.
    #[error("malformed XML at byte {position} (inside <{element}>): {message}")]
    XmlSyntax {
        /// Byte offset where the parser stopped.
        position: u64,
        /// Innermost open element, or "document" at top level.
        element: String,
        /// Parser's description.
        message: String,
    },
    /// The XML ended while elements were still open.
    #[error("truncated XML: input ended at byte {position} inside <{element}>")]
    XmlTruncated {
        /// Byte offset of the end of input.
        position: u64,
        /// Innermost element still open.
        element: String,
    },
    /// The XML is well formed but is not the expected list format.
    #[error("unexpected XML structure at byte {position} in <{element}>: {message}")]
    XmlStructure {
        /// Byte offset of the offending element.
        position: u64,
        /// The offending element.
        element: String,
        /// What was expected.
        message: String,
    },
    /// A CSV record could not be read or has invalid content.
    #[error("{file} line {line}: {message}")]
    Csv {
        /// Which file of the set ("sdn.csv", "alt.csv", "add.csv").
        file: &'static str,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The file parsed but holds no entries, which for a sanctions list means a wrong file.
    #[error("{0}: the file contains no entries")]
    Empty(&'static str),
    /// Reading the input failed.
    #[error("reading {path}: {source}")]
    Io {
        /// File being read.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// Why a stored list could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done ("write", "read", "rename", ...).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The stored version record is unreadable.
    #[error("version record {path}: {message}")]
    BadVersionRecord {
        /// The version file.
        path: PathBuf,
        /// Parser's description.
        message: String,
    },
    /// The raw files do not hash to the version record: on load, disk corruption or tampering;
    /// on save, a version that was not produced from these files.
    #[error("stored {source_name} list: content hash {actual} does not match recorded {recorded}")]
    HashMismatch {
        /// List source name.
        source_name: String,
        /// Hash recorded at import time.
        recorded: String,
        /// Hash of the bytes on disk now.
        actual: String,
    },
    /// The stored raw file no longer parses.
    #[error("stored {source_name} list: {error}")]
    Import {
        /// List source name.
        source_name: String,
        /// Import failure.
        error: ImportError,
    },
}
