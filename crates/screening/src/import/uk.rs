//! UK Sanctions List (FCDO) importer, XML format.
//!
//! Since 28 January 2026 this is the single UK list (OFSI's Consolidated List is no longer
//! updated). Structure, data in element text, no namespace: `Designations` → `DateGenerated`
//! (dd/mm/yyyy) and `Designation` records with `UniqueID` (e.g. "AFG0006"), `OFSIGroupID`,
//! `UNReferenceNumber`, `RegimeName`, `IndividualEntityShip` (Individual, Entity, Ship),
//! `Names/Name` (`Name1`..`Name6`, `NameType` = Primary Name / Primary Name Variation / Alias in
//! varying case, `AliasStrength`), `NonLatinNames/NonLatinName/NameNonLatinScript`,
//! `Addresses/Address` (`AddressLine1`..`6`, `AddressPostalCode`, `AddressCountry`),
//! `IndividualDetails/Individual` (`DOBs/DOB` as dd/mm/yyyy with "dd"/"mm" for unknown parts,
//! `Nationalities/Nationality`, `PassportDetails/Passport/PassportNumber`,
//! `NationalIdentifierDetails/NationalIdentifier/NationalIdentifierNumber`) and
//! `ShipDetails/Ship` (`IMONumbers/IMONumber`,
//! `CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip`). Other elements are skipped.

use super::push_unique;
use super::xml::{Node, Scanner};
use crate::error::ImportError;
use crate::model::{
    Alias, AliasQuality, BirthYears, Document, Entry, EntryKind, ImportedList, ListSource,
};

/// Name parts in display order: `Name1`..`Name5` are given and middle names, `Name6` the
/// surname (or an entity's or ship's whole name).
const NAME_PARTS: [&str; 6] = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"];
const ADDRESS_PARTS: [&str; 7] = [
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "AddressLine5",
    "AddressLine6",
    "AddressPostalCode",
];

/// How a `Name` is labelled by the publisher.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameType {
    Primary,
    Variation,
    Alias,
}

struct Name {
    text: String,
    kind: NameType,
    quality: AliasQuality,
}

/// The `Designation` being read.
#[derive(Default)]
struct Record {
    position: u64,
    unique_id: String,
    kind: String,
    names: Vec<Name>,
    non_latin: Vec<String>,
    countries: Vec<String>,
    addresses: Vec<String>,
    birth_years: Vec<BirthYears>,
    documents: Vec<Document>,
    programmes: Vec<String>,
    /// Leaf fields of the `Name` or `Address` being read.
    sub: Vec<(String, String)>,
}

impl Record {
    fn finish_name(&mut self) {
        let parts: Vec<&str> = NAME_PARTS
            .iter()
            .filter_map(|p| super::field(&self.sub, p))
            .collect();
        if parts.is_empty() {
            return;
        }
        let kind = match super::field(&self.sub, "NameType")
            .map(|t| t.to_ascii_lowercase())
            .as_deref()
        {
            Some("primary name") => NameType::Primary,
            Some("primary name variation") => NameType::Variation,
            // "Alias" (in any case) and any label the publisher may add later: still a name the
            // party is known by, so it is screened.
            _ => NameType::Alias,
        };
        let quality = match super::field(&self.sub, "AliasStrength") {
            Some(s) if s.to_ascii_lowercase().contains("low") => AliasQuality::Low,
            _ => AliasQuality::Good,
        };
        self.names.push(Name {
            text: parts.join(" "),
            kind,
            quality,
        });
    }

    fn finish_address(&mut self) {
        let mut parts: Vec<&str> = ADDRESS_PARTS
            .iter()
            .filter_map(|p| super::field(&self.sub, p))
            .collect();
        let country = super::field(&self.sub, "AddressCountry").map(str::to_owned);
        if let Some(country) = &country {
            parts.push(country);
        }
        if !parts.is_empty() {
            let line = parts.join(", ");
            self.addresses.push(line);
        }
        if let Some(country) = country {
            push_unique(&mut self.countries, &country);
        }
    }
}

