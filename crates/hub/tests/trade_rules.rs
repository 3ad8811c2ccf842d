//! The match rules as a table: every rule passing and failing, tolerance edges exactly at the
//! limit and one unit beyond. Each case mutates a clean shipment (or the baseline's state) and
//! names the rule ids the report must list, no more and no fewer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;
mod trade_support;

use std::collections::BTreeSet;

use common::*;
use hub::trade::*;
use hub::*;
use trade_support::*;

type Mutate = fn(&mut Baseline, &mut Vec<DataSet>, &mut u64);

/// A live baseline as the hub established it.
fn live(partial: bool) -> (Baseline, u64) {
    let mut f = Fixture::new();
    let mut t = terms(f.now + SECOND);
    t.partial_shipment = partial;
    established(&mut f, baseline_id(1), t);
    (baseline(&f, baseline_id(1)).clone(), f.now)
}

fn set_qty(ds: &mut [DataSet], line: usize, q: u128) {
    for d in ds.iter_mut() {
        if let Some(l) = d.lines.get_mut(line) {
            l.quantity = q;
        }
    }
    recompute(ds);
}

/// Ships L1 alone (so that a higher price stays within the obligation).
fn set_price(ds: &mut [DataSet], line: usize, p: u128) {
    ds.iter_mut().for_each(|d| d.lines.truncate(1));
    ds[0].lines[line].unit_price = Some(p);
    recompute(ds);
}

/// The commercial amount follows its lines (so that only the rule under test fails).
fn recompute(ds: &mut [DataSet]) {
    let sum = ds[0]
        .lines
        .iter()
        .map(|l| l.quantity * l.unit_price.unwrap_or(0))
        .sum();
    ds[0].amount = Some(sum);
}

fn date(b: &Baseline, offset: i64) -> u64 {
    if offset < 0 {
        b.terms.shipment_earliest - offset.unsigned_abs()
    } else {
        b.terms.shipment_latest + offset.unsigned_abs()
    }
}

fn shipped(b: &mut Baseline, line: &str, q: u128) {
    b.lines.entry(line.into()).or_default().shipped = q;
}

