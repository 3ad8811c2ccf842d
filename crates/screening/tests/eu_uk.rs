//! EU FSF and UK Sanctions List importers on the bundled fixtures: parsed entries, malformed
//! input refused with a position and nothing replaced, persistence, and screening across the UN,
//! EU and UK lists.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use screening::fixtures::{DEMO_LABEL, demo_eu_raw, demo_uk_raw, demo_un_raw};
use screening::{
    AliasQuality, DEFAULT_THRESHOLD, Entry, EntryKind, ImportError, ImportedList, ListSet,
    ListSource, ListStore, Query, RawList, import, no_progress, screen, xml_list_source,
};

fn xml_of(raw: &RawList) -> String {
    match raw {
        RawList::Eu { xml } | RawList::Uk { xml } | RawList::Un { xml } => {
            String::from_utf8(xml.clone()).unwrap()
        }
        RawList::OfacSdn { .. } => unreachable!("XML fixtures only"),
    }
}

fn eu(text: &str) -> Result<ImportedList, ImportError> {
    import(
        &RawList::Eu {
            xml: text.as_bytes().to_vec(),
        },
        None,
        &mut no_progress,
    )
}

fn uk(text: &str) -> Result<ImportedList, ImportError> {
    import(
        &RawList::Uk {
            xml: text.as_bytes().to_vec(),
        },
        None,
        &mut no_progress,
    )
}

fn entry<'l>(list: &'l ImportedList, reference: &str) -> &'l Entry {
    list.entries
        .iter()
        .find(|e| e.reference == reference)
        .unwrap_or_else(|| panic!("{reference} imported"))
}

fn aliases(e: &Entry) -> Vec<(&str, AliasQuality)> {
    e.aliases
        .iter()
        .map(|a| (a.name.as_str(), a.quality))
        .collect()
}

#[test]
fn eu_fixture_parses_into_entries() {
    let raw = demo_eu_raw();
    let mut last = (0, 0);
    let list = import(&raw, Some(DEMO_LABEL), &mut |r, t| last = (r, t)).unwrap();
    assert_eq!(last, (raw.len(), raw.len()), "progress ends at the total");
    assert_eq!(list.version.source, ListSource::Eu);
    assert_eq!(list.version.entries, 4);
    assert_eq!(list.version.content_hash, raw.content_hash());
    assert_eq!(
        list.version.generated.as_deref(),
        Some("2026-01-01T00:00:00.000+01:00")
    );

    let saddam = entry(&list, "EU.27.28");
    assert_eq!(saddam.kind, EntryKind::Individual);
    assert_eq!(saddam.primary_name, "Saddam Hussein Al-Tikriti");
    assert_eq!(aliases(saddam), [("Abu Ali", AliasQuality::Good)]);
    assert_eq!(saddam.countries, ["IQ"]);
    assert_eq!(saddam.programmes, ["IRQ"]);
    assert_eq!(
        (
            saddam.birth_years[0].from,
            saddam.birth_years[0].text.as_str()
        ),
        (1937, "1937-04-28")
    );

    let akhund = entry(&list, "EU.9002.1");
    assert_eq!(akhund.primary_name, "Mohammad Hassan Akhund");
    assert_eq!(
        akhund.original_script_name.as_deref(),
        Some("محمد حسن آخوند")
    );
    assert!(akhund.aliases.is_empty());
    let ranges: Vec<_> = akhund
        .birth_years
        .iter()
        .map(|b| (b.from, b.to, b.text.as_str()))
        .collect();
    assert_eq!(
        ranges,
        [
            (1955, 1958, "circa 1955-1958"),
            (1945, 1950, "circa 1945-1950")
        ]
    );
    assert_eq!(akhund.documents[0].number, "TAi.002", "UN cross-reference");

    let umarov = entry(&list, "EU.9003.1");
    assert_eq!(umarov.primary_name, "Doku Khamatovich Umarov");
    assert_eq!(
        umarov.original_script_name.as_deref(),
        Some("Умаров Доку Хаматович")
    );
    assert_eq!(
        aliases(umarov),
        [
            ("Dokka Umarov", AliasQuality::Good),
            ("Lom-ali Butayev", AliasQuality::Low),
        ],
        "a 'Low quality alias' remark marks the alias weak"
    );
    assert_eq!(umarov.countries, ["RU"]);

    let exchange = entry(&list, "EU.9004.1");
    assert_eq!(exchange.kind, EntryKind::Entity);
    assert_eq!(
        aliases(exchange),
        [
            ("Haji Khairullah-Haji Sattar Sarafi", AliasQuality::Good),
            ("Haji Alim Hawala", AliasQuality::Low),
        ],
        "strong=\"false\" is a weak alias"
    );
    assert_eq!(exchange.countries, ["PK"]);
    assert_eq!(
        exchange.addresses,
        ["Chohar Mir Road, Kandahari Bazaar, Quetta, Baluchistan Province, PAKISTAN"]
    );
    let tax = &exchange.documents[1];
    assert_eq!(
        (
            tax.kind.as_str(),
            tax.number.as_str(),
            tax.country.as_deref()
        ),
        ("Pakistan National Tax Number", "1774308", Some("PK"))
    );
}

