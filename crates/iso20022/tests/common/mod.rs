//! Shared by the golden and XSD tests: every emitted message kliring produces, built from
//! corpus messages (parse → model → emit) or from hand-made hub models.

use iso20022::emit::{
    self, Balance, BankTxCode, CancellationOutcome, CancellationStatus, CreditDebit, Entry,
    EntryStatus, Notification, Resolution, Statement, StatementAccount, StatusReason,
    StatusReportOut, TxStatusOut,
};
use iso20022::model::{AccountId, Agent, Message, OriginalRef, Party, PostalAddress, TxStatus};
use iso20022::{Amount, Currency, ReasonCode};
use std::path::Path;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/iso20022");

/// One emitted document: golden file name, schema name, bytes.
pub struct Emitted {
    pub golden: &'static str,
    pub schema: &'static str,
    pub xml: Vec<u8>,
}

fn parse(rel: &str) -> Message {
    let bytes = std::fs::read(Path::new(CORPUS).join(rel)).expect("corpus file");
    match iso20022::parse(&bytes) {
        Ok(p) => p.message.expect("consumed message"),
        Err(r) => panic!("{rel}: {:#?}", r.violations),
    }
}

fn bic(code: &str) -> Agent {
    Agent {
        bic: Some(code.into()),
        ..Agent::default()
    }
}

fn amount(ccy: &str, minor_units: u128) -> Amount {
    Amount {
        currency: Currency::new(ccy).expect("currency"),
        minor_units,
    }
}

/// Every positive pacs.008 of the corpus, re-emitted as the hub's forward (pacs.008.001.08).
pub const PACS008_SOURCES: &[(&str, &str)] = &[
    (
        "pacs008_fednow.xml",
        "pacs.008/fednow__sample-participant-to-fednow-message.xml",
    ),
    (
        "pacs008_hvps_v12_ron.xml",
        "pacs.008/ballerina__hvps_c.29.1.1_pacs.008_BtoC_MI.xml",
    ),
    (
        "pacs008_cbpr_max.xml",
        "pacs.008/phoughton__pacs.008.max.xml",
    ),
    (
        "pacs008_mojaloop.xml",
        "pacs.008/pm4ml__pacs.008.outgoing.valid.xml",
    ),
    (
        "pacs008_cbpr_v12_eur.xml",
        "pacs.008/ballerina__cbprplus_p.2.1.1_pacs.008-AtoB.xml",
    ),
    (
        "pacs008_cbpr_cov.xml",
        "pacs.008/ballerina__cbprplus_c.106.2.1.a_pacs.008_AtoB.xml",
    ),
    (
        "pacs008_fednow_profile.xml",
        "pacs.008/fednowoss__pacs008_valid.xml",
    ),
];

pub fn forwarded_pacs008(rel: &str) -> Vec<u8> {
    let Message::CreditTransfer(ct) = parse(rel) else {
        panic!("{rel} is not a credit transfer");
    };
    emit::pacs008(&ct).expect("emits")
}

/// A received pacs.002 re-emitted by the hub towards the debtor participant.
fn relayed_pacs002(rel: &str) -> Vec<u8> {
    let Message::StatusReport(sr) = parse(rel) else {
        panic!("{rel} is not a status report");
    };
    let first = &sr.transactions[0];
    let out = StatusReportOut {
        msg_id: format!("KLR-{}", sr.msg_id),
        created: "2026-11-26T10:00:00Z".into(),
        original_msg_id: first
            .original
            .msg_id
            .clone()
            .unwrap_or_else(|| sr.msg_id.clone()),
        original_msg_name_id: first
            .original
            .msg_name_id
            .clone()
            .unwrap_or_else(|| "pacs.008.001.08".into()),
        original_created: None,
        group_status: None,
        group_reasons: Vec::new(),
        transactions: sr
            .transactions
            .iter()
            .map(|t| TxStatusOut {
                original: t.original.clone(),
                status: t.status.unwrap_or(TxStatus::PDNG),
                reasons: t
                    .reasons
                    .iter()
                    .filter_map(|r| {
                        r.code.clone().map(|code| StatusReason {
                            code,
                            additional_info: r.additional_info.first().cloned(),
                        })
                    })
                    .collect(),
                instructing_agent: t.instructing_agent.clone(),
                instructed_agent: t.instructed_agent.clone(),
            })
            .collect(),
    };
    emit::pacs002(&out).expect("emits")
}

