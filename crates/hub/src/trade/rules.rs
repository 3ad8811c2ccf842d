//! The match rules, versioned: a rule's id names its version (`TRD-QTY-1`); a changed rule
//! gets a new id and variant, so a stored report keeps meaning what it said. [`match_data_sets`]
//! is pure (the hub and the benchmark call it alike) and explains every mismatch with the rule,
//! the element path, the expected and presented values and the tolerance applied (tsmt.013
//! `MisMtchInf`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::HubError;
use crate::model::Timestamp;
use crate::trade::{Baseline, DataSet, DataSetKind, Incoterms, TradeParty};

/// A match rule (append-only: reports store the variant index).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rule {
    /// The buyer's name and country equal the baseline's.
    Buyer,
    /// The seller's name and country equal the baseline's.
    Seller,
    /// The purchase order reference equals the baseline's.
    PoReference,
    /// The currency equals the baseline's.
    Currency,
    /// Every presented line is a line of the baseline.
    LineKnown,
    /// A line's quantity within its tolerance of the ordered quantity (the lower bound only
    /// when partial shipments are not allowed).
    Quantity,
    /// Shipped so far plus presented within ordered × (1 + plus tolerance).
    CumulativeQuantity,
    /// A line's unit price within its tolerance.
    UnitPrice,
    /// The amount within what remains of the obligation.
    Amount,
    /// The commercial amount equals the sum of its lines' quantity × unit price.
    AmountLines,
    /// The shipment date within the baseline's range.
    ShipmentDate,
    /// Submitted before the obligation's expiry and latest match date.
    Deadline,
    /// The Incoterms rule and place equal the baseline's.
    Incoterms,
    /// Without partial shipments: one shipment, presenting every line.
    PartialShipment,
    /// Every required data set present.
    RequiredDataSets,
    /// The lines of every other data set agree with the commercial one's quantities.
    DocumentConsistency,
}

impl Rule {
    pub const ALL: [Rule; 16] = [
        Rule::Buyer,
        Rule::Seller,
        Rule::PoReference,
        Rule::Currency,
        Rule::LineKnown,
        Rule::Quantity,
        Rule::CumulativeQuantity,
        Rule::UnitPrice,
        Rule::Amount,
        Rule::AmountLines,
        Rule::ShipmentDate,
        Rule::Deadline,
        Rule::Incoterms,
        Rule::PartialShipment,
        Rule::RequiredDataSets,
        Rule::DocumentConsistency,
    ];

    /// The versioned id, as match reports state it.
    pub fn id(&self) -> &'static str {
        match self {
            Rule::Buyer => "TRD-BUY-1",
            Rule::Seller => "TRD-SEL-1",
            Rule::PoReference => "TRD-PO-1",
            Rule::Currency => "TRD-CCY-1",
            Rule::LineKnown => "TRD-LINE-1",
            Rule::Quantity => "TRD-QTY-1",
            Rule::CumulativeQuantity => "TRD-QTY-2",
            Rule::UnitPrice => "TRD-PRC-1",
            Rule::Amount => "TRD-AMT-1",
            Rule::AmountLines => "TRD-AMT-2",
            Rule::ShipmentDate => "TRD-DATE-1",
            Rule::Deadline => "TRD-DATE-2",
            Rule::Incoterms => "TRD-INC-1",
            Rule::PartialShipment => "TRD-PART-1",
            Rule::RequiredDataSets => "TRD-DS-1",
            Rule::DocumentConsistency => "TRD-DOC-1",
        }
    }

    /// One line for a report (`RuleDesc`).
    pub fn description(&self) -> &'static str {
        match self {
            Rule::Buyer => "buyer name and country equal the baseline's",
            Rule::Seller => "seller name and country equal the baseline's",
            Rule::PoReference => "purchase order reference equals the baseline's",
            Rule::Currency => "currency equals the baseline's",
            Rule::LineKnown => "every presented line is a line of the baseline",
            Rule::Quantity => "line quantity within its tolerance",
            Rule::CumulativeQuantity => "quantity shipped so far within ordered plus tolerance",
            Rule::UnitPrice => "unit price within its tolerance",
            Rule::Amount => "amount within what remains of the payment obligation",
            Rule::AmountLines => "amount equals the sum of quantity times unit price",
            Rule::ShipmentDate => "shipment date within the baseline's range",
            Rule::Deadline => "submitted before the obligation's expiry and latest match date",
            Rule::Incoterms => "Incoterms rule and place equal the baseline's",
            Rule::PartialShipment => "no partial shipment unless the baseline allows it",
            Rule::RequiredDataSets => "every required data set present",
            Rule::DocumentConsistency => "line quantities agree across data sets",
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// One explained mismatch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub rule: Rule,
    /// The element, e.g. `data_sets[0].lines[2].quantity`.
    pub path: String,
    pub expected: String,
    pub presented: String,
    /// The tolerance applied, e.g. `+10.00% -10.00%`.
    pub tolerance: Option<String>,
}

