//! Settlement: the windows of each deferred-net currency, closing a window, marking a closed one
//! settled or aborted (operator), and a closed window's netting figures, all through the
//! service layer's settlement operations (the JSON API's own).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};
use hub::{Principal, WindowId};
use maud::{Markup, html};
use serde::Deserialize;

use crate::app::queries;
use crate::app::windows;
use crate::dashboard::Dashboard;
use crate::dashboard::extract::PagePath;
use crate::dashboard::guard::Posted;
use crate::dashboard::pages::sign_in::NoFields;
use crate::dashboard::render::{
    Failure, Notice, ParticipantLabels, Section, action_button, csrf_field, html_response, money,
    page, timestamp, wire_name,
};
use crate::dashboard::session::Signed;
use crate::error::ApiError;
use crate::error::Code;
use crate::wire::{
    CloseWindowRequest, InstructionModeWire, SettlementModelWire, WindowQuery, WindowStatusWire,
    WindowView,
};

fn optional_time(ns: Option<u64>) -> String {
    ns.map(timestamp).unwrap_or_default()
}

fn close_form(signed: &Signed, currency: &str) -> Markup {
    html! {
        form.inline method="post" action="/dashboard/settlement/close" {
            (csrf_field(signed))
            input type="hidden" name="currency" value=(currency);
            select name="mode" aria-label="Instruction mode" {
                option value="via_settlement_account" { "via settlement account" }
                option value="direct" { "direct" }
            }
            button type="submit" { "Close the " (currency) " window" }
        }
    }
}

