//! The one HTTP error type of the API and its JSON body.
//!
//! Every failure a client can see is an [`ApiError`]; each variant's doc names its HTTP status.
//! The body is always `{ "code": "...", "message": "...", "field": "..." }` where `code` is a
//! stable snake_case string to branch on, `message` is for people, and `field` (when present)
//! names the offending input. Internal failures are logged where they happen and reach the client
//! only as a generic 500 without details.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use api::ErrorBody;

/// Every error the API answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: no `Authorization: Bearer` header, or a token the hub does not know.
    #[error("missing or unknown bearer token")]
    Unauthenticated,
    /// 403: the caller is known but its role may not do this (`code` says which rule).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 400: the body is not valid JSON (`malformed_json`).
    #[error("malformed JSON: {message}")]
    MalformedJson { message: String },
    /// 400: the body has a field the schema does not know (`unknown_field`).
    #[error("unknown field {field}")]
    UnknownField { field: String },
    /// 400: the body does not fit the schema: a required field is missing (`missing_field`) or
    /// a value has the wrong type or is no known variant (`invalid_field`). Every request that
    /// does not fit the schema is 400; one that fits but breaks a rule is 422 ([`ApiError::Invalid`]).
    #[error("{message}")]
    Shape {
        code: &'static str,
        field: String,
        message: String,
    },
    /// 400: a query string that does not parse (`invalid_query`).
    #[error("{message}")]
    InvalidQuery { message: String },
    /// 400: a path parameter that does not parse, e.g. a non-UUID payment id (`invalid_path`).
    #[error("{message}")]
    InvalidPath { message: String },
    /// 422: a well-formed request with an invalid value (`code` names the rule, `field` the input).
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// 404: the named resource does not exist or is not visible to the caller.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 409: conflicts with existing state, e.g. `duplicate_payment_id_different_content`.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 422 (or the status `status` gives): the hub refused the command with its own code.
    #[error("{message}")]
    Rejected {
        status: StatusCode,
        code: String,
        message: String,
        field: Option<String>,
    },
    /// 405: the endpoint exists but not with this method (`method_not_allowed`).
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,
    /// 413: the body exceeds the server's limit (`body_too_large`).
    #[error("the request body is too large")]
    BodyTooLarge,
    /// 413: more items in one bulk request than the server accepts (`too_many_items`).
    #[error("{message}")]
    TooManyItems { message: String },
    /// 429: this client address failed to authenticate too often; retry after the given
    /// seconds (`too_many_failed_authentications`, with a `Retry-After` header).
    #[error("too many failed authentications from this address; retry in {retry_after_secs} s")]
    TooManyFailedAuthentications { retry_after_secs: u64 },
    /// 503: the sequencer is not running (shutting down or failed) (`unavailable`).
    #[error("the hub is not accepting commands right now")]
    Unavailable,
    /// 500: an internal failure, logged server-side; no details reach the client (`internal`).
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::MalformedJson { .. }
            | ApiError::UnknownField { .. }
            | ApiError::Shape { .. }
            | ApiError::InvalidQuery { .. }
            | ApiError::InvalidPath { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Rejected { status, .. } => *status,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooManyItems { .. } | ApiError::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyFailedAuthentications { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code of this error.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::MalformedJson { .. } => "malformed_json",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::InvalidQuery { .. } => "invalid_query",
            ApiError::InvalidPath { .. } => "invalid_path",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::TooManyItems { .. } => "too_many_items",
            ApiError::BodyTooLarge => "body_too_large",
            ApiError::TooManyFailedAuthentications { .. } => "too_many_failed_authentications",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
            ApiError::Forbidden { code, .. }
            | ApiError::Invalid { code, .. }
            | ApiError::Shape { code, .. }
            | ApiError::NotFound { code, .. }
            | ApiError::Conflict { code, .. } => code,
            ApiError::Rejected { code, .. } => code,
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        let field = match self {
            ApiError::UnknownField { field } | ApiError::Shape { field, .. } => Some(field.clone()),
            ApiError::Invalid { field, .. } | ApiError::Rejected { field, .. } => field.clone(),
            _ => None,
        };
        ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
            field,
        }
    }

    /// A 422 for `field` with a specific `code`.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// A 403 with a specific `code`.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// A 404 with a specific `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::TooManyFailedAuthentications { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let table: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::Unauthenticated, 401, "unauthenticated"),
            (
                ApiError::TooManyFailedAuthentications {
                    retry_after_secs: 5,
                },
                429,
                "too_many_failed_authentications",
            ),
            (
                ApiError::forbidden("operator_only", "x"),
                403,
                "operator_only",
            ),
            (
                ApiError::MalformedJson {
                    message: "x".into(),
                },
                400,
                "malformed_json",
            ),
            (
                ApiError::UnknownField { field: "x".into() },
                400,
                "unknown_field",
            ),
            (
                ApiError::invalid("amount_negative", "amount", "x"),
                422,
                "amount_negative",
            ),
            (
                ApiError::not_found("payment_not_found", "x"),
                404,
                "payment_not_found",
            ),
            (ApiError::Unavailable, 503, "unavailable"),
            (ApiError::Internal, 500, "internal"),
        ];
        for (error, status, code) in table {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.body().code, code);
        }
        let body = ApiError::invalid("amount_negative", "amount", "negative").body();
        assert_eq!(body.field.as_deref(), Some("amount"));
        assert_eq!(ApiError::Internal.body().message, "internal error");
    }
}
