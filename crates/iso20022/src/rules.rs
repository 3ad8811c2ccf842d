//! Version-neutral field rules applied to every element of a message by its local name: text
//! lengths, identifier patterns (BIC, IBAN with checksum, UETR, country), dates, currencies and
//! amounts. ISO reuses element names with the same data type across messages and versions, so
//! one table covers them all; where versions differ, the largest limit is used.

use crate::dom::El;
use crate::money::{AmountError, Currency, parse_amount};
use crate::report::{ReasonCode, Violation};

/// Maximum text length per element name (the largest across supported versions).
fn max_length(name: &str) -> Option<usize> {
    Some(match name {
        "MsgId" | "BizMsgIdr" | "InstrId" | "EndToEndId" | "TxId" | "ClrSysRef" | "OrgnlMsgId"
        | "OrgnlMsgNmId" | "OrgnlInstrId" | "OrgnlEndToEndId" | "OrgnlTxId" | "RtrId" | "CxlId"
        | "StsId" | "CxlStsId" | "MmbId" | "AcctSvcrRef" | "PmtInfId" | "NtryRef"
        | "CtrySubDvsn" => 35,
        "Nm" | "Ustrd" | "StrtNm" | "BldgNm" | "TwnNm" => 140,
        "AdrLine" | "Dept" | "SubDept" => 70,
        "BldgNb" | "PstBx" | "PstCd" => 16,
        _ => return None,
    })
}

/// What kind of value a leaf element holds, by its name.
enum Kind {
    Bic,
    Iban,
    Lei,
    Uetr,
    Country,
    Currency,
    Count,
    Other,
}

fn kind(name: &str) -> Kind {
    match name {
        // BICFI, AnyBIC and the 2009 schemas' BIC / BICOrBEI.
        "BICFI" | "AnyBIC" | "BIC" | "BICOrBEI" => Kind::Bic,
        "IBAN" => Kind::Iban,
        "LEI" => Kind::Lei,
        "UETR" | "OrgnlUETR" => Kind::Uetr,
        "Ctry" | "CtryOfRes" | "CtryOfBirth" => Kind::Country,
        "Ccy" | "SrcCcy" | "TrgtCcy" | "UnitCcy" => Kind::Currency,
        "NbOfTxs" => Kind::Count,
        _ => Kind::Other,
    }
}

/// Head.001 creation dates are ISODateTime although they end in `Dt`.
const DATETIME_ELEMENTS: &[&str] = &["CreDt", "BizPrcgDt"];

/// Card validity dates are ISOYearMonth (`YYYY-MM`); the same names are ISODate in tsmt (a
/// payment obligation's expiry, an insurance document's effective date), so both are accepted.
const YEAR_MONTH_ELEMENTS: &[&str] = &["FctvDt", "XpryDt"];

/// tsmt's required-data-set flags end in `Dt` but are booleans ("match the issue date").
const BOOLEAN_DT_ELEMENTS: &[&str] = &["MtchIsseDt", "MtchInspctnDt"];

/// Applies every field rule to `root` and its descendants, appending violations.
///
/// `iban_checksum` enables the ISO 7064 checksum on IBANs. It is a business rule (the schemas
/// check only the pattern) and is applied to messages the hub acts on; published bank samples
/// of statements and initiations carry placeholder IBANs with wrong check digits.
pub fn check_fields(root: El<'_>, iban_checksum: bool, out: &mut Vec<Violation>) {
    for el in root.descendants() {
        if let Some(ccy) = el.attr("Ccy") {
            check_amount(el, ccy, out);
        }
        if el.has_children() {
            continue;
        }
        check_leaf(el, iban_checksum, out);
    }
}

