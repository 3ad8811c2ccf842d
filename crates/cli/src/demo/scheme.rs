//! The demo scheme as its operator sets it up: currencies, banks with caps or pre-funded
//! liquidity, an FX provider with its rates, and two compliance officers.

use api::wire::*;

use api::client::HubClient;

/// A demo bank: who it is and its net debit cap per deferred-net currency (major units).
pub(super) struct Bank {
    pub(super) name: &'static str,
    pub(super) bic: &'static str,
    pub(super) country: &'static str,
    pub(super) net_debit_cap: u64,
}

pub(super) const BANKS: [Bank; 5] = [
    Bank {
        name: "Equity Bank Kenya",
        bic: "EQBLKENA",
        country: "KE",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Access Bank Nigeria",
        bic: "ABNGNGLA",
        country: "NG",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Ecobank Ghana",
        bic: "ECOCGHAC",
        country: "GH",
        net_debit_cap: 50_000_000,
    },
    Bank {
        name: "Banque Misr",
        bic: "BMISEGCX",
        country: "EG",
        net_debit_cap: 40_000_000,
    },
    // A deliberately small cap: some of its payments are refused for lack of headroom.
    Bank {
        name: "Kigali Savings Bank",
        bic: "KSBLRWRW",
        country: "RW",
        net_debit_cap: 2_000_000,
    },
];

/// The scheme's FX provider: converts between the deferred-net currencies.
pub(super) const FX_PROVIDER: Bank = Bank {
    name: "Afreximbank FX Desk",
    bic: "AFRIEGCX",
    country: "EG",
    net_debit_cap: 500_000_000,
};
/// Rates the provider publishes: (base, quote, rate, spread in basis points).
pub(super) const FX_RATES: [(&str, &str, &str, u16); 1] = [("KES", "NGN", "11.9525", 40)];
/// Share of payments sent cross-currency (KES ↔ NGN through the provider), in percent.
pub(super) const FX_PERCENT: u32 = 8;

/// (code, settlement model); every amount the demo draws has two decimals.
pub(super) const CURRENCIES: [(&str, SettlementModelWire); 3] = [
    ("KES", SettlementModelWire::DeferredNet),
    ("NGN", SettlementModelWire::DeferredNet),
    ("EUR", SettlementModelWire::Gross),
];
/// Pre-funded EUR liquidity deposited for every bank (major units).
pub(super) const EUR_DEPOSIT: u64 = 10_000_000;

pub(super) struct Scheme {
    /// Participant id of the FX provider.
    pub(super) fx_provider: u64,
    /// Every participant, the FX provider included, for the report.
    pub(super) participants: Vec<ParticipantView>,
    /// Per bank: its participant id and a client acting as it.
    pub(super) banks: Vec<(ParticipantView, HubClient)>,
    pub(super) officers: [HubClient; 2],
    pub(super) lists: Vec<ListVersionView>,
    /// Every token the operator issued, so that `demo --data DIR` can leave them behind.
    pub(super) tokens: Vec<IssuedToken>,
}

/// A credential the demo's operator issued.
#[derive(Clone, serde::Serialize)]
pub(super) struct IssuedToken {
    /// `participant`, `fx_provider` or `compliance_officer`.
    pub(super) role: &'static str,
    /// The participant's or officer's name.
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) participant_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bic: Option<String>,
    pub(super) token: String,
}

pub(super) async fn set_up_scheme(operator: &HubClient) -> anyhow::Result<Scheme> {
    for (code, settlement_model) in CURRENCIES {
        let _: CurrencyView = operator
            .post(
                "/v1/currencies",
                &AddCurrencyRequest {
                    code: code.to_string(),
                    exponent: 2,
                    settlement_model,
                },
            )
            .await?;
    }
    let mut banks = Vec::new();
    let mut tokens = Vec::new();
    for bank in &BANKS {
        let (view, client, token) = admit(operator, bank, false).await?;
        tokens.push(IssuedToken {
            role: "participant",
            name: view.name.clone(),
            participant_id: Some(view.id),
            bic: Some(view.bic.clone()),
            token,
        });
        banks.push((view, client));
    }
    let (provider, provider_client, token) = admit(operator, &FX_PROVIDER, true).await?;
    tokens.push(IssuedToken {
        role: "fx_provider",
        name: provider.name.clone(),
        participant_id: Some(provider.id),
        bic: Some(provider.bic.clone()),
        token,
    });
    for (base, quote, rate, spread_bp) in FX_RATES {
        let _: RateView = provider_client
            .post(
                "/v1/fx/rates",
                &PublishRateRequest {
                    base: base.to_string(),
                    quote: quote.to_string(),
                    rate: rate.to_string(),
                    spread_bp,
                },
            )
            .await?;
    }
    let mut officers = Vec::new();
    for name in ["Officer Achieng", "Officer Adeyemi"] {
        let credential: CredentialView = operator
            .post(
                "/v1/credentials",
                &CreateCredentialRequest {
                    role: CredentialRoleWire::ComplianceOfficer,
                    participant_id: None,
                    officer: Some(name.to_string()),
                },
            )
            .await?;
        officers.push(operator.as_principal(&credential.token));
        tokens.push(IssuedToken {
            role: "compliance_officer",
            name: name.to_string(),
            participant_id: None,
            bic: None,
            token: credential.token,
        });
    }
    let health: HealthView = operator.get("/v1/health").await?;
    let officers: [HubClient; 2] = officers
        .try_into()
        .map_err(|_| anyhow::anyhow!("two compliance officers expected"))?;
    let mut participants: Vec<ParticipantView> = banks.iter().map(|(v, _)| v.clone()).collect();
    participants.push(provider.clone());
    Ok(Scheme {
        fx_provider: provider.id,
        participants,
        banks,
        officers,
        lists: health.lists,
        tokens,
    })
}

/// Admits a bank, issues its token, and sets its caps (deferred net) or deposits liquidity (gross);
/// returns its view, a client acting as it, and its token.
pub(super) async fn admit(
    operator: &HubClient,
    bank: &Bank,
    fx_provider: bool,
) -> anyhow::Result<(ParticipantView, HubClient, String)> {
    let mut roles = vec![ParticipantRoleWire::Participant];
    if fx_provider {
        roles.push(ParticipantRoleWire::FxProvider);
    }
    let view: ParticipantView = operator
        .post(
            "/v1/participants",
            &AdmitParticipantRequest {
                name: bank.name.to_string(),
                bic: bank.bic.to_string(),
                country: bank.country.to_string(),
                roles,
            },
        )
        .await?;
    let credential: CredentialView = operator
        .post(
            "/v1/credentials",
            &CreateCredentialRequest {
                role: CredentialRoleWire::Participant,
                participant_id: Some(view.id),
                officer: None,
            },
        )
        .await?;
    for (code, model) in CURRENCIES {
        let path = format!("/v1/participants/{}", view.id);
        let _: BalanceView = match model {
            SettlementModelWire::DeferredNet => {
                operator
                    .put(
                        &format!("{path}/net-debit-cap"),
                        &NetDebitCapRequest {
                            currency: code.to_string(),
                            cap: format!("{}.00", bank.net_debit_cap),
                        },
                    )
                    .await?
            }
            SettlementModelWire::Gross => {
                operator
                    .post(
                        &format!("{path}/liquidity/deposits"),
                        &LiquidityRequest {
                            currency: code.to_string(),
                            amount: format!("{EUR_DEPOSIT}.00"),
                        },
                    )
                    .await?
            }
        };
    }
    let client = operator.as_principal(&credential.token);
    Ok((view, client, credential.token))
}
