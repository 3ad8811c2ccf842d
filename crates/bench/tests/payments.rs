//! The payments benchmark runs end to end and commits every payment it creates. A small
//! configuration by default; `KLIRING_BENCH_FULL=1` runs the default (full) configuration and
//! prints the results as JSON lines (use a release build for meaningful numbers);
//! `KLIRING_BENCH_RUNS=8x250,16x1000` picks the (clients x batch) runs of the full mode.

use bench::payments::{BenchConfig, payments};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_commits_every_payment() {
    let full = std::env::var("KLIRING_BENCH_FULL").is_ok_and(|v| v == "1");
    let config = if full {
        let mut config = BenchConfig::default();
        if let Ok(runs) = std::env::var("KLIRING_BENCH_RUNS") {
            config.runs = runs
                .split(',')
                .filter_map(|run| run.split_once('x'))
                .filter_map(|(c, b)| Some((c.trim().parse().ok()?, b.trim().parse().ok()?)))
                .collect();
        }
        config
    } else {
        BenchConfig {
            payments: 200,
            runs: vec![(2, 1), (2, 50)],
        }
    };
    let results = payments(config.clone()).await.expect("bench runs");
    assert_eq!(results.len(), config.runs.len());
    for (result, &(clients, batch)) in results.iter().zip(&config.runs) {
        println!("{}", serde_json::to_string(result).expect("serializes"));
        assert_eq!(
            (result.clients, result.batch, result.failed),
            (clients, batch, 0)
        );
        assert!(result.payments >= config.payments, "{result:?}");
        assert!(
            result.payments_per_sec > 0.0 && result.p50_ms <= result.p99_ms,
            "{result:?}"
        );
    }
}
