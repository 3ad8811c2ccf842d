//! The accept loop: hyper's HTTP/1.1 server on a `tokio::net::TcpListener`, with the limits
//! that keep slow or greedy clients from holding the server (`axum::serve` has no header
//! timeout and no connection cap; 372 connections sending partial headers once exhausted the
//! descriptors and health stopped answering).
//!
//! - Header read timeout ([`ListenLimits::header_read_timeout`]): hyper's timer runs while a
//!   request head arrives *and* while a kept-alive connection waits for its next request, so it
//!   is also the idle keep-alive timeout; a connection that sends nothing, or a head slowly,
//!   is closed when it runs out.
//! - Body read deadline ([`ListenLimits::body_read_timeout`]): the whole body must arrive
//!   within it (a total, not per chunk, so a slow drip cannot stretch it); past it the body
//!   reads as an error and the handler refuses the request.
//! - Connections: at most [`ListenLimits::connections_max`] in all and
//!   [`ListenLimits::connections_per_address_max`] per client address; one over the cap is
//!   closed at once, before a byte is read. Behind a TLS-terminating proxy every client has
//!   the proxy's address: raise the per-address cap there.
//! - Heads: a target longer than [`URI_BYTES_MAX`] is 414 `uri_too_long`, headers larger than
//!   [`HEADER_BYTES_MAX`] are 431 `headers_too_large`, both with the JSON error body (hyper's
//!   own, bodiless 431 remains only for heads past its buffer, [`HEAD_BUFFER_BYTES`]).
//!
//! - TLS ([`crate::tls`]), when configured: the handshake must finish within the header read
//!   timeout, and every cookie set is marked `Secure`.
//!
//! Graceful shutdown: stop accepting, ask every connection to finish its request in flight
//! and close, then wait for them.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::time::Sleep;
use tower::ServiceExt;

use crate::error::{ApiError, Code};

/// Longest request target (path and query) answered; longer is 414.
pub const URI_BYTES_MAX: usize = 8 * 1024;
/// Most bytes of header names and values in one request; more is 431.
pub const HEADER_BYTES_MAX: usize = 32 * 1024;
/// hyper's read buffer for a request head: larger heads get hyper's bodiless 431.
pub const HEAD_BUFFER_BYTES: usize = 64 * 1024;

/// How long and how many connections clients may hold (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenLimits {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub connections_max: usize,
    pub connections_per_address_max: usize,
}

impl Default for ListenLimits {
    fn default() -> Self {
        ListenLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            connections_max: 4_096,
            connections_per_address_max: 256,
        }
    }
}

impl ListenLimits {
    /// Why these limits cannot work (zero caps or timeouts would refuse every client).
    pub fn validate(&self) -> Result<(), String> {
        if self.header_read_timeout.is_zero() || self.body_read_timeout.is_zero() {
            return Err("read timeouts must be positive".to_owned());
        }
        if self.connections_max == 0 || self.connections_per_address_max == 0 {
            return Err("connection caps must be positive".to_owned());
        }
        Ok(())
    }
}

/// Open connections, in all and per client address.
struct Slots {
    limits: ListenLimits,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One admitted connection; dropping it frees the slot.
struct Slot {
    slots: Arc<Slots>,
    address: IpAddr,
}

impl Slots {
    fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per) = &mut *open;
        let mine = per.get(&address).copied().unwrap_or(0);
        if *total >= self.limits.connections_max || mine >= self.limits.connections_per_address_max
        {
            return None;
        }
        *total += 1;
        per.insert(address, mine + 1);
        Some(Slot {
            slots: Arc::clone(self),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(mine) = per.get_mut(&self.address) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                per.remove(&self.address);
            }
        }
    }
}

