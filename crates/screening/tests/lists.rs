//! ListSet (atomic swap, UN presence) and ListStore (persistence) tests on the demo fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use screening::fixtures::{DEMO_LABEL, demo_lists, demo_ofac_raw, demo_un_raw};
use screening::{
    DEFAULT_THRESHOLD, ImportedList, ListSet, ListSource, ListStore, Query, RawList, StoreError,
    import, no_progress, screen,
};

fn demo_un() -> ImportedList {
    import(&demo_un_raw(), Some(DEMO_LABEL), &mut no_progress).unwrap()
}

/// The demo UN list without KIM TONG MY'ONG (KPi.023), as a new list version.
fn demo_un_without_kim() -> (RawList, ImportedList) {
    let RawList::Un { xml } = demo_un_raw() else {
        unreachable!()
    };
    let text = String::from_utf8(xml).unwrap();
    let start = text.find("<INDIVIDUAL>").unwrap();
    let end = text.find("</INDIVIDUAL>").unwrap() + "</INDIVIDUAL>".len();
    let raw = RawList::Un {
        xml: format!("{}{}", &text[..start], &text[end..]).into_bytes(),
    };
    let list = import(&raw, Some(DEMO_LABEL), &mut no_progress).unwrap();
    (raw, list)
}

fn hits_kim(lists: &ListSet) -> bool {
    screen(lists, &Query::name("Kim Tong Myong"), DEFAULT_THRESHOLD)
        .hits
        .iter()
        .any(|h| h.reference == "KPi.023")
}

#[test]
fn has_un_only_when_un_is_loaded() {
    let lists = ListSet::new();
    assert!(!lists.has_un());
    let [un, ofac]: [ImportedList; 2] = demo_lists().unwrap().try_into().unwrap();
    lists.install(ofac);
    assert!(!lists.has_un());
    lists.install(un);
    assert!(lists.has_un());
    assert!(lists.remove(ListSource::Un));
    assert!(!lists.has_un());
    assert!(!lists.remove(ListSource::Un));
}

#[test]
fn demo_lists_screen_across_scripts() {
    let lists = ListSet::from_lists(demo_lists().unwrap());
    for (name, reference) in [
        ("김정은", "20157"),
        ("Kim Tong-myong", "KPi.023"),
        ("Доку Умаров", "QDi.290"),
        ("حمزة أسامة محمد بن لادن", "QDi.421"),
        ("Muammar Gaddafi", "LYi.013"),
        ("National Bank of Cuba", "306"),
    ] {
        let result = screen(&lists, &Query::name(name), DEFAULT_THRESHOLD);
        assert!(
            result.hits.iter().any(|h| h.reference == reference),
            "{name}: {:?}",
            result.hits
        );
        assert!(
            result
                .lists
                .iter()
                .all(|v| v.label.as_deref() == Some(DEMO_LABEL))
        );
    }
    let none = screen(&lists, &Query::name("Jane Doe"), DEFAULT_THRESHOLD);
    assert!(none.hits.is_empty());
    assert_eq!(none.lists.len(), 2, "versions recorded even without hits");
}

#[test]
fn reload_swaps_atomically_and_old_snapshot_keeps_its_version() {
    let lists = ListSet::new();
    let v1 = lists.install(demo_un());
    let held = lists.snapshot();
    let (_, without) = demo_un_without_kim();
    let v2 = lists.install(without);
    assert_ne!(v1.content_hash, v2.content_hash);

    let old = held.screen(&Query::name("Kim Tong Myong"), DEFAULT_THRESHOLD);
    assert!(old.hits.iter().any(|h| h.reference == "KPi.023"));
    assert_eq!(old.lists, std::slice::from_ref(&v1));
    assert!(!hits_kim(&lists));
    assert_eq!(lists.versions(), [v2]);
}

#[test]
fn concurrent_screenings_never_see_a_mixed_version() {
    let lists = Arc::new(ListSet::new());
    let v1 = lists.install(demo_un());
    let (_, without) = demo_un_without_kim();
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (lists, stop) = (Arc::clone(&lists), Arc::clone(&stop));
            let v1_hash = v1.content_hash.clone();
            std::thread::spawn(move || {
                let mut checked = 0u32;
                while !stop.load(Ordering::Relaxed) || checked == 0 {
                    let r = screen(&lists, &Query::name("Kim Tong Myong"), DEFAULT_THRESHOLD);
                    let found = r.hits.iter().any(|h| h.reference == "KPi.023");
                    // The hit and the recorded version must come from the same list.
                    assert_eq!(found, r.lists[0].content_hash == v1_hash);
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    for i in 0..40 {
        if i % 2 == 0 {
            lists.install(without.clone());
        } else {
            lists.install(demo_un());
        }
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    assert_eq!(lists.versions()[0].content_hash, v1.content_hash);
}

#[test]
fn store_round_trips_and_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let store = ListStore::new(dir.path().join("lists"));
    assert!(store.load_all().unwrap().is_empty());
    let demo = demo_lists().unwrap();
    store.save(&demo_un_raw(), &demo[0].version).unwrap();
    store.save(&demo_ofac_raw(), &demo[1].version).unwrap();
    let loaded = store.load_all().unwrap();
    assert_eq!(loaded, demo);

    assert!(matches!(
        store.save(&demo_un_raw(), &demo[1].version),
        Err(StoreError::HashMismatch { .. })
    ));

    // A new version replaces the old one.
    let (raw, without) = demo_un_without_kim();
    store.save(&raw, &without.version).unwrap();
    assert_eq!(store.load(ListSource::Un).unwrap(), Some(without));

    std::fs::write(dir.path().join("lists/un.xml"), b"<CONSOLIDATED_LIST/>").unwrap();
    assert!(matches!(
        store.load(ListSource::Un),
        Err(StoreError::HashMismatch { .. })
    ));
    assert!(store.delete(ListSource::Un).unwrap());
    assert_eq!(store.load(ListSource::Un).unwrap(), None);
    assert!(!store.delete(ListSource::Un).unwrap());
}
