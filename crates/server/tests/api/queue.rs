//! The liquidity queue over HTTP: three banks in a gross currency without enough liquidity, the
//! queue enabled, a circular set of payments queued and then committed at once by gridlock
//! resolution, balances checked to the minor unit.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, payment_json};

const QUEUE: &str = "/v1/settlement/queues/JPY";

async fn put_queue(s: &Scheme, path: &str, token: &str, enabled: bool) -> (u16, Value) {
    let body = json!({ "enabled": enabled });
    let reply = s.hub.call(Method::PUT, path, Some(token), Some(body)).await;
    (reply.status, reply.body)
}

fn jpy(id: Uuid, debtor: u64, creditor: u64, amount: &str) -> Value {
    let mut p = payment_json(id, debtor, creditor, amount, "Juma Mwangi");
    p["currency"] = json!("JPY");
    p
}

async fn status(s: &Scheme, id: Uuid) -> Value {
    let reply = s
        .hub
        .get(&format!("/v1/payments/{id}"), OPERATOR_TOKEN)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["status"].clone()
}

#[tokio::test]
async fn circular_payments_queue_then_settle_together() {
    let s = Scheme::new().await;
    let (a, b, c) = (s.a, s.b, s.c);
    // Refusals: a deferred-net currency, a participant caller, an unknown currency.
    let (code, body) = put_queue(&s, "/v1/settlement/queues/KES", OPERATOR_TOKEN, true).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (422, Some("currency_not_gross"))
    );
    let (code, _) = put_queue(&s, QUEUE, &s.a_token, true).await;
    assert_eq!(code, 403);
    let unknown = s.hub.get("/v1/settlement/queues/EUR", OPERATOR_TOKEN).await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (422, "currency_not_accepted")
    );
    // Without the queue, a payment short of liquidity is refused as before.
    let refused = s
        .hub
        .post("/v1/payments", &s.b_token, jpy(Uuid::new_v4(), b, c, "200"))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (422, "insufficient_funds")
    );

    let (code, view) = put_queue(&s, QUEUE, OPERATOR_TOKEN, true).await;
    assert_eq!((code, &view["enabled"]), (200, &json!(true)));
    assert_eq!(view["payments"], json!([]));
    // A and C each hold 50 yen: less than any of their payments, but enough for the net.
    for who in [a, c] {
        let deposit = json!({ "currency": "JPY", "amount": "50" });
        let path = format!("/v1/participants/{who}/liquidity/deposits");
        s.hub.expect(&path, OPERATOR_TOKEN, deposit, 200).await;
    }
    let (ab, bc, ca) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let first = s
        .hub
        .expect("/v1/payments", &s.a_token, jpy(ab, a, b, "300"), 201)
        .await;
    assert_eq!(first["status"], "queued");
    let second = s
        .hub
        .expect("/v1/payments", &s.b_token, jpy(bc, b, c, "200"), 201)
        .await;
    assert_eq!(second["status"], "queued");
    let queue = s.hub.get(QUEUE, OPERATOR_TOKEN).await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    let waiting: Vec<&str> = queue.body["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payment_id"].as_str().unwrap())
        .collect();
    assert_eq!(waiting, vec![ab.to_string(), bc.to_string()]);
    assert_eq!(status(&s, ab).await, "queued");
    assert_eq!(s.balance(a, "JPY").await["available"], "50");

    // The third payment closes the cycle: its own answer says queued, and the end of its
    // batch settles all three at once.
    let third = s
        .hub
        .expect("/v1/payments", &s.c_token, jpy(ca, c, a, "250"), 201)
        .await;
    assert_eq!(third["status"], "queued");
    for id in [ab, bc, ca] {
        assert_eq!(status(&s, id).await, "committed", "{id}");
    }
    let queue = s.hub.get(QUEUE, OPERATOR_TOKEN).await;
    assert_eq!(queue.body["payments"], json!([]));
    // A: 50 - 300 + 250 = 0; B: 300 - 200 = 100; C: 50 + 200 - 250 = 0.
    for (who, liquidity) in [(a, "0"), (b, "100"), (c, "0")] {
        let balance = s.balance(who, "JPY").await;
        assert_eq!(balance["liquidity"], liquidity, "participant {who}");
        assert_eq!(balance["available"], liquidity, "participant {who}");
    }
    // The creditor's accept is waived: the payment is final already.
    let accept = s
        .hub
        .post(&format!("/v1/payments/{ab}/accept"), &s.b_token, json!({}))
        .await;
    assert_eq!(
        (accept.status, accept.code()),
        (409, "payment_not_reserved")
    );
    let openapi = s.hub.get("/v1/openapi.json", OPERATOR_TOKEN).await;
    assert!(openapi.body["paths"]["/v1/settlement/queues/{currency}"]["put"].is_object());
    s.hub.shutdown().await;
}
