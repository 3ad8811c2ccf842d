//! `kliring bench ledger --postgres URL`: the journal's ledger benchmark with every record also
//! committed in PostgreSQL (one `INSERT` per group-committed batch). Each workload writes into a
//! schema of its own, dropped afterwards, so the database is left as it was.

use journal_pg::PgError;
use ledger::machine::LedgerMachine;
use postgres::NoTls;

use crate::ledger_durable::{BenchConfig, BenchError, BenchResult};

/// Runs [`crate::ledger_durable::ledger()`] with a PostgreSQL sink on the database at `url`.
pub fn ledger(url: &str, config: &BenchConfig) -> Result<Vec<BenchResult>, BenchError> {
    let failed = |e: PgError| BenchError::Start(e.to_string());
    let base: postgres::Config = url.parse().map_err(|e| failed(PgError::from(e)))?;
    let mut admin = base.connect(NoTls).map_err(|e| failed(e.into()))?;
    let mut schemas = Vec::new();
    let results = crate::ledger_durable::ledger_with(config, &mut |dir, sequencer_config| {
        let schema = format!("kliring_bench_{}_{}", std::process::id(), schemas.len());
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .map_err(|e| failed(e.into()))?;
        schemas.push(schema.clone());
        let mut pg = base.clone();
        pg.options(&format!("-c search_path={schema}"));
        journal_pg::start_with_config::<LedgerMachine>(&pg, dir, sequencer_config, false)
            .map(|started| started.sequencer)
            .map_err(failed)
    });
    for schema in &schemas {
        if let Err(error) = admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")) {
            tracing::warn!(%schema, %error, "cannot drop the benchmark's schema");
        }
    }
    results
}
