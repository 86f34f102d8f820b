//! The Fellegi-Sunter model: for each compared column and level, m (how
//! often a true pair shows the level) and u (how often a random pair does),
//! and the prior that a random left/right pair is a match. A pair's match
//! weight is log2(prior odds) plus each non-null column's log2(m/u); its
//! match probability is 2^w / (1 + 2^w).
//!
//! u comes from random pairs, m from expectation-maximisation on blocked
//! pairs with u held fixed, one run per blocking rule leaving out the
//! columns that rule makes agree (they agree there by construction); rules
//! that narrow a column to a window run after the others, holding that
//! column's m and estimating its u on their own pairs.
//! log2 and exp2 come from `libm` so every platform gets the same bits.

use serde::{Deserialize, Serialize};

/// The level of a null comparison (a blank cell): it counts neither way.
pub(crate) const NULL_LEVEL: u8 = u8::MAX;

/// Probabilities are kept inside (FLOOR, 1 - FLOOR): a level never seen
/// among true pairs weighs a lot against, never infinitely.
const FLOOR: f64 = 1e-6;

/// EM stops when no m moves more than this, or after MAX_ITERATIONS.
const TOLERANCE: f64 = 1e-5;
const MAX_ITERATIONS: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelModel {
    pub level: String,
    pub m: f64,
    pub u: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonModel {
    /// Left and right headers as the rules name them.
    pub columns: String,
    pub levels: Vec<LevelModel>,
}

/// How the model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Per comparison: the random pairs of non-null cells u was counted on
    /// (all of them when the distinct values are few, else a sample).
    pub random_pairs: Vec<u64>,
    /// Candidate pairs of each blocking rule, and EM iterations on them.
    pub blocked_pairs: Vec<u64>,
    pub em_iterations: Vec<u32>,
    /// The share of matches EM found among each rule's pairs.
    pub em_match_share: Vec<f64>,
    /// Whether every EM run settled within MAX_ITERATIONS.
    pub converged: bool,
    /// Left rows whose candidate pairs training saw (a spread sample of
    /// slices once the pairs are many).
    pub sampled_left_rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Probability that a left row and a right row drawn at random match.
    pub prior: f64,
    pub comparisons: Vec<ComparisonModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<Training>,
}

pub(crate) fn log2(x: f64) -> f64 {
    libm::log2(x)
}

/// 2^w / (1 + 2^w), without overflow.
pub(crate) fn probability(weight: f64) -> f64 {
    if weight >= 0.0 {
        1.0 / (1.0 + libm::exp2(-weight))
    } else {
        let odds = libm::exp2(weight);
        odds / (1.0 + odds)
    }
}

fn clamp(p: f64) -> f64 {
    p.clamp(FLOOR, 1.0 - FLOOR)
}

/// Comparison vectors with how many pairs showed each, sorted (sums run in
/// one order whatever the threads did).
pub(crate) type Patterns = Vec<(Box<[u8]>, u64)>;

/// u of each level from level counts among random pairs (nulls left out).
pub(crate) fn u_from_counts(counts: &[Vec<u64>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|levels| {
            let total: u64 = levels.iter().sum();
            // Half a pair added to each level: a level no random pair showed
            // is rare, not impossible.
            let denominator = total as f64 + 0.5 * levels.len() as f64;
            levels.iter().map(|&c| clamp((c as f64 + 0.5) / denominator)).collect()
        })
        .collect()
}

/// A start for m: the best level most likely among true pairs.
pub(crate) fn initial_m(level_counts: &[usize]) -> Vec<Vec<f64>> {
    level_counts
        .iter()
        .map(|&n| {
            let raw: Vec<f64> = (0..n).map(|k| libm::exp2(-(k as f64) * 1.5)).collect();
            let sum: f64 = raw.iter().sum();
            raw.into_iter().map(|x| x / sum).collect()
        })
        .collect()
}

/// How a column takes part in one EM run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// m estimated, u the random pairs'.
    Weighed,
    /// The blocking rule narrows it to a window: its non-matches are not
    /// random pairs, so its u is the level mix of the rule's own pairs
    /// (nearly all non-matches), and its m, trained by rules that do not
    /// narrow it, is held.
    Windowed,
    /// The blocking rule makes it equal: it says nothing here.
    LeftOut,
}

/// The match weight of a comparison vector (nulls and left-out columns add 0).
fn weight(pattern: &[u8], prior_weight: f64, m: &[Vec<f64>], u: &[Vec<f64>], roles: &[Role]) -> f64 {
    let mut w = prior_weight;
    for (i, &level) in pattern.iter().enumerate() {
        if level != NULL_LEVEL && roles[i] != Role::LeftOut {
            let l = level as usize;
            w += log2(m[i][l] / u[i][l]);
        }
    }
    w
}