/// (name, partial shipments allowed, mutation, expected rule ids).
fn cases() -> Vec<(&'static str, bool, Mutate, &'static [&'static str])> {
    vec![
        ("clean full shipment", true, |_, _, _| {}, &[]),
        ("clean, partial not allowed", false, |_, _, _| {}, &[]),
        (
            "buyer name differs",
            true,
            |_, ds, _| ds[0].buyer.as_mut().unwrap().name.push('X'),
            &["TRD-BUY-1"],
        ),
        (
            "buyer country differs",
            true,
            |_, ds, _| ds[0].buyer.as_mut().unwrap().country = CountryCode::new("UG").unwrap(),
            &["TRD-BUY-1"],
        ),
        (
            "seller differs in transport",
            true,
            |_, ds, _| ds[1].seller.as_mut().unwrap().name = "Other GmbH".into(),
            &["TRD-SEL-1"],
        ),
        (
            "po reference differs",
            true,
            |_, ds, _| ds[1].po_reference = "PO-2026-002".into(),
            &["TRD-PO-1"],
        ),
        (
            "currency differs",
            true,
            |_, ds, _| ds[0].currency = Some(kes()),
            &["TRD-CCY-1"],
        ),
        (
            "unknown line",
            true,
            |_, ds, _| {
                for d in ds.iter_mut() {
                    d.lines[1].line_id = "L9".into();
                }
            },
            &["TRD-LINE-1"],
        ),
        // L1: 1000 ±10 %; partial allowed: upper bound only. Ship L1 alone.
        (
            "qty at +10 %",
            true,
            |_, ds, _| {
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                set_qty(ds, 0, 1_100)
            },
            &[],
        ),
        (
            "qty one above +10 %",
            true,
            |_, ds, _| {
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                set_qty(ds, 0, 1_101)
            },
            &["TRD-QTY-1", "TRD-QTY-2"],
        ),
        (
            "qty zero",
            true,
            |_, ds, _| {
                ds[0].lines[0].quantity = 0;
                ds[1].lines[0].quantity = 0;
                recompute(ds)
            },
            &["TRD-QTY-1"],
        ),
        (
            "qty at -10 %, no partials",
            false,
            |_, ds, _| set_qty(ds, 0, 900),
            &[],
        ),
        (
            "qty one below -10 %, no partials",
            false,
            |_, ds, _| set_qty(ds, 0, 899),
            &["TRD-QTY-1"],
        ),
        (
            "qty below -10 % with partials is fine",
            true,
            |_, ds, _| set_qty(ds, 0, 1),
            &[],
        ),
        (
            "exact-quantity line one above",
            true,
            |_, ds, _| set_qty(ds, 1, 101),
            &["TRD-AMT-1", "TRD-QTY-1", "TRD-QTY-2"],
        ),
        (
            "cumulative at the limit",
            true,
            |b, ds, _| {
                shipped(b, "L1", 600);
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                set_qty(ds, 0, 500)
            },
            &[],
        ),
        (
            "cumulative one beyond",
            true,
            |b, ds, _| {
                shipped(b, "L1", 600);
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                set_qty(ds, 0, 501)
            },
            &["TRD-QTY-2"],
        ),
        ("price at +10 %", true, |_, ds, _| set_price(ds, 0, 55), &[]),
        (
            "price one above +10 %",
            true,
            |_, ds, _| set_price(ds, 0, 56),
            &["TRD-PRC-1"],
        ),
        ("price at -10 %", true, |_, ds, _| set_price(ds, 0, 45), &[]),
        (
            "price one below -10 %",
            true,
            |_, ds, _| set_price(ds, 0, 44),
            &["TRD-PRC-1"],
        ),
        (
            "price absent on the invoice",
            true,
            |_, ds, _| ds[0].lines[0].unit_price = None,
            &["TRD-PRC-1"],
        ),
        (
            "amount differs from its lines",
            true,
            |_, ds, _| ds[0].amount = Some(69_999),
            &["TRD-AMT-2"],
        ),
        (
            "amount exactly what remains",
            true,
            |b, ds, _| {
                b.money.released = 20_000;
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                recompute(ds)
            },
            &[],
        ),
        (
            "amount one above what remains",
            true,
            |b, ds, _| {
                b.money.released = 20_001;
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                recompute(ds)
            },
            &["TRD-AMT-1"],
        ),
        (
            "shipment on the last day",
            true,
            |b, ds, _| ds[1].shipment_date = Some(date(b, 0)),
            &[],
        ),
        (
            "shipment after the range",
            true,
            |b, ds, _| ds[1].shipment_date = Some(date(b, 1)),
            &["TRD-DATE-1"],
        ),
        (
            "shipment on the first day",
            true,
            |b, ds, _| ds[1].shipment_date = Some(b.terms.shipment_earliest),
            &[],
        ),
        (
            "shipment before the range",
            true,
            |b, ds, _| ds[1].shipment_date = Some(date(b, -1)),
            &["TRD-DATE-1"],
        ),
        (
            "submitted just before the latest match date",
            true,
            |b, _, now| *now = b.terms.obligation.latest_match_at - 1,
            &[],
        ),
        (
            "submitted at the latest match date",
            true,
            |b, _, now| *now = b.terms.obligation.latest_match_at,
            &["TRD-DATE-2"],
        ),
        (
            "incoterms place differs",
            true,
            |_, ds, _| ds[1].incoterms.as_mut().unwrap().place = "Bremen".into(),
            &["TRD-INC-1"],
        ),
        (
            "incoterms rule differs",
            true,
            |_, ds, _| ds[0].incoterms.as_mut().unwrap().rule = Incoterm::Cif,
            &["TRD-INC-1"],
        ),
        (
            "a line missing, no partials",
            false,
            |_, ds, _| {
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                recompute(ds)
            },
            &["TRD-PART-1"],
        ),
        (
            "a second shipment, no partials",
            false,
            |b, ds, _| {
                shipped(b, "L1", 1);
                ds.iter_mut().for_each(|d| {
                    d.lines.truncate(1);
                });
                set_qty(ds, 0, 999)
            },
            &["TRD-PART-1"],
        ),
        (
            "transport data set missing",
            true,
            |_, ds, _| {
                ds.truncate(1);
            },
            &["TRD-DS-1"],
        ),
        (
            "transport quantity differs",
            true,
            |_, ds, _| ds[1].lines[0].quantity = 999,
            &["TRD-DOC-1"],
        ),
        (
            "transport omits a line",
            true,
            |_, ds, _| {
                ds[1].lines.truncate(1);
            },
            &["TRD-DOC-1"],
        ),
    ]
}

#[test]
fn every_rule_passes_and_fails_at_its_edges() {
    let mut failing = BTreeSet::new();
    for (name, partial, mutate, expected) in cases() {
        let (mut b, now) = live(partial);
        let mut now = now;
        let mut ds = data_sets(&[("L1", 1_000, 50), ("L2", 100, 200)], now + DAY, 1);
        mutate(&mut b, &mut ds, &mut now);
        let report = match_data_sets(&b, &ds, now).unwrap();
        assert_eq!(
            rule_ids(&report),
            expected.to_vec(),
            "{name}: {:#?}",
            report.mismatches
        );
        assert_eq!(report.is_match(), expected.is_empty(), "{name}");
        failing.extend(expected.iter().copied());
    }
    let all: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(failing, all, "every rule has a failing case");
}

#[test]
fn a_mismatch_explains_itself() {
    let (b, now) = live(true);
    let mut ds = data_sets(&[("L1", 1_101, 50)], now + DAY, 1);
    recompute(&mut ds);
    let report = match_data_sets(&b, &ds, now).unwrap();
    let qty = report
        .mismatches
        .iter()
        .find(|m| m.rule == Rule::Quantity)
        .unwrap();
    assert_eq!(qty.path, "data_sets[0].lines[0].quantity");
    assert_eq!(qty.expected, "1..=1100");
    assert_eq!(qty.presented, "1101");
    assert_eq!(qty.tolerance.as_deref(), Some("+10.00% -10.00%"));
    assert_eq!(Rule::from_id("TRD-QTY-1"), Some(Rule::Quantity));
    assert_eq!(report.amount, 55_050);
    assert_eq!(report.lines[0].quantity, 1_101);
}

#[test]
fn one_commercial_data_set_is_required() {
    let (b, now) = live(true);
    let ds = data_sets(&[("L1", 1_000, 50)], now + DAY, 1);
    let transport_only = vec![ds[1].clone()];
    assert_eq!(
        match_data_sets(&b, &transport_only, now),
        Err(HubError::TradeCommercialDataSetMissing)
    );
    let twice = vec![ds[0].clone(), ds[0].clone()];
    assert_eq!(
        match_data_sets(&b, &twice, now),
        Err(HubError::TradeCommercialDataSetMissing)
    );
}

#[test]
fn tolerance_bounds_round_inwards() {
    // 7 ± 5 % = 6.65..7.35: only 7 itself.
    assert_eq!(Tolerance::BULK_QUANTITY.bounds(7), Some((7, 7)));
    assert_eq!(Tolerance::ABOUT.bounds(1_000), Some((900, 1_100)));
    assert_eq!(Tolerance::EXACT.bounds(13), Some((13, 13)));
    assert_eq!(Tolerance::ABOUT.bounds(u128::MAX), None);
    let whole = Tolerance {
        plus_bp: 0,
        minus_bp: 10_000,
    };
    assert_eq!(whole.bounds(10), Some((0, 10)));
    assert_eq!(Tolerance::ABOUT.describe(), "+10.00% -10.00%");
}
