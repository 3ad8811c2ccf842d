//! The dashboard's page frame, error pages and small formatting helpers.
//!
//! Everything is rendered with `maud`, which escapes every interpolated value, so names and
//! references typed by participants (or matched from sanctions lists) always appear as text.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hub::Principal;
use maud::{DOCTYPE, Markup, html};
use serde::Serialize;

use super::session::Signed;
use crate::error::ApiError;

/// A page section, for the navigation bar.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Participants,
    Payments,
    Compliance,
    Settlement,
}

/// The outcome of an action, shown above the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    /// A refusal with its machine code (the hub's or the API's) and message.
    Refused {
        code: String,
        message: String,
    },
}

impl From<&ApiError> for Notice {
    fn from(error: &ApiError) -> Self {
        Notice::Refused {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}

/// Whether `principal` sees the compliance queue (officers act on it, the operator watches).
pub fn sees_compliance(principal: &Principal) -> bool {
    matches!(
        principal,
        Principal::Operator | Principal::ComplianceOfficer(_)
    )
}

/// Whether `principal` sees settlement windows (the operator runs them, auditors read them).
pub fn sees_settlement(principal: &Principal) -> bool {
    matches!(principal, Principal::Operator | Principal::Auditor)
}

/// Who a principal is, in words.
pub fn who(principal: &Principal) -> String {
    match principal {
        Principal::Operator => "operator".to_owned(),
        Principal::Participant(id) => format!("participant {}", id.0),
        Principal::ComplianceOfficer(name) => format!("compliance officer {name}"),
        Principal::Auditor => "auditor".to_owned(),
    }
}

/// An HTML response.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

fn document(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · kliring" }
                link rel="stylesheet" href="/dashboard/style.css";
            }
            body { (body) }
        }
    }
}

fn notice(notice: &Notice) -> Markup {
    match notice {
        Notice::Done(message) => html! { p.notice.done role="status" { (message) } },
        Notice::Refused { code, message } => html! {
            p.notice.refused role="alert" { "Refused: " code { (code) } " — " (message) }
        },
    }
}

/// A signed-in page: navigation for the principal's role, the notice (if any), the content.
pub fn page(
    signed: &Signed,
    current: Section,
    title: &str,
    shown: Option<&Notice>,
    content: Markup,
) -> Markup {
    let mut sections = vec![
        (Section::Overview, "/dashboard", "Overview"),
        (
            Section::Participants,
            "/dashboard/participants",
            "Participants",
        ),
        (Section::Payments, "/dashboard/payments", "Payments"),
    ];
    if sees_compliance(&signed.principal) {
        sections.push((Section::Compliance, "/dashboard/compliance", "Compliance"));
    }
    if sees_settlement(&signed.principal) {
        sections.push((Section::Settlement, "/dashboard/settlement", "Settlement"));
    }
    let body = html! {
        header {
            nav {
                span.brand { "kliring" }
                @for (section, href, label) in &sections {
                    @if *section == current {
                        a.current href=(href) aria-current="page" { (label) }
                    } @else {
                        a href=(href) { (label) }
                    }
                }
            }
            form.signout method="post" action="/dashboard/sign-out" {
                span { "Signed in as " (who(&signed.principal)) }
                (csrf_field(signed))
                button type="submit" { "Sign out" }
            }
        }
        main {
            h1 { (title) }
            @if let Some(shown) = shown { (notice(shown)) }
            (content)
        }
    };
    document(title, body)
}

/// The hidden CSRF field every POST form carries.
pub fn csrf_field(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.csrf); }
}

/// A one-button POST form to `action`.
pub fn action_button(signed: &Signed, action: &str, label: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(signed))
            button type="submit" { (label) }
        }
    }
}

