//! Trade services management (tsmt): the messages of a bank payment obligation (ICC URBPO) as
//! version-neutral models, the reader the trade endpoints call, and the canonical form and
//! SHA-256 of a data set.
//!
//! | message  | root                   | model / emitter |
//! |----------|------------------------|-----------------|
//! | tsmt.019 | `InitlBaselnSubmissn`  | [`BaselineSubmission`] in |
//! | tsmt.009 | `BaselnAmdmntReq`      | [`AmendmentRequest`] in |
//! | tsmt.014 | `DataSetSubmissn`      | [`DataSetSubmission`] in (commercial and transport data sets) |
//! | tsmt.020 | `MisMtchAccptnc`       | [`MismatchDecision`] in (accept) |
//! | tsmt.022 | `MisMtchRjctn`         | [`MismatchDecision`] in (reject) |
//! | tsmt.013 | `DataSetMtchRpt`       | `emit::tsmt013` out |
//! | tsmt.010 | `BaselnMtchRpt`        | `emit::tsmt010` out |
//! | tsmt.011 | `BaselnRpt`            | `emit::tsmt011` out |
//! | tsmt.021 | `MisMtchAccptncNtfctn` | `emit::tsmt021` out |
//!
//! Reading goes through the same pipeline as payments ([`crate::parse`]: wrappers, catalogue,
//! field rules with ISO reason codes, then the trade mapping's own rules), so `kliring iso20022
//! check` gives tsmt messages the same verdicts. [`parse`] then returns the model.
//!
//! The mapping checks the tsmt schemas' required elements and text lengths (`FF02
//! xsd.required`, `xsd.maxLength`) and refuses beyond the schema, each with its rule id (reason
//! `FF02` unless stated): a fractional or zero quantity (`trade.quantity`: the hub counts whole units), a
//! measurement factor other than 1 (`trade.factor`), a tolerance that is not a whole number of
//! basis points or above 100 % (`trade.tolerance`), a date with a time zone (`DT01
//! trade.date`), an Incoterms code that is not one of the eleven Incoterms 2020 rules or has no
//! place (`trade.incoterms`), a bank BIC outside the tsmt `BICIdentifier` pattern (`RC01
//! xsd.pattern.bic`), amounts of one baseline or data set in more than one currency (`AM03
//! trade.currency`), line totals that do not add up to `LineItmsTtlAmt` (`AM10
//! trade.line_total`), more than one `Goods` block, transport document or purchase order in
//! one data set (`trade.data_set.shape`), and insurance or certificate data sets
//! (`trade.data_set.kind`: not matched in this version).

use crate::dom::Dom;
use crate::envelope;
use crate::map;
use crate::money::Amount;
use crate::read::Rejection;
use crate::report::{ReasonCode, Violation};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A message reference: `Id` and `CreDtTm` (`MessageIdentification1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageRef {
    pub id: String,
    /// ISO date-time as sent.
    pub created: String,
}

/// A buyer, seller or consignee (`PartyIdentification26`): the fields matching uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TradeParty {
    pub name: String,
    /// ISO 3166 alpha-2 code of the postal address.
    pub country: String,
}

/// A whole quantity of `unit` (`Quantity9`; the `UnitOfMeasrCd` code or the other unit's text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quantity {
    pub value: u128,
    pub unit: String,
}

/// ± tolerance in basis points (`PercentageTolerance1`: `PlusPct`, `MnsPct`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tolerance {
    pub plus_bp: u16,
    pub minus_bp: u16,
}

/// Incoterms 2020 rule and named place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Incoterms {
    /// `EXW`, `FCA`, ... `CIF`.
    pub code: String,
    pub place: String,
}

/// One goods line of a baseline (`LineItemDetails13`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoodsLine {
    pub line_id: String,
    pub product_name: Option<String>,
    pub quantity: Quantity,
    pub quantity_tolerance: Option<Tolerance>,
    /// Per unit, in the baseline's currency.
    pub unit_price: Option<Amount>,
    pub price_tolerance: Option<Tolerance>,
    pub total: Amount,
}

/// The obligation's amount: fixed, or a share of the baseline's total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationAmount {
    Amount(Amount),
    /// Basis points of the total net amount.
    Percentage(u16),
}

/// A bank payment obligation (`PaymentObligation2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentObligation {
    pub obligor_bank: String,
    pub recipient_bank: String,
    pub amount: ObligationAmount,
    /// `XpryDt`, `YYYY-MM-DD`.
    pub expiry: String,
}

/// The kinds of data set (the baseline's `...DataSetReqrd`, tsmt.013 `DataSetType2Code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSetKind {
    Commercial,
    Transport,
    Insurance,
    Certificate,
}

