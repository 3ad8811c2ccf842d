//! Checks every dashboard POST passes before it may act: same origin, a live session, and the
//! session's CSRF token in the form.
//!
//! `SameSite=Strict` already keeps the cookie off cross-site requests in current browsers; the
//! CSRF token (compared in constant time) and the `Sec-Fetch-Site` / `Origin` checks hold even
//! where it does not. Sign-in has no session yet, so it gets the origin checks only.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::Dashboard;
use super::render::Failure;
use super::session::Signed;

/// Refuses a request a browser marks as cross-site, or whose `Origin` is not this host.
///
/// Browsers set `Sec-Fetch-Site` themselves (page scripts cannot), so when it says
/// `same-origin` that settles it, whatever `Origin` says: some privacy settings send
/// `Origin: null` on same-origin posts. Without it, `Origin` must be absent or this host.
pub fn same_origin(headers: &HeaderMap) -> Result<(), Failure> {
    let fetch_site = headers.get("sec-fetch-site").map(HeaderValue::as_bytes);
    let allowed = match fetch_site {
        Some(site) if site.eq_ignore_ascii_case(b"same-origin") => true,
        Some(site) if !site.eq_ignore_ascii_case(b"none") => false,
        _ => origin_is_this_host(headers),
    };
    if !allowed {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "forbidden_cross_site",
            "this form may only be sent from the dashboard itself",
        ));
    }
    Ok(())
}

fn origin_is_this_host(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// The origin check alone, as an extractor (for sign-in).
pub struct SameOrigin;

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Failure> {
        same_origin(&parts.headers).map(|()| SameOrigin)
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A URL-encoded form body parsed as `T` (400 `invalid_form` otherwise).
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_urlencoded::from_bytes(body).map_err(|error| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            "invalid_form",
            format!("the form could not be read: {error}"),
        )
    })
}

/// A POST that passed every check: the signed-in session and the form's other fields.
pub struct Posted<T> {
    pub signed: Signed,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<Dashboard> for Posted<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, dash: &Dashboard) -> Result<Self, Failure> {
        let (mut parts, body) = request.into_parts();
        same_origin(&parts.headers)?;
        let signed = Signed::from_request_parts(&mut parts, dash).await?;
        let request = Request::from_parts(parts, body);
        let body = Bytes::from_request(request, dash)
            .await
            .map_err(|rejection| {
                Failure::new(
                    rejection.status(),
                    "invalid_form",
                    "the form body could not be read",
                )
            })?;
        let CsrfField { csrf } = parse_form(&body)?;
        if !signed.csrf_matches(&csrf) {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "forbidden_csrf",
                "the form's CSRF token is missing or wrong; reload the page and try again",
            ));
        }
        let form = parse_form(&body)?;
        Ok(Posted { signed, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn origin_checks() {
        let host = ("host", "127.0.0.1:8080");
        let table: &[(&[(&'static str, &'static str)], bool)] = &[
            (&[host], true),
            (&[host, ("origin", "http://127.0.0.1:8080")], true),
            (&[host, ("origin", "https://127.0.0.1:8080")], true),
            (&[host, ("sec-fetch-site", "same-origin")], true),
            (&[host, ("origin", "http://evil.example")], false),
            (&[host, ("origin", "null")], false),
            (&[host, ("origin", "http://127.0.0.1:8080.evil")], false),
            (&[host, ("sec-fetch-site", "cross-site")], false),
            (&[host, ("sec-fetch-site", "same-site")], false),
            (
                &[host, ("sec-fetch-site", "same-origin"), ("origin", "null")],
                true,
            ),
            (
                &[
                    host,
                    ("sec-fetch-site", "same-site"),
                    ("origin", "http://127.0.0.1:8080"),
                ],
                false,
            ),
            (
                &[host, ("sec-fetch-site", "none"), ("origin", "null")],
                false,
            ),
            (&[("origin", "http://127.0.0.1:8080")], false),
        ];
        for (pairs, ok) in table {
            assert_eq!(same_origin(&headers(pairs)).is_ok(), *ok, "{pairs:?}");
        }
    }
}
