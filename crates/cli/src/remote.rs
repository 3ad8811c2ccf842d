//! Client subcommands: drive a running hub from a shell (`kliring client …`). Every command is
//! one or a few HTTP calls through [`HubClient`]; the JSON answer is printed as the hub gave it.
//!
//! Wherever a participant is named it may be given as its numeric id or as its BIC; a BIC is
//! resolved through the scheme's directory (`GET /v1/participants`, open to every principal).

use std::path::PathBuf;

use anyhow::Context;
use api::wire::*;
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;

use api::client::{ClientError, HubClient};

#[derive(Args)]
pub struct ClientArgs {
    /// The hub's base URL; repeat it (or separate URLs with commas) to name a leader and its
    /// standbys: requests follow the leader (the next URL is tried on a connection error or a
    /// standby's `not_leader`).
    #[arg(
        long,
        env = "KLIRING_HUB",
        default_value = "http://127.0.0.1:7700",
        value_delimiter = ','
    )]
    hub: Vec<String>,
    /// Bearer token of the principal acting (operator, participant, compliance officer or
    /// auditor), e.g. the contents of DATA/operator.token.
    #[arg(long, env = "KLIRING_TOKEN", hide_env_values = true)]
    token: String,
    /// Trust this PEM CA certificate for an https:// hub (a scheme's private CA), besides
    /// the public roots.
    #[arg(long, value_name = "FILE", env = "KLIRING_CA")]
    ca: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: ClientCommand,
}

/// A participant as the command line names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParticipantRef {
    /// Its numeric id in the scheme.
    Id(u64),
    /// Its BIC (upper case).
    Bic(String),
}

impl std::fmt::Display for ParticipantRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParticipantRef::Id(id) => write!(f, "#{id}"),
            ParticipantRef::Bic(bic) => f.write_str(bic),
        }
    }
}

/// A participant id (digits) or a BIC (8 or 11 letters and digits).
fn parse_participant(text: &str) -> Result<ParticipantRef, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map(ParticipantRef::Id)
            .map_err(|_| format!("participant id {text} is too large (give an id or a BIC)"));
    }
    let bic_shaped = matches!(text.len(), 8 | 11)
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
        && text
            .bytes()
            .skip(4)
            .take(2)
            .all(|b| b.is_ascii_alphabetic());
    if bic_shaped {
        return Ok(ParticipantRef::Bic(text.to_ascii_uppercase()));
    }
    Err(format!(
        "{text:?} is neither a participant id (digits, e.g. 3) nor a BIC (8 or 11 letters and \
         digits, the 5th and 6th a country code, e.g. EQBLKENA or EQBLKENAXXX)"
    ))
}

/// Whether a directory BIC is the one named (an 8-character BIC names its `XXX` head office).
fn bic_matches(listed: &str, named: &str) -> bool {
    let listed = listed.to_ascii_uppercase();
    let head_office = |bic: &str| match bic.len() {
        11 if bic.ends_with("XXX") => bic[..8].to_owned(),
        _ => bic.to_owned(),
    };
    listed == named || head_office(&listed) == head_office(named)
}

/// Reason codes a participant may give (rejecting, returning, cancelling), with their ISO 20022
/// codes: `hub::Reason` without the ones the hub assigns itself.
fn participant_reasons() -> PossibleValuesParser {
    PossibleValuesParser::new(
        hub::Reason::ALL
            .iter()
            .filter(|reason| reason.participant_may_give())
            .map(|reason| {
                let value = PossibleValue::new(reason.code());
                match reason.iso_code() {
                    Some(iso) => value.help(format!("ISO 20022 {iso}")),
                    None => value,
                }
            }),
    )
}

/// The party-name fields a false positive may concern.
const FALSE_POSITIVE_FIELDS: [&str; 5] = [
    "debtor.name",
    "creditor.name",
    "ultimate_debtor.name",
    "ultimate_creditor.name",
    "initiating_party.name",
];

