//! Payments: the latest page (status filter, cursor pagination, through the API's own
//! `GET /v1/payments` handler) and one payment's detail with its audit trail and screening hits.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hub::state::{Hold, Step, StepKind};
use hub::{PaymentId, ScreeningVerdict};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::app::queries::{self, copy, payment_wire};
use crate::dashboard::Dashboard;
use crate::dashboard::extract::{PagePath, PageQuery};
use crate::dashboard::render::{
    Failure, ParticipantLabels, Section, html_response, money, page, timestamp, who, wire_name,
};
use crate::dashboard::session::Signed;
use crate::error::ApiError;
use crate::error::hub_error;
use crate::wire::{PaymentListQuery, PaymentOrderWire, PaymentStatusWire, PaymentView};

/// Payments per dashboard page.
const PAGE_SIZE: usize = 50;

/// Every status, for the filter.
const STATUSES: [PaymentStatusWire; 7] = [
    PaymentStatusWire::Held,
    PaymentStatusWire::Queued,
    PaymentStatusWire::Reserved,
    PaymentStatusWire::Committed,
    PaymentStatusWire::Rejected,
    PaymentStatusWire::Expired,
    PaymentStatusWire::Returned,
];

/// Query of the list page; an empty `status` (the filter's "all") means none.
#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// ISO 4217 code; empty means every currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    /// A participant's id or BIC (debtor or creditor); empty means every participant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    participant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// The participant a filter names, by id or BIC.
fn participant_filter(
    text: Option<&str>,
    labels: &[(u64, String)],
) -> Result<Option<u64>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(id) = text.parse::<u64>() {
        return Ok(Some(id));
    }
    labels
        .iter()
        .find(|(_, bic)| bic.eq_ignore_ascii_case(text))
        .map(|(id, _)| Some(*id))
        .ok_or_else(|| ApiError::InvalidQuery {
            message: format!("no participant has id or BIC {text:?}"),
        })
}

fn status_filter(text: Option<&str>) -> Result<Option<PaymentStatusWire>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .map(Some)
            .map_err(|_| ApiError::InvalidQuery {
                message: format!("unknown payment status {text:?}"),
            }),
    }
}

/// A table of payments, each linking to its detail.
pub fn table(payments: &[PaymentView], names: &ParticipantLabels) -> Markup {
    html! {
        table {
            thead { tr {
                th { "Payment" } th { "Created" } th { "Debtor → creditor" }
                th.num { "Amount" } th { "Status" } th { "Reason" }
            } }
            tbody {
                @for p in payments {
                    tr {
                        td { a href={ "/dashboard/payments/" (p.payment_id) } { code { (p.payment_id) } } }
                        td { (timestamp(p.created_at_ns)) }
                        td { (names.of(p.debtor_participant)) " → " (names.of(p.creditor_participant)) }
                        td.num { (money(&p.amount, &p.currency)) }
                        td { (wire_name(&p.status)) }
                        td { @if let Some(code) = &p.reason_code { code { (code) } } }
                    }
                }
            }
        }
    }
}

