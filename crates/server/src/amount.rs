//! Decimal amount strings on the wire ⇄ integer minor units in the hub.
//!
//! The API never uses floating point for money: amounts travel as decimal strings ("1234.56")
//! and are parsed digit by digit into `u128` minor units with checked arithmetic. A string with
//! more fraction digits than the currency's ISO 4217 exponent is refused, even when the extra
//! digits are zeros ("100.00" for JPY), so that a client's rounding bug is never silently
//! accepted.

use crate::error::{ApiError, Code};

/// Parses a positive decimal amount for a currency with `exponent` minor-unit digits.
///
/// `field` names the JSON field in the error, so the client knows which input was wrong.
pub fn parse_amount(text: &str, exponent: u8, field: &str) -> Result<u128, ApiError> {
    let minor = parse_limit(text, exponent, field)?;
    if minor == 0 {
        return Err(ApiError::invalid(
            Code::AmountNotPositive,
            field,
            format!("amount {text:?} is zero; amounts must be positive"),
        ));
    }
    Ok(minor)
}

/// Parses a non-negative decimal limit (a net debit cap may be zero) like [`parse_amount`].
pub fn parse_limit(text: &str, exponent: u8, field: &str) -> Result<u128, ApiError> {
    let invalid = |code: Code, message: String| ApiError::invalid(code, field, message);
    if let Some(rest) = text.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return Err(invalid(
            Code::AmountNegative,
            format!("amount {text:?} is negative; amounts must be positive"),
        ));
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(whole) || fraction.is_some_and(|f| !digits_only(f)) {
        return Err(invalid(
            Code::AmountNotNumeric,
            format!("amount {text:?} is not a decimal number like \"1234.56\""),
        ));
    }
    let fraction = fraction.unwrap_or("");
    let fraction_len = u8::try_from(fraction.len()).unwrap_or(u8::MAX);
    if fraction_len > exponent {
        return Err(invalid(
            Code::AmountTooManyDecimals,
            format!(
                "amount {text:?} has {} decimals; the currency allows {exponent}",
                fraction.len()
            ),
        ));
    }
    let too_large = || {
        invalid(
            Code::AmountTooLarge,
            format!("amount {text:?} is too large"),
        )
    };
    let mut minor: u128 = 0;
    for byte in whole.bytes().chain(fraction.bytes()) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(byte - b'0')))
            .ok_or_else(too_large)?;
    }
    // Scale up the digits the client left out: "12.5" in a 2-decimal currency is 1250.
    let scale = 10u128
        .checked_pow(u32::from(exponent - fraction_len))
        .ok_or_else(too_large)?;
    minor.checked_mul(scale).ok_or_else(too_large)
}

/// Minor units stated in `from` fraction digits (an ISO 20022 amount in its ISO 4217 exponent)
/// as minor units of a currency with `to` digits: more decimals than the currency has are
/// refused like [`parse_amount`] refuses them (`amount_too_many_decimals`), never rounded.
pub fn rescale(units: u128, from: u8, to: u8, field: &str) -> Result<u128, ApiError> {
    let too_large = || ApiError::invalid(Code::AmountTooLarge, field, "the amount is too large");
    let minor = if from > to {
        let divisor = 10u128
            .checked_pow(u32::from(from - to))
            .ok_or_else(too_large)?;
        if !units.is_multiple_of(divisor) {
            return Err(ApiError::invalid(
                Code::AmountTooManyDecimals,
                field,
                format!("the amount has {from} decimals; the currency allows {to}"),
            ));
        }
        units / divisor
    } else {
        10u128
            .checked_pow(u32::from(to - from))
            .and_then(|scale| units.checked_mul(scale))
            .ok_or_else(too_large)?
    };
    if minor == 0 {
        return Err(ApiError::invalid(
            Code::AmountNotPositive,
            field,
            "the amount is zero; amounts must be positive",
        ));
    }
    Ok(minor)
}

/// Formats minor units as a decimal string with exactly `exponent` fraction digits.
pub fn format_amount(minor: u128, exponent: u8) -> String {
    let digits = minor.to_string();
    let exponent = usize::from(exponent);
    if exponent == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = exponent + 1);
    let split = padded.len() - exponent;
    format!("{}.{}", &padded[..split], &padded[split..])
}

