//! Read-only queries (pure functions of `&Hub`): what the server's GET endpoints and the demo
//! report show. Authorization of reads is the server's job; `payment_for` and `payments` also
//! apply the visibility rule (a participant sees only payments it is party to).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    CredentialId, CurrencyCode, ParticipantId, PaymentId, PaymentStatus, Principal, RelatedParties,
    SettlementModel,
};
use crate::state::{
    AccountKind, CurrencyConfig, Hub, InboxEvent, Participant, Payment, account_id,
};

/// Largest page of payments or inbox events one query returns.
pub const PAGE_LIMIT_MAX: usize = 1_000;
/// Most payments one `payments` query examines; a page may then come back short (even empty)
/// with a `next_cursor` to continue from.
pub const PAGE_SCAN_MAX: usize = 10_000;
/// Page size when the caller gives 0.
pub const PAGE_LIMIT_DEFAULT: usize = 100;

/// A participant's figures in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub currency: CurrencyCode,
    pub exponent: u8,
    pub model: SettlementModel,
    /// Posted position (credits - debits): positive = net receiver since the last settlement.
    pub position: i128,
    /// Reserved outgoing payments on the position.
    pub position_pending_debits: u128,
    /// Reserved incoming payments on the position.
    pub position_pending_credits: u128,
    pub net_debit_cap: u128,
    /// Posted pre-funded liquidity.
    pub liquidity: u128,
    /// Reserved outgoing payments on the liquidity account.
    pub liquidity_pending_debits: u128,
    /// What a new payment may still reserve: headroom under the cap (deferred net) or unreserved
    /// liquidity (gross).
    pub available: u128,
}

/// Filter and page of `Hub::payments`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    pub participant: Option<ParticipantId>,
    pub status: Option<PaymentStatus>,
    pub currency: Option<CurrencyCode>,
    /// Only payments with `seq > after` (or `seq < after` when `newest_first`).
    pub after: Option<u64>,
    /// Newest first instead of creation order; a page's `next_cursor` continues the same way.
    pub newest_first: bool,
    /// 0 = `PAGE_LIMIT_DEFAULT`; capped at `PAGE_LIMIT_MAX`.
    pub limit: usize,
}

/// A page of payments in creation order; `next_cursor` is the `after` for the next page (`None`
/// when nothing more matches). A page may be short when the scan limit was reached.
#[derive(Clone, Debug)]
pub struct PaymentPage<'a> {
    pub payments: Vec<&'a Payment>,
    pub next_cursor: Option<u64>,
}

/// Per participant and currency totals of committed payments (returned ones included, their
/// returns counted as payments the other way), for the demo report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParticipantReport {
    pub participant: ParticipantId,
    pub name: String,
    pub bic: String,
    pub currencies: Vec<CurrencyReport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrencyReport {
    pub currency: CurrencyCode,
    pub sent_count: u64,
    pub sent_amount: u128,
    pub received_count: u64,
    pub received_amount: u128,
    pub position: i128,
    pub liquidity: u128,
}

fn page_limit(limit: usize) -> usize {
    match limit {
        0 => PAGE_LIMIT_DEFAULT,
        n => n.min(PAGE_LIMIT_MAX),
    }
}

impl Hub {
    /// The principal a bearer token's sha256 authenticates (`None` if unknown or revoked).
    pub fn principal_for_token_hash(&self, token_hash: &[u8; 32]) -> Option<Principal> {
        self.credential_for_token_hash(token_hash)
            .map(|(_, principal)| principal)
    }

    /// The active credential of a token hash, with its principal.
    pub fn credential_for_token_hash(
        &self,
        token_hash: &[u8; 32],
    ) -> Option<(CredentialId, Principal)> {
        let id = self.tokens.get(token_hash)?;
        let credential = self
            .credentials
            .get(usize::try_from(id.0.checked_sub(1)?).ok()?)?;
        credential
            .revoked_at
            .is_none()
            .then(|| (credential.id, credential.principal.clone()))
    }

    /// The credentials that reviewed and decided a hold, where the `*HoldAs` actions named them.
    pub fn hold_credentials(&self, id: PaymentId) -> Option<&crate::state::HoldCredentials> {
        self.hold_credentials.get(&id)
    }

    /// List versions the operator put in force by override, oldest first.
    pub fn list_overrides(&self) -> &[crate::state::ListOverride] {
        &self.list_overrides
    }

    /// A false positive by id.
    pub fn false_positive(
        &self,
        id: crate::model::FalsePositiveId,
    ) -> Option<&crate::state::FalsePositive> {
        usize::try_from(id.0.wrapping_sub(1))
            .ok()
            .and_then(|index| self.false_positives.get(index))
    }