/// `GET /dashboard/payments?status=&cursor=`.
pub async fn list(
    State(dash): State<Dashboard>,
    signed: Signed,
    PageQuery(query): PageQuery<ListQuery>,
) -> Result<Response, Failure> {
    let status = status_filter(query.status.as_deref())?;
    let bics: Vec<(u64, String)> = dash
        .app
        .read(|hub| {
            hub.participants()
                .iter()
                .map(|p| (p.id.0, p.bic.as_str().to_owned()))
                .collect()
        })
        .await?;
    let participant = participant_filter(query.participant.as_deref(), &bics)?;
    let currency = query
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase);
    let api_query = PaymentListQuery {
        status,
        participant,
        currency: currency.clone(),
        cursor: query.cursor.clone(),
        limit: Some(PAGE_SIZE),
        // People look for what just happened first.
        order: Some(PaymentOrderWire::NewestFirst),
    };
    let page_of = queries::payments(&dash.app, &signed.principal, api_query).await?;
    let names = ParticipantLabels::load(&dash.app).await?;
    let next = page_of.next_cursor.as_ref().map(|cursor| {
        let next = ListQuery {
            status: status.map(|s| wire_name(&s)),
            currency: currency.clone(),
            participant: query.participant.clone(),
            cursor: Some(cursor.clone()),
        };
        serde_urlencoded::to_string(&next).unwrap_or_default()
    });
    let content = html! {
        form.filter method="get" action="/dashboard/payments" {
            label for="status" { "Status" }
            select #status name="status" {
                option value="" { "all" }
                @for s in STATUSES {
                    option value=(wire_name(&s)) selected[status == Some(s)] { (wire_name(&s)) }
                }
            }
            label for="currency" { "Currency" }
            input #currency type="text" name="currency" size="4" maxlength="3" placeholder="all"
                value=[currency.as_deref()];
            label for="participant" { "Bank (id or BIC)" }
            input #participant type="text" name="participant" size="12" placeholder="all"
                value=[query.participant.as_deref()];
            button type="submit" { "Filter" }
        }
        @if page_of.payments.is_empty() { p { "No payments match." } }
        @else { (table(&page_of.payments, &names)) }
        @if let Some(next) = next {
            p { a href={ "/dashboard/payments?" (next) } { "Next page →" } }
        }
    };
    let flash = signed.flash.clone();
    Ok(html_response(
        StatusCode::OK,
        page(
            &signed,
            Section::Payments,
            "Payments",
            flash.as_ref(),
            content,
        ),
    ))
}

fn step_text(kind: &StepKind) -> String {
    match kind {
        StepKind::Received => "received".into(),
        StepKind::Held => "held for compliance".into(),
        StepKind::HoldReviewed => "hold reviewed".into(),
        StepKind::HoldReleased => "hold released".into(),
        StepKind::HoldRejected => "hold rejected".into(),
        StepKind::Reserved => "reserved".into(),
        StepKind::Committed => "committed".into(),
        StepKind::Rejected(reason) => format!("rejected: {}", reason.code()),
        StepKind::Expired => "expired".into(),
        StepKind::Returned { return_payment } => format!("returned by {return_payment}"),
        StepKind::Queued => "queued for liquidity".into(),
        StepKind::CancellationRequested { reason } => {
            format!("cancellation requested: {}", reason.code())
        }
        StepKind::HitsCleared { false_positives } => {
            let ids: Vec<String> = false_positives.iter().map(|id| id.0.to_string()).collect();
            format!("hits cleared by false positives {}", ids.join(", "))
        }
        StepKind::HeldParticipantSanctioned { participant } => {
            format!("reservation voided and held: participant {participant} hits a sanctions list")
        }
    }
}

fn trail(history: &[Step]) -> Markup {
    html! {
        table {
            caption { "Audit trail" }
            thead { tr { th { "When" } th { "What" } th { "By" } } }
            tbody {
                @for step in history {
                    tr {
                        td { (timestamp(step.at)) }
                        td { (step_text(&step.kind)) }
                        td { @match &step.by { Some(by) => (who(by)), None => "hub" } }
                    }
                }
            }
        }
    }
}

