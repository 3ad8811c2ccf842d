//! The authorization matrix: every endpoint × every role, with the expected status. Each cell
//! gets a fresh target (a new payment, participant, currency, ...) so that one cell's success
//! cannot change another's answer. A participant that is not party to a payment gets 404 for it
//! (as for reads), so the existence of other banks' payments is not disclosed.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, admit, credential, payment_json};

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    AddCurrency,
    Currencies,
    Admit,
    Participants,
    Participant,
    Suspend,
    Reactivate,
    NetDebitCap,
    Deposit,
    Withdraw,
    Balances,
    Credentials,
    ListCredentials,
    RevokeCredential,
    CreatePayment,
    Payments,
    Payment,
    Accept,
    Reject,
    Return,
    Cancel,
    Bulk,
    BulkDecisions,
    Inbox,
    Held,
    Review,
    Release,
    RejectHold,
    ScreenMatch,
    ReloadLists,
    Health,
    PublishRate,
    Rates,
    RequestQuote,
    Quote,
    CloseWindow,
    SettleWindow,
    AbortWindow,
    Windows,
    Window,
    WindowCsv,
    PutWebhook,
    GetWebhook,
    DeleteWebhook,
    SetQueue,
    Queue,
    Camt054,
    ForwardedPacs008,
}

/// Roles in the order of the table's columns.
const ROLES: [&str; 7] = [
    "none",
    "operator",
    "debtor",
    "creditor",
    "unrelated",
    "officer",
    "auditor",
];

