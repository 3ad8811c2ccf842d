//! pacs.008 / pacs.009 → payments: each transaction becomes a [`PaymentDraft`] (no HTTP, no
//! JSON: [`draft`] is a plain function, unit-tested below) and goes through the service layer's
//! [`create_command`], the JSON API's path with the same validation and screening; answered by
//! a pacs.002.
//!
//! Every transaction is mapped and checked first; if any cannot be, the whole message is
//! refused (group `RJCT`) and nothing reaches the hub. The payments then go to the hub as one
//! `ReceiveMessage` (a used MsgId refuses it whole: `DU01`), and each transaction's status is
//! the hub's outcome for its payment.

use std::collections::{HashMap, HashSet};

use axum::response::Response;
use hub::{
    AgentRecord, Bic, CountryCode, ParticipantId, Principal, RelatedParties, RelatedParty, Success,
};
use iso20022::emit::StatusReason;
use iso20022::model::{
    AccountId, Agent, CreditTransfer, CreditTransferTx, OriginalRef, Party, PostalAddress, TxStatus,
};
use uuid::Uuid;

use super::Ctx;
use super::answer::{self, Report};
use super::lookup::{self, Directory, IdKey};
use super::reasons::{self, with_text};
use crate::amount::rescale;
use crate::app::payments::{DraftAmount, NOT_PROVIDED, PaymentDraft, create_command};
use crate::error::{ApiError, Code};

/// Address lines kept per party (the hub's limit) and their length.
const ADDRESS_LINES_MAX: usize = 7;
const ADDRESS_LINE_CHARS_MAX: usize = 70;

pub async fn handle(ctx: &Ctx, ct: CreditTransfer) -> Result<Response, ApiError> {
    let group = &ct.group;
    let version = ctx.info.version.as_deref().unwrap_or("pacs.008.001.08");
    let report = Report::new(&group.msg_id, version, Some(&group.created))?;
    let agents = ct.transactions.iter().flat_map(|tx| {
        [
            tx.instructing_agent.as_ref(),
            tx.instructed_agent.as_ref(),
            tx.debtor_agent.as_ref(),
            tx.creditor_agent.as_ref(),
        ]
    });
    let group_agents = [
        group.instructing_agent.as_ref(),
        group.instructed_agent.as_ref(),
    ];
    let dir = ctx
        .directory(&lookup::bics(agents.chain(group_agents)))
        .await?;
    for (n, tx) in ct.transactions.iter().enumerate() {
        let agent = tx
            .instructing_agent
            .as_ref()
            .or(group.instructing_agent.as_ref())
            .or(tx.debtor_agent.as_ref());
        if let Err(reason) = dir.check_sender(ctx.sender, agent, &tx_label(n, tx, " InstgAgt")) {
            return report.reject_all(reason);
        }
    }
    if let Err(reason) = ctx.check_size(ct.transactions.len()) {
        return report.reject_all(reason);
    }
    let keys = ctx.ids().await?;
    let mut requests = Vec::with_capacity(ct.transactions.len());
    let mut ids = HashSet::new();
    for (n, tx) in ct.transactions.iter().enumerate() {
        let request = match draft(&dir, keys, ctx.sender, &ct, tx, n) {
            Ok(request) => request,
            Err(reason) => return report.reject_all(reason),
        };
        if !ids.insert(request.payment_id) {
            let text = format!(
                "{}: payment id {} repeats",
                tx_label(n, tx, ""),
                request.payment_id
            );
            return report.reject_all(with_text("DUPL", text));
        }
        requests.push(request);
    }
    let quotes = quote_targets(ctx, &requests).await?;
    let actor = Principal::Participant(ctx.sender);
    let mut actions = Vec::with_capacity(requests.len());
    for (n, (tx, request)) in ct.transactions.iter().zip(requests).enumerate() {
        if let Some(target) = request.fx_quote.and_then(|id| quotes.get(&id))
            && let Err(reason) = target.check(&tx.amount, &tx_label(n, tx, ""))
        {
            return report.reject_all(reason);
        }
        match create_command(&ctx.state, &actor, request).await {
            Ok(command) => actions.push(command.action),
            Err(error) if error.status().is_server_error() => return Err(error),
            Err(error) => {
                let context = tx_label(n, tx, ": ");
                return report.reject_all(reasons::for_api_error(&error, &context));
            }
        }
    }
    match ctx.receive(&group.msg_id, actions).await? {
        Ok(outcomes) => statuses(ctx, report, &ct, outcomes),
        Err(reason) => report.reject_all(reason),
    }
}