fn check_leaf(el: El<'_>, iban_checksum: bool, out: &mut Vec<Violation>) {
    let name = el.name();
    let text = el.text();
    if let Some(max) = max_length(name) {
        // Characters never outnumber bytes, so counting is needed only for long texts.
        let len = if text.len() <= max {
            text.len()
        } else {
            text.chars().count()
        };
        if len > max {
            out.push(Violation::new(
                ReasonCode::FF02,
                "xsd.maxLength",
                format!("{name} has {len} characters; at most {max} are allowed"),
                el.path(),
            ));
        } else if len == 0 {
            out.push(Violation::new(
                ReasonCode::FF02,
                "xsd.minLength",
                format!("{name} is empty"),
                el.path(),
            ));
        }
    }
    let value = text.trim();
    let (ok, code, rule, what) = match kind(name) {
        Kind::Bic => (
            is_bic(value),
            ReasonCode::RC01,
            "xsd.pattern.bic",
            "a valid BIC",
        ),
        Kind::Iban => (
            is_iban_shaped(value, iban_checksum),
            ReasonCode::AC01,
            "iban.checksum",
            "an IBAN with a valid ISO 13616 checksum",
        ),
        Kind::Lei => (
            is_lei(value),
            ReasonCode::FF02,
            "xsd.pattern.lei",
            "a valid LEI",
        ),
        Kind::Uetr => (
            is_uuid_v4(value),
            ReasonCode::FF02,
            "xsd.pattern.uetr",
            "a lower-case UUIDv4",
        ),
        Kind::Country => (
            is_country(value),
            ReasonCode::FF02,
            "xsd.pattern.country",
            "a two-letter country code",
        ),
        Kind::Currency => (
            Currency::new(value).is_some(),
            ReasonCode::AM03,
            "currency.known",
            "an accepted currency",
        ),
        Kind::Count => (
            is_numeric_text(value, 15),
            ReasonCode::FF02,
            "xsd.pattern.numeric",
            "1 to 15 digits",
        ),
        Kind::Other => {
            check_date(el, name, value, out);
            return;
        }
    };
    if !ok {
        out.push(Violation::new(
            code,
            rule,
            format!("{name} '{}' is not {what}", clip(text)),
            el.path(),
        ));
    }
}

fn check_date(el: El<'_>, name: &str, text: &str, out: &mut Vec<Violation>) {
    let ok = if YEAR_MONTH_ELEMENTS.contains(&name) {
        (text.len() == 7 && is_date(&format!("{text}-01"))) || is_date(text)
    } else if BOOLEAN_DT_ELEMENTS.contains(&name) {
        return;
    } else if name.ends_with("DtTm") || DATETIME_ELEMENTS.contains(&name) {
        is_datetime(text)
    } else if name.ends_with("Dt") {
        // Some `...Dt` elements are date-times (camt `QtnDt`), so either form is accepted.
        is_date(text) || is_datetime(text)
    } else {
        return;
    };
    if !ok {
        out.push(Violation::new(
            ReasonCode::DT01,
            "xsd.date",
            format!("{name} '{}' is not an ISO date/time", clip(text)),
            el.path(),
        ));
    }
}

fn check_amount(el: El<'_>, ccy: &str, out: &mut Vec<Violation>) {
    let Some(currency) = Currency::new(ccy) else {
        out.push(Violation::new(
            ReasonCode::AM03,
            "currency.known",
            format!("currency '{}' is not accepted", clip(ccy)),
            el.path(),
        ));
        return;
    };
    if let Err(e) = parse_amount(el.text(), currency) {
        out.push(amount_violation(el, currency, e));
    }
}

/// The violation for an amount that failed to parse.
pub fn amount_violation(el: El<'_>, currency: Currency, e: AmountError) -> Violation {
    let text = match e {
        AmountError::TooManyDecimals => format!(
            "amount '{}' has more decimals than {currency} allows ({})",
            clip(el.text()),
            currency.exponent()
        ),
        AmountError::Syntax => format!("amount '{}' is not an unsigned decimal", clip(el.text())),
        AmountError::Overflow => format!("amount '{}' is too large", clip(el.text())),
    };
    Violation::new(ReasonCode::AM12, "amount.decimals", text, el.path())
}

/// Shortens user text quoted in a violation so reports stay readable.
pub fn clip(text: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 40;
    if text.chars().count() <= SHOWN_CHARS_MAX {
        text.to_owned()
    } else {
        let head: String = text.chars().take(SHOWN_CHARS_MAX).collect();
        format!("{head}...")
    }
}

