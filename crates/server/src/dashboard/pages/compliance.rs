//! Compliance: held payments with their hits, and the officers' review / release / reject; false
//! positives proposed from a hit, confirmed by a second officer, revoked — all through the
//! API's own handlers (the hub enforces four eyes; its refusal is shown as is).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use hub::{FalsePositiveId, PaymentId, Principal};
use maud::{Markup, html};
use serde::Deserialize;

use crate::app::compliance::{self, HoldStep};
use crate::app::false_positives;
use crate::app::queries;
use crate::dashboard::Dashboard;
use crate::dashboard::extract::{PagePath, PageQuery};
use crate::dashboard::guard::Posted;
use crate::dashboard::pages::sign_in::NoFields;
use crate::dashboard::render::{
    Failure, Notice, ParticipantLabels, Section, action_button, age, csrf_field, html_response,
    money, now_ns, page, timestamp, wire_name,
};
use crate::dashboard::session::Signed;
use crate::error::ApiError;
use crate::error::Code;
use crate::screen::SUSPICION_LIST;
use crate::wire::{FalsePositiveRequest, FalsePositiveView};

async fn render(
    dash: &Dashboard,
    signed: &Signed,
    status: StatusCode,
    shown: Option<&Notice>,
    mine_only: bool,
) -> Result<Response, Failure> {
    let held = queries::held(&dash.app, &signed.principal).await?;
    let decisions = false_positives::list(&dash.app, &signed.principal).await?;
    let names = ParticipantLabels::load(&dash.app).await?;
    let now = now_ns();
    // Only officers act; the operator watches the queue.
    let officer = match &signed.principal {
        Principal::ComplianceOfficer(name) => Some(name.as_str()),
        _ => None,
    };
    // "Waiting for me": what this officer can act on — not yet reviewed, or reviewed by
    // another officer and so waiting for a second pair of eyes.
    let held: Vec<_> = match officer {
        Some(me) if mine_only => held
            .into_iter()
            .filter(|item| item.reviewed_by.as_deref() != Some(me))
            .collect(),
        _ => held,
    };
    let content = html! {
        @if officer.is_some() {
            p.filter {
                @if mine_only { a href="/dashboard/compliance" { "Show all held payments" } }
                @else { a href="/dashboard/compliance?mine=1" { "Show only what waits for me" } }
            }
        }
        @if held.is_empty() { p { "No payments are held." } }
        @for item in &held {
            @let p = &item.payment;
            section.held {
                h2 { a href={ "/dashboard/payments/" (p.payment_id) } { code { (p.payment_id) } } }
                dl {
                    dt { "Amount" } dd { (money(&p.amount, &p.currency)) }
                    dt { "Debtor" } dd { (p.debtor.name) " (" (p.debtor.country) "), at " (names.of(p.debtor_participant)) }
                    dt { "Creditor" } dd { (p.creditor.name) " (" (p.creditor.country) "), at " (names.of(p.creditor_participant)) }
                    dt { "Created" } dd { (timestamp(p.created_at_ns)) }
                    dt { "Waiting" } dd { (age(p.created_at_ns, now)) }
                    dt { "Status" } dd { (wire_name(&p.status)) }
                    dt { "Reviewed by" } dd { @match &item.reviewed_by { Some(officer) => (officer), None => "nobody yet" } }
                }
                table {
                    thead { tr {
                        th { "Field" } th { "List" } th { "Reference" } th { "Listed name" }
                        th { "Matched" } th.num { "Score (bp)" }
                        @if officer.is_some() { th { "Not this entry?" } }
                    } }
                    tbody {
                        @for hit in &item.hits {
                            tr {
                                td { (hit.field) } td { (hit.list) } td { (hit.reference) }
                                td { (hit.name) } td { (hit.matched_name) } td.num { (hit.score_bp) }
                                @if officer.is_some() {
                                    td { @if PARTY_NAME_FIELDS.contains(&hit.field.as_str()) && hit.list != SUSPICION_LIST {
                                        (false_positive_form(signed, p.payment_id, &hit.field, &hit.list, &hit.reference))
                                    } }
                                }
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
    let content = html! {
        (content)
        (decisions_section(signed, officer, &decisions, &names))
    };
    Ok(html_response(
        status,
        page(signed, Section::Compliance, "Held payments", shown, content),
    ))
}

/// The fields a false positive may concern: a party's name.
const PARTY_NAME_FIELDS: [&str; 5] = [
    "debtor.name",
    "creditor.name",
    "ultimate_debtor.name",
    "ultimate_creditor.name",
    "initiating_party.name",
];

/// A note and a button: propose that this hit's party is not the listed entry.
fn false_positive_form(
    signed: &Signed,
    payment: PaymentId,
    field: &str,
    list: &str,
    reference: &str,
) -> Markup {
    html! {
        form.inline method="post" action={ "/dashboard/compliance/" (payment) "/false-positive" } {
            (csrf_field(signed))
            input type="hidden" name="field" value=(field);
            input type="hidden" name="list" value=(list);
            input type="hidden" name="reference" value=(reference);
            input type="text" name="note" required maxlength="512"
                placeholder="Why the party is not the listed entry" aria-label="Note";
            button type="submit" { "Propose false positive" }
        }
    }
}

/// False positives: proposals waiting for a second officer, those in force, and revoked ones.
fn decisions_section(
    signed: &Signed,
    officer: Option<&str>,
    decisions: &[FalsePositiveView],
    names: &ParticipantLabels,
) -> Markup {
    html! {
        section.false-positives {
            h2 { "False positives" }
            @if decisions.is_empty() { p { "None proposed." } }
            @else {
                table {
                    thead { tr {
                        th.num { "#" } th { "Status" } th { "Participant" } th { "Party" }
                        th { "Entry" } th { "Note" } th { "Proposed by" } th { "Confirmed by" }
                        @if officer.is_some() { th { "Action" } }
                    } }
                    tbody {
                        @for fp in decisions {
                            @let base = format!("/dashboard/false-positives/{}", fp.id);
                            tr {
                                td.num { (fp.id) }
                                td { (fp.status) @if !fp.entry_current { " (entry amended: no longer applies)" } }
                                td { (names.of(fp.participant)) }
                                td { (fp.party_name) }
                                td { (fp.list) " " (fp.reference) " " (fp.listed_name) }
                                td { (fp.note) }
                                td { (fp.proposed_by) " " (timestamp(fp.proposed_at_ns)) }
                                td { @if let Some(by) = &fp.confirmed_by { (by) } }
                                @if let Some(me) = officer {
                                    td {
                                        @if fp.status == "proposed" && fp.proposed_by != me {
                                            (action_button(signed, &format!("{base}/confirm"), "Confirm"))
                                        }
                                        @if fp.status != "revoked" {
                                            (action_button(signed, &format!("{base}/revoke"), "Revoke"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The proposal form's fields.
#[derive(Deserialize)]
pub struct ProposalForm {
    field: String,
    list: String,
    reference: String,
    note: String,
}

/// `POST /dashboard/compliance/{id}/false-positive`.
pub async fn propose(
    State(dash): State<Dashboard>,
    PagePath(id): PagePath<PaymentId>,
    posted: Posted<ProposalForm>,
) -> Result<Response, Failure> {
    let Posted { signed, form } = posted;
    let request = FalsePositiveRequest {
        payment_id: id,
        field: form.field,
        list: form.list,
        reference: form.reference,
        note: form.note,
    };
    let result =
        false_positives::propose(&dash.app, &signed.principal, signed.token_hash, request).await;
    match result {
        Ok(record) => {
            let message = format!(
                "False positive {} proposed; a second officer confirms it.",
                record.id
            );
            back_to_queue(&dash, &signed, message)
        }
        Err(error) => {
            let shown = Notice::from(&error);
            render(&dash, &signed, error.status(), Some(&shown), false).await
        }
    }
}

/// `POST /dashboard/false-positives/{id}/{confirm|revoke}`.
pub async fn decide(
    State(dash): State<Dashboard>,
    PagePath((id, action)): PagePath<(u64, String)>,
    posted: Posted<NoFields>,
) -> Result<Response, Failure> {
    let signed = posted.signed;
    let (state, caller, id) = (&dash.app, &signed.principal, FalsePositiveId(id));
    let result = match action.as_str() {
        "confirm" => false_positives::confirm(state, caller, signed.token_hash, id).await,
        "revoke" => false_positives::revoke(state, caller, id).await,
        _ => Err(ApiError::not_found(
            Code::ActionNotFound,
            "no such false-positive action",
        )),
    };
    match result {
        Ok(record) => {
            let message = format!(
                "False positive {}: {action} done; it is now {}.",
                id.0, record.status
            );
            back_to_queue(&dash, &signed, message)
        }
        Err(error) => {
            let shown = Notice::from(&error);
            render(&dash, &signed, error.status(), Some(&shown), false).await
        }
    }
}

/// 303 to the queue, with `message` shown there once.
fn back_to_queue(dash: &Dashboard, signed: &Signed, message: String) -> Result<Response, Failure> {
    dash.sessions
        .flash(&signed.session_id, Notice::Done(message));
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/dashboard/compliance")]).into_response())
}

/// Query of the queue page: `mine=1` shows only what waits for the signed-in officer.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    #[serde(default)]
    mine: Option<String>,
}

/// `GET /dashboard/compliance[?mine=1]`.
pub async fn show(
    State(dash): State<Dashboard>,
    signed: Signed,
    PageQuery(query): PageQuery<QueueQuery>,
) -> Result<Response, Failure> {
    let flash = signed.flash.clone();
    let mine_only = query.mine.as_deref().is_some_and(|m| m == "1");
    render(&dash, &signed, StatusCode::OK, flash.as_ref(), mine_only).await
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
    let step = match action.as_str() {
        "review" => Ok(HoldStep::Review),
        "release" => Ok(HoldStep::Release),
        "reject" => Ok(HoldStep::Reject),
        _ => Err(ApiError::not_found(
            Code::ActionNotFound,
            "no such compliance action",
        )),
    };
    let result = match step {
        Ok(step) => {
            compliance::hold(&dash.app, &signed.principal, signed.token_hash, id, step).await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(done) => {
            let mut message = format!(
                "Payment {id}: {action} done; it is now {}",
                wire_name(&done.status)
            );
            // A release that could not reserve says why (an expired quote, no funds, ...).
            if let Some(reason) = &done.reason_code {
                message.push_str(&format!(" ({reason})"));
            }
            message.push('.');
            back_to_queue(&dash, &signed, message)
        }
        Err(error) => {
            let shown = Notice::from(&error);
            render(&dash, &signed, error.status(), Some(&shown), false).await
        }
    }
}
