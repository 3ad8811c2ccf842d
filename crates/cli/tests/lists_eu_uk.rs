//! `kliring lists import|show` and `kliring screen --list` with EU FSF and UK Sanctions List
//! files (the bundled fixtures of the screening crate), including a rejected file that leaves
//! the imported version in place.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{kliring, ok, refused};

use std::path::Path;

use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../screening/fixtures")
        .join(name);
    path.to_str().expect("utf-8 path").to_owned()
}

/// The `lists show` line of one source.
fn shown<'s>(show: &'s str, source: &str) -> &'s str {
    show.lines()
        .find(|l| l.split_whitespace().next() == Some(source))
        .unwrap_or_else(|| panic!("{source} in:\n{show}"))
}

#[test]
fn eu_and_uk_files_import_show_and_a_bad_file_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();

    let eu = ok(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--source",
        "eu",
        &fixture("demo_eu.xml"),
    ]));
    assert!(eu.starts_with("eu ") && eu.contains("4 entries"), "{eu}");
    // Without --source the format is recognised from the root element.
    let uk = ok(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        &fixture("demo_uk.xml"),
    ]));
    assert!(
        uk.starts_with("uk ") && uk.contains("generated 01/01/2026"),
        "{uk}"
    );
    assert!(data.path().join("lists/eu.xml").exists());

    let show = ok(&kliring(&["lists", "show", "--data", dir]));
    let eu_line = shown(&show, "eu").to_owned();
    assert!(eu_line.contains("4 entries"), "{show}");
    assert!(shown(&show, "uk").contains("4 entries"), "{show}");

    // A malformed EU file (a date of birth that is not YYYY-MM-DD) is refused with its position
    // and the imported version stays.
    let bad = data.path().join("bad_eu.xml");
    let text = std::fs::read_to_string(fixture("demo_eu.xml")).unwrap();
    std::fs::write(&bad, text.replacen("1937-04-28", "28/04/1937", 1)).unwrap();
    let stderr = refused(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--source",
        "eu",
        bad.to_str().unwrap(),
    ]));
    assert!(
        stderr.contains("previously imported version stays active")
            && stderr.contains("at byte")
            && stderr.contains("<birthdate>"),
        "{stderr}"
    );
    let show = ok(&kliring(&["lists", "show", "--data", dir]));
    assert_eq!(shown(&show, "eu"), eu_line, "nothing swapped");

    // The UN importer refuses an EU file handed to it as UN, naming the root element.
    let stderr = refused(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--source",
        "un",
        &fixture("demo_eu.xml"),
    ]));
    assert!(stderr.contains("CONSOLIDATED_LIST"), "{stderr}");
    let stderr = refused(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--source",
        "uk",
        "--alt",
        &fixture("demo_alt.csv"),
        &fixture("demo_uk.xml"),
    ]));
    assert!(stderr.contains("--alt and --add"), "{stderr}");
    let stderr = refused(&kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--source",
        "ch",
        &fixture("demo_uk.xml"),
    ]));
    assert!(stderr.contains("un, ofac-sdn, eu, uk"), "{stderr}");
}

#[test]
fn screen_with_eu_and_uk_lists_reports_their_hits() {
    let out = ok(&kliring(&[
        "screen",
        "--json",
        "--list",
        &format!("un={}", fixture("demo_un.xml")),
        "--list",
        &format!("eu={}", fixture("demo_eu.xml")),
        "--list",
        &format!("uk={}", fixture("demo_uk.xml")),
        "Doku Umarov",
        "Margaret Thornbury",
    ]));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON result per line"))
        .collect();
    let sources: Vec<&str> = lines[0]["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["un", "eu", "uk"]);
    let hits: Vec<(&str, &str)> = lines[0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["list"].as_str().unwrap(),
                h["reference"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [("un", "QDi.290"), ("eu", "EU.9003.1"), ("uk", "AQD9290")] {
        assert!(hits.contains(&expected), "{expected:?} in {hits:?}");
    }
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 0, "clean name");
}
