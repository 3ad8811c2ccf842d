//! Identifiers and the obligation record that every algorithm in this crate consumes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A participant of the scheme, as numbered by the hub (sequential ids keep netting dense).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParticipantId(pub u64);

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An ISO 4217 alphabetic currency code: exactly three ASCII capital letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode([u8; 3]);

/// Why a string or byte triple is not a currency code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("currency code must be three ASCII capital letters, got {0:?}")]
pub struct InvalidCurrencyCode(pub String);

impl InvalidCurrencyCode {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        "invalid_currency_code"
    }
}

impl CurrencyCode {
    /// Validates three bytes as a currency code.
    pub fn from_bytes(bytes: [u8; 3]) -> Result<Self, InvalidCurrencyCode> {
        if bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self(bytes))
        } else {
            Err(InvalidCurrencyCode(
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        }
    }

    /// Parses "EUR"-style text.
    pub fn parse(text: &str) -> Result<Self, InvalidCurrencyCode> {
        let bytes: [u8; 3] = text
            .as_bytes()
            .try_into()
            .map_err(|_| InvalidCurrencyCode(text.to_owned()))?;
        Self::from_bytes(bytes)
    }

    /// The three letters.
    pub fn as_str(&self) -> &str {
        // The constructor admits only ASCII capitals, so this cannot fail; the fallback keeps
        // the function total without a panic path.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The raw bytes.
    pub fn bytes(&self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CurrencyCode {
    type Err = InvalidCurrencyCode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CurrencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One amount owed by `debtor` to `creditor` in a single currency (the caller groups by
/// currency), in the currency's minor unit. Typically one committed payment of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Obligation {
    /// The participant that pays.
    pub debtor: ParticipantId,
    /// The participant that receives.
    pub creditor: ParticipantId,
    /// Minor units; must be non-zero.
    pub amount: u128,
}

impl Obligation {
    /// Shorthand used heavily by tables in tests and by callers.
    pub fn new(debtor: u64, creditor: u64, amount: u128) -> Self {
        Self {
            debtor: ParticipantId(debtor),
            creditor: ParticipantId(creditor),
            amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_table() {
        let table: &[(&str, bool)] = &[
            ("EUR", true),
            ("XOF", true),
            ("eur", false),
            ("EU", false),
            ("EURO", false),
            ("E1R", false),
            ("", false),
            ("ÉUR", false),
        ];
        for &(text, ok) in table {
            let parsed = CurrencyCode::parse(text);
            assert_eq!(parsed.is_ok(), ok, "{text:?}");
            if let Ok(code) = parsed {
                assert_eq!(code.to_string(), text);
            }
        }
    }

    #[test]
    fn currency_code_serde_round_trip() {
        let code = CurrencyCode::parse("KES").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"KES\"");
        assert_eq!(serde_json::from_str::<CurrencyCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<CurrencyCode>("\"kes\"").is_err());
    }
}
