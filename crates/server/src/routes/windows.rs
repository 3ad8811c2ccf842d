//! Settlement windows over JSON (the operations are [`crate::app::windows`]'s).

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use hub::WindowId;

use crate::app::windows;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::wire::{CloseWindowRequest, WindowQuery, WindowView};

/// Closes the currency's open window, nets it and opens the next one.
#[utoipa::path(post, path = "/v1/settlement/windows/close", tag = "settlement",
    request_body = CloseWindowRequest, security(("bearer" = [])),
    responses((status = 200, body = WindowView, description = "The closed window and its report"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CloseWindowRequest>,
) -> Result<Json<WindowView>, ApiError> {
    windows::close(&state, &caller.0, request).await.map(Json)
}

/// The settlement bank moved the money: positions are reset by the window's figures.
#[utoipa::path(post, path = "/v1/settlement/windows/{id}/settle", tag = "settlement",
    params(("id" = u64, Path, description = "Window id")), security(("bearer" = [])),
    responses((status = 200, body = WindowView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn settle(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<WindowView>, ApiError> {
    windows::settle(&state, &caller.0, WindowId(id))
        .await
        .map(Json)
}

/// Settlement failed: the window's obligations join the open window.
#[utoipa::path(post, path = "/v1/settlement/windows/{id}/abort", tag = "settlement",
    params(("id" = u64, Path, description = "Window id")), security(("bearer" = [])),
    responses((status = 200, body = WindowView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn abort(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<WindowView>, ApiError> {
    windows::abort(&state, &caller.0, WindowId(id))
        .await
        .map(Json)
}

/// The windows of one currency, oldest first.
#[utoipa::path(get, operation_id = "list_windows", path = "/v1/settlement/windows", tag = "settlement",
    params(("currency" = String, Query, description = "ISO 4217 code")), security(("bearer" = [])),
    responses((status = 200, body = Vec<WindowView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> Result<Json<Vec<WindowView>>, ApiError> {
    windows::list(&state, &caller.0, query).await.map(Json)
}

/// One window with its report.
#[utoipa::path(get, operation_id = "get_window", path = "/v1/settlement/windows/{id}", tag = "settlement",
    params(("id" = u64, Path, description = "Window id")), security(("bearer" = [])),
    responses((status = 200, body = WindowView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<WindowView>, ApiError> {
    windows::get(&state, &caller.0, WindowId(id))
        .await
        .map(Json)
}

/// A closed window's report as CSV: amounts in the currency's decimal units (as in JSON and on
/// the dashboard; a finance user must not misread minor units by a factor of 100), participants
/// by BIC.
#[utoipa::path(get, path = "/v1/settlement/windows/{id}/report.csv", tag = "settlement",
    params(("id" = u64, Path, description = "Window id")), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn report_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<impl IntoResponse, ApiError> {
    let csv = windows::report_csv(&state, &caller.0, WindowId(id)).await?;
    let disposition = format!("attachment; filename=\"window-{id}.csv\"");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        csv,
    ))
}
