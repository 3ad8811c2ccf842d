//! A small typed HTTP client for the hub's JSON API, shared by the CLI's client subcommands, the
//! demo and the tests. Requests and answers are the [`crate::wire`] types the server itself
//! uses, so client and server cannot drift apart.

use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::ErrorBody;

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
}

impl HubClient {
    /// A client for the hub at `base_url` (e.g. `http://127.0.0.1:7700`) acting with `token`.
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

    /// `GET path`, decoding the JSON answer.
    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, ClientError> {
        self.send::<(), R>(Method::GET, path, None).await
    }

    /// A non-JSON resource (e.g. a CSV report) as text.
    pub async fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base_url);
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
        let url = format!("{}{path}", self.base_url);
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