const PAYMENT_STATUSES: [&str; 7] = [
    "held",
    "reserved",
    "committed",
    "rejected",
    "expired",
    "returned",
    "queued",
];

#[derive(Subcommand)]
enum ClientCommand {
    /// Operator: accept a currency in the scheme.
    AddCurrency {
        /// ISO 4217 alphabetic code, e.g. KES.
        code: String,
        /// Minor-unit digits of the currency: 2 for KES or EUR, 0 for JPY, 3 for KWD.
        exponent: u8,
        /// How the currency settles: gross (pre-funded liquidity, final at commit) or
        /// deferred_net (net debit caps, netted per settlement window).
        #[arg(long, default_value = "deferred_net",
            value_parser = PossibleValuesParser::new(["gross", "deferred_net"]))]
        settlement: String,
    },
    /// Operator: admit a participant and issue its API token.
    Admit {
        /// The participant's legal name, e.g. "Equity Bank Kenya".
        name: String,
        /// Its BIC of 8 or 11 characters, e.g. EQBLKENA.
        bic: String,
        /// Its ISO 3166 alpha-2 country code, e.g. KE.
        country: String,
        /// Also an FX provider (may publish rates and quote conversions).
        #[arg(long)]
        fx_provider: bool,
    },
    /// Operator: issue a token for a compliance officer.
    AddOfficer {
        /// The officer's name, recorded on every review and decision (a name that merely looks
        /// like an existing officer's is refused).
        name: String,
    },
    /// Operator: issue a token for an auditor (reads payments, balances, settlement windows and
    /// reports; changes nothing).
    AddAuditor,
    /// Operator: set a participant's net debit cap in a deferred-net currency.
    SetCap {
        /// The participant: its id (e.g. 3) or its BIC (e.g. EQBLKENA).
        #[arg(value_parser = parse_participant)]
        participant: ParticipantRef,
        /// ISO 4217 code of a deferred-net currency, e.g. KES.
        currency: String,
        /// The cap as a decimal amount in major units with at most the currency's decimals,
        /// e.g. 1000000.00 (not minor units); 0 allows no net debit at all.
        cap: String,
    },
    /// Operator: record a liquidity deposit on a participant's pre-funded account.
    Deposit {
        /// The participant: its id (e.g. 3) or its BIC (e.g. EQBLKENA).
        #[arg(value_parser = parse_participant)]
        participant: ParticipantRef,
        /// ISO 4217 code, e.g. EUR.
        currency: String,
        /// Positive decimal amount in major units with at most the currency's decimals, e.g.
        /// 25000.00 (not minor units).
        amount: String,
    },
    /// Operator: record a liquidity withdrawal from a participant's pre-funded account.
    Withdraw {
        /// The participant: its id (e.g. 3) or its BIC (e.g. EQBLKENA).
        #[arg(value_parser = parse_participant)]
        participant: ParticipantRef,
        /// ISO 4217 code, e.g. EUR.
        currency: String,
        /// Positive decimal amount in major units with at most the currency's decimals, e.g.
        /// 25000.00 (not minor units).
        amount: String,
    },
    /// List participants (the scheme's directory: ids, BICs, roles, status).
    Participants,
    /// A participant's balances per currency.
    Balances {
        /// The participant: its id (e.g. 3) or its BIC (e.g. EQBLKENA).
        #[arg(value_parser = parse_participant)]
        participant: ParticipantRef,
    },
    /// Participant: pay a creditor participant's customer.
    Pay(Box<PayArgs>),
    /// Creditor participant: accept a reserved payment (it commits).
    Accept {
        /// The payment id (UUID).
        payment: Uuid,
    },
    /// Creditor participant: reject a reserved payment with a reason code.
    Reject {
        /// The payment id (UUID).
        payment: Uuid,
        /// Why (default not_specified_agent).
        #[arg(long, value_parser = participant_reasons())]
        reason: Option<String>,
    },
    /// Creditor participant: return a committed payment; the money goes back as a new payment.
    Return {
        /// The committed payment id (UUID).
        payment: Uuid,
        /// Id (UUID) of the return payment; a new one when absent. Sending the same id again
        /// is idempotent.
        #[arg(long)]
        return_id: Option<Uuid>,
        /// Why (default not_specified_agent).
        #[arg(long, value_parser = participant_reasons())]
        reason: Option<String>,
    },
    /// Debtor participant: cancel a payment not yet committed, or ask the creditor to return a
    /// committed one.
    Cancel {
        /// The payment id (UUID).
        payment: Uuid,
        /// Why (default not_specified_agent).
        #[arg(long, value_parser = participant_reasons())]
        reason: Option<String>,
    },
    /// Show one payment.
    Payment {
        /// The payment id (UUID).
        payment: Uuid,
    },
    /// List payments the caller may see (a participant: its own), oldest first.
    Payments {
        /// Only payments where this participant (id or BIC) is debtor or creditor participant.
        #[arg(long, value_parser = parse_participant)]
        participant: Option<ParticipantRef>,
        /// Only payments in this status.
        #[arg(long, value_parser = PossibleValuesParser::new(PAYMENT_STATUSES))]
        status: Option<String>,
        /// Only payments in this currency (ISO 4217 code).
        #[arg(long)]
        currency: Option<String>,
        /// Page size (default 100, capped by the hub).
        #[arg(long)]
        limit: Option<usize>,
        /// Start after this cursor (the previous page's next_cursor).
        #[arg(long, conflicts_with = "all")]
        cursor: Option<String>,
        /// Follow next_cursor and print every page's payments as one list.
        #[arg(long)]
        all: bool,
    },
    /// Read the inbox after a cursor.
    Inbox {
        /// Return events after this cursor (0: from the beginning; pass the last next_cursor).
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
    /// FX provider: publish (or replace) its mid rate for a currency pair.
    PublishRate {
        /// ISO 4217 code of the base currency, e.g. KES.
        base: String,
        /// ISO 4217 code of the quote currency, e.g. NGN.
        quote: String,
        /// Units of QUOTE per one unit of BASE, an exact decimal, e.g. 11.9525.
        rate: String,
        /// The provider's margin in basis points (1 bp = 0.01 %; at most 1000).
        #[arg(long, value_name = "BP", default_value_t = 0)]
        spread_bp: u16,
    },
    /// List every published FX rate.
    Rates,
    /// Participant: ask an FX provider for a firm quote (use it once with `pay --quote`).
    Quote {
        /// The FX provider: its id or its BIC.
        #[arg(long, value_parser = parse_participant)]
        provider: ParticipantRef,
        /// ISO 4217 code of the currency paid in, e.g. KES.
        #[arg(long)]
        source_currency: String,
        /// ISO 4217 code of the currency the creditor receives, e.g. NGN.
        #[arg(long)]
        target_currency: String,
        /// Decimal amount in major units of the source currency, e.g. 1000.00 (not minor
        /// units).
        #[arg(long)]
        amount: String,
        /// Seconds the quote stays valid (default 60, at most 3600).
        #[arg(long, value_name = "SECS")]
        expires_in: Option<u64>,
    },
    /// Show one FX quote (its requester, its provider, operator, officers and auditors).
    ShowQuote {
        /// The quote id (UUID).
        quote: Uuid,
    },
    /// Operator: close a deferred-net currency's open window, net it and open the next one.
    CloseWindow {
        /// ISO 4217 code of a deferred-net currency, e.g. KES.
        currency: String,
        /// How the instructions settle: via_settlement_account (each participant pays to or
        /// receives from the settlement account) or direct (participants pay each other).
        #[arg(long, default_value = "via_settlement_account",
            value_parser = PossibleValuesParser::new(["via_settlement_account", "direct"]))]
        mode: String,
    },
    /// Operator: confirm a closed window settled (positions are reset by its figures).
    SettleWindow {
        /// The window id (from close-window or windows).
        window: u64,
    },
    /// Operator: abort a closed window whose settlement failed (its obligations join the open
    /// window).
    AbortWindow {
        /// The window id (from close-window or windows).
        window: u64,
    },
    /// Operator or auditor: list a currency's settlement windows, oldest first.
    Windows {
        /// ISO 4217 code, e.g. KES.
        currency: String,
    },
    /// Operator or auditor: show one settlement window with its netting report.
    Window {
        /// The window id.
        window: u64,
    },
    /// Operator or auditor: download a closed window's settlement report as CSV (amounts in
    /// the currency's decimal units, participants by BIC).
    WindowReport {
        /// The window id.
        window: u64,
        /// Write the CSV to this file instead of stdout (its absolute path is printed).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Officer or operator: payments held for compliance, with their screening hits.
    Held,
    /// Officer or operator: list false positives (proposed, in force and revoked).
    FalsePositives,
    /// Officer: propose, from a hit on a held payment's party name, that the party is not the
    /// listed entry (a second officer confirms; see `held` for the hits).
    ProposeFalsePositive {
        /// The held payment whose screening had the hit (UUID).
        payment: Uuid,
        /// The hit's field.
        #[arg(long, value_parser = PossibleValuesParser::new(FALSE_POSITIVE_FIELDS))]
        field: String,
        /// The hit's list, as `held` shows it: un, ofac-sdn, eu or uk.
        #[arg(long)]
        list: String,
        /// The listed entry's reference, as `held` shows it (e.g. QDi.012).
        #[arg(long)]
        reference: String,
        /// Why the party is not the listed entry (required; kept in the record).
        #[arg(long)]
        note: String,
    },
    /// Officer: confirm a proposed false positive (another officer than the proposer); it is
    /// in force from then on.
    ConfirmFalsePositive {
        /// The false positive id (from false-positives or propose-false-positive).
        id: u64,
    },
    /// Officer or operator: revoke a false positive; hits it covered hold payments again.
    RevokeFalsePositive {
        /// The false positive id.
        id: u64,
    },
    /// Operator: make the hub re-read DATA/lists after `kliring lists import` (atomic swap).
    ReloadLists,
}

