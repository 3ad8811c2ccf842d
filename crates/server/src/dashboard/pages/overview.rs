//! Overview: health (journal position, sanctions lists and their labels), payments by status,
//! held payments waiting, and settlement windows open and awaiting settlement.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use hub::{PaymentStatus, WindowStatus};
use maud::html;

use crate::dashboard::Dashboard;
use crate::dashboard::render::{Failure, Section, html_response, page, timestamp};
use crate::dashboard::session::Signed;
use crate::routes::system;

/// Figures copied out of the hub in one read.
struct Figures {
    by_status: BTreeMap<PaymentStatus, u64>,
    held: usize,
    windows_open: usize,
    windows_closed: usize,
}

fn figures(hub: &hub::Hub) -> Figures {
    let (mut windows_open, mut windows_closed) = (0, 0);
    for currency in hub.currencies() {
        for window in hub.windows(currency.code) {
            match window.status {
                WindowStatus::Open => windows_open += 1,
                WindowStatus::Closed => windows_closed += 1,
                WindowStatus::Settled | WindowStatus::Aborted => {}
            }
        }
    }
    Figures {
        by_status: hub.payment_counts(),
        held: hub.held_payments().count(),
        windows_open,
        windows_closed,
    }
}

/// `GET /dashboard`.
pub async fn show(State(dash): State<Dashboard>, signed: Signed) -> Result<Response, Failure> {
    let state = dash.app.clone();
    let health = system::health(axum::extract::State(state.clone())).await?.0;
    let journal = state.sequencer.metrics();
    let figures = state.read(figures).await?;
    let content = html! {
        section {
            h2 { "Health" }
            dl {
                dt { "Hub" } dd { (health.status) }
                dt { "Journal position" } dd { (journal.head_sequence) }
                dt { "UN list loaded" } dd { @if health.un_list_loaded { "yes" } @else { "no — payments are refused" } }
                @if let Some(generated) = &health.un_list_generated {
                    dt { "UN list generated" } dd { (generated) @if let Some(days) = health.un_list_age_days { " (" (days) " days ago)" } }
                }
            }
            @if !health.alarms.is_empty() {
                ul.alarms {
                    @for alarm in &health.alarms {
                        li { strong { (alarm.code) } ": " (alarm.message) }
                    }
                }
            }
            @if !health.list_overrides.is_empty() {
                table {
                    caption { "List checks overridden by the operator (journalled)" }
                    thead { tr { th { "Source" } th { "Version" } th.num { "Entries" } th { "Why it was refused" } th { "Recorded" } } }
                    tbody {
                        @for o in &health.list_overrides {
                            tr {
                                td { (o.source) } td { code { (o.version) } } td.num { (o.entries) }
                                td { (o.reason) } td { (timestamp(o.recorded_at_ns)) }
                            }
                        }
                    }
                }
            }
            table {
                caption { "Sanctions lists" }
                thead { tr { th { "Source" } th { "Version" } th { "Label" } } }
                tbody {
                    @for list in &health.lists {
                        tr {
                            td { (list.source) }
                            td { code { (list.version) } }
                            td { @if let Some(label) = &list.label { strong.label { (label) } } }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Payments" }
            table {
                thead { tr { th { "Status" } th.num { "Count" } } }
                tbody {
                    @for (status, count) in &figures.by_status {
                        tr {
                            td { a href={ "/dashboard/payments?status=" (status.code()) } { (status.code()) } }
                            td.num { (count) }
                        }
                    }
                }
            }
            dl {
                dt { "Held for compliance, waiting" } dd { (figures.held) }
                dt { "Settlement windows open" } dd { (figures.windows_open) }
                dt { "Settlement windows closed, awaiting settlement" } dd { (figures.windows_closed) }
            }
        }
    };
    let flash = signed.flash.clone();
    let mut response = html_response(
        StatusCode::OK,
        page(
            &signed,
            Section::Overview,
            "Overview",
            flash.as_ref(),
            content,
        ),
    );
    // The overview has no form to lose, so the browser reloads it to stay current (no script).
    response.headers_mut().insert(
        HeaderName::from_static("refresh"),
        HeaderValue::from_static(OVERVIEW_REFRESH_SECS),
    );
    Ok(response)
}

/// Seconds between reloads of the overview.
const OVERVIEW_REFRESH_SECS: &str = "30";
