//! The XML writer wrapper and the components every emitted message shares: agents, parties,
//! postal addresses, accounts, amounts, and the field checks that keep output schema-valid.

use super::EmitError;
use crate::catalog::ISO_NS_PREFIX;
use crate::model::{AccountId, Agent, Party, PostalAddress};
use crate::money::Amount;
use crate::rules::{is_bic, is_date, is_datetime, is_iban, is_lei, is_uuid_v4};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// An indented document writer.
pub struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    /// Starts `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{name}">`.
    pub fn document(name: &str) -> Result<Self, EmitError> {
        let mut xml = Self {
            w: Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        xml.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let ns = format!("{ISO_NS_PREFIX}{name}");
        let start = BytesStart::new("Document").with_attributes([("xmlns", ns.as_str())]);
        xml.event(Event::Start(start))?;
        Ok(xml)
    }

    fn event(&mut self, e: Event<'_>) -> Result<(), EmitError> {
        self.w
            .write_event(e)
            .map_err(|e| EmitError::Writer(e.to_string()))
    }

    pub fn open(&mut self, name: &str) -> Result<(), EmitError> {
        self.event(Event::Start(BytesStart::new(name)))
    }

    pub fn close(&mut self, name: &str) -> Result<(), EmitError> {
        self.event(Event::End(BytesEnd::new(name)))
    }

    /// `<name>text</name>`, escaped.
    pub fn leaf(&mut self, name: &str, text: &str) -> Result<(), EmitError> {
        self.open(name)?;
        self.event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    pub fn opt_leaf(&mut self, name: &str, text: Option<&str>) -> Result<(), EmitError> {
        match text {
            Some(t) => self.leaf(name, t),
            None => Ok(()),
        }
    }

    /// `<name Ccy="EUR">12.34</name>`.
    pub fn amount(&mut self, name: &str, amount: &Amount) -> Result<(), EmitError> {
        let start = BytesStart::new(name).with_attributes([("Ccy", amount.currency.as_str())]);
        self.event(Event::Start(start))?;
        self.event(Event::Text(BytesText::new(&amount.to_decimal_string())))?;
        self.close(name)
    }

    /// Closes `Document` and returns the bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, EmitError> {
        self.close("Document")?;
        let mut bytes = self.w.into_inner();
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// `<name><FinInstnId>...</FinInstnId></name>` (BranchAndFinancialInstitutionIdentification).
    pub fn agent(&mut self, name: &'static str, agent: &Agent) -> Result<(), EmitError> {
        if agent.bic.is_none()
            && agent.member.is_none()
            && agent.lei.is_none()
            && agent.name.is_none()
        {
            return Err(invalid(name, "agent has no identification"));
        }
        if let Some(bic) = &agent.bic
            && !is_bic(bic)
        {
            return Err(invalid(name, format!("'{bic}' is not a BIC")));
        }
        self.open(name)?;
        self.open("FinInstnId")?;
        self.opt_leaf("BICFI", agent.bic.as_deref())?;
        if let Some(m) = &agent.member {
            check_len(name, &m.member_id, 35)?;
            self.open("ClrSysMmbId")?;
            if let Some(code) = &m.system_code {
                check_len(name, code, 5)?;
                self.open("ClrSysId")?;
                self.leaf("Cd", code)?;
                self.close("ClrSysId")?;
            }
            self.leaf("MmbId", &m.member_id)?;
            self.close("ClrSysMmbId")?;
        }
        if let Some(lei) = &agent.lei {
            check_lei(name, lei)?;
            self.leaf("LEI", lei)?;
        }
        if let Some(n) = &agent.name {
            check_len(name, n, 140)?;
            self.leaf("Nm", n)?;
        }
        self.close("FinInstnId")?;
        self.close(name)
    }

    pub fn opt_agent(
        &mut self,
        name: &'static str,
        agent: Option<&Agent>,
    ) -> Result<(), EmitError> {
        match agent {
            Some(a) => self.agent(name, a),
            None => Ok(()),
        }
    }

    /// `PostalAddress24`/`27` subset in schema order.
    pub fn address(&mut self, a: &PostalAddress) -> Result<(), EmitError> {
        let fields = [
            ("Dept", &a.department, 70),
            ("StrtNm", &a.street, 70),
            ("BldgNb", &a.building_number, 16),
            ("PstCd", &a.post_code, 16),
            ("TwnNm", &a.town, 35),
            ("CtrySubDvsn", &a.country_subdivision, 35),
            ("Ctry", &a.country, 2),
        ];
        const ADDRESS_LINES_MAX: usize = 7;
        if a.lines.len() > ADDRESS_LINES_MAX {
            return Err(invalid("AdrLine", "more than 7 address lines"));
        }
        self.open("PstlAdr")?;
        for (name, value, max) in fields {
            if let Some(v) = value {
                check_len(name, v, max)?;
                self.leaf(name, v)?;
            }
        }
        for line in &a.lines {
            check_len("AdrLine", line, 70)?;
            self.leaf("AdrLine", line)?;
        }
        self.close("PstlAdr")
    }

    /// `PartyIdentification135`/`272`: Nm, PstlAdr, Id/OrgId (AnyBIC, LEI), CtryOfRes.
    pub fn party(&mut self, name: &'static str, p: &Party) -> Result<(), EmitError> {
        self.open(name)?;
        if let Some(n) = &p.name {
            check_len(name, n, 140)?;
            self.leaf("Nm", n)?;
        }
        if let Some(a) = &p.address {
            self.address(a)?;
        }
        if p.bic.is_some() || p.lei.is_some() {
            if let Some(bic) = &p.bic
                && !is_bic(bic)
            {
                return Err(invalid(name, format!("'{bic}' is not a BIC")));
            }
            self.open("Id")?;
            self.open("OrgId")?;
            self.opt_leaf("AnyBIC", p.bic.as_deref())?;
            if let Some(lei) = &p.lei {
                check_lei(name, lei)?;
                self.leaf("LEI", lei)?;
            }
            self.close("OrgId")?;
            self.close("Id")?;
        }
        self.opt_leaf("CtryOfRes", p.country_of_residence.as_deref())?;
        self.close(name)
    }

    /// `<name><Id>IBAN|Othr</Id></name>` (CashAccount).
    pub fn account(&mut self, name: &str, id: &AccountId) -> Result<(), EmitError> {
        self.open(name)?;
        self.account_id(id)?;
        self.close(name)
    }

    /// `<Id>IBAN|Othr</Id>`.
    pub fn account_id(&mut self, id: &AccountId) -> Result<(), EmitError> {
        self.open("Id")?;
        match id {
            AccountId::Iban(iban) => {
                if !is_iban(iban) {
                    return Err(invalid("IBAN", format!("'{iban}' is not a valid IBAN")));
                }
                self.leaf("IBAN", iban)?;
            }
            AccountId::Other { id, scheme } => {
                check_len("Othr/Id", id, 34)?;
                self.open("Othr")?;
                self.leaf("Id", id)?;
                if let Some(s) = scheme {
                    check_len("SchmeNm/Cd", s, 4)?;
                    self.open("SchmeNm")?;
                    self.leaf("Cd", s)?;
                    self.close("SchmeNm")?;
                }
                self.close("Othr")?;
            }
        }
        self.close("Id")
    }
}

pub fn invalid(field: &'static str, reason: impl Into<String>) -> EmitError {
    EmitError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Non-empty and at most `max` characters.
pub fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), EmitError> {
    let n = text.chars().count();
    if n == 0 || n > max {
        return Err(invalid(field, format!("length {n} is outside 1..={max}")));
    }
    Ok(())
}

/// A required Max35Text identifier.
pub fn check_id(field: &'static str, text: &str) -> Result<(), EmitError> {
    check_len(field, text, 35)
}

pub fn check_datetime(field: &'static str, text: &str) -> Result<(), EmitError> {
    if is_datetime(text) {
        Ok(())
    } else {
        Err(invalid(field, format!("'{text}' is not an ISODateTime")))
    }
}

pub fn check_date(field: &'static str, text: &str) -> Result<(), EmitError> {
    if is_date(text) {
        Ok(())
    } else {
        Err(invalid(field, format!("'{text}' is not an ISODate")))
    }
}

fn check_lei(field: &'static str, lei: &str) -> Result<(), EmitError> {
    if is_lei(lei) {
        Ok(())
    } else {
        Err(invalid(field, format!("'{lei}' is not an LEI")))
    }
}

pub fn check_uetr(text: &str) -> Result<(), EmitError> {
    if is_uuid_v4(text) {
        Ok(())
    } else {
        Err(invalid("UETR", format!("'{text}' is not a UUIDv4")))
    }
}