/// `kliring client pay`.
#[derive(Args)]
struct PayArgs {
    /// The debtor participant (the one acting): its id or its BIC.
    #[arg(long, value_parser = parse_participant)]
    from: ParticipantRef,
    /// The creditor participant: its id or its BIC.
    #[arg(long, value_parser = parse_participant)]
    to: ParticipantRef,
    /// Positive decimal amount in major units with at most the currency's decimals, e.g.
    /// 1250.50 (not minor units). With --quote: the quote's source amount.
    #[arg(long)]
    amount: String,
    /// ISO 4217 code, e.g. KES. With --quote: the quote's source currency.
    #[arg(long)]
    currency: String,
    /// The debtor customer's name (screened against the sanctions lists).
    #[arg(long)]
    debtor_name: String,
    /// The debtor customer's ISO 3166 alpha-2 country code, e.g. KE.
    #[arg(long)]
    debtor_country: String,
    /// The debtor customer's account at the debtor participant (IBAN or local number).
    #[arg(long)]
    debtor_account: String,
    /// The creditor customer's name (screened against the sanctions lists).
    #[arg(long)]
    creditor_name: String,
    /// The creditor customer's ISO 3166 alpha-2 country code, e.g. NG.
    #[arg(long)]
    creditor_country: String,
    /// The creditor customer's account at the creditor participant (IBAN or local number).
    #[arg(long)]
    creditor_account: String,
    /// Unstructured remittance information (free text, screened too).
    #[arg(long)]
    remittance: Option<String>,
    /// An FX quote id (from `client quote`), for a cross-currency payment.
    #[arg(long)]
    quote: Option<Uuid>,
    /// Seconds the creditor has to accept before the reservation is voided (default: the
    /// hub's).
    #[arg(long, value_name = "SECS")]
    expires_in: Option<u64>,
    /// Payment id (UETR, a UUID); a new one when absent. Sending the same id again is
    /// idempotent.
    #[arg(long)]
    id: Option<Uuid>,
}

