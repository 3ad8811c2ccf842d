//! Evaluation and benchmark: precision and recall on a labelled set of name pairs, plus
//! screening throughput and latency per name, for several thresholds; recall under attack on
//! disguised listed names ([`adversarial`]); false alarms on ordinary names ([`population`]).
//!
//! The labelled set (`eval/pairs.tsv`, bundled) has real listed names written the way payments
//! spell them (other romanisations, other scripts, reordered, shortened, joined, misspelt) as
//! positives, and near-misses that must not match as negatives. Counting, per query:
//! a positive whose expected entry is among the hits is a true positive, otherwise a false
//! negative; a negative with any hit is a false positive. Other entries hit by a positive query
//! are not counted against precision (relatives and namesakes on the lists are legitimate
//! alerts). Only the held-out split is scored; the training split was used to tune weights.

pub mod adversarial;
pub mod population;

use std::time::Instant;

use serde::Serialize;

use crate::listset::Lists;
use crate::matching::Query;
use crate::model::ListSource;

/// Thresholds evaluated by [`run`].
pub const THRESHOLDS: [f64; 5] = [0.78, 0.81, 0.84, 0.87, 0.90];
/// Each held-out query is screened this many times; its latency is the fastest run.
const LATENCY_ROUNDS: usize = 7;

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalCase {
    /// Name as a payment would carry it.
    pub query: String,
    /// The entry it must find (any one of these, when a person is on several lists), or empty
    /// for a near-miss that must not match anything.
    pub expected: Vec<(ListSource, String)>,
    /// True for the held-out split (scored), false for the training split (used for tuning).
    pub heldout: bool,
    /// Why this case is in the set (variant kind).
    pub note: String,
}

impl EvalCase {
    /// True when `hits` contain one of the expected entries.
    pub fn finds(&self, hits: &[crate::matching::Hit]) -> bool {
        hits.iter().any(|h| {
            self.expected
                .iter()
                .any(|(list, reference)| h.list == *list && h.reference == *reference)
        })
    }
}

/// Results for one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchResult {
    /// Hit threshold.
    pub threshold: f64,
    /// TP / (TP + FP) on the held-out split.
    pub precision: f64,
    /// TP / (TP + FN) on the held-out split.
    pub recall: f64,
    /// Held-out queries scored.
    pub queries: usize,
    /// Positives found.
    pub true_positives: usize,
    /// Negatives that hit something.
    pub false_positives: usize,
    /// Positives not found.
    pub false_negatives: usize,
    /// Screenings per second on one thread.
    pub screenings_per_sec: f64,
    /// Median latency per name, milliseconds (each name's fastest of the rounds).
    pub p50_ms: f64,
    /// 99th percentile latency per name, milliseconds (each name's fastest of the rounds).
    pub p99_ms: f64,
    /// Versions of the lists screened against, "source:hash-prefix" joined by commas.
    pub lists: String,
}

/// The bundled labelled set.
pub fn bundled_eval() -> Result<Vec<EvalCase>, String> {
    parse_eval(include_str!("../../eval/pairs.tsv"))
}

/// Parses the TSV format: `split <TAB> list <TAB> reference <TAB> query <TAB> note`, where split
/// is `train` or `heldout`, and list/reference are `-` for a negative. `#` starts a comment.
pub fn parse_eval(tsv: &str) -> Result<Vec<EvalCase>, String> {
    let mut cases = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [split, list, reference, query, note] = cols[..] else {
            return Err(format!("line {line_no}: expected 5 tab-separated columns"));
        };
        let heldout = match split {
            "heldout" => true,
            "train" => false,
            other => return Err(format!("line {line_no}: unknown split {other:?}")),
        };
        let mut expected = Vec::new();
        if (list, reference) != ("-", "-") {
            let lists: Vec<&str> = list.split('|').collect();
            let references: Vec<&str> = reference.split('|').collect();
            if lists.len() != references.len() {
                return Err(format!(
                    "line {line_no}: lists and references differ in number"
                ));
            }
            for (list, reference) in lists.into_iter().zip(references) {
                let source = ListSource::parse(list)
                    .ok_or_else(|| format!("line {line_no}: unknown list {list:?}"))?;
                expected.push((source, reference.to_owned()));
            }
        }
        if query.trim().is_empty() {
            return Err(format!("line {line_no}: empty query"));
        }
        cases.push(EvalCase {
            query: query.to_owned(),
            expected,
            heldout,
            note: note.to_owned(),
        });
    }
    Ok(cases)
}

