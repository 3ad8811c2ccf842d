//! The router: every endpoint under `/v1`, plus `/metrics`; and helpers shared by handlers.

pub mod bulk;
pub mod compliance;
pub mod credentials;
pub mod false_positives;
pub mod fx;
pub mod hooks;
pub mod inbox;
pub mod participants;
pub mod payments;
pub mod queries;
pub mod queue;
pub mod system;
pub mod windows;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use hub::{Command, Success};

use crate::error::ApiError;
use crate::extract::BODY_BYTES_MAX;
use crate::state::{AppState, hub_error};

/// Builds the application's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(system::health))
        .route("/v1/openapi.json", get(system::openapi))
        .route("/metrics", get(system::metrics))
        .route("/v1/lists/reload", post(system::reload_lists))
        .route(
            "/v1/currencies",
            post(participants::add_currency).get(queries::currencies),
        )
        .route(
            "/v1/credentials",
            post(credentials::create).get(credentials::list),
        )
        .route("/v1/credentials/{id}/revoke", post(credentials::revoke))
        .route(
            "/v1/participants",
            post(participants::admit).get(queries::participants),
        )
        .route("/v1/participants/{id}", get(queries::participant))
        .route("/v1/participants/{id}/suspend", post(participants::suspend))
        .route(
            "/v1/participants/{id}/reactivate",
            post(participants::reactivate),
        )
        .route(
            "/v1/participants/{id}/net-debit-cap",
            put(participants::set_net_debit_cap),
        )
        .route(
            "/v1/participants/{id}/liquidity/deposits",
            post(participants::deposit),
        )
        .route(
            "/v1/participants/{id}/liquidity/withdrawals",
            post(participants::withdraw),
        )
        .route("/v1/participants/{id}/balances", get(queries::balances))
        .route(
            "/v1/participants/{id}/webhook",
            put(hooks::put).get(hooks::get).delete(hooks::delete),
        )
        .route(
            "/v1/payments",
            post(payments::create).get(queries::payments),
        )
        .route("/v1/payments/bulk", post(bulk::payments))
        .route("/v1/payments/bulk-decisions", post(bulk::decisions))
        .route("/v1/payments/{id}", get(queries::payment))
        .route("/v1/payments/{id}/accept", post(payments::accept))
        .route("/v1/payments/{id}/reject", post(payments::reject))
        .route("/v1/payments/{id}/return", post(payments::return_payment))
        .route("/v1/payments/{id}/cancel", post(payments::cancel))
        .route("/v1/inbox", get(inbox::inbox))
        .route("/v1/compliance/held", get(queries::held))
        .route("/v1/compliance/held/{id}/review", post(compliance::review))
        .route(
            "/v1/compliance/held/{id}/release",
            post(compliance::release),
        )
        .route("/v1/compliance/held/{id}/reject", post(compliance::reject))
        .route("/v1/screening/match", post(compliance::screen_match))
        .route(
            "/v1/compliance/false-positives",
            get(false_positives::list).post(false_positives::propose),
        )
        .route(
            "/v1/compliance/false-positives/{id}/confirm",
            post(false_positives::confirm),
        )
        .route(
            "/v1/compliance/false-positives/{id}/revoke",
            post(false_positives::revoke),
        )
        .route("/v1/fx/rates", post(fx::publish_rate).get(fx::rates))
        .route("/v1/fx/quotes", post(fx::request_quote))
        .route("/v1/fx/quotes/{id}", get(fx::quote))
        .route(
            "/v1/settlement/queues/{currency}",
            put(queue::put).get(queue::get),
        )
        .route("/v1/settlement/windows", get(windows::list))
        .route("/v1/settlement/windows/close", post(windows::close))
        .route("/v1/settlement/windows/{id}", get(windows::get))
        .route("/v1/settlement/windows/{id}/settle", post(windows::settle))
        .route("/v1/settlement/windows/{id}/abort", post(windows::abort))
        .route(
            "/v1/settlement/windows/{id}/report.csv",
            get(windows::report_csv),
        )
        .merge(crate::iso::router())
        .merge(crate::dashboard::router(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(BODY_BYTES_MAX))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("route_not_found", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Counts responses by status and logs each request.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.response(status);
    tracing::debug!(%method, %path, status, "request");
    response
}

/// Submits a command and turns a hub refusal into its API error.
pub async fn submit_expect(state: &AppState, command: Command) -> Result<Success, ApiError> {
    state.submit(command).await?.map_err(hub_error)
}

/// A success of the wrong kind is a bug between server and hub: log it, answer 500.
pub fn unexpected(success: &Success) -> ApiError {
    tracing::error!(?success, "hub answered with an unexpected success kind");
    ApiError::Internal
}
