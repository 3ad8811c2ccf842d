//! Dashboard sessions: a random id in an `HttpOnly` cookie, mapped in memory to the credential
//! that signed in.
//!
//! The bearer token never leaves the sign-in request: the session keeps only the token's SHA-256
//! (the hub's own key for credentials), and every request looks the principal up again through
//! [`AppState::principal`], so a revoked credential's sessions stop working at once. Session ids
//! are stored hashed too, so a memory dump of the map does not hand out live cookies. Sessions
//! expire after [`SESSION_IDLE`] without a request and after [`SESSION_LIFETIME_MAX`] in any
//! case; at most [`SESSIONS_MAX`] exist at once (the least recently used one gives way).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use hub::Principal;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Dashboard;
use super::render::{Failure, Notice};
use crate::error::ApiError;
use crate::error::Code;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "kliring_session";
/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, however busy.
pub const SESSION_LIFETIME_MAX: Duration = Duration::from_secs(12 * 60 * 60);
/// Most sessions kept at once.
pub const SESSIONS_MAX: usize = 1_024;
/// Random bytes in a session id and in a CSRF token.
const SECRET_BYTES: usize = 32;

/// The SHA-256 of a session id: the key of the session map.
type SessionKey = [u8; 32];

struct Session {
    token_hash: [u8; 32],
    csrf: String,
    created: Instant,
    last_seen: Instant,
    /// The outcome of the last action, shown once by the next page.
    flash: Option<Notice>,
}

/// All live sessions of this server (lost on restart: operators sign in again).
pub struct Sessions {
    map: Mutex<HashMap<SessionKey, Session>>,
}

fn random_hex() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    hex::encode(bytes)
}

fn key_of(id: &str) -> SessionKey {
    Sha256::digest(id.as_bytes()).into()
}

impl Sessions {
    pub fn new() -> Self {
        Sessions {
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SessionKey, Session>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a session for the credential whose token hashes to `token_hash`; returns the
    /// session id for the cookie.
    pub fn open(&self, token_hash: [u8; 32]) -> String {
        let now = Instant::now();
        let id = random_hex();
        let mut map = self.lock();
        map.retain(|_, s| alive(s, now));
        if map.len() >= SESSIONS_MAX
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(key, _)| *key)
        {
            map.remove(&oldest);
        }
        map.insert(
            key_of(&id),
            Session {
                token_hash,
                csrf: random_hex(),
                created: now,
                last_seen: now,
                flash: None,
            },
        );
        id
    }

    /// Ends the session `id` (sign-out).
    pub fn close(&self, id: &str) {
        self.lock().remove(&key_of(id));
    }

    /// Touches the live session `id`: its credential hash, CSRF token and pending flash.
    fn touch(&self, id: &str) -> Option<([u8; 32], String, Option<Notice>)> {
        let now = Instant::now();
        let key = key_of(id);
        let mut map = self.lock();
        let session = map.get_mut(&key)?;
        if !alive(session, now) {
            map.remove(&key);
            return None;
        }
        session.last_seen = now;
        Some((
            session.token_hash,
            session.csrf.clone(),
            session.flash.take(),
        ))
    }

    /// Leaves `notice` for the next page the session shows.
    pub fn flash(&self, id: &str, notice: Notice) {
        if let Some(session) = self.lock().get_mut(&key_of(id)) {
            session.flash = Some(notice);
        }
    }

    /// Number of sessions kept (expired ones not yet swept included).
    #[cfg(test)]
    fn count(&self) -> usize {
        self.lock().len()
    }
}

fn alive(session: &Session, now: Instant) -> bool {
    now.duration_since(session.last_seen) < SESSION_IDLE
        && now.duration_since(session.created) < SESSION_LIFETIME_MAX
}

/// The `Set-Cookie` value that installs session `id`.
pub fn cookie(id: &str) -> String {
    format!("{COOKIE_NAME}={id}; HttpOnly; SameSite=Strict; Path=/dashboard")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cookie_cleared() -> String {
    format!("{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=0")
}

/// The session id the request's cookies carry, if any.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Whether `principal` may use the dashboard: staff roles only; participants use the API.
pub fn admit(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Operator | Principal::ComplianceOfficer(_) | Principal::Auditor => Ok(()),
        Principal::Participant(_) => Err(ApiError::refused(
            Code::ForbiddenDashboardParticipant,
            "participants use the API, not the operator dashboard",
        )),
    }
}

/// A signed-in request: the principal as the hub knows it now, and the session's secrets.
pub struct Signed {
    pub principal: Principal,
    /// The session credential's token hash (four eyes compares credentials).
    pub token_hash: [u8; 32],
    pub session_id: String,
    pub csrf: String,
    /// The outcome of the previous action, if one is waiting to be shown.
    pub flash: Option<Notice>,
}

impl Signed {
    /// Whether `candidate` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, candidate: &str) -> bool {
        bool::from(self.csrf.as_bytes().ct_eq(candidate.as_bytes()))
    }
}

