//! Money without floats: ISO 4217 minor-unit exponents, exact decimal parsing into minor units,
//! and canonical decimal rendering for emission.

use serde::Serialize;
use std::fmt;

/// Active ISO 4217 currencies with a minor-unit exponent other than 2.
const EXPONENT_0: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const EXPONENT_3: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const EXPONENT_4: &[&str] = &["CLF", "UYW"];

/// Active ISO 4217 currencies with two minor units, sorted. Precious metals (XAU, XAG, XPT, XPD), SDR,
/// bond-market units and test codes are deliberately absent: they are not settlement currencies
/// for a payment hub, so they are rejected as `AM03`.
const EXPONENT_2: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

/// XSD `ActiveCurrencyAndAmount` allows at most 18 digits (totalDigits), so the digit string
/// must stay below 10^18.
const AMOUNT_DIGITS_LIMIT: u128 = 1_000_000_000_000_000_000;

/// ISO 4217 minor-unit exponent of `code`, or `None` if kliring does not accept the currency.
pub fn currency_exponent(code: &str) -> Option<u8> {
    // EXPONENT_2 is sorted (checked by a test) and by far the largest table.
    if EXPONENT_2.binary_search(&code).is_ok() {
        Some(2)
    } else if EXPONENT_0.contains(&code) {
        Some(0)
    } else if EXPONENT_3.contains(&code) {
        Some(3)
    } else if EXPONENT_4.contains(&code) {
        Some(4)
    } else {
        None
    }
}

/// A three-letter currency code known to the exponent table, with its exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// The currency for `code`, if it is an accepted ISO 4217 code.
    pub fn new(code: &str) -> Option<Self> {
        let exponent = currency_exponent(code)?;
        let code: [u8; 3] = code.as_bytes().try_into().ok()?;
        Some(Self { code, exponent })
    }

    /// The alphabetic code, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        // The bytes came from a `&str` that matched an ASCII table entry.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Number of minor-unit digits (JPY 0, EUR 2, KWD 3).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An amount in a currency's minor units (EUR 12.34 = 1234).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub currency: Currency,
    pub minor_units: u128,
}

impl Amount {
    /// Canonical decimal text with exactly the currency's exponent digits ("591636" RON is
    /// re-emitted as "591636.00"): emission never preserves the sender's lexical form.
    pub fn to_decimal_string(&self) -> String {
        format_minor_units(self.minor_units, self.currency.exponent())
    }
}

/// Why a decimal amount text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not an unsigned XSD decimal, or too many digits.
    Syntax,
    /// Non-zero digits beyond the currency's minor units.
    TooManyDecimals,
    /// Does not fit in u128 minor units.
    Overflow,
}

/// An exact unsigned decimal: `digits / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    pub digits: u128,
    pub scale: u32,
}

impl Decimal {
    /// Parses an unsigned XSD decimal ("12", "12.5", "0.125"); leading/trailing whitespace is
    /// collapsed as the XSD `decimal` type does.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(AmountError::Syntax);
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(AmountError::Syntax);
        }
        let mut digits: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            digits = digits
                .checked_mul(10)
                .and_then(|d| d.checked_add(u128::from(b - b'0')))
                .ok_or(AmountError::Overflow)?;
        }
        let scale = u32::try_from(frac.len()).map_err(|_| AmountError::Overflow)?;
        Ok(Self { digits, scale })
    }

    /// The value scaled to `scale` fraction digits, refusing to drop non-zero digits.
    pub fn rescale(&self, scale: u32) -> Result<u128, AmountError> {
        if scale >= self.scale {
            let factor = 10u128
                .checked_pow(scale - self.scale)
                .ok_or(AmountError::Overflow)?;
            self.digits.checked_mul(factor).ok_or(AmountError::Overflow)
        } else {
            let factor = 10u128
                .checked_pow(self.scale - scale)
                .ok_or(AmountError::Overflow)?;
            if !self.digits.is_multiple_of(factor) {
                return Err(AmountError::TooManyDecimals);
            }
            Ok(self.digits / factor)
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = u8::try_from(self.scale).map_err(|_| fmt::Error)?;
        f.write_str(&format_minor_units(self.digits, exponent))
    }
}

