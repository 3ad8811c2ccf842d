//! Participants: the directory with each participant's balances per currency, formatted to the
//! currency's minor units by the API's own balance view.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use crate::app::queries;
use crate::dashboard::Dashboard;
use crate::dashboard::chart::{self, PositionBar};
use crate::dashboard::render::{Failure, Section, html_response, money, page, wire_name};
use crate::dashboard::session::Signed;

/// `GET /dashboard/participants`.
pub async fn show(State(dash): State<Dashboard>, signed: Signed) -> Result<Response, Failure> {
    let state = &dash.app;
    let participants = queries::participants(state).await?;
    let mut balances: std::collections::HashMap<_, _> =
        queries::all_balances(state, &signed.principal)
            .await?
            .into_iter()
            .collect();
    let rows: Vec<_> = participants
        .into_iter()
        .map(|p| {
            let views = balances
                .remove(&hub::ParticipantId(p.id))
                .unwrap_or_default();
            (p, views)
        })
        .collect();
    let bars: Vec<PositionBar> = rows
        .iter()
        .flat_map(|(p, balances)| {
            balances
                .iter()
                .filter(|b| number_is_not_zero(&b.position) || number_is_not_zero(&b.net_debit_cap))
                .map(|b| PositionBar {
                    label: p.name.clone(),
                    position: b.position.clone(),
                    cap: b.net_debit_cap.clone(),
                    currency: b.currency.clone(),
                })
        })
        .collect();
    let content = html! {
        @if !bars.is_empty() {
            section.picture {
                h2 { "Net positions against caps" }
                (chart::positions(&bars))
            }
        }
        @if rows.is_empty() { p { "No participants admitted yet." } }
        @for (participant, balances) in &rows {
            section.participant {
                h2 { (participant.name) }
                dl {
                    dt { "Id" } dd { (participant.id) }
                    dt { "BIC" } dd { code { (participant.bic) } }
                    dt { "Country" } dd { (participant.country) }
                    dt { "Status" } dd { (wire_name(&participant.status)) }
                    dt { "Roles" } dd {
                        @for (i, role) in participant.roles.iter().enumerate() {
                            @if i > 0 { ", " }
                            (wire_name(role))
                        }
                    }
                }
                table {
                    thead { tr {
                        th { "Currency" } th.num { "Position" } th.num { "Liquidity" }
                        th.num { "Net debit cap" } th.num { "Available" }
                        th.num { "Pending debits" } th.num { "Pending credits" }
                    } }
                    tbody {
                        @for b in balances {
                            tr {
                                td { (b.currency) }
                                td.num { (money(&b.position, &b.currency)) }
                                td.num { (money(&b.liquidity, &b.currency)) }
                                td.num { (money(&b.net_debit_cap, &b.currency)) }
                                td.num { (money(&b.available, &b.currency)) }
                                td.num { (money(&b.pending_debits, &b.currency)) }
                                td.num { (money(&b.pending_credits, &b.currency)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let flash = signed.flash.clone();
    Ok(html_response(
        StatusCode::OK,
        page(
            &signed,
            Section::Participants,
            "Participants",
            flash.as_ref(),
            content,
        ),
    ))
}

/// Whether a decimal amount ("0.00", "-12.34") is other than zero.
fn number_is_not_zero(decimal: &str) -> bool {
    decimal.bytes().any(|b| (b'1'..=b'9').contains(&b))
}
