//! Settlement windows of deferred-net currencies: close (net), settle, abort, and the reports
//! (JSON, and CSV in the currency's decimal units with participants' BICs). Operator actions;
//! reports for the operator and auditors.

use hub::{Action, Command, InstructionMode, Principal, Success, Window, WindowId, WindowStatus};
use settlement::{Party, SettlementMode, SettlementReport};

use crate::amount::{format_amount, format_signed};
use crate::app::{require_operator, submit_expect, unexpected};
use crate::error::{ApiError, Code, hub_error};
use crate::state::AppState;
use crate::wire::{
    BilateralView, CloseWindowRequest, InstructionModeWire, InstructionView, NetPositionView,
    SettlementReportView, WindowQuery, WindowStatusWire, WindowView,
};

/// The CSV as people read it: decimal amounts of the window's currency, BICs for participants.
struct DecimalCsv {
    exponent: u8,
    bics: std::collections::BTreeMap<u64, String>,
}

impl settlement::CsvFormat for DecimalCsv {
    fn participant(&self, id: settlement::ParticipantId) -> String {
        self.bics
            .get(&id.0)
            .cloned()
            .unwrap_or_else(|| id.0.to_string())
    }
    fn unsigned(&self, minor: u128) -> String {
        format_amount(minor, self.exponent)
    }
    fn signed(&self, minor: i128) -> String {
        format_signed(minor, self.exponent)
    }
}

fn require_reader(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        hub::Principal::Operator | hub::Principal::Auditor => Ok(()),
        _ => Err(ApiError::refused(
            Code::ForbiddenOperatorOrAuditorOnly,
            "settlement windows are shown to the operator and auditors",
        )),
    }
}

fn party(party: Party) -> String {
    match party {
        Party::SettlementAccount => "settlement_account".to_owned(),
        Party::Participant(id) => id.0.to_string(),
    }
}

fn report_wire(report: &SettlementReport, e: u8) -> SettlementReportView {
    SettlementReportView {
        mode: match report.mode {
            SettlementMode::ViaSettlementAccount => InstructionModeWire::ViaSettlementAccount,
            SettlementMode::Direct => InstructionModeWire::Direct,
        },
        obligation_count: report.obligation_count,
        gross_total: format_amount(report.gross_total, e),
        net_total: format_amount(report.net_total, e),
        positions: report
            .positions
            .iter()
            .map(|p| NetPositionView {
                participant: p.participant.0,
                sent: format_amount(p.sent, e),
                received: format_amount(p.received, e),
                net: format_signed(p.net, e),
            })
            .collect(),
        instructions: report
            .instructions
            .iter()
            .map(|i| InstructionView {
                payer: party(i.payer),
                payee: party(i.payee),
                amount: format_amount(i.amount, e),
            })
            .collect(),
        bilateral: report
            .bilateral
            .entries
            .iter()
            .map(|b| BilateralView {
                debtor: b.debtor.0,
                creditor: b.creditor.0,
                count: b.count,
                amount: format_amount(b.gross, e),
            })
            .collect(),
    }
}

fn window_wire(window: &Window, exponent: u8) -> WindowView {
    WindowView {
        id: window.id.0,
        currency: window.currency.to_string(),
        status: match window.status {
            WindowStatus::Open => WindowStatusWire::Open,
            WindowStatus::Closed => WindowStatusWire::Closed,
            WindowStatus::Settled => WindowStatusWire::Settled,
            WindowStatus::Aborted => WindowStatusWire::Aborted,
        },
        opened_at_ns: window.opened_at,
        closed_at_ns: window.closed_at,
        ended_at_ns: window.ended_at,
        obligations: window.obligations.len(),
        report: window.report.as_ref().map(|r| report_wire(r, exponent)),
        carried_to: window.carried_to.map(|w| w.0),
    }
}

async fn window_view(state: &AppState, id: WindowId) -> Result<WindowView, ApiError> {
    state
        .read(move |hub| {
            let window = hub.window(id)?;
            let exponent = hub.currency(window.currency).map_or(0, |c| c.exponent);
            Some(window_wire(window, exponent))
        })
        .await?
        .ok_or_else(|| hub_error(hub::HubError::WindowNotFound))
}

/// Closes the currency's open window, nets it and opens the next one.
pub async fn close(
    state: &AppState,
    caller: &Principal,
    request: CloseWindowRequest,
) -> Result<WindowView, ApiError> {
    require_operator(caller)?;
    let currency = crate::convert::currency(&request.currency, "currency")?;
    let mode = match request.mode {
        InstructionModeWire::ViaSettlementAccount => InstructionMode::ViaSettlementAccount,
        InstructionModeWire::Direct => InstructionMode::Direct,
    };
    let action = Action::CloseWindow { currency, mode };
    match submit_expect(state, Command::new(caller.clone(), action)).await? {
        Success::WindowClosed { window, .. } => window_view(state, window).await,
        other => Err(unexpected(&other)),
    }
}

async fn end(state: &AppState, caller: &Principal, action: Action) -> Result<WindowView, ApiError> {
    require_operator(caller)?;
    match submit_expect(state, Command::new(caller.clone(), action)).await? {
        Success::WindowSettled { window, .. } | Success::WindowAborted { window, .. } => {
            window_view(state, window).await
        }
        other => Err(unexpected(&other)),
    }
}

/// The settlement bank moved the money: positions are reset by the window's figures.
pub async fn settle(
    state: &AppState,
    caller: &Principal,
    window: WindowId,
) -> Result<WindowView, ApiError> {
    end(state, caller, Action::SettleWindow { window }).await
}

/// Settlement failed: the window's obligations join the open window.
pub async fn abort(
    state: &AppState,
    caller: &Principal,
    window: WindowId,
) -> Result<WindowView, ApiError> {
    end(state, caller, Action::AbortWindow { window }).await
}

/// The windows of one currency, oldest first.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    query: WindowQuery,
) -> Result<Vec<WindowView>, ApiError> {
    require_reader(caller)?;
    let (currency, exponent) = state.exponent(&query.currency, "currency").await?;
    state
        .read(move |hub| {
            hub.windows(currency)
                .map(|w| window_wire(w, exponent))
                .collect()
        })
        .await
}

/// One window with its report.
pub async fn get(
    state: &AppState,
    caller: &Principal,
    window: WindowId,
) -> Result<WindowView, ApiError> {
    require_reader(caller)?;
    window_view(state, window).await
}

/// A closed window's report as CSV: amounts in the currency's decimal units (as in JSON and on
/// the dashboard; a finance user must not misread minor units by a factor of 100), participants
/// by BIC.
pub async fn report_csv(
    state: &AppState,
    caller: &Principal,
    id: WindowId,
) -> Result<String, ApiError> {
    require_reader(caller)?;
    let (report, format) = state
        .read(move |hub| {
            let window = hub.window(id)?;
            let exponent = hub.currency(window.currency).map_or(0, |c| c.exponent);
            let bics = hub
                .participants()
                .iter()
                .map(|p| (p.id.0, p.bic.as_str().to_owned()))
                .collect();
            Some((window.report.clone(), DecimalCsv { exponent, bics }))
        })
        .await?
        .ok_or_else(|| hub_error(hub::HubError::WindowNotFound))?;
    let report = report.ok_or_else(|| hub_error(hub::HubError::WindowNotClosed))?;
    settlement::to_csv(&report, &format).map_err(|error| {
        tracing::error!(%error, "settlement report CSV failed");
        ApiError::Internal
    })
}
