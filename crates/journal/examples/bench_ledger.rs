//! Runs the durable ledger benchmark with the default configuration and prints each result;
//! measure with `cargo run --release -p journal --example bench_ledger`.
//! `KLIRING_BENCH_TRANSFERS` overrides the transfers per workload.

fn main() {
    let mut config = journal::bench::BenchConfig::default();
    if let Some(transfers) = std::env::var("KLIRING_BENCH_TRANSFERS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.transfers = transfers;
    }
    match journal::bench::ledger(&config) {
        Ok(results) => results.iter().for_each(|r| println!("{r:?}")),
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}
