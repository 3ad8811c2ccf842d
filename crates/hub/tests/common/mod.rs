//! Test fixture: a small scheme (EUR deferred net, KES gross; participants 1-3, 4 = FX provider)
//! and helpers that apply one command at a time and check every invariant after each batch.
#![allow(dead_code)] // each test binary uses a different subset of the helpers

use hub::*;
use uuid::Uuid;

pub const T0: u64 = 1_700_000_000_000_000_000;
pub const SECOND: u64 = 1_000_000_000;
pub const A: ParticipantId = ParticipantId(1);
pub const B: ParticipantId = ParticipantId(2);
pub const C: ParticipantId = ParticipantId(3);

pub fn eur() -> CurrencyCode {
    CurrencyCode::new("EUR").unwrap()
}
pub fn kes() -> CurrencyCode {
    CurrencyCode::new("KES").unwrap()
}
pub fn pid(n: u128) -> PaymentId {
    Uuid::from_u128(n)
}
pub fn participant(p: ParticipantId) -> Principal {
    Principal::Participant(p)
}
pub fn officer(name: &str) -> Principal {
    Principal::ComplianceOfficer(name.to_owned())
}

pub fn clear() -> ScreeningVerdict {
    ScreeningVerdict {
        lists: vec![ListVersionRecord {
            source: "un".into(),
            version: "blake3:abc".into(),
        }],
        hits: vec![],
    }
}

pub fn hit() -> ScreeningVerdict {
    let mut v = clear();
    v.hits.push(ScreeningHitRecord {
        party: PartySide::Creditor,
        list: "un".into(),
        reference: "KPi.033".into(),
        name: "KIM JONG UN".into(),
        matched_name: "Kim Jong-un".into(),
        score_bp: 9_700,
    });
    v
}

/// Ultimate parties, an initiating party and agents, as a pacs.008 may name them.
pub fn related() -> RelatedParties {
    let named = |name: &str| RelatedParty {
        name: name.into(),
        address_lines: vec!["2 Side Street".into()],
        country: Some(CountryCode::new("KE").unwrap()),
    };
    RelatedParties {
        ultimate_debtor: Some(named("Ultimate Payer Ltd")),
        ultimate_creditor: Some(named("Ultimate Payee Ltd")),
        initiating_party: Some(named("Initiator Corp")),
        debtor_agent: Some(AgentRecord {
            name: Some("Alpha Bank".into()),
            bic: Some(Bic::new("ALPHKENA").unwrap()),
        }),
        creditor_agent: None,
        intermediary_agents: vec![AgentRecord {
            name: Some("Correspondent Bank".into()),
            bic: None,
        }],
        remittance_structured: vec!["RF18539007547034".into()],
    }
}

pub fn party(name: &str) -> Party {
    Party {
        name: name.into(),
        address_lines: vec!["1 Main Street".into(), "Nairobi".into()],
        country: CountryCode::new("KE").unwrap(),
        account: "KE0012345678".into(),
    }
}

pub fn instruction(
    id: u128,
    from: ParticipantId,
    to: ParticipantId,
    amount: u128,
    currency: CurrencyCode,
) -> PaymentInstruction {
    PaymentInstruction {
        payment_id: pid(id),
        end_to_end_id: format!("E2E-{id}"),
        debtor: party("Alice Debtor"),
        creditor: party("Bob Creditor"),
        debtor_participant: from,
        creditor_participant: to,
        amount,
        currency,
        remittance_info: Some("invoice 42".into()),
        fx_quote: None,
    }
}

pub struct Fixture {
    pub hub: Hub,
    pub now: u64,
}

impl Fixture {
    /// An empty hub.
    pub fn empty() -> Self {
        Self {
            hub: Hub::new(),
            now: T0,
        }
    }

    /// EUR (deferred net, caps 1000.00 for A and B), KES (gross, A pre-funded with 500.00);
    /// A, B, C participants, D an FX provider.
    pub fn new() -> Self {
        let mut f = Self::empty();
        f.ok_op(Action::AddCurrency {
            currency: eur(),
            exponent: 2,
            model: SettlementModel::DeferredNet,
        });
        f.ok_op(Action::AddCurrency {
            currency: kes(),
            exponent: 2,
            model: SettlementModel::Gross,
        });
        for (name, bic, fx) in [
            ("Alpha Bank", "ALPHKENA", false),
            ("Beta Bank", "BETADEFF", false),
            ("Gamma Bank", "GAMMUGKA", false),
            ("Delta FX", "DELTGB2L", true),
        ] {
            f.ok_op(Action::AdmitParticipant {
                name: name.into(),
                bic: Bic::new(bic).unwrap(),
                country: CountryCode::new(&bic[4..6]).unwrap(),
                roles: Roles {
                    participant: !fx,
                    fx_provider: fx,
                },
            });
        }
        for p in [A, B] {
            f.ok_op(Action::SetNetDebitCap {
                participant: p,
                currency: eur(),
                cap: 100_000,
            });
        }
        f.ok_op(Action::RecordLiquidity {
            participant: A,
            currency: kes(),
            direction: LiquidityDirection::Deposit,
            amount: 50_000,
        });
        f
    }

