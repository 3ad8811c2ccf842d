//! The trade matching application's reports: tsmt.013 DataSetMatchReport, tsmt.010
//! BaselineMatchReport, tsmt.011 BaselineReport (the per-line partial-shipment ledger) and
//! tsmt.021 MisMatchAcceptanceNotification. Inputs are plain structs; the hub fills them from
//! its own trade state.
//!
//! A mismatch is written as one `MisMtchInf`: `RuleId` the hub's versioned rule id, `RuleDesc`
//! "expected ...; presented ...; tolerance ...", and one `MisMtchdElmt` with the element path,
//! its name and the presented value. Free text longer than the schema allows is shortened
//! (cut to the schema's length); identifiers, BICs, paths and element names that do not fit
//! are refused.

use super::pacs::truncate;
use super::parts::{Xml, check_datetime, check_id, check_len, invalid};
use super::{EmitError, TSMT010_VERSION, TSMT011_VERSION, TSMT013_VERSION, TSMT021_VERSION};
use crate::money::{Amount, Currency};
use crate::rules::is_bic_identifier;
use crate::trade::{SubmissionMode, Tolerance, TradeParty};
use serde::Serialize;

/// UnitOfMeasure4Code: units written as `UnitOfMeasrCd`; any other unit is `OthrUnitOfMeasr`.
const UNIT_CODES: &[&str] = &[
    "KGM", "EA", "LTN", "MTR", "INH", "LY", "GLI", "GRM", "CMT", "MTK", "FOT", "1A", "INK", "FTK",
    "MIK", "ONZ", "PTI", "PT", "QTI", "QT", "GLL", "MMT", "KTM", "YDK", "MMK", "CMK", "KMK", "MMQ",
    "CLT", "LTR", "LBR", "STN", "BLL", "BX", "BO", "CT", "CH", "CR", "INQ", "MTQ", "OZI", "OZA",
    "BG", "BL", "TNE",
];

/// `Max3NumericText`: document indexes and trial counters.
const MAX3_NUMERIC: u16 = 999;

/// A baseline's status (BaselineStatus3Code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BaselineStatus {
    /// `PROP`: one side has submitted.
    Proposed,
    /// `PMTC`: the two baselines were compared and do not match yet.
    PartiallyMatched,
    /// `ESTD`.
    Established,
    /// `ACTV`: data sets are being presented.
    Active,
    /// `COMP`: everything shipped and paid.
    Completed,
    /// `CLSD`.
    Closed,
    /// `AMRQ`: an amendment awaits the counterparty.
    AmendmentRequested,
}

impl BaselineStatus {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Proposed => "PROP",
            Self::PartiallyMatched => "PMTC",
            Self::Established => "ESTD",
            Self::Active => "ACTV",
            Self::Completed => "COMP",
            Self::Closed => "CLSD",
            Self::AmendmentRequested => "AMRQ",
        }
    }
}

/// What the receiving bank is asked to do next (Action2Code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Action {
    /// `ARDM`: accept or reject the data set mismatches (tsmt.020 / .022).
    AcceptOrRejectMismatches,
    /// `SBDS`: submit the data sets.
    SubmitDataSets,
    /// `ARBA`: accept or reject a baseline amendment.
    AcceptOrRejectAmendment,
    /// `RSBS`: resubmit the baseline.
    ResubmitBaseline,
    /// `WAIT`: wait until the baseline is established.
    Wait,
}

impl Action {
    fn code(&self) -> &'static str {
        match self {
            Self::AcceptOrRejectMismatches => "ARDM",
            Self::SubmitDataSets => "SBDS",
            Self::AcceptOrRejectAmendment => "ARBA",
            Self::ResubmitBaseline => "RSBS",
            Self::Wait => "WAIT",
        }
    }
}

/// `ReqForActn`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionRequest {
    pub action: Action,
    /// Shortened to 140 characters.
    pub description: Option<String>,
}

