//! Building blocks shared by the message mappings: required/optional fields with violations
//! recorded on the way, and the component types (agents, parties, accounts, amounts, reasons,
//! original references) that look the same in every supported version.

use crate::dom::El;
use crate::model::{
    AccountId, Agent, ClearingMember, OriginalRef, Party, PostalAddress, Reason, Settlement,
};
use crate::money::{Amount, Currency, Decimal, parse_amount};
use crate::report::{ReasonCode, Violation};
use crate::rules::clip;

/// SettlementMethod1Code.
const SETTLEMENT_METHODS: &[&str] = &["INDA", "INGA", "COVE", "CLRG"];

/// Collects violations while a mapping reads a message. Field-level format problems (lengths,
/// patterns, amounts) were already reported by `rules::check_fields`; this context adds
/// structural ones and avoids duplicating the format ones.
pub struct Ctx {
    pub violations: Vec<Violation>,
}

impl Ctx {
    pub fn new() -> Self {
        Self {
            violations: Vec::new(),
        }
    }

    /// Records a missing required element under `parent`.
    pub fn missing(&mut self, parent: El<'_>, name: &str) {
        self.violations.push(Violation::new(
            ReasonCode::FF02,
            "xsd.required",
            format!("required element {name} is missing"),
            format!("{}/{name}", parent.path()),
        ));
    }

    /// Records a kliring processing rule that the message breaks.
    pub fn rule(&mut self, rule: &'static str, text: impl Into<String>, path: String) {
        self.violations
            .push(Violation::new(ReasonCode::FF02, rule, text, path));
    }

    /// A required child element.
    pub fn req<'a>(&mut self, parent: El<'a>, name: &str) -> Option<El<'a>> {
        let found = parent.child(name);
        if found.is_none() {
            self.missing(parent, name);
        }
        found
    }

    /// Trimmed text of a required child element; empty string if missing (already reported).
    pub fn req_text(&mut self, parent: El<'_>, name: &str) -> String {
        self.req(parent, name)
            .map(|e| e.text().trim().to_owned())
            .unwrap_or_default()
    }

    /// A required amount element (`<X Ccy="EUR">1.00</X>`).
    pub fn req_amount(&mut self, parent: El<'_>, name: &str) -> Option<Amount> {
        let el = self.req(parent, name)?;
        amount_of(el)
    }

    /// A required count such as `NbOfTxs`.
    pub fn req_count(&mut self, parent: El<'_>, name: &str) -> u32 {
        self.req(parent, name)
            .and_then(|e| e.text().trim().parse().ok())
            .unwrap_or(0)
    }

    /// A required agent (`BranchAndFinancialInstitutionIdentification`).
    pub fn req_agent(&mut self, parent: El<'_>, name: &str) -> Agent {
        match self.req(parent, name) {
            Some(el) => self.agent(el),
            None => Agent::default(),
        }
    }

    /// An agent element: reads `FinInstnId`.
    pub fn agent(&mut self, el: El<'_>) -> Agent {
        let Some(fin) = self.req(el, "FinInstnId") else {
            return Agent::default();
        };
        institution(fin)
    }

    /// `NbOfTxs` must equal the number of transactions present (AM18).
    pub fn check_count(&mut self, grp: El<'_>, actual: usize) {
        if let Some(el) = grp.child("NbOfTxs")
            && let Ok(declared) = el.text().trim().parse::<usize>()
            && declared != actual
        {
            self.violations.push(Violation::new(
                ReasonCode::AM18,
                "group.nb_of_txs",
                format!("NbOfTxs says {declared}; the message holds {actual}"),
                el.path(),
            ));
        }
    }

    /// `SttlmInf`.
    pub fn settlement(&mut self, parent: El<'_>) -> Settlement {
        let Some(el) = self.req(parent, "SttlmInf") else {
            return Settlement {
                method: String::new(),
                clearing_system: None,
            };
        };
        let method = self.req_text(el, "SttlmMtd");
        if !method.is_empty() && !SETTLEMENT_METHODS.contains(&method.as_str()) {
            self.rule(
                "xsd.enumeration",
                format!(
                    "SttlmMtd '{}' is not INDA, INGA, COVE or CLRG",
                    clip(&method)
                ),
                format!("{}/SttlmMtd", el.path()),
            );
        }
        Settlement {
            method,
            clearing_system: el
                .at(&["ClrSys", "Cd"])
                .or_else(|| el.at(&["ClrSys", "Prtry"]))
                .map(|e| e.text().trim().to_owned()),
        }
    }
}

/// Trimmed text of an optional child.
pub fn opt(parent: El<'_>, name: &str) -> Option<String> {
    parent.child(name).map(|e| e.text().trim().to_owned())
}