/// Serves `app` on `listener` until `stop` resolves, then shuts down gracefully.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ListenLimits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let app = app.layer(axum::middleware::from_fn(check_head));
    let app = if tls.is_some() {
        app.layer(axum::middleware::from_fn(secure_cookies))
    } else {
        app
    };
    let slots = Arc::new(Slots {
        limits,
        open: Mutex::new((0, HashMap::new())),
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(HEAD_BUFFER_BYTES);
    let (stopping, stop_seen) = watch::channel(false);
    // Every connection task holds a sender; `recv` returns `None` once all are gone.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (or a connection reset before accept): keep serving
                    // the connections already open, try again shortly.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = slots.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection cap reached; closing");
            continue;
        };
        // Small JSON answers should leave at once, not wait for Nagle's algorithm.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let body_timeout = limits.body_read_timeout;
        let service = app
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request =
                    request.map(|body| Body::new(DeadlineBody::new(body, body_timeout)));
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let (builder, stop_seen, alive) = (builder.clone(), stop_seen.clone(), alive.clone());
        let (tls, handshake_timeout) = (tls.clone(), limits.header_read_timeout);
        tokio::spawn(async move {
            let _slot = slot;
            let _alive = alive;
            let Some(tls) = tls else {
                return serve_one(&builder, tcp, service, stop_seen, peer).await;
            };
            // The handshake is bounded like a request head: a client that opens a connection
            // and sends nothing holds it no longer.
            match tokio::time::timeout(handshake_timeout, tls.accept(tcp)).await {
                Ok(Ok(stream)) => serve_one(&builder, stream, service, stop_seen, peer).await,
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
    stopping.send_replace(true);
    drop(alive);
    let _ = all_closed.recv().await;
    Ok(())
}

/// Serves one connection until it ends, shutting it down gracefully when `stop_seen` changes.
async fn serve_one<I, S>(
    builder: &hyper::server::conn::http1::Builder,
    io: I,
    service: S,
    mut stop_seen: watch::Receiver<bool>,
    peer: std::net::SocketAddr,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    let mut closing = false;
    loop {
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(error) = served {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                break;
            }
            changed = stop_seen.changed(), if !closing => {
                let _ = changed;
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}

/// Over TLS every cookie (the dashboard's session) is `Secure`: a browser never sends it over
/// plain HTTP, where anyone on the path could read it.
async fn secure_cookies(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let cookies = response.headers_mut();
    let secured: Vec<_> = cookies
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(|value| {
            let secure = value
                .split(';')
                .any(|p| p.trim().eq_ignore_ascii_case("secure"));
            if secure {
                value.to_owned()
            } else {
                format!("{value}; Secure")
            }
        })
        .filter_map(|value| axum::http::HeaderValue::from_str(&value).ok())
        .collect();
    if !secured.is_empty() {
        cookies.remove(axum::http::header::SET_COOKIE);
        for value in secured {
            cookies.append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// 414 / 431 with the API's JSON error body, before any handler runs.
async fn check_head(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > URI_BYTES_MAX {
        return refuse(
            Code::UriTooLong,
            format!("the request target is {target} bytes; the limit is {URI_BYTES_MAX}"),
        );
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len().saturating_add(value.len()))
        .fold(0, usize::saturating_add);
    if headers > HEADER_BYTES_MAX {
        return refuse(
            Code::HeadersTooLarge,
            format!("the headers are {headers} bytes; the limit is {HEADER_BYTES_MAX}"),
        );
    }
    next.run(request).await
}

fn refuse(code: Code, message: String) -> Response {
    ApiError::refused(code, message).into_response()
}

/// A request body that must be complete by a deadline set when the request head arrived.
struct DeadlineBody {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
}

impl DeadlineBody {
    fn new(body: Incoming, timeout: Duration) -> Self {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

/// The body did not arrive within [`ListenLimits::body_read_timeout`].
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl hyper::body::Body for DeadlineBody {
    type Data = hyper::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cap_per_address_and_in_all_and_free_on_drop() {
        let slots = Arc::new(Slots {
            limits: ListenLimits {
                connections_max: 3,
                connections_per_address_max: 2,
                ..ListenLimits::default()
            },
            open: Mutex::new((0, HashMap::new())),
        });
        let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.3".parse().unwrap(),
        );
        let a1 = slots.admit(a).expect("first");
        let _a2 = slots.admit(a).expect("second");
        assert!(slots.admit(a).is_none(), "per-address cap");
        let _b1 = slots.admit(b).expect("other address");
        assert!(slots.admit(c).is_none(), "overall cap");
        drop(a1);
        assert!(
            slots.admit(c).is_some(),
            "a closed connection frees its slot"
        );
    }
}