/// The established baseline's id and version (`EstblishdBaselnId`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineRef {
    pub id: String,
    pub version: u64,
}

/// The transaction a report is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TradeTransaction {
    /// The matching application's transaction id (`TxId`).
    pub tx_id: String,
    pub baseline: BaselineRef,
    pub status: BaselineStatus,
}

/// Buyer, seller and their banks, as every report names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TradeParties {
    pub buyer: TradeParty,
    pub seller: TradeParty,
    pub buyer_bank: String,
    pub seller_bank: String,
}

/// The kind of a compared document (DataSetType2Code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DocumentKind {
    Baseline,
    Commercial,
    Transport,
    Insurance,
    Certificate,
    OtherCertificate,
}

impl DocumentKind {
    fn code(&self) -> &'static str {
        match self {
            Self::Baseline => "BASE",
            Self::Commercial => "CODS",
            Self::Transport => "TRDS",
            Self::Insurance => "INDS",
            Self::Certificate => "CEDS",
            Self::OtherCertificate => "OCDS",
        }
    }
}

/// A document the match compared (`CmpardDocRef`); `index` is what mismatches refer to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComparedDocument {
    pub id: String,
    pub version: u64,
    pub kind: DocumentKind,
    /// BIC of the bank that submitted it.
    pub submitter: String,
    /// 0..=999.
    pub index: u16,
}

/// One mismatch, as the hub's match rules explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The versioned rule id, e.g. `line.unit_price.v1` (at most 35 characters).
    pub rule_id: String,
    /// Path of the mismatched element, e.g. `/ComrclDataSet/Goods/ComrclLineItms[3]/UnitPric`.
    pub element_path: String,
    /// Its element name, e.g. `UnitPric`.
    pub element_name: String,
    pub expected: String,
    pub presented: String,
    /// The tolerance applied, e.g. `+2.50% -0.00%`.
    pub tolerance: Option<String>,
    /// The compared document the element belongs to.
    pub doc_index: u16,
}

/// A tsmt.013 to emit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSetMatchReportOut {
    pub report_id: String,
    pub created: String,
    pub transaction: TradeTransaction,
    pub parties: TradeParties,
    /// The baseline and the data sets compared with it: at least two.
    pub compared: Vec<ComparedDocument>,
    /// Pre-match reports (`PMTC`) change nothing.
    pub mode: SubmissionMode,
    /// Empty for a match.
    pub mismatches: Vec<Mismatch>,
    pub action: Option<ActionRequest>,
}

/// A tsmt.010 to emit: the comparison of the two banks' baselines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineMatchReportOut {
    pub report_id: String,
    pub created: String,
    pub tx_id: String,
    /// Present once the baseline is established.
    pub established: Option<BaselineRef>,
    pub status: BaselineStatus,
    pub parties: TradeParties,
    /// Establishment attempts so far and the limit (`BaselnEstblishmtTrils`), each 0..=999.
    pub trials: (u16, u16),
    /// The two banks' baselines (exactly two in tsmt.010; their kind is not written, its
    /// `DocumentIdentification4` has none).
    pub compared: [ComparedDocument; 2],
    pub mismatches: Vec<Mismatch>,
    pub action: Option<ActionRequest>,
}

/// One line of a tsmt.011: quantities in `unit`, amounts in the baseline's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineReport {
    pub line_id: String,
    pub product_name: Option<String>,
    pub unit: String,
    pub ordered: u128,
    /// In matched (or accepted-mismatch) shipments.
    pub accepted: u128,
    /// `ordered - accepted`, never below zero.
    pub outstanding: u128,
    /// In shipments awaiting a decision on their mismatches.
    pub pending: u128,
    pub quantity_tolerance: Option<Tolerance>,
    pub price_tolerance: Option<Tolerance>,
    pub ordered_amount: Amount,
    pub accepted_amount: Amount,
    pub outstanding_amount: Amount,
    pub pending_amount: Amount,
}