#[test]
fn uk_fixture_parses_into_entries() {
    let raw = demo_uk_raw();
    let list = import(&raw, None, &mut no_progress).unwrap();
    assert_eq!(list.version.source, ListSource::Uk);
    assert_eq!(list.version.entries, 4);
    assert_eq!(list.version.generated.as_deref(), Some("01/01/2026"));
    let kinds: Vec<_> = list.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Individual,
            EntryKind::Entity,
            EntryKind::Individual,
            EntryKind::Vessel
        ]
    );

    let akhund = entry(&list, "AFG0006");
    assert_eq!(akhund.primary_name, "MOHAMMAD HASSAN AKHUND");
    assert_eq!(
        aliases(akhund),
        [
            ("Mohammed Hasan Akhund", AliasQuality::Good),
            ("Mullah Mohammad Hassan", AliasQuality::Good),
        ]
    );
    assert_eq!(
        akhund.original_script_name.as_deref(),
        Some("محمد حسن آخوند")
    );
    let years: Vec<_> = akhund.birth_years.iter().map(|b| b.from).collect();
    assert_eq!(years, [1955, 1958], "dd/mm placeholders keep the year");
    assert_eq!(akhund.countries, ["Afghanistan"]);
    let ids: Vec<_> = akhund
        .documents
        .iter()
        .map(|d| (d.kind.as_str(), d.number.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("OFSI Group ID", "90006"),
            ("UN reference number", "TAi.002")
        ]
    );
    assert_eq!(
        akhund.programmes,
        ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    );

    let exchange = entry(&list, "AFG0001");
    assert_eq!(
        aliases(exchange),
        [
            ("Haji Khairullah-Haji Sattar Sarafi", AliasQuality::Good),
            ("Haji Alim Hawala", AliasQuality::Low),
        ],
        "NameType case varies; AliasStrength marks weak aliases"
    );
    assert_eq!(
        exchange.addresses,
        ["Chohar Mir Road, Kandahari Bazaar, Quetta, Pakistan"]
    );

    let umarov = entry(&list, "AQD9290");
    assert_eq!(umarov.primary_name, "Doku Khamatovich UMAROV");
    assert_eq!(umarov.birth_years[0].text, "13/04/1964");
    assert_eq!(umarov.countries, ["Russia"]);
    assert!(
        umarov
            .documents
            .iter()
            .any(|d| d.kind == "Passport" && d.number == "96 03 464086")
    );

    let ship = entry(&list, "DPR9001");
    assert_eq!(ship.primary_name, "CHON MA SAN");
    assert_eq!(ship.countries, ["North Korea"]);
    assert_eq!(ship.documents[0].number, "5936312");
}