impl DataSetKind {
    /// The kind's name in the canonical form (and in the hub's JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Commercial => "commercial",
            Self::Transport => "transport",
            Self::Insurance => "insurance",
            Self::Certificate => "certificate",
        }
    }
}

/// A data set the baseline requires, and the banks that must submit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequiredDataSet {
    pub kind: DataSetKind,
    pub submitters: Vec<String>,
}

/// A baseline (`Baseline5`): what both banks agree on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Baseline {
    /// `SubmitrBaselnId`: id, version and the submitting bank's BIC.
    pub submitter_baseline_id: String,
    pub version: u64,
    pub submitter: String,
    pub po_reference: String,
    pub po_date: String,
    pub buyer: TradeParty,
    pub seller: TradeParty,
    pub buyer_bank: String,
    pub seller_bank: String,
    pub goods_description: Option<String>,
    pub partial_shipment: bool,
    pub transhipment: Option<bool>,
    pub shipment_earliest: Option<String>,
    pub shipment_latest: Option<String>,
    pub lines: Vec<GoodsLine>,
    pub line_items_total: Amount,
    pub incoterms: Option<Incoterms>,
    pub total_net: Amount,
    pub obligations: Vec<PaymentObligation>,
    pub latest_match_date: Option<String>,
    /// The commercial data set first, then the others in message order.
    pub required: Vec<RequiredDataSet>,
    pub intent_to_pay_expected: bool,
}

/// tsmt.019 `Instr/Tp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineInstruction {
    /// `LODG`: lodged by one bank, established at once.
    Lodge,
    /// `FPTR`: pushed through to the counterparty bank for its own baseline.
    FullPushThrough,
}

/// tsmt.019 InitialBaselineSubmission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineSubmission {
    pub submission: MessageRef,
    pub submitter_tx_ref: String,
    pub instruction: BaselineInstruction,
    pub baseline: Baseline,
}

/// tsmt.009 BaselineAmendmentRequest: the whole amended baseline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmendmentRequest {
    pub request: MessageRef,
    /// The matching application's transaction id.
    pub tx_id: String,
    pub submitter_tx_ref: Option<String>,
    pub baseline: Baseline,
}

/// Match for real, or only ask what the report would be (tsmt.014 `Instr/Tp` `MTCH` / `PMTC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionMode {
    Match,
    PreMatch,
}

impl SubmissionMode {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Match => "MTCH",
            Self::PreMatch => "PMTC",
        }
    }
}

/// tsmt.014 `RltdTxRefs`: the transaction a submission is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedTransaction {
    pub tx_id: String,
    pub po_reference: String,
    pub po_date: String,
    pub submitter_tx_ref: Option<String>,
    /// `ForcdMtch`: the submitter asks for a match report even if data sets are missing.
    pub forced_match: bool,
}

/// One presented line of a data set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PresentedLine {
    pub line_id: String,
    pub quantity: u128,
    /// Minor units per unit; a transport document states none.
    pub unit_price: Option<u128>,
}

/// The fields of one document that the hub matches on and stores, and whose canonical form
/// is hashed ([`DataSetFields::sha256`]). The HTTP path builds the same struct from JSON, so
/// one document hashes the same whichever way it arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSetFields {
    pub kind: DataSetKind,
    /// Invoice number or transport document reference.
    pub document_ref: String,
    pub po_reference: String,
    pub buyer: Option<TradeParty>,
    pub seller: Option<TradeParty>,
    pub lines: Vec<PresentedLine>,
    /// `YYYY-MM-DD`: the actual (or proposed) shipment date of a transport document.
    pub shipment_date: Option<String>,
    pub incoterms: Option<Incoterms>,
    pub currency: Option<String>,
    /// Minor units of `currency`: the commercial data set's `TtlNetAmt`.
    pub amount: Option<u128>,
}

