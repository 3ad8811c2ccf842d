//! tsmt.019 / .009 / .014 / .020 / .022 into the trade models, with the rules listed in
//! `trade.rs`. Element names are those of the versions in the catalogue.

use super::common::{Ctx, amount_of, opt};
use crate::Amount;
use crate::catalog::MessageType;
use crate::dom::El;
use crate::money::{AmountError, Currency, Decimal};
use crate::report::{ReasonCode, Violation};
use crate::rules::{clip, is_bic, is_bic_identifier};
use crate::trade::{
    AmendmentRequest, Baseline, BaselineInstruction, BaselineSubmission, DataSet, DataSetFields,
    DataSetKind, DataSetSubmission, GoodsLine, Incoterms, MessageRef, MismatchDecision,
    MismatchVerdict, ObligationAmount, PaymentObligation, PresentedLine, Quantity, RejectedElement,
    RelatedTransaction, RequiredDataSet, SubmissionMode, Tolerance, TradeMessage, TradeParty,
};

/// The Incoterms 2020 rules (ICC publication 723).
const INCOTERMS_2020: &[&str] = &[
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
];

/// 100 % in basis points.
const BP_MAX: u128 = 10_000;

/// Maps a consumed tsmt message; `None` for any other type.
pub fn map(ctx: &mut Ctx, ty: MessageType, root: El<'_>) -> Option<TradeMessage> {
    match ty {
        MessageType::Tsmt019 => {
            baseline_submission(ctx, root).map(|m| TradeMessage::BaselineSubmission(Box::new(m)))
        }
        MessageType::Tsmt009 => {
            amendment_request(ctx, root).map(|m| TradeMessage::AmendmentRequest(Box::new(m)))
        }
        MessageType::Tsmt014 => {
            data_set_submission(ctx, root).map(|m| TradeMessage::DataSetSubmission(Box::new(m)))
        }
        MessageType::Tsmt020 => mismatch_decision(ctx, root, "AccptncId", false)
            .map(|m| TradeMessage::MismatchDecision(Box::new(m))),
        MessageType::Tsmt022 => mismatch_decision(ctx, root, "RjctnId", true)
            .map(|m| TradeMessage::MismatchDecision(Box::new(m))),
        _ => None,
    }
}

/// The identifying block of a report the hub produces (tsmt.010/.011/.013/.021), checked when
/// one is sent in (`kliring iso20022 check`).
pub fn produced(ctx: &mut Ctx, root: El<'_>, id: &str) {
    message_ref(ctx, root, id);
}

fn baseline_submission(ctx: &mut Ctx, root: El<'_>) -> Option<BaselineSubmission> {
    let submission = message_ref(ctx, root, "SubmissnId");
    let submitter_tx_ref = simple_id(ctx, root, "SubmitrTxRef");
    let instruction = ctx.req(root, "Instr").and_then(|i| {
        let code = ctx.req_text(i, "Tp");
        let parsed = match code.as_str() {
            "LODG" => Some(BaselineInstruction::Lodge),
            "FPTR" => Some(BaselineInstruction::FullPushThrough),
            _ => None,
        };
        if parsed.is_none() && !code.is_empty() {
            enumeration(ctx, i, "Tp", &code, "LODG or FPTR");
        }
        parsed
    });
    let baseline = ctx.req(root, "Baseln").and_then(|b| baseline(ctx, b));
    Some(BaselineSubmission {
        submission: submission?,
        submitter_tx_ref,
        instruction: instruction?,
        baseline: baseline?,
    })
}

fn amendment_request(ctx: &mut Ctx, root: El<'_>) -> Option<AmendmentRequest> {
    let request = message_ref(ctx, root, "ReqId");
    let tx_id = simple_id(ctx, root, "TxId");
    let baseline = ctx.req(root, "Baseln").and_then(|b| baseline(ctx, b));
    Some(AmendmentRequest {
        request: request?,
        tx_id,
        submitter_tx_ref: opt_simple_id(ctx, root, "SubmitrTxRef"),
        baseline: baseline?,
    })
}