#[test]
fn xml_formats_are_recognised_by_their_root() {
    for (raw, source) in [
        (demo_un_raw(), ListSource::Un),
        (demo_eu_raw(), ListSource::Eu),
        (demo_uk_raw(), ListSource::Uk),
    ] {
        assert_eq!(xml_list_source(xml_of(&raw).as_bytes()), Some(source));
    }
    assert_eq!(
        xml_list_source(b"<export/>"),
        None,
        "EU root needs its namespace"
    );
    assert_eq!(xml_list_source(b"not xml"), None);
}

/// Byte offset of the `n`th occurrence of `needle` in `text`.
fn offset(text: &str, needle: &str, n: usize) -> u64 {
    let at = text.match_indices(needle).nth(n).expect("needle present").0;
    u64::try_from(at).unwrap()
}

#[test]
fn eu_malformed_input_is_refused_with_position() {
    let good = xml_of(&demo_eu_raw());

    let cut = &good[..good
        .find("<citizenship region=\"\" countryIso2Code=\"RU\"")
        .unwrap()];
    match eu(cut).unwrap_err() {
        ImportError::XmlTruncated { position, element } => {
            assert_eq!(element, "sanctionEntity");
            assert_eq!(position, u64::try_from(cut.len()).unwrap());
        }
        other => panic!("truncation: {other}"),
    }

    let broken = good.replacen(
        "<subjectType code=\"enterprise\"",
        "<subjectType code=enterprise",
        1,
    );
    match eu(&broken).unwrap_err() {
        ImportError::XmlSyntax { element, .. } => assert_eq!(element, "subjectType"),
        other => panic!("broken attribute: {other}"),
    }

    let no_type = good.replacen(
        "<subjectType code=\"person\" classificationCode=\"P\"/>",
        "",
        1,
    );
    match eu(&no_type).unwrap_err() {
        ImportError::XmlStructure {
            position, message, ..
        } => {
            assert_eq!(message, "sanctionEntity without subjectType");
            assert_eq!(position, offset(&no_type, "<sanctionEntity", 0));
        }
        other => panic!("missing subjectType: {other}"),
    }

    let bad_date = good.replacen("birthdate=\"1964-04-13\"", "birthdate=\"1964-13-04\"", 1);
    match eu(&bad_date).unwrap_err() {
        ImportError::XmlStructure {
            position,
            element,
            message,
        } => {
            assert_eq!(element, "birthdate");
            assert!(message.contains("1964-13-04"), "{message}");
            assert_eq!(position, offset(&bad_date, "<birthdate", 3));
        }
        other => panic!("bad date: {other}"),
    }

    let no_namespace = good.replacen(" xmlns=\"http://eu.europa.ec/fpi/fsd/export\"", "", 1);
    match eu(&no_namespace).unwrap_err() {
        ImportError::XmlStructure {
            element, message, ..
        } => {
            assert_eq!(element, "export");
            assert!(message.contains("expected namespace"), "{message}");
        }
        other => panic!("no namespace: {other}"),
    }

    let empty = "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\" generationDate=\"x\"/>";
    assert!(matches!(eu(empty), Err(ImportError::Empty(_))));
    let vessel = good.replacen("code=\"enterprise\"", "code=\"vessel\"", 1);
    assert!(
        eu(&vessel)
            .unwrap_err()
            .to_string()
            .contains("neither person nor enterprise")
    );
}

