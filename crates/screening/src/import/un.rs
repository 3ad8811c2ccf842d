//! UN Security Council Consolidated List (XML) importer, streaming with quick-xml.
//!
//! Structure: `CONSOLIDATED_LIST` → `INDIVIDUALS`/`ENTITIES` → `INDIVIDUAL`/`ENTITY` records with
//! `FIRST_NAME`..`FOURTH_NAME`, `REFERENCE_NUMBER`, `UN_LIST_TYPE`, `NAME_ORIGINAL_SCRIPT`,
//! `NATIONALITY/VALUE`, `*_ALIAS` (`QUALITY`, `ALIAS_NAME`), `*_ADDRESS`, `*_DATE_OF_BIRTH`,
//! `*_DOCUMENT`. Elements not used for screening are skipped.

use std::io::BufReader;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::progress::ProgressReader;
use crate::error::ImportError;
use crate::model::{
    Alias, AliasQuality, BirthYears, Document, Entry, EntryKind, ImportedList, ListSource,
};

/// Element nesting deeper than this is not the UN format; refusing it bounds memory.
const DEPTH_MAX: usize = 16;
/// Text content longer than this in one element is not the UN format.
const TEXT_BYTES_MAX: usize = 1 << 20;

/// Fields collected for the record being read.
#[derive(Default)]
struct Record {
    names: [String; 4],
    reference: String,
    programme: String,
    original_script: String,
    aliases: Vec<Alias>,
    countries: Vec<String>,
    addresses: Vec<String>,
    birth_years: Vec<BirthYears>,
    documents: Vec<Document>,
    /// Sub-record being read (alias, address, date of birth or document): its leaf fields.
    sub: Vec<(String, String)>,
}

impl Record {
    fn finish_alias(&mut self) {
        let Some(name) = super::field(&self.sub, "ALIAS_NAME").map(str::to_owned) else {
            return;
        };
        let quality = match super::field(&self.sub, "QUALITY") {
            Some(q) if q.eq_ignore_ascii_case("low") => AliasQuality::Low,
            _ => AliasQuality::Good,
        };
        self.aliases.push(Alias { name, quality });
    }

    fn finish_address(&mut self) {
        let parts: Vec<String> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"]
            .iter()
            .filter_map(|k| super::field(&self.sub, k).map(str::to_owned))
            .collect();
        if let Some(country) = super::field(&self.sub, "COUNTRY").map(str::to_owned) {
            super::push_unique(&mut self.countries, &country);
        }
        if !parts.is_empty() {
            self.addresses.push(parts.join(", "));
        }
    }

    fn finish_birth(&mut self) {
        let year = |k: &str| super::field(&self.sub, k).and_then(parse_year);
        let date = super::field(&self.sub, "DATE");
        let kind = super::field(&self.sub, "TYPE_OF_DATE").unwrap_or("EXACT");
        let (from, to, text) = if let (Some(f), Some(t)) = (year("FROM_YEAR"), year("TO_YEAR")) {
            (f, t, format!("{f}-{t}"))
        } else if let Some(d) = date.and_then(|d| parse_year(d).map(|y| (y, d))) {
            (d.0, d.0, d.1.to_owned())
        } else if let Some(y) = year("YEAR") {
            (y, y, y.to_string())
        } else {
            return;
        };
        let text = if kind.eq_ignore_ascii_case("APPROXIMATELY") {
            format!("approximately {text}")
        } else {
            text
        };
        self.birth_years.push(BirthYears {
            from: from.min(to),
            to: from.max(to),
            text,
        });
    }

    fn finish_document(&mut self) {
        let Some(number) = super::field(&self.sub, "NUMBER").map(str::to_owned) else {
            return;
        };
        let kind = super::field(&self.sub, "TYPE_OF_DOCUMENT")
            .unwrap_or("document")
            .to_owned();
        let country = super::field(&self.sub, "ISSUING_COUNTRY")
            .or_else(|| super::field(&self.sub, "COUNTRY_OF_ISSUE"))
            .map(str::to_owned);
        self.documents.push(Document {
            kind,
            number,
            country,
        });
    }
}

/// First four characters as a plausible birth year.
fn parse_year(text: &str) -> Option<u16> {
    let year: u16 = text.get(..4)?.parse().ok()?;
    (1800..=2100).contains(&year).then_some(year)
}

