//! Fuzz target for the ISO 20022 reader: any bytes must give a verdict, never a panic; a valid
//! credit transfer that the hub forwards must emit a pacs.008 that kliring itself reads back.
//! Run: `cd crates/iso20022/fuzz && cargo +nightly fuzz run reader`.

#![no_main]

use iso20022::model::Message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = iso20022::check(data);
    assert_eq!(report.is_valid(), report.violations().is_empty());
    if let Ok(parsed) = iso20022::parse(data)
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
});