#[test]
fn uk_malformed_input_is_refused_with_position() {
    let good = xml_of(&demo_uk_raw());

    let cut = &good[..good.find("<UniqueID>AQD9290").unwrap()];
    match uk(cut).unwrap_err() {
        ImportError::XmlTruncated { element, .. } => assert_eq!(element, "Designation"),
        other => panic!("truncation: {other}"),
    }

    let mismatched = good.replacen("</RegimeName>", "</Regime>", 1);
    match uk(&mismatched).unwrap_err() {
        ImportError::XmlSyntax {
            position, element, ..
        } => {
            assert_eq!(element, "RegimeName");
            assert!(
                position >= offset(&mismatched, "</Regime>", 0),
                "{position}"
            );
        }
        other => panic!("mismatched end tag: {other}"),
    }

    let no_id = good.replacen("<UniqueID>AFG0001</UniqueID>", "", 1);
    match uk(&no_id).unwrap_err() {
        ImportError::XmlStructure {
            position, message, ..
        } => {
            assert_eq!(message, "Designation without UniqueID");
            assert_eq!(position, offset(&no_id, "<Designation>", 1));
        }
        other => panic!("missing UniqueID: {other}"),
    }

    let bad_dob = good.replacen("<DOB>13/04/1964</DOB>", "<DOB>13/04/64</DOB>", 1);
    match uk(&bad_dob).unwrap_err() {
        ImportError::XmlStructure {
            position,
            element,
            message,
        } => {
            assert_eq!(element, "DOB");
            assert!(message.contains("13/04/64"), "{message}");
            assert_eq!(position, offset(&bad_dob, "</DOB>", 2));
        }
        other => panic!("bad DOB: {other}"),
    }

    let no_type = good.replacen(
        "<IndividualEntityShip>Ship</IndividualEntityShip>",
        "<IndividualEntityShip>Aircraft</IndividualEntityShip>",
        1,
    );
    assert!(
        uk(&no_type)
            .unwrap_err()
            .to_string()
            .contains("\"Aircraft\"")
    );
    let wrong_root = good.replace("Designations", "Sanctions");
    assert!(
        uk(&wrong_root)
            .unwrap_err()
            .to_string()
            .contains("root element")
    );
}

#[test]
fn store_keeps_eu_and_uk_and_a_rejected_file_replaces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ListStore::new(dir.path());
    for raw in [demo_eu_raw(), demo_uk_raw()] {
        let list = import(&raw, Some(DEMO_LABEL), &mut no_progress).unwrap();
        store.save(&raw, &list.version).unwrap();
    }
    assert!(dir.path().join("eu.xml").exists() && dir.path().join("uk.xml").exists());
    let loaded = store.load_all().unwrap();
    let sources: Vec<_> = loaded.iter().map(|l| l.version.source).collect();
    assert_eq!(sources, [ListSource::Eu, ListSource::Uk]);
    assert_eq!(loaded[0].version.label.as_deref(), Some(DEMO_LABEL));
    let before = loaded[0].version.clone();

    // The CLI and server only save what parsed, so a malformed file changes nothing on disk.
    let bad = RawList::Eu {
        xml: xml_of(&demo_eu_raw())
            .replacen("1937-04-28", "28/04/1937", 1)
            .into_bytes(),
    };
    assert!(import(&bad, None, &mut no_progress).is_err());
    assert_eq!(store.load(ListSource::Eu).unwrap().unwrap().version, before);

    // Bytes that do not hash to the record are refused on load.
    std::fs::write(dir.path().join("uk.xml"), b"<Designations/>").unwrap();
    assert!(store.load(ListSource::Uk).is_err());
}

fn all_lists() -> ListSet {
    let lists = ListSet::new();
    for raw in [demo_un_raw(), demo_eu_raw(), demo_uk_raw()] {
        lists.install(import(&raw, Some(DEMO_LABEL), &mut no_progress).unwrap());
    }
    lists
}

/// (list, reference) of every hit for `name`.
fn hits(lists: &ListSet, name: &str) -> Vec<(ListSource, String)> {
    let result = screen(lists, &Query::name(name), DEFAULT_THRESHOLD);
    for hit in &result.hits {
        assert!(!hit.explanation.is_empty(), "every hit is explained");
    }
    result
        .hits
        .into_iter()
        .map(|h| (h.list, h.reference))
        .collect()
}