/// One line of the shipment as the commercial data set presents it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedLine {
    pub line_id: String,
    pub quantity: u128,
    /// quantity × unit price (the baseline's price when the data set states none).
    pub amount: u128,
}

/// The outcome of matching one submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReport {
    /// The amount the commercial data set draws.
    pub amount: u128,
    /// The baseline's lines the shipment presents.
    pub lines: Vec<ShippedLine>,
    pub mismatches: Vec<Mismatch>,
}

impl MatchReport {
    pub fn is_match(&self) -> bool {
        self.mismatches.is_empty()
    }
}

struct Report {
    mismatches: Vec<Mismatch>,
}

impl Report {
    fn push(
        &mut self,
        rule: Rule,
        path: String,
        expected: String,
        presented: String,
        tolerance: Option<String>,
    ) {
        self.mismatches.push(Mismatch {
            rule,
            path,
            expected,
            presented,
            tolerance,
        });
    }
}

fn describe_party(party: &TradeParty) -> String {
    format!("{} ({})", party.name, party.country.as_str())
}

fn range(low: u128, high: u128) -> String {
    format!("{low}..={high}")
}

/// Matches a shipment's data sets against `baseline` (its current terms and what it has
/// shipped so far) at `now`. Refused, not reported, when there is not exactly one commercial
/// data set: without it there is no amount to draw. The hash rule (a document presented once
/// anywhere) is the hub's, since it needs the whole hub; see `SubmitDataSets`.
pub fn match_data_sets(
    baseline: &Baseline,
    data_sets: &[DataSet],
    now: Timestamp,
) -> Result<MatchReport, HubError> {
    let mut commercial = data_sets
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == DataSetKind::Commercial);
    let (Some((ci, invoice)), None) = (commercial.next(), commercial.next()) else {
        return Err(HubError::TradeCommercialDataSetMissing);
    };
    let amount = invoice
        .amount
        .ok_or(HubError::TradeCommercialDataSetMissing)?;
    let terms = &baseline.terms;
    let mut report = Report {
        mismatches: Vec::new(),
    };

    for (i, data_set) in data_sets.iter().enumerate() {
        check_common(baseline, i, data_set, &mut report);
    }

    // TRD-DATE-2
    let obligation = &terms.obligation;
    if now >= obligation.deadline() {
        report.push(
            Rule::Deadline,
            "submitted_at".into(),
            format!("before {}", obligation.deadline()),
            now.to_string(),
            None,
        );
    }

    // TRD-DS-1
    for kind in &terms.required {
        if !data_sets.iter().any(|d| d.kind == *kind) {
            report.push(
                Rule::RequiredDataSets,
                format!("data_sets[{}]", kind.code()),
                "present".into(),
                "absent".into(),
                None,
            );
        }
    }

    // The commercial lines: quantities, prices, cumulative, partial shipment.
    let mut lines = Vec::with_capacity(invoice.lines.len());
    let mut lines_total: Option<u128> = Some(0);
    for (j, presented) in invoice.lines.iter().enumerate() {
        let path = format!("data_sets[{ci}].lines[{j}]");
        let Some(line) = terms.line(&presented.line_id) else {
            report.push(
                Rule::LineKnown,
                format!("{path}.line_id"),
                "a line of the baseline".into(),
                presented.line_id.clone(),
                None,
            );
            lines_total = None;
            continue;
        };
        let tolerance = line.quantity_tolerance;
        let (low, high) = tolerance.bounds(line.quantity).unwrap_or((0, u128::MAX));
        let q = presented.quantity;
        let too_low = !terms.partial_shipment && q < low;
        if q == 0 || q > high || too_low {
            let expected = if terms.partial_shipment {
                format!("1..={high}")
            } else {
                range(low, high)
            };
            report.push(
                Rule::Quantity,
                format!("{path}.quantity"),
                expected,
                q.to_string(),
                Some(tolerance.describe()),
            );
        }
        let shipped = baseline.lines.get(&line.line_id).map_or(0, |p| p.shipped);
        let cumulative = shipped.checked_add(q);
        if cumulative.is_none_or(|c| c > high) {
            report.push(
                Rule::CumulativeQuantity,
                format!("{path}.quantity"),
                format!(
                    "at most {} more (shipped {shipped})",
                    high.saturating_sub(shipped)
                ),
                q.to_string(),
                Some(tolerance.describe()),
            );
        }
        let price_tolerance = line.price_tolerance;
        let (price_low, price_high) = price_tolerance
            .bounds(line.unit_price)
            .unwrap_or((0, u128::MAX));
        match presented.unit_price {
            Some(price) if (price_low..=price_high).contains(&price) => {}
            other => report.push(
                Rule::UnitPrice,
                format!("{path}.unit_price"),
                range(price_low, price_high),
                other.map_or_else(|| "absent".into(), |p| p.to_string()),
                Some(price_tolerance.describe()),
            ),
        }
        let line_amount = q.saturating_mul(presented.unit_price.unwrap_or(line.unit_price));
        lines_total = match (lines_total, presented.unit_price) {
            (Some(total), Some(price)) => q.checked_mul(price).and_then(|a| total.checked_add(a)),
            _ => None,
        };
        lines.push(ShippedLine {
            line_id: line.line_id.clone(),
            quantity: q,
            amount: line_amount,
        });
    }

    // TRD-PART-1
    if !terms.partial_shipment {
        if baseline.lines.values().any(|p| p.shipped > 0) {
            report.push(
                Rule::PartialShipment,
                "shipments".into(),
                "one shipment".into(),
                "a further shipment".into(),
                None,
            );
        }
        for line in &terms.lines {
            if !invoice.lines.iter().any(|l| l.line_id == line.line_id) {
                report.push(
                    Rule::PartialShipment,
                    format!("data_sets[{ci}].lines[{}]", line.line_id),
                    "present".into(),
                    "absent".into(),
                    None,
                );
            }
        }
    }

    // TRD-AMT-2: only when every line is known and priced (otherwise LINE-1 / PRC-1 said it).
    if let Some(total) = lines_total
        && total != amount
    {
        report.push(
            Rule::AmountLines,
            format!("data_sets[{ci}].amount"),
            total.to_string(),
            amount.to_string(),
            None,
        );
    }

    // TRD-AMT-1
    if amount == 0 || amount > baseline.remaining() {
        report.push(
            Rule::Amount,
            format!("data_sets[{ci}].amount"),
            format!("1..={}", baseline.remaining()),
            amount.to_string(),
            None,
        );
    }

    // TRD-DOC-1: other data sets that list lines list the same quantities.
    let invoice_lines: BTreeMap<&str, u128> = invoice
        .lines
        .iter()
        .map(|l| (l.line_id.as_str(), l.quantity))
        .collect();
    for (i, data_set) in data_sets.iter().enumerate() {
        if i == ci || data_set.lines.is_empty() {
            continue;
        }
        for (j, line) in data_set.lines.iter().enumerate() {
            let expected = invoice_lines.get(line.line_id.as_str());
            if expected != Some(&line.quantity) {
                report.push(
                    Rule::DocumentConsistency,
                    format!("data_sets[{i}].lines[{j}].quantity"),
                    expected.map_or_else(|| "absent".into(), |q| q.to_string()),
                    line.quantity.to_string(),
                    None,
                );
            }
        }
        for (line_id, _) in invoice_lines.iter() {
            if !data_set.lines.iter().any(|l| l.line_id == *line_id) {
                report.push(
                    Rule::DocumentConsistency,
                    format!("data_sets[{i}].lines[{line_id}]"),
                    "present".into(),
                    "absent".into(),
                    None,
                );
            }
        }
    }

    Ok(MatchReport {
        amount,
        lines,
        mismatches: report.mismatches,
    })
}

