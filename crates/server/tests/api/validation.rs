//! Validation: every bad input gets its specific code and field, and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{OPERATOR_TOKEN, Scheme};

fn with(mut payment: Value, pointer: &str, value: Value) -> Value {
    *payment.pointer_mut(pointer).expect("field exists") = value;
    payment
}

#[tokio::test]
async fn bad_payments_get_specific_codes_and_change_nothing() {
    let s = Scheme::new().await;
    let p = || s.payment("10.00");
    let cases: Vec<(&str, Value, u16, &str, Option<&str>)> = vec![
        (
            "too many decimals",
            with(p(), "/amount", json!("10.001")),
            422,
            "amount_too_many_decimals",
            Some("amount"),
        ),
        (
            "negative",
            with(p(), "/amount", json!("-10.00")),
            422,
            "amount_negative",
            Some("amount"),
        ),
        (
            "zero",
            with(p(), "/amount", json!("0.00")),
            422,
            "amount_not_positive",
            Some("amount"),
        ),
        (
            "not numeric",
            with(p(), "/amount", json!("ten")),
            422,
            "amount_not_numeric",
            Some("amount"),
        ),
        (
            "number not string",
            with(p(), "/amount", json!(10)),
            400,
            "invalid_field",
            Some("amount"),
        ),
        (
            "unknown currency",
            with(p(), "/currency", json!("USD")),
            422,
            "currency_not_accepted",
            Some("currency"),
        ),
        (
            "bad currency code",
            with(p(), "/currency", json!("usd")),
            422,
            "invalid_currency_code",
            Some("currency"),
        ),
        (
            "unknown creditor",
            with(p(), "/creditor_participant", json!(99)),
            422,
            "creditor_participant_not_found",
            Some("creditor_participant"),
        ),
        (
            "same participants",
            with(p(), "/creditor_participant", json!(s.a)),
            422,
            "participants_must_differ",
            None,
        ),
        (
            "bad country",
            with(p(), "/debtor/country", json!("Kenya")),
            422,
            "invalid_country_code",
            Some("debtor.country"),
        ),
        (
            "empty name",
            with(p(), "/creditor/name", json!(" ")),
            422,
            "invalid_text",
            Some("creditor.name"),
        ),
        (
            "not a uuid",
            with(p(), "/payment_id", json!("abc")),
            400,
            "invalid_field",
            Some("payment_id"),
        ),
        (
            "unknown field",
            {
                let mut v = p();
                v["debtor"]["nickname"] = json!("x");
                v
            },
            400,
            "unknown_field",
            Some("debtor.nickname"),
        ),
        (
            "expiry too far",
            {
                let mut v = p();
                v["expires_in_secs"] = json!(u64::MAX);
                v
            },
            422,
            "invalid_expiry",
            Some("expires_in_secs"),
        ),
        (
            "not debtor",
            with(p(), "/debtor_participant", json!(s.c)),
            403,
            "forbidden_not_debtor",
            Some("debtor_participant"),
        ),
    ];
    for (name, body, status, code, field) in cases {
        let reply = s.hub.post("/v1/payments", &s.a_token, body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{name}: {:?}",
            reply.body
        );
        assert_eq!(
            reply.body["field"].as_str(),
            field,
            "{name}: {:?}",
            reply.body
        );
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}"
        );
    }
    let trailing = format!("{} {{}}", p());
    for (name, raw) in [
        ("truncated", "{\"payment_id\":"),
        ("not json", "hello"),
        ("trailing", trailing.as_str()),
    ] {
        let reply = s
            .hub
            .raw(
                Method::POST,
                "/v1/payments",
                Some(&s.a_token),
                Some(raw.to_owned()),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "malformed_json"),
            "{name}"
        );
    }
    let missing = s
        .hub
        .raw(
            Method::POST,
            "/v1/payments",
            Some(&s.a_token),
            Some("{}".to_owned()),
        )
        .await;
    assert_eq!((missing.status, missing.code()), (400, "missing_field"));

    // Nothing changed: no payment exists and no money is reserved.
    let list = s.hub.get("/v1/payments", OPERATOR_TOKEN).await;
    assert_eq!(list.body["payments"].as_array().map(Vec::len), Some(0));
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "0.00");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn bad_operator_inputs() {
    let s = Scheme::new().await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/v1/participants",
            json!({ "name": "X", "bic": "BAD", "country": "KE" }),
            422,
            "invalid_bic",
        ),
        (
            "/v1/participants",
            json!({ "name": "X", "bic": "ALPHKENA", "country": "KE" }),
            409,
            "bic_already_admitted",
        ),
        (
            "/v1/participants",
            json!({ "name": "X", "bic": "XXXXKENA", "country": "KE", "extra": 1 }),
            400,
            "unknown_field",
        ),
        (
            "/v1/currencies",
            json!({ "code": "KES", "exponent": 2, "settlement_model": "gross" }),
            409,
            "currency_exists",
        ),
        (
            "/v1/currencies",
            json!({ "code": "EUR", "exponent": 9, "settlement_model": "gross" }),
            422,
            "invalid_exponent",
        ),
        (
            "/v1/currencies",
            json!({ "code": "EUR", "exponent": 2, "settlement_model": "barter" }),
            400,
            "invalid_field",
        ),
        (
            "/v1/credentials",
            json!({ "role": "participant" }),
            422,
            "credential_fields_mismatch",
        ),
        (
            "/v1/credentials",
            json!({ "role": "participant", "participant_id": 99 }),
            404,
            "participant_not_found",
        ),
    ];
    for (path, body, status, code) in cases {
        let reply = s.hub.post(path, OPERATOR_TOKEN, body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{path} {body}: {:?}",
            reply.body
        );
    }
    let deposit = |amount: &str| json!({ "currency": "JPY", "amount": amount });
    let path = format!("/v1/participants/{}/liquidity/deposits", s.a);
    let reply = s.hub.post(&path, OPERATOR_TOKEN, deposit("1.5")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "amount_too_many_decimals")
    );
    let reply = s
        .hub
        .post(
            "/v1/participants/999/liquidity/deposits",
            OPERATOR_TOKEN,
            deposit("1"),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (404, "participant_not_found"));
    let reply = s
        .hub
        .post("/v1/participants/abc/suspend", OPERATOR_TOKEN, json!({}))
        .await;
    assert_eq!((reply.status, reply.code()), (400, "invalid_path"));
    let reply = s.hub.get("/v1/payments/not-a-uuid", OPERATOR_TOKEN).await;
    assert_eq!((reply.status, reply.code()), (400, "invalid_path"));
    // Words for the caller, not the parser's Rust type names.
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("not a UUID") && !message.contains("Uuid"),
        "{message}"
    );
    assert_eq!(
        s.hub
            .get("/v1/participants", OPERATOR_TOKEN)
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(s.balance(s.a, "JPY").await["liquidity"], "0");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn oversized_body_is_refused_with_a_json_error() {
    let s = Scheme::new().await;
    let huge = format!("{{\"payments\": [\"{}\"]}}", "x".repeat(17 * 1024 * 1024));
    let reply = s
        .hub
        .raw(
            Method::POST,
            "/v1/payments/bulk",
            Some(&s.a_token),
            Some(huge),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (413, "body_too_large"));
    s.hub.shutdown().await;
}