fn statuses(
    ctx: &Ctx,
    mut report: Report,
    ct: &CreditTransfer,
    outcomes: Vec<hub::Outcome>,
) -> Result<Response, ApiError> {
    for (tx, outcome) in ct.transactions.iter().zip(outcomes) {
        let (status, reasons) = match outcome {
            Ok(Success::Payment(p)) => {
                ctx.state.metrics.payment(p.status.code());
                answer::status_of(p.status, p.reason)
            }
            Ok(other) => return Err(crate::app::unexpected(&other)),
            Err(error) => {
                ctx.state.metrics.payment(error.code());
                (TxStatus::RJCT, vec![reasons::for_hub_error(&error, "")])
            }
        };
        report.tx(tx_refs(tx), status, reasons);
    }
    report.finish()
}

/// The transaction's own references, echoed in the pacs.002.
fn tx_refs(tx: &CreditTransferTx) -> OriginalRef {
    OriginalRef {
        instruction_id: tx.instruction_id.clone(),
        end_to_end_id: Some(tx.end_to_end_id.clone()),
        tx_id: tx.tx_id.clone(),
        uetr: tx.uetr.clone(),
        ..OriginalRef::default()
    }
}

/// "transaction N (EndToEndId)" followed by `what` (an element name, or ": " for a message).
fn tx_label(n: usize, tx: &CreditTransferTx, what: &str) -> String {
    format!(
        "transaction {} ({}){what}",
        n.saturating_add(1),
        tx.end_to_end_id
    )
}

/// The payment draft of one transaction. The creditor participant is the instructed agent (of
/// the transaction, else of the group), else the creditor agent.
fn draft(
    dir: &Directory,
    keys: &IdKey,
    sender: ParticipantId,
    ct: &CreditTransfer,
    tx: &CreditTransferTx,
    n: usize,
) -> Result<PaymentDraft, StatusReason> {
    let group = &ct.group;
    // A cover payment's underlying customers are the real debtor and creditor; a hub that
    // cannot screen them must not settle it.
    if tx.underlying_customer_transfer {
        return Err(with_text(
            "NARR",
            format!(
                "{}: pacs.009 COV (UndrlygCstmrCdtTrf) is not accepted: its underlying customers cannot be screened here",
                tx_label(n, tx, "")
            ),
        ));
    }
    let payment_id = keys.payment_id(
        sender,
        tx.uetr.as_deref(),
        &group.msg_id,
        tx.tx_id.as_deref(),
        tx.instruction_id.as_deref(),
        &tx.end_to_end_id,
    )?;
    let debtor_agent = tx
        .instructing_agent
        .as_ref()
        .or(group.instructing_agent.as_ref())
        .or(tx.debtor_agent.as_ref());
    let creditor_agent = tx
        .instructed_agent
        .as_ref()
        .or(group.instructed_agent.as_ref())
        .or(tx.creditor_agent.as_ref());
    let label = |what| tx_label(n, tx, what);
    let debtor_participant = dir.participant(debtor_agent, &label(" InstgAgt"), "RC01")?;
    let creditor_participant = dir.participant(creditor_agent, &label(" InstdAgt"), "RC04")?;
    let remittance = tx.remittance.join(" ");
    let fx_quote_id = fx_quote(tx, &label(" InstrForNxtAgt"))?;
    let source = match (fx_quote_id, &tx.instructed_amount) {
        (Some(_), Some(instructed)) => instructed,
        (Some(_), None) => {
            let text = "a cross-currency payment states the debtor's amount as InstdAmt";
            return Err(with_text("FF02", format!("{}: {text}", label(""))));
        }
        (None, Some(instructed)) if instructed.currency != tx.amount.currency => {
            let text = format!(
                "{}: InstdAmt in {} and IntrBkSttlmAmt in {} need an FX quote, named as \
                 InstrForNxtAgt/InstrInf {FX_QUOTE_PREFIX}{{quote id}}",
                label(""),
                instructed.currency.as_str(),
                tx.amount.currency.as_str()
            );
            return Err(with_text("CURR", text));
        }
        (None, _) => &tx.amount,
    };
    let related = RelatedParties {
        ultimate_debtor: related_party(tx.ultimate_debtor.as_ref(), &label(" UltmtDbtr"))?,
        ultimate_creditor: related_party(tx.ultimate_creditor.as_ref(), &label(" UltmtCdtr"))?,
        initiating_party: related_party(tx.initiating_party.as_ref(), &label(" InitgPty"))?,
        debtor_agent: agent_named(tx.debtor_agent.as_ref(), &label(" DbtrAgt"))?,
        creditor_agent: agent_named(tx.creditor_agent.as_ref(), &label(" CdtrAgt"))?,
        intermediary_agents: tx
            .intermediary_agents
            .iter()
            .map(|agent| agent_record(agent.name.clone(), agent, &label(" IntrmyAgt")))
            .collect::<Result<_, _>>()?,
        remittance_structured: tx.remittance_structured.clone(),
    };
    Ok(PaymentDraft {
        payment_id,
        end_to_end_id: tx.end_to_end_id.clone(),
        debtor: party(
            &tx.debtor,
            tx.debtor_account.as_ref(),
            tx.debtor_agent.as_ref().or(debtor_agent),
            &label(" Dbtr"),
        )?,
        creditor: party(
            &tx.creditor,
            tx.creditor_account.as_ref(),
            tx.creditor_agent.as_ref().or(creditor_agent),
            &label(" Cdtr"),
        )?,
        debtor_participant: debtor_participant.id,
        creditor_participant: creditor_participant.id,
        amount: DraftAmount::Minor {
            units: source.minor_units,
            exponent: source.currency.exponent(),
        },
        currency: source.currency.as_str().to_owned(),
        remittance_info: (!remittance.is_empty()).then_some(remittance),
        expires_in_secs: None,
        fx_quote: fx_quote_id,
        related,
    })
}