    /// Applies one command one second after the previous batch; checks invariants.
    pub fn run(&mut self, actor: Principal, action: Action) -> Outcome {
        self.now += SECOND;
        self.batch(vec![Command::new(actor, action)]).remove(0)
    }

    pub fn batch(&mut self, commands: Vec<Command>) -> Vec<Outcome> {
        // Expiry runs first in every batch; do it alone so that `before` is the state the
        // commands meet (a second expiry pass at the same time finds nothing).
        self.hub.apply(self.now, &[]);
        let before = self.hub.clone();
        let outcomes = self.hub.apply(self.now, &commands);
        assert_eq!(outcomes.len(), commands.len());
        if let Err(e) = self.hub.check_invariants() {
            panic!("invariant broken after {commands:?}: {e}");
        }
        // A refused command changes nothing visible (the ledger's clock aside). In a longer
        // batch: replay the commands before it on a copy, then the refused one alone at the
        // same time (the queue pass between is a no-op after another); if it is refused there
        // too, the copy must not have changed.
        for (i, outcome) in outcomes.iter().enumerate() {
            let Err(error) = outcome else { continue };
            let mut prefix = before.clone();
            if i > 0 {
                prefix.apply(self.now, &commands[..i]);
            }
            let seen = digest(&prefix);
            let again = prefix.apply(self.now, &commands[i..=i]);
            if again[0].is_err() {
                assert_eq!(
                    seen,
                    digest(&prefix),
                    "refused command {i} changed state: {error:?}"
                );
            }
        }
        outcomes
    }

    pub fn op(&mut self, action: Action) -> Outcome {
        self.run(Principal::Operator, action)
    }

    pub fn ok_op(&mut self, action: Action) -> Success {
        let name = action.name();
        self.op(action)
            .unwrap_or_else(|e| panic!("{name} failed: {}", e.code()))
    }

    /// Advances the clock without commands (an empty batch).
    pub fn tick(&mut self, ns: u64) {
        self.now += ns;
        self.batch(vec![]);
    }

    pub fn create(&mut self, ins: PaymentInstruction, verdict: ScreeningVerdict) -> Outcome {
        let actor = participant(ins.debtor_participant);
        let expires_at = self.now + 60 * SECOND;
        self.run(
            actor,
            Action::CreatePayment(Box::new(CreatePayment {
                instruction: ins,
                expires_at,
                screening: verdict,
            })),
        )
    }

    pub fn pay(
        &mut self,
        id: u128,
        from: ParticipantId,
        to: ParticipantId,
        amount: u128,
    ) -> Outcome {
        self.create(instruction(id, from, to, amount, eur()), clear())
    }

    pub fn accept(&mut self, id: u128, by: ParticipantId) -> Outcome {
        self.run(participant(by), Action::AcceptPayment { payment: pid(id) })
    }

    pub fn status(&self, id: u128) -> (PaymentStatus, Option<Reason>) {
        let p = self.hub.payment(pid(id)).expect("payment exists");
        (p.status, p.reason)
    }

    pub fn balance(&self, p: ParticipantId, currency: CurrencyCode) -> Balance {
        self.hub
            .balances(p)
            .unwrap()
            .into_iter()
            .find(|b| b.currency == currency)
            .unwrap()
    }
}

/// Everything observable except the ledger's clock (a refused ledger event still advances it).
pub fn digest(hub: &Hub) -> String {
    let balances: Vec<Balance> = hub
        .participants()
        .iter()
        .flat_map(|p| hub.balances(p.id).unwrap())
        .collect();
    let payments: Vec<&Payment> = hub
        .payments(
            &Principal::Operator,
            &PaymentFilter {
                limit: PAGE_LIMIT_MAX,
                ..PaymentFilter::default()
            },
        )
        .payments;
    let extras: Vec<_> = payments
        .iter()
        .map(|p| (hub.related_parties(p.id()), hub.hold_credentials(p.id())))
        .collect();
    let inboxes: Vec<&[InboxEvent]> = hub
        .participants()
        .iter()
        .map(|p| hub.inbox(p.id, 0, PAGE_LIMIT_MAX))
        .collect();
    format!(
        "{} {} {balances:?} {payments:?} {extras:?} {inboxes:?} {:?} {:?} {:?} {:?}",
        hub.ledger().transfer_count(),
        hub.ledger().account_count(),
        hub.credentials(),
        hub.participants(),
        hub.currencies().collect::<Vec<_>>(),
        hub.list_overrides(),
    )
}

pub fn code(outcome: &Outcome) -> &'static str {
    match outcome {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

pub fn payment_status(outcome: &Outcome) -> PaymentStatus {
    match outcome {
        Ok(Success::Payment(p)) => p.status,
        other => panic!("not a payment outcome: {other:?}"),
    }
}