/// The hub's own rejection of a whole message (e.g. after `check` found violations).
fn group_rejection() -> Vec<u8> {
    let out = StatusReportOut {
        msg_id: "KLR-RJCT-000001".into(),
        created: "2026-11-26T10:00:00Z".into(),
        original_msg_id: "20260702021040078FIXTURE001".into(),
        original_msg_name_id: "pacs.008.001.08".into(),
        original_created: Some("2026-07-02T10:30:00-05:00".into()),
        group_status: Some(TxStatus::RJCT),
        group_reasons: vec![StatusReason::new(
            ReasonCode::AM03,
            Some("currency 'XAU' is not accepted at /Envelope/Document/.../IntrBkSttlmAmt".into()),
        )],
        transactions: vec![TxStatusOut {
            original: OriginalRef {
                end_to_end_id: Some("E2E-20260702-0001".into()),
                uetr: Some("8a562c67-ca16-48ba-b074-65581be6f001".into()),
                ..OriginalRef::default()
            },
            status: TxStatus::RJCT,
            reasons: vec![
                StatusReason::new(ReasonCode::DUPL, None),
                StatusReason::new(ReasonCode::AM04, Some("net debit cap exceeded".into())),
            ],
            instructing_agent: Some(bic("KLRGXXHUXXX")),
            instructed_agent: Some(bic("BANKDEFFXXX")),
        }],
    };
    emit::pacs002(&out).expect("emits")
}

/// camt.029 answering a corpus camt.056.
fn resolution_for(rel: &str, outcome: CancellationOutcome) -> Vec<u8> {
    let Message::CancellationRequest(req) = parse(rel) else {
        panic!("{rel} is not a cancellation request");
    };
    let first = &req.transactions[0];
    let reasons = match outcome {
        CancellationOutcome::Rejected => vec![StatusReason {
            code: "ARDT".into(),
            additional_info: Some("payment already committed by the creditor participant".into()),
        }],
        _ => Vec::new(),
    };
    let r = Resolution {
        assignment_id: format!("KLR-{}", req.assignment_id),
        assigner: req.assignee.clone(),
        assignee: req.assigner.clone(),
        created: "2026-11-26T10:05:00Z".into(),
        case: first.case_id.clone().map(|id| (id, req.assigner.clone())),
        outcome,
        original_msg_id: first.original.msg_id.clone().expect("original group"),
        original_msg_name_id: first.original.msg_name_id.clone().expect("original group"),
        transactions: req
            .transactions
            .iter()
            .map(|t| CancellationStatus {
                original: t.original.clone(),
                outcome,
                reasons: reasons.clone(),
            })
            .collect(),
    };
    emit::camt029(&r).expect("emits")
}

fn account() -> StatementAccount {
    StatementAccount {
        id: AccountId::Other {
            id: "KLR-POS-BANKDEFF-EUR".into(),
            scheme: None,
        },
        currency: Currency::new("EUR").expect("EUR"),
        owner: Some(Party {
            name: Some("Bank Deutschland AG".into()),
            bic: Some("BANKDEFFXXX".into()),
            ..Party::default()
        }),
        servicer: Some(bic("KLRGXXHUXXX")),
    }
}

