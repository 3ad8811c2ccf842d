//! Settlement windows (issue 5) for deferred-net currencies.
//!
//! Each such currency always has exactly one open window, created when the currency is added.
//! Every committed leg in the currency (payments, FX legs, returns) becomes an obligation of the
//! open window. `CloseWindow` closes it, nets its obligations through `crates/settlement`
//! (net figures, instructions, bilateral matrix → a stored report) and opens the next window at
//! once, so payments committed while a window is closed but unsettled belong to the next one.
//! At most one window per currency awaits settlement at a time.
//!
//! `SettleWindow` (the operator confirms the settlement bank moved the money) resets positions
//! by the window's figures only: one posted ledger transfer per participant with a non-zero
//! figure, between its position and the scheme's settlement account (a net receiver's position
//! is debited, a net payer's credited), all linked. Net debit caps are lifted for the duration
//! of that batch: the money has moved, so the reset must happen even if later-window activity
//! makes the participant's remaining position exceed its cap (new debits are then refused). The
//! instruction mode (via the settlement account, or direct) changes only how real money moves
//! outside the hub, not the reset.
//!
//! `AbortWindow` (settlement failed) carries the closed window's obligations into the open
//! window, so they settle with it; positions are untouched.
//!
//! Invariant (checked in `check_invariants`): per deferred-net currency and participant, the
//! ledger position equals the net of the obligations of the open and the closed window.

use ledger::{Event, NewTransfer, TransferFlags, TransferId};
use serde::{Deserialize, Serialize};
use settlement::{Obligation, SettlementMode, SettlementReport};

use crate::command::Success;
use crate::error::HubError;
use crate::model::{CurrencyCode, ParticipantId, SettlementModel, Timestamp, WindowId};
use crate::scheme::link_all;
use crate::state::{AccountKind, Hub, SCHEME, account_id, funds_error, transfer_code};

/// How the instructions of a closed window settle outside the hub.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstructionMode {
    /// Each participant pays to or receives from the settlement account.
    ViaSettlementAccount,
    /// Participants pay each other (at most n − 1 instructions).
    Direct,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowStatus {
    Open,
    Closed,
    Settled,
    Aborted,
}

/// One settlement window of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub id: WindowId,
    pub currency: CurrencyCode,
    pub status: WindowStatus,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// When it was settled or aborted.
    pub ended_at: Option<Timestamp>,
    /// One per committed leg (a payment, an FX leg, a return), in commit order.
    pub obligations: Vec<Obligation>,
    /// Built at close.
    pub report: Option<SettlementReport>,
    /// The position resets posted at settlement.
    pub resets: Vec<TransferId>,
    /// For an aborted window: the window its obligations moved to.
    pub carried_to: Option<WindowId>,
}

impl Hub {
    /// Opens the first window of a deferred-net currency (at AddCurrency).
    pub(crate) fn open_window(&mut self, now: Timestamp, currency: CurrencyCode) -> WindowId {
        let id =
            WindowId(u64::try_from(self.windows.len()).map_or(u64::MAX, |n| n.saturating_add(1)));
        self.windows.push(Window {
            id,
            currency,
            status: WindowStatus::Open,
            opened_at: now,
            closed_at: None,
            ended_at: None,
            obligations: Vec::new(),
            report: None,
            resets: Vec::new(),
            carried_to: None,
        });
        self.open_windows.insert(currency, id);
        id
    }

    /// Records a committed leg as an obligation of its currency's open window (deferred net).
    pub(crate) fn record_obligation(
        &mut self,
        currency: CurrencyCode,
        debtor: ParticipantId,
        creditor: ParticipantId,
        amount: u128,
    ) {
        let Some(id) = self.open_windows.get(&currency).copied() else {
            return; // gross currencies have no windows
        };
        if let Some(window) = self.window_mut(id) {
            window
                .obligations
                .push(Obligation::new(debtor.0, creditor.0, amount));
        }
    }

    pub(crate) fn close_window(
        &mut self,
        now: Timestamp,
        currency: CurrencyCode,
        mode: InstructionMode,
    ) -> Result<Success, HubError> {
        let config = self
            .currencies
            .get(&currency)
            .ok_or(HubError::CurrencyNotAccepted)?;
        if config.model != SettlementModel::DeferredNet {
            return Err(HubError::CurrencyNotDeferredNet);
        }
        let awaiting = self
            .windows
            .iter()
            .any(|w| w.currency == currency && w.status == WindowStatus::Closed);
        if awaiting {
            return Err(HubError::WindowAwaitingSettlement);
        }
        let id = *self
            .open_windows
            .get(&currency)
            .ok_or(HubError::WindowNotFound)?;
        let window = self.window_ref(id).ok_or(HubError::WindowNotFound)?;
        let code = settlement::CurrencyCode::from_bytes(currency.as_bytes())
            .map_err(|_| HubError::InvalidCurrencyCode)?;
        let mode = match mode {
            InstructionMode::ViaSettlementAccount => SettlementMode::ViaSettlementAccount,
            InstructionMode::Direct => SettlementMode::Direct,
        };
        let report = SettlementReport::build(id.0, code, mode, &window.obligations)
            .map_err(|e| HubError::NettingFailed(e.code().to_owned()))?;
        if let Some(window) = self.window_mut(id) {
            window.status = WindowStatus::Closed;
            window.closed_at = Some(now);
            window.report = Some(report);
        }
        let next = self.open_window(now, currency);
        Ok(Success::WindowClosed { window: id, next })
    }