pub fn run(args: ClientArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut http = reqwest::Client::builder();
    if let Some(ca) = &args.ca {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
        http = http.add_root_certificate(certificate);
    }
    let hubs: Vec<&str> = args.hub.iter().map(String::as_str).collect();
    let hub = HubClient::with_hubs(http.build()?, &hubs, &args.token);
    runtime.block_on(execute(&hub, args.command))
}

/// Resolves participants named by id or BIC, reading the directory at most once.
struct Directory<'a> {
    hub: &'a HubClient,
    participants: Option<Vec<ParticipantView>>,
}

impl<'a> Directory<'a> {
    fn new(hub: &'a HubClient) -> Self {
        Directory {
            hub,
            participants: None,
        }
    }

    async fn id(&mut self, participant: &ParticipantRef) -> anyhow::Result<u64> {
        let bic = match participant {
            ParticipantRef::Id(id) => return Ok(*id),
            ParticipantRef::Bic(bic) => bic,
        };
        if self.participants.is_none() {
            let listed: Vec<ParticipantView> = self
                .hub
                .get("/v1/participants")
                .await
                .with_context(|| format!("looking up BIC {bic}"))?;
            self.participants = Some(listed);
        }
        let listed = self.participants.as_deref().unwrap_or_default();
        let found: Vec<&ParticipantView> =
            listed.iter().filter(|p| bic_matches(&p.bic, bic)).collect();
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => anyhow::bail!(
                "no participant has BIC {bic} (`kliring client participants` lists the {} \
                 participants)",
                listed.len()
            ),
            several => anyhow::bail!(
                "BIC {bic} names several participants ({}); give the numeric id",
                several
                    .iter()
                    .map(|p| format!("#{} {}", p.id, p.bic))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A path with a query string, values percent-encoded.
fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> anyhow::Result<String> {
    let mut url = reqwest::Url::parse("http://hub.invalid")?.join(path)?;
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            if let Some(value) = value {
                query.append_pair(key, value);
            }
        }
    }
    Ok(match url.query() {
        Some(query) if !query.is_empty() => format!("{}?{query}", url.path()),
        _ => url.path().to_owned(),
    })
}

/// A wire enum from its snake_case name (already checked by clap's possible values).
fn wire_enum<T: serde::de::DeserializeOwned>(name: &str, what: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .with_context(|| format!("{name:?} is not a valid {what}"))
}

async fn execute(hub: &HubClient, command: ClientCommand) -> anyhow::Result<()> {
    let mut directory = Directory::new(hub);
    match command {
        ClientCommand::AddCurrency {
            code,
            exponent,
            settlement,
        } => {
            let request = AddCurrencyRequest {
                code,
                exponent,
                settlement_model: wire_enum(&settlement, "--settlement")?,
            };
            show::<CurrencyView>(hub.post("/v1/currencies", &request).await?)
        }
        ClientCommand::Admit {
            name,
            bic,
            country,
            fx_provider,
        } => {
            let mut roles = vec![ParticipantRoleWire::Participant];
            if fx_provider {
                roles.push(ParticipantRoleWire::FxProvider);
            }
            let request = AdmitParticipantRequest {
                name,
                bic,
                country,
                roles,
            };
            let participant: ParticipantView = hub.post("/v1/participants", &request).await?;
            let credential: CredentialView = hub
                .post(
                    "/v1/credentials",
                    &CreateCredentialRequest {
                        role: CredentialRoleWire::Participant,
                        participant_id: Some(participant.id),
                        officer: None,
                    },
                )
                .await
                .with_context(|| {
                    format!(
                        "participant {} was admitted, but issuing its credential failed; \
                         issue one with POST /v1/credentials (participant_id {})",
                        participant.id, participant.id
                    )
                })?;
            show(serde_json::json!({ "participant": participant, "credential": credential }))
        }
        ClientCommand::AddOfficer { name } => {
            let request = CreateCredentialRequest {
                role: CredentialRoleWire::ComplianceOfficer,
                participant_id: None,
                officer: Some(name),
            };
            show::<CredentialView>(hub.post("/v1/credentials", &request).await?)
        }
        ClientCommand::AddAuditor => {
            let request = CreateCredentialRequest {
                role: CredentialRoleWire::Auditor,
                participant_id: None,
                officer: None,
            };
            show::<CredentialView>(hub.post("/v1/credentials", &request).await?)
        }
        ClientCommand::SetCap {
            participant,
            currency,
            cap,
        } => {
            let id = directory.id(&participant).await?;
            let path = format!("/v1/participants/{id}/net-debit-cap");
            let request = NetDebitCapRequest { currency, cap };
            show::<BalanceView>(hub.put(&path, &request).await?)
        }
        ClientCommand::Deposit {
            participant,
            currency,
            amount,
        } => {
            let id = directory.id(&participant).await?;
            let path = format!("/v1/participants/{id}/liquidity/deposits");
            let request = LiquidityRequest { currency, amount };
            show::<BalanceView>(hub.post(&path, &request).await?)
        }
        ClientCommand::Withdraw {
            participant,
            currency,
            amount,
        } => {
            let id = directory.id(&participant).await?;
            let path = format!("/v1/participants/{id}/liquidity/withdrawals");
            let request = LiquidityRequest { currency, amount };
            show::<BalanceView>(hub.post(&path, &request).await?)
        }
        ClientCommand::Participants => {
            show::<Vec<ParticipantView>>(hub.get("/v1/participants").await?)
        }
        ClientCommand::Balances { participant } => {
            let id = directory.id(&participant).await?;
            show::<Vec<BalanceView>>(hub.get(&format!("/v1/participants/{id}/balances")).await?)
        }
        ClientCommand::Pay(pay) => {
            let PayArgs {
                from,
                to,
                amount,
                currency,
                debtor_name,
                debtor_country,
                debtor_account,
                creditor_name,
                creditor_country,
                creditor_account,
                remittance,
                quote,
                expires_in,
                id,
            } = *pay;
            let request = CreatePaymentRequest {
                payment_id: id.unwrap_or_else(Uuid::new_v4),
                end_to_end_id: String::new(),
                debtor: PartyWire {
                    name: debtor_name,
                    address: vec![],
                    country: debtor_country,
                    account: debtor_account,
                },
                creditor: PartyWire {
                    name: creditor_name,
                    address: vec![],
                    country: creditor_country,
                    account: creditor_account,
                },
                debtor_participant: directory.id(&from).await?,
                creditor_participant: directory.id(&to).await?,
                amount,
                currency,
                remittance_info: remittance,
                expires_in_secs: expires_in,
                fx_quote_id: quote,
                ..CreatePaymentRequest::default()
            };
            show::<PaymentResult>(hub.post("/v1/payments", &request).await?)
        }
        ClientCommand::Accept { payment } => show::<PaymentResult>(
            hub.post(&format!("/v1/payments/{payment}/accept"), &())
                .await?,
        ),
        ClientCommand::Reject { payment, reason } => show::<PaymentResult>(
            hub.post(
                &format!("/v1/payments/{payment}/reject"),
                &RejectPaymentRequest { reason },
            )
            .await?,
        ),
        ClientCommand::Return {
            payment,
            return_id,
            reason,
        } => {
            let request = ReturnPaymentRequest {
                return_payment_id: return_id.unwrap_or_else(Uuid::new_v4),
                reason,
            };
            show::<PaymentResult>(
                hub.post(&format!("/v1/payments/{payment}/return"), &request)
                    .await?,
            )
        }
        ClientCommand::Cancel { payment, reason } => show::<CancelPaymentResult>(
            hub.post(
                &format!("/v1/payments/{payment}/cancel"),
                &CancelPaymentRequest { reason },
            )
            .await?,
        ),
        ClientCommand::Payment { payment } => {
            show::<PaymentView>(hub.get(&format!("/v1/payments/{payment}")).await?)
        }
        ClientCommand::Payments {
            participant,
            status,
            currency,
            limit,
            cursor,
            all,
        } => {
            let participant = match &participant {
                Some(named) => Some(directory.id(named).await?.to_string()),
                None => None,
            };
            let mut cursor = cursor;
            let mut payments = Vec::new();
            loop {
                let path = with_query(
                    "/v1/payments",
                    &[
                        ("participant", participant.clone()),
                        ("status", status.clone()),
                        ("currency", currency.clone()),
                        ("limit", limit.map(|n| n.to_string())),
                        ("cursor", cursor.clone()),
                    ],
                )?;
                let page: PaymentPage = hub.get(&path).await?;
                if !all {
                    return show(page);
                }
                payments.extend(page.payments);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            show(PaymentPage {
                payments,
                next_cursor: None,
            })
        }
        ClientCommand::Inbox { after } => {
            show::<InboxPage>(hub.get(&format!("/v1/inbox?after={after}")).await?)
        }
        ClientCommand::PublishRate {
            base,
            quote,
            rate,
            spread_bp,
        } => {
            let request = PublishRateRequest {
                base,
                quote,
                rate,
                spread_bp,
            };
            show::<RateView>(hub.post("/v1/fx/rates", &request).await?)
        }
        ClientCommand::Rates => show::<Vec<RateView>>(hub.get("/v1/fx/rates").await?),
        ClientCommand::Quote {
            provider,
            source_currency,
            target_currency,
            amount,
            expires_in,
        } => {
            let request = QuoteRequestWire {
                provider: directory.id(&provider).await?,
                source_currency,
                target_currency,
                source_amount: amount,
                expires_in_secs: expires_in,
            };
            show::<QuoteView>(hub.post("/v1/fx/quotes", &request).await?)
        }
        ClientCommand::ShowQuote { quote } => {
            show::<QuoteView>(hub.get(&format!("/v1/fx/quotes/{quote}")).await?)
        }
        ClientCommand::CloseWindow { currency, mode } => {
            let request = CloseWindowRequest {
                currency,
                mode: wire_enum(&mode, "--mode")?,
            };
            show::<WindowView>(hub.post("/v1/settlement/windows/close", &request).await?)
        }
        ClientCommand::SettleWindow { window } => show::<WindowView>(
            hub.post(&format!("/v1/settlement/windows/{window}/settle"), &())
                .await?,
        ),
        ClientCommand::AbortWindow { window } => show::<WindowView>(
            hub.post(&format!("/v1/settlement/windows/{window}/abort"), &())
                .await?,
        ),
        ClientCommand::Windows { currency } => {
            let path = with_query("/v1/settlement/windows", &[("currency", Some(currency))])?;
            show::<Vec<WindowView>>(hub.get(&path).await?)
        }
        ClientCommand::Window { window } => {
            show::<WindowView>(hub.get(&format!("/v1/settlement/windows/{window}")).await?)
        }
        ClientCommand::WindowReport { window, out } => {
            let csv = hub
                .get_text(&format!("/v1/settlement/windows/{window}/report.csv"))
                .await
                .map_err(refusal_of_text)?;
            match out {
                None => print!("{csv}"),
                Some(path) => {
                    std::fs::write(&path, csv)
                        .with_context(|| format!("writing {}", path.display()))?;
                    let path = std::path::absolute(&path).unwrap_or(path);
                    println!("{}", path.display());
                }
            }
            Ok(())
        }
        ClientCommand::Held => show::<Vec<HeldPaymentView>>(hub.get("/v1/compliance/held").await?),
        ClientCommand::FalsePositives => {
            show::<Vec<FalsePositiveView>>(hub.get("/v1/compliance/false-positives").await?)
        }
        ClientCommand::ProposeFalsePositive {
            payment,
            field,
            list,
            reference,
            note,
        } => {
            let request = FalsePositiveRequest {
                payment_id: payment,
                field,
                list,
                reference,
                note,
            };
            show::<FalsePositiveView>(hub.post("/v1/compliance/false-positives", &request).await?)
        }
        ClientCommand::ConfirmFalsePositive { id } => show::<FalsePositiveView>(
            hub.post(&format!("/v1/compliance/false-positives/{id}/confirm"), &())
                .await?,
        ),
        ClientCommand::RevokeFalsePositive { id } => show::<FalsePositiveView>(
            hub.post(&format!("/v1/compliance/false-positives/{id}/revoke"), &())
                .await?,
        ),
        ClientCommand::ReloadLists => show::<HealthView>(hub.post("/v1/lists/reload", &()).await?),
    }
}

/// `get_text` reports a refusal as an unexpected answer carrying the error body: say it as the
/// JSON calls do (status, code, message).
fn refusal_of_text(error: ClientError) -> anyhow::Error {
    if let ClientError::Unexpected {
        method,
        url,
        status,
        text,
    } = &error
        && let Ok(body) = serde_json::from_str::<api::ErrorBody>(text)
    {
        let refused = api::client::Refused {
            status: *status,
            body,
        };
        return anyhow::anyhow!("{method} {url}: {refused}");
    }
    error.into()
}

fn show<T: Serialize>(value: T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_are_named_by_id_or_bic() {
        assert_eq!(parse_participant("7"), Ok(ParticipantRef::Id(7)));
        assert_eq!(
            parse_participant("eqblkena"),
            Ok(ParticipantRef::Bic("EQBLKENA".into()))
        );
        assert_eq!(
            parse_participant("EQBLKENAXXX"),
            Ok(ParticipantRef::Bic("EQBLKENAXXX".into()))
        );
        for bad in [
            "",
            "EQBL",
            "EQBLKENA1",
            "12345678901234567890123",
            "EQ-LKENA",
            "-1",
        ] {
            let error = parse_participant(bad).unwrap_err();
            assert!(error.contains("BIC"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn an_eight_character_bic_names_its_head_office() {
        assert!(bic_matches("EQBLKENA", "EQBLKENA"));
        assert!(bic_matches("eqblkenaXXX", "EQBLKENA"));
        assert!(bic_matches("EQBLKENA", "EQBLKENAXXX"));
        assert!(!bic_matches("EQBLKENA001", "EQBLKENA"));
        assert!(!bic_matches("ABNGNGLA", "EQBLKENA"));
    }

    #[test]
    fn only_reasons_a_participant_may_give_are_offered() {
        use clap::builder::TypedValueParser;
        let offered: Vec<String> = participant_reasons()
            .possible_values()
            .unwrap()
            .map(|v| v.get_name().to_owned())
            .collect();
        assert!(offered.contains(&"incorrect_account_number".to_owned()));
        assert!(offered.contains(&"not_specified_agent".to_owned()));
        assert!(!offered.contains(&"sanctions_hit".to_owned()));
        assert!(!offered.contains(&"cancelled_by_debtor".to_owned()));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query(
                "/v1/payments",
                &[("currency", Some("K S&x".into())), ("a", None)]
            )
            .unwrap(),
            "/v1/payments?currency=K+S%26x"
        );
        assert_eq!(with_query("/v1/payments", &[]).unwrap(), "/v1/payments");
    }
}