/// tsmt.011 `RptTp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BaselineReportKind {
    /// `CURR`: the baseline as it stands.
    Current,
    /// `PREC`: the baseline before the amendment just accepted.
    Previous,
}

/// A tsmt.011 to emit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineReportOut {
    pub report_id: String,
    pub created: String,
    /// The message that caused the report (a tsmt.014 or tsmt.020), if any.
    pub related: Option<(String, String)>,
    pub kind: BaselineReportKind,
    pub transaction: TradeTransaction,
    pub parties: TradeParties,
    /// At least one.
    pub lines: Vec<LineReport>,
    pub action: Option<ActionRequest>,
}

/// A tsmt.021 to emit: tells the counterparty bank that mismatches were accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MismatchAcceptanceNotificationOut {
    pub notification_id: String,
    pub created: String,
    pub transaction: TradeTransaction,
    /// Id and creation time of the tsmt.013 whose mismatches were accepted.
    pub match_report: (String, String),
    pub action: Option<ActionRequest>,
}

/// tsmt.013.001.03.
pub fn tsmt013(r: &DataSetMatchReportOut) -> Result<Vec<u8>, EmitError> {
    let mut x = Xml::document(TSMT013_VERSION)?;
    x.open("DataSetMtchRpt")?;
    message_id(&mut x, "RptId", &r.report_id, &r.created)?;
    transaction(&mut x, &r.transaction)?;
    parties(&mut x, &r.parties)?;
    if r.compared.len() < 2 {
        return Err(invalid(
            "compared",
            "a data set match report compares the baseline with at least one data set",
        ));
    }
    for doc in &r.compared {
        compared(&mut x, doc, true)?;
    }
    x.open("SubmissnTp")?;
    x.leaf("Tp", r.mode.code())?;
    x.close("SubmissnTp")?;
    mismatch_report(&mut x, &r.mismatches)?;
    action(&mut x, r.action.as_ref())?;
    x.close("DataSetMtchRpt")?;
    x.finish()
}

/// tsmt.010.001.03.
pub fn tsmt010(r: &BaselineMatchReportOut) -> Result<Vec<u8>, EmitError> {
    let mut x = Xml::document(TSMT010_VERSION)?;
    x.open("BaselnMtchRpt")?;
    message_id(&mut x, "RptId", &r.report_id, &r.created)?;
    simple_id(&mut x, "TxId", &r.tx_id)?;
    if let Some(b) = &r.established {
        baseline_id(&mut x, b)?;
    }
    status(&mut x, r.status)?;
    parties(&mut x, &r.parties)?;
    let (current, limit) = r.trials;
    if current > MAX3_NUMERIC || limit > MAX3_NUMERIC {
        return Err(invalid("trials", "at most 999"));
    }
    x.open("BaselnEstblishmtTrils")?;
    x.leaf("Cur", &current.to_string())?;
    x.leaf("Lmt", &limit.to_string())?;
    x.close("BaselnEstblishmtTrils")?;
    for doc in &r.compared {
        compared(&mut x, doc, false)?;
    }
    mismatch_report(&mut x, &r.mismatches)?;
    action(&mut x, r.action.as_ref())?;
    x.close("BaselnMtchRpt")?;
    x.finish()
}

