//! The netting benchmark: deterministic input, sound results, and (ignored by default, run in
//! release) the 10,000,000 × 1,000 target.

use bench::netting::{BenchError, generate, netting};
use settlement::net;

#[test]
fn input_is_deterministic_and_well_formed() {
    let a = generate(5_000, 7, 42).unwrap();
    assert_eq!(a, generate(5_000, 7, 42).unwrap());
    assert_ne!(a, generate(5_000, 7, 43).unwrap());
    assert!(a.iter().all(|o| o.debtor != o.creditor));
    assert!(
        a.iter()
            .all(|o| (1..=7).contains(&o.debtor.0) && (1..=7).contains(&o.creditor.0))
    );
    assert!(a.iter().all(|o| (1..=100_000_000).contains(&o.amount)));
    // All seven participants appear on both sides.
    for id in 1..=7 {
        assert!(a.iter().any(|o| o.debtor.0 == id) && a.iter().any(|o| o.creditor.0 == id));
    }
}

#[test]
fn small_run_reports_consistent_figures() {
    let result = netting(20_000, 50, 7).unwrap();
    let positions = net(&generate(20_000, 50, 7).unwrap()).unwrap();
    assert_eq!(result.bench, "netting");
    assert_eq!(
        (result.obligations, result.participants, result.seed),
        (20_000, 50, 7)
    );
    assert_eq!(result.gross_total, positions.gross_total().to_string());
    assert_eq!(result.net_total, positions.net_total().to_string());
    assert_eq!(result.nonzero_positions, 50);
    assert!(result.direct_instructions <= 49);
    assert!(result.seconds > 0.0 && result.obligations_per_second > 0.0);
    let json = serde_json::to_value(&result).unwrap();
    for key in ["obligations", "participants", "seconds"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn errors_table() {
    assert_eq!(
        netting(10, 1, 0).unwrap_err(),
        BenchError::TooFewParticipants(1)
    );
    assert_eq!(
        netting(10, 0, 0).unwrap_err().code(),
        "too_few_participants"
    );
    assert_eq!(netting(0, 2, 0).unwrap().nonzero_positions, 0);
}

/// `cargo test -p settlement --release --test bench -- --ignored --nocapture`
#[test]
#[ignore = "full-size benchmark; run in release"]
fn ten_million_obligations_across_a_thousand_participants() {
    let result = netting(10_000_000, 1_000, 1).unwrap();
    println!("{}", serde_json::to_string(&result).unwrap());
    assert!(result.seconds <= 1.0, "{} s", result.seconds);
}

/// The same input with ids spread over the whole u64 range, which takes the hash-map path.
/// `cargo test -p settlement --release --test bench -- --ignored --nocapture`
#[test]
#[ignore = "full-size benchmark; run in release"]
fn sparse_ids_take_the_map_path_within_target() {
    let mut input = generate(10_000_000, 1_000, 1).unwrap();
    let dense = net(&input).unwrap();
    for o in &mut input {
        o.debtor.0 <<= 32;
        o.creditor.0 <<= 32;
    }
    let started = std::time::Instant::now();
    let sparse = net(&input).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!("sparse ids: {seconds} s");
    let shifted = |p: &settlement::NetPosition| (p.participant.0 << 32, p.net);
    assert!(
        sparse
            .positions()
            .iter()
            .map(|p| (p.participant.0, p.net))
            .eq(dense.positions().iter().map(shifted))
    );
    assert!(seconds <= 1.0, "{seconds} s");
}
