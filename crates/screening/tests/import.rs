//! Import tests against the real UN and OFAC files in ../shared/data/sanctions and the bundled
//! demo fixtures, including malformed and truncated input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use screening::fixtures::{DEMO_LABEL, demo_lists, demo_ofac_raw, demo_un_raw};
use screening::{AliasQuality, EntryKind, ImportError, ListSource, RawList, import, no_progress};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sanctions/"
);

fn real(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).expect("real sanctions data present in shared/data")
}

fn real_un() -> RawList {
    RawList::Un {
        xml: real("un_sc_consolidated_2026-02-27.xml"),
    }
}

fn real_ofac() -> RawList {
    RawList::OfacSdn {
        sdn: real("ofac_sdn_2021-07-07.csv"),
        alt: Some(real("ofac_alt_2021-07-07.csv")),
        add: None,
    }
}

#[test]
fn real_un_list_counts_and_fields() {
    let mut last = (0, 0);
    let list = import(&real_un(), None, &mut |read, total| last = (read, total)).unwrap();
    let count = |k| list.entries.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(EntryKind::Individual), 730);
    assert_eq!(count(EntryKind::Entity), 273);
    assert_eq!(list.version.entries, 1003);
    assert_eq!(last.0, last.1, "progress reaches the total");
    assert_eq!(
        list.version.generated.as_deref(),
        Some("2026-02-27T00:00:09.554Z")
    );
    assert_eq!(list.version.content_hash.len(), 64);
    let with_script = list
        .entries
        .iter()
        .filter(|e| e.original_script_name.is_some());
    assert_eq!(with_script.count(), 378);

    let kim = list
        .entries
        .iter()
        .find(|e| e.reference == "KPi.023")
        .unwrap();
    assert_eq!(kim.primary_name, "KIM TONG MY’ONG");
    assert_eq!(kim.programmes, ["DPRK"]);
    assert!(kim.aliases.iter().any(|a| a.name == "Kim Chin-So’k"));
    assert_eq!(kim.countries, ["Democratic People's Republic of Korea"]);
    assert!(kim.birth_years.iter().any(|b| b.from == 1962));
    assert_eq!(kim.documents[0].number, "290320764");

    let umarov = list
        .entries
        .iter()
        .find(|e| e.reference == "QDi.290")
        .unwrap();
    assert_eq!(
        umarov.original_script_name.as_deref(),
        Some("Умаров Доку Хаматович")
    );
    let low = list.entries.iter().flat_map(|e| &e.aliases);
    assert_eq!(low.filter(|a| a.quality == AliasQuality::Low).count(), 615);
}

#[test]
fn real_ofac_set_counts_and_remarks() {
    let raw = real_ofac();
    let mut last = (0, 0);
    let list = import(&raw, None, &mut |read, total| last = (read, total)).unwrap();
    assert_eq!(last, (raw.len(), raw.len()), "progress ends at the total");
    assert_eq!(list.entries.len(), 8976);
    let good = list.entries.iter().flat_map(|e| &e.aliases);
    assert_eq!(
        good.filter(|a| a.quality == AliasQuality::Good).count(),
        11910,
        "every alt.csv row becomes a good alias"
    );
    let count = |k| list.entries.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(EntryKind::Individual), 4620);
    assert_eq!(count(EntryKind::Vessel), 406);
    assert_eq!(count(EntryKind::Aircraft), 277);
    let kim = list
        .entries
        .iter()
        .find(|e| e.reference == "20157")
        .unwrap();
    assert_eq!(kim.primary_name, "KIM, Jong Un");
    assert_eq!(kim.birth_years[0].from, 1984);
    let multi = list
        .entries
        .iter()
        .find(|e| e.programmes.len() > 1)
        .unwrap();
    assert!(multi.programmes.iter().all(|p| !p.contains(['[', ']'])));
}