/// Trimmed text at an optional path.
pub fn opt_at(parent: El<'_>, path: &[&str]) -> Option<String> {
    parent.at(path).map(|e| e.text().trim().to_owned())
}

/// The amount of an element with a `Ccy` attribute; `None` if it does not parse (the field
/// rules have already reported why).
pub fn amount_of(el: El<'_>) -> Option<Amount> {
    let currency = Currency::new(el.attr("Ccy")?.trim())?;
    parse_amount(el.text(), currency).ok()
}

/// An optional amount child.
pub fn opt_amount(parent: El<'_>, name: &str) -> Option<Amount> {
    parent.child(name).and_then(amount_of)
}

/// An optional decimal child such as `CtrlSum`.
pub fn opt_decimal(parent: El<'_>, name: &str) -> Option<Decimal> {
    parent
        .child(name)
        .and_then(|e| Decimal::parse(e.text()).ok())
}

/// `FinInstnId` content.
pub fn institution(fin: El<'_>) -> Agent {
    Agent {
        bic: opt(fin, "BICFI").or_else(|| opt(fin, "BIC")),
        member: fin.child("ClrSysMmbId").map(|m| ClearingMember {
            system_code: opt_at(m, &["ClrSysId", "Cd"])
                .or_else(|| opt_at(m, &["ClrSysId", "Prtry"])),
            member_id: opt(m, "MmbId").unwrap_or_default(),
        }),
        lei: opt(fin, "LEI"),
        name: opt(fin, "Nm"),
    }
}

/// An optional agent child.
pub fn opt_agent(parent: El<'_>, name: &str) -> Option<Agent> {
    parent.at(&[name, "FinInstnId"]).map(institution)
}

/// `PstlAdr`.
pub fn address(el: El<'_>) -> PostalAddress {
    PostalAddress {
        department: opt(el, "Dept"),
        street: opt(el, "StrtNm"),
        building_number: opt(el, "BldgNb"),
        post_code: opt(el, "PstCd"),
        town: opt(el, "TwnNm"),
        country_subdivision: opt(el, "CtrySubDvsn"),
        country: opt(el, "Ctry"),
        lines: el
            .children_named("AdrLine")
            .map(|l| l.text().trim().to_owned())
            .collect(),
    }
}

/// A party (`PartyIdentification`), or for pacs.009 an institution (`FinInstnId`).
pub fn party(el: El<'_>) -> Party {
    if let Some(fin) = el.child("FinInstnId") {
        let agent = institution(fin);
        return Party {
            name: agent.name,
            address: fin.child("PstlAdr").map(address),
            country_of_residence: None,
            bic: agent.bic,
            lei: agent.lei,
        };
    }
    Party {
        name: opt(el, "Nm"),
        address: el.child("PstlAdr").map(address),
        country_of_residence: opt(el, "CtryOfRes"),
        bic: opt_at(el, &["Id", "OrgId", "AnyBIC"])
            .or_else(|| opt_at(el, &["Id", "OrgId", "BICOrBEI"])),
        lei: opt_at(el, &["Id", "OrgId", "LEI"]),
    }
}

/// An optional account child (`CashAccount`).
pub fn account(parent: El<'_>, name: &str) -> Option<AccountId> {
    let id = parent.at(&[name, "Id"])?;
    if let Some(iban) = id.child("IBAN") {
        return Some(AccountId::Iban(iban.text().trim().to_owned()));
    }
    let othr = id.child("Othr")?;
    Some(AccountId::Other {
        id: opt(othr, "Id").unwrap_or_default(),
        scheme: opt_at(othr, &["SchmeNm", "Cd"]).or_else(|| opt_at(othr, &["SchmeNm", "Prtry"])),
    })
}

/// The `Orgnl*` references of a transaction element.
pub fn original_ref(el: El<'_>) -> OriginalRef {
    let group = el.child("OrgnlGrpInf");
    OriginalRef {
        msg_id: group.and_then(|g| opt(g, "OrgnlMsgId")),
        msg_name_id: group.and_then(|g| opt(g, "OrgnlMsgNmId")),
        created: group.and_then(|g| opt(g, "OrgnlCreDtTm")),
        instruction_id: opt(el, "OrgnlInstrId"),
        end_to_end_id: opt(el, "OrgnlEndToEndId"),
        tx_id: opt(el, "OrgnlTxId"),
        uetr: opt(el, "OrgnlUETR"),
    }
}

/// A reason block (`StsRsnInf`, `RtrRsnInf`, `CxlRsnInf`).
pub fn reason(el: El<'_>) -> Reason {
    Reason {
        code: opt_at(el, &["Rsn", "Cd"]),
        proprietary: opt_at(el, &["Rsn", "Prtry"]),
        additional_info: el
            .children_named("AddtlInf")
            .map(|a| a.text().trim().to_owned())
            .collect(),
    }
}
