//! Payment ids derived from ISO references (no UETR) belong to the sending bank: two banks using
//! the same MsgId and TxId get two payments, neither learns of the other's, and a third bank
//! cannot take an id a bank's next pacs.008 will get.

use iso20022::model::TxStatus;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::{Scheme, payment_json};
use crate::iso20022::{
    B_BIC, C_BIC, Transfer, decision, original, pacs002, status_request, statuses,
};

/// The payments of `token`'s bank as the JSON API lists them.
async fn listed(s: &Scheme, token: &str) -> Vec<Value> {
    let reply = s.hub.get("/v1/payments", token).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["payments"].as_array().expect("payments").clone()
}

/// The id the unkeyed derivation (SHA-256 of MsgId and TxId, shaped as a UUID v4) gave: anyone
/// could compute it.
fn predictable_id(msg_id: &str, tx_id: &str) -> uuid::Uuid {
    let digest = Sha256::new()
        .chain_update(b"kliring.iso20022.payment-id.v1\n")
        .chain_update(msg_id.as_bytes())
        .chain_update(b"\n")
        .chain_update(tx_id.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[tokio::test]
async fn derived_payment_ids_are_per_sender_and_cannot_be_squatted() {
    let s = Scheme::new().await;
    // C takes, by JSON, the id anyone could derive for A's next pacs.008.
    let squat = payment_json(
        predictable_id("SAME-MSG", "TX-1"),
        s.c,
        s.b,
        "1.00",
        "Juma Mwangi",
    );
    s.hub.expect("/v1/payments", &s.c_token, squat, 201).await;

    // A (to B) and B (to C) send the same MsgId and TxId without a UETR: both are reserved, no
    // DUPL and no 409 that would tell one bank of the other's payment (or of C's).
    let from_a = Transfer::kes("SAME-MSG", None, "10.00");
    let mut from_b = Transfer::kes("SAME-MSG", None, "20.00");
    from_b.instg = B_BIC;
    from_b.instd = C_BIC;
    for (token, sent) in [(&s.a_token, &from_a), (&s.b_token, &from_b)] {
        let answer = pacs002(&s.hub, token, sent.xml()).await;
        assert_eq!(
            statuses(&answer).2,
            vec![TxStatus::ACSP],
            "{:?}",
            statuses(&answer)
        );
    }
    let a_payments = listed(&s, &s.a_token).await;
    let b_sent: Vec<Value> = listed(&s, &s.b_token)
        .await
        .into_iter()
        .filter(|p| p["debtor_participant"] == s.b)
        .collect();
    assert_eq!(a_payments.len(), 1, "{a_payments:?}");
    assert_eq!(b_sent.len(), 1, "{b_sent:?}");
    assert_ne!(a_payments[0]["payment_id"], b_sent[0]["payment_id"]);

    // The references still name each bank's payment: B, the creditor of A's, accepts it by
    // OrgnlMsgId + OrgnlTxId alone; B's own payment stays reserved.
    let accept = decision(
        "B-STS-1",
        &original("SAME-MSG", None, "TX-1"),
        "ACSC",
        None,
        B_BIC,
    );
    let answer = pacs002(&s.hub, &s.b_token, accept).await;
    assert_eq!(
        statuses(&answer).2,
        vec![TxStatus::ACSC],
        "{:?}",
        statuses(&answer)
    );
    let ask = |msg: &str, bic: &str| status_request(msg, &original("SAME-MSG", None, "TX-1"), bic);
    let a_asks = pacs002(&s.hub, &s.a_token, ask("A-REQ-1", crate::iso20022::A_BIC)).await;
    assert_eq!(statuses(&a_asks).2, vec![TxStatus::ACSC]);
    let b_asks = pacs002(&s.hub, &s.b_token, ask("B-REQ-1", B_BIC)).await;
    assert_eq!(statuses(&b_asks).2, vec![TxStatus::ACSP]);
    s.hub.shutdown().await;
}
