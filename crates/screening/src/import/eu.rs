//! EU Financial Sanctions Files (FSF) consolidated list importer, XML format 1.1.
//!
//! Structure (default namespace `http://eu.europa.ec/fpi/fsd/export`, data in attributes):
//! `export[generationDate]` → `sanctionEntity[logicalId, euReferenceNumber, unitedNationId]` with
//! children `regulation[programme]`, `subjectType[code=person|enterprise]`,
//! `nameAlias[wholeName, firstName, middleName, lastName, nameLanguage, strong]` (optional child
//! `remark`), `citizenship[countryIso2Code, countryDescription]`,
//! `birthdate[birthdate, year, yearRangeFrom, yearRangeTo, circa]`,
//! `address[street, city, zipCode, region, place, countryIso2Code, countryDescription]` and
//! `identification[identificationTypeCode, identificationTypeDescription, number, latinNumber,
//! countryIso2Code]`. Other elements (`regulationSummary`, `publicationUrl`, contact details)
//! are not used for screening and are skipped.

use super::xml::{Node, Scanner, is_non_latin};
use super::{field, push_unique};
use crate::error::ImportError;
use crate::model::{
    Alias, AliasQuality, BirthYears, Document, Entry, EntryKind, ImportedList, ListSource,
};

/// The FSF export namespace; every element of the file must be in it.
pub(crate) const NAMESPACE: &str = "http://eu.europa.ec/fpi/fsd/export";

/// Country code the FSF writes for an unknown country.
const UNKNOWN_COUNTRY_CODE: &str = "00";

/// One `nameAlias` as published.
struct Name {
    text: String,
    quality: AliasQuality,
}

/// The `sanctionEntity` being read.
struct Record {
    reference: String,
    position: u64,
    kind: Option<EntryKind>,
    names: Vec<Name>,
    /// Whether the `nameAlias` being read added a name (its `remark` then applies to it).
    alias_named: bool,
    countries: Vec<String>,
    addresses: Vec<String>,
    birth_years: Vec<BirthYears>,
    documents: Vec<Document>,
    programmes: Vec<String>,
}

