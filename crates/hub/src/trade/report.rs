//! The clearing-union trade report: for a time range (or a settlement window's), gross flows
//! per (payer country → payee country, currency), trade-linked and other payments apart, and
//! each country's net position per currency. Countries are the participants' (the banks').
//!
//! Trade-linked flows are the obligations' releases; other flows are every committed payment
//! leg (a cross-currency payment is its two legs through the FX provider, as netting sees
//! them; a return is a payment back). A payment counts at its commit time, a release at its
//! release time. A window's range is `[opened_at, closed_at)`: a payment committed in the
//! closing batch after the close, at the same timestamp, belongs to the next window but falls
//! outside this range (the batch shares one timestamp).
//!
//! Pure over the hub's state, so `kliring report trade --data DIR` (replaying the journal)
//! and the server give the same report; JSON is the serde form of [`TradeReport`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::HubError;
use crate::model::{CountryCode, CurrencyCode, ParticipantId, PaymentStatus, Timestamp, WindowId};
use crate::state::{Hub, StepKind};

/// Gross flows from one country to another in one currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCell {
    pub from_country: String,
    pub to_country: String,
    pub currency: String,
    pub trade_count: u64,
    pub trade_gross: u128,
    pub other_count: u64,
    pub other_gross: u128,
}

/// A country's position in one currency: received minus paid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryPosition {
    pub country: String,
    pub currency: String,
    pub trade_net: i128,
    pub other_net: i128,
    pub net: i128,
}

/// The report over `[from, to)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeReport {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Only this currency, if set (a window's).
    pub currency: Option<String>,
    /// Sorted by (from, to, currency).
    pub flows: Vec<FlowCell>,
    /// Sorted by (country, currency).
    pub positions: Vec<CountryPosition>,
}

type Key = (CountryCode, CountryCode, CurrencyCode);

#[derive(Default)]
struct Sums {
    trade_count: u64,
    trade_gross: u128,
    other_count: u64,
    other_gross: u128,
}

struct Builder<'a> {
    hub: &'a Hub,
    from: Timestamp,
    to: Timestamp,
    currency: Option<CurrencyCode>,
    cells: BTreeMap<Key, Sums>,
}

impl Builder<'_> {
    fn add(
        &mut self,
        at: Timestamp,
        currency: CurrencyCode,
        from: ParticipantId,
        to: ParticipantId,
        amount: u128,
        trade: bool,
    ) -> Result<(), HubError> {
        if at < self.from || at >= self.to || self.currency.is_some_and(|c| c != currency) {
            return Ok(());
        }
        let country = |p| {
            self.hub
                .participant_ref(p)
                .map(|p| p.country)
                .ok_or(HubError::ParticipantNotFound)
        };
        let key = (country(from)?, country(to)?, currency);
        let sums = self.cells.entry(key).or_default();
        let (count, gross) = if trade {
            (&mut sums.trade_count, &mut sums.trade_gross)
        } else {
            (&mut sums.other_count, &mut sums.other_gross)
        };
        *count = count.saturating_add(1);
        *gross = gross.checked_add(amount).ok_or(HubError::AmountOverflow)?;
        Ok(())
    }
}

fn signed(amount: u128) -> Result<i128, HubError> {
    i128::try_from(amount).map_err(|_| HubError::AmountOverflow)
}

fn shift(net: &mut i128, amount: i128) -> Result<(), HubError> {
    *net = net.checked_add(amount).ok_or(HubError::AmountOverflow)?;
    Ok(())
}

impl Hub {
    /// The trade report over `[from, to)`, optionally for one currency. `AmountOverflow` only
    /// if sums exceed what the report can state (beyond i128).
    pub fn trade_report(
        &self,
        from: Timestamp,
        to: Timestamp,
        currency: Option<CurrencyCode>,
    ) -> Result<TradeReport, HubError> {
        let mut builder = Builder {
            hub: self,
            from,
            to,
            currency,
            cells: BTreeMap::new(),
        };
        for payment in &self.payments {
            if !matches!(
                payment.status,
                PaymentStatus::Committed | PaymentStatus::Returned
            ) {
                continue;
            }
            let Some(at) = payment
                .history
                .iter()
                .find(|s| s.kind == StepKind::Committed)
                .map(|s| s.at)
            else {
                continue;
            };
            for leg in &payment.legs {
                builder.add(at, leg.currency, leg.from, leg.to, leg.amount, false)?;
            }
        }
        for flow in &self.trade.flows {
            builder.add(
                flow.at,
                flow.currency,
                flow.from,
                flow.to,
                flow.amount,
                true,
            )?;
        }
        let mut positions: BTreeMap<(CountryCode, CurrencyCode), CountryPosition> = BTreeMap::new();
        let mut flows = Vec::with_capacity(builder.cells.len());
        for ((payer, payee, ccy), sums) in builder.cells {
            let trade = signed(sums.trade_gross)?;
            let other = signed(sums.other_gross)?;
            for (country, sign) in [(payer, -1i128), (payee, 1)] {
                let position = positions
                    .entry((country, ccy))
                    .or_insert_with(|| CountryPosition {
                        country: country.as_str().to_owned(),
                        currency: ccy.as_str().to_owned(),
                        ..CountryPosition::default()
                    });
                shift(&mut position.trade_net, sign * trade)?;
                shift(&mut position.other_net, sign * other)?;
                shift(&mut position.net, sign * trade)?;
                shift(&mut position.net, sign * other)?;
            }
            flows.push(FlowCell {
                from_country: payer.as_str().to_owned(),
                to_country: payee.as_str().to_owned(),
                currency: ccy.as_str().to_owned(),
                trade_count: sums.trade_count,
                trade_gross: sums.trade_gross,
                other_count: sums.other_count,
                other_gross: sums.other_gross,
            });
        }
        Ok(TradeReport {
            from,
            to,
            currency: currency.map(|c| c.as_str().to_owned()),
            flows,
            positions: positions.into_values().collect(),
        })
    }

    /// The trade report over a settlement window's time range and currency.
    pub fn trade_report_for_window(&self, window: WindowId) -> Result<TradeReport, HubError> {
        let w = self.window(window).ok_or(HubError::WindowNotFound)?;
        self.trade_report(
            w.opened_at,
            w.closed_at.unwrap_or(Timestamp::MAX),
            Some(w.currency),
        )
    }
}

/// CSV: one `flow` row per cell, then one `position` row per country and currency (amounts
/// in minor units; nets signed).
pub fn to_csv(report: &TradeReport) -> String {
    let mut out = String::from(
        "kind,from_country,to_country,currency,trade_count,trade_gross,other_count,other_gross,trade_net,other_net,net\n",
    );
    for f in &report.flows {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "flow,{},{},{},{},{},{},{},,,",
            f.from_country,
            f.to_country,
            f.currency,
            f.trade_count,
            f.trade_gross,
            f.other_count,
            f.other_gross
        );
    }
    for p in &report.positions {
        let _ = writeln!(
            out,
            "position,{},,{},,,,,{},{},{}",
            p.country, p.currency, p.trade_net, p.other_net, p.net
        );
    }
    out
}
