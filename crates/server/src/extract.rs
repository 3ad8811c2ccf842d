//! Request extractors that turn body and query failures into [`ApiError`]s with specific codes.
//!
//! axum's own `Json` answers with plain-text rejections; the API promises a JSON error body with
//! `malformed_json` / `unknown_field` / `invalid_field` and the path of the field at fault, so
//! bodies are parsed here through `serde_path_to_error`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::error::Code;

/// Largest request body accepted, in bytes (a bulk request of a few thousand payments fits).
pub const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The raw request body, with a JSON error when it cannot be read (413 `body_too_large`
/// beyond [`BODY_BYTES_MAX`]).
pub struct ApiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBody)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::BodyTooLarge
                } else {
                    ApiError::MalformedJson {
                        message: format!("could not read the body: {rejection}"),
                    }
                }
            })
    }
}

/// A JSON body deserialized with specific error codes.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBody(bytes) = ApiBody::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body whose absence (an empty body or `null`) means `T::default()`, for requests whose
/// fields are all optional (e.g. a rejection without a reason code).
pub struct ApiJsonOrDefault<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for ApiJsonOrDefault<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBody(bytes) = ApiBody::from_request(req, state).await?;
        let text = bytes.trim_ascii();
        if text.is_empty() || text == b"null" {
            return Ok(ApiJsonOrDefault(T::default()));
        }
        parse_json(text).map(ApiJsonOrDefault)
    }
}

/// Deserializes `bytes` as `T`, classifying failures into the API's error codes.
///
/// The fast path is plain serde_json; only a body that fails is parsed again with path tracking
/// (which allocates per key) to name the field at fault.
pub fn parse_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(classify)?;
    deserializer
        .end()
        .map_err(|error| ApiError::MalformedJson {
            message: error.to_string(),
        })?;
    Ok(value)
}

/// Maps a path-tracked serde error to the API's codes (`malformed_json`, `unknown_field`,
/// `missing_field`, `invalid_field`).
fn classify(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    if !inner.is_data() {
        return ApiError::MalformedJson {
            message: inner.to_string(),
        };
    }
    let message = inner.to_string();
    // serde's messages are stable in form: "unknown field `x`, expected ..." (the path already
    // ends at `x`) and "missing field `x`" (the path ends at its parent, so `x` is appended).
    let quoted = message.split('`').nth(1).unwrap_or_default();
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if message.starts_with("unknown field") {
        ApiError::UnknownField { field: path }
    } else if message.starts_with("missing field") {
        ApiError::invalid(Code::MissingField, &join(quoted), message)
    } else {
        ApiError::invalid(Code::InvalidField, &path, message)
    }
}

/// Path parameters deserialized with a JSON error (`invalid_path`, 400) on failure, e.g. a
/// payment id that is not a UUID.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| {
                tracing::debug!(rejection = %rejection.body_text(), "path parameter refused");
                ApiError::InvalidPath {
                    message: format!("the path names {}", expected::<T>()),
                }
            })
    }
}

/// A query string deserialized with a JSON error (`invalid_query`) on failure.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| ApiError::InvalidQuery {
                message: query_message(&rejection.body_text()),
            })
    }
}

/// What a path parameter of type `T` must be, in words (the parser's own text names Rust types).
fn expected<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    if name.contains("Uuid") {
        "an id that is not a UUID (expected e.g. 0b6f9f3a-6c1e-4f0e-9a57-2f1d0c3b8e41)"
    } else if name.contains("u64") || name.contains("u32") {
        "an id that is not a whole number (expected e.g. 42)"
    } else {
        "a value that is not valid here"
    }
}

/// serde's query error without its `Failed to deserialize query string:` prefix, which names
/// no field the caller can act on.
fn query_message(text: &str) -> String {
    let detail = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(text);
    format!("invalid query string: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields are read only through Debug in failures
    struct Outer {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn error_of(json: &str) -> (String, Option<String>) {
        let body = parse_json::<Outer>(json.as_bytes())
            .map(|_| ())
            .err()
            .map(|e| e.body());
        let body = body.unwrap_or(crate::error::ErrorBody {
            code: "ok".into(),
            message: String::new(),
            field: None,
        });
        (body.code, body.field)
    }

    #[test]
    fn classifies_body_errors() {
        let table: &[(&str, &str, Option<&str>)] = &[
            (r#"{"name":"a","inner":{"count":1}}"#, "ok", None),
            (r#"{"name":"a","#, "malformed_json", None),
            (
                r#"{"name":"a","inner":{"count":1}} x"#,
                "malformed_json",
                None,
            ),
            (r#"not json"#, "malformed_json", None),
            (
                r#"{"name":"a","extra":1,"inner":{"count":1}}"#,
                "unknown_field",
                Some("extra"),
            ),
            (
                r#"{"name":"a","inner":{"count":1,"x":2}}"#,
                "unknown_field",
                Some("inner.x"),
            ),
            (r#"{"name":"a"}"#, "missing_field", Some("inner")),
            (
                r#"{"name":"a","inner":{"count":"one"}}"#,
                "invalid_field",
                Some("inner.count"),
            ),
        ];
        for &(json, code, field) in table {
            let (got_code, got_field) = error_of(json);
            assert_eq!(got_code, code, "{json}");
            assert_eq!(got_field.as_deref(), field, "{json}");
        }
    }
}