    /// Every false positive, oldest first (revoked ones included).
    pub fn false_positives(&self) -> &[crate::state::FalsePositive] {
        &self.false_positives
    }

    /// The hits a payment's verdict left out by false positives.
    pub fn cleared_hits(&self, payment: PaymentId) -> &[crate::command::ClearedHit] {
        self.cleared_hits.get(&payment).map_or(&[], Vec::as_slice)
    }

    /// Each participant's latest sanction (cleared ones included, with when).
    pub fn sanctions(&self) -> &std::collections::BTreeMap<ParticipantId, crate::state::Sanction> {
        &self.sanctions
    }

    /// Every credential, revoked ones included (token hashes only; tokens are never stored).
    pub fn credentials(&self) -> &[crate::state::Credential] {
        &self.credentials
    }

    pub fn currencies(&self) -> impl Iterator<Item = &CurrencyConfig> {
        self.currencies.values()
    }

    pub fn currency(&self, code: CurrencyCode) -> Option<&CurrencyConfig> {
        self.currencies.get(&code)
    }

    /// All participants in id order.
    pub fn participants(&self) -> &[Participant] {
        &self.participants
    }

    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participant_ref(id)
    }

    /// The participant's figures in every accepted currency (`None` if it does not exist).
    pub fn balances(&self, participant: ParticipantId) -> Option<Vec<Balance>> {
        self.participant_ref(participant)?;
        let balances = self
            .currencies
            .values()
            .filter_map(|config| self.balance(participant, config))
            .collect();
        Some(balances)
    }

    fn balance(&self, participant: ParticipantId, config: &CurrencyConfig) -> Option<Balance> {
        let position =
            self.ledger
                .account(account_id(participant, config.code, AccountKind::Position))?;
        let liquidity =
            self.ledger
                .account(account_id(participant, config.code, AccountKind::Liquidity))?;
        let cap = position.net_debit_cap.unwrap_or(0);
        let available = match config.model {
            // The ledger admits a debit while debits + pending - credits_posted <= cap.
            SettlementModel::DeferredNet => position
                .debits_posted
                .checked_add(position.debits_pending)
                .map_or(0, |debits| {
                    cap.saturating_add(position.credits_posted)
                        .saturating_sub(debits)
                }),
            SettlementModel::Gross => liquidity
                .available()
                .and_then(|a| u128::try_from(a).ok())
                .unwrap_or(0),
        };
        Some(Balance {
            currency: config.code,
            exponent: config.exponent,
            model: config.model,
            position: position.balance()?,
            position_pending_debits: position.debits_pending,
            position_pending_credits: position.credits_pending,
            net_debit_cap: cap,
            liquidity: liquidity
                .credits_posted
                .saturating_sub(liquidity.debits_posted),
            liquidity_pending_debits: liquidity.debits_pending,
            available,
        })
    }

    /// Any payment, regardless of who asks.
    pub fn payment(&self, id: PaymentId) -> Option<&Payment> {
        self.payment_ref(&id)
    }

    /// What the payment named beyond debtor and creditor (ultimate parties, initiating party,
    /// agents, structured remittance text); `None` when it named none of it.
    pub fn related_parties(&self, id: PaymentId) -> Option<&RelatedParties> {
        self.related.get(&id)
    }

    /// The payment if `viewer` may see it (`None` otherwise, so existence is not disclosed).
    pub fn payment_for(&self, viewer: &Principal, id: PaymentId) -> Option<&Payment> {
        self.payment_ref(&id).filter(|p| p.visible_to(viewer))
    }

    /// Payments visible to `viewer` matching `filter`, in creation order.
    pub fn payments(&self, viewer: &Principal, filter: &PaymentFilter) -> PaymentPage<'_> {
        let participant = match viewer {
            Principal::Participant(me) => match filter.participant {
                Some(other) if other != *me => {
                    return PaymentPage {
                        payments: Vec::new(),
                        next_cursor: None,
                    };
                }
                _ => Some(*me),
            },
            _ => filter.participant,
        };
        let after = filter.after.unwrap_or(0);
        let limit = page_limit(filter.limit);
        let total = u64::try_from(self.payments.len()).unwrap_or(u64::MAX);
        // Newest first: the cursor is the oldest seq shown; the next page is older.
        let before = filter
            .after
            .map_or(total.saturating_add(1), |b| b.min(total.saturating_add(1)));
        let seqs: Box<dyn Iterator<Item = u64> + '_> = match (participant, filter.newest_first) {
            (Some(p), newest_first) => {
                let seqs = self
                    .participant_payments
                    .get(&p)
                    .map_or(&[][..], Vec::as_slice);
                if newest_first {
                    let end = seqs.partition_point(|s| *s < before);
                    Box::new(seqs[..end].iter().rev().copied())
                } else {
                    let start = seqs.partition_point(|s| *s <= after);
                    Box::new(seqs[start..].iter().copied())
                }
            }
            (None, true) => Box::new((1..before).rev()),
            (None, false) => Box::new(after.saturating_add(1)..=total),
        };
        let mut payments = Vec::new();
        let mut next_cursor = None;
        for (examined, seq) in seqs.enumerate() {
            // Reads run on the sequencer thread: a selective filter over a long history stops
            // after PAGE_SCAN_MAX payments and hands back a cursor to continue from.
            if examined == PAGE_SCAN_MAX {
                // The next page starts at this payment, in either direction.
                next_cursor = if filter.newest_first {
                    seq.checked_add(1)
                } else {
                    seq.checked_sub(1)
                };
                break;
            }
            let Some(payment) = self.payment_by_seq(seq) else {
                continue;
            };
            let matches = payment.visible_to(viewer)
                && filter.status.is_none_or(|s| payment.status == s)
                && filter
                    .currency
                    .is_none_or(|c| payment.instruction.currency == c);
            if !matches {
                continue;
            }
            if payments.len() == limit {
                next_cursor = payments.last().map(|p: &&Payment| p.seq);
                break;
            }
            payments.push(payment);
        }
        PaymentPage {
            payments,
            next_cursor,
        }
    }

    /// How many payments are in each status (one pass over the payments, no paging).
    pub fn payment_counts(&self) -> BTreeMap<PaymentStatus, u64> {
        let mut counts = BTreeMap::new();
        for payment in &self.payments {
            let count: &mut u64 = counts.entry(payment.status).or_default();
            *count = count.saturating_add(1);
        }
        counts
    }

    /// Payments waiting for compliance, oldest first.
    pub fn held_payments(&self) -> impl Iterator<Item = &Payment> {
        self.held.values().filter_map(|id| self.payment_ref(id))
    }

    /// A participant's inbox events with `cursor > after`, at most `limit` (0 = default).
    pub fn inbox(&self, participant: ParticipantId, after: u64, limit: usize) -> &[InboxEvent] {
        let Some(events) = self.inboxes.get(&participant) else {
            return &[];
        };
        let start = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(events.len());
        let end = start.saturating_add(page_limit(limit)).min(events.len());
        &events[start..end]
    }

    /// The cursor of a participant's newest inbox event (0 when empty).
    pub fn inbox_head(&self, participant: ParticipantId) -> u64 {
        self.inboxes
            .get(&participant)
            .and_then(|events| events.last())
            .map_or(0, |e| e.cursor)
    }

    /// Sent, received and position per participant and currency.
    pub fn report(&self) -> Vec<ParticipantReport> {
        let mut reports: Vec<ParticipantReport> = self
            .participants
            .iter()
            .map(|p| ParticipantReport {
                participant: p.id,
                name: p.name.clone(),
                bic: p.bic.to_string(),
                currencies: self
                    .currencies
                    .values()
                    .filter_map(|c| {
                        let balance = self.balance(p.id, c)?;
                        Some(CurrencyReport {
                            currency: c.code,
                            sent_count: 0,
                            sent_amount: 0,
                            received_count: 0,
                            received_amount: 0,
                            position: balance.position,
                            liquidity: balance.liquidity,
                        })
                    })
                    .collect(),
            })
            .collect();
        let committed = self
            .payments
            .iter()
            .filter(|p| matches!(p.status, PaymentStatus::Committed | PaymentStatus::Returned));
        for payment in committed {
            let (Some(first), Some(last)) = (payment.legs.first(), payment.legs.last()) else {
                continue;
            };
            let ins = &payment.instruction;
            if let Some(r) = entry(&mut reports, ins.debtor_participant, first.currency) {
                r.sent_count = r.sent_count.saturating_add(1);
                r.sent_amount = r.sent_amount.saturating_add(first.amount);
            }
            if let Some(r) = entry(&mut reports, ins.creditor_participant, last.currency) {
                r.received_count = r.received_count.saturating_add(1);
                r.received_amount = r.received_amount.saturating_add(last.amount);
            }
        }
        reports
    }
}

fn entry(
    reports: &mut [ParticipantReport],
    participant: ParticipantId,
    currency: CurrencyCode,
) -> Option<&mut CurrencyReport> {
    let index = usize::try_from(participant.0.checked_sub(1)?).ok()?;
    reports
        .get_mut(index)?
        .currencies
        .iter_mut()
        .find(|c| c.currency == currency)
}
