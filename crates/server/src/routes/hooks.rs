//! Webhook registration: a participant (or the operator for it) sets the URL that receives its
//! inbox events, signed with the secret returned once here. See [`crate::webhook`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::{ParticipantId, Principal};

use crate::auth::Caller;
use crate::error::Code;
use crate::error::hub_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::wire::{WebhookRequest, WebhookView};

/// Longest accepted webhook URL.
pub const URL_LEN_MAX: usize = 2_048;

async fn authorize(state: &AppState, caller: &Caller, id: u64) -> Result<ParticipantId, ApiError> {
    let participant = ParticipantId(id);
    match caller.0 {
        Principal::Operator => {}
        Principal::Participant(own) if own == participant => {}
        _ => {
            return Err(ApiError::refused(
                Code::ForbiddenNotOwnParticipant,
                "only the participant itself or the operator may manage its webhook",
            ));
        }
    }
    if !state
        .read(move |hub| hub.participant(participant).is_some())
        .await?
    {
        return Err(hub_error(hub::HubError::ParticipantNotFound));
    }
    Ok(participant)
}

fn io_error(error: std::io::Error) -> ApiError {
    tracing::error!(%error, "persisting webhooks failed");
    ApiError::Internal
}

/// Registers (or replaces) the participant's webhook; new inbox events are POSTed to it.
#[utoipa::path(put, operation_id = "put_webhook", path = "/v1/participants/{id}/webhook", tag = "participants",
    params(("id" = u64, Path, description = "Participant id")),
    request_body = WebhookRequest, security(("bearer" = [])),
    responses((status = 200, body = WebhookView, description = "Includes the secret, once"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
    ApiJson(request): ApiJson<WebhookRequest>,
) -> Result<Json<WebhookView>, ApiError> {
    let participant = authorize(&state, &caller, id).await?;
    let url = request.url.trim().to_owned();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.len() > URL_LEN_MAX || url.chars().any(char::is_whitespace) {
        return Err(ApiError::invalid(
            Code::InvalidUrl,
            "url",
            "expected an http:// or https:// URL",
        ));
    }
    crate::webhook_target::check_url(&url, state.config.webhook_private_targets)
        .map_err(|why| ApiError::invalid(Code::WebhookTargetNotAllowed, "url", why))?;
    let head = state.read(move |hub| hub.inbox_head(participant)).await?;
    let secret = state
        .webhooks
        .register(&state, participant, url.clone(), head)
        .map_err(io_error)?;
    Ok(Json(WebhookView {
        url,
        secret: Some(secret),
    }))
}

/// The participant's webhook URL (never the secret).
#[utoipa::path(get, operation_id = "get_webhook", path = "/v1/participants/{id}/webhook", tag = "participants",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 200, body = WebhookView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<WebhookView>, ApiError> {
    let participant = authorize(&state, &caller, id).await?;
    let url = state
        .webhooks
        .url(participant)
        .ok_or_else(|| ApiError::not_found(Code::WebhookNotFound, "no webhook registered"))?;
    Ok(Json(WebhookView { url, secret: None }))
}

/// Removes the participant's webhook.
#[utoipa::path(delete, operation_id = "delete_webhook", path = "/v1/participants/{id}/webhook", tag = "participants",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<StatusCode, ApiError> {
    let participant = authorize(&state, &caller, id).await?;
    if state.webhooks.remove(participant).map_err(io_error)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            Code::WebhookNotFound,
            "no webhook registered",
        ))
    }
}
