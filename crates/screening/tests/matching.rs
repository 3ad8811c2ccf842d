//! Matching tests against the real UN and OFAC lists: spellings, scripts, near-misses,
//! secondary data, and the evaluation targets on the held-out set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::sync::OnceLock;

use screening::bench::{self, EvalCase};
use screening::{
    DEFAULT_THRESHOLD, ListSet, ListSource, Lists, Query, RawList, ScreeningResult, import,
    no_progress, screen,
};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sanctions/"
);

fn real(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).expect("real sanctions data present in shared/data")
}

/// UN + OFAC, parsed and indexed once for all tests in this file.
fn lists() -> &'static ListSet {
    static LISTS: OnceLock<ListSet> = OnceLock::new();
    LISTS.get_or_init(|| {
        let un = RawList::Un {
            xml: real("un_sc_consolidated_2026-02-27.xml"),
        };
        let ofac = RawList::OfacSdn {
            sdn: real("ofac_sdn_2021-07-07.csv"),
            alt: Some(real("ofac_alt_2021-07-07.csv")),
            add: None,
        };
        ListSet::from_lists(vec![
            import(&un, None, &mut no_progress).unwrap(),
            import(&ofac, None, &mut no_progress).unwrap(),
        ])
    })
}

fn run(name: &str) -> ScreeningResult {
    screen(lists(), &Query::name(name), DEFAULT_THRESHOLD)
}

fn top(name: &str) -> (ListSource, String, f64, String) {
    let result = run(name);
    let hit = result
        .hits
        .first()
        .unwrap_or_else(|| panic!("no hit for {name}"));
    (
        hit.list,
        hit.reference.clone(),
        hit.score,
        hit.explanation.clone(),
    )
}

fn assert_finds(name: &str, list: ListSource, reference: &str) {
    let result = run(name);
    assert!(
        result
            .hits
            .iter()
            .any(|h| h.list == list && h.reference == reference),
        "{name} should find {list} {reference}; got {:#?}",
        result.hits
    );
}

#[test]
fn kim_jong_un_in_hangul_and_romanisations() {
    for name in [
        "김정은",
        "Kim Jong Un",
        "KIM Chong-un",
        "Kim Jongun",
        "Jong Un Kim",
    ] {
        assert_finds(name, ListSource::OfacSdn, "20157");
    }
    let (_, reference, score, explanation) = top("김정은");
    assert_eq!(reference, "20157");
    assert!(score >= 0.95, "{score} {explanation}");
}

#[test]
fn cyrillic_names_match_latin_and_original_script() {
    assert_finds("Доку Умаров", ListSource::Un, "QDi.290");
    assert_finds("Umarov Doku Khamatovich", ListSource::Un, "QDi.290");
    assert_finds("Дерипаска Олег", ListSource::OfacSdn, "24283");
}

#[test]
fn arabic_names_match_original_script_and_latin() {
    let (list, reference, _, explanation) = top("صدام حسين التكريتي");
    assert_eq!(
        (list, reference.as_str()),
        (ListSource::Un, "IQi.001"),
        "{explanation}"
    );
    assert_finds("أيمن الظواهري", ListSource::Un, "QDi.006");
    assert_finds("أسامة بن لادن", ListSource::OfacSdn, "6365");
}

#[test]
fn spelling_variants_and_explanations() {
    let (_, reference, _, explanation) = top("Moammar Kadhafi");
    assert!(
        ["LYi.013", "12606"].contains(&reference.as_str()),
        "{reference}"
    );
    assert!(
        explanation.contains("kadhafi~qadhafi variant"),
        "{explanation}"
    );
    assert_finds("Osama bin Laden", ListSource::OfacSdn, "6365");
}

#[test]
fn near_misses_do_not_hit() {
    for name in [
        "John Smith",
        "Kim Ji Won",
        "Mahmoud Abbas",
        "Deutsche Bank AG",
        "王伟",
    ] {
        let result = run(name);
        assert!(result.hits.is_empty(), "{name}: {:#?}", result.hits);
    }
}

#[test]
fn secondary_data_moves_the_score() {
    let base = Query::name("Yong Chol");
    let born = Query {
        birth_year: Some(1962),
        ..base.clone()
    };
    let wrong = Query {
        birth_year: Some(1990),
        country: Some("US".into()),
        ..base.clone()
    };
    let score = |q: &Query, reference: &str| {
        screen(lists(), q, 0.0)
            .hits
            .iter()
            .find(|h| h.reference == reference)
            .map(|h| h.score)
            .unwrap()
    };
    assert!(score(&born, "17614") > score(&base, "17614"));
    assert!(score(&wrong, "17614") < score(&base, "17614"));
}

#[test]
fn result_records_list_versions() {
    let result = run("Kim Jong Un");
    let sources: Vec<ListSource> = result.lists.iter().map(|v| v.source).collect();
    assert_eq!(sources, [ListSource::Un, ListSource::OfacSdn]);
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["lists"][0]["source"], "un");
    assert_eq!(json["lists"][0]["version"].as_str().map(str::len), Some(64));
    let hit = &json["hits"][0];
    for field in [
        "list",
        "reference",
        "name",
        "matched_name",
        "score",
        "explanation",
    ] {
        assert!(!hit[field].is_null(), "{field}");
    }
}

fn snapshot() -> std::sync::Arc<Lists> {
    lists().snapshot()
}

fn eval() -> Vec<EvalCase> {
    bench::bundled_eval().unwrap()
}

/// Prints every miss and false alarm at the default threshold (run with --nocapture).
#[test]
#[ignore = "diagnostic output for tuning"]
fn eval_diagnostics() {
    let snap = snapshot();
    for case in eval() {
        let mut micros = u128::MAX;
        for _ in 0..7 {
            let t0 = std::time::Instant::now();
            snap.screen(&Query::name(case.query.clone()), DEFAULT_THRESHOLD);
            micros = micros.min(t0.elapsed().as_micros());
        }
        let result = snap.screen(&Query::name(case.query.clone()), DEFAULT_THRESHOLD);
        if micros > 300 {
            println!("SLOW {micros}us {:?}", case.query);
        }
        let all = snap.screen(&Query::name(case.query.clone()), 0.5);
        let ok = if case.expected.is_empty() {
            result.hits.is_empty()
        } else {
            case.finds(&result.hits)
        };
        if !ok {
            let split = if case.heldout { "HELDOUT" } else { "train" };
            println!("{split} MISS {:?} expected {:?}", case.query, case.expected);
            for h in all.hits.iter().take(3) {
                println!(
                    "    {} {} {:?} {} | {}",
                    h.list, h.reference, h.matched_name, h.score, h.explanation
                );
            }
        }
    }
}

#[test]
fn heldout_recall_and_precision_meet_targets() {
    let results = bench::run(&snapshot(), &eval());
    for r in &results {
        println!("{}", serde_json::to_string(r).unwrap());
    }
    let at_default = results
        .iter()
        .find(|r| (r.threshold - DEFAULT_THRESHOLD).abs() < 1e-9)
        .expect("default threshold is benchmarked");
    assert!(at_default.recall >= 0.98, "{at_default:?}");
    assert!(at_default.precision >= 0.95, "{at_default:?}");
}
