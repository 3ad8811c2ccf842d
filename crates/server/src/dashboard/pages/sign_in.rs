//! Sign-in with a bearer token (staff roles only) and sign-out.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Caller;
use crate::dashboard::Dashboard;
use crate::dashboard::guard::{Posted, SameOrigin, parse_form};
use crate::dashboard::render::{Failure, html_response, sign_in_page};
use crate::dashboard::session::{admit, cookie, cookie_cleared};
use crate::error::ApiError;
use crate::token;

/// The sign-in form.
pub async fn form() -> Response {
    html_response(StatusCode::OK, sign_in_page(None))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
}

/// Checks the token through the API's own authentication (the `Caller` extractor: same hash,
/// principal cache and failed-authentication limit), refuses participants (403) and unknown
/// tokens (401), and opens a session that keeps only the token's hash.
pub async fn submit(
    State(dash): State<Dashboard>,
    _origin: SameOrigin,
    request: Request,
) -> Result<Response, Failure> {
    let (mut parts, body) = request.into_parts();
    let body = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), &dash)
        .await
        .map_err(|rejection| {
            Failure::new(
                rejection.status(),
                "invalid_form",
                "the form could not be read",
            )
        })?;
    let SignInForm { token } = parse_form(&body)?;
    let token = token.trim();
    // A token that cannot be a header value cannot be a credential either.
    let header =
        HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| ApiError::Unauthenticated)?;
    parts.headers.insert(AUTHORIZATION, header);
    let Caller(principal) = Caller::from_request_parts(&mut parts, &dash.app).await?;
    admit(&principal)?;
    let session = dash.sessions.open(token::hash(token));
    tracing::info!(principal = ?principal, "dashboard sign-in");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, cookie(&session)),
            (LOCATION, "/dashboard".to_owned()),
        ],
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

/// Ends the session and clears the cookie.
pub async fn sign_out(State(dash): State<Dashboard>, posted: Posted<NoFields>) -> Response {
    dash.sessions.close(&posted.signed.session_id);
    (
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, cookie_cleared()),
            (LOCATION, "/dashboard/sign-in".to_owned()),
        ],
    )
        .into_response()
}