#[rustfmt::skip]
const MATRIX: &[(Endpoint, [u16; 7])] = &[
    //                         none  op   debt cred unrel offc audit
    (Endpoint::AddCurrency,   [401, 201, 403, 403, 403, 403, 403]),
    (Endpoint::Currencies,    [401, 200, 200, 200, 200, 200, 200]),
    (Endpoint::Admit,         [401, 201, 403, 403, 403, 403, 403]),
    (Endpoint::Participants,  [401, 200, 200, 200, 200, 200, 200]),
    (Endpoint::Participant,   [401, 200, 200, 200, 200, 200, 200]),
    (Endpoint::Suspend,       [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Reactivate,    [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::NetDebitCap,   [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Deposit,       [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Withdraw,      [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Balances,      [401, 200, 200, 403, 403, 200, 200]),
    (Endpoint::Credentials,   [401, 201, 403, 403, 403, 403, 403]),
    (Endpoint::ListCredentials, [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::RevokeCredential, [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::CreatePayment, [401, 403, 201, 403, 403, 403, 403]),
    (Endpoint::Payments,      [401, 200, 200, 200, 200, 200, 200]),
    (Endpoint::Payment,       [401, 200, 200, 200, 404, 200, 200]),
    (Endpoint::Accept,        [401, 403, 403, 200, 404, 403, 403]),
    (Endpoint::Reject,        [401, 403, 403, 200, 404, 403, 403]),
    (Endpoint::Return,        [401, 403, 403, 200, 404, 403, 403]),
    // The debtor cancels; the operator may too (e.g. on behalf of a failed bank).
    (Endpoint::Cancel,        [401, 200, 200, 403, 404, 403, 403]),
    (Endpoint::Bulk,          [401, 403, 200, 200, 200, 403, 403]),
    (Endpoint::BulkDecisions, [401, 403, 200, 200, 200, 403, 403]),
    (Endpoint::Inbox,         [401, 200, 200, 403, 403, 200, 200]),
    (Endpoint::Held,          [401, 200, 403, 403, 403, 200, 403]),
    (Endpoint::Review,        [401, 403, 403, 403, 403, 200, 403]),
    (Endpoint::Release,       [401, 403, 403, 403, 403, 200, 403]),
    (Endpoint::RejectHold,    [401, 403, 403, 403, 403, 200, 403]),
    (Endpoint::ScreenMatch,   [401, 200, 403, 403, 403, 200, 403]),
    (Endpoint::ReloadLists,   [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Health,        [200, 200, 200, 200, 200, 200, 200]),
    // Participants A, B, C have no FX provider role.
    (Endpoint::PublishRate,   [401, 403, 403, 403, 403, 403, 403]),
    (Endpoint::Rates,         [401, 200, 200, 200, 200, 200, 200]),
    (Endpoint::RequestQuote,  [401, 403, 201, 201, 201, 403, 403]),
    // A quote is shown to its requester (A) and provider only among participants.
    (Endpoint::Quote,         [401, 200, 200, 404, 404, 200, 200]),
    (Endpoint::CloseWindow,   [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::SettleWindow,  [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::AbortWindow,   [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Windows,       [401, 200, 403, 403, 403, 403, 200]),
    (Endpoint::Window,        [401, 200, 403, 403, 403, 403, 200]),
    (Endpoint::WindowCsv,     [401, 200, 403, 403, 403, 403, 200]),
    // Participant A's webhook: A itself or the operator.
    (Endpoint::PutWebhook,    [401, 200, 200, 403, 403, 403, 403]),
    (Endpoint::GetWebhook,    [401, 200, 200, 403, 403, 403, 403]),
    (Endpoint::DeleteWebhook, [401, 204, 204, 403, 403, 403, 403]),
    (Endpoint::SetQueue,      [401, 200, 403, 403, 403, 403, 403]),
    (Endpoint::Queue,         [401, 200, 403, 403, 403, 403, 403]),
    // A's side of an A → B payment: A, or a role that sees every participant.
    (Endpoint::Camt054,       [401, 200, 200, 403, 403, 200, 200]),
    // The pacs.008 forwarding an A → B payment: the parties and the scheme's roles.
    (Endpoint::ForwardedPacs008, [401, 200, 200, 200, 404, 200, 200]),
];

/// Targets beyond the scheme: an FX provider with a published KES/JPY rate.
struct Extra {
    provider: u64,
}

/// Settles any closed KES window (at most one may await settlement), then closes the open one
/// and returns its id.
async fn closed_window(s: &Scheme) -> u64 {
    let windows = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    for window in windows.body.as_array().unwrap() {
        if window["status"] == "closed" {
            let path = format!("/v1/settlement/windows/{}/settle", window["id"]);
            s.hub.expect(&path, OPERATOR_TOKEN, json!({}), 200).await;
        }
    }
    let body = json!({ "currency": "KES" });
    let closed = s
        .hub
        .expect("/v1/settlement/windows/close", OPERATOR_TOKEN, body, 200)
        .await;
    closed["id"].as_u64().unwrap()
}

/// Registers participant A's webhook (to a port nothing listens on; delivery just retries).
async fn a_webhook(s: &Scheme) -> String {
    let path = format!("/v1/participants/{}/webhook", s.a);
    let body = json!({ "url": "http://127.0.0.1:9/hook" });
    let reply = s
        .hub
        .call(Method::PUT, &path, Some(OPERATOR_TOKEN), Some(body))
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    path
}

static FRESH: AtomicUsize = AtomicUsize::new(0);

/// Four uppercase letters, different on every call.
fn fresh_letters(n: usize) -> String {
    let mut k = FRESH.fetch_add(1, Ordering::Relaxed);
    (0..n)
        .map(|_| {
            let c = char::from(b'A' + u8::try_from(k % 26).unwrap());
            k /= 26;
            c
        })
        .collect()
}

async fn create(s: &Scheme, creditor_name: &str) -> String {
    let pay = payment_json(Uuid::new_v4(), s.a, s.b, "1.00", creditor_name);
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    id
}

/// The request for one cell, creating whatever fresh target it needs.
async fn request(s: &Scheme, x: &Extra, endpoint: Endpoint) -> (Method, String, Option<Value>) {
    use Endpoint::*;
    let a = s.a;
    match endpoint {
        AddCurrency => {
            let code = format!("Q{}", fresh_letters(2));
            let body = json!({ "code": code, "exponent": 2, "settlement_model": "gross" });
            (Method::POST, "/v1/currencies".into(), Some(body))
        }
        Currencies => (Method::GET, "/v1/currencies".into(), None),
        Admit => {
            let body = json!({ "name": "New Bank", "bic": format!("{}KENA", fresh_letters(4)), "country": "KE" });
            (Method::POST, "/v1/participants".into(), Some(body))
        }
        Participants => (Method::GET, "/v1/participants".into(), None),
        Participant => (Method::GET, format!("/v1/participants/{a}"), None),
        Suspend => {
            let id = admit(&s.hub, "Target", &format!("{}KENA", fresh_letters(4))).await;
            (
                Method::POST,
                format!("/v1/participants/{id}/suspend"),
                Some(json!({})),
            )
        }
        Reactivate => {
            let id = admit(&s.hub, "Target", &format!("{}KENA", fresh_letters(4))).await;
            s.hub
                .expect(
                    &format!("/v1/participants/{id}/suspend"),
                    OPERATOR_TOKEN,
                    json!({}),
                    200,
                )
                .await;
            (
                Method::POST,
                format!("/v1/participants/{id}/reactivate"),
                Some(json!({})),
            )
        }
        NetDebitCap => (
            Method::PUT,
            format!("/v1/participants/{a}/net-debit-cap"),
            Some(json!({ "currency": "KES", "cap": "1000.00" })),
        ),
        Deposit => (
            Method::POST,
            format!("/v1/participants/{a}/liquidity/deposits"),
            Some(json!({ "currency": "JPY", "amount": "10" })),
        ),
        Withdraw => {
            let path = format!("/v1/participants/{a}/liquidity/deposits");
            s.hub
                .expect(
                    &path,
                    OPERATOR_TOKEN,
                    json!({ "currency": "JPY", "amount": "1" }),
                    200,
                )
                .await;
            let body = json!({ "currency": "JPY", "amount": "1" });
            (
                Method::POST,
                format!("/v1/participants/{a}/liquidity/withdrawals"),
                Some(body),
            )
        }
        Balances => (Method::GET, format!("/v1/participants/{a}/balances"), None),
        Credentials => (
            Method::POST,
            "/v1/credentials".into(),
            Some(json!({ "role": "auditor" })),
        ),
        ListCredentials => (Method::GET, "/v1/credentials".into(), None),
        RevokeCredential => {
            let body = json!({ "role": "auditor" });
            let issued = s
                .hub
                .expect("/v1/credentials", OPERATOR_TOKEN, body, 201)
                .await;
            let id = issued["id"].as_u64().unwrap();
            (Method::POST, format!("/v1/credentials/{id}/revoke"), None)
        }
        CreatePayment => (Method::POST, "/v1/payments".into(), Some(s.payment("1.00"))),
        Payments => (Method::GET, "/v1/payments".into(), None),
        Payment => (
            Method::GET,
            format!("/v1/payments/{}", create(s, "Juma").await),
            None,
        ),
        Accept => (
            Method::POST,
            format!("/v1/payments/{}/accept", create(s, "Juma").await),
            Some(json!({})),
        ),
        Reject => (
            Method::POST,
            format!("/v1/payments/{}/reject", create(s, "Juma").await),
            Some(json!({})),
        ),
        Return => {
            let id = create(s, "Juma").await;
            s.hub
                .expect(
                    &format!("/v1/payments/{id}/accept"),
                    &s.b_token,
                    json!({}),
                    200,
                )
                .await;
            let body = json!({ "return_payment_id": Uuid::new_v4() });
            (
                Method::POST,
                format!("/v1/payments/{id}/return"),
                Some(body),
            )
        }
        Cancel => (
            Method::POST,
            format!("/v1/payments/{}/cancel", create(s, "Juma").await),
            Some(json!({})),
        ),
        Bulk => (
            Method::POST,
            "/v1/payments/bulk".into(),
            Some(json!({ "payments": [s.payment("1.00")] })),
        ),
        BulkDecisions => {
            let id = create(s, "Juma").await;
            let body = json!({ "decisions": [{ "payment_id": id, "decision": "accept" }] });
            (
                Method::POST,
                "/v1/payments/bulk-decisions".into(),
                Some(body),
            )
        }
        Inbox => (Method::GET, format!("/v1/inbox?participant={a}"), None),
        Held => (Method::GET, "/v1/compliance/held".into(), None),
        Review => {
            let id = create(s, "Doku Umarov").await;
            (
                Method::POST,
                format!("/v1/compliance/held/{id}/review"),
                Some(json!({})),
            )
        }
        Release | RejectHold => {
            let id = create(s, "Doku Umarov").await;
            s.hub
                .expect(
                    &format!("/v1/compliance/held/{id}/review"),
                    &s.officer1,
                    json!({}),
                    200,
                )
                .await;
            let action = if matches!(endpoint, Release) {
                "release"
            } else {
                "reject"
            };
            (
                Method::POST,
                format!("/v1/compliance/held/{id}/{action}"),
                Some(json!({})),
            )
        }
        ScreenMatch => (
            Method::POST,
            "/v1/screening/match".into(),
            Some(json!({ "name": "Kim Jong Un" })),
        ),
        ReloadLists => (Method::POST, "/v1/lists/reload".into(), None),
        Health => (Method::GET, "/v1/health".into(), None),
        PublishRate => {
            let body = json!({ "base": "KES", "quote": "JPY", "rate": "1.5", "spread_bp": 0 });
            (Method::POST, "/v1/fx/rates".into(), Some(body))
        }
        Rates => (Method::GET, "/v1/fx/rates".into(), None),
        RequestQuote => {
            let body = json!({ "provider": x.provider, "source_currency": "KES",
                "target_currency": "JPY", "source_amount": "1.00" });
            (Method::POST, "/v1/fx/quotes".into(), Some(body))
        }
        Quote => {
            let body = json!({ "provider": x.provider, "source_currency": "KES",
                "target_currency": "JPY", "source_amount": "1.00" });
            let quote = s.hub.expect("/v1/fx/quotes", &s.a_token, body, 201).await;
            (
                Method::GET,
                format!("/v1/fx/quotes/{}", quote["quote_id"].as_str().unwrap()),
                None,
            )
        }
        CloseWindow => {
            let id = closed_window(s).await;
            let path = format!("/v1/settlement/windows/{id}/settle");
            s.hub.expect(&path, OPERATOR_TOKEN, json!({}), 200).await;
            let body = json!({ "currency": "KES", "mode": "direct" });
            (
                Method::POST,
                "/v1/settlement/windows/close".into(),
                Some(body),
            )
        }
        SettleWindow => {
            let id = closed_window(s).await;
            (
                Method::POST,
                format!("/v1/settlement/windows/{id}/settle"),
                None,
            )
        }
        AbortWindow => {
            let id = closed_window(s).await;
            (
                Method::POST,
                format!("/v1/settlement/windows/{id}/abort"),
                None,
            )
        }
        Windows => (
            Method::GET,
            "/v1/settlement/windows?currency=KES".into(),
            None,
        ),
        SetQueue => (
            Method::PUT,
            "/v1/settlement/queues/JPY".into(),
            Some(json!({ "enabled": true })),
        ),
        Queue => (Method::GET, "/v1/settlement/queues/JPY".into(), None),
        Camt054 => (
            Method::GET,
            format!(
                "/v1/iso20022/camt.054/{}?participant={a}",
                create(s, "Juma").await
            ),
            None,
        ),
        ForwardedPacs008 => (
            Method::GET,
            format!("/v1/iso20022/pacs.008/{}", create(s, "Juma").await),
            None,
        ),
        Window => (
            Method::GET,
            format!("/v1/settlement/windows/{}", closed_window(s).await),
            None,
        ),
        WindowCsv => {
            let id = closed_window(s).await;
            (
                Method::GET,
                format!("/v1/settlement/windows/{id}/report.csv"),
                None,
            )
        }
        PutWebhook => {
            let path = format!("/v1/participants/{a}/webhook");
            (
                Method::PUT,
                path,
                Some(json!({ "url": "http://127.0.0.1:9/hook" })),
            )
        }
        GetWebhook => (Method::GET, a_webhook(s).await, None),
        DeleteWebhook => (Method::DELETE, a_webhook(s).await, None),
    }
}

#[tokio::test]
async fn every_endpoint_times_every_role() {
    let s = Scheme::new().await;
    let body =
        json!({ "name": "FX House", "bic": "FXHOKENA", "country": "KE", "roles": ["fx_provider"] });
    let provider = s
        .hub
        .expect("/v1/participants", OPERATOR_TOKEN, body, 201)
        .await["id"]
        .as_u64()
        .unwrap();
    let token = credential(
        &s.hub,
        json!({ "role": "participant", "participant_id": provider }),
    )
    .await;
    let rate = json!({ "base": "KES", "quote": "JPY", "rate": "150", "spread_bp": 10 });
    s.hub.expect("/v1/fx/rates", &token, rate, 201).await;
    let x = Extra { provider };
    // Enough headroom for every payment the matrix creates.
    let cap = json!({ "currency": "KES", "cap": "100000.00" });
    let path = format!("/v1/participants/{}/net-debit-cap", s.a);
    assert_eq!(
        s.hub
            .call(Method::PUT, &path, Some(OPERATOR_TOKEN), Some(cap))
            .await
            .status,
        200
    );
    let tokens: [Option<&str>; 7] = [
        None,
        Some(OPERATOR_TOKEN),
        Some(&s.a_token),
        Some(&s.b_token),
        Some(&s.c_token),
        Some(&s.officer2),
        Some(&s.auditor),
    ];
    let mut failures = Vec::new();
    for &(endpoint, expected) in MATRIX {
        for (column, token) in tokens.iter().enumerate() {
            let (method, path, body) = request(&s, &x, endpoint).await;
            let reply = s.hub.call(method, &path, *token, body).await;
            if reply.status != expected[column] {
                failures.push(format!(
                    "{endpoint:?} as {}: expected {}, got {} {:?}",
                    ROLES[column], expected[column], reply.status, reply.body
                ));
            }
            if reply.status == 401 {
                assert_eq!(reply.code(), "unauthenticated");
            }
        }
    }
    // A token nobody issued is unauthenticated too.
    let unknown = s
        .hub
        .call(Method::GET, "/v1/participants", Some("deadbeef"), None)
        .await;
    assert_eq!((unknown.status, unknown.code()), (401, "unauthenticated"));
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    s.hub.shutdown().await;
}
