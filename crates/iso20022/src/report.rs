//! Verdicts: ISO reason codes, violations with element paths, and the `check` report.
//!
//! Reason-code policy (what kliring answers with in a pacs.002 `StsRsnInf/Rsn/Cd`):
//! - `FF01` InvalidFileFormat: malformed XML, no ISO `Document`, unknown message type or
//!   version, business application header `MsgDefIdr` naming a different message type.
//! - `FF02` SyntaxError: a schema rule kliring checks (required element missing, text too
//!   long, pattern such as UETR or country code, unknown status code) and kliring's own
//!   required-for-processing rules (a `RJCT` needs a reason, a cancellation needs a reason, a
//!   status request needs the original group).
//! - `DT01` InvalidDate, `RC01` BIC invalid, `AC01` IBAN invalid (pattern or checksum),
//!   `AM03` currency not accepted (unknown, or a commodity/test code such as XAU),
//!   `AM12` InvalidAmount (not a decimal, or significant digits beyond the currency's minor
//!   units), `AM10` control sum or total amount mismatch, `AM18` NbOfTxs mismatch.
//! - `DUPL`, `AC01`/`AG01`/`AM04`/`AB05`/`RR04` for business outcomes are decided by the hub and
//!   are available to the emitters through [`ReasonCode`].

use serde::Serialize;
use std::fmt;

/// ISO 20022 external status reason codes used by kliring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ReasonCode {
    /// Incorrect account number (IBAN pattern or checksum).
    AC01,
    /// Closed account number.
    AC04,
    /// Transaction forbidden on this account / participant not allowed.
    AG01,
    /// Currency not allowed.
    AM03,
    /// Insufficient funds (net debit cap or liquidity).
    AM04,
    /// Control sum or total amount does not match the transactions.
    AM10,
    /// Amount invalid (syntax or too many decimals).
    AM12,
    /// Number of transactions does not match.
    AM18,
    /// Timeout at the creditor agent.
    AB05,
    /// Invalid date.
    DT01,
    /// Duplicate message or payment.
    DUPL,
    /// Invalid file format.
    FF01,
    /// Syntax error.
    FF02,
    /// Reason is given as narrative in AddtlInf.
    NARR,
    /// BIC invalid.
    RC01,
    /// Regulatory reason (e.g. sanctions screening).
    RR04,
}

impl ReasonCode {
    /// The four-character code.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AC01 => "AC01",
            Self::AC04 => "AC04",
            Self::AG01 => "AG01",
            Self::AM03 => "AM03",
            Self::AM04 => "AM04",
            Self::AM10 => "AM10",
            Self::AM12 => "AM12",
            Self::AM18 => "AM18",
            Self::AB05 => "AB05",
            Self::DT01 => "DT01",
            Self::DUPL => "DUPL",
            Self::FF01 => "FF01",
            Self::FF02 => "FF02",
            Self::NARR => "NARR",
            Self::RC01 => "RC01",
            Self::RR04 => "RR04",
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule broken by a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub code: ReasonCode,
    /// Stable rule identifier, e.g. `xsd.maxLength`, `kliring.rjct.reason`.
    pub rule: &'static str,
    /// Human-readable explanation (fits pacs.002 `AddtlInf` after truncation to 105 chars).
    pub text: String,
    /// Element path of the offending element, e.g. `/Document/FIToFICstmrCdtTrf/GrpHdr/MsgId`.
    pub path: String,
}

impl Violation {
    pub fn new(
        code: ReasonCode,
        rule: &'static str,
        text: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        Self {
            code,
            rule,
            text: text.into(),
            path: path.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {} at {}",
            self.code, self.rule, self.text, self.path
        )
    }
}

/// How the message reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wrapper {
    /// A bare ISO `Document`.
    Document,
    /// `AppHdr` (head.001) and `Document` under some non-envelope parent.
    AppHdrDocument,
    /// SWIFT test envelope (`Envelope`, namespace `urn:swift:xsd:envelope` or none).
    Envelope,
    /// FedNow `FedNowIncoming` technical wrapper.
    FedNowIncoming,
    /// FedNow `FedNowOutgoing` technical wrapper.
    FedNowOutgoing,
}

/// Valid, or every violation found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "violations", rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    Rejected(Vec<Violation>),
}

/// What the hub does with a valid message of this type when it arrives inbound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Inbound {
    /// Mapped into the named version-neutral model and handed to the hub.
    Consumed { model: &'static str },
    /// Recognised but not acted upon; the endpoint answers HTTP 422 with this reason.
    NotConsumed { reason: &'static str },
}

/// Result of [`crate::check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// e.g. `pacs.008`; absent when the message could not be identified.
    pub message_type: Option<String>,
    /// Full message identifier, e.g. `pacs.008.001.08`.
    pub version: Option<String>,
    pub wrapper: Option<Wrapper>,
    /// Business application header version, e.g. `head.001.001.02`.
    pub business_header: Option<String>,
    pub inbound: Option<Inbound>,
    pub verdict: Verdict,
    /// Tolerated irregularities (e.g. header/document version skew).
    pub notes: Vec<String>,
}

impl CheckReport {
    /// Whether the verdict is `Valid`.
    pub fn is_valid(&self) -> bool {
        matches!(self.verdict, Verdict::Valid)
    }

    /// Violations, empty when valid.
    pub fn violations(&self) -> &[Violation] {
        match &self.verdict {
            Verdict::Valid => &[],
            Verdict::Rejected(v) => v,
        }
    }
}