    pub(crate) fn settle_window(
        &mut self,
        now: Timestamp,
        id: WindowId,
    ) -> Result<Success, HubError> {
        let window = self.closed_window(id)?;
        let currency = window.currency;
        let figures: Vec<(ParticipantId, i128)> = window
            .report
            .as_ref()
            .map(|r| {
                r.positions
                    .iter()
                    .filter(|p| p.net != 0)
                    .map(|p| (ParticipantId(p.participant.0), p.net))
                    .collect()
            })
            .unwrap_or_default();
        let settlement = account_id(SCHEME, currency, AccountKind::Settlement);
        let ids = self.peek_transfer_ids(u128::try_from(figures.len()).unwrap_or(u128::MAX))?;
        let mut lift = Vec::new();
        let mut restore = Vec::new();
        let mut transfers = Vec::new();
        for ((participant, net), transfer) in figures.iter().zip(&ids) {
            let position = account_id(*participant, currency, AccountKind::Position);
            let account = self
                .ledger
                .account(position)
                .ok_or(HubError::ParticipantNotFound)?;
            lift.push(Event::SetNetDebitCap {
                account_id: position,
                net_debit_cap: None,
            });
            restore.push(Event::SetNetDebitCap {
                account_id: position,
                net_debit_cap: account.net_debit_cap,
            });
            let (debit, credit) = if *net > 0 {
                (position, settlement)
            } else {
                (settlement, position)
            };
            transfers.push(Event::CreateTransfer(NewTransfer {
                id: *transfer,
                debit_account_id: debit,
                credit_account_id: credit,
                amount: net.unsigned_abs(),
                pending_id: None,
                timeout_ns: 0,
                code: transfer_code::SETTLEMENT,
                user_data: u128::from(id.0),
                flags: TransferFlags::NONE,
            }));
        }
        link_all(&mut transfers);
        let (first, moved) = (lift.len(), transfers.len());
        let mut events = lift;
        events.append(&mut transfers);
        events.append(&mut restore);
        let results = self.ledger.apply(now, &events);
        // The caps are restored whatever happened; only the transfers decide the outcome.
        let failure = results
            .get(first..first + moved)
            .unwrap_or_default()
            .iter()
            .find(|r| !r.is_ok() && **r != ledger::EventResult::LinkedEventFailed);
        if let Some(failure) = failure {
            return Err(funds_error(*failure));
        }
        self.last_transfer = self
            .last_transfer
            .saturating_add(u128::try_from(moved).unwrap_or(0));
        if let Some(window) = self.window_mut(id) {
            window.status = WindowStatus::Settled;
            window.ended_at = Some(now);
            window.resets = ids;
        }
        Ok(Success::WindowSettled { window: id })
    }

    pub(crate) fn abort_window(
        &mut self,
        now: Timestamp,
        id: WindowId,
    ) -> Result<Success, HubError> {
        let currency = self.closed_window(id)?.currency;
        let open = *self
            .open_windows
            .get(&currency)
            .ok_or(HubError::WindowNotFound)?;
        let obligations = match self.window_mut(id) {
            Some(window) => {
                window.status = WindowStatus::Aborted;
                window.ended_at = Some(now);
                window.carried_to = Some(open);
                std::mem::take(&mut window.obligations)
            }
            None => return Err(HubError::WindowNotFound),
        };
        if let Some(next) = self.window_mut(open) {
            // Carried obligations go first: they were committed earlier.
            let later = std::mem::replace(&mut next.obligations, obligations);
            next.obligations.extend(later);
        }
        Ok(Success::WindowAborted {
            window: id,
            carried_to: open,
        })
    }

    fn closed_window(&self, id: WindowId) -> Result<&Window, HubError> {
        let window = self.window_ref(id).ok_or(HubError::WindowNotFound)?;
        if window.status != WindowStatus::Closed {
            return Err(HubError::WindowNotClosed);
        }
        Ok(window)
    }

    fn window_mut(&mut self, id: WindowId) -> Option<&mut Window> {
        let index = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.windows.get_mut(index)
    }

    fn window_ref(&self, id: WindowId) -> Option<&Window> {
        let index = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.windows.get(index)
    }

    /// A settlement window by id.
    pub fn window(&self, id: WindowId) -> Option<&Window> {
        self.window_ref(id)
    }

    /// All windows of a currency, oldest first.
    pub fn windows(&self, currency: CurrencyCode) -> impl Iterator<Item = &Window> {
        self.windows.iter().filter(move |w| w.currency == currency)
    }

    /// The open window of a deferred-net currency.
    pub fn open_window_of(&self, currency: CurrencyCode) -> Option<&Window> {
        self.window_ref(*self.open_windows.get(&currency)?)
    }
}
