//! Fuzz-style property tests of the reader that run in the normal suite (the coverage-guided
//! target lives in crates/iso20022/fuzz). Any input gives a verdict without panicking; a valid
//! credit transfer re-emitted by the hub is read back by kliring itself.

const PACS008_SAMPLE: &str = include_str!("samples/pacs008_cbpr.xml");
use iso20022::model::Message;
use proptest::prelude::*;

fn assert_total(bytes: &[u8]) {
    let report = iso20022::check(bytes);
    assert_eq!(report.is_valid(), report.violations().is_empty());
    for v in report.violations() {
        assert!(!v.text.is_empty() && !v.path.is_empty(), "{v:?}");
    }
    if let Ok(parsed) = iso20022::parse(bytes)
        && let Some(Message::CreditTransfer(ct)) = parsed.message
        && let Ok(xml) = iso20022::emit::pacs008(&ct)
    {
        let reread = iso20022::parse(&xml);
        assert!(
            reread.is_ok(),
            "emitted pacs.008 rejected: {:?}",
            reread.err()
        );
    }
}

/// One edit to a byte string: insert, delete or overwrite at a position.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Overwrite(usize, u8),
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match *e {
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % len);
            }
            Edit::Overwrite(i, b) if !bytes.is_empty() => bytes[i % len] = b,
            _ => {}
        }
    }
    bytes
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bias the bytes towards XML syntax so edits reach past the tokenizer.
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"<>/=\"'&;:.-0123456789 ".to_vec())
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Overwrite(i, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        assert_total(&bytes);
    }

    #[test]
    fn mutated_messages_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        assert_total(&apply(PACS008_SAMPLE.as_bytes().to_vec(), &edits));
    }
}

#[test]
fn hostile_shapes_are_rejected_not_crashed() {
    let deep = "<a>".repeat(10_000);
    let wide = format!("<a>{}</a>", "<b/>".repeat(200_000));
    let cases: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        wide.into_bytes(),
        b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>".to_vec(),
        vec![0xff, 0xfe, 0x00],
        b"\xef\xbb\xbf<Document/>".to_vec(),
    ];
    for case in cases {
        let report = iso20022::check(&case);
        assert!(!report.is_valid());
    }
}
