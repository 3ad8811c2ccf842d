//! Compliance: held payments with their hits, and the officers' review / release / reject,
//! through the API's own handlers (the hub enforces four eyes; its refusal is shown as is).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use hub::{PaymentId, Principal};
use maud::html;

use crate::auth::{Caller, TokenHash};
use crate::dashboard::Dashboard;
use crate::dashboard::extract::PagePath;
use crate::dashboard::guard::Posted;
use crate::dashboard::pages::sign_in::NoFields;
use crate::dashboard::render::{
    Failure, Notice, Section, action_button, html_response, page, timestamp, wire_name,
};
use crate::dashboard::session::Signed;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::routes::{compliance, queries};

async fn render(
    dash: &Dashboard,
    signed: &Signed,
    status: StatusCode,
    shown: Option<&Notice>,
) -> Result<Response, Failure> {
    let caller = Caller(signed.principal.clone());
    let held = queries::held(State(dash.app.clone()), caller).await?.0;
    // Only officers act; the operator watches the queue.
    let officer = match &signed.principal {
        Principal::ComplianceOfficer(name) => Some(name.as_str()),
        _ => None,
    };
    let content = html! {
        @if held.is_empty() { p { "No payments are held." } }
        @for item in &held {
            @let p = &item.payment;
            section.held {
                h2 { a href={ "/dashboard/payments/" (p.payment_id) } { code { (p.payment_id) } } }
                dl {
                    dt { "Amount" } dd { (p.amount) " " (p.currency) }
                    dt { "Debtor" } dd { (p.debtor.name) " (" (p.debtor.country) "), participant " (p.debtor_participant) }
                    dt { "Creditor" } dd { (p.creditor.name) " (" (p.creditor.country) "), participant " (p.creditor_participant) }
                    dt { "Created" } dd { (timestamp(p.created_at_ns)) }
                    dt { "Status" } dd { (wire_name(&p.status)) }
                    dt { "Reviewed by" } dd { @match &item.reviewed_by { Some(officer) => (officer), None => "nobody yet" } }
                }
                table {
                    thead { tr {
                        th { "Field" } th { "List" } th { "Reference" } th { "Listed name" }
                        th { "Matched" } th.num { "Score (bp)" }
                    } }
                    tbody {
                        @for hit in &item.hits {
                            tr {
                                td { (hit.field) } td { (hit.list) } td { (hit.reference) }
                                td { (hit.name) } td { (hit.matched_name) } td.num { (hit.score_bp) }
                            }
                        }
                    }
                }
                p.lists { "Lists: "
                    @for (i, list) in item.lists.iter().enumerate() {
                        @if i > 0 { ", " }
                        (list.source) " " code { (list.version) }
                        @if let Some(label) = &list.label { " " strong.label { (label) } }
                    }
                }
                @if let Some(me) = officer {
                    @let base = format!("/dashboard/compliance/{}", p.payment_id);
                    div.actions {
                        // Buttons follow the four-eyes steps; the hub enforces them whatever
                        // is posted.
                        @match &item.reviewed_by {
                            None => (action_button(signed, &format!("{base}/review"), "Review")),
                            Some(reviewer) if reviewer == me => p.note {
                                "You reviewed this payment: a second officer releases or rejects it."
                            },
                            Some(_) => {
                                (action_button(signed, &format!("{base}/release"), "Release"))
                                (action_button(signed, &format!("{base}/reject"), "Reject"))
                            },
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(
        status,
        page(signed, Section::Compliance, "Held payments", shown, content),
    ))
}

/// `GET /dashboard/compliance`.
pub async fn show(State(dash): State<Dashboard>, signed: Signed) -> Result<Response, Failure> {
    let flash = signed.flash.clone();
    render(&dash, &signed, StatusCode::OK, flash.as_ref()).await
}

/// `POST /dashboard/compliance/{id}/{review|release|reject}`: on success back to the queue
/// (303, the outcome shown once); a refusal re-renders the queue with the hub's code and the
/// API's status.
pub async fn act(
    State(dash): State<Dashboard>,
    PagePath((id, action)): PagePath<(PaymentId, String)>,
    posted: Posted<NoFields>,
) -> Result<Response, Failure> {
    let signed = posted.signed;
    let state = State(dash.app.clone());
    let caller = Caller(signed.principal.clone());
    let token = TokenHash(signed.token_hash);
    let result = match action.as_str() {
        "review" => compliance::review(state, caller, token, ApiPath(id)).await,
        "release" => compliance::release(state, caller, token, ApiPath(id)).await,
        "reject" => compliance::reject(state, caller, token, ApiPath(id)).await,
        _ => Err(ApiError::not_found(
            "action_not_found",
            "no such compliance action",
        )),
    };
    match result {
        Ok(done) => {
            let message = format!(
                "Payment {id}: {action} done; it is now {}.",
                wire_name(&done.0.status)
            );
            dash.sessions
                .flash(&signed.session_id, Notice::Done(message));
            Ok((StatusCode::SEE_OTHER, [(LOCATION, "/dashboard/compliance")]).into_response())
        }
        Err(error) => {
            let shown = Notice::from(&error);
            render(&dash, &signed, error.status(), Some(&shown)).await
        }
    }
}