fn baseline(ctx: &mut Ctx, el: El<'_>) -> Option<Baseline> {
    let mut ccy = None;
    let (submitter_baseline_id, version, submitter) = document_id(ctx, el, "SubmitrBaselnId");
    let (po_reference, po_date) = po_ref(ctx, el);
    let buyer = party(ctx, el, "Buyr");
    let seller = party(ctx, el, "Sellr");
    let buyer_bank = bank(ctx, el, "BuyrBk");
    let seller_bank = bank(ctx, el, "SellrBk");
    let goods = ctx.req(el, "Goods");
    let goods = goods.map(|g| baseline_goods(ctx, g, &mut ccy));
    let obligations = el
        .children_named("PmtOblgtn")
        .map(|o| obligation(ctx, o, &mut ccy))
        .collect::<Vec<_>>();
    let latest_match_date = opt_date(ctx, el, "LatstMtchDt");
    let required = required_data_sets(ctx, el);
    let intent_to_pay_expected = boolean(ctx, el, "InttToPayXpctd");
    let goods = goods?;
    Some(Baseline {
        submitter_baseline_id,
        version,
        submitter,
        po_reference,
        po_date,
        buyer: buyer?,
        seller: seller?,
        buyer_bank,
        seller_bank,
        goods_description: goods.description,
        partial_shipment: goods.partial_shipment,
        transhipment: goods.transhipment,
        shipment_earliest: goods.earliest,
        shipment_latest: goods.latest,
        lines: goods.lines,
        line_items_total: goods.line_items_total?,
        incoterms: goods.incoterms,
        total_net: goods.total_net?,
        obligations: obligations.into_iter().collect::<Option<Vec<_>>>()?,
        latest_match_date,
        required,
        intent_to_pay_expected,
    })
}

/// `Goods` of a baseline (`LineItem13`).
struct BaselineGoods {
    description: Option<String>,
    partial_shipment: bool,
    transhipment: Option<bool>,
    earliest: Option<String>,
    latest: Option<String>,
    lines: Vec<GoodsLine>,
    line_items_total: Option<Amount>,
    incoterms: Option<Incoterms>,
    total_net: Option<Amount>,
}

fn baseline_goods(ctx: &mut Ctx, g: El<'_>, ccy: &mut Option<Currency>) -> BaselineGoods {
    let partial_shipment = boolean(ctx, g, "PrtlShipmnt");
    let transhipment = opt_boolean(ctx, g, "TrnsShipmnt");
    let range = g.child("ShipmntDtRg");
    let earliest = range.and_then(|r| opt_date(ctx, r, "EarlstShipmntDt"));
    let latest = range.and_then(|r| opt_date(ctx, r, "LatstShipmntDt"));
    let mut lines = Vec::new();
    let mut totals = Vec::new();
    for line in g.children_named("LineItmDtls") {
        let line_id = text(ctx, line, "LineItmId", 70);
        let quantity = ctx.req(line, "Qty").and_then(|q| quantity(ctx, q));
        let unit_price = line.child("UnitPric").and_then(|p| unit_price(ctx, p, ccy));
        let total = money(ctx, line, "TtlAmt", ccy);
        totals.push(total.map(|t| t.minor_units));
        if let (Some(quantity), Some(total)) = (quantity, total) {
            lines.push(GoodsLine {
                line_id,
                product_name: opt_text(ctx, line, "PdctNm", 70),
                quantity,
                quantity_tolerance: line.child("QtyTlrnce").and_then(|t| tolerance(ctx, t)),
                unit_price,
                price_tolerance: line.child("PricTlrnce").and_then(|t| tolerance(ctx, t)),
                total,
            });
        }
    }
    let line_items_total = money(ctx, g, "LineItmsTtlAmt", ccy);
    check_line_total(ctx, g, &totals, line_items_total);
    BaselineGoods {
        description: opt_text(ctx, g, "GoodsAndOrSvcsDesc", 70),
        partial_shipment,
        transhipment,
        earliest,
        latest,
        lines,
        line_items_total,
        incoterms: g.child("Incotrms").and_then(|i| incoterms(ctx, i)),
        total_net: money(ctx, g, "TtlNetAmt", ccy),
    }
}