/// Scores the held-out cases at every threshold in [`THRESHOLDS`] and measures latency.
pub fn run(lists: &Lists, eval: &[EvalCase]) -> Vec<BenchResult> {
    let heldout: Vec<&EvalCase> = eval.iter().filter(|c| c.heldout).collect();
    let versions = lists
        .versions()
        .iter()
        .map(|v| format!("{}:{}", v.source, v.content_hash.get(..12).unwrap_or("")))
        .collect::<Vec<_>>()
        .join(",");
    THRESHOLDS
        .iter()
        .map(|&threshold| {
            let (mut tp, mut fp, mut fne) = (0, 0, 0);
            // Fastest of the rounds per name: on a shared machine a single run is often
            // preempted, which measures the scheduler rather than the screening.
            let mut latencies_ns: Vec<u128> = vec![u128::MAX; heldout.len()];
            let mut screenings = 0usize;
            let started = Instant::now();
            for round in 0..LATENCY_ROUNDS {
                for (i, case) in heldout.iter().enumerate() {
                    let query = Query::name(case.query.clone());
                    let t0 = Instant::now();
                    let result = lists.screen(&query, threshold);
                    latencies_ns[i] = latencies_ns[i].min(t0.elapsed().as_nanos());
                    screenings += 1;
                    if round > 0 {
                        continue;
                    }
                    if case.expected.is_empty() {
                        if !result.hits.is_empty() {
                            fp += 1;
                        }
                    } else if case.finds(&result.hits) {
                        tp += 1;
                    } else {
                        fne += 1;
                    }
                }
            }
            let elapsed = started.elapsed().as_secs_f64();
            latencies_ns.sort_unstable();
            let ratio = |num: usize, den: usize| {
                if den == 0 {
                    1.0
                } else {
                    count_f64(num) / count_f64(den)
                }
            };
            BenchResult {
                threshold,
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, tp + fne),
                queries: heldout.len(),
                true_positives: tp,
                false_positives: fp,
                false_negatives: fne,
                screenings_per_sec: if elapsed > 0.0 {
                    count_f64(screenings) / elapsed
                } else {
                    0.0
                },
                p50_ms: percentile_ms(&latencies_ns, 50),
                p99_ms: percentile_ms(&latencies_ns, 99),
                lists: versions.clone(),
            }
        })
        .collect()
}

/// A share of cases: found (adversarial) or alerted (population).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRow {
    /// What the row counts (a disguise, a locale, "all").
    pub group: String,
    /// Cases screened.
    pub cases: usize,
    /// Cases with the event counted (entry found, or any hit).
    pub hits: usize,
    /// `hits / cases` (0 when there are no cases).
    pub rate: f64,
}

impl RateRow {
    fn new(group: &str, cases: usize, hits: usize) -> Self {
        Self {
            group: group.to_owned(),
            cases,
            hits,
            rate: if cases == 0 {
                0.0
            } else {
                count_f64(hits) / count_f64(cases)
            },
        }
    }
}

/// Nearest-rank percentile of sorted nanosecond samples, in milliseconds.
fn percentile_ms(sorted_ns: &[u128], pct: usize) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = (sorted_ns.len() * pct)
        .div_ceil(100)
        .clamp(1, sorted_ns.len());
    let ns = sorted_ns[rank - 1];
    // A screening over ~4 s would saturate at u32::MAX ns; it would fail the target anyway.
    f64::from(u32::try_from(ns).unwrap_or(u32::MAX)) / 1e6
}

/// Counts in a benchmark are far below 2^32; larger ones saturate rather than wrap.
fn count_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_format_is_parsed_and_checked() {
        let cases = parse_eval("# c\nheldout\tun\tKPi.023\tKim Tong Myong\tspelling\ntrain\t-\t-\tJohn Smith\tnegative\n").unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].expected, [(ListSource::Un, "KPi.023".into())]);
        assert!(cases[0].heldout && !cases[1].heldout);
        assert!(cases[1].expected.is_empty());
        let both = parse_eval("train\tun|ofac-sdn\tA|1\tx\ty").unwrap();
        assert_eq!(both[0].expected.len(), 2);
        assert!(parse_eval("train\tun|ofac-sdn\tA\tx\ty").is_err());
        assert!(parse_eval("heldout\tun\tKPi.023\tonly four").is_err());
        assert!(parse_eval("later\t-\t-\tx\ty").is_err());
        assert!(parse_eval("train\tmars\tX\tx\ty").is_err());
    }

    #[test]
    fn bundled_eval_has_both_splits_and_negatives() {
        let cases = bundled_eval().unwrap();
        assert!(cases.iter().filter(|c| c.heldout).count() >= 50);
        assert!(cases.iter().filter(|c| !c.heldout).count() >= 50);
        assert!(cases.iter().filter(|c| c.expected.is_empty()).count() >= 30);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples: Vec<u128> = (1..=100).map(|i| i * 1_000_000).collect();
        assert_eq!(percentile_ms(&samples, 50), 50.0);
        assert_eq!(percentile_ms(&samples, 99), 99.0);
        assert_eq!(percentile_ms(&[], 99), 0.0);
    }
}