/// What one EM run found.
pub(crate) struct EmRun {
    pub m: Vec<Vec<f64>>,
    pub lambda: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// New probabilities from expected counts per level.
fn normalised(counts: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = counts.iter().sum();
    (total > 0.0).then(|| counts.iter().map(|&x| clamp(x / total)).collect())
}

/// EM for m of weighed columns and the share of matches among the
/// patterns' pairs; u and the other m stay as given.
pub(crate) fn expectation_maximisation(
    patterns: &Patterns,
    u: &[Vec<f64>],
    start: &[Vec<f64>],
    roles: &[Role],
) -> EmRun {
    let mut m = start.to_vec();
    let pairs: u64 = patterns.iter().map(|(_, n)| n).sum();
    let mut lambda = 0.1f64;
    if pairs == 0 {
        return EmRun { m, lambda: 0.0, iterations: 0, converged: true };
    }
    for iteration in 1..=MAX_ITERATIONS {
        let prior_weight = log2(lambda / (1.0 - lambda));
        let mut matched: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut expected_matches = 0.0;
        for (pattern, count) in patterns {
            let p = probability(weight(pattern, prior_weight, &m, u, roles)) * *count as f64;
            expected_matches += p;
            for (i, &level) in pattern.iter().enumerate() {
                if level != NULL_LEVEL {
                    matched[i][level as usize] += p;
                }
            }
        }
        let mut moved = 0.0f64;
        for i in (0..m.len()).filter(|&i| roles[i] == Role::Weighed) {
            if let Some(new) = normalised(&matched[i]) {
                moved = new.iter().zip(&m[i]).fold(moved, |d, (a, b)| d.max((a - b).abs()));
                m[i] = new;
            }
        }
        lambda = clamp(expected_matches / pairs as f64);
        if moved < TOLERANCE {
            return EmRun { m, lambda, iterations: iteration, converged: true };
        }
    }
    EmRun { m, lambda, iterations: MAX_ITERATIONS, converged: false }
}

/// The level mix of column `i` among the patterns' pairs (nulls left out).
pub(crate) fn level_mix(patterns: &Patterns, i: usize, levels: usize) -> Vec<f64> {
    let mut counts = vec![0.0; levels];
    for (pattern, n) in patterns {
        if let Some(c) = pattern.get(i).filter(|&&l| l != NULL_LEVEL).and_then(|&l| counts.get_mut(l as usize)) {
            *c += *n as f64;
        }
    }
    normalised(&counts).unwrap_or_else(|| vec![1.0 / levels as f64; levels])
}

/// The share of matches among the patterns' pairs with m and u fixed.
pub(crate) fn share_of_matches(patterns: &Patterns, m: &[Vec<f64>], u: &[Vec<f64>]) -> f64 {
    let used = vec![Role::Weighed; m.len()];
    let pairs: u64 = patterns.iter().map(|(_, n)| n).sum();
    if pairs == 0 {
        return 0.0;
    }
    let mut lambda = 0.1f64;
    for _ in 0..MAX_ITERATIONS {
        let prior_weight = log2(lambda / (1.0 - lambda));
        let expected: f64 =
            patterns.iter().map(|(p, n)| probability(weight(p, prior_weight, m, u, &used)) * *n as f64).sum();
        let new = clamp(expected / pairs as f64);
        let settled = (new - lambda).abs() < TOLERANCE * lambda;
        lambda = new;
        if settled {
            break;
        }
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_is_the_logistic_of_base_2_odds() {
        assert_eq!(probability(0.0), 0.5);
        // 2^3 = 8 to 1: 8/9.
        assert!((probability(3.0) - 8.0 / 9.0).abs() < 1e-15);
        assert!((probability(-3.0) - 1.0 / 9.0).abs() < 1e-15);
        assert!(probability(5000.0) == 1.0 && probability(-5000.0) == 0.0);
    }

    #[test]
    fn u_counts_get_half_a_pair_per_level() {
        // 1 of 1000 random pairs agree exactly: (1 + 0.5) / (1000 + 1).
        let u = u_from_counts(&[vec![1, 999]]);
        assert!((u[0][0] - 1.5 / 1001.0).abs() < 1e-15);
        assert!((u[0][1] - 999.5 / 1001.0).abs() < 1e-15);
    }

    /// Two columns that agree (level 0) or not (1) independently given the
    /// class: true pairs agree with 0.9 and 0.8, others with 0.1 and 0.2;
    /// 300 of 1000 pairs are true. EM from a neutral start finds m.
    #[test]
    fn em_recovers_m_and_the_share_of_matches_from_exact_mixture_counts() {
        let (m, u, share, total) = ([0.9, 0.8], [0.1, 0.2], 0.3, 1_000_000.0);
        let mut patterns: Patterns = Vec::new();
        for a in 0..2u8 {
            for b in 0..2u8 {
                let p = |i: usize, level: u8, x: [f64; 2]| if level == 0 { x[i] } else { 1.0 - x[i] };
                let count = total * (share * p(0, a, m) * p(1, b, m) + (1.0 - share) * p(0, a, u) * p(1, b, u));
                patterns.push((vec![a, b].into(), count.round() as u64));
            }
        }
        let u_levels = vec![vec![0.1, 0.9], vec![0.2, 0.8]];
        let run = expectation_maximisation(&patterns, &u_levels, &initial_m(&[2, 2]), &[Role::Weighed; 2]);
        assert!(run.converged);
        assert!((run.m[0][0] - 0.9).abs() < 1e-3, "{:?}", run.m);
        assert!((run.m[1][0] - 0.8).abs() < 1e-3, "{:?}", run.m);
        assert!((run.lambda - 0.3).abs() < 1e-3, "{}", run.lambda);
        assert!((share_of_matches(&patterns, &run.m, &u_levels) - 0.3).abs() < 1e-3);
        // A left-out column keeps its start and adds nothing.
        let start = initial_m(&[2, 2]);
        let half = expectation_maximisation(&patterns, &u_levels, &start, &[Role::Weighed, Role::LeftOut]);
        assert_eq!(half.m[1], start[1]);
    }
}
