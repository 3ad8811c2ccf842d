//! Data-set submissions (tsmt.014), the release of a matched shipment's money in the same
//! command, and the obligor bank's decision on mismatches (tsmt.020 / .022).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::command::{Outcome, Success};
use crate::error::HubError;
use crate::model::{ParticipantStatus, Principal, ScreeningVerdict, Timestamp};
use crate::state::Hub;
use crate::trade::baseline::check_screening;
use crate::trade::{
    BaselineId, BaselineStatus, DATA_SETS_MAX, DataSet, MatchReport, Release, Shipment,
    ShipmentStatus, SubmissionId, SubmissionMode, TradeEventKind, TradeFlow, match_data_sets,
};

/// `SubmitDataSets`: the seller's bank presents one shipment's data sets, screened by the
/// server (every party they name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSetSubmission {
    pub baseline: BaselineId,
    pub submission: SubmissionId,
    pub mode: SubmissionMode,
    pub data_sets: Vec<DataSet>,
    pub screening: ScreeningVerdict,
}

/// The answer to a submission or a decision on mismatches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOutcome {
    pub baseline: BaselineId,
    pub submission: SubmissionId,
    /// `None` for a pre-match (nothing was recorded).
    pub status: Option<ShipmentStatus>,
    pub report: MatchReport,
    /// Released to the recipient bank by this command.
    pub released: u128,
    pub baseline_status: BaselineStatus,
    /// A repeated identical submission.
    pub replayed: bool,
}

