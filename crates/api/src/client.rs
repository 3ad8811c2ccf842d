//! A small typed HTTP client for the hub's JSON API, shared by the CLI's client subcommands, the
//! demo and the tests. Requests and answers are the [`crate::wire`] types the server itself
//! uses, so client and server cannot drift apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::ErrorBody;

/// A connection to a hub acting as one principal (one bearer token). Given several hubs (a
/// leader and its standbys), it follows the leader: a request that cannot connect, or that a
/// standby refuses with `not_leader`, goes to the next hub, and the one that answered is asked
/// first next time. Neither case can have had an effect, so resending is safe.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    /// Never empty.
    base_urls: Arc<[String]>,
    /// Index in `base_urls` of the hub that answered last (shared by clones).
    leader: Arc<AtomicUsize>,
    token: String,
}

/// A request the hub answered with an error body (4xx/5xx).
#[derive(Debug)]
pub struct Refused {
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The hub's reason: `code` to branch on, `message` for people, `field` at fault.
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

/// Why a request through [`HubClient`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub refused the request with its error body.
    #[error("{method} {url}: {refused}")]
    Refused {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The hub's answer.
        refused: Refused,
    },
    /// No answer: the hub is not reachable, or the connection broke.
    #[error("{method} {url}: no answer from the hub")]
    NoAnswer {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// What the HTTP stack reported.
        #[source]
        source: reqwest::Error,
    },
    /// An answer that is not what the API promises (a success body of another shape, or an
    /// error without the error body).
    #[error("{method} {url}: unexpected answer: HTTP {status}: {text}")]
    Unexpected {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The answer's status.
        status: StatusCode,
        /// The answer's body (lossy UTF-8), or what failed to decode in it.
        text: String,
    },
}

impl ClientError {
    /// The hub's refusal, when that is what this is.
    pub fn refused(&self) -> Option<&Refused> {
        match self {
            ClientError::Refused { refused, .. } => Some(refused),
            _ => None,
        }
    }

    /// The request never reached a hub that could act on it: no connection, or a standby's
    /// `not_leader`. Another hub may take it.
    fn try_next_hub(&self) -> bool {
        match self {
            ClientError::NoAnswer { source, .. } => source.is_connect(),
            ClientError::Refused { refused, .. } => refused.body.code == "not_leader",
            ClientError::Unexpected { .. } => false,
        }
    }
}

impl HubClient {
    /// A client for the hub at `base_url` (e.g. `http://127.0.0.1:7700`) acting with `token`;
    /// several hubs, comma-separated, are tried in turn (see [`HubClient`]).
    pub fn new(http: reqwest::Client, base_url: &str, token: &str) -> Self {
        HubClient::with_hubs(http, &[base_url], token)
    }

    /// A client for the hubs at `base_urls` (each may itself be a comma-separated list).
    pub fn with_hubs(http: reqwest::Client, base_urls: &[&str], token: &str) -> Self {
        let mut urls: Vec<String> = base_urls
            .iter()
            .flat_map(|urls| urls.split(','))
            .map(|url| url.trim().trim_end_matches('/'))
            .filter(|url| !url.is_empty())
            .map(str::to_string)
            .collect();
        if urls.is_empty() {
            // Let the request fail with the URL as given.
            urls.push(base_urls.concat());
        }
        HubClient {
            http,
            base_urls: urls.into(),
            leader: Arc::new(AtomicUsize::new(0)),
            token: token.to_string(),
        }
    }

    /// The same hubs, as another principal.
    pub fn as_principal(&self, token: &str) -> Self {
        HubClient {
            http: self.http.clone(),
            base_urls: Arc::clone(&self.base_urls),
            leader: Arc::clone(&self.leader),
            token: token.to_string(),
        }
    }

    /// The hub to ask on attempt `tried` (0 first): `first` (the one that answered last), then
    /// the others in turn.
    fn hub(&self, first: usize, tried: usize) -> (usize, &str) {
        let index = first.wrapping_add(tried) % self.base_urls.len().max(1);
        (index, self.base_urls.get(index).map_or("", String::as_str))
    }

    /// Whether to try the next hub after `result` from hub `index` (attempt `tried`, 0 first):
    /// only while the request reached none that could act on it and hubs are left. A hub that
    /// answered is asked first next time.
    fn next_hub<R>(&self, index: usize, tried: usize, result: &Result<R, ClientError>) -> bool {
        match result {
            Err(error) if error.try_next_hub() => tried + 1 < self.base_urls.len(),
            _ => {
                self.leader.store(index, Ordering::Relaxed);
                false
            }
        }
    }

    /// `GET path`, decoding the JSON answer.
    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, ClientError> {
        self.send::<(), R>(Method::GET, path, None).await
    }

    /// A non-JSON resource (e.g. a CSV report) as text.
    pub async fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let first = self.leader.load(Ordering::Relaxed);
        let mut tried = 0;
        loop {
            let (index, base) = self.hub(first, tried);
            let result = self.get_text_at(base, path).await;
            if !self.next_hub(index, tried, &result) {
                return result;
            }
            tried += 1;
        }
    }

    async fn get_text_at(&self, base: &str, path: &str) -> Result<String, ClientError> {
        let url = format!("{base}{path}");
        let no_answer = |source| ClientError::NoAnswer {
            method: Method::GET,
            url: url.clone(),
            source,
        };
        let response = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(no_answer)?;
        let status = response.status();
        let text = response.text().await.map_err(no_answer)?;
        if !status.is_success() {
            return Err(ClientError::Unexpected {
                method: Method::GET,
                url,
                status,
                text,
            });
        }
        Ok(text)
    }

    /// `POST path` with a JSON body, decoding the JSON answer.
    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, ClientError> {
        self.send(Method::POST, path, Some(body)).await
    }

    /// `PUT path` with a JSON body, decoding the JSON answer.
    pub async fn put<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, ClientError> {
        self.send(Method::PUT, path, Some(body)).await
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        let first = self.leader.load(Ordering::Relaxed);
        let mut tried = 0;
        loop {
            let (index, base) = self.hub(first, tried);
            let result = self.send_to(base, method.clone(), path, body).await;
            if !self.next_hub(index, tried, &result) {
                return result;
            }
            tried += 1;
        }
    }

    async fn send_to<B: Serialize, R: DeserializeOwned>(
        &self,
        base: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        let url = format!("{base}{path}");
        let no_answer = |source| ClientError::NoAnswer {
            method: method.clone(),
            url: url.clone(),
            source,
        };
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(no_answer)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(no_answer)?;
        let unexpected = |text: String| ClientError::Unexpected {
            method: method.clone(),
            url: url.clone(),
            status,
            text,
        };
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| unexpected(e.to_string()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(ClientError::Refused {
                method,
                url,
                refused: Refused { status, body },
            }),
            Err(_) => Err(unexpected(String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
}
