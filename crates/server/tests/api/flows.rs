//! End-to-end flows: pay and accept with balances to the minor unit, reject, return, holds with
//! four eyes, idempotency, bulk with mixed items, long-poll inbox, system endpoints.

use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, payment_json};

#[tokio::test]
async fn pay_accept_and_balances_to_the_minor_unit() {
    let s = Scheme::new().await;
    let pay = s.payment("123.45");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "reserved");
    assert_eq!(created["replayed"], false);

    let a = s.balance(s.a, "KES").await;
    assert_eq!(a["pending_debits"], "123.45");
    assert_eq!(a["available"], "876.55");
    assert_eq!(s.balance(s.b, "KES").await["pending_credits"], "123.45");

    let accepted = s
        .hub
        .expect(
            &format!("/v1/payments/{id}/accept"),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    assert_eq!(accepted["status"], "committed");
    let a = s.balance(s.a, "KES").await;
    assert_eq!(
        (a["position"].as_str(), a["pending_debits"].as_str()),
        (Some("-123.45"), Some("0.00"))
    );
    assert_eq!(a["available"], "876.55");
    let b = s.balance(s.b, "KES").await;
    assert_eq!(
        (b["position"].as_str(), b["pending_credits"].as_str()),
        (Some("123.45"), Some("0.00"))
    );

    // A second payment for one cent, then rejected: positions stay as they were.
    let pay = s.payment("0.01");
    let id2 = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let body = json!({ "reason": "incorrect_account_number" });
    let rejected = s
        .hub
        .expect(&format!("/v1/payments/{id2}/reject"), &s.b_token, body, 200)
        .await;
    assert_eq!(
        (
            rejected["status"].as_str(),
            rejected["reason_code"].as_str()
        ),
        (Some("rejected"), Some("incorrect_account_number"))
    );
    assert_eq!(rejected["iso_reason"], "AC01");
    assert_eq!(s.balance(s.a, "KES").await["position"], "-123.45");

    let got = s.hub.get(&format!("/v1/payments/{id}"), &s.a_token).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        (got.body["amount"].as_str(), got.body["status"].as_str()),
        (Some("123.45"), Some("committed"))
    );

    // The creditor returns the committed payment: money goes back.
    let ret = json!({ "return_payment_id": Uuid::new_v4(), "reason": "requested_by_customer" });
    let returned = s
        .hub
        .expect(&format!("/v1/payments/{id}/return"), &s.b_token, ret, 200)
        .await;
    assert_eq!(returned["status"], "committed");
    assert_eq!(s.balance(s.a, "KES").await["position"], "0.00");
    assert_eq!(s.balance(s.b, "KES").await["position"], "0.00");
    assert_eq!(
        s.hub
            .get(&format!("/v1/payments/{id}"), &s.a_token)
            .await
            .body["status"],
        "returned"
    );
    s.hub.shutdown().await;
}