impl Hub {
    pub(crate) fn submit_data_sets(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        submission: &DataSetSubmission,
    ) -> Outcome {
        let id = submission.baseline;
        let (baseline, bank) = self.baseline_for_bank(actor, id)?;
        if bank != baseline.terms.seller_bank {
            return Err(HubError::TradeForbiddenNotSellerBank);
        }
        if submission.mode == SubmissionMode::Match
            && let Some(existing) = baseline.shipment(submission.submission)
        {
            if existing.data_sets != submission.data_sets {
                return Err(HubError::TradeSubmissionExists);
            }
            return self.match_outcome(id, submission.submission, 0, true);
        }
        if !baseline.status.is_live() {
            return Err(HubError::TradeBaselineNotLive);
        }
        if submission.data_sets.is_empty() || submission.data_sets.len() > DATA_SETS_MAX {
            return Err(HubError::TradeDataSetCount);
        }
        let mut hashes = BTreeSet::new();
        for data_set in &submission.data_sets {
            data_set.validate()?;
            if !hashes.insert(data_set.hash) || self.trade.hashes.contains_key(&data_set.hash) {
                return Err(HubError::TradeDataSetHashUsed);
            }
        }
        check_screening(&submission.screening)?;
        self.check_banks_active(id)?;
        let report = match_data_sets(baseline, &submission.data_sets, now)?;
        if submission.mode == SubmissionMode::PreMatch {
            return Ok(Success::TradeMatch(Box::new(MatchOutcome {
                baseline: id,
                submission: submission.submission,
                status: None,
                report,
                released: 0,
                baseline_status: baseline.status,
                replayed: false,
            })));
        }
        let version = baseline.version;
        let clean = report.is_match();
        let release = if clean {
            Some(self.release(now, id, report.amount)?)
        } else {
            None
        };
        let released = release.as_ref().map_or(0, |r| r.amount);
        let status = if clean {
            ShipmentStatus::Matched
        } else {
            ShipmentStatus::AwaitingDecision
        };
        let mismatches = u32::try_from(report.mismatches.len()).unwrap_or(u32::MAX);
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            for line in &report.lines {
                let progress = b.lines.entry(line.line_id.clone()).or_default();
                if clean {
                    progress.shipped = progress.shipped.saturating_add(line.quantity);
                    progress.shipped_amount = progress.shipped_amount.saturating_add(line.amount);
                } else {
                    progress.pending = progress.pending.saturating_add(line.quantity);
                }
            }
            if clean {
                b.status = BaselineStatus::Active;
            }
            b.shipments.push(Shipment {
                id: submission.submission,
                submitted_at: now,
                version,
                data_sets: submission.data_sets.clone(),
                report,
                status,
                release,
                decided_at: None,
            });
        }
        for data_set in &submission.data_sets {
            self.trade
                .hashes
                .insert(data_set.hash, (id, submission.submission));
        }
        let kind = if clean {
            TradeEventKind::Matched {
                submission: submission.submission,
                released,
            }
        } else {
            TradeEventKind::MismatchesReported {
                submission: submission.submission,
                mismatches,
            }
        };
        self.trade.record(id, now, Some(actor), kind);
        self.complete_if_done(now, id)?;
        self.match_outcome(id, submission.submission, released, false)
    }

    /// The obligor bank waives the mismatches of a shipment: its amount is released.
    pub(crate) fn accept_mismatches(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: BaselineId,
        submission: SubmissionId,
    ) -> Outcome {
        let amount = self.awaiting_decision(actor, id, submission)?;
        self.check_banks_active(id)?;
        let release = self.release(now, id, amount)?;
        self.decide(now, id, submission, Some(release));
        self.trade.record(
            id,
            now,
            Some(actor),
            TradeEventKind::MismatchesAccepted {
                submission,
                released: amount,
            },
        );
        self.complete_if_done(now, id)?;
        self.match_outcome(id, submission, amount, false)
    }

    /// The obligor bank refuses the mismatches: nothing moves; the seller's bank may present
    /// corrected documents (new hashes) in a new submission.
    pub(crate) fn reject_mismatches(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: BaselineId,
        submission: SubmissionId,
    ) -> Outcome {
        self.awaiting_decision(actor, id, submission)?;
        self.decide(now, id, submission, None);
        self.trade.record(
            id,
            now,
            Some(actor),
            TradeEventKind::MismatchesRejected { submission },
        );
        self.match_outcome(id, submission, 0, false)
    }

    /// The amount of a shipment awaiting the obligor bank's decision, if `actor` is it.
    fn awaiting_decision(
        &self,
        actor: &Principal,
        id: BaselineId,
        submission: SubmissionId,
    ) -> Result<u128, HubError> {
        let (baseline, bank) = self.baseline_for_bank(actor, id)?;
        if bank != baseline.terms.obligation.obligor {
            return Err(HubError::TradeForbiddenNotObligor);
        }
        let shipment = baseline
            .shipment(submission)
            .ok_or(HubError::TradeSubmissionNotFound)?;
        if shipment.status != ShipmentStatus::AwaitingDecision || !baseline.status.is_live() {
            return Err(HubError::TradeShipmentNotAwaitingDecision);
        }
        Ok(shipment.report.amount)
    }

    /// Records the decision on a shipment and moves its lines from pending to shipped (when
    /// released).
    fn decide(
        &mut self,
        now: Timestamp,
        id: BaselineId,
        submission: SubmissionId,
        release: Option<Release>,
    ) {
        let Some(b) = self.trade.baselines.get_mut(&id) else {
            return;
        };
        let Some(shipment) = b.shipments.iter_mut().find(|s| s.id == submission) else {
            return;
        };
        let accepted = release.is_some();
        shipment.status = if accepted {
            ShipmentStatus::MismatchesAccepted
        } else {
            ShipmentStatus::MismatchesRejected
        };
        shipment.release = release;
        shipment.decided_at = Some(now);
        for line in &shipment.report.lines {
            let progress = b.lines.entry(line.line_id.clone()).or_default();
            progress.pending = progress.pending.saturating_sub(line.quantity);
            if accepted {
                progress.shipped = progress.shipped.saturating_add(line.quantity);
                progress.shipped_amount = progress.shipped_amount.saturating_add(line.amount);
            }
        }
        if accepted {
            b.status = BaselineStatus::Active;
        }
    }

    /// Money moves only between active banks (a sanctioned or suspended bank's trade waits).
    fn check_banks_active(&self, id: BaselineId) -> Result<(), HubError> {
        let b = self
            .trade
            .baselines
            .get(&id)
            .ok_or(HubError::TradeBaselineNotFound)?;
        for bank in [b.terms.buyer_bank, b.terms.seller_bank] {
            let active = self
                .participant_ref(bank)
                .is_some_and(|p| p.status == ParticipantStatus::Active);
            if !active {
                return Err(HubError::TradeBankSuspended);
            }
        }
        Ok(())
    }

    /// Releases `amount` of the reservation to the recipient bank (a partial post, the rest
    /// reserved again in the same linked run); a deferred-net release is an obligation of the
    /// currency's open window like a committed payment.
    fn release(
        &mut self,
        now: Timestamp,
        id: BaselineId,
        amount: u128,
    ) -> Result<Release, HubError> {
        let b = self
            .trade
            .baselines
            .get(&id)
            .ok_or(HubError::TradeBaselineNotFound)?;
        if amount == 0 || amount > b.money.reserved {
            return Err(HubError::TradeReleaseExceedsObligation);
        }
        let terms = b.terms.clone();
        let remainder = b.money.reserved - amount;
        let (record, pending) = self.move_reservation(now, id, &terms, Some(amount), remainder)?;
        let transfer = record.ok_or(HubError::TradeReleaseExceedsObligation)?;
        let o = &terms.obligation;
        self.record_obligation(terms.currency, o.obligor, o.recipient, amount);
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.money.reserved = remainder;
            b.money.released = b.money.released.saturating_add(amount);
            b.money.pending = pending;
        }
        self.trade.flows.push(TradeFlow {
            baseline: id,
            at: now,
            currency: terms.currency,
            from: o.obligor,
            to: o.recipient,
            amount,
        });
        Ok(Release {
            amount,
            transfer,
            at: now,
        })
    }

    fn match_outcome(
        &self,
        id: BaselineId,
        submission: SubmissionId,
        released: u128,
        replayed: bool,
    ) -> Outcome {
        let b = self
            .trade
            .baselines
            .get(&id)
            .ok_or(HubError::TradeBaselineNotFound)?;
        let shipment = b
            .shipment(submission)
            .ok_or(HubError::TradeSubmissionNotFound)?;
        Ok(Success::TradeMatch(Box::new(MatchOutcome {
            baseline: id,
            submission,
            status: Some(shipment.status),
            report: shipment.report.clone(),
            released,
            baseline_status: b.status,
            replayed,
        })))
    }
}