fn obligation(ctx: &mut Ctx, o: El<'_>, ccy: &mut Option<Currency>) -> Option<PaymentObligation> {
    let obligor_bank = bank(ctx, o, "OblgrBk");
    let recipient_bank = bank(ctx, o, "RcptBk");
    let amount = ctx.req(o, "PmtOblgtnAmt").and_then(|a| {
        if a.child("Amt").is_some() {
            money(ctx, a, "Amt", ccy).map(ObligationAmount::Amount)
        } else if let Some(p) = a.child("Pctg") {
            basis_points(ctx, p).map(ObligationAmount::Percentage)
        } else {
            ctx.missing(a, "Amt");
            None
        }
    });
    let expiry = req_date(ctx, o, "XpryDt");
    Some(PaymentObligation {
        obligor_bank,
        recipient_bank,
        amount: amount?,
        expiry,
    })
}

fn required_data_sets(ctx: &mut Ctx, el: El<'_>) -> Vec<RequiredDataSet> {
    let mut out = Vec::new();
    if ctx.req(el, "ComrclDataSetReqrd").is_none() {
        return out;
    }
    let kinds = [
        ("ComrclDataSetReqrd", DataSetKind::Commercial),
        ("TrnsprtDataSetReqrd", DataSetKind::Transport),
        ("InsrncDataSetReqrd", DataSetKind::Insurance),
        ("CertDataSetReqrd", DataSetKind::Certificate),
        ("OthrCertDataSetReqrd", DataSetKind::Certificate),
    ];
    for (name, kind) in kinds {
        for req in el.children_named(name) {
            let submitters = req
                .children_named("Submitr")
                .map(|s| bank_of(ctx, s))
                .collect();
            out.push(RequiredDataSet { kind, submitters });
        }
    }
    out
}

fn data_set_submission(ctx: &mut Ctx, root: El<'_>) -> Option<DataSetSubmission> {
    let submission = message_ref(ctx, root, "SubmissnId");
    let mut transactions = Vec::new();
    for r in root.children_named("RltdTxRefs") {
        let tx_id = text(ctx, r, "TxId", 35);
        let (po_reference, po_date) = po_ref(ctx, r);
        transactions.push(RelatedTransaction {
            tx_id,
            po_reference,
            po_date,
            submitter_tx_ref: opt_text(ctx, r, "SubmitrTxRef", 35),
            forced_match: boolean(ctx, r, "ForcdMtch"),
        });
    }
    if transactions.is_empty() {
        ctx.missing(root, "RltdTxRefs");
    }
    let common_submission_ref = simple_id(ctx, root, "CmonSubmissnRef");
    let mode = ctx.req(root, "Instr").and_then(|i| {
        let code = ctx.req_text(i, "Tp");
        let mode = match code.as_str() {
            "MTCH" => Some(SubmissionMode::Match),
            "PMTC" => Some(SubmissionMode::PreMatch),
            _ => None,
        };
        if mode.is_none() && !code.is_empty() {
            enumeration(ctx, i, "Tp", &code, "MTCH or PMTC");
        }
        mode
    });
    let buyer_bank = bank(ctx, root, "BuyrBk");
    let seller_bank = bank(ctx, root, "SellrBk");
    let mut data_sets = Vec::new();
    let commercial = root.child("ComrclDataSet").map(|c| commercial(ctx, c));
    let transport = root.child("TrnsprtDataSet").map(|t| transport(ctx, t));
    for name in ["InsrncDataSet", "CertDataSet", "OthrCertDataSet"] {
        if let Some(el) = root.child(name) {
            ctx.rule(
                "trade.data_set.kind",
                format!(
                    "{name}: insurance and certificate data sets are not matched in this version"
                ),
                el.path(),
            );
        }
    }
    if commercial.is_none() && transport.is_none() {
        ctx.rule(
            "trade.data_set.shape",
            "a submission carries at least one data set",
            root.path(),
        );
    }
    for data_set in [commercial, transport].into_iter().flatten() {
        data_sets.push(data_set?);
    }
    Some(DataSetSubmission {
        submission: submission?,
        transactions,
        common_submission_ref,
        mode: mode?,
        buyer_bank,
        seller_bank,
        data_sets,
    })
}