/// tsmt.011.001.04. Totals are the sums of the lines (checked); the net totals equal them
/// because kliring's baselines carry no adjustments, freight charges or taxes.
pub fn tsmt011(r: &BaselineReportOut) -> Result<Vec<u8>, EmitError> {
    let Some(first) = r.lines.first() else {
        return Err(invalid(
            "lines",
            "a baseline report needs at least one line",
        ));
    };
    let currency = first.ordered_amount.currency;
    for line in &r.lines {
        check_line(line, currency)?;
    }
    let mut x = Xml::document(TSMT011_VERSION)?;
    x.open("BaselnRpt")?;
    message_id(&mut x, "RptId", &r.report_id, &r.created)?;
    if let Some((id, created)) = &r.related {
        message_id(&mut x, "RltdMsgRef", id, created)?;
    }
    x.open("RptTp")?;
    x.leaf(
        "Tp",
        match r.kind {
            BaselineReportKind::Current => "CURR",
            BaselineReportKind::Previous => "PREC",
        },
    )?;
    x.close("RptTp")?;
    simple_id(&mut x, "TxId", &r.transaction.tx_id)?;
    baseline_id(&mut x, &r.transaction.baseline)?;
    status(&mut x, r.transaction.status)?;
    parties(&mut x, &r.parties)?;
    x.open("RptdLineItm")?;
    for line in &r.lines {
        report_line(&mut x, line)?;
    }
    let sum = |of: fn(&LineReport) -> u128| {
        r.lines
            .iter()
            .try_fold(0u128, |acc, l| acc.checked_add(of(l)))
            .map(|minor_units| Amount {
                currency,
                minor_units,
            })
            .ok_or_else(|| invalid("lines", "amounts overflow"))
    };
    let ordered = sum(|l| l.ordered_amount.minor_units)?;
    let accepted = sum(|l| l.accepted_amount.minor_units)?;
    let outstanding = sum(|l| l.outstanding_amount.minor_units)?;
    let pending = sum(|l| l.pending_amount.minor_units)?;
    x.amount("OrdrdLineItmsTtlAmt", &ordered)?;
    x.amount("AccptdLineItmsTtlAmt", &accepted)?;
    x.amount("OutsdngLineItmsTtlAmt", &outstanding)?;
    x.amount("PdgLineItmsTtlAmt", &pending)?;
    x.amount("OrdrdTtlNetAmt", &ordered)?;
    x.amount("AccptdTtlNetAmt", &accepted)?;
    x.amount("OutsdngTtlNetAmt", &outstanding)?;
    x.amount("PdgTtlNetAmt", &pending)?;
    x.close("RptdLineItm")?;
    action(&mut x, r.action.as_ref())?;
    x.close("BaselnRpt")?;
    x.finish()
}

/// tsmt.021.001.03.
pub fn tsmt021(r: &MismatchAcceptanceNotificationOut) -> Result<Vec<u8>, EmitError> {
    let mut x = Xml::document(TSMT021_VERSION)?;
    x.open("MisMtchAccptncNtfctn")?;
    message_id(&mut x, "NtfctnId", &r.notification_id, &r.created)?;
    transaction(&mut x, &r.transaction)?;
    let (id, created) = &r.match_report;
    message_id(&mut x, "DataSetMtchRptRef", id, created)?;
    action(&mut x, r.action.as_ref())?;
    x.close("MisMtchAccptncNtfctn")?;
    x.finish()
}

fn message_id(x: &mut Xml, name: &str, id: &str, created: &str) -> Result<(), EmitError> {
    check_id("message id", id)?;
    check_datetime("created", created)?;
    x.open(name)?;
    x.leaf("Id", id)?;
    x.leaf("CreDtTm", created)?;
    x.close(name)
}

fn simple_id(x: &mut Xml, name: &str, id: &str) -> Result<(), EmitError> {
    check_id("transaction id", id)?;
    x.open(name)?;
    x.leaf("Id", id)?;
    x.close(name)
}

/// `EstblishdBaselnId`; tsmt.011's `DocumentIdentification6` also allows an amendment number,
/// which kliring leaves out (the version already counts amendments).
fn baseline_id(x: &mut Xml, b: &BaselineRef) -> Result<(), EmitError> {
    check_id("baseline id", &b.id)?;
    x.open("EstblishdBaselnId")?;
    x.leaf("Id", &b.id)?;
    x.leaf("Vrsn", &b.version.to_string())?;
    x.close("EstblishdBaselnId")
}

fn status(x: &mut Xml, s: BaselineStatus) -> Result<(), EmitError> {
    x.open("TxSts")?;
    x.leaf("Sts", s.code())?;
    x.close("TxSts")
}

