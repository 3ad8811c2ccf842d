//! Copying the journal out of PostgreSQL into a `journal.log`, for `kliring verify --postgres`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use journal::format::{self, FILE_HEADER_LEN, RECORD_HEADER_LEN};

use crate::error::PgError;
use crate::reconcile::check_row;
use crate::store::Store;

/// What [`export`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// The machine kind named by the stored file header.
    pub kind: String,
    /// Records written.
    pub records: u64,
}

/// Writes PostgreSQL's journal to `dir/journal.log` (which must not exist) exactly as stored,
/// so that `journal::verify` checks the records themselves. Each row's `seq` and `hash` columns
/// are checked against its bytes here; everything else (checksums, chain, invariants) is the
/// verifier's. Takes no lock: rows are only ever appended, so this reads a consistent prefix.
pub fn export(url: &str, dir: &Path) -> Result<ExportReport, PgError> {
    let mut store = Store::connect_reader(url)?;
    let (kind, header) = store.header()?.ok_or(PgError::NoJournal)?;
    let header_bytes: [u8; FILE_HEADER_LEN] =
        header
            .as_slice()
            .try_into()
            .map_err(|_| PgError::BadRecord {
                sequence: 0,
                reason: format!("file header of {} bytes", header.len()),
            })?;
    format::decode_file_header(&header_bytes).map_err(|reason| PgError::BadRecord {
        sequence: 0,
        reason,
    })?;
    let path = dir.join("journal.log");
    let io = |source| PgError::Io {
        path: path.clone(),
        source,
    };
    let file = File::create_new(&path).map_err(io)?;
    let mut out = BufWriter::new(file);
    out.write_all(&header_bytes).map_err(io)?;
    let mut records = 0u64;
    let mut after = 0i64;
    loop {
        let rows = store.records_after(after)?;
        let Some((last, _, _)) = rows.last() else {
            break;
        };
        after = *last;
        for (seq, hash, record) in rows {
            records += 1;
            let Some((head, body)) = record.split_first_chunk::<RECORD_HEADER_LEN>() else {
                return Err(PgError::BadRecord {
                    sequence: records,
                    reason: format!("record of {} bytes", record.len()),
                });
            };
            check_row(seq, &hash, records, &format::record_hash(head, body))?;
            out.write_all(&record).map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(ExportReport { kind, records })
}