fn commercial(ctx: &mut Ctx, el: El<'_>) -> Option<DataSet> {
    let mut ccy = None;
    let (id, version, submitter) = document_id(ctx, el, "DataSetId");
    let document_ref = ctx
        .req(el, "ComrclDocRef")
        .map(|r| {
            req_date(ctx, r, "IsseDt");
            text(ctx, r, "InvcNb", 35)
        })
        .unwrap_or_default();
    let buyer = party(ctx, el, "Buyr");
    let seller = party(ctx, el, "Sellr");
    let goods = single(ctx, el, "Goods")?;
    let (po_reference, _) = po_ref(ctx, goods);
    let final_submission = boolean(ctx, goods, "FnlSubmissn");
    let mut lines = Vec::new();
    let mut totals = Vec::new();
    for line in goods.children_named("ComrclLineItms") {
        let line_id = text(ctx, line, "LineItmId", 70);
        let quantity = ctx.req(line, "Qty").and_then(|q| quantity(ctx, q));
        let unit_price = line
            .child("UnitPric")
            .and_then(|p| unit_price(ctx, p, &mut ccy));
        totals.push(money(ctx, line, "TtlAmt", &mut ccy).map(|t| t.minor_units));
        if let Some(quantity) = quantity {
            lines.push(PresentedLine {
                line_id,
                quantity: quantity.value,
                unit_price: unit_price.map(|p| p.minor_units),
            });
        }
    }
    let line_items_total = money(ctx, goods, "LineItmsTtlAmt", &mut ccy);
    check_line_total(ctx, goods, &totals, line_items_total);
    let total_net = money(ctx, goods, "TtlNetAmt", &mut ccy)?;
    let incoterms = goods.child("Incotrms").and_then(|i| incoterms(ctx, i));
    Some(DataSet {
        id,
        version,
        submitter,
        final_submission: Some(final_submission),
        fields: DataSetFields {
            kind: DataSetKind::Commercial,
            document_ref,
            po_reference,
            buyer,
            seller,
            lines,
            shipment_date: None,
            incoterms,
            currency: Some(total_net.currency.as_str().to_owned()),
            amount: Some(total_net.minor_units),
        },
    })
}

