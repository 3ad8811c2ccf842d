//! The population of ordinary names (`eval/population.jsonl`: people and companies from 35
//! locales, generated with Faker, seeded): none of them is listed, so every alert is a false
//! alarm. Reported overall and per locale, with the name only and with country, kind and date
//! of birth; plus latency per name and per payment-equivalent.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{RateRow, count_f64, percentile_ms};
use crate::listset::Lists;
use crate::matching::{Hit, Query};
use crate::model::EntryKind;

/// One ordinary party.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Person {
    /// Faker locale it was generated with ("zh_CN", "ar_EG", …).
    pub locale: String,
    /// ISO 3166 alpha-2 country of the locale.
    pub country: String,
    /// Person or company.
    pub kind: EntryKind,
    /// The name as a payment would carry it.
    pub name: String,
    /// `YYYY-MM-DD` for people, absent for companies.
    #[serde(default)]
    pub birth_date: Option<String>,
}

impl Person {
    /// The query with the name only.
    pub fn name_query(&self) -> Query {
        Query::name(self.name.clone())
    }

    /// The query with country, kind and date of birth.
    pub fn full_query(&self) -> Query {
        Query {
            country: Some(self.country.clone()),
            kind: Some(self.kind),
            birth_date: self.birth_date.clone(),
            ..self.name_query()
        }
    }
}

/// The bundled population.
pub fn bundled_population() -> Result<Vec<Person>, String> {
    parse_population(include_str!("../../eval/population.jsonl"))
}

/// Parses JSON lines of [`Person`].
pub fn parse_population(jsonl: &str) -> Result<Vec<Person>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// Alert rates of one locale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocaleRow {
    /// Faker locale.
    pub locale: String,
    /// Names screened.
    pub cases: usize,
    /// Share of names with any hit, name only.
    pub names_only_rate: f64,
    /// Share of names with any hit, with country, kind and date of birth.
    pub with_secondary_rate: f64,
}

/// One false alarm, for diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The ordinary name.
    pub name: String,
    /// Its locale.
    pub locale: String,
    /// The best hit (name only).
    pub hit: Hit,
}

/// False-alarm rates on the population, and latency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationReport {
    /// Hit threshold.
    pub threshold: f64,
    /// Names with any hit, name only (`hits` = alerts).
    pub names_only: RateRow,
    /// Names with any hit, with country, kind and date of birth.
    pub with_secondary: RateRow,
    /// Per locale, sorted by locale.
    pub per_locale: Vec<LocaleRow>,
    /// Up to 60 false alarms (name only), for diagnosis.
    pub alerts: Vec<Alert>,
    /// Median latency per name, milliseconds (with secondary data).
    pub name_p50_ms: f64,
    /// 99th percentile latency per name, milliseconds.
    pub name_p99_ms: f64,
    /// Median latency of one payment-equivalent (see [`PAYMENT_STRINGS`]), milliseconds.
    pub payment_p50_ms: f64,
    /// 99th percentile latency of one payment-equivalent, milliseconds.
    pub payment_p99_ms: f64,
}

/// Party names in a payment-equivalent: debtor, creditor, ultimate debtor, ultimate creditor and
/// creditor agent.
const PARTY_NAMES: usize = 5;
/// Free texts in a payment-equivalent: the debtor's and the creditor's name with their address
/// lines (the server screens a party's address lines joined with its name) and the remittance
/// line.
const TEXT_LINES: usize = 3;
/// A payment-equivalent screens this many strings.
pub const PAYMENT_STRINGS: usize = PARTY_NAMES + TEXT_LINES;

/// Screens every name (every `stride`-th, 1 for all) twice and measures latency.
pub fn run(lists: &Lists, people: &[Person], threshold: f64, stride: usize) -> PopulationReport {
    let people: Vec<&Person> = people.iter().step_by(stride.max(1)).collect();
    let mut per: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut alerts = Vec::new();
    let mut latencies = Vec::with_capacity(people.len());
    for person in &people {
        let plain = lists.screen(&person.name_query(), threshold);
        let t0 = Instant::now();
        let full = lists.screen(&person.full_query(), threshold);
        latencies.push(t0.elapsed().as_nanos());
        let row = per.entry(person.locale.as_str()).or_default();
        row.0 += 1;
        row.1 += usize::from(!plain.hits.is_empty());
        row.2 += usize::from(!full.hits.is_empty());
        if let Some(hit) = plain.hits.first()
            && alerts.len() < 60
        {
            alerts.push(Alert {
                name: person.name.clone(),
                locale: person.locale.clone(),
                hit: hit.clone(),
            });
        }
    }
    latencies.sort_unstable();
    let payments = payment_latencies(lists, &people, threshold);
    let total = |f: fn(&(usize, usize, usize)) -> usize| per.values().map(f).sum::<usize>();
    let rate = |n: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            count_f64(n) / count_f64(d)
        }
    };
    PopulationReport {
        threshold,
        names_only: RateRow::new("all", total(|r| r.0), total(|r| r.1)),
        with_secondary: RateRow::new("all", total(|r| r.0), total(|r| r.2)),
        per_locale: per
            .iter()
            .map(|(locale, &(n, plain, full))| LocaleRow {
                locale: (*locale).to_owned(),
                cases: n,
                names_only_rate: rate(plain, n),
                with_secondary_rate: rate(full, n),
            })
            .collect(),
        alerts,
        name_p50_ms: percentile_ms(&latencies, 50),
        name_p99_ms: percentile_ms(&latencies, 99),
        payment_p50_ms: percentile_ms(&payments, 50),
        payment_p99_ms: percentile_ms(&payments, 99),
    }
}

/// Wall time of payment-equivalents built from consecutive people: five party names (with
/// their secondary data) and three free texts. Every payment's texts are its own (its parties'
/// names, house and invoice numbers), as a server's cache would not hold them; nothing is
/// cached between screenings.
fn payment_latencies(lists: &Lists, people: &[&Person], threshold: f64) -> Vec<u128> {
    let mut out = Vec::new();
    for (i, group) in people.chunks_exact(PARTY_NAMES).enumerate() {
        let street = group[3].name.split_whitespace().last().unwrap_or("Market");
        let texts: [String; TEXT_LINES] = [
            format!(
                "{} {} {street} Street Springfield",
                group[0].name,
                10 + i % 190
            ),
            format!(
                "{} Flat {}, {} Harbour Road, Port Louis",
                group[1].name,
                1 + i % 40,
                i
            ),
            format!(
                "Invoice INV-{i:05} goods delivered under contract {}/2026, {} thank you",
                i % 97,
                group[1].name
            ),
        ];
        let t0 = Instant::now();
        for person in group {
            lists.screen(&person.full_query(), threshold);
        }
        for text in &texts {
            lists.screen_text(&Query::name(text.clone()), threshold);
        }
        out.push(t0.elapsed().as_nanos());
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_population_parses() {
        let people = bundled_population().unwrap();
        assert!(people.len() > 13_000);
        assert!(
            people
                .iter()
                .any(|p| p.kind == EntryKind::Entity && p.birth_date.is_none())
        );
        assert!(parse_population("{\"name\": 1}").is_err());
    }
}