fn entries() -> Vec<Entry> {
    vec![
        Entry {
            reference: Some("KLR-J-000042".into()),
            amount: amount("EUR", 1_250_050),
            side: CreditDebit::Debit,
            status: EntryStatus::Booked,
            booking_date: Some("2026-11-26".into()),
            value_date: Some("2026-11-26".into()),
            bank_tx_code: BankTxCode {
                domain: "PMNT".into(),
                family: "ICDT".into(),
                sub_family: "XBCT".into(),
            },
            refs: OriginalRef {
                msg_id: Some("KLR-20261126-000001".into()),
                end_to_end_id: Some("E2E-INV-2026-0042".into()),
                uetr: Some("3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b".into()),
                ..OriginalRef::default()
            },
            counterparty: Some(Party {
                name: Some("Savannah Coffee Exporters Ltd".into()),
                address: Some(PostalAddress {
                    town: Some("Nairobi".into()),
                    country: Some("KE".into()),
                    ..PostalAddress::default()
                }),
                ..Party::default()
            }),
            remittance: vec!["Invoice 2026-0042 green coffee, 40 bags".into()],
        },
        Entry {
            reference: Some("KLR-J-000043".into()),
            amount: amount("EUR", 9_995),
            side: CreditDebit::Credit,
            status: EntryStatus::Pending,
            booking_date: None,
            value_date: Some("2026-11-26".into()),
            bank_tx_code: BankTxCode {
                domain: "PMNT".into(),
                family: "RCDT".into(),
                sub_family: "XBCT".into(),
            },
            refs: OriginalRef {
                end_to_end_id: Some("E2E-REFUND-7".into()),
                ..OriginalRef::default()
            },
            counterparty: None,
            remittance: Vec::new(),
        },
    ]
}

fn statement() -> Vec<u8> {
    let s = Statement {
        msg_id: "KLR-STMT-20261126-BANKDEFF".into(),
        created: "2026-11-26T18:00:00Z".into(),
        statement_id: "KLR-STMT-20261126-BANKDEFF-EUR".into(),
        account: account(),
        from: "2026-11-26T00:00:00Z".into(),
        to: "2026-11-26T18:00:00Z".into(),
        opening: Balance {
            amount: amount("EUR", 50_000_000),
            side: CreditDebit::Credit,
            date: "2026-11-26".into(),
        },
        closing: Balance {
            amount: amount("EUR", 48_749_950),
            side: CreditDebit::Credit,
            date: "2026-11-26".into(),
        },
        entries: entries(),
    };
    emit::camt053(&s).expect("emits")
}

fn notification() -> Vec<u8> {
    let n = Notification {
        msg_id: "KLR-NTFC-000042".into(),
        created: "2026-11-26T10:00:01Z".into(),
        notification_id: "KLR-NTFC-000042-1".into(),
        account: account(),
        entries: entries().into_iter().take(1).collect(),
    };
    emit::camt054(&n).expect("emits")
}

/// Every message the tests check against goldens and schemas.
pub fn all_emitted() -> Vec<Emitted> {
    let mut out: Vec<Emitted> = PACS008_SOURCES
        .iter()
        .map(|(golden, rel)| Emitted {
            golden,
            schema: emit::PACS008_VERSION,
            xml: forwarded_pacs008(rel),
        })
        .collect();
    let more = [
        (
            "pacs002_relay_cbpr_v14_rjct.xml",
            emit::PACS002_VERSION,
            relayed_pacs002("pacs.002/ballerina__cbprplus_p.2.1.2_pacs.002-DtoC.xml"),
        ),
        (
            "pacs002_relay_fednow.xml",
            emit::PACS002_VERSION,
            relayed_pacs002("pacs.002/fednow__fednow-sample-message-pacs002.xml"),
        ),
        (
            "pacs002_hub_rejection.xml",
            emit::PACS002_VERSION,
            group_rejection(),
        ),
        (
            "camt029_cancelled_v11_request.xml",
            emit::CAMT029_VERSION,
            resolution_for(
                "camt.056/ballerina__cbprplus_c.29.1.1_camt.056-AtoB.xml",
                CancellationOutcome::Cancelled,
            ),
        ),
        (
            "camt029_rejected_fednow.xml",
            emit::CAMT029_VERSION,
            resolution_for(
                "camt.056/fednowoss__camt056_valid.xml",
                CancellationOutcome::Rejected,
            ),
        ),
        ("camt053_statement.xml", emit::CAMT053_VERSION, statement()),
        (
            "camt054_notification.xml",
            emit::CAMT054_VERSION,
            notification(),
        ),
    ];
    out.extend(more.into_iter().map(|(golden, schema, xml)| Emitted {
        golden,
        schema,
        xml,
    }));
    out
}