/// The sign-in page, with an optional refusal above the form.
pub fn sign_in_page(shown: Option<&Notice>) -> Markup {
    document(
        "Sign in",
        html! {
            main.signin {
                h1 { "kliring operator dashboard" }
                @if let Some(shown) = shown { (notice(shown)) }
                form method="post" action="/dashboard/sign-in" {
                    label for="token" { "API token (operator, compliance officer or auditor)" }
                    input #token type="password" name="token" autocomplete="off" required;
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// A page that could not be shown (or an action refused outside any page): status, code and
/// message, rendered as HTML. Converts from [`ApiError`], keeping its status and code.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    code: String,
    message: String,
    /// Seconds for `Retry-After` (429 after too many failed sign-ins).
    retry_after_secs: Option<u64>,
}

impl Failure {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Failure {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// 401: the request needs a session it does not have (any more).
    pub fn signed_out(message: &str) -> Self {
        Failure::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        let retry_after_secs = match error {
            ApiError::TooManyFailedAuthentications { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        Failure {
            status: error.status(),
            code: error.code().to_owned(),
            message: error.to_string(),
            retry_after_secs,
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let shown = Notice::Refused {
            code: self.code,
            message: self.message,
        };
        if self.status == StatusCode::UNAUTHORIZED {
            return html_response(self.status, sign_in_page(Some(&shown)));
        }
        // The title says what happened: a missing page is not a refusal.
        let title = match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            status if status.is_server_error() => "Something went wrong",
            _ => "Refused",
        };
        let body = html! {
            main.signin {
                h1 { (title) }
                (notice(&shown))
                p { a href="/dashboard" { "Back to the dashboard" } }
            }
        };
        let mut response = html_response(self.status, document(title, body));
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A wire enum's snake_case name (as the JSON API spells it).
pub fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::from("?"),
    }
}

/// A hub timestamp (ns since the Unix epoch) in RFC 3339, UTC.
pub fn timestamp(ns: u64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| format!("{ns} ns"))
}

/// Participants by id as people know them: "Alpha Bank (ALPHKENA)".
pub struct ParticipantLabels(std::collections::BTreeMap<u64, String>);

impl ParticipantLabels {
    /// Every participant's label, in one hub read.
    pub async fn load(app: &crate::state::AppState) -> Result<Self, ApiError> {
        let labels = app
            .read(|hub| {
                hub.participants()
                    .iter()
                    .map(|p| (p.id.0, format!("{} ({})", p.name, p.bic.as_str())))
                    .collect()
            })
            .await?;
        Ok(ParticipantLabels(labels))
    }

    /// The label of participant `id`, or the id when it is unknown.
    pub fn of(&self, id: u64) -> String {
        self.0
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("participant {id}"))
    }

    /// The label of a party written as the API writes it: an id, or `settlement_account`.
    pub fn of_party(&self, party: &str) -> String {
        match party.parse::<u64>() {
            Ok(id) => self.of(id),
            Err(_) => party.replace('_', " "),
        }
    }
}

/// How long ago `ns` was, from `now_ns`, in the largest whole unit: "3 min", "2 h 5 min".
pub fn age(ns: u64, now_ns: u64) -> String {
    let secs = now_ns.saturating_sub(ns) / 1_000_000_000;
    match secs {
        0..60 => format!("{secs} s"),
        60..3_600 => format!("{} min", secs / 60),
        3_600..86_400 => format!("{} h {} min", secs / 3_600, secs % 3_600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3_600),
    }
}

/// The wall clock in ns since the Unix epoch (0 if the clock is before it).
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// A decimal amount as the API writes it ("-1234567.50"), grouped in thousands with its
/// currency: "-1,234,567.50 KES". Text that is not such an amount is shown as it is.
pub fn money(amount: &str, currency: &str) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{amount} {currency}");
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction} {currency}"),
        None => format!("{sign}{grouped} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps_and_wire_names() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(timestamp(1_500_000_000), "1970-01-01 00:00:01 UTC");
        assert_eq!(
            wire_name(&crate::wire::PaymentStatusWire::Reserved),
            "reserved"
        );
    }

    #[test]
    fn ages_in_the_largest_whole_unit() {
        let s = 1_000_000_000;
        assert_eq!(age(0, 59 * s), "59 s");
        assert_eq!(age(0, 61 * s), "1 min");
        assert_eq!(age(0, 3_900 * s), "1 h 5 min");
        assert_eq!(age(0, 90_000 * s), "1 d 1 h");
        assert_eq!(age(10 * s, 0), "0 s");
    }

    #[test]
    fn amounts_are_grouped_with_their_currency() {
        for (amount, currency, shown) in [
            ("50000000.00", "KES", "50,000,000.00 KES"),
            ("-4664941.54", "KES", "-4,664,941.54 KES"),
            ("999.99", "EUR", "999.99 EUR"),
            ("1000", "JPY", "1,000 JPY"),
            ("0.05", "USD", "0.05 USD"),
            ("n/a", "USD", "n/a USD"),
        ] {
            assert_eq!(money(amount, currency), shown);
        }
    }

    #[test]
    fn markup_escapes_text() {
        let shown = Notice::Refused {
            code: "x".into(),
            message: "<script>alert(1)</script>".into(),
        };
        let text = sign_in_page(Some(&shown)).into_string();
        assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!text.contains("<script>"));
    }
}