impl Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses an ISO amount text into minor units of `currency`. Extra fraction digits are accepted
/// only when they are zeros (`"79255.00"` JPY is exactly 79255); significant digits beyond the
/// exponent are refused.
pub fn parse_amount(text: &str, currency: Currency) -> Result<Amount, AmountError> {
    let decimal = Decimal::parse(text)?;
    if decimal.digits >= AMOUNT_DIGITS_LIMIT {
        return Err(AmountError::Syntax);
    }
    let minor_units = decimal.rescale(u32::from(currency.exponent()))?;
    Ok(Amount {
        currency,
        minor_units,
    })
}

/// Renders minor units with `exponent` fraction digits ("1234", 2 → "12.34").
pub fn format_minor_units(units: u128, exponent: u8) -> String {
    let text = units.to_string();
    if exponent == 0 {
        return text;
    }
    let exponent = usize::from(exponent);
    let padded = if text.len() <= exponent {
        format!("{}{}", "0".repeat(exponent + 1 - text.len()), text)
    } else {
        text
    };
    let split = padded.len() - exponent;
    format!("{}.{}", &padded[..split], &padded[split..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ccy(code: &str) -> Currency {
        Currency::new(code).expect("known currency")
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(ccy("JPY").exponent(), 0);
        assert_eq!(ccy("EUR").exponent(), 2);
        assert_eq!(ccy("KWD").exponent(), 3);
        assert_eq!(ccy("BHD").exponent(), 3);
        assert!(Currency::new("XAU").is_none());
        assert!(Currency::new("eur").is_none());
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        assert!(EXPONENT_2.windows(2).all(|w| w[0] < w[1]));
        for code in EXPONENT_0.iter().chain(EXPONENT_3).chain(EXPONENT_4) {
            assert!(EXPONENT_2.binary_search(code).is_err(), "{code}");
        }
    }

    #[test]
    fn amounts_parse_exactly() {
        let cases = [
            ("EUR", "2000.00", 200_000),
            ("RON", "591636", 59_163_600),
            ("JPY", "165486600", 165_486_600),
            ("JPY", "79255.00", 79_255),
            ("KWD", "1.005", 1_005),
            ("USD", "0.1", 10),
        ];
        for (code, text, units) in cases {
            let amount = parse_amount(text, ccy(code)).expect(text);
            assert_eq!(amount.minor_units, units, "{code} {text}");
        }
    }

    #[test]
    fn bad_amounts_are_refused() {
        let usd = ccy("USD");
        assert_eq!(
            parse_amount("1.001", usd),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(
            parse_amount("1.5", ccy("JPY")),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(parse_amount("-1.00", usd), Err(AmountError::Syntax));
        assert_eq!(parse_amount("1e3", usd), Err(AmountError::Syntax));
        assert_eq!(parse_amount(".", usd), Err(AmountError::Syntax));
        assert_eq!(parse_amount("", usd), Err(AmountError::Syntax));
        let huge = "9".repeat(40);
        assert!(parse_amount(&huge, usd).is_err());
    }

    #[test]
    fn formatting_uses_the_exponent() {
        assert_eq!(format_minor_units(1234, 2), "12.34");
        assert_eq!(format_minor_units(5, 2), "0.05");
        assert_eq!(format_minor_units(5, 3), "0.005");
        assert_eq!(format_minor_units(79_255, 0), "79255");
        let ron = Amount {
            currency: ccy("RON"),
            minor_units: 59_163_600,
        };
        assert_eq!(ron.to_decimal_string(), "591636.00");
    }

    #[test]
    fn decimals_rescale_without_loss() {
        let d = Decimal::parse("10.50").expect("decimal");
        assert_eq!(d.rescale(2), Ok(1050));
        assert_eq!(d.rescale(1), Ok(105));
        assert_eq!(d.rescale(0), Err(AmountError::TooManyDecimals));
        assert_eq!(d.to_string(), "10.50");
    }
}
