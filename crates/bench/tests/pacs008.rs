//! Throughput of pacs.008 parse + validate + map on one core. Measured in release:
//! `cargo test --release -p iso20022 --test throughput -- --ignored --nocapture`.

/// The target from issue 6.
const MESSAGES_PER_SEC_MIN: f64 = 50_000.0;

#[test]
#[ignore = "measurement: run in release with --ignored"]
fn pacs008_meets_the_throughput_target() {
    let warmup = bench::pacs008::pacs008(2_000);
    assert_eq!(warmup.failures, 0);
    let r = bench::pacs008::pacs008(200_000);
    println!("{}", serde_json::to_string(&r).expect("serialises"));
    assert_eq!(r.failures, 0);
    if !cfg!(debug_assertions) {
        assert!(
            r.best_batch_messages_per_sec >= MESSAGES_PER_SEC_MIN,
            "{r:?}"
        );
    }
}