/// Version of the canonical form; a changed form is a new version, so stored hashes keep
/// their meaning.
pub const CANONICAL_FORM: &str = "kliring.trade.dataset.v1";

impl DataSetFields {
    /// The canonical form: `CANONICAL_FORM`, then one `name=value` line per field in a fixed
    /// order (absent optional fields are left out, list items are numbered), values with `\`
    /// and line breaks escaped, amounts and quantities as decimal integers, dates as
    /// `YYYY-MM-DD`. Element order in the XML and whitespace around values do not change it.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        out.push_str(CANONICAL_FORM);
        out.push('\n');
        let mut field = |name: &str, value: &str| {
            out.push_str(name);
            out.push('=');
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out.push('\n');
        };
        field("kind", self.kind.code());
        field("document_ref", &self.document_ref);
        field("po_reference", &self.po_reference);
        for (role, party) in [("buyer", &self.buyer), ("seller", &self.seller)] {
            if let Some(p) = party {
                field(&format!("{role}.name"), &p.name);
                field(&format!("{role}.country"), &p.country);
            }
        }
        field("lines", &self.lines.len().to_string());
        for (i, line) in self.lines.iter().enumerate() {
            field(&format!("lines.{i}.line_id"), &line.line_id);
            field(&format!("lines.{i}.quantity"), &line.quantity.to_string());
            if let Some(price) = line.unit_price {
                field(&format!("lines.{i}.unit_price"), &price.to_string());
            }
        }
        if let Some(date) = &self.shipment_date {
            field("shipment_date", date);
        }
        if let Some(inco) = &self.incoterms {
            field("incoterms.code", &inco.code);
            field("incoterms.place", &inco.place);
        }
        if let Some(ccy) = &self.currency {
            field("currency", ccy);
        }
        if let Some(amount) = self.amount {
            field("amount", &amount.to_string());
        }
        out
    }

    /// SHA-256 of [`DataSetFields::canonical`] (UTF-8).
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.canonical().as_bytes()).into()
    }
}

/// One data set of a submission (`DataSetId` plus its fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSet {
    pub id: String,
    pub version: u64,
    pub submitter: String,
    /// A commercial data set's `FnlSubmissn`: the last shipment under the purchase order. A
    /// flag of the submission, not of the document, so it is not hashed.
    pub final_submission: Option<bool>,
    pub fields: DataSetFields,
}

/// tsmt.014 DataSetSubmission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSetSubmission {
    pub submission: MessageRef,
    pub transactions: Vec<RelatedTransaction>,
    pub common_submission_ref: String,
    pub mode: SubmissionMode,
    pub buyer_bank: String,
    pub seller_bank: String,
    /// Commercial first, then transport, as the schema orders them.
    pub data_sets: Vec<DataSet>,
}

/// What the deciding bank says about a match report's mismatches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchVerdict {
    /// tsmt.020.
    Accept,
    /// tsmt.022 `GblRjctnRsn`: the whole report.
    RejectAll { reason: String },
    /// tsmt.022 `RjctdElmt`: the mismatches by sequence number (`MisMtchInf/SeqNb`).
    RejectElements { elements: Vec<RejectedElement> },
}

/// One refused mismatch of a tsmt.022.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedElement {
    pub sequence: u64,
    pub reason: String,
}

/// tsmt.020 MisMatchAcceptance / tsmt.022 MisMatchRejection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MismatchDecision {
    /// `AccptncId` / `RjctnId`.
    pub decision: MessageRef,
    pub tx_id: String,
    pub submitter_tx_ref: Option<String>,
    /// The tsmt.013 the decision answers.
    pub match_report: MessageRef,
    pub verdict: MismatchVerdict,
}

/// A trade message the hub reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum TradeMessage {
    BaselineSubmission(Box<BaselineSubmission>),
    AmendmentRequest(Box<AmendmentRequest>),
    DataSetSubmission(Box<DataSetSubmission>),
    MismatchDecision(Box<MismatchDecision>),
}

/// A trade message that passed every check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TradeParsed {
    pub info: crate::MessageInfo,
    pub message: TradeMessage,
}

