//! The one place the application's routes are assembled: the JSON API (`routes/`), ISO 20022
//! (`iso/`) and the dashboard (`dashboard/`), which do not import one another, and the layers
//! every request passes (metrics, body limit, fallbacks).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};

use crate::error::{ApiError, Code};
use crate::extract::BODY_BYTES_MAX;
use crate::routes;
use crate::state::AppState;

/// Builds the application's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(routes::system::health))
        .route("/v1/ready", get(routes::system::ready))
        .route("/v1/openapi.json", get(routes::system::openapi))
        .route("/metrics", get(routes::system::metrics))
        .route("/v1/lists/reload", post(routes::system::reload_lists))
        .route(
            "/v1/currencies",
            post(routes::participants::add_currency).get(routes::queries::currencies),
        )
        .route(
            "/v1/credentials",
            post(routes::credentials::create).get(routes::credentials::list),
        )
        .route(
            "/v1/credentials/{id}/revoke",
            post(routes::credentials::revoke),
        )
        .route(
            "/v1/participants",
            post(routes::participants::admit).get(routes::queries::participants),
        )
        .route("/v1/participants/{id}", get(routes::queries::participant))
        .route(
            "/v1/participants/{id}/suspend",
            post(routes::participants::suspend),
        )
        .route(
            "/v1/participants/{id}/reactivate",
            post(routes::participants::reactivate),
        )
        .route(
            "/v1/participants/{id}/net-debit-cap",
            put(routes::participants::set_net_debit_cap),
        )
        .route(
            "/v1/participants/{id}/liquidity/deposits",
            post(routes::participants::deposit),
        )
        .route(
            "/v1/participants/{id}/liquidity/withdrawals",
            post(routes::participants::withdraw),
        )
        .route(
            "/v1/participants/{id}/balances",
            get(routes::queries::balances),
        )
        .route(
            "/v1/participants/{id}/webhook",
            put(routes::hooks::put)
                .get(routes::hooks::get)
                .delete(routes::hooks::delete),
        )
        .route(
            "/v1/payments",
            post(routes::payments::create).get(routes::queries::payments),
        )
        .route("/v1/payments/bulk", post(routes::bulk::payments))
        .route("/v1/payments/bulk-decisions", post(routes::bulk::decisions))
        .route("/v1/payments/{id}", get(routes::queries::payment))
        .route("/v1/payments/{id}/accept", post(routes::payments::accept))
        .route("/v1/payments/{id}/reject", post(routes::payments::reject))
        .route(
            "/v1/payments/{id}/return",
            post(routes::payments::return_payment),
        )
        .route("/v1/payments/{id}/cancel", post(routes::payments::cancel))
        .route("/v1/inbox", get(routes::inbox::inbox))
        .route("/v1/compliance/held", get(routes::queries::held))
        .route(
            "/v1/compliance/held/{id}/review",
            post(routes::compliance::review),
        )
        .route(
            "/v1/compliance/held/{id}/release",
            post(routes::compliance::release),
        )
        .route(
            "/v1/compliance/held/{id}/reject",
            post(routes::compliance::reject),
        )
        .route(
            "/v1/screening/match",
            post(routes::compliance::screen_match),
        )
        .route(
            "/v1/compliance/false-positives",
            get(routes::false_positives::list).post(routes::false_positives::propose),
        )
        .route(
            "/v1/compliance/false-positives/{id}/confirm",
            post(routes::false_positives::confirm),
        )
        .route(
            "/v1/compliance/false-positives/{id}/revoke",
            post(routes::false_positives::revoke),
        )
        .route(
            "/v1/fx/rates",
            post(routes::fx::publish_rate).get(routes::fx::rates),
        )
        .route("/v1/fx/quotes", post(routes::fx::request_quote))
        .route("/v1/fx/quotes/{id}", get(routes::fx::quote))
        .route(
            "/v1/settlement/queues/{currency}",
            put(routes::queue::put).get(routes::queue::get),
        )
        .route("/v1/settlement/windows", get(routes::windows::list))
        .route("/v1/settlement/windows/close", post(routes::windows::close))
        .route("/v1/settlement/windows/{id}", get(routes::windows::get))
        .route(
            "/v1/settlement/windows/{id}/settle",
            post(routes::windows::settle),
        )
        .route(
            "/v1/settlement/windows/{id}/abort",
            post(routes::windows::abort),
        )
        .route(
            "/v1/settlement/windows/{id}/report.csv",
            get(routes::windows::report_csv),
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
    ApiError::not_found(Code::RouteNotFound, "no such endpoint")
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
