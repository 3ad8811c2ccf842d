//! A small typed HTTP client for the hub's JSON API, shared by the demo and the client
//! subcommands. Wire types come from `crate::wire`, so client and server cannot drift apart.

use crate::ErrorBody;
use anyhow::{Context, anyhow};
use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

/// A connection to a hub acting as one principal (one bearer token).
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

/// A request the hub answered with an error body (4xx/5xx).
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HTTP {} {}: {}",
            self.status.as_u16(),
            self.body.code,
            self.body.message
        )?;
        if let Some(field) = &self.body.field {
            write!(f, " (field {field})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

impl HubClient {
    pub fn new(http: reqwest::Client, base_url: &str, token: &str) -> Self {
        HubClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    /// The same hub, as another principal.
    pub fn as_principal(&self, token: &str) -> Self {
        HubClient::new(self.http.clone(), &self.base_url, token)
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> anyhow::Result<R> {
        self.send::<(), R>(Method::GET, path, None).await
    }

    /// A non-JSON resource (e.g. a CSV report) as text.
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("GET {url}: no answer from the hub"))?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            anyhow::bail!("GET {url}: HTTP {status}: {text}");
        }
        Ok(text)
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<R> {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<R> {
        self.send(Method::PUT, path, Some(body)).await
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> anyhow::Result<R> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {url}: no answer from the hub"))?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .with_context(|| format!("{method} {url}: unexpected answer"));
        }
        let body: ErrorBody = serde_json::from_slice(&bytes).map_err(|_| {
            anyhow!(
                "{method} {url}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            )
        })?;
        Err(Refused { status, body }.into())
    }
}