fn screening(
    verdict: &ScreeningVerdict,
    hold: Option<&Hold>,
    labels: &BTreeMap<String, String>,
) -> Markup {
    html! {
        table {
            caption { "Screening hits" }
            thead { tr {
                th { "Field" } th { "List" } th { "Reference" } th { "Listed name" }
                th { "Matched" } th.num { "Score (bp)" }
            } }
            tbody {
                @for hit in &verdict.hits {
                    tr {
                        td { (hit.party.field()) }
                        td { (hit.list) }
                        td { (hit.reference) }
                        td { (hit.name) }
                        td { (hit.matched_name) }
                        td.num { (hit.score_bp) }
                    }
                }
            }
        }
        p { "Screened against: "
            @for (i, list) in verdict.lists.iter().enumerate() {
                @if i > 0 { ", " }
                (list.source) " " code { (list.version) }
                @if let Some(label) = labels.get(&list.version) { " " strong.label { (label) } }
            }
        }
        @if let Some(hold) = hold {
            dl {
                dt { "Reviewed by" }
                dd { @match &hold.reviewed { Some(s) => { (s.officer) " at " (timestamp(s.at)) }, None => "nobody yet" } }
                dt { "Decided by" }
                dd { @match &hold.decided { Some(s) => { (s.officer) " at " (timestamp(s.at)) }, None => "nobody yet" } }
            }
        }
    }
}

/// `GET /dashboard/payments/{id}`.
pub async fn detail(
    State(dash): State<Dashboard>,
    signed: Signed,
    PagePath(id): PagePath<PaymentId>,
) -> Result<Response, Failure> {
    let viewer = signed.principal.clone();
    let (copied, history, verdict, hold) = dash
        .app
        .read(move |hub| {
            hub.payment_for(&viewer, id).map(|p| {
                (
                    copy(hub, p),
                    p.history.clone(),
                    p.screening.clone(),
                    p.hold.clone(),
                )
            })
        })
        .await?
        .ok_or_else(|| hub_error(hub::HubError::PaymentNotFound))?;
    let view = payment_wire(&copied);
    let names = ParticipantLabels::load(&dash.app).await?;
    let content = html! {
        dl {
            dt { "Status" } dd { (wire_name(&view.status)) }
            @if let Some(code) = &view.reason_code { dt { "Reason" } dd { code { (code) } } }
            dt { "Amount" } dd { (money(&view.amount, &view.currency)) }
            @if let Some(fx) = &view.fx {
                dt { "Creditor receives" } dd { (money(&fx.target_amount, &fx.target_currency)) " (FX provider " (fx.provider) ")" }
            }
            dt { "End-to-end id" } dd { (view.end_to_end_id) }
            dt { "Debtor" } dd { (view.debtor.name) " (" (view.debtor.country) "), at " (names.of(view.debtor_participant)) }
            dt { "Creditor" } dd { (view.creditor.name) " (" (view.creditor.country) "), at " (names.of(view.creditor_participant)) }
            @if let Some(party) = &view.ultimate_debtor { dt { "Ultimate debtor" } dd { (party.name) } }
            @if let Some(party) = &view.ultimate_creditor { dt { "Ultimate creditor" } dd { (party.name) } }
            @if let Some(party) = &view.initiating_party { dt { "Initiating party" } dd { (party.name) } }
            @for (role, agent) in [("Debtor agent", &view.debtor_agent), ("Creditor agent", &view.creditor_agent)] {
                @if let Some(agent) = agent {
                    dt { (role) } dd { (agent.name.as_deref().unwrap_or_default()) " " (agent.bic.as_deref().unwrap_or_default()) }
                }
            }
            @for (n, agent) in view.intermediary_agents.iter().enumerate() {
                dt { "Intermediary agent " (n.saturating_add(1)) } dd { (agent.name.as_deref().unwrap_or_default()) " " (agent.bic.as_deref().unwrap_or_default()) }
            }
            @if let Some(info) = &view.remittance_info { dt { "Remittance" } dd { (info) } }
            @for text in &view.remittance_structured { dt { "Remittance (structured)" } dd { (text) } }
            dt { "Created" } dd { (timestamp(view.created_at_ns)) }
            dt { "Expires" } dd { (timestamp(view.expires_at_ns)) }
        }
        (trail(&history))
        (screening(&verdict, hold.as_ref(), &dash.app.screener.list_labels()))
    };
    let title = format!("Payment {id}");
    let flash = signed.flash.clone();
    Ok(html_response(
        StatusCode::OK,
        page(&signed, Section::Payments, &title, flash.as_ref(), content),
    ))
}