fn transport(ctx: &mut Ctx, el: El<'_>) -> Option<DataSet> {
    let (id, version, submitter) = document_id(ctx, el, "DataSetId");
    let buyer = el.child("Buyr").and_then(|b| party_of(ctx, b));
    let seller = el.child("Sellr").and_then(|s| party_of(ctx, s));
    party(ctx, el, "Consgnr");
    let info = ctx.req(el, "TrnsprtInf")?;
    let doc = single(ctx, info, "TrnsprtDocRef")?;
    let document_ref = text(ctx, doc, "Id", 35);
    req_date(ctx, doc, "DtOfIsse");
    let mut po_reference = None;
    for goods in info.children_named("TrnsprtdGoods") {
        let (po, _) = po_ref(ctx, goods);
        match &po_reference {
            None => po_reference = Some(po),
            Some(first) if *first != po => ctx.rule(
                "trade.data_set.shape",
                format!(
                    "transported goods name purchase orders '{}' and '{}'; one data set serves one",
                    clip(first),
                    clip(&po)
                ),
                goods.path(),
            ),
            Some(_) => {}
        }
    }
    if po_reference.is_none() {
        ctx.missing(info, "TrnsprtdGoods");
    }
    let shipment_date = ctx.req(info, "ShipmntDt").and_then(|d| {
        let date =
            opt_date(ctx, d, "ActlShipmntDt").or_else(|| opt_date(ctx, d, "PropsdShipmntDt"));
        if date.is_none() {
            ctx.missing(d, "ActlShipmntDt");
        }
        date
    });
    let incoterms = info.child("Incotrms").and_then(|i| incoterms(ctx, i));
    Some(DataSet {
        id,
        version,
        submitter,
        final_submission: None,
        fields: DataSetFields {
            kind: DataSetKind::Transport,
            document_ref,
            po_reference: po_reference?,
            buyer,
            seller,
            lines: Vec::new(),
            shipment_date: Some(shipment_date?),
            incoterms,
            currency: None,
            amount: None,
        },
    })
}

fn mismatch_decision(
    ctx: &mut Ctx,
    root: El<'_>,
    id: &str,
    rejection: bool,
) -> Option<MismatchDecision> {
    let decision = message_ref(ctx, root, id);
    let tx_id = simple_id(ctx, root, "TxId");
    let match_report = message_ref(ctx, root, "DataSetMtchRptRef");
    let verdict = if rejection {
        rejection_reason(ctx, root)
    } else {
        Some(MismatchVerdict::Accept)
    };
    Some(MismatchDecision {
        decision: decision?,
        tx_id,
        submitter_tx_ref: opt_simple_id(ctx, root, "SubmitrTxRef"),
        match_report: match_report?,
        verdict: verdict?,
    })
}

fn rejection_reason(ctx: &mut Ctx, root: El<'_>) -> Option<MismatchVerdict> {
    let reason = ctx.req(root, "RjctnRsn")?;
    if let Some(global) = reason.child("GblRjctnRsn") {
        return Some(MismatchVerdict::RejectAll {
            reason: text(ctx, global, "Desc", 140),
        });
    }
    let mut elements = Vec::new();
    for el in reason.children_named("RjctdElmt") {
        let sequence = number(ctx, el, "ElmtSeqNb");
        elements.push(RejectedElement {
            sequence,
            reason: text(ctx, el, "IndvRjctnRsn", 140),
        });
    }
    if elements.is_empty() {
        ctx.missing(reason, "GblRjctnRsn");
        return None;
    }
    Some(MismatchVerdict::RejectElements { elements })
}

// ---- components -------------------------------------------------------------------------