impl FromRequestParts<Dashboard> for Signed {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, dash: &Dashboard) -> Result<Self, Failure> {
        let signed_out = || Failure::signed_out("sign in to use the dashboard");
        let session_id = session_id(&parts.headers).ok_or_else(signed_out)?;
        let (token_hash, csrf, flash) = dash.sessions.touch(&session_id).ok_or_else(|| {
            Failure::signed_out("your session has ended (signed out or idle); sign in again")
        })?;
        let principal = dash.app.principal(token_hash).await?;
        let Some(principal) = principal else {
            // The credential was revoked: its sessions end with it.
            dash.sessions.close(&session_id);
            return Err(Failure::signed_out(
                "the credential of this session has been revoked",
            ));
        };
        admit(&principal).map_err(Failure::from)?;
        Ok(Signed {
            principal,
            token_hash,
            session_id,
            csrf,
            flash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_touch_close_and_stay_bounded() {
        let sessions = Sessions::new();
        let id = sessions.open([7; 32]);
        assert_eq!(id.len(), 2 * SECRET_BYTES);
        let (hash, csrf, flash) = sessions.touch(&id).expect("live session");
        assert_eq!(hash, [7; 32]);
        assert_eq!(csrf.len(), 2 * SECRET_BYTES);
        assert!(flash.is_none());
        assert!(sessions.touch("not-a-session").is_none());
        sessions.close(&id);
        assert!(sessions.touch(&id).is_none());
        let ids: Vec<String> = (0..SESSIONS_MAX + 5)
            .map(|_| sessions.open([1; 32]))
            .collect();
        assert_eq!(sessions.count(), SESSIONS_MAX);
        // The first ones gave way to the newest.
        assert!(sessions.touch(&ids[0]).is_none());
        assert!(sessions.touch(&ids[ids.len() - 1]).is_some());
    }

    #[test]
    fn idle_sessions_expire() {
        let now = Instant::now();
        let session = |idle: Duration, age: Duration| Session {
            token_hash: [0; 32],
            csrf: String::new(),
            created: now.checked_sub(age).unwrap_or(now),
            last_seen: now.checked_sub(idle).unwrap_or(now),
            flash: None,
        };
        let minute = Duration::from_secs(60);
        assert!(alive(&session(minute, minute), now));
        assert!(!alive(
            &session(SESSION_IDLE + minute, SESSION_IDLE + minute),
            now
        ));
        assert!(!alive(&session(minute, SESSION_LIFETIME_MAX + minute), now));
    }

    #[test]
    fn cookie_header_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            "other=1; kliring_session=abc; x=y".parse().expect("header"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("abc"));
        headers.insert(COOKIE, "kliring_session=".parse().expect("header"));
        assert_eq!(session_id(&headers), None);
        assert!(cookie("id").contains("HttpOnly; SameSite=Strict; Path=/dashboard"));
    }

    #[test]
    fn csrf_comparison() {
        let signed = Signed {
            principal: Principal::Auditor,
            token_hash: [0; 32],
            session_id: String::new(),
            csrf: "abcd".into(),
            flash: None,
        };
        assert!(signed.csrf_matches("abcd"));
        assert!(!signed.csrf_matches("abce"));
        assert!(!signed.csrf_matches("abc"));
        assert!(!signed.csrf_matches(""));
    }
}