/// A country as the hub keeps it; one it does not know is the vocabulary's `invalid_country_code`.
fn country_code(code: &str, what: &str) -> Result<CountryCode, StatusReason> {
    CountryCode::new(code).map_err(|error| {
        let reason = Code::of_hub(&error).iso_reason_or_narr();
        with_text(reason, format!("{what}: country {code}: {error}"))
    })
}

/// An ultimate party or the initiating party, for screening, the record and forwarding. A
/// party identified only by BIC is named by it (so nothing named goes unscreened).
fn related_party(p: Option<&Party>, what: &str) -> Result<Option<RelatedParty>, StatusReason> {
    let Some(p) = p else {
        return Ok(None);
    };
    let name = p
        .name
        .clone()
        .or_else(|| p.bic.clone())
        .or_else(|| p.lei.clone())
        .unwrap_or_else(|| NOT_PROVIDED.to_owned());
    let country = p
        .address
        .as_ref()
        .and_then(|a| a.country.as_deref())
        .or(p.country_of_residence.as_deref())
        .map(|c| country_code(c, what))
        .transpose()?;
    Ok(Some(RelatedParty {
        name,
        address_lines: p.address.as_ref().map(address_lines).unwrap_or_default(),
        country,
    }))
}

/// The debtor's or creditor's agent as the message names it, when it gives a name (its BIC
/// alone identifies a participant and is checked against the directory elsewhere).
fn agent_named(agent: Option<&Agent>, what: &str) -> Result<Option<AgentRecord>, StatusReason> {
    agent
        .and_then(|a| a.name.clone().map(|name| (a, name)))
        .map(|(a, name)| agent_record(Some(name), a, what))
        .transpose()
}

fn agent_record(
    name: Option<String>,
    agent: &Agent,
    what: &str,
) -> Result<AgentRecord, StatusReason> {
    let bic = agent
        .bic
        .as_deref()
        .map(|b| {
            Bic::new(b).map_err(|error| {
                let reason = Code::of_hub(&error).iso_reason_or_narr();
                with_text(reason, format!("{what}: BIC {b}: {error}"))
            })
        })
        .transpose()?;
    Ok(AgentRecord { name, bic })
}

