//! `kliring lists import` of UN lists: the published list is stored; a file that does not look
//! like it (the five-entry demo list, an older copy) is refused unless the operator passes
//! `--accept-unverified-un-list`, and a refusal leaves the stored version in place.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{kliring, ok, refused};

use std::path::Path;

fn real_un() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sanctions/un_sc_consolidated_2026-02-27.xml")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

fn demo_un() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../screening/fixtures/demo_un.xml")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

#[test]
fn small_or_older_un_lists_need_the_override() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let small = refused(&kliring(&["lists", "import", "--data", dir, &demo_un()]));
    assert!(small.contains("fewer than the 500"), "{small}");
    assert!(!data.path().join("lists/un.xml").exists());

    let real = ok(&kliring(&["lists", "import", "--data", dir, &real_un()]));
    assert!(
        real.starts_with("un ") && real.contains("1003 entries"),
        "{real}"
    );
    let stored = std::fs::read(data.path().join("lists/un.xml")).unwrap();

    // An older copy of the published list is refused too; the stored one stays.
    let older_path = data.path().join("older.xml");
    let older = String::from_utf8(stored.clone()).unwrap().replacen(
        "dateGenerated=\"2026-02-27T00:00:09.554Z\"",
        "dateGenerated=\"2025-01-01T00:00:00.000Z\"",
        1,
    );
    std::fs::write(&older_path, older).unwrap();
    let older_path = older_path.to_str().unwrap();
    let refusal = refused(&kliring(&["lists", "import", "--data", dir, older_path]));
    assert!(
        refusal.contains("older than the UN list in force"),
        "{refusal}"
    );
    assert_eq!(
        std::fs::read(data.path().join("lists/un.xml")).unwrap(),
        stored
    );

    // With the override it is stored, with a warning that a hub needs the override too.
    let forced = kliring(&[
        "lists",
        "import",
        "--data",
        dir,
        "--accept-unverified-un-list",
        &demo_un(),
    ]);
    let stdout = ok(&forced);
    assert!(stdout.contains("5 entries"), "{stdout}");
    let stderr = String::from_utf8_lossy(&forced.stderr);
    assert!(stderr.contains("--accept-unverified-un-list"), "{stderr}");
    assert_ne!(
        std::fs::read(data.path().join("lists/un.xml")).unwrap(),
        stored
    );
}