/// Formats a signed balance (positions can be negative) like [`format_amount`].
pub fn format_signed(minor: i128, exponent: u8) -> String {
    let text = format_amount(minor.unsigned_abs(), exponent);
    if minor < 0 { format!("-{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str, exponent: u8) -> &'static str {
        match parse_amount(text, exponent, "amount") {
            Ok(_) => "ok",
            Err(ApiError::Refused { code, .. }) => code.as_str(),
            Err(_) => "other",
        }
    }

    #[test]
    fn parses_within_exponent() {
        let table: &[(&str, u8, u128)] = &[
            ("1234.56", 2, 123_456),
            ("12.5", 2, 1_250),
            ("12", 2, 1_200),
            ("0.01", 2, 1),
            ("007", 0, 7),
            ("1.234", 3, 1_234),
            ("340282366920938463463374607431768211455", 0, u128::MAX),
        ];
        for &(text, exponent, minor) in table {
            assert_eq!(
                parse_amount(text, exponent, "amount").ok(),
                Some(minor),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_bad_amounts_with_specific_codes() {
        let table: &[(&str, u8, &str)] = &[
            ("1.234", 2, "amount_too_many_decimals"),
            ("100.00", 0, "amount_too_many_decimals"),
            ("-5.00", 2, "amount_negative"),
            ("0", 2, "amount_not_positive"),
            ("0.00", 2, "amount_not_positive"),
            ("", 2, "amount_not_numeric"),
            ("abc", 2, "amount_not_numeric"),
            ("1e5", 2, "amount_not_numeric"),
            ("12.", 2, "amount_not_numeric"),
            (".5", 2, "amount_not_numeric"),
            ("+5", 2, "amount_not_numeric"),
            ("1,000.00", 2, "amount_not_numeric"),
            (" 5", 2, "amount_not_numeric"),
            ("٣", 2, "amount_not_numeric"),
            (
                "340282366920938463463374607431768211456",
                0,
                "amount_too_large",
            ),
            (
                "340282366920938463463374607431768211455",
                1,
                "amount_too_large",
            ),
        ];
        for &(text, exponent, expected) in table {
            assert_eq!(code(text, exponent), expected, "{text:?} exp {exponent}");
        }
    }

    #[test]
    fn rescales_without_rounding() {
        let code = |r: Result<u128, ApiError>| r.map_err(|e| e.code());
        assert_eq!(code(rescale(12_345, 2, 2, "amount")), Ok(12_345));
        assert_eq!(code(rescale(12_300, 2, 0, "amount")), Ok(123));
        assert_eq!(code(rescale(5, 0, 2, "amount")), Ok(500));
        assert_eq!(
            code(rescale(12_345, 2, 0, "amount")),
            Err("amount_too_many_decimals")
        );
        assert_eq!(code(rescale(0, 2, 2, "amount")), Err("amount_not_positive"));
        assert_eq!(
            code(rescale(u128::MAX, 0, 2, "amount")),
            Err("amount_too_large")
        );
    }

    #[test]
    fn limits_may_be_zero() {
        assert_eq!(parse_limit("0", 2, "cap").ok(), Some(0));
        assert_eq!(parse_limit("0.00", 2, "cap").ok(), Some(0));
        assert_eq!(parse_limit("10.5", 2, "cap").ok(), Some(1_050));
        assert!(parse_limit("-1", 2, "cap").is_err());
        assert!(parse_limit("0.001", 2, "cap").is_err());
    }

    #[test]
    fn formats_and_round_trips() {
        assert_eq!(format_amount(123_456, 2), "1234.56");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(0, 3), "0.000");
        assert_eq!(format_amount(42, 0), "42");
        assert_eq!(format_signed(-5, 2), "-0.05");
        assert_eq!(format_signed(1_000, 2), "10.00");
        for (minor, exponent) in [(1u128, 2u8), (99, 3), (123_456_789, 4), (u128::MAX, 0)] {
            let text = format_amount(minor, exponent);
            assert_eq!(parse_amount(&text, exponent, "amount").ok(), Some(minor));
        }
    }
}
