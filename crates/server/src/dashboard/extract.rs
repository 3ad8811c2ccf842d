//! The API's path and query extractors with their refusals rendered as dashboard pages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::render::Failure;
use crate::extract::{ApiPath, ApiQuery};

/// Path parameters (400 `invalid_path` page on failure).
pub struct PagePath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PagePath<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Failure> {
        let ApiPath(value) = ApiPath::from_request_parts(parts, state).await?;
        Ok(PagePath(value))
    }
}

/// A query string (400 `invalid_query` page on failure).
pub struct PageQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Failure> {
        let ApiQuery(value) = ApiQuery::from_request_parts(parts, state).await?;
        Ok(PageQuery(value))
    }
}
