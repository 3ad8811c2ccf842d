//! List data model: where an entry comes from, what it says about the listed party, and which
//! version of which list it belongs to. Parsers fill these types; the matcher only reads them.

use serde::{Deserialize, Serialize};

/// A sanctions list the hub can load. The UN Security Council list is mandatory for a hub to
/// accept payments; the others are the operator's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListSource {
    /// UN Security Council Consolidated List (XML).
    Un,
    /// US Treasury OFAC Specially Designated Nationals list (CSV set: sdn, alt, add).
    OfacSdn,
    /// EU Financial Sanctions Files consolidated list (XML format 1.1).
    Eu,
    /// UK Sanctions List published by the FCDO (XML).
    Uk,
}

impl ListSource {
    /// Every source, in display order.
    pub const ALL: [ListSource; 4] = [Self::Un, Self::OfacSdn, Self::Eu, Self::Uk];

    /// Stable short name used in file names, JSON and the command line (`un`, `ofac-sdn`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Un => "un",
            Self::OfacSdn => "ofac-sdn",
            Self::Eu => "eu",
            Self::Uk => "uk",
        }
    }

    /// Where the publisher serves the current files, as (file role, URL): `xml` for UN, EU and
    /// UK; `sdn`, `alt`, `add` for OFAC. The EU link carries the public token the Financial
    /// Sanctions Files site puts in its generated download links.
    pub fn official_urls(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Un => &[(
                "xml",
                "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            )],
            Self::OfacSdn => &[
                ("sdn", "https://www.treasury.gov/ofac/downloads/sdn.csv"),
                ("alt", "https://www.treasury.gov/ofac/downloads/alt.csv"),
                ("add", "https://www.treasury.gov/ofac/downloads/add.csv"),
            ],
            Self::Eu => &[(
                "xml",
                "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
            )],
            Self::Uk => &[(
                "xml",
                "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
            )],
        }
    }

    /// Inverse of [`ListSource::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for ListSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of party an entry designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A natural person.
    Individual,
    /// A company, organisation or group.
    Entity,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

/// How reliable the list publisher considers an alias. OFAC "weak" a.k.a.s and UN "Low" quality
/// aliases are `Low`; they still match, but score slightly lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasQuality {
    /// Publisher's "good"/"strong" alias (also a.k.a./f.k.a. without a quality mark).
    Good,
    /// Publisher's "low"/"weak" alias.
    Low,
}

/// One alternative name of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// The alias as published.
    pub name: String,
    /// Publisher's quality mark.
    pub quality: AliasQuality,
}

/// A date of birth as a year range (`from == to` for an exact year). Full dates keep their text in
/// `text`; matching only uses years because lists are imprecise about days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthYears {
    /// First possible year.
    pub from: u16,
    /// Last possible year (inclusive).
    pub to: u16,
    /// The date as published, e.g. "1944-10-13" or "circa 1960".
    pub text: String,
}

/// An identity document listed for an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Document type as published ("Passport", "National Identification Number", ...).
    pub kind: String,
    /// Document number.
    pub number: String,
    /// Issuing country, if given.
    pub country: Option<String>,
}

/// One listed party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The list that designates this party.
    pub list: ListSource,
    /// The publisher's reference (UN "KPi.001", OFAC ent_num "20157", EU "EU.27.28", UK
    /// Unique ID "AFG0006").
    pub reference: String,
    /// Individual, entity, vessel or aircraft.
    pub kind: EntryKind,
    /// The primary name as published (Latin script).
    pub primary_name: String,
    /// Alternative names.
    pub aliases: Vec<Alias>,
    /// The name in its original script (UN `NAME_ORIGINAL_SCRIPT`, the first non-Latin EU
    /// `nameAlias`, the first UK `NameNonLatinScript`), if given.
    pub original_script_name: Option<String>,
    /// Dates of birth (individuals).
    pub birth_years: Vec<BirthYears>,
    /// Nationalities, citizenships and address countries, as published.
    pub countries: Vec<String>,
    /// Addresses as single display lines.
    pub addresses: Vec<String>,
    /// Identity documents.
    pub documents: Vec<Document>,
    /// Sanctions programmes or regimes ("DPRK", "SDGT", ...).
    pub programmes: Vec<String>,
}

impl Entry {
    /// `blake3:` and the hash of everything published about the entry: names, dates,
    /// countries, addresses, documents, programmes. Another list version that leaves the entry
    /// as it was keeps the fingerprint; any amendment of the entry changes it.
    pub fn fingerprint(&self) -> String {
        // Serialising plain strings, numbers and vectors cannot fail; were it to, the empty
        // input still yields a fingerprint no real entry has.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        format!("blake3:{}", blake3::hash(&bytes).to_hex())
    }
}

/// Identifies exactly which list content a screening used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    /// Which list.
    pub source: ListSource,
    /// BLAKE3 hex of the imported bytes (for a multi-file set, of the files' hashes in a fixed
    /// order), so two hubs with the same file agree on the version.
    #[serde(rename = "version")]
    pub content_hash: String,
    /// Number of entries imported.
    pub entries: usize,
    /// Generation date stated inside the file, if it has one (UN `dateGenerated`, EU
    /// `generationDate`, UK `DateGenerated`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub generated: Option<String>,
    /// Free label, e.g. "demo data" for the bundled fixture.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
}

/// A fully parsed list: its version and all its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedList {
    /// Version information.
    pub version: ListVersion,
    /// All entries, in file order.
    pub entries: Vec<Entry>,
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            list: ListSource::Un,
            reference: "KPe.001".into(),
            kind: EntryKind::Entity,
            primary_name: "KOREA MINING DEVELOPMENT TRADING CORPORATION".into(),
            aliases: Vec::new(),
            original_script_name: None,
            birth_years: Vec::new(),
            countries: vec!["Democratic People's Republic of Korea".into()],
            addresses: vec!["Pyongyang".into()],
            documents: Vec::new(),
            programmes: vec!["DPRK".into()],
        }
    }

    #[test]
    fn fingerprint_changes_with_any_amendment_and_only_then() {
        let listed = entry();
        assert_eq!(listed.fingerprint(), entry().fingerprint());
        assert!(listed.fingerprint().starts_with("blake3:"));
        let mut moved = entry();
        moved.addresses.push("Nampo".into());
        assert_ne!(listed.fingerprint(), moved.fingerprint());
        let mut renamed = entry();
        renamed.primary_name.push_str(" (KOMID)");
        assert_ne!(listed.fingerprint(), renamed.fingerprint());
    }
}