#[test]
fn demo_fixtures_are_labelled() {
    let lists = demo_lists().unwrap();
    assert_eq!(lists.len(), 2);
    for list in &lists {
        assert_eq!(list.version.label.as_deref(), Some(DEMO_LABEL));
    }
    assert_eq!(lists[0].version.source, ListSource::Un);
    assert_eq!(lists[0].entries.len(), 5);
    let adf = &lists[0].entries[4];
    assert_eq!(
        adf.aliases[1].name, "ADF/NALU & Allies",
        "entity references resolved"
    );
    assert_eq!(lists[1].entries.len(), 4);
    let bank = lists[1]
        .entries
        .iter()
        .find(|e| e.reference == "306")
        .unwrap();
    assert_eq!(bank.aliases.len(), 2, "alt.csv alias and remarks a.k.a.");
    assert_eq!(bank.countries, ["Switzerland"]);
}

#[test]
fn content_hash_changes_with_any_file_of_a_set() {
    let a = demo_ofac_raw();
    let RawList::OfacSdn { sdn, alt, .. } = a.clone() else {
        unreachable!()
    };
    let b = RawList::OfacSdn {
        sdn,
        alt,
        add: None,
    };
    assert_ne!(a.content_hash(), b.content_hash());
    assert_eq!(a.content_hash(), demo_ofac_raw().content_hash());
}

fn un_error(xml: &[u8]) -> ImportError {
    import(&RawList::Un { xml: xml.to_vec() }, None, &mut no_progress).unwrap_err()
}

#[test]
fn truncated_un_xml_is_rejected_with_position() {
    let RawList::Un { xml } = real_un() else {
        unreachable!()
    };
    let cut = &xml[..xml.len() / 2];
    match un_error(cut) {
        ImportError::XmlTruncated { position, element } => {
            assert!(position > 1_000_000, "{position}");
            assert!(!element.is_empty());
        }
        ImportError::XmlSyntax { position, .. } => assert!(position > 1_000_000),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn malformed_un_xml_names_the_element() {
    let RawList::Un { xml } = demo_un_raw() else {
        unreachable!()
    };
    let text = String::from_utf8(xml).unwrap();
    let broken = text.replacen("</THIRD_NAME>", "</FOURTH_NAME>", 1);
    let err = un_error(broken.as_bytes());
    assert!(
        matches!(&err, ImportError::XmlSyntax { element, .. } if element == "THIRD_NAME"),
        "{err}"
    );
    let no_ref = text.replacen("<REFERENCE_NUMBER>KPi.023</REFERENCE_NUMBER>", "", 1);
    assert!(matches!(
        un_error(no_ref.as_bytes()),
        ImportError::XmlStructure { .. }
    ));
    assert!(matches!(
        un_error(b"<OTHER/>"),
        ImportError::XmlStructure { .. }
    ));
    assert!(matches!(
        un_error(b"<CONSOLIDATED_LIST></CONSOLIDATED_LIST>"),
        ImportError::Empty(_)
    ));
}

fn ofac_error(sdn: &[u8], alt: Option<&[u8]>) -> (String, u64, String) {
    let raw = RawList::OfacSdn {
        sdn: sdn.to_vec(),
        alt: alt.map(<[u8]>::to_vec),
        add: None,
    };
    match import(&raw, None, &mut no_progress).unwrap_err() {
        ImportError::Csv {
            file,
            line,
            message,
        } => (file.to_string(), line, message),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn truncated_ofac_csv_is_rejected_with_line() {
    let sdn = real("ofac_sdn_2021-07-07.csv");
    let cut = &sdn[..sdn.len() - 40];
    let (file, line, message) = ofac_error(cut, None);
    assert_eq!(file, "sdn.csv");
    assert_eq!(line, 8976);
    assert!(message.contains("truncated"), "{message}");
}

#[test]
fn malformed_ofac_rows_are_rejected_with_line() {
    let sdn = b"1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- \r\n";
    let (file, line, message) = ofac_error(sdn, None);
    assert_eq!((file.as_str(), line), ("sdn.csv", 2), "{message}");
    assert!(message.contains("expected 12 fields"), "{message}");

    let sdn = b"1,\"A\",\"robot\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let (_, line, message) = ofac_error(sdn, None);
    assert_eq!(line, 1);
    assert!(message.contains("SDN_Type"), "{message}");

    let sdn = b"1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let alt = b"1,1,\"aka\",\"AA\",-0- \r\n9,2,\"aka\",\"ZZ\",-0- \r\n";
    let (file, line, message) = ofac_error(sdn, Some(alt));
    assert_eq!((file.as_str(), line), ("alt.csv", 2));
    assert!(message.contains("ent_num 9"), "{message}");
}