pub(super) fn parse(
    xml: &[u8],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportedList, ImportError> {
    let mut scanner = Scanner::new(xml, Some(NAMESPACE), progress);
    let mut record: Option<Record> = None;
    let mut entries = Vec::new();
    let mut generated = None;
    loop {
        match scanner.next()? {
            Node::Start {
                name,
                attributes,
                depth,
                position,
            } => match depth {
                1 if name == "export" => {
                    generated = field(&attributes, "generationDate").map(str::to_owned);
                }
                1 => {
                    return Err(Scanner::structure(
                        position,
                        &name,
                        "root element must be export",
                    ));
                }
                2 if name == "sanctionEntity" => {
                    record = Some(start_record(&attributes, position)?);
                }
                2 => {
                    return Err(Scanner::structure(
                        position,
                        &name,
                        "expected sanctionEntity",
                    ));
                }
                3 => {
                    if let Some(r) = record.as_mut() {
                        on_child(r, &name, &attributes, position)?;
                    }
                }
                _ => {}
            },
            Node::End {
                name,
                parent,
                text,
                depth,
                ..
            } => {
                if depth == 2 {
                    if let Some(r) = record.take() {
                        entries.push(finish(r)?);
                    }
                } else if depth == 4
                    && name == "remark"
                    && parent == "nameAlias"
                    && text.to_ascii_lowercase().contains("low quality")
                    && let Some(last) = record
                        .as_mut()
                        .filter(|r| r.alias_named)
                        .and_then(|r| r.names.last_mut())
                {
                    // The publisher marks weak aliases with a remark "Low quality alias".
                    last.quality = AliasQuality::Low;
                }
            }
            Node::Eof => break,
        }
    }
    super::finished(ListSource::Eu, entries, generated, "EU consolidated list")
}

fn start_record(attributes: &[(String, String)], position: u64) -> Result<Record, ImportError> {
    let logical_id = field(attributes, "logicalId").ok_or_else(|| {
        Scanner::structure(
            position,
            "sanctionEntity",
            "sanctionEntity without logicalId",
        )
    })?;
    // The EU reference number ("EU.27.28") is what the publisher cites; a few entries have none,
    // and then the stable logicalId identifies them.
    let reference = field(attributes, "euReferenceNumber").unwrap_or(logical_id);
    let mut documents = Vec::new();
    if let Some(un) = field(attributes, "unitedNationId") {
        documents.push(Document {
            kind: "UN reference number".into(),
            number: un.to_owned(),
            country: None,
        });
    }
    Ok(Record {
        reference: reference.to_owned(),
        position,
        kind: None,
        names: Vec::new(),
        alias_named: false,
        countries: Vec::new(),
        addresses: Vec::new(),
        birth_years: Vec::new(),
        documents,
        programmes: Vec::new(),
    })
}

/// A child element of `sanctionEntity`.
fn on_child(
    r: &mut Record,
    name: &str,
    attributes: &[(String, String)],
    position: u64,
) -> Result<(), ImportError> {
    let get = |key: &str| field(attributes, key);
    match name {
        "subjectType" => {
            r.kind = Some(match get("code") {
                Some("person") => EntryKind::Individual,
                Some("enterprise") => EntryKind::Entity,
                other => {
                    return Err(Scanner::structure(
                        position,
                        name,
                        format!("subjectType code {other:?} is neither person nor enterprise"),
                    ));
                }
            });
        }
        "nameAlias" => {
            let whole = get("wholeName").map(str::to_owned).or_else(|| {
                let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
                    .into_iter()
                    .filter_map(get)
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            });
            r.alias_named = whole.is_some();
            if let Some(text) = whole {
                let quality = if get("strong") == Some("false") {
                    AliasQuality::Low
                } else {
                    AliasQuality::Good
                };
                r.names.push(Name { text, quality });
            }
        }
        "citizenship" => {
            if let Some(country) = country(attributes) {
                push_unique(&mut r.countries, &country);
            }
        }
        "address" => {
            let parts: Vec<&str> = ["street", "poBox", "city", "zipCode", "region", "place"]
                .into_iter()
                .filter_map(get)
                .chain(get("countryDescription").filter(|d| *d != "UNKNOWN"))
                .collect();
            if !parts.is_empty() {
                r.addresses.push(parts.join(", "));
            }
            if let Some(country) = country(attributes) {
                push_unique(&mut r.countries, &country);
            }
        }
        "birthdate" => {
            if let Some(years) =
                birth_years(attributes).map_err(|m| Scanner::structure(position, name, m))?
            {
                r.birth_years.push(years);
            }
        }
        "identification" => {
            if let Some(number) = get("number").or_else(|| get("latinNumber")) {
                let kind = get("identificationTypeDescription")
                    .or_else(|| get("identificationTypeCode"))
                    .unwrap_or("identification");
                r.documents.push(Document {
                    kind: kind.to_owned(),
                    number: number.to_owned(),
                    country: country(attributes),
                });
            }
        }
        "regulation" => {
            if let Some(programme) = get("programme") {
                push_unique(&mut r.programmes, programme);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The ISO alpha-2 code of a `citizenship`/`address`/`identification`, or the description when
/// the code is missing; `None` for the publisher's "unknown" markers.
fn country(attributes: &[(String, String)]) -> Option<String> {
    match field(attributes, "countryIso2Code") {
        Some(code) if code != UNKNOWN_COUNTRY_CODE => Some(code.to_ascii_uppercase()),
        _ => field(attributes, "countryDescription")
            .filter(|d| *d != "UNKNOWN")
            .map(str::to_owned),
    }
}

/// Years of birth the importer accepts; an open range ends at these.
const YEAR_MIN: u16 = 1800;
const YEAR_MAX: u16 = 2100;

/// A plausible year of birth written as digits.
fn year(text: &str, what: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y))
        .ok_or_else(|| format!("{what} {text:?} is not a year"))
}

/// `birthdate="YYYY-MM-DD"`, else `year`, else `yearRangeFrom`/`yearRangeTo` (either may be
/// absent: "born by 1958" leaves the range open). A value that is present but not a date is an
/// error, not a silently dropped date of birth.
fn birth_years(attributes: &[(String, String)]) -> Result<Option<BirthYears>, String> {
    let get = |key: &str| field(attributes, key);
    let circa = get("circa") == Some("true");
    let (from, to, text) = if let Some(date) = get("birthdate") {
        let y = iso_date_year(date)?;
        (y, y, date.to_owned())
    } else if let Some(y) = get("year") {
        let y = year(y, "year")?;
        (y, y, y.to_string())
    } else {
        let from = get("yearRangeFrom")
            .map(|y| year(y, "yearRangeFrom"))
            .transpose()?;
        let to = get("yearRangeTo")
            .map(|y| year(y, "yearRangeTo"))
            .transpose()?;
        match (from, to) {
            (Some(f), Some(t)) => (f.min(t), f.max(t), format!("{f}-{t}")),
            // An open end stays open: born 1958 or later must match a 1965 birth year.
            (Some(f), None) => (f, YEAR_MAX, format!("{f} or later")),
            (None, Some(t)) => (YEAR_MIN, t, format!("{t} or earlier")),
            (None, None) => return Ok(None),
        }
    };
    let text = if circa { format!("circa {text}") } else { text };
    Ok(Some(BirthYears { from, to, text }))
}

/// The year of an ISO date `YYYY-MM-DD` with a valid month and day.
fn iso_date_year(date: &str) -> Result<u16, String> {
    let bad = || format!("birthdate {date:?} is not a YYYY-MM-DD date");
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    if y.len() != 4
        || m.len() != 2
        || d.len() != 2
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return Err(bad());
    }
    year(y, "birthdate year").map_err(|_| bad())
}

/// The primary name is the first Latin-script `nameAlias` (the FSF lists the regulation's
/// spelling first and translations after it); the first non-Latin one is the original-script
/// name; the rest are aliases.
fn finish(r: Record) -> Result<Entry, ImportError> {
    let kind = r.kind.ok_or_else(|| {
        Scanner::structure(
            r.position,
            "sanctionEntity",
            "sanctionEntity without subjectType",
        )
    })?;
    if r.names.is_empty() {
        return Err(Scanner::structure(
            r.position,
            "sanctionEntity",
            "sanctionEntity without a named nameAlias",
        ));
    }
    let primary = r
        .names
        .iter()
        .position(|n| !is_non_latin(&n.text))
        .unwrap_or(0);
    let original = r
        .names
        .iter()
        .enumerate()
        .position(|(i, n)| i != primary && is_non_latin(&n.text));
    let primary_name = r.names[primary].text.clone();
    let original_script_name = original.map(|i| r.names[i].text.clone());
    let mut aliases: Vec<Alias> = Vec::new();
    for (i, name) in r.names.into_iter().enumerate() {
        let duplicate = name.text == primary_name
            || original_script_name.as_deref() == Some(name.text.as_str())
            || aliases.iter().any(|a| a.name == name.text);
        if i != primary && Some(i) != original && !duplicate {
            aliases.push(Alias {
                name: name.text,
                quality: name.quality,
            });
        }
    }
    Ok(Entry {
        list: ListSource::Eu,
        reference: r.reference,
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