/// `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?` (BICFIDec2014Identifier).
pub fn is_bic(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(alnum)
        && b[4..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(alnum)
}

/// `[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?` (BICIdentifier of the 2009-era schemas such
/// as tsmt): stricter than [`is_bic`] in the bank and location codes.
pub fn is_bic_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && (b[6].is_ascii_uppercase() || (b'2'..=b'9').contains(&b[6]))
        && ((b[7].is_ascii_uppercase() && b[7] != b'O') || b[7].is_ascii_digit())
        && b[8..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// IBAN2007Identifier pattern plus the ISO 7064 mod-97 checksum.
pub fn is_iban(s: &str) -> bool {
    is_iban_shaped(s, true)
}

fn is_iban_shaped(s: &str, checksum: bool) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || b.len() > 34 {
        return false;
    }
    if !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..].iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    if !checksum {
        return true;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// LEIIdentifier: `[A-Z0-9]{18}[0-9]{2}`.
pub fn is_lei(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[..18]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[18..].iter().all(u8::is_ascii_digit)
}

/// UUIDv4Identifier: `[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}`.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => hex(c),
        })
}

fn is_country(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|c| c.is_ascii_uppercase())
}

fn is_numeric_text(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|c| c.is_ascii_digit())
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, c| {
        acc.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// XSD date `YYYY-MM-DD` with an optional time-zone suffix.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && valid_ymd(&b[..10]) && valid_tz(&b[10..])
}

/// XSD dateTime `YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm]`.
pub fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 19 || !valid_ymd(&b[..10]) || b[10] != b'T' {
        return false;
    }
    let t = &b[11..19];
    let (Some(h), Some(m), Some(sec)) = (digits(&t[0..2]), digits(&t[3..5]), digits(&t[6..8]))
    else {
        return false;
    };
    if t[2] != b':' || t[5] != b':' || h > 24 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    valid_tz(rest)
}

fn valid_ymd(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..10])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

fn valid_tz(b: &[u8]) -> bool {
    match b {
        [] | [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if *sign == b'+' || *sign == b'-' => {
            matches!((digits(&[*h1, *h2]), digits(&[*m1, *m2])), (Some(h), Some(m)) if h <= 14 && m <= 59)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bics() {
        for ok in ["DEUTDEFF", "DEUTDEFF500", "ABCDGBEFXXX", "WDCIUS3X"] {
            assert!(is_bic(ok), "{ok}");
        }
        for bad in ["DEUTDEF", "deutdeff", "DEUT1EFF", "DEUTDEFF50", ""] {
            assert!(!is_bic(bad), "{bad}");
        }
        for ok in ["ESSESESS", "COLOCOBM", "DEUTDEFF500", "ABCDGB2L"] {
            assert!(is_bic_identifier(ok), "{ok}");
        }
        // Valid BICFI, but not BICIdentifier: digits in the bank code, 0/1 then O in the location.
        for bad in ["1BCDGBEF", "ABCDGB1L", "ABCDGBEO"] {
            assert!(is_bic(bad), "{bad}");
            assert!(!is_bic_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn ibans() {
        assert!(is_iban("GB82WEST12345698765432"));
        assert!(is_iban("FI7433010001222090"));
        assert!(!is_iban("GB82WEST12345698765433"));
        assert!(!is_iban("GB82 WEST"));
        assert!(!is_iban("1234"));
        assert!(is_iban_shaped("LT007180000000000000", false));
        assert!(!is_iban_shaped("IBAN", false));
    }

    #[test]
    fn leis() {
        assert!(is_lei("097900YZ01234567EF25"));
        assert!(!is_lei("097900YZ01234567EF2X"));
        assert!(!is_lei("X"));
    }

    #[test]
    fn uetrs() {
        assert!(is_uuid_v4("8a562c67-ca16-48ba-b074-65581be6f011"));
        assert!(!is_uuid_v4("8A562C67-CA16-48BA-B074-65581BE6F011"));
        assert!(!is_uuid_v4("8a562c67-ca16-38ba-b074-65581be6f011"));
        assert!(!is_uuid_v4("8a562c67ca1648bab07465581be6f011"));
    }

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(is_date("2023-06-04+02:00"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("YYYY-MM-DD"));
        assert!(is_datetime("2021-05-11T11:43:41.960+05:00"));
        assert!(is_datetime("2026-07-03T10:00:00Z"));
        assert!(is_datetime("2009-10-30T21:01:45"));
        assert!(!is_datetime("2009-10-30 21:01:45"));
        assert!(!is_datetime("2009-10-30T25:01:45"));
        assert!(!is_datetime("2009-10-30T21:01:45."));
    }
}