fn transaction(x: &mut Xml, t: &TradeTransaction) -> Result<(), EmitError> {
    simple_id(x, "TxId", &t.tx_id)?;
    baseline_id(x, &t.baseline)?;
    status(x, t.status)
}

fn parties(x: &mut Xml, p: &TradeParties) -> Result<(), EmitError> {
    party(x, "Buyr", &p.buyer)?;
    party(x, "Sellr", &p.seller)?;
    bank(x, "BuyrBk", &p.buyer_bank)?;
    bank(x, "SellrBk", &p.seller_bank)
}

/// `PartyIdentification26`: name and the address's country.
fn party(x: &mut Xml, name: &'static str, p: &TradeParty) -> Result<(), EmitError> {
    check_len(name, &p.name, 70)?;
    if p.country.len() != 2 || !p.country.bytes().all(|c| c.is_ascii_uppercase()) {
        return Err(invalid(
            name,
            format!("'{}' is not a country code", p.country),
        ));
    }
    x.open(name)?;
    x.leaf("Nm", &p.name)?;
    x.open("PstlAdr")?;
    x.leaf("Ctry", &p.country)?;
    x.close("PstlAdr")?;
    x.close(name)
}

/// `BICIdentification1`.
fn bank(x: &mut Xml, name: &'static str, bic: &str) -> Result<(), EmitError> {
    if !is_bic_identifier(bic) {
        return Err(invalid(name, format!("'{bic}' is not a BIC")));
    }
    x.open(name)?;
    x.leaf("BIC", bic)?;
    x.close(name)
}

fn doc_index(index: u16) -> Result<String, EmitError> {
    if index > MAX3_NUMERIC {
        return Err(invalid("doc_index", "at most 999"));
    }
    Ok(index.to_string())
}

fn compared(x: &mut Xml, d: &ComparedDocument, with_kind: bool) -> Result<(), EmitError> {
    check_id("compared document id", &d.id)?;
    let index = doc_index(d.index)?;
    x.open("CmpardDocRef")?;
    x.leaf("Id", &d.id)?;
    x.leaf("Vrsn", &d.version.to_string())?;
    if with_kind {
        x.leaf("Tp", d.kind.code())?;
    }
    bank(x, "Submitr", &d.submitter)?;
    x.leaf("DocIndx", &index)?;
    x.close("CmpardDocRef")
}

/// `MisMatchReport3`: the count, then each mismatch numbered from 1.
fn mismatch_report(x: &mut Xml, mismatches: &[Mismatch]) -> Result<(), EmitError> {
    x.open("Rpt")?;
    x.leaf("NbOfMisMtchs", &mismatches.len().to_string())?;
    for (seq, m) in (1u64..).zip(mismatches) {
        check_len("rule_id", &m.rule_id, 35)?;
        check_len("element_path", &m.element_path, 350)?;
        check_len("element_name", &m.element_name, 35)?;
        let index = doc_index(m.doc_index)?;
        let mut description = format!("expected {}; presented {}", m.expected, m.presented);
        if let Some(t) = &m.tolerance {
            description.push_str("; tolerance ");
            description.push_str(t);
        }
        x.open("MisMtchInf")?;
        x.leaf("SeqNb", &seq.to_string())?;
        x.leaf("RuleId", &m.rule_id)?;
        x.leaf("RuleDesc", &truncate(&description, 350))?;
        x.open("MisMtchdElmt")?;
        x.leaf("DocIndx", &index)?;
        x.leaf("ElmtPth", &m.element_path)?;
        x.leaf("ElmtNm", &m.element_name)?;
        if !m.presented.is_empty() {
            x.leaf("ElmtVal", &truncate(&m.presented, 140))?;
        }
        x.close("MisMtchdElmt")?;
        x.close("MisMtchInf")?;
    }
    x.close("Rpt")
}

