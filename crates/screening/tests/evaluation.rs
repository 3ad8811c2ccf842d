//! Evaluation against the real UN and OFAC lists: recall under attack (every disguise applied to
//! UN listed names) and false alarms on ordinary names from 35 locales, asserted with margin on
//! a deterministic sample (every third UN entry, every fourth ordinary name) so the suite stays
//! quick; `kliring bench screening` runs the full sets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::sync::OnceLock;

use screening::bench::{adversarial, population};
use screening::{DEFAULT_THRESHOLD, ImportedList, ListSet, RawList, import, no_progress};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sanctions/"
);

fn real(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).expect("real sanctions data present in shared/data")
}

/// The UN list as imported, and UN + OFAC indexed, once for all tests in this file.
fn lists() -> &'static (ImportedList, ListSet) {
    static LISTS: OnceLock<(ImportedList, ListSet)> = OnceLock::new();
    LISTS.get_or_init(|| {
        let un = import(
            &RawList::Un {
                xml: real("un_sc_consolidated_2026-02-27.xml"),
            },
            None,
            &mut no_progress,
        )
        .unwrap();
        let ofac = RawList::OfacSdn {
            sdn: real("ofac_sdn_2021-07-07.csv"),
            alt: Some(real("ofac_alt_2021-07-07.csv")),
            add: None,
        };
        let set = ListSet::from_lists(vec![
            un.clone(),
            import(&ofac, None, &mut no_progress).unwrap(),
        ]);
        (un, set)
    })
}

fn stride(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn disguised_un_names_are_still_found() {
    let (un, set) = lists();
    let cases = adversarial::cases(&un.entries, stride("ADVERSARIAL_STRIDE", 3));
    let report = adversarial::run(&set.snapshot(), &cases, DEFAULT_THRESHOLD);
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert!(report.overall.cases > 3_000, "{}", report.overall.cases);
    // Regression guards at the measured level less a margin (measured on this sample: 0.980
    // overall; dropped letter 0.947 the weakest); the targets (0.98, 0.95 each) are not all met
    // yet, see the README.
    assert!(report.overall.rate >= 0.975, "{:?}", report.overall);
    for row in &report.per_disguise {
        assert!(row.cases > 100, "{row:?}");
        assert!(row.rate >= 0.93, "{row:?}");
    }
}

#[test]
fn ordinary_names_rarely_alert() {
    let (_, set) = lists();
    let people = population::bundled_population().unwrap();
    let report = population::run(
        &set.snapshot(),
        &people,
        DEFAULT_THRESHOLD,
        stride("POPULATION_STRIDE", 4),
    );
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert!(report.names_only.cases > 3_000);
    // Measured 0.0052 names only on this sample, 0.0015 with secondary data (worst locale 0.044);
    // target 0.005 names only.
    assert!(report.names_only.rate <= 0.0065, "{:?}", report.names_only);
    assert!(
        report.with_secondary.rate <= 0.0025,
        "{:?}",
        report.with_secondary
    );
    assert!(
        report.with_secondary.rate <= report.names_only.rate,
        "{:?}",
        report.with_secondary
    );
    for row in &report.per_locale {
        assert!(row.names_only_rate <= 0.05, "{row:?}");
    }
}

/// Prints the slowest ordinary names and payment texts (run with --ignored --nocapture).
#[test]
#[ignore = "diagnostic output for tuning"]
fn slowest_screenings() {
    let (_, set) = lists();
    let snap = set.snapshot();
    let people = population::bundled_population().unwrap();
    let mut times: Vec<(u128, String)> = people
        .iter()
        .step_by(3)
        .map(|p| {
            let mut best = u128::MAX;
            for _ in 0..3 {
                let t0 = std::time::Instant::now();
                snap.screen(&p.full_query(), DEFAULT_THRESHOLD);
                best = best.min(t0.elapsed().as_micros());
            }
            (best, p.name.clone())
        })
        .collect();
    times.sort();
    for (us, name) in times.iter().rev().take(25) {
        println!("{us} us  {name}");
    }
    println!("median {} us", times[times.len() / 2].0);
    for text in [
        "12 Market Street, Springfield",
        "Invoice INV-00012 goods delivered under contract 12/2026, Jason Johnson thank you",
    ] {
        let t0 = std::time::Instant::now();
        snap.screen_text(&screening::Query::name(text), DEFAULT_THRESHOLD);
        println!("text {} us  {text}", t0.elapsed().as_micros());
    }
}