fn windows_table(signed: &Signed, windows: &[WindowView], acts: bool) -> Markup {
    html! {
        table {
            thead { tr {
                th { "Window" } th { "Status" } th { "Opened" } th { "Closed" } th { "Ended" }
                th.num { "Obligations" } th { "Net total" } th { "" }
            } }
            tbody {
                @for w in windows {
                    tr {
                        td { a href={ "/dashboard/settlement/windows/" (w.id) } { (w.id) } }
                        td { (wire_name(&w.status))
                            @if let Some(next) = w.carried_to { " (carried to " (next) ")" } }
                        td { (timestamp(w.opened_at_ns)) }
                        td { (optional_time(w.closed_at_ns)) }
                        td { (optional_time(w.ended_at_ns)) }
                        td.num { (w.obligations) }
                        td.num { @if let Some(r) = &w.report { (r.net_total) } }
                        td {
                            @if acts && w.status == WindowStatusWire::Closed {
                                @let base = format!("/dashboard/settlement/windows/{}", w.id);
                                (action_button(signed, &format!("{base}/settle"), "Mark settled"))
                                (action_button(signed, &format!("{base}/abort"), "Abort"))
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn render(
    dash: &Dashboard,
    signed: &Signed,
    status: StatusCode,
    shown: Option<&Notice>,
) -> Result<Response, Failure> {
    let state = &dash.app;
    let currencies = queries::currencies(state).await?;
    let mut sections = Vec::new();
    for currency in currencies
        .into_iter()
        .filter(|c| c.settlement_model == SettlementModelWire::DeferredNet)
    {
        let query = WindowQuery {
            currency: currency.code.clone(),
        };
        let list = windows::list(state, &signed.principal, query).await?;
        sections.push((currency.code, list));
    }
    let acts = signed.principal == Principal::Operator;
    let content = html! {
        @if sections.is_empty() { p { "No deferred-net currencies." } }
        @for (currency, list) in &sections {
            section {
                h2 { (currency) }
                @if acts { (close_form(signed, currency)) }
                (windows_table(signed, list, acts))
            }
        }
    };
    Ok(html_response(
        status,
        page(
            signed,
            Section::Settlement,
            "Settlement windows",
            shown,
            content,
        ),
    ))
}

/// `GET /dashboard/settlement`.
pub async fn show(State(dash): State<Dashboard>, signed: Signed) -> Result<Response, Failure> {
    let flash = signed.flash.clone();
    render(&dash, &signed, StatusCode::OK, flash.as_ref()).await
}

/// A done action: the outcome shown once on the window's page (303 there).
fn done(dash: &Dashboard, signed: &Signed, window: &WindowView, what: &str) -> Response {
    let mut message = format!("Window {} ({}) {what}.", window.id, window.currency);
    if let Some(report) = &window.report {
        message.push_str(&format!(
            " Net total {} {}.",
            report.net_total, window.currency
        ));
    }
    dash.sessions
        .flash(&signed.session_id, Notice::Done(message));
    let location = format!("/dashboard/settlement/windows/{}", window.id);
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// A refusal: the windows page again, with the API's code and status.
async fn refused(dash: &Dashboard, signed: &Signed, error: ApiError) -> Result<Response, Failure> {
    let shown = Notice::from(&error);
    render(dash, signed, error.status(), Some(&shown)).await
}

#[derive(Deserialize)]
pub struct CloseForm {
    currency: String,
    mode: InstructionModeWire,
}

/// `POST /dashboard/settlement/close`.
pub async fn close(
    State(dash): State<Dashboard>,
    posted: Posted<CloseForm>,
) -> Result<Response, Failure> {
    let Posted { signed, form } = posted;
    let request = CloseWindowRequest {
        currency: form.currency,
        mode: form.mode,
    };
    match windows::close(&dash.app, &signed.principal, request).await {
        Ok(window) => Ok(done(&dash, &signed, &window, "closed")),
        Err(error) => refused(&dash, &signed, error).await,
    }
}

/// `POST /dashboard/settlement/windows/{id}/{settle|abort}`.
pub async fn end(
    State(dash): State<Dashboard>,
    PagePath((id, action)): PagePath<(u64, String)>,
    posted: Posted<NoFields>,
) -> Result<Response, Failure> {
    let signed = posted.signed;
    let (state, caller) = (&dash.app, &signed.principal);
    let result = match action.as_str() {
        "settle" => windows::settle(state, caller, WindowId(id)).await,
        "abort" => windows::abort(state, caller, WindowId(id)).await,
        _ => Err(ApiError::not_found(
            Code::ActionNotFound,
            "no such settlement action",
        )),
    };
    match result {
        Ok(window) => {
            let what = if action == "settle" {
                "settled"
            } else {
                "aborted"
            };
            Ok(done(&dash, &signed, &window, what))
        }
        Err(error) => refused(&dash, &signed, error).await,
    }
}

/// `GET /dashboard/settlement/windows/{id}`: a window and its netting figures.
/// `GET /dashboard/settlement/windows/{id}/report.csv`: the API's CSV for the signed-in
/// operator or auditor.
pub async fn report_csv(
    State(dash): State<Dashboard>,
    signed: Signed,
    PagePath(id): PagePath<u64>,
) -> Result<Response, Failure> {
    let csv = windows::report_csv(&dash.app, &signed.principal, WindowId(id)).await?;
    let disposition = format!("attachment; filename=\"window-{id}.csv\"");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

pub async fn window(
    State(dash): State<Dashboard>,
    signed: Signed,
    PagePath(id): PagePath<u64>,
) -> Result<Response, Failure> {
    let w = windows::get(&dash.app, &signed.principal, WindowId(id)).await?;
    let names = ParticipantLabels::load(&dash.app).await?;
    let content = html! {
        dl {
            dt { "Currency" } dd { (w.currency) }
            dt { "Status" } dd { (wire_name(&w.status)) }
            dt { "Opened" } dd { (timestamp(w.opened_at_ns)) }
            dt { "Closed" } dd { (optional_time(w.closed_at_ns)) }
            dt { "Ended" } dd { (optional_time(w.ended_at_ns)) }
            dt { "Obligations" } dd { (w.obligations) }
        }
        @match &w.report {
            None => p { "The window is open: no netting figures yet." },
            Some(r) => {
                dl {
                    dt { "Instruction mode" } dd { (wire_name(&r.mode)) }
                    dt { "Obligations netted" } dd { (r.obligation_count) }
                    dt { "Gross total" } dd { (money(&r.gross_total, &w.currency)) }
                    dt { "Net total" } dd { (money(&r.net_total, &w.currency)) }
                    dt { "Report" } dd { a href={ "/dashboard/settlement/windows/" (w.id) "/report.csv" } { "Download CSV" } " (decimal amounts, BICs)" }
                }
                table {
                    caption { "Net positions" }
                    thead { tr { th { "Participant" } th.num { "Sent" } th.num { "Received" } th.num { "Net" } } }
                    tbody { @for p in &r.positions { tr {
                        td { (names.of(p.participant)) } td.num { (money(&p.sent, &w.currency)) } td.num { (money(&p.received, &w.currency)) } td.num { (money(&p.net, &w.currency)) }
                    } } }
                }
                table {
                    caption { "Settlement instructions" }
                    thead { tr { th { "Payer" } th { "Payee" } th.num { "Amount" } } }
                    tbody { @for i in &r.instructions { tr {
                        td { (names.of_party(&i.payer)) } td { (names.of_party(&i.payee)) } td.num { (money(&i.amount, &w.currency)) }
                    } } }
                }
                table {
                    caption { "Bilateral gross" }
                    thead { tr { th { "Debtor" } th { "Creditor" } th.num { "Payments" } th.num { "Amount" } } }
                    tbody { @for b in &r.bilateral { tr {
                        td { (names.of(b.debtor)) } td { (names.of(b.creditor)) } td.num { (b.count) } td.num { (money(&b.amount, &w.currency)) }
                    } } }
                }
            }
        }
        p { a href="/dashboard/settlement" { "← All windows" } }
    };
    let title = format!("Window {id}");
    let flash = signed.flash.clone();
    Ok(html_response(
        StatusCode::OK,
        page(
            &signed,
            Section::Settlement,
            &title,
            flash.as_ref(),
            content,
        ),
    ))
}
