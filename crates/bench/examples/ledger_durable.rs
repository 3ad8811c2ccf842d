//! Runs the durable ledger benchmark and prints each result; measure with
//! `cargo run --release -p bench --example ledger_durable`. Environment overrides:
//! `KLIRING_BENCH_TRANSFERS` (per workload), `KLIRING_BENCH_PRODUCERS`, `KLIRING_BENCH_CHUNK`
//! (transfers per submit_many) and `KLIRING_BENCH_BATCH_MAX` (commands per record).

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn env_size(name: &str) -> Option<usize> {
    env_number(name).and_then(|v| usize::try_from(v).ok())
}

fn main() {
    let mut config = bench::ledger_durable::BenchConfig::default();
    if let Some(transfers) = env_number("KLIRING_BENCH_TRANSFERS") {
        config.transfers = transfers;
    }
    if let Some(producers) = env_size("KLIRING_BENCH_PRODUCERS") {
        config.producers = producers;
    }
    if let Some(chunk) = env_size("KLIRING_BENCH_CHUNK") {
        config.chunk_transfers = chunk;
    }
    if let Some(batch) = env_size("KLIRING_BENCH_BATCH_MAX") {
        config.batch_commands_max = batch;
    }
    match bench::ledger_durable::ledger(&config) {
        Ok(results) => results.iter().for_each(|r| println!("{r:?}")),
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}