#[tokio::test]
async fn insufficient_funds_and_suspension() {
    let s = Scheme::new().await;
    let over = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1000.01"))
        .await;
    assert_eq!((over.status, over.code()), (422, "insufficient_funds"));
    let exact = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1000.00"))
        .await;
    assert_eq!(exact.status, 201, "{:?}", exact.body);

    s.hub
        .expect(
            &format!("/v1/participants/{}/suspend", s.b),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    let to_suspended = s
        .hub
        .post(
            "/v1/payments",
            &s.c_token,
            payment_json(Uuid::new_v4(), s.c, s.b, "1.00", "X Y"),
        )
        .await;
    assert_eq!(
        (to_suspended.status, to_suspended.code()),
        (422, "creditor_participant_suspended")
    );
    let again = s
        .hub
        .post(
            &format!("/v1/participants/{}/suspend", s.b),
            OPERATOR_TOKEN,
            json!({}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "participant_already_suspended")
    );
    let back = s
        .hub
        .expect(
            &format!("/v1/participants/{}/reactivate", s.b),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    assert_eq!(back["status"], "active");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn gross_currency_draws_on_liquidity() {
    let s = Scheme::new().await;
    let jpy = |amount: &str| {
        let mut p = s.payment(amount);
        p["currency"] = json!("JPY");
        p
    };
    let none = s.hub.post("/v1/payments", &s.a_token, jpy("500")).await;
    assert_eq!((none.status, none.code()), (422, "insufficient_funds"));
    let deposit = json!({ "currency": "JPY", "amount": "1000" });
    let after = s
        .hub
        .expect(
            &format!("/v1/participants/{}/liquidity/deposits", s.a),
            OPERATOR_TOKEN,
            deposit,
            200,
        )
        .await;
    assert_eq!(after["liquidity"], "1000");
    s.hub
        .expect("/v1/payments", &s.a_token, jpy("500"), 201)
        .await;
    assert_eq!(s.balance(s.a, "JPY").await["available"], "500");
    let withdraw = json!({ "currency": "JPY", "amount": "501" });
    let too_much = s
        .hub
        .post(
            &format!("/v1/participants/{}/liquidity/withdrawals", s.a),
            OPERATOR_TOKEN,
            withdraw,
        )
        .await;
    assert_eq!(
        (too_much.status, too_much.code()),
        (422, "insufficient_liquidity")
    );
    s.hub.shutdown().await;
}

#[tokio::test]
async fn idempotent_resubmission_and_conflicting_duplicate() {
    let s = Scheme::new().await;
    let pay = s.payment("10.00");
    let first = s
        .hub
        .expect("/v1/payments", &s.a_token, pay.clone(), 201)
        .await;
    let again = s
        .hub
        .expect("/v1/payments", &s.a_token, pay.clone(), 200)
        .await;
    assert_eq!(
        (again["replayed"].as_bool(), &again["status"]),
        (Some(true), &first["status"])
    );
    let mut changed = pay.clone();
    changed["amount"] = json!("10.01");
    let conflict = s.hub.post("/v1/payments", &s.a_token, changed).await;
    assert_eq!(
        (conflict.status, conflict.code()),
        (409, "duplicate_payment_id_different_content")
    );
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "10.00");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn bulk_items_fail_alone() {
    let s = Scheme::new().await;
    let good1 = s.payment("1.00");
    let good2 = s.payment("2.00");
    let mut bad_amount = s.payment("1.001");
    bad_amount["currency"] = json!("KES");
    let unknown_field = json!({ "payment_id": Uuid::new_v4(), "bogus": 1 });
    let mut not_debtor = s.payment("1.00");
    not_debtor["debtor_participant"] = json!(s.c);
    let body = json!({ "payments": [good1, bad_amount, unknown_field, not_debtor, good2, "not an object"] });
    let reply = s
        .hub
        .expect("/v1/payments/bulk", &s.a_token, body, 200)
        .await;
    let results = reply["results"].as_array().unwrap();
    let codes: Vec<(u64, &str)> = results
        .iter()
        .map(|r| {
            (
                r["status"].as_u64().unwrap(),
                r["error"]["code"]
                    .as_str()
                    .unwrap_or(r["payment"]["status"].as_str().unwrap_or("")),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (201, "reserved"),
            (422, "amount_too_many_decimals"),
            (400, "unknown_field"),
            (403, "forbidden_not_debtor"),
            (201, "reserved"),
            (400, "invalid_field"),
        ]
    );
    assert_eq!(
        (reply["succeeded"].as_u64(), reply["failed"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "3.00");

    let ids: Vec<&str> = [0, 4]
        .iter()
        .map(|&i| results[i]["payment"]["payment_id"].as_str().unwrap())
        .collect();
    let decisions = json!({ "decisions": [
        { "payment_id": ids[0], "decision": "accept" },
        { "payment_id": Uuid::new_v4(), "decision": "accept" },
        { "payment_id": ids[1], "decision": "reject", "reason": "blocked_account" },
        { "payment_id": ids[1], "decision": "maybe" },
    ]});
    let reply = s
        .hub
        .expect("/v1/payments/bulk-decisions", &s.b_token, decisions, 200)
        .await;
    let statuses: Vec<u64> = reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![200, 404, 200, 400]);
    assert_eq!(s.balance(s.b, "KES").await["position"], "1.00");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn held_payment_needs_two_officers() {
    let s = Scheme::new().await;
    let pay = payment_json(Uuid::new_v4(), s.a, s.b, "50.00", "Doku Umarov");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "0.00");

    let held = s.hub.get("/v1/compliance/held", &s.officer1).await;
    assert_eq!(held.status, 200);
    let entry = &held.body[0];
    assert_eq!(entry["payment"]["payment_id"], id.as_str());
    assert_eq!(entry["hits"][0]["reference"], "QDi.290");
    assert!(
        entry["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["source"] == "un")
    );

    let early = s
        .hub
        .post(
            &format!("/v1/compliance/held/{id}/release"),
            &s.officer1,
            json!({}),
        )
        .await;
    assert_eq!((early.status, early.code()), (409, "hold_not_reviewed"));
    s.hub
        .expect(
            &format!("/v1/compliance/held/{id}/review"),
            &s.officer1,
            json!({}),
            200,
        )
        .await;
    let same = s
        .hub
        .post(
            &format!("/v1/compliance/held/{id}/release"),
            &s.officer1,
            json!({}),
        )
        .await;
    assert_eq!((same.status, same.code()), (409, "four_eyes_same_officer"));
    let released = s
        .hub
        .expect(
            &format!("/v1/compliance/held/{id}/release"),
            &s.officer2,
            json!({}),
            200,
        )
        .await;
    assert_eq!(released["status"], "reserved");
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "50.00");

    // A second held payment is rejected by the second officer with the sanctions reason.
    let pay = payment_json(Uuid::new_v4(), s.a, s.b, "5.00", "Umarov Doku");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    assert_eq!(
        s.hub.expect("/v1/payments", &s.a_token, pay, 201).await["status"],
        "held"
    );
    s.hub
        .expect(
            &format!("/v1/compliance/held/{id}/review"),
            &s.officer2,
            json!({}),
            200,
        )
        .await;
    let rejected = s
        .hub
        .expect(
            &format!("/v1/compliance/held/{id}/reject"),
            &s.officer1,
            json!({}),
            200,
        )
        .await;
    assert_eq!(
        (rejected["status"].as_str(), rejected["iso_reason"].as_str()),
        (Some("rejected"), Some("RR04"))
    );

    let screened = s
        .hub
        .expect(
            "/v1/screening/match",
            &s.officer1,
            json!({ "name": "Umarov, Doku" }),
            200,
        )
        .await;
    assert_eq!(screened["hits"][0]["reference"], "QDi.290");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn no_un_list_refuses_payments() {
    let s = Scheme::on(TestHub::start_with(false).await).await;
    let reply = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1.00"))
        .await;
    assert_eq!((reply.status, reply.code()), (422, "no_un_list_loaded"));
    assert_eq!(
        reply.body["message"],
        "no UN Security Council list loaded; import one with kliring lists import FILE"
    );
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await;
    assert_eq!(health.body["un_list_loaded"], false);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn inbox_long_poll_wakes_on_incoming_payment() {
    let s = Scheme::new().await;
    let empty = s.hub.get("/v1/inbox?after=0&wait=0", &s.b_token).await;
    assert_eq!(
        (empty.status, empty.body["next_cursor"].as_u64()),
        (200, Some(0))
    );

    let poll = {
        let (client, base, token) = (s.hub.client.clone(), s.hub.base.clone(), s.b_token.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client
                .get(format!("{base}/v1/inbox?after=0&wait=10"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (
                started.elapsed(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pay = s.payment("7.00");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let (waited, page) = poll.await.unwrap();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    let event = &page["events"][0];
    assert_eq!(
        (event["kind"].as_str(), event["payment_id"].as_str()),
        (Some("incoming_payment"), Some(id.as_str()))
    );
    let cursor = page["next_cursor"].as_u64().unwrap();

    s.hub
        .expect(
            &format!("/v1/payments/{id}/accept"),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    let debtor = s.hub.get("/v1/inbox?after=0", &s.a_token).await;
    assert!(
        debtor.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["status"] == "committed"),
        "{:?}",
        debtor.body
    );
    let later = s
        .hub
        .get(&format!("/v1/inbox?after={cursor}&wait=1"), &s.b_token)
        .await;
    assert!(later.body["next_cursor"].as_u64().unwrap() >= cursor);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn list_payments_with_filters_and_cursor() {
    let s = Scheme::new().await;
    for i in 1..=5 {
        s.hub
            .expect(
                "/v1/payments",
                &s.a_token,
                s.payment(&format!("{i}.00")),
                201,
            )
            .await;
    }
    let page1 = s.hub.get("/v1/payments?limit=2", &s.a_token).await;
    assert_eq!(page1.body["payments"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap().to_owned();
    let page2 = s
        .hub
        .get(
            &format!("/v1/payments?limit=10&cursor={cursor}"),
            &s.a_token,
        )
        .await;
    let amounts: Vec<&str> = page2.body["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, vec!["3.00", "4.00", "5.00"]);
    assert!(page2.body.get("next_cursor").is_none());
    let none = s.hub.get("/v1/payments?status=committed", &s.a_token).await;
    assert_eq!(none.body["payments"].as_array().unwrap().len(), 0);
    let unrelated = s.hub.get("/v1/payments", &s.c_token).await;
    assert_eq!(unrelated.body["payments"].as_array().unwrap().len(), 0);
    let bad = s.hub.get("/v1/payments?cursor=xyz", &s.a_token).await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_query"));
    s.hub.shutdown().await;
}

#[tokio::test]
async fn system_endpoints() {
    let s = Scheme::new().await;
    s.hub
        .expect("/v1/payments", &s.a_token, s.payment("1.00"), 201)
        .await;
    let health = s
        .hub
        .call(reqwest::Method::GET, "/v1/health", None, None)
        .await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(health.body["un_list_loaded"], true);

    let openapi = s
        .hub
        .call(reqwest::Method::GET, "/v1/openapi.json", None, None)
        .await;
    assert_eq!(openapi.status, 200);
    assert!(openapi.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/payments",
        "/v1/payments/bulk",
        "/v1/inbox",
        "/v1/compliance/held/{id}/release",
    ] {
        assert!(
            openapi.body["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(
        openapi.body["components"]["schemas"]
            .get("CreatePaymentRequest")
            .is_some()
    );

    let metrics = s
        .hub
        .client
        .get(format!("{}/metrics", s.hub.base))
        .bearer_auth(&s.auditor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("kliring_payments_total{command=\"create\",outcome=\"reserved\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("kliring_commit_latency_seconds_count"));
    assert!(metrics.contains("kliring_batch_commands_bucket"));
    let unknown = s.hub.get("/v1/nope", OPERATOR_TOKEN).await;
    assert_eq!((unknown.status, unknown.code()), (404, "route_not_found"));
    s.hub.shutdown().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_long_polls() {
    let s = Scheme::new().await;
    let poll = {
        let (client, base, token) = (s.hub.client.clone(), s.hub.base.clone(), s.b_token.clone());
        tokio::spawn(async move {
            let url = format!("{base}/v1/inbox?after=0&wait=30");
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    s.hub.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(poll.await.unwrap().ok(), Some(200));
}

#[tokio::test]
async fn reject_without_a_body_uses_the_default_reason() {
    let s = Scheme::new().await;
    let pay = s.payment("3.00");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let path = format!("/v1/payments/{id}/reject");
    let reply = s
        .hub
        .raw(reqwest::Method::POST, &path, Some(&s.b_token), None)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["reason_code"], "not_specified_agent");
    let again = s
        .hub
        .raw(
            reqwest::Method::POST,
            &path,
            Some(&s.b_token),
            Some("null".into()),
        )
        .await;
    // The same decision again (a retry whose answer was lost) answers the original outcome.
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["reason_code"], "not_specified_agent");
    assert_eq!(again.body["replayed"], true);
    // A different decision on the rejected payment is still refused.
    let accept = s
        .hub
        .raw(
            reqwest::Method::POST,
            &format!("/v1/payments/{id}/accept"),
            Some(&s.b_token),
            None,
        )
        .await;
    assert_eq!(
        (accept.status, accept.code()),
        (409, "payment_not_reserved")
    );
    s.hub.shutdown().await;
}

#[tokio::test]
async fn revoked_tokens_are_refused_at_once() {
    let s = Scheme::new().await;
    assert_eq!(s.hub.get("/v1/participants", &s.auditor).await.status, 200);
    let list = s.hub.get("/v1/credentials", OPERATOR_TOKEN).await;
    let auditor = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "auditor")
        .unwrap()
        .clone();
    assert!(
        list.body.to_string().find("token").is_none(),
        "tokens never listed"
    );
    let id = auditor["id"].as_u64().unwrap();
    let revoked = s
        .hub
        .expect(
            &format!("/v1/credentials/{id}/revoke"),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    assert!(revoked["revoked_at_ns"].as_u64().is_some());
    let refused = s.hub.get("/v1/participants", &s.auditor).await;
    assert_eq!((refused.status, refused.code()), (401, "unauthenticated"));
    let again = s
        .hub
        .post(
            &format!("/v1/credentials/{id}/revoke"),
            OPERATOR_TOKEN,
            json!({}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "credential_already_revoked")
    );
    let missing = s
        .hub
        .post("/v1/credentials/999/revoke", OPERATOR_TOKEN, json!({}))
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (404, "credential_not_found")
    );
    s.hub.shutdown().await;
}

#[tokio::test]
async fn imported_list_is_picked_up_by_reload() {
    let s = Scheme::on(TestHub::start_with(false).await).await;
    let refused = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1.00"))
        .await;
    assert_eq!(refused.code(), "no_un_list_loaded");
    // What `kliring lists import` does: parse, then store into DATA/lists (the published UN
    // list: a small one would be refused, see `screen_lists`).
    let path = format!(
        "{}/../../../shared/data/sanctions/un_sc_consolidated_2026-02-27.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = screening::RawList::Un {
        xml: std::fs::read(path).expect("real UN list"),
    };
    let list = screening::import(&raw, None, &mut screening::no_progress).unwrap();
    let store = screening::ListStore::new(s.hub.dir.path().join("lists"));
    store.save(&raw, &list.version).unwrap();
    let denied = s.hub.post("/v1/lists/reload", &s.a_token, json!({})).await;
    assert_eq!(denied.status, 403);
    let reloaded = s
        .hub
        .expect("/v1/lists/reload", OPERATOR_TOKEN, json!({}), 200)
        .await;
    assert_eq!(reloaded["un_list_loaded"], true);
    assert_eq!(
        reloaded["lists"][0]["version"],
        list.version.content_hash.as_str()
    );
    s.hub
        .expect("/v1/payments", &s.a_token, s.payment("1.00"), 201)
        .await;
    s.hub.shutdown().await;
}

#[tokio::test]
async fn unanswered_payment_expires_and_releases_funds() {
    let s = Scheme::new().await;
    let mut pay = s.payment("25.00");
    pay["expires_in_secs"] = json!(1);
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "25.00");
    // The sequencer's idle tick (50 ms in tests) voids it once the expiry has passed.
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        let status = s
            .hub
            .get(&format!("/v1/payments/{id}"), &s.a_token)
            .await
            .body["status"]
            .clone();
        if status == "expired" || Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, "expired");
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "0.00");
    let late = s
        .hub
        .post(&format!("/v1/payments/{id}/accept"), &s.b_token, json!({}))
        .await;
    assert_eq!(late.status, 409, "{:?}", late.body);
    let inbox = s.hub.get("/v1/inbox", &s.a_token).await;
    let expired = inbox.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "expired")
        .cloned();
    assert_eq!(
        expired.map(|e| e["reason_code"].clone()),
        Some(json!("timeout"))
    );
    s.hub.shutdown().await;
}
