//! Making `journal.log` agree with PostgreSQL before recovery (see the crate docs for the rules).

use std::path::Path;

use journal::format::{self, Hash, RECORD_HEADER_LEN};
use journal::replica;

use crate::error::PgError;
use crate::store::{self, Store};

/// What reconciliation did to the local file (or the database).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Records in PostgreSQL after reconciliation (its head sequence).
    pub head_sequence: u64,
    /// Records copied from PostgreSQL into `journal.log`.
    pub extended: u64,
    /// Records cut from `journal.log` because PostgreSQL never committed them.
    pub cut: u64,
    /// Records copied from `journal.log` into a database that had never held a journal.
    pub seeded: u64,
}

/// Brings `dir/journal.log` into agreement with the database. `writer`: the connection holds
/// the writer lock and may seed a database that never held a journal; a standby's (`false`)
/// treats such a database as empty (a leader will create it).
pub(crate) fn reconcile(
    store: &mut Store,
    dir: &Path,
    kind: &'static str,
    writer: bool,
) -> Result<Reconciled, PgError> {
    let mut done = Reconciled::default();
    let header = replica::file_header(kind)?;
    let local = replica::local_records(dir)?;
    if let Some(local) = &local
        && local.kind != kind
    {
        return Err(journal::JournalError::KindMismatch {
            path: dir.join("journal.log"),
            expected: kind.to_string(),
            found: local.kind.clone(),
        }
        .into());
    }
    let header_row = store.header()?;
    let held = header_row.is_some();
    match header_row {
        Some((found, stored)) => {
            if found != kind || stored != header {
                return Err(PgError::KindMismatch {
                    expected: kind.to_string(),
                    found,
                });
            }
        }
        None if !writer => {}
        None => {
            done.seeded = seed(store, dir, kind, &header, local.is_some())?;
            if done.seeded > 0 {
                tracing::info!(records = done.seeded, "seeded PostgreSQL from journal.log");
            }
        }
    }
    let remote = if writer || held {
        remote_hashes(store)?
    } else {
        Vec::new()
    };
    // Early segments of the file may be archived: compare from its first present record.
    let (local_first, local_hashes) = local
        .map(|l| (l.first_sequence, l.hashes))
        .unwrap_or((1, Vec::new()));
    let skip = usize::try_from(local_first.saturating_sub(1)).unwrap_or(usize::MAX);
    if let Some(index) = (0..local_hashes.len())
        .take_while(|i| skip.saturating_add(*i) < remote.len())
        .find(|&i| remote.get(skip.saturating_add(i)) != local_hashes.get(i))
    {
        return Err(PgError::Diverged {
            sequence: sequence_of(skip.saturating_add(index)),
        });
    }
    let remote_head = count(remote.len());
    let local_head = local_first
        .saturating_sub(1)
        .saturating_add(count(local_hashes.len()));
    done.head_sequence = remote_head;
    if local_head > remote_head {
        tracing::warn!(
            first = remote_head + 1,
            last = local_head,
            "cutting records from journal.log that PostgreSQL never committed (never acknowledged)"
        );
        done.cut = replica::cut_after(dir, kind, remote_head)?;
    } else if remote_head > local_head {
        done.extended = extend(store, dir, kind, local_head)?;
        tracing::info!(
            records = done.extended,
            from = local_head + 1,
            "extended journal.log from PostgreSQL"
        );
    }
    Ok(done)
}

/// Stores the header and, if a local journal exists, all of its records, in one transaction.
fn seed(
    store: &mut Store,
    dir: &Path,
    kind: &str,
    header: &[u8],
    local: bool,
) -> Result<u64, PgError> {
    let mut tx = store.client.transaction()?;
    tx.execute(
        "INSERT INTO kliring_journal_header (id, kind, file_header) VALUES (1, $1, $2)",
        &[&kind, &header],
    )?;
    let mut seeded = 0;
    if local {
        replica::for_each_record(dir, |sequence, hash, record| {
            seeded += 1;
            store::insert_record(&mut tx, sequence, hash, record)
        })?;
    }
    tx.commit()?;
    Ok(seeded)
}

/// PostgreSQL's record hashes in order, checked to run 1, 2, 3... without a gap.
fn remote_hashes(store: &mut Store) -> Result<Vec<Hash>, PgError> {
    let rows = store.hashes()?;
    let mut hashes = Vec::with_capacity(rows.len());
    for (index, (seq, hash)) in rows.into_iter().enumerate() {
        let expected = sequence_of(index);
        let sequence = u64::try_from(seq).unwrap_or(0);
        if sequence != expected {
            return Err(PgError::BadRecord {
                sequence: expected,
                reason: format!("missing (the next row is {seq})"),
            });
        }
        let hash = Hash::try_from(hash.as_slice()).map_err(|_| PgError::BadRecord {
            sequence,
            reason: format!("hash column of {} bytes", hash.len()),
        })?;
        hashes.push(hash);
    }
    Ok(hashes)
}

/// Appends PostgreSQL's records after `local_head` to `journal.log`, each checked against the
/// chain by the journal itself, then fsyncs once.
fn extend(
    store: &mut Store,
    dir: &Path,
    kind: &'static str,
    local_head: u64,
) -> Result<u64, PgError> {
    let mut journal = replica::open_for_extending(dir, kind)?;
    let mut after = store::sequence_column(local_head)?;
    let mut extended = 0u64;
    loop {
        let rows = store.records_after(after)?;
        let Some((last, _, _)) = rows.last() else {
            break;
        };
        after = *last;
        for (seq, hash, record) in rows {
            extended = extended.saturating_add(1);
            let sequence = local_head.saturating_add(extended);
            // The row's columns are checked before anything is written to the file.
            let Some((head, body)) = record.split_first_chunk::<RECORD_HEADER_LEN>() else {
                return Err(PgError::BadRecord {
                    sequence,
                    reason: format!("record of {} bytes", record.len()),
                });
            };
            check_row(seq, &hash, sequence, &format::record_hash(head, body))?;
            journal.append_sealed(&record)?;
        }
    }
    journal.sync()?;
    Ok(extended)
}

/// A row's `seq` and `hash` columns must match what its record bytes say.
pub(crate) fn check_row(
    seq: i64,
    hash_column: &[u8],
    sequence: u64,
    hash: &Hash,
) -> Result<(), PgError> {
    if u64::try_from(seq).ok() != Some(sequence) {
        return Err(PgError::BadRecord {
            sequence,
            reason: format!("stored under sequence {seq}"),
        });
    }
    if hash_column != hash.as_slice() {
        return Err(PgError::BadRecord {
            sequence,
            reason: "hash column differs from the record's hash".to_string(),
        });
    }
    Ok(())
}

/// The sequence of the record at `index` (0-based).
fn sequence_of(index: usize) -> u64 {
    count(index).saturating_add(1)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