fn message_ref(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<MessageRef> {
    let el = ctx.req(parent, name)?;
    Some(MessageRef {
        id: text(ctx, el, "Id", 35),
        created: ctx.req_text(el, "CreDtTm"),
    })
}

/// `SimpleIdentificationInformation/Id` of a required child.
fn simple_id(ctx: &mut Ctx, parent: El<'_>, name: &str) -> String {
    ctx.req(parent, name)
        .map(|el| text(ctx, el, "Id", 35))
        .unwrap_or_default()
}

fn opt_simple_id(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<String> {
    let el = parent.child(name)?;
    Some(text(ctx, el, "Id", 35))
}

/// The trimmed text of a required child, at most `max` characters (the tsmt schemas' MaxNText;
/// the shared field rules only know the payment messages' limits).
fn text(ctx: &mut Ctx, parent: El<'_>, name: &str, max: usize) -> String {
    ctx.req(parent, name)
        .map(|el| limited(ctx, el, max))
        .unwrap_or_default()
}

fn opt_text(ctx: &mut Ctx, parent: El<'_>, name: &str, max: usize) -> Option<String> {
    parent.child(name).map(|el| limited(ctx, el, max))
}

fn limited(ctx: &mut Ctx, el: El<'_>, max: usize) -> String {
    let value = el.text().trim();
    let len = value.chars().count();
    if len > max {
        ctx.violations.push(Violation::new(
            ReasonCode::FF02,
            "xsd.maxLength",
            format!(
                "{} has {len} characters; at most {max} are allowed",
                el.name()
            ),
            el.path(),
        ));
    }
    value.to_owned()
}

/// `DocumentIdentification1`: id, version, submitting bank.
fn document_id(ctx: &mut Ctx, parent: El<'_>, name: &str) -> (String, u64, String) {
    let Some(el) = ctx.req(parent, name) else {
        return (String::new(), 0, String::new());
    };
    let id = text(ctx, el, "Id", 35);
    let version = number(ctx, el, "Vrsn");
    let submitter = bank(ctx, el, "Submitr");
    (id, version, submitter)
}

/// `PurchsOrdrRef`: id and date of issue.
fn po_ref(ctx: &mut Ctx, parent: El<'_>) -> (String, String) {
    let Some(el) = ctx.req(parent, "PurchsOrdrRef") else {
        return (String::new(), String::new());
    };
    (text(ctx, el, "Id", 35), req_date(ctx, el, "DtOfIsse"))
}

/// Exactly one child `name`.
fn single<'a>(ctx: &mut Ctx, parent: El<'a>, name: &str) -> Option<El<'a>> {
    let first = ctx.req(parent, name)?;
    if parent.children_named(name).nth(1).is_some() {
        ctx.rule(
            "trade.data_set.shape",
            format!("one data set holds one {name}; this one holds several"),
            first.path(),
        );
    }
    Some(first)
}