/// How a pacs.008 names the FX quote of a cross-currency payment: an instruction to the next
/// agent (the hub), `InstrForNxtAgt/InstrInf` = `/FXQUOTE/{quote id}`, in the style of the
/// `/CODE/` words of correspondent banking. The debtor's amount is then `InstdAmt` (the quote's
/// source) and `IntrBkSttlmAmt` what the creditor receives (the quote's target).
pub const FX_QUOTE_PREFIX: &str = "/FXQUOTE/";

/// The FX quote a transaction names, if any.
fn fx_quote(tx: &CreditTransferTx, what: &str) -> Result<Option<Uuid>, StatusReason> {
    let mut named = tx
        .instructions_for_next_agent
        .iter()
        .filter_map(|i| i.strip_prefix(FX_QUOTE_PREFIX));
    let Some(first) = named.next() else {
        return Ok(None);
    };
    if named.next().is_some() {
        return Err(with_text("FF02", format!("{what} names two FX quotes")));
    }
    Uuid::parse_str(first.trim())
        .map(Some)
        .map_err(|_| with_text("FF02", format!("{what}: FX quote {first} is not a UUID")))
}

/// What an FX quote of the sender promises the creditor, as the scheme writes it.
struct QuoteTarget {
    currency: String,
    amount: u128,
    exponent: u8,
}

impl QuoteTarget {
    /// `IntrBkSttlmAmt` must be the quote's target, so the creditor gets what the message
    /// says: another currency is `CURR`, another amount `AM09`.
    fn check(&self, settled: &iso20022::Amount, what: &str) -> Result<(), StatusReason> {
        let target = crate::amount::format_amount(self.amount, self.exponent);
        let stated = settled.to_decimal_string();
        let settled_units = rescale(
            settled.minor_units,
            settled.currency.exponent(),
            self.exponent,
            "amount",
        );
        let currency = settled.currency.as_str();
        if currency != self.currency {
            let text = format!(
                "{what}: IntrBkSttlmAmt is in {currency}, the FX quote pays {target} {}",
                self.currency
            );
            return Err(with_text("CURR", text));
        }
        if settled_units.ok() != Some(self.amount) {
            let text = format!(
                "{what}: IntrBkSttlmAmt {stated} {currency} is not the FX quote's target \
                 {target} {currency}"
            );
            return Err(with_text("AM09", text));
        }
        Ok(())
    }
}

