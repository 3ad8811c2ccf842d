//! The message catalogue: which ISO 20022 message types and versions kliring reads, their root
//! elements, and what the hub does with each. Supporting a new version is one entry in
//! `versions` — the version-neutral mapping reads every listed version. Listed are the versions
//! the conformance corpus exercises (plus pacs.004 .11/.12, between the tested .10 and .13),
//! and for trade services (tsmt) the versions of the official schemas kliring validates against.
//! The payment endpoint does not act on tsmt messages (`NotConsumed`, with what the hub does
//! with each instead); the trade endpoints read the consumed ones with `trade::parse`.

use crate::report::Inbound;

/// Namespace prefix of every ISO 20022 message schema.
pub const ISO_NS_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:";

/// Message types kliring recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    Pacs002,
    Pacs004,
    Pacs008,
    Pacs009,
    Pacs028,
    Camt029,
    Camt052,
    Camt053,
    Camt054,
    Camt056,
    Pain001,
    Pain002,
    Tsmt009,
    Tsmt010,
    Tsmt011,
    Tsmt013,
    Tsmt014,
    Tsmt019,
    Tsmt020,
    Tsmt021,
    Tsmt022,
}

/// One catalogue row.
pub struct Entry {
    pub ty: MessageType,
    /// `area.number` as in the namespace, e.g. `pacs.008`.
    pub id: &'static str,
    /// Message root element under `Document`.
    pub root: &'static str,
    /// Supported `variant.version` suffixes, e.g. `001.08`.
    pub versions: &'static [&'static str],
    pub inbound: Inbound,
}

const NOT_CONSUMED_REPORT: &str = "account reports and notifications are produced by the hub (camt.053/camt.054); \
     participants do not send them to it";
const NOT_CONSUMED_INITIATION: &str = "customer-to-bank initiation messages (pain) are exchanged between a customer and \
     its bank; participants send the hub interbank pacs messages";
const NOT_CONSUMED_RESOLUTION: &str = "the hub answers cancellation requests with camt.029 itself; inbound resolutions \
     are not routed in this version";

const TRADE_CONSUMED: &str = "consumed by the trade matching application: read with iso20022::trade::parse and \
     handled by the trade endpoints, not by the payment endpoint";
const TRADE_PRODUCED: &str = "produced by the hub's trade matching application (match reports, baseline reports, \
     notifications); participants do not send it";