fn party(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<TradeParty> {
    let el = ctx.req(parent, name)?;
    party_of(ctx, el)
}

fn party_of(ctx: &mut Ctx, el: El<'_>) -> Option<TradeParty> {
    let name = text(ctx, el, "Nm", 70);
    let address = ctx.req(el, "PstlAdr")?;
    Some(TradeParty {
        name,
        country: ctx.req_text(address, "Ctry"),
    })
}

/// A required `BICIdentification1` child: its `BIC`.
fn bank(ctx: &mut Ctx, parent: El<'_>, name: &str) -> String {
    ctx.req(parent, name)
        .map(|el| bank_of(ctx, el))
        .unwrap_or_default()
}

fn bank_of(ctx: &mut Ctx, el: El<'_>) -> String {
    let Some(bic) = ctx.req(el, "BIC") else {
        return String::new();
    };
    let text = bic.text().trim();
    // The field rules already answered RC01 for what is no BIC at all; tsmt's BICIdentifier
    // is stricter (no digit 0/1 in the location's first letter, no O in its second).
    if is_bic(text) && !is_bic_identifier(text) {
        ctx.violations.push(Violation::new(
            ReasonCode::RC01,
            "xsd.pattern.bic",
            format!(
                "BIC '{}' does not match the tsmt BICIdentifier pattern",
                clip(text)
            ),
            bic.path(),
        ));
    }
    text.to_owned()
}

/// XSD boolean (`true`, `false`, `1`, `0`).
fn parse_bool(ctx: &mut Ctx, el: El<'_>) -> bool {
    match el.text().trim() {
        "true" | "1" => true,
        "false" | "0" => false,
        other => {
            ctx.rule(
                "xsd.boolean",
                format!("{} '{}' is not true or false", el.name(), clip(other)),
                el.path(),
            );
            false
        }
    }
}

fn boolean(ctx: &mut Ctx, parent: El<'_>, name: &str) -> bool {
    ctx.req(parent, name).is_some_and(|el| parse_bool(ctx, el))
}

fn opt_boolean(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<bool> {
    parent.child(name).map(|el| parse_bool(ctx, el))
}

/// An ISO date without a time zone: the hub compares dates, and `2027-02-14+05:00` and
/// `2027-02-14` would hash differently for the same day.
fn date_of(ctx: &mut Ctx, el: El<'_>) -> String {
    let text = el.text().trim();
    if text.len() != 10 && crate::rules::is_date(text) {
        ctx.violations.push(Violation::new(
            ReasonCode::DT01,
            "trade.date",
            format!(
                "{} '{}' carries a time zone; trade dates are plain YYYY-MM-DD",
                el.name(),
                clip(text)
            ),
            el.path(),
        ));
    }
    text.to_owned()
}

fn req_date(ctx: &mut Ctx, parent: El<'_>, name: &str) -> String {
    ctx.req(parent, name)
        .map(|el| date_of(ctx, el))
        .unwrap_or_default()
}

fn opt_date(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<String> {
    parent.child(name).map(|el| date_of(ctx, el))
}

/// XSD `Number` with no fraction digits.
fn number(ctx: &mut Ctx, parent: El<'_>, name: &str) -> u64 {
    let Some(el) = ctx.req(parent, name) else {
        return 0;
    };
    let text = el.text().trim();
    match text.parse::<u64>() {
        Ok(n) => n,
        Err(_) => {
            ctx.rule(
                "xsd.pattern.number",
                format!("{name} '{}' is not a whole number", clip(text)),
                el.path(),
            );
            0
        }
    }
}

/// `Quantity9`: unit and a whole, positive value.
fn quantity(ctx: &mut Ctx, q: El<'_>) -> Option<Quantity> {
    let unit = ctx.req(q, "UnitOfMeasr").and_then(|u| unit_of(ctx, u));
    factor(ctx, q);
    let val = ctx.req(q, "Val")?;
    let text = val.text().trim();
    let problem = match Decimal::parse(text).and_then(|d| d.rescale(0)) {
        Ok(0) => Some("must be positive"),
        Ok(value) => {
            return Some(Quantity { value, unit: unit? });
        }
        Err(AmountError::TooManyDecimals) => Some("must be a whole number of the unit"),
        Err(AmountError::Syntax) => Some("is not a decimal number"),
        Err(AmountError::Overflow) => Some("is too large"),
    };
    if let Some(problem) = problem {
        ctx.rule(
            "trade.quantity",
            format!("quantity '{}' {problem}", clip(text)),
            val.path(),
        );
    }
    None
}

/// `UnitOfMeasure3Choice`.
fn unit_of(ctx: &mut Ctx, u: El<'_>) -> Option<String> {
    let unit = opt(u, "UnitOfMeasrCd").or_else(|| opt_text(ctx, u, "OthrUnitOfMeasr", 35));
    if unit.is_none() {
        ctx.missing(u, "UnitOfMeasrCd");
    }
    unit
}

/// `Fctr` other than 1 would scale quantities and prices; the hub compares them as sent.
fn factor(ctx: &mut Ctx, parent: El<'_>) {
    if let Some(f) = parent.child("Fctr")
        && f.text().trim().trim_start_matches('0') != "1"
    {
        ctx.rule(
            "trade.factor",
            format!("factor '{}': only 1 is supported", clip(f.text().trim())),
            f.path(),
        );
    }
}

/// `UnitPrice18`: the amount per unit, in the message's currency.
fn unit_price(ctx: &mut Ctx, p: El<'_>, ccy: &mut Option<Currency>) -> Option<Amount> {
    if let Some(u) = ctx.req(p, "UnitPric") {
        unit_of(ctx, u);
    }
    factor(ctx, p);
    money(ctx, p, "Amt", ccy)
}

/// `PercentageTolerance1`.
fn tolerance(ctx: &mut Ctx, t: El<'_>) -> Option<Tolerance> {
    let plus = ctx.req(t, "PlusPct").and_then(|p| basis_points(ctx, p));
    let minus = ctx.req(t, "MnsPct").and_then(|m| basis_points(ctx, m));
    Some(Tolerance {
        plus_bp: plus?,
        minus_bp: minus?,
    })
}

/// A `PercentageRate` (`5` = 5 %) as basis points, at most 100 %.
fn basis_points(ctx: &mut Ctx, el: El<'_>) -> Option<u16> {
    let text = el.text().trim();
    let bp = Decimal::parse(text)
        .and_then(|d| d.rescale(2))
        .ok()
        .filter(|bp| *bp <= BP_MAX)
        .and_then(|bp| u16::try_from(bp).ok());
    if bp.is_none() {
        ctx.rule(
            "trade.tolerance",
            format!(
                "percentage '{}' must be 0 to 100 with at most two decimals",
                clip(text)
            ),
            el.path(),
        );
    }
    bp
}

/// A required amount in the currency of the rest of the message (AM03 otherwise). Syntax and
/// unknown currencies were reported by the field rules.
fn money(ctx: &mut Ctx, parent: El<'_>, name: &str, ccy: &mut Option<Currency>) -> Option<Amount> {
    let el = ctx.req(parent, name)?;
    let amount = amount_of(el)?;
    match ccy {
        None => *ccy = Some(amount.currency),
        Some(expected) if *expected != amount.currency => {
            ctx.violations.push(Violation::new(
                ReasonCode::AM03,
                "trade.currency",
                format!(
                    "{name} is in {}; the other amounts are in {expected}",
                    amount.currency
                ),
                el.path(),
            ));
            return None;
        }
        Some(_) => {}
    }
    Some(amount)
}

/// The line totals must add up to `LineItmsTtlAmt` (AM10, like a control sum). Not checked
/// when a total was already refused (`None`): the sum would only repeat that violation.
fn check_line_total(
    ctx: &mut Ctx,
    goods: El<'_>,
    totals: &[Option<u128>],
    declared: Option<Amount>,
) {
    let Some(declared) = declared else { return };
    let Some(totals) = totals.iter().copied().collect::<Option<Vec<_>>>() else {
        return;
    };
    let sum = totals
        .into_iter()
        .try_fold(0u128, |acc, t| acc.checked_add(t));
    if sum != Some(declared.minor_units) {
        let shown = sum.map_or_else(|| "more than u128".to_owned(), |s| s.to_string());
        ctx.violations.push(Violation::new(
            ReasonCode::AM10,
            "trade.line_total",
            format!(
                "LineItmsTtlAmt is {}; the lines add up to {shown} minor units",
                declared.to_decimal_string()
            ),
            format!("{}/LineItmsTtlAmt", goods.path()),
        ));
    }
}

/// `Incoterms4`: an Incoterms 2020 code and its named place.
fn incoterms(ctx: &mut Ctx, i: El<'_>) -> Option<Incoterms> {
    let code = i
        .at(&["IncotrmsCd", "Cd"])
        .map(|c| c.text().trim().to_owned());
    let place = opt_text(ctx, i, "Lctn", 70);
    match (code, place) {
        (Some(code), Some(place)) if INCOTERMS_2020.contains(&code.as_str()) => {
            Some(Incoterms { code, place })
        }
        (code, place) => {
            let text = match (code, place) {
                (Some(code), Some(_)) => format!("'{}' is not an Incoterms 2020 rule", clip(&code)),
                (Some(_), None) => "the named place (Lctn) is missing".to_owned(),
                (None, _) => "a proprietary code is not an Incoterms 2020 rule".to_owned(),
            };
            ctx.rule("trade.incoterms", text, i.path());
            None
        }
    }
}

fn enumeration(ctx: &mut Ctx, parent: El<'_>, name: &str, code: &str, allowed: &str) {
    ctx.rule(
        "xsd.enumeration",
        format!("{name} '{}' is not {allowed}", clip(code)),
        format!("{}/{name}", parent.path()),
    );
}