fn action(x: &mut Xml, a: Option<&ActionRequest>) -> Result<(), EmitError> {
    let Some(a) = a else { return Ok(()) };
    x.open("ReqForActn")?;
    x.leaf("Tp", a.action.code())?;
    if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty()) {
        x.leaf("Desc", &truncate(d, 140))?;
    }
    x.close("ReqForActn")
}

/// The ledger's own arithmetic, asserted before it is reported: one currency, and outstanding
/// is what remains of the order.
fn check_line(l: &LineReport, currency: Currency) -> Result<(), EmitError> {
    check_len("line_id", &l.line_id, 70)?;
    check_len("unit", &l.unit, 35)?;
    if let Some(name) = &l.product_name {
        check_len("product_name", name, 70)?;
    }
    let amounts = [
        &l.ordered_amount,
        &l.accepted_amount,
        &l.outstanding_amount,
        &l.pending_amount,
    ];
    if amounts.iter().any(|a| a.currency != currency) {
        return Err(invalid("lines", "every amount must be in one currency"));
    }
    if l.outstanding != l.ordered.saturating_sub(l.accepted)
        || l.outstanding_amount.minor_units
            != l.ordered_amount
                .minor_units
                .saturating_sub(l.accepted_amount.minor_units)
    {
        return Err(invalid(
            "lines",
            format!(
                "line {}: outstanding is not ordered minus accepted",
                l.line_id
            ),
        ));
    }
    Ok(())
}

/// `Quantity9` with the given element name.
fn quantity(x: &mut Xml, name: &str, unit: &str, value: u128) -> Result<(), EmitError> {
    x.open(name)?;
    x.open("UnitOfMeasr")?;
    if UNIT_CODES.contains(&unit) {
        x.leaf("UnitOfMeasrCd", unit)?;
    } else {
        x.leaf("OthrUnitOfMeasr", unit)?;
    }
    x.close("UnitOfMeasr")?;
    x.leaf("Val", &value.to_string())?;
    x.close(name)
}

fn tolerance(x: &mut Xml, name: &str, t: Option<&Tolerance>) -> Result<(), EmitError> {
    let Some(t) = t else { return Ok(()) };
    x.open(name)?;
    x.leaf("PlusPct", &percent(t.plus_bp))?;
    x.leaf("MnsPct", &percent(t.minus_bp))?;
    x.close(name)
}

/// Basis points as a `PercentageRate` (`250` → `2.5`).
fn percent(bp: u16) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

fn report_line(x: &mut Xml, l: &LineReport) -> Result<(), EmitError> {
    if l.ordered.to_string().len() > 18
        || [l.accepted, l.outstanding, l.pending]
            .iter()
            .any(|q| q.to_string().len() > 18)
    {
        return Err(invalid("lines", "a quantity has more than 18 digits"));
    }
    x.open("LineItmDtls")?;
    x.leaf("LineItmId", &l.line_id)?;
    x.opt_leaf("PdctNm", l.product_name.as_deref())?;
    quantity(x, "OrdrdQty", &l.unit, l.ordered)?;
    quantity(x, "AccptdQty", &l.unit, l.accepted)?;
    quantity(x, "OutsdngQty", &l.unit, l.outstanding)?;
    quantity(x, "PdgQty", &l.unit, l.pending)?;
    tolerance(x, "QtyTlrnce", l.quantity_tolerance.as_ref())?;
    x.amount("OrdrdAmt", &l.ordered_amount)?;
    x.amount("AccptdAmt", &l.accepted_amount)?;
    x.amount("OutsdngAmt", &l.outstanding_amount)?;
    x.amount("PdgAmt", &l.pending_amount)?;
    tolerance(x, "PricTlrnce", l.price_tolerance.as_ref())?;
    x.close("LineItmDtls")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_written_without_trailing_zeros() {
        assert_eq!(percent(0), "0");
        assert_eq!(percent(500), "5");
        assert_eq!(percent(250), "2.5");
        assert_eq!(percent(1), "0.01");
        assert_eq!(percent(10_000), "100");
    }
}