/// Every supported message type.
pub const CATALOG: &[Entry] = &[
    Entry {
        ty: MessageType::Pacs008,
        id: "pacs.008",
        root: "FIToFICstmrCdtTrf",
        versions: &["001.08", "001.12"],
        inbound: Inbound::Consumed {
            model: "CreditTransfer",
        },
    },
    Entry {
        ty: MessageType::Pacs009,
        id: "pacs.009",
        root: "FICdtTrf",
        versions: &["001.08", "001.11"],
        inbound: Inbound::Consumed {
            model: "CreditTransfer",
        },
    },
    Entry {
        ty: MessageType::Pacs004,
        id: "pacs.004",
        root: "PmtRtr",
        versions: &["001.09", "001.10", "001.11", "001.12", "001.13"],
        inbound: Inbound::Consumed {
            model: "PaymentReturn",
        },
    },
    Entry {
        ty: MessageType::Pacs002,
        id: "pacs.002",
        root: "FIToFIPmtStsRpt",
        versions: &["001.10", "001.14"],
        inbound: Inbound::Consumed {
            model: "StatusReport",
        },
    },
    Entry {
        ty: MessageType::Pacs028,
        id: "pacs.028",
        root: "FIToFIPmtStsReq",
        versions: &["001.03"],
        inbound: Inbound::Consumed {
            model: "StatusRequest",
        },
    },
    Entry {
        ty: MessageType::Camt056,
        id: "camt.056",
        root: "FIToFIPmtCxlReq",
        versions: &["001.08", "001.11"],
        inbound: Inbound::Consumed {
            model: "CancellationRequest",
        },
    },
    Entry {
        ty: MessageType::Camt029,
        id: "camt.029",
        root: "RsltnOfInvstgtn",
        versions: &["001.09", "001.13"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_RESOLUTION,
        },
    },
    Entry {
        ty: MessageType::Camt052,
        id: "camt.052",
        root: "BkToCstmrAcctRpt",
        versions: &["001.02", "001.08", "001.12"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_REPORT,
        },
    },
    Entry {
        ty: MessageType::Camt053,
        id: "camt.053",
        root: "BkToCstmrStmt",
        versions: &["001.02", "001.04", "001.12"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_REPORT,
        },
    },
    Entry {
        ty: MessageType::Camt054,
        id: "camt.054",
        root: "BkToCstmrDbtCdtNtfctn",
        versions: &["001.02", "001.04", "001.08", "001.12"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_REPORT,
        },
    },
    Entry {
        ty: MessageType::Pain001,
        id: "pain.001",
        root: "CstmrCdtTrfInitn",
        versions: &["001.03", "001.09"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_INITIATION,
        },
    },
    Entry {
        ty: MessageType::Pain002,
        id: "pain.002",
        root: "CstmrPmtStsRpt",
        versions: &["001.03", "001.10"],
        inbound: Inbound::NotConsumed {
            reason: NOT_CONSUMED_INITIATION,
        },
    },
    // InitialBaselineSubmission: a bank lodges a baseline.
    Entry {
        ty: MessageType::Tsmt019,
        id: "tsmt.019",
        root: "InitlBaselnSubmissn",
        versions: &["001.05"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_CONSUMED,
        },
    },
    // BaselineAmendmentRequest: the amended baseline.
    Entry {
        ty: MessageType::Tsmt009,
        id: "tsmt.009",
        root: "BaselnAmdmntReq",
        versions: &["001.05"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_CONSUMED,
        },
    },
    // DataSetSubmission: commercial/transport data sets, match or pre-match.
    Entry {
        ty: MessageType::Tsmt014,
        id: "tsmt.014",
        root: "DataSetSubmissn",
        versions: &["001.05"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_CONSUMED,
        },
    },
    // MisMatchAcceptance: the obligor bank waives a match report's mismatches.
    Entry {
        ty: MessageType::Tsmt020,
        id: "tsmt.020",
        root: "MisMtchAccptnc",
        versions: &["001.02"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_CONSUMED,
        },
    },
    // MisMatchRejection: the obligor bank refuses them.
    Entry {
        ty: MessageType::Tsmt022,
        id: "tsmt.022",
        root: "MisMtchRjctn",
        versions: &["001.02"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_CONSUMED,
        },
    },
    // DataSetMatchReport: match, or every mismatch with its rule.
    Entry {
        ty: MessageType::Tsmt013,
        id: "tsmt.013",
        root: "DataSetMtchRpt",
        versions: &["001.03"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_PRODUCED,
        },
    },
    // BaselineMatchReport: baseline established, or its mismatches.
    Entry {
        ty: MessageType::Tsmt010,
        id: "tsmt.010",
        root: "BaselnMtchRpt",
        versions: &["001.03"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_PRODUCED,
        },
    },
    // BaselineReport: ordered/accepted/outstanding/pending per line.
    Entry {
        ty: MessageType::Tsmt011,
        id: "tsmt.011",
        root: "BaselnRpt",
        versions: &["001.04"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_PRODUCED,
        },
    },
    // MisMatchAcceptanceNotification: tells the counterparty.
    Entry {
        ty: MessageType::Tsmt021,
        id: "tsmt.021",
        root: "MisMtchAccptncNtfctn",
        versions: &["001.03"],
        inbound: Inbound::NotConsumed {
            reason: TRADE_PRODUCED,
        },
    },
];

/// A message identifier split into its type and version, e.g. `pacs.008` + `001.08`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageName<'a> {
    pub id: &'a str,
    pub version: &'a str,
}

impl<'a> MessageName<'a> {
    /// Splits `pacs.008.001.08` into `pacs.008` and `001.08`; `None` if not of that shape.
    pub fn parse(text: &'a str) -> Option<Self> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 15
            && bytes[..4].iter().all(u8::is_ascii_lowercase)
            && bytes[4] == b'.'
            && bytes[5..8].iter().all(u8::is_ascii_digit)
            && bytes[8] == b'.'
            && bytes[9..12].iter().all(u8::is_ascii_digit)
            && bytes[12] == b'.'
            && bytes[13..].iter().all(u8::is_ascii_digit);
        shape_ok.then(|| Self {
            id: &text[..8],
            version: &text[9..],
        })
    }
}

/// The catalogue row for a message type id such as `pacs.008`.
pub fn entry(id: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_type_and_version() {
        let n = MessageName::parse("camt.056.001.11").expect("valid");
        assert_eq!((n.id, n.version), ("camt.056", "001.11"));
        assert!(MessageName::parse("WRONG.000.00").is_none());
        assert!(MessageName::parse("pacs.008.001.8").is_none());
    }

    #[test]
    fn every_entry_is_findable() {
        for e in CATALOG {
            assert_eq!(entry(e.id).map(|f| f.ty), Some(e.ty));
            assert!(!e.versions.is_empty());
        }
    }
}