/// The targets of the sender's FX quotes the requests name, in one hub read (each read closes
/// the sequencer's batch). Quotes of other participants are left out: the hub refuses them
/// (`quote_not_found`) without telling anything about them.
async fn quote_targets(
    ctx: &Ctx,
    drafts: &[PaymentDraft],
) -> Result<HashMap<Uuid, QuoteTarget>, ApiError> {
    let ids: Vec<Uuid> = drafts.iter().filter_map(|d| d.fx_quote).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sender = ctx.sender;
    let quotes = ctx
        .state
        .read(move |hub| {
            ids.iter()
                .filter_map(|id| hub.quote(*id).filter(|q| q.requester == sender))
                .map(|q| {
                    let exponent = hub.currency(q.target_currency).map(|c| c.exponent);
                    (q.id, q.target_currency, q.target_amount, exponent)
                })
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(quotes
        .into_iter()
        .filter_map(|(id, currency, amount, exponent)| {
            let target = QuoteTarget {
                currency: currency.as_str().to_owned(),
                amount,
                exponent: exponent?,
            };
            Some((id, target))
        })
        .collect())
}

/// A debtor or creditor for screening and the payment record. Name: the party's, else (an
/// institution in pacs.009) its BIC. Country: of its address, else of residence, else of its
/// BIC, else of its agent's BIC. Account: the IBAN or other id, else the BIC, else
/// `NOTPROVIDED`.
fn party(
    p: &Party,
    account: Option<&AccountId>,
    agent: Option<&Agent>,
    what: &str,
) -> Result<hub::Party, StatusReason> {
    let agent_bic = agent.and_then(|a| a.bic.as_deref());
    let name = p
        .name
        .clone()
        .or_else(|| p.bic.clone())
        .ok_or_else(|| with_text("FF02", format!("{what} needs a name for screening")))?;
    let bic_country = |bic: &str| bic.get(4..6).map(str::to_owned);
    let country = p
        .address
        .as_ref()
        .and_then(|a| a.country.clone())
        .or_else(|| p.country_of_residence.clone())
        .or_else(|| p.bic.as_deref().and_then(bic_country))
        .or_else(|| agent_bic.and_then(bic_country))
        .ok_or_else(|| with_text("FF02", format!("{what} needs a country")))?;
    let country = country_code(&country, what)?;
    let account = match account {
        Some(AccountId::Iban(iban)) => iban.clone(),
        Some(AccountId::Other { id, .. }) => id.clone(),
        None => p.bic.clone().unwrap_or_else(|| NOT_PROVIDED.to_owned()),
    };
    Ok(hub::Party {
        name,
        address_lines: p.address.as_ref().map(address_lines).unwrap_or_default(),
        country,
        account,
    })
}

/// Unstructured lines as sent, or the structured fields as lines (street and number, post code
/// and town, subdivision), each cut to the hub's line length: the address is carried for
/// screening and display only.
fn address_lines(a: &PostalAddress) -> Vec<String> {
    let join = |parts: &[&Option<String>]| {
        parts
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let lines = if a.lines.is_empty() {
        vec![
            join(&[&a.department]),
            join(&[&a.street, &a.building_number]),
            join(&[&a.post_code, &a.town]),
            join(&[&a.country_subdivision]),
        ]
    } else {
        a.lines.clone()
    };
    lines
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .take(ADDRESS_LINES_MAX)
        .map(|l| l.chars().take(ADDRESS_LINE_CHARS_MAX).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use iso20022::Message;

    use super::*;
    use crate::iso::reasons;

    const PACS008: &str = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-11-26T09:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I-1</InstrId><EndToEndId>E2E-1</EndToEndId><TxId>TX-1</TxId></PmtId>
<IntrBkSttlmAmt Ccy="KES">1234.50</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr>
<InstgAgt><FinInstnId><BICFI>ALPHKENA</BICFI></FinInstnId></InstgAgt>
<InstdAgt><FinInstnId><BICFI>BETAKENA</BICFI></FinInstnId></InstdAgt>
<UltmtDbtr><Nm>Amina Holdings</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr></UltmtDbtr>
<Dbtr><Nm>Amina Odhiambo</Nm><PstlAdr><StrtNm>Moi Avenue</StrtNm><TwnNm>Nairobi</TwnNm><Ctry>KE</Ctry></PstlAdr></Dbtr>
<DbtrAcct><Id><Othr><Id>0011223344</Id></Othr></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>ALPHKENA</BICFI></FinInstnId></DbtrAgt>
<CdtrAgt><FinInstnId><BICFI>BETAKENA</BICFI></FinInstnId></CdtrAgt>
<Cdtr><Nm>Juma Mwangi</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr></Cdtr>
<CdtrAcct><Id><Othr><Id>5566778899</Id></Othr></Id></CdtrAcct>
<RmtInf><Ustrd>invoice 42</Ustrd></RmtInf></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>"#;

    fn credit_transfer(xml: &str) -> CreditTransfer {
        match iso20022::parse(xml.as_bytes()).map(|parsed| parsed.message) {
            Ok(Some(Message::CreditTransfer(ct))) => ct,
            other => panic!("not a credit transfer: {other:?}"),
        }
    }

    fn directory() -> Directory {
        let member = |id, bic: &str, name: &str| lookup::Member {
            id: ParticipantId(id),
            bic: bic.to_owned(),
            name: name.to_owned(),
        };
        Directory::new(vec![
            member(1, "ALPHKENA", "Alpha Bank"),
            member(2, "BETAKENA", "Beta Bank"),
        ])
    }

    #[test]
    fn a_pacs008_maps_to_a_payment_draft_without_a_server() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = IdKey::load_or_create(dir.path()).expect("key");
        let ct = credit_transfer(PACS008);
        let sender = ParticipantId(1);
        let mapped = draft(&directory(), &keys, sender, &ct, &ct.transactions[0], 0).expect("maps");
        assert_eq!(mapped.payment_id, keys.derive(sender, "M-1", "TX-1"));
        assert_eq!(mapped.end_to_end_id, "E2E-1");
        assert_eq!(
            (mapped.debtor_participant, mapped.creditor_participant),
            (ParticipantId(1), ParticipantId(2))
        );
        // Minor units as stated, no decimal text in between.
        assert_eq!(
            mapped.amount,
            DraftAmount::Minor {
                units: 123_450,
                exponent: 2
            }
        );
        assert_eq!(mapped.currency, "KES");
        assert_eq!(mapped.debtor.name, "Amina Odhiambo");
        assert_eq!(mapped.debtor.address_lines, ["Moi Avenue", "Nairobi"]);
        assert_eq!(mapped.debtor.account, "0011223344");
        assert_eq!(mapped.creditor.country.to_string(), "KE");
        assert_eq!(mapped.remittance_info.as_deref(), Some("invoice 42"));
        let ultimate = mapped
            .related
            .ultimate_debtor
            .as_ref()
            .expect("ultimate debtor");
        assert_eq!(ultimate.name, "Amina Holdings");
        assert_eq!(mapped.fx_quote, None);

        // An instructed agent that is no participant: RC04, before anything reaches the hub.
        let unknown = credit_transfer(&PACS008.replace(
            "<InstdAgt><FinInstnId><BICFI>BETAKENA",
            "<InstdAgt><FinInstnId><BICFI>ZZZZKENA",
        ));
        let refused = draft(
            &directory(),
            &keys,
            sender,
            &unknown,
            &unknown.transactions[0],
            0,
        );
        assert_eq!(refused.map_err(|r| r.code), Err("RC04".to_owned()));
    }

    #[test]
    fn refusals_map_to_iso_reasons_without_a_server() {
        let table = [
            (
                crate::error::hub_error(hub::HubError::InsufficientFunds),
                "AM04",
            ),
            (
                crate::error::hub_error(hub::HubError::DuplicatePaymentIdDifferentContent),
                "DUPL",
            ),
            (
                ApiError::invalid(Code::AmountTooManyDecimals, "amount", "3 decimals"),
                "AM12",
            ),
            (
                ApiError::refused(Code::NoUnListLoaded, "no UN list"),
                "RR04",
            ),
            (
                ApiError::invalid(Code::NameUnreadable, "debtor.name", "no letter"),
                reasons::NARR,
            ),
        ];
        for (error, iso) in table {
            let reason = reasons::for_api_error(&error, "transaction 1 (E2E-1): ");
            assert_eq!(reason.code, iso, "{error:?}");
            let text = reason.additional_info.unwrap_or_default();
            assert!(text.contains(error.code()), "{text}");
        }
        // An amount with more decimals than the currency has is AM12, never rounded.
        let error = rescale(1_001, 3, 2, "amount").expect_err("too many decimals");
        assert_eq!(reasons::for_api_error(&error, "").code, "AM12");
    }

    #[test]
    fn structured_addresses_become_lines() {
        let a = PostalAddress {
            street: Some("Moi Avenue".into()),
            building_number: Some("1".into()),
            post_code: Some("00100".into()),
            town: Some("Nairobi".into()),
            country: Some("KE".into()),
            ..PostalAddress::default()
        };
        assert_eq!(address_lines(&a), ["Moi Avenue 1", "00100 Nairobi"]);
        let long = PostalAddress {
            lines: vec!["x".repeat(90)],
            ..PostalAddress::default()
        };
        assert_eq!(address_lines(&long)[0].len(), ADDRESS_LINE_CHARS_MAX);
    }

    #[test]
    fn institution_parties_fall_back_to_their_bic() {
        let bank = Party {
            bic: Some("ALPHKENA".into()),
            ..Party::default()
        };
        let mapped = party(&bank, None, None, "Dbtr").expect("maps");
        assert_eq!(
            (
                mapped.name.as_str(),
                mapped.country.to_string().as_str(),
                mapped.account.as_str()
            ),
            ("ALPHKENA", "KE", "ALPHKENA")
        );
        let nobody = party(&Party::default(), None, None, "Cdtr");
        assert_eq!(nobody.map_err(|r| r.code), Err("FF02".to_owned()));
    }
}
