//! The netting benchmark behind `kliring bench netting`: deterministic pseudo-random
//! obligations (generated before the clock starts), then one timed [`settlement::net`] call.
//!
//! This is the crate's only use of a clock, and it never influences a result: the figures
//! depend on the seed alone.

use std::time::Instant;

use serde::Serialize;

use settlement::{NettingError, Obligation, instructions_direct, net};

/// Largest amount generated, in minor units (one million units of a two-decimal currency), so
/// that 10⁷ obligations sum far below any overflow.
const AMOUNT_MAX: u64 = 100_000_000;

/// One benchmark run, printed by the CLI as one JSON object per line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// Always "netting".
    pub bench: &'static str,
    /// Obligations netted.
    pub obligations: u64,
    /// Participants drawn from (ids 1..=participants).
    pub participants: u64,
    /// Seed of the input generator.
    pub seed: u64,
    /// Wall-clock seconds of the `net` call alone.
    pub seconds: f64,
    /// `obligations / seconds`.
    pub obligations_per_second: f64,
    /// Seconds to derive the direct (participant-to-participant) instructions.
    pub direct_instructions_seconds: f64,
    /// Number of direct instructions (≤ participants − 1).
    pub direct_instructions: u64,
    /// Participants with a non-zero figure.
    pub nonzero_positions: u64,
    /// Gross sum of the obligations, as a decimal string of minor units.
    pub gross_total: String,
    /// Sum of the positive figures, as a decimal string of minor units.
    pub net_total: String,
}

/// Why the benchmark could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BenchError {
    /// Obligations need a debtor and a different creditor.
    #[error("need at least 2 participants, got {0}")]
    TooFewParticipants(u64),
    /// The input does not fit in this machine's address space.
    #[error("{0} obligations do not fit in memory")]
    TooManyObligations(u64),
    /// Netting failed (not expected with generated input).
    #[error(transparent)]
    Netting(#[from] NettingError),
}

impl BenchError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooFewParticipants(_) => "too_few_participants",
            Self::TooManyObligations(_) => "too_many_obligations",
            Self::Netting(e) => e.code(),
        }
    }
}

/// Generates `obligations` obligations between participants `1..=participants` from `seed`,
/// nets them once under the clock, and reports the timing. The target is 10,000,000
/// obligations across 1,000 participants in ≤ 1 s on one core (release build).
pub fn netting(obligations: u64, participants: u64, seed: u64) -> Result<BenchResult, BenchError> {
    let input = generate(obligations, participants, seed)?;
    let started = Instant::now();
    let positions = net(&input)?;
    let seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let direct = instructions_direct(&positions);
    let direct_instructions_seconds = started.elapsed().as_secs_f64();
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(BenchResult {
        bench: "netting",
        obligations,
        participants,
        seed,
        seconds,
        // Precision loss converting a count to f64 is irrelevant for a rate.
        #[allow(clippy::cast_precision_loss)]
        obligations_per_second: obligations as f64 / seconds.max(f64::MIN_POSITIVE),
        direct_instructions_seconds,
        direct_instructions: count(direct.len()),
        nonzero_positions: count(positions.nonzero_count()),
        gross_total: positions.gross_total().to_string(),
        net_total: positions.net_total().to_string(),
    })
}

/// Deterministic obligations: uniform debtor, uniform different creditor, uniform amount in
/// `1..=AMOUNT_MAX`.
pub fn generate(
    obligations: u64,
    participants: u64,
    seed: u64,
) -> Result<Vec<Obligation>, BenchError> {
    if participants < 2 {
        return Err(BenchError::TooFewParticipants(participants));
    }
    let len =
        usize::try_from(obligations).map_err(|_| BenchError::TooManyObligations(obligations))?;
    let mut rng = SplitMix64(seed);
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| BenchError::TooManyObligations(obligations))?;
    for _ in 0..len {
        let debtor = rng.below(participants);
        // Adding 1..participants−1 modulo participants never lands back on the debtor.
        let creditor = (debtor + 1 + rng.below(participants - 1)) % participants;
        let amount = 1 + rng.below(AMOUNT_MAX);
        out.push(Obligation::new(
            debtor + 1,
            creditor + 1,
            u128::from(amount),
        ));
    }
    Ok(out)
}

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for benchmark input.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0) by Lemire's multiply-shift; the bias is below 2⁻³² for
    /// the bounds used here, which does not matter for benchmark input.
    fn below(&mut self, bound: u64) -> u64 {
        let wide = u128::from(self.next()) * u128::from(bound);
        u64::try_from(wide >> 64).unwrap_or(0)
    }
}
