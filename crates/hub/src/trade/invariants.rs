//! Trade invariants, checked with the hub's (`Hub::check_invariants`):
//! - released ≤ obligation; while live `reserved + released = obligation` with one open pending
//!   ledger transfer holding exactly `reserved`; once ended `reserved = 0` and
//!   `released + voided = obligation`; a proposed baseline holds no money;
//! - every release is a posted ledger record of its amount, released shipments are exactly the
//!   matched and accepted ones, and their sum is `released`; the trade flows agree;
//! - each data-set hash is registered once, naming the shipment that presented it;
//! - the per-line ledger equals the sum of the shipments' lines;
//! - open baselines and the deadline index agree; inbox cursors are consecutive.

use std::collections::BTreeMap;

use ledger::{TransferFlags, TransferState};

use crate::state::Hub;
use crate::trade::{Baseline, BaselineStatus, LineProgress, ShipmentStatus};

impl Hub {
    pub(crate) fn check_trade(&self) -> Result<(), String> {
        let trade = &self.trade;
        let mut hashes = 0usize;
        let mut flows: BTreeMap<_, u128> = BTreeMap::new();
        for flow in &trade.flows {
            let sum = flows.entry(flow.baseline).or_default();
            *sum = sum.checked_add(flow.amount).ok_or("flow sum overflows")?;
        }
        for (id, b) in &trade.baselines {
            self.check_baseline(b)
                .map_err(|e| format!("baseline {id}: {e}"))?;
            if flows.get(id).copied().unwrap_or(0) != b.money.released {
                return Err(format!("baseline {id}: trade flows differ from released"));
            }
            for shipment in &b.shipments {
                for data_set in &shipment.data_sets {
                    hashes += 1;
                    if trade.hashes.get(&data_set.hash) != Some(&(*id, shipment.id)) {
                        return Err(format!("baseline {id}: a data-set hash is not registered"));
                    }
                }
            }
            let indexed = trade
                .deadlines
                .contains(&(b.terms.obligation.deadline(), *id));
            if indexed != b.status.is_open() {
                return Err(format!(
                    "baseline {id}: deadline index disagrees with status"
                ));
            }
        }
        if hashes != trade.hashes.len() {
            return Err("data-set hash registry names hashes no shipment presented".into());
        }
        if trade.deadlines.len()
            != trade
                .baselines
                .values()
                .filter(|b| b.status.is_open())
                .count()
        {
            return Err("deadline index names baselines that are not open".into());
        }
        for (bank, events) in &trade.inboxes {
            let ordered = events.iter().enumerate().all(|(i, e)| {
                u64::try_from(i).ok().and_then(|i| i.checked_add(1)) == Some(e.cursor)
            });
            if !ordered {
                return Err(format!("trade inbox cursors of {bank} not consecutive"));
            }
        }
        Ok(())
    }

    fn check_baseline(&self, b: &Baseline) -> Result<(), String> {
        let m = &b.money;
        let amount = b.terms.obligation.amount;
        if m.released > amount {
            return Err("released above the obligation".into());
        }
        let never_established = b.established_at.is_none();
        match b.status {
            BaselineStatus::Proposed | BaselineStatus::Closed if never_established => {
                if m.reserved != 0 || m.released != 0 || m.voided != 0 || m.pending.is_some() {
                    return Err("a proposed baseline holds money".into());
                }
            }
            BaselineStatus::Proposed => return Err("proposed but established".into()),
            BaselineStatus::Established | BaselineStatus::Active => {
                if m.reserved.checked_add(m.released) != Some(amount) || m.voided != 0 {
                    return Err("reserved + released differs from the obligation".into());
                }
                match m.pending {
                    Some(pending) => {
                        let open = self.ledger.transfer(pending).is_some_and(|t| {
                            t.state == TransferState::Pending && t.amount == m.reserved
                        });
                        if !open {
                            return Err("the reservation is not an open pending transfer".into());
                        }
                    }
                    None if m.reserved == 0 => {}
                    None => return Err("reserved without a pending transfer".into()),
                }
            }
            BaselineStatus::Completed | BaselineStatus::Closed => {
                let sum = m.released.checked_add(m.voided);
                if m.reserved != 0 || m.pending.is_some() || sum != Some(amount) {
                    return Err("released + voided differs from the obligation".into());
                }
            }
        }
        let mut released: u128 = 0;
        let mut lines: BTreeMap<&str, LineProgress> = BTreeMap::new();
        for (i, s) in b.shipments.iter().enumerate() {
            if b.shipments[..i].iter().any(|t| t.id == s.id) {
                return Err(format!("shipment {} recorded twice", s.id));
            }
            let paid = matches!(
                s.status,
                ShipmentStatus::Matched | ShipmentStatus::MismatchesAccepted
            );
            if paid != s.release.is_some()
                || (s.status == ShipmentStatus::Matched) != s.report.is_match()
            {
                return Err(format!("shipment {} release disagrees with status", s.id));
            }
            if let Some(release) = &s.release {
                let posted = self.ledger.transfer(release.transfer).is_some_and(|t| {
                    t.amount == release.amount
                        && t.state == TransferState::Posted
                        && t.flags.contains(TransferFlags::POST_PENDING)
                });
                if !posted || release.amount != s.report.amount {
                    return Err(format!("shipment {} release is not posted", s.id));
                }
                released = released
                    .checked_add(release.amount)
                    .ok_or("released overflows")?;
            }
            for line in &s.report.lines {
                let progress = lines.entry(line.line_id.as_str()).or_default();
                match s.status {
                    ShipmentStatus::Matched | ShipmentStatus::MismatchesAccepted => {
                        progress.shipped = progress.shipped.saturating_add(line.quantity);
                        progress.shipped_amount =
                            progress.shipped_amount.saturating_add(line.amount);
                    }
                    ShipmentStatus::AwaitingDecision => {
                        progress.pending = progress.pending.saturating_add(line.quantity);
                    }
                    ShipmentStatus::MismatchesRejected | ShipmentStatus::Lapsed => {}
                }
            }
            if s.status == ShipmentStatus::AwaitingDecision && !b.status.is_live() {
                return Err(format!(
                    "shipment {} awaits a decision on an ended baseline",
                    s.id
                ));
            }
        }
        if released != m.released {
            return Err("the releases do not sum to released".into());
        }
        for (line_id, progress) in &b.lines {
            let expected = lines.remove(line_id.as_str()).unwrap_or_default();
            if *progress != expected {
                return Err(format!("line {line_id}: ledger differs from its shipments"));
            }
            if b.terms.line(line_id).is_none() && (progress.shipped > 0 || progress.pending > 0) {
                return Err(format!("line {line_id} shipped but not in the terms"));
            }
        }
        if lines.values().any(|p| *p != LineProgress::default()) {
            return Err("a shipped line is missing from the line ledger".into());
        }
        Ok(())
    }
}
