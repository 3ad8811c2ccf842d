//! The operator web dashboard under `/dashboard`: server-rendered HTML (no JavaScript) for the
//! operator, compliance officers and auditors.
//!
//! # Shape
//! Pages and actions call the service layer's operations ([`crate::app`]) with the signed-in
//! principal as the caller, the same operations the JSON routes call, so reads, role checks,
//! validation and hub commands are exactly the API's; the dashboard only renders their views and
//! shows their refusals (machine code and message). (The overview still reads health through
//! `routes::system`, whose health code is being reworked for failover.) Sign-in takes a bearer token once and keeps a server-side session ([`session`]);
//! every POST passes the origin and CSRF checks of [`guard`].
//!
//! # Headers
//! Every response carries a strict Content-Security-Policy (no scripts at all; styles only from
//! `/dashboard/style.css`, compiled into the binary), `nosniff`, `Referrer-Policy: same-origin` and `no-store`.

mod chart;
mod extract;
mod guard;
mod pages;
mod render;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use crate::state::AppState;
use render::Failure;
use session::Sessions;

/// The dashboard's Content-Security-Policy.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'";
/// Largest form body accepted (forms carry a token, an id or two).
const FORM_BYTES_MAX: usize = 16 * 1024;
const STYLE: &str = include_str!("style.css");

/// State of the dashboard's handlers: the server's state and the session store.
#[derive(Clone)]
pub struct Dashboard {
    pub app: AppState,
    pub sessions: Arc<Sessions>,
}

/// The dashboard's routes, to merge into the server's router.
pub fn router(state: &AppState) -> Router<AppState> {
    let dashboard = Dashboard {
        app: state.clone(),
        sessions: Arc::new(Sessions::new()),
    };
    Router::new()
        .route("/dashboard", get(pages::overview::show))
        .route("/dashboard/style.css", get(style))
        .route(
            "/dashboard/sign-in",
            get(pages::sign_in::form).post(pages::sign_in::submit),
        )
        .route("/dashboard/sign-out", post(pages::sign_in::sign_out))
        .route("/dashboard/participants", get(pages::participants::show))
        .route("/dashboard/payments", get(pages::payments::list))
        .route("/dashboard/payments/{id}", get(pages::payments::detail))
        .route("/dashboard/compliance", get(pages::compliance::show))
        .route(
            "/dashboard/compliance/{id}/false-positive",
            post(pages::compliance::propose),
        )
        .route(
            "/dashboard/compliance/{id}/{action}",
            post(pages::compliance::act),
        )
        .route(
            "/dashboard/false-positives/{id}/{action}",
            post(pages::compliance::decide),
        )
        .route("/dashboard/settlement", get(pages::settlement::show))
        .route(
            "/dashboard/settlement/close",
            post(pages::settlement::close),
        )
        .route(
            "/dashboard/settlement/windows/{id}",
            get(pages::settlement::window),
        )
        .route(
            "/dashboard/settlement/windows/{id}/report.csv",
            get(pages::settlement::report_csv),
        )
        .route(
            "/dashboard/settlement/windows/{id}/{action}",
            post(pages::settlement::end),
        )
        .route("/dashboard/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(FORM_BYTES_MAX))
        .layer(map_response(security_headers))
        .with_state(dashboard)
}

async fn style() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

async fn not_found() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "page_not_found",
        "no such dashboard page",
    )
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `no-referrer` would make browsers send `Origin: null` on the dashboard's own form posts,
    // which the same-origin guard must refuse; `same-origin` keeps URLs off other sites.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
