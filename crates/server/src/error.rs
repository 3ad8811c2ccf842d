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

pub use crate::refusal::Code;
use hub::HubError;

/// Every error the API answers with. Its code, and through the code its status and ISO 20022
/// reason, come from the one vocabulary in [`crate::refusal`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: no `Authorization: Bearer` header, or a token the hub does not know.
    #[error("missing or unknown bearer token")]
    Unauthenticated,
    /// Refused with `code` (its status is the code's): who may not (403), a conflict with state
    /// (409), a well-formed request that breaks a rule (422), a body that does not fit the
    /// schema (400: `missing_field`, `invalid_field`), and every refusal of the hub.
    #[error("{message}")]
    Refused {
        code: Code,
        message: String,
        field: Option<String>,
    },
    /// 404 whatever `code`'s status as a command refusal: the resource the path names does not
    /// exist or is not visible to the caller.
    #[error("{message}")]
    NotFound { code: Code, message: String },
    /// 400: the body is not valid JSON (`malformed_json`).
    #[error("malformed JSON: {message}")]
    MalformedJson { message: String },
    /// 400: the body has a field the schema does not know (`unknown_field`).
    #[error("unknown field {field}")]
    UnknownField { field: String },
    /// 400: a query string that does not parse (`invalid_query`).
    #[error("{message}")]
    InvalidQuery { message: String },
    /// 400: a path parameter that does not parse, e.g. a non-UUID payment id (`invalid_path`).
    #[error("{message}")]
    InvalidPath { message: String },
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
    /// 503: the sequencer is not running (shutting down or failed), or the journal's database
    /// did not commit (`unavailable`, with `Retry-After`): nothing was acknowledged, retry with
    /// the same ids.
    #[error("the hub is not accepting commands right now; retry")]
    Unavailable,
    /// 503: this hub is a standby; another hub leads and takes writes (`not_leader`, with
    /// `Retry-After`).
    #[error("this hub is a standby (role standby); send writes to the leading hub")]
    NotLeader,
    /// 500: an internal failure, logged server-side; no details reach the client (`internal`).
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// HTTP status of this error: its code's, except [`ApiError::NotFound`].
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            other => other.refusal().status(),
        }
    }

    /// The refusal code of this error.
    pub fn refusal(&self) -> Code {
        match self {
            ApiError::Unauthenticated => Code::Unauthenticated,
            ApiError::MalformedJson { .. } => Code::MalformedJson,
            ApiError::UnknownField { .. } => Code::UnknownField,
            ApiError::InvalidQuery { .. } => Code::InvalidQuery,
            ApiError::InvalidPath { .. } => Code::InvalidPath,
            ApiError::MethodNotAllowed => Code::MethodNotAllowed,
            ApiError::TooManyItems { .. } => Code::TooManyItems,
            ApiError::BodyTooLarge => Code::BodyTooLarge,
            ApiError::TooManyFailedAuthentications { .. } => Code::TooManyFailedAuthentications,
            ApiError::Unavailable => Code::Unavailable,
            ApiError::NotLeader => Code::NotLeader,
            ApiError::Internal => Code::Internal,
            ApiError::Refused { code, .. } | ApiError::NotFound { code, .. } => *code,
        }
    }

    /// Stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        self.refusal().as_str()
    }

    /// The offending input, when the error names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::UnknownField { field } => Some(field),
            ApiError::Refused { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
            field: self.field().map(str::to_owned),
        }
    }

    /// A refusal with `code`, naming `field` as the offending input.
    pub fn invalid(code: Code, field: &str, message: impl Into<String>) -> Self {
        ApiError::Refused {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// A refusal with `code` that names no field (a role that may not, a conflict).
    pub fn refused(code: Code, message: impl Into<String>) -> Self {
        ApiError::Refused {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A 404 with a specific `code`.
    pub fn not_found(code: Code, message: impl Into<String>) -> Self {
        ApiError::NotFound {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        let retry_after_secs = match self {
            ApiError::TooManyFailedAuthentications { retry_after_secs } => Some(retry_after_secs),
            // A reconnect or a takeover takes about a second.
            ApiError::Unavailable | ApiError::NotLeader => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Converts a hub refusal into the API error, with the hub's field (if any).
pub fn hub_error(error: HubError) -> ApiError {
    let field = error.field().map(str::to_owned);
    hub_error_with_field(error, field)
}

/// Converts a hub refusal, naming `field` as the offending input.
pub fn hub_error_at(error: HubError, field: &str) -> ApiError {
    hub_error_with_field(error, Some(field.to_owned()))
}

fn hub_error_with_field(error: HubError, field: Option<String>) -> ApiError {
    let code = Code::of_hub(&error);
    if code.status().is_server_error() {
        // A ledger refusal the hub did not foresee is a bug: log it, do not leak it.
        tracing::error!(%error, "hub reported an internal failure");
        return ApiError::Internal;
    }
    ApiError::Refused {
        code,
        message: error.to_string(),
        field,
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
                ApiError::refused(Code::ForbiddenOperatorOnly, "x"),
                403,
                "forbidden_operator_only",
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
                ApiError::invalid(Code::AmountNegative, "amount", "x"),
                422,
                "amount_negative",
            ),
            (
                ApiError::not_found(Code::QuoteNotFound, "x"),
                404,
                "quote_not_found",
            ),
            (ApiError::Unavailable, 503, "unavailable"),
            (ApiError::NotLeader, 503, "not_leader"),
            (ApiError::Internal, 500, "internal"),
        ];
        for (error, status, code) in table {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.body().code, code);
        }
        let body = ApiError::invalid(Code::AmountNegative, "amount", "negative").body();
        assert_eq!(body.field.as_deref(), Some("amount"));
        assert_eq!(ApiError::Internal.body().message, "internal error");
    }
}
