//! OFAC SDN CSV set importer (`sdn.csv`, optional `alt.csv` and `add.csv`).
//!
//! Format quirks handled: no header row, CRLF line ends, `-0- ` as null, a DOS end-of-file byte
//! (0x1A) after the last line, programmes written as `SDGT] [SYRIA`, and secondary data (weak
//! a.k.a.s, dates of birth, nationality, passports) inside the free-text Remarks column.

use std::collections::HashMap;

use super::progress::ProgressReader;
use crate::error::ImportError;
use crate::model::{
    Alias, AliasQuality, BirthYears, Document, Entry, EntryKind, ImportedList, ListSource,
};

const SDN_FIELDS: usize = 12;
const ALT_FIELDS: usize = 5;
const ADD_FIELDS: usize = 6;

/// Strips the DOS EOF byte OFAC appends, and checks the file ends with a complete line: a file
/// cut short mid-line must be rejected, not read as a shorter list.
fn body<'a>(file: &'static str, bytes: &'a [u8]) -> Result<&'a [u8], ImportError> {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == 0x1A {
        end -= 1;
    }
    let body = &bytes[..end];
    if !body.is_empty() && !body.ends_with(b"\n") {
        let line = u64::try_from(body.iter().filter(|&&b| b == b'\n').count())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        return Err(ImportError::Csv {
            file,
            line,
            message: "file ends in the middle of a line (truncated?)".into(),
        });
    }
    Ok(body)
}

/// OFAC's null marker is `-0-` (with a trailing space); empty fields are also null.
fn field(record: &csv::StringRecord, i: usize) -> Option<&str> {
    let v = record.get(i)?.trim();
    (!v.is_empty() && v != "-0-").then_some(v)
}

/// Reads every record of one file, checking the field count, and hands each to `f`.
fn for_each_record(
    file: &'static str,
    bytes: &[u8],
    fields: usize,
    offset: u64,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    mut f: impl FnMut(&csv::StringRecord) -> Result<(), String>,
) -> Result<(), ImportError> {
    let body = body(file, bytes)?;
    let reader = ProgressReader::new(body, offset, total, progress);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    // csv's own line counter lags with CRLF input (a record "starts" at the LF of the previous
    // line end); count line ends before the record's first byte instead.
    let line_at = |byte: u64| -> u64 {
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(body.len());
        while end < body.len() && matches!(body[end], b'\r' | b'\n') {
            end += 1;
        }
        let newlines = body[..end].iter().filter(|&&b| b == b'\n').count();
        u64::try_from(newlines)
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    };
    loop {
        let start = csv.position().byte();
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let byte = e.position().map_or(start, csv::Position::byte);
                return Err(ImportError::Csv {
                    file,
                    line: line_at(byte),
                    message: e.to_string(),
                });
            }
        }
        let byte = start;
        if record.len() != fields {
            return Err(ImportError::Csv {
                file,
                line: line_at(byte),
                message: format!("expected {fields} fields, found {}", record.len()),
            });
        }
        f(&record).map_err(|message| ImportError::Csv {
            file,
            line: line_at(byte),
            message,
        })?;
    }
}

pub(super) fn parse(
    sdn: &[u8],
    alt: Option<&[u8]>,
    add: Option<&[u8]>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportedList, ImportError> {
    let size = |b: &[u8]| u64::try_from(b.len()).unwrap_or(u64::MAX);
    let total = size(sdn)
        .saturating_add(alt.map_or(0, size))
        .saturating_add(add.map_or(0, size));
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_ent_num: HashMap<String, usize> = HashMap::new();

    for_each_record("sdn.csv", sdn, SDN_FIELDS, 0, total, progress, |r| {
        let reference = field(r, 0).ok_or("missing ent_num")?.to_owned();
        if by_ent_num.contains_key(&reference) {
            return Err(format!("duplicate ent_num {reference}"));
        }
        let entry = sdn_entry(reference.clone(), r)?;
        by_ent_num.insert(reference, entries.len());
        entries.push(entry);
        Ok(())
    })?;
    if entries.is_empty() {
        return Err(ImportError::Empty("sdn.csv"));
    }
    let mut offset = size(sdn);
    if let Some(alt) = alt {
        for_each_record("alt.csv", alt, ALT_FIELDS, offset, total, progress, |r| {
            let entry = lookup(&by_ent_num, &mut entries, r)?;
            let name = field(r, 3).ok_or("missing alt_name")?.to_owned();
            let weak = field(r, 4).is_some_and(|m| m.to_ascii_lowercase().contains("weak"));
            let quality = if weak {
                AliasQuality::Low
            } else {
                AliasQuality::Good
            };
            entry.aliases.push(Alias { name, quality });
            Ok(())
        })?;
        offset = offset.saturating_add(size(alt));
    }
    if let Some(add) = add {
        for_each_record("add.csv", add, ADD_FIELDS, offset, total, progress, |r| {
            let entry = lookup(&by_ent_num, &mut entries, r)?;
            let parts: Vec<&str> = (2..=4).filter_map(|i| field(r, i)).collect();
            if let Some(country) = field(r, 4)
                && !entry.countries.iter().any(|c| c == country)
            {
                entry.countries.push(country.to_owned());
            }
            if !parts.is_empty() {
                entry.addresses.push(parts.join(", "));
            }
            Ok(())
        })?;
    }
    super::finished(ListSource::OfacSdn, entries, None, "sdn.csv")
}

fn lookup<'e>(
    by_ent_num: &HashMap<String, usize>,
    entries: &'e mut [Entry],
    r: &csv::StringRecord,
) -> Result<&'e mut Entry, String> {
    let ent_num = field(r, 0).ok_or("missing ent_num")?;
    by_ent_num
        .get(ent_num)
        .and_then(|&i| entries.get_mut(i))
        .ok_or_else(|| format!("ent_num {ent_num} is not in sdn.csv"))
}

