//! Client subcommands: drive a running hub from a shell (`kliring client …`). Every command is
//! one or two HTTP calls through [`HubClient`]; the JSON answer is printed as the hub gave it.

use anyhow::Context;
use api::wire::*;
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;

use api::client::HubClient;

#[derive(Args)]
pub struct ClientArgs {
    /// The hub's base URL.
    #[arg(long, env = "KLIRING_HUB", default_value = "http://127.0.0.1:7700")]
    hub: String,
    /// Bearer token of the principal acting (operator, participant or officer).
    #[arg(long, env = "KLIRING_TOKEN", hide_env_values = true)]
    token: String,
    #[command(subcommand)]
    command: ClientCommand,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Operator: accept a currency in the scheme.
    AddCurrency {
        code: String,
        exponent: u8,
        /// gross or deferred_net.
        #[arg(long, default_value = "deferred_net")]
        settlement: String,
    },
    /// Operator: admit a participant and issue its API token.
    Admit {
        name: String,
        bic: String,
        country: String,
        /// Also an FX provider.
        #[arg(long)]
        fx_provider: bool,
    },
    /// Operator: issue a token for a compliance officer.
    AddOfficer { name: String },
    /// Operator: set a participant's net debit cap in a currency.
    SetCap {
        participant: u64,
        currency: String,
        cap: String,
    },
    /// Operator: record a liquidity deposit on a participant's pre-funded account.
    Deposit {
        participant: u64,
        currency: String,
        amount: String,
    },
    /// List participants.
    Participants,
    /// A participant's balances per currency.
    Balances { participant: u64 },
    /// Participant: pay a creditor participant's customer.
    Pay {
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        currency: String,
        #[arg(long)]
        debtor_name: String,
        #[arg(long)]
        debtor_country: String,
        #[arg(long)]
        debtor_account: String,
        #[arg(long)]
        creditor_name: String,
        #[arg(long)]
        creditor_country: String,
        #[arg(long)]
        creditor_account: String,
        #[arg(long)]
        remittance: Option<String>,
        /// An FX quote id, for a cross-currency payment.
        #[arg(long)]
        quote: Option<Uuid>,
        /// Payment id (UETR); a new one when absent.
        #[arg(long)]
        id: Option<Uuid>,
    },
    /// Creditor participant: accept a reserved payment (it commits).
    Accept { payment: Uuid },
    /// Creditor participant: reject a reserved payment with a reason code.
    Reject {
        payment: Uuid,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Debtor participant: cancel a payment not yet committed, or ask the creditor to return a
    /// committed one.
    Cancel {
        payment: Uuid,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Show one payment.
    Payment { payment: Uuid },
    /// Operator: make the hub re-read DATA/lists after `kliring lists import` (atomic swap).
    ReloadLists,
    /// Read the inbox after a cursor.
    Inbox {
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
}

pub fn run(args: ClientArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let hub = HubClient::new(reqwest::Client::new(), &args.hub, &args.token);
    runtime.block_on(execute(&hub, args.command))
}

async fn execute(hub: &HubClient, command: ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::AddCurrency {
            code,
            exponent,
            settlement,
        } => {
            let settlement_model = serde_json::from_value(serde_json::Value::String(settlement))
                .context("--settlement is gross or deferred_net")?;
            let request = AddCurrencyRequest {
                code,
                exponent,
                settlement_model,
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
        ClientCommand::SetCap {
            participant,
            currency,
            cap,
        } => {
            let path = format!("/v1/participants/{participant}/net-debit-cap");
            let request = NetDebitCapRequest { currency, cap };
            show::<BalanceView>(hub.put(&path, &request).await?)
        }
        ClientCommand::Deposit {
            participant,
            currency,
            amount,
        } => {
            let path = format!("/v1/participants/{participant}/liquidity/deposits");
            let request = LiquidityRequest { currency, amount };
            show::<BalanceView>(hub.post(&path, &request).await?)
        }
        ClientCommand::Participants => {
            show::<Vec<ParticipantView>>(hub.get("/v1/participants").await?)
        }
        ClientCommand::Balances { participant } => show::<Vec<BalanceView>>(
            hub.get(&format!("/v1/participants/{participant}/balances"))
                .await?,
        ),
        ClientCommand::Pay {
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
            id,
        } => {
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
                debtor_participant: from,
                creditor_participant: to,
                amount,
                currency,
                remittance_info: remittance,
                expires_in_secs: None,
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
        ClientCommand::ReloadLists => show::<HealthView>(hub.post("/v1/lists/reload", &()).await?),
        ClientCommand::Inbox { after } => {
            show::<InboxPage>(hub.get(&format!("/v1/inbox?after={after}")).await?)
        }
    }
}

fn show<T: Serialize>(value: T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