pub(super) fn parse(
    xml: &[u8],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportedList, ImportError> {
    let mut scanner = Scanner::new(xml, None, progress);
    let mut record: Option<Record> = None;
    let mut entries = Vec::new();
    let mut generated = None;
    loop {
        match scanner.next()? {
            Node::Start {
                name,
                depth,
                position,
                ..
            } => match (depth, name.as_str()) {
                (1, "Designations") => {}
                (1, _) => {
                    return Err(Scanner::structure(
                        position,
                        &name,
                        "root element must be Designations",
                    ));
                }
                (2, "Designation") => {
                    record = Some(Record {
                        position,
                        ..Record::default()
                    });
                }
                (_, "Name" | "Address") => {
                    if let Some(r) = record.as_mut() {
                        r.sub.clear();
                    }
                }
                _ => {}
            },
            Node::End {
                name,
                parent,
                text,
                depth,
                position,
            } => {
                if depth == 2 && name == "DateGenerated" {
                    generated = Some(text);
                } else if depth == 2 && name == "Designation" {
                    if let Some(r) = record.take() {
                        entries.push(finish(r)?);
                    }
                } else if let Some(r) = record.as_mut() {
                    on_end(r, depth, &name, &parent, text)
                        .map_err(|m| Scanner::structure(position, &name, m))?;
                }
            }
            Node::Eof => break,
        }
    }
    super::finished(ListSource::Uk, entries, generated, "UK sanctions list")
}

/// The end of an element inside a `Designation`, located by its name and its parent's.
fn on_end(
    r: &mut Record,
    depth: usize,
    name: &str,
    parent: &str,
    value: String,
) -> Result<(), String> {
    let document = |kind: &str, number: String| Document {
        kind: kind.to_owned(),
        number,
        country: None,
    };
    match (name, parent) {
        ("UniqueID", "Designation") if depth == 3 => r.unique_id = value,
        ("IndividualEntityShip", "Designation") if depth == 3 => r.kind = value,
        ("RegimeName", "Designation") if !value.is_empty() => {
            push_unique(&mut r.programmes, &value);
        }
        ("OFSIGroupID", "Designation") if !value.is_empty() => {
            r.documents.push(document("OFSI Group ID", value));
        }
        ("UNReferenceNumber", "Designation") if !value.is_empty() => {
            r.documents.push(document("UN reference number", value));
        }
        ("Name", "Names") => r.finish_name(),
        ("Address", "Addresses") => r.finish_address(),
        (_, "Name" | "Address") => r.sub.push((name.to_owned(), value)),
        ("NameNonLatinScript", "NonLatinName") if !value.is_empty() => {
            push_unique(&mut r.non_latin, &value);
        }
        ("DOB", "DOBs") if !value.is_empty() => r.birth_years.push(birth_years(&value)?),
        ("Nationality", "Nationalities") | ("CurrentBelievedFlagOfShip", _)
            if !value.is_empty() =>
        {
            push_unique(&mut r.countries, &value);
        }
        ("PassportNumber", "Passport") if !value.is_empty() => {
            r.documents.push(document("Passport", value));
        }
        ("NationalIdentifierNumber", "NationalIdentifier") if !value.is_empty() => {
            r.documents.push(document("National identifier", value));
        }
        ("IMONumber", "IMONumbers") if !value.is_empty() => {
            r.documents.push(document("IMO number", value));
        }
        _ => {}
    }
    Ok(())
}

/// `dd/mm/yyyy`, where the publisher writes an unknown day or month as the letters "dd"/"mm".
fn birth_years(text: &str) -> Result<BirthYears, String> {
    let bad = || format!("date of birth {text:?} is not dd/mm/yyyy");
    let mut parts = text.split('/');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let in_range = |part: &str, placeholder: &str, max: u8| {
        part.eq_ignore_ascii_case(placeholder)
            || (part.len() <= 2 && part.parse::<u8>().is_ok_and(|v| (1..=max).contains(&v)))
    };
    if !in_range(d, "dd", 31) || !in_range(m, "mm", 12) || y.len() != 4 {
        return Err(bad());
    }
    let year = y
        .parse::<u16>()
        .ok()
        .filter(|y| (1800..=2100).contains(y))
        .ok_or_else(bad)?;
    Ok(BirthYears {
        from: year,
        to: year,
        text: text.to_owned(),
    })
}

/// The primary name is the first `Primary Name` (else the first name of any type); variations
/// are good aliases; aliases keep the publisher's strength. The first non-Latin name is the
/// original-script name, further ones are aliases.
fn finish(mut r: Record) -> Result<Entry, ImportError> {
    let fail = |m: &str| Scanner::structure(r.position, "Designation", m);
    if r.unique_id.is_empty() {
        return Err(fail("Designation without UniqueID"));
    }
    let kind = match r.kind.to_ascii_lowercase().as_str() {
        "individual" => EntryKind::Individual,
        "entity" => EntryKind::Entity,
        "ship" => EntryKind::Vessel,
        "" => return Err(fail("Designation without IndividualEntityShip")),
        _ => {
            return Err(fail(&format!(
                "IndividualEntityShip {:?} is not Individual, Entity or Ship",
                r.kind
            )));
        }
    };
    if r.names.is_empty() {
        return Err(fail("Designation without a Name"));
    }
    let primary = r
        .names
        .iter()
        .position(|n| n.kind == NameType::Primary)
        .unwrap_or(0);
    let primary_name = r.names.remove(primary).text;
    let mut aliases: Vec<Alias> = Vec::new();
    for name in r.names {
        if name.text != primary_name && !aliases.iter().any(|a| a.name == name.text) {
            let quality = match name.kind {
                NameType::Alias => name.quality,
                NameType::Primary | NameType::Variation => AliasQuality::Good,
            };
            aliases.push(Alias {
                name: name.text,
                quality,
            });
        }
    }
    let mut non_latin = r.non_latin.into_iter();
    let original_script_name = non_latin.next();
    for name in non_latin {
        aliases.push(Alias {
            name,
            quality: AliasQuality::Good,
        });
    }
    Ok(Entry {
        list: ListSource::Uk,
        reference: r.unique_id,
        kind,
        primary_name,
        aliases,
        original_script_name,
        birth_years: r.birth_years,
        countries: r.countries,
        addresses: r.addresses,
        documents: r.documents,
        programmes: r.programmes,
    })
}