/// The rules every data set answers for the fields it states.
fn check_common(baseline: &Baseline, i: usize, data_set: &DataSet, report: &mut Report) {
    let terms = &baseline.terms;
    if data_set.po_reference != terms.po_reference {
        report.push(
            Rule::PoReference,
            format!("data_sets[{i}].po_reference"),
            terms.po_reference.clone(),
            data_set.po_reference.clone(),
            None,
        );
    }
    for (rule, field, expected, presented) in [
        (Rule::Buyer, "buyer", &terms.buyer, &data_set.buyer),
        (Rule::Seller, "seller", &terms.seller, &data_set.seller),
    ] {
        if let Some(presented) = presented
            && presented != expected
        {
            report.push(
                rule,
                format!("data_sets[{i}].{field}"),
                describe_party(expected),
                describe_party(presented),
                None,
            );
        }
    }
    if let Some(currency) = data_set.currency
        && currency != terms.currency
    {
        report.push(
            Rule::Currency,
            format!("data_sets[{i}].currency"),
            terms.currency.as_str().to_owned(),
            currency.as_str().to_owned(),
            None,
        );
    }
    if let Some(date) = data_set.shipment_date
        && !(terms.shipment_earliest..=terms.shipment_latest).contains(&date)
    {
        report.push(
            Rule::ShipmentDate,
            format!("data_sets[{i}].shipment_date"),
            format!("{}..={}", terms.shipment_earliest, terms.shipment_latest),
            date.to_string(),
            None,
        );
    }
    if let Some(incoterms) = &data_set.incoterms
        && !same_incoterms(incoterms, &terms.incoterms)
    {
        report.push(
            Rule::Incoterms,
            format!("data_sets[{i}].incoterms"),
            terms.incoterms.describe(),
            incoterms.describe(),
            None,
        );
    }
}

fn same_incoterms(a: &Incoterms, b: &Incoterms) -> bool {
    a.rule == b.rule && a.place == b.place
}