fn sdn_entry(reference: String, r: &csv::StringRecord) -> Result<Entry, String> {
    let primary_name = field(r, 1).ok_or("missing SDN_Name")?.to_owned();
    let kind = match field(r, 2).map(str::to_ascii_lowercase).as_deref() {
        None => EntryKind::Entity,
        Some("individual") => EntryKind::Individual,
        Some("vessel") => EntryKind::Vessel,
        Some("aircraft") => EntryKind::Aircraft,
        Some(other) => return Err(format!("unknown SDN_Type {other:?}")),
    };
    let programmes = field(r, 3)
        .map(|p| {
            p.split("] [")
                .map(|s| {
                    s.trim_matches(|c| c == '[' || c == ']' || c == ' ')
                        .to_owned()
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut entry = Entry {
        list: ListSource::OfacSdn,
        reference,
        kind,
        primary_name,
        aliases: Vec::new(),
        original_script_name: None,
        birth_years: Vec::new(),
        countries: Vec::new(),
        addresses: Vec::new(),
        documents: Vec::new(),
        programmes,
    };
    if let Some(flag) = field(r, 9) {
        entry.countries.push(flag.to_owned());
    }
    if let Some(remarks) = field(r, 11) {
        parse_remarks(&mut entry, remarks);
    }
    Ok(entry)
}

/// Extracts weak aliases, birth years, nationalities and passports from the Remarks text,
/// e.g. `DOB 08 Jan 1984; alt. DOB 1985; nationality Iran; a.k.a. 'ABU ALI'.`
fn parse_remarks(entry: &mut Entry, remarks: &str) {
    for segment in remarks.split(';') {
        let s = segment.trim().trim_end_matches('.').trim();
        let s = s.strip_prefix("alt. ").unwrap_or(s);
        if let Some(rest) = ["a.k.a. ", "f.k.a. ", "n.k.a. "]
            .iter()
            .find_map(|p| s.strip_prefix(p))
        {
            let name = rest.trim().trim_matches(|c| c == '\'' || c == '"').trim();
            if !name.is_empty() {
                entry.aliases.push(Alias {
                    name: name.to_owned(),
                    quality: AliasQuality::Low,
                });
            }
        } else if let Some(rest) = s.strip_prefix("DOB ") {
            if let Some(years) = birth_years(rest) {
                entry.birth_years.push(years);
            }
        } else if let Some(rest) = s
            .strip_prefix("nationality ")
            .or_else(|| s.strip_prefix("citizen "))
        {
            let country = rest.trim();
            if !country.is_empty() && !entry.countries.iter().any(|c| c == country) {
                entry.countries.push(country.to_owned());
            }
        } else if let Some(rest) = s.strip_prefix("Passport ") {
            let (number, country) = match rest.split_once(" (") {
                Some((n, c)) => (n.trim(), Some(c.trim_end_matches(')').trim().to_owned())),
                None => (rest.trim(), None),
            };
            entry.documents.push(Document {
                kind: "Passport".into(),
                number: number.to_owned(),
                country,
            });
        }
    }
}

/// "08 Jan 1984", "1955", "circa 1960", "1955 to 1958" → year range.
fn birth_years(text: &str) -> Option<BirthYears> {
    let years: Vec<u16> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse().ok())
        .filter(|y| (1800..=2100).contains(y))
        .collect();
    let from = *years.iter().min()?;
    let to = *years.iter().max()?;
    Some(BirthYears {
        from,
        to,
        text: text.trim().to_owned(),
    })
}