#[test]
fn eu_and_uk_names_are_found_with_source_and_reference() {
    let lists = all_lists();
    let versions: Vec<_> = lists.versions().into_iter().map(|v| v.source).collect();
    assert_eq!(versions, [ListSource::Un, ListSource::Eu, ListSource::Uk]);

    let umarov = hits(&lists, "Doku Umarov");
    for expected in [
        (ListSource::Un, "QDi.290"),
        (ListSource::Eu, "EU.9003.1"),
        (ListSource::Uk, "AQD9290"),
    ] {
        assert!(
            umarov.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {umarov:?}"
        );
    }
    for (name, list, reference) in [
        ("Saddam Hussein Al-Tikriti", ListSource::Eu, "EU.27.28"),
        ("Al-Tikriti, Saddam Hussein", ListSource::Eu, "EU.27.28"),
        ("Umarov Dokka", ListSource::Eu, "EU.9003.1"),
        ("Доку Умаров", ListSource::Eu, "EU.9003.1"),
        ("Доку Умаров", ListSource::Uk, "AQD9290"),
        ("Muhammad Hasan Akhund", ListSource::Eu, "EU.9002.1"),
        ("Akhund Mohammed Hassan", ListSource::Uk, "AFG0006"),
        ("محمد حسن آخوند", ListSource::Uk, "AFG0006"),
        ("Haji Khairullah Money Exchange", ListSource::Uk, "AFG0001"),
        ("Haji Alim Hawala", ListSource::Eu, "EU.9004.1"),
        ("Chon Ma San", ListSource::Uk, "DPR9001"),
    ] {
        let found = hits(&lists, name);
        assert!(
            found.contains(&(list, reference.to_owned())),
            "{name:?} finds {list} {reference}: {found:?}"
        );
    }
    for clean in [
        "Margaret Thornbury",
        "Oliver Pemberton-Smith",
        "Acme Bakery Ltd",
    ] {
        assert_eq!(hits(&lists, clean), [], "{clean} is not listed");
    }
}

/// Size check, run by hand: `cargo test -p screening --test eu_uk -- --ignored --nocapture`.
/// Builds EU and UK files of about the published size (~6,000 records) from the fixture's
/// records and reports the import time.
#[test]
#[ignore = "manual timing"]
fn full_size_files_import_timing() {
    for raw in [demo_eu_raw(), demo_uk_raw()] {
        let text = xml_of(&raw);
        let (open, close) = match raw {
            RawList::Eu { .. } => ("<sanctionEntity ", "</sanctionEntity>"),
            _ => ("<Designation>", "</Designation>"),
        };
        let start = text.find(open).unwrap();
        let end = text.rfind(close).unwrap() + close.len();
        let records = &text[start..end];
        let mut body = String::new();
        for copy in 0..1_500 {
            // Distinct references per copy, as in a real file.
            body.push_str(
                &records
                    .replace(
                        "euReferenceNumber=\"EU.",
                        &format!("euReferenceNumber=\"EU.{copy}."),
                    )
                    .replace("<UniqueID>", &format!("<UniqueID>{copy}-")),
            );
        }
        let big = format!("{}{}{}", &text[..start], body, &text[end..]);
        let raw = match raw {
            RawList::Eu { .. } => RawList::Eu {
                xml: big.into_bytes(),
            },
            _ => RawList::Uk {
                xml: big.into_bytes(),
            },
        };
        let started = std::time::Instant::now();
        let list = import(&raw, None, &mut no_progress).unwrap();
        println!(
            "{}: {} entries, {} MB in {:?}",
            list.version.source,
            list.entries.len(),
            raw.len() / 1_000_000,
            started.elapsed()
        );
        assert_eq!(list.entries.len(), 6_000);
    }
}
