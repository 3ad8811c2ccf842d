//! `POST /v1/payments/{id}/cancel` over HTTP: a reserved payment cancelled (funds back, both
//! inboxes told, replay), a committed one asked back from the creditor (202, its inbox), and
//! the refusals (already rejected, unknown reason code).

use reqwest::Method;
use serde_json::json;

use crate::harness::Scheme;

#[tokio::test]
async fn cancel_voids_a_reservation_or_asks_the_creditor_back() {
    let s = Scheme::new().await;
    let before = s.balance(s.a, "KES").await;
    let pay = s.payment("7.00");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_ne!(s.balance(s.a, "KES").await, before);

    let path = format!("/v1/payments/{id}/cancel");
    // Without a body; the default reason.
    let reply = s.hub.raw(Method::POST, &path, Some(&s.a_token), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["outcome"], "cancelled");
    assert_eq!(reply.body["status"], "rejected");
    assert_eq!(reply.body["reason_code"], "cancelled_by_debtor");
    assert_eq!(reply.body["iso_reason"], "DS02");
    assert_eq!(reply.body["replayed"], false);
    assert_eq!(s.balance(s.a, "KES").await, before, "reservation voided");
    let inbox = s.hub.get("/v1/inbox", &s.b_token).await;
    let last = inbox.body["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned();
    assert_eq!(last.unwrap()["reason_code"], "cancelled_by_debtor");
    let again = s.hub.expect(&path, &s.a_token, json!({}), 200).await;
    assert_eq!(again["replayed"], true);
    // The creditor cannot accept it any more.
    let accept = format!("/v1/payments/{id}/accept");
    let reply = s.hub.post(&accept, &s.b_token, json!({})).await;
    assert_eq!((reply.status, reply.code()), (409, "payment_not_reserved"));

    // Committed: 202, the creditor's inbox has the request; nothing moves.
    let pay = s.payment("5.00");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let accept = format!("/v1/payments/{id}/accept");
    s.hub.expect(&accept, &s.b_token, json!({}), 200).await;
    let settled = s.balance(s.a, "KES").await;
    let path = format!("/v1/payments/{id}/cancel");
    let body = json!({ "reason": "duplicate_payment" });
    let asked = s.hub.expect(&path, &s.a_token, body, 202).await;
    assert_eq!(
        (&asked["outcome"], &asked["status"], &asked["reason_code"]),
        (
            &json!("return_requested"),
            &json!("committed"),
            &json!("duplicate_payment")
        )
    );
    assert_eq!(s.balance(s.a, "KES").await, settled);
    let inbox = s.hub.get("/v1/inbox", &s.b_token).await;
    let last = inbox.body["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned();
    let last = last.unwrap();
    assert_eq!(
        (&last["kind"], &last["payment_id"], &last["status"]),
        (&json!("return_requested"), &json!(id), &json!("committed"))
    );

    // Refusals: a rejected payment; an unknown reason code; a reason only the hub gives.
    let pay = s.payment("1.00");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let reject = format!("/v1/payments/{id}/reject");
    s.hub.expect(&reject, &s.b_token, json!({}), 200).await;
    let path = format!("/v1/payments/{id}/cancel");
    let reply = s.hub.post(&path, &s.a_token, json!({})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "payment_not_cancellable")
    );
    let reply = s
        .hub
        .post(&path, &s.a_token, json!({ "reason": "nope" }))
        .await;
    assert_eq!((reply.status, reply.code()), (422, "unknown_reason_code"));
    let body = json!({ "reason": "cancelled_by_debtor" });
    let reply = s.hub.post(&path, &s.a_token, body).await;
    assert_eq!((reply.status, reply.code()), (422, "reason_not_allowed"));

    let openapi = s.hub.get("/v1/openapi.json", &s.a_token).await;
    assert!(
        openapi.body["paths"]
            .get("/v1/payments/{id}/cancel")
            .is_some()
    );
    s.hub.shutdown().await;
}