pub(super) fn parse(
    xml: &[u8],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportedList, ImportError> {
    let total = u64::try_from(xml.len()).unwrap_or(u64::MAX);
    let source = ProgressReader::new(xml, 0, total, progress);
    let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, source));
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut record: Option<(EntryKind, Record)> = None;
    let mut entries = Vec::new();
    let mut generated = None;
    let mut buf = Vec::new();

    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| ImportError::XmlSyntax {
                position: reader.error_position(),
                element: stack.last().cloned().unwrap_or_else(|| "document".into()),
                message: e.to_string(),
            })?;
        let structure = |element: &str, message: &str| ImportError::XmlStructure {
            position,
            element: element.to_owned(),
            message: message.to_owned(),
        };
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if stack.len() >= DEPTH_MAX {
                    return Err(structure(&name, "elements nested too deeply"));
                }
                if stack.is_empty() {
                    if name != "CONSOLIDATED_LIST" {
                        return Err(structure(&name, "root element must be CONSOLIDATED_LIST"));
                    }
                    generated = start
                        .try_get_attribute("dateGenerated")
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()));
                }
                if stack.len() == 2 {
                    let kind = match name.as_str() {
                        "INDIVIDUAL" => EntryKind::Individual,
                        "ENTITY" => EntryKind::Entity,
                        _ => return Err(structure(&name, "expected INDIVIDUAL or ENTITY")),
                    };
                    record = Some((kind, Record::default()));
                }
                if stack.len() == 3 {
                    // A new child of the record starts: forget the previous sub-record's fields.
                    if let Some((_, r)) = record.as_mut() {
                        r.sub.clear();
                    }
                }
                stack.push(name);
                text.clear();
            }
            Event::Empty(e) => {
                // An empty section (`<ENTITIES/>`) is fine; an empty root or record is not.
                let problem = match stack.len() {
                    0 => Some("root element must be CONSOLIDATED_LIST with content"),
                    2 => Some("empty record"),
                    _ => None,
                };
                if let Some(problem) = problem {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    return Err(structure(&name, problem));
                }
                text.clear();
            }
            Event::Text(t) => {
                let decoded = t.xml_content().map_err(|e| ImportError::XmlSyntax {
                    position,
                    element: stack.last().cloned().unwrap_or_else(|| "document".into()),
                    message: e.to_string(),
                })?;
                append_text(&mut text, &decoded, &stack, position)?;
            }
            Event::CData(t) => {
                let decoded = String::from_utf8_lossy(&t).into_owned();
                append_text(&mut text, &decoded, &stack, position)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = String::from_utf8_lossy(&r).into_owned();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| structure(&name, "unknown entity reference"))?
                            .to_owned()
                    }
                };
                append_text(&mut text, &resolved, &stack, position)?;
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err(structure("document", "closing tag without opening tag"));
                };
                let value = text.trim().to_owned();
                text.clear();
                if stack.len() == 2 {
                    if let Some((kind, r)) = record.take() {
                        entries.push(finish_record(kind, r).map_err(|m| structure(&name, m))?);
                    }
                } else if let Some((_, r)) = record.as_mut() {
                    on_record_end(r, &stack, &name, value);
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(ImportError::XmlTruncated {
                        position: reader.buffer_position(),
                        element: open.clone(),
                    });
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    super::finished(ListSource::Un, entries, generated, "UN consolidated list")
}

fn append_text(
    text: &mut String,
    piece: &str,
    stack: &[String],
    position: u64,
) -> Result<(), ImportError> {
    if text.len().saturating_add(piece.len()) > TEXT_BYTES_MAX {
        return Err(ImportError::XmlStructure {
            position,
            element: stack.last().cloned().unwrap_or_else(|| "document".into()),
            message: format!("text longer than {TEXT_BYTES_MAX} bytes"),
        });
    }
    text.push_str(piece);
    Ok(())
}

/// Handles the end of an element inside a record; `stack` no longer contains `name`.
fn on_record_end(r: &mut Record, stack: &[String], name: &str, value: String) {
    // stack: [CONSOLIDATED_LIST, INDIVIDUALS, INDIVIDUAL, ...]
    let parent = stack.last().map(String::as_str).unwrap_or("");
    match (stack.len(), name) {
        (3, "FIRST_NAME") => r.names[0] = value,
        (3, "SECOND_NAME") => r.names[1] = value,
        (3, "THIRD_NAME") => r.names[2] = value,
        (3, "FOURTH_NAME") => r.names[3] = value,
        (3, "REFERENCE_NUMBER") => r.reference = value,
        (3, "UN_LIST_TYPE") => r.programme = value,
        (3, "NAME_ORIGINAL_SCRIPT") => r.original_script = value,
        (3, n) if n.ends_with("_ALIAS") => r.finish_alias(),
        (3, n) if n.ends_with("_ADDRESS") => r.finish_address(),
        (3, n) if n.ends_with("_DATE_OF_BIRTH") => r.finish_birth(),
        (3, n) if n.ends_with("_DOCUMENT") => r.finish_document(),
        (4, "VALUE") if parent == "NATIONALITY" && !value.is_empty() => {
            super::push_unique(&mut r.countries, &value);
        }
        (4, _) => r.sub.push((name.to_owned(), value)),
        _ => {}
    }
}

fn finish_record(kind: EntryKind, r: Record) -> Result<Entry, &'static str> {
    if r.reference.is_empty() {
        return Err("record without REFERENCE_NUMBER");
    }
    let primary_name = r
        .names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if primary_name.is_empty() {
        return Err("record without FIRST_NAME");
    }
    let programmes = if r.programme.is_empty() {
        Vec::new()
    } else {
        vec![r.programme]
    };
    Ok(Entry {
        list: ListSource::Un,
        reference: r.reference,
        kind,
        primary_name,
        aliases: r.aliases,
        original_script_name: (!r.original_script.is_empty()).then_some(r.original_script),
        birth_years: r.birth_years,
        countries: r.countries,
        addresses: r.addresses,
        documents: r.documents,
        programmes,
    })
}