/// Reads, validates and maps one tsmt message. Any other message (a payment, or a tsmt report
/// the hub only produces) is refused with `FF01 trade.message`.
pub fn parse(bytes: &[u8]) -> Result<TradeParsed, Box<Rejection>> {
    // The shared pipeline decides validity (it runs the trade mapping's rules too); the second
    // pass below (trade messages are a few kilobytes) only builds the model, for which
    // `crate::parse`'s `Message` has no variant: adding one would break its exhaustive users.
    let info = crate::parse(bytes)?.info;
    let refuse = |info: &crate::MessageInfo, violations: Vec<Violation>| {
        Box::new(Rejection {
            info: info.clone(),
            violations,
        })
    };
    let not_trade = |info: &crate::MessageInfo| {
        let what = info.version.as_deref().unwrap_or("the message");
        refuse(
            info,
            vec![Violation::new(
                ReasonCode::FF01,
                "trade.message",
                format!(
                    "{what} is not a trade message the hub reads (tsmt.019, .009, .014, .020, .022)"
                ),
                "/",
            )],
        )
    };
    let Some(entry) = info.message_type.and_then(crate::catalog::entry) else {
        return Err(not_trade(&info));
    };
    let dom = Dom::parse(bytes).map_err(|e| {
        refuse(
            &info,
            vec![Violation::new(
                ReasonCode::FF01,
                "xml.wellformed",
                e.to_string(),
                "/",
            )],
        )
    })?;
    let located = envelope::locate(dom.root()).map_err(|v| refuse(&info, vec![v]))?;
    let Some(root) = located.document.child(entry.root) else {
        return Err(not_trade(&info));
    };
    match map::trade_message(entry.ty, root) {
        (Some(message), violations) if violations.is_empty() => Ok(TradeParsed { info, message }),
        (Some(_), violations) => Err(refuse(&info, violations)),
        (None, _) => Err(not_trade(&info)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> DataSetFields {
        DataSetFields {
            kind: DataSetKind::Commercial,
            document_ref: "INV-1".into(),
            po_reference: "PO-1".into(),
            buyer: Some(TradeParty {
                name: "Buyer".into(),
                country: "SE".into(),
            }),
            seller: None,
            lines: vec![PresentedLine {
                line_id: "1".into(),
                quantity: 10,
                unit_price: Some(520),
            }],
            shipment_date: None,
            incoterms: None,
            currency: Some("USD".into()),
            amount: Some(5200),
        }
    }

    #[test]
    fn the_canonical_form_is_line_per_field() {
        assert_eq!(
            fields().canonical(),
            "kliring.trade.dataset.v1\nkind=commercial\ndocument_ref=INV-1\npo_reference=PO-1\n\
             buyer.name=Buyer\nbuyer.country=SE\nlines=1\nlines.0.line_id=1\nlines.0.quantity=10\n\
             lines.0.unit_price=520\ncurrency=USD\namount=5200\n"
        );
    }

    #[test]
    fn escaping_keeps_fields_apart() {
        // A value with a line break cannot forge another field.
        let mut forged = fields();
        forged.document_ref = "INV-1\npo_reference=PO-2".into();
        let mut plain = fields();
        plain.document_ref = "INV-1".into();
        plain.po_reference = "PO-2".into();
        assert_ne!(forged.sha256(), plain.sha256());
        assert!(
            forged
                .canonical()
                .contains("document_ref=INV-1\\npo_reference=PO-2\n")
        );
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = fields().sha256();
        let mut changed = Vec::new();
        let mut f = fields();
        f.kind = DataSetKind::Transport;
        changed.push(f);
        let mut f = fields();
        f.lines[0].quantity = 11;
        changed.push(f);
        let mut f = fields();
        f.lines[0].unit_price = None;
        changed.push(f);
        let mut f = fields();
        f.amount = Some(5201);
        changed.push(f);
        let mut f = fields();
        f.shipment_date = Some("2027-02-14".into());
        changed.push(f);
        let mut f = fields();
        f.buyer = None;
        changed.push(f);
        for f in changed {
            assert_ne!(f.sha256(), base, "{f:?}");
        }
        assert_eq!(fields().sha256(), base);
    }
}
