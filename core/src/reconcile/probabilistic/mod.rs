//! Probabilistic mode (Fellegi-Sunter): each compared column's agreement
//! level is evidence for or against a pair; the evidence is trained on the
//! data without labels (`fellegi_sunter`), pairs come from blocking rules
//! (`candidates`), and pairs whose match probability reaches min_score are
//! taken one-to-one by the matcher, best weight first.

mod candidates;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rustc_hash::{FxHashMap, FxHasher};

use super::comparison::{self, level_of, resolve_blocking, Level, PairText, Value};
use super::explain::{shown, Reason};
use super::fellegi_sunter::{self as model, ComparisonModel, LevelModel, Model, Patterns, Role, Training, NULL_LEVEL};
use super::names::{Similarity, Vocabulary};
use super::rows::{Row, Side};
use super::rules::{MatchMode, Rules};
use super::score::Allowance;
use super::text_distance::JaroWinklerFrom;
use super::Pair;
use crate::model::error::{Error, Result};
use candidates::{covers, BlockingRule, RuleIndex};

/// Random pairs u is counted on, per comparison whose distinct value pairs
/// are more than this (else every distinct value pair, weighed by counts).
const U_PAIRS: u64 = 1_000_000;
/// Random pairs are drawn in this many fixed slices (the same draws on any
/// number of cores).
const U_SLICES: u64 = 64;
/// Distinct left values per piece of work when random pairs are counted.
const U_LEFT_CHUNK: usize = 256;
/// Left rows per slice of the candidate search.
const LEFT_SLICE: usize = 1024;
/// More candidate pairs than this means the blocking rules are too loose.
const MAX_PAIRS: u64 = 200_000_000;
/// Training visits slices of left rows in rounds (every
/// TRAINING_ROUNDS-th slice) until it has seen this many candidate pairs.
const TRAINING_PAIRS: u64 = 20_000_000;
const TRAINING_ROUNDS: usize = 16;
const MIN_BATCH_SLICES: usize = 32;
/// Up to this many candidate pairs, training keeps their vectors for
/// scoring; beyond, scoring compares them again (memory stays flat).
const STORED_PAIRS: u64 = 4_000_000;

/// The blocking rules with their windows' allowances.
fn blocking_rules(rules: &Rules) -> Result<Vec<BlockingRule>> {
    Ok(resolve_blocking(&rules.compare, &rules.blocking)?
        .into_iter()
        .map(|r| BlockingRule {
            equal: r.equal,
            days: r.days,
            amount: r.amount.map(|(c, within, percent)| (c, Allowance::new(within, percent))),
        })
        .collect())
}

/// Term frequencies of one comparison's values over both sides.
struct TermFrequencies {
    share: FxHashMap<u64, f64>,
    smallest: f64,
}

/// A value's identity as blocking and term frequencies see it (a date by
/// its day, else by its text); None for a blank.
fn value_hash(v: &Value) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = FxHasher::default();
    match v {
        Value::Null => return None,
        Value::Text(id) => (0u8, id).hash(&mut h),
        Value::Name(key) => (1u8, &key.words).hash(&mut h),
        Value::Date { day: Some(d), .. } => (2u8, d).hash(&mut h),
        Value::Date { day: None, text } => (3u8, text).hash(&mut h),
        Value::Amount(a) => (4u8, a).hash(&mut h),
    }
    Some(h.finish())
}

impl TermFrequencies {
    fn new(i: usize, sides: [&[Row]; 2]) -> TermFrequencies {
        let mut counts: FxHashMap<u64, u64> = FxHashMap::default();
        let mut total = 0u64;
        for row in sides.into_iter().flatten() {
            if let Some(h) = value_hash(&row.values[i]) {
                *counts.entry(h).or_default() += 1;
                total += 1;
            }
        }
        let total = total.max(1) as f64;
        TermFrequencies {
            share: counts.into_iter().map(|(h, n)| (h, n as f64 / total)).collect(),
            smallest: 1.0 / total,
        }
    }

    fn of(&self, v: &Value) -> f64 {
        value_hash(v).and_then(|h| self.share.get(&h).copied()).unwrap_or(self.smallest).max(self.smallest)
    }
}

/// The probabilistic matcher's state for one reconciliation.
pub(crate) struct Engine<'a> {
    rules: &'a Rules,
    left: &'a Side,
    right: &'a Side,
    vocabulary: &'a Vocabulary,
    levels: Vec<Vec<Level>>,
    pub model: Model,
    /// log2 of the model's prior odds and of each level's m/u, worked out
    /// once (every candidate pair adds them up).
    prior_weight: f64,
    level_weights: Vec<Vec<f64>>,
    term_frequencies: Vec<Option<TermFrequencies>>,
    /// Pairs reaching min_score, best weight first.
    pub pairs: Vec<Pair>,
    /// Each row's best-weighted candidate (for near misses).
    nearest: [Vec<Option<(u32, f64)>>; 2],
}

/// What pass one (training) counts over a slice of left rows.
#[derive(Default)]
struct Counted {
    /// Per blocking rule: comparison vectors and how many pairs showed them.
    patterns: Vec<FxHashMap<Box<[u8]>, u64>>,
    /// The same over the union of the rules (each pair once).
    union: FxHashMap<Box<[u8]>, u64>,
    rule_pairs: Vec<u64>,
    union_pairs: u64,
    /// The union's pairs and vectors, kept for pass two while few.
    stored: Vec<(u32, u32)>,
    stored_vectors: Vec<u8>,
}

/// What pass two (scoring) keeps of a slice of left rows.
#[derive(Default)]
struct Scored {
    /// Pairs reaching min_score.
    kept: Vec<Pair>,
    /// Each left row's best candidate (left, right, weight).
    nearest_left: Vec<(u32, u32, f64)>,
    /// Each right row's best candidate in this slice.
    nearest_right: FxHashMap<u32, (u32, f64)>,
}

fn add_pattern(map: &mut FxHashMap<Box<[u8]>, u64>, vector: &[u8]) {
    match map.get_mut(vector) {
        Some(n) => *n += 1,
        None => drop(map.insert(vector.into(), 1)),
    }
}

fn sorted(map: FxHashMap<Box<[u8]>, u64>) -> Patterns {
    let mut v: Patterns = map.into_iter().collect();
    v.sort_unstable();
    v
}

/// Whether a candidate is better than the best so far (ties: lower row).
fn better(best: Option<(u32, f64)>, other: u32, w: f64) -> bool {
    best.is_none_or(|(o, bw)| w > bw || (w == bw && other < o))
}

impl<'a> Engine<'a> {
    pub fn new(rules: &'a Rules, left: &'a Side, right: &'a Side, vocabulary: &'a Vocabulary) -> Result<Engine<'a>> {
        debug_assert_eq!(rules.mode, MatchMode::Probabilistic);
        let levels: Vec<Vec<Level>> = rules.compare.iter().map(|c| c.levels()).collect();
        let blocking = blocking_rules(rules)?;
        let mut engine = Engine {
            rules,
            left,
            right,
            vocabulary,
            levels,
            model: Model { prior: 0.5, comparisons: vec![], training: None },
            prior_weight: 0.0,
            level_weights: vec![],
            term_frequencies: vec![],
            pairs: vec![],
            nearest: [vec![None; left.rows.len()], vec![None; right.rows.len()]],
        };
        let indexes: Vec<RuleIndex> = blocking.iter().map(|rule| RuleIndex::new(rule, &right.rows)).collect();
        let stored = match &rules.model {
            Some(m) => {
                engine.model = m.clone();
                None
            }
            None => {
                let (model, counted) = engine.train(&blocking, &indexes)?;
                engine.model = model;
                counted
            }
        };
        engine.prior_weight = model::log2(engine.model.prior / (1.0 - engine.model.prior));
        engine.level_weights = engine
            .model
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| model::log2(l.m / l.u)).collect())
            .collect();
        engine.term_frequencies = rules
            .compare
            .iter()
            .enumerate()
            .map(|(i, c)| c.term_frequency.then(|| TermFrequencies::new(i, [&left.rows, &right.rows])))
            .collect();
        engine.score(&blocking, &indexes, stored)?;
        Ok(engine)
    }

    /// The level of comparison `i` for a pair, or NULL_LEVEL.
    fn level(&self, i: usize, l: &Row, r: &Row, similarity: &mut Similarity) -> u8 {
        self.level_of_values(i, &l.values[i], &r.values[i], similarity)
    }

    fn level_of_values(&self, i: usize, a: &Value, b: &Value, similarity: &mut Similarity) -> u8 {
        self.level_of_prepared(i, a, None, b, similarity)
    }

    /// A pair's level; `prepared`: the left value's letters, made ready
    /// for many right values (`prepare_left`).
    fn level_of_prepared(
        &self,
        i: usize,
        a: &Value,
        prepared: Option<&JaroWinklerFrom>,
        b: &Value,
        similarity: &mut Similarity,
    ) -> u8 {
        let word = |v: &Value| match v {
            Value::Text(id) | Value::Date { text: id, .. } => self.vocabulary.word(*id),
            _ => "",
        };
        let text = match (a, b) {
            (Value::Null, _) | (_, Value::Null) => return NULL_LEVEL,
            (Value::Name(x), Value::Name(y)) => {
                PairText { left: "", right: "", name: Some(similarity.name_match(x, y)), left_prepared: None }
            }
            _ => PairText { left: word(a), right: word(b), name: None, left_prepared: prepared },
        };
        level_of(&self.levels[i], a, b, &text) as u8
    }

    /// A text's letters ready for Jaro-Winkler with many others, when
    /// comparison `i` has Jaro-Winkler levels on text.
    fn prepare_left(&self, i: usize, value: &Value) -> Option<JaroWinklerFrom<'a>> {
        let banded = self.levels[i].iter().any(|l| matches!(l, Level::JaroWinkler(_)));
        match value {
            Value::Text(id) if banded => Some(JaroWinklerFrom::new(self.vocabulary.word(*id))),
            _ => None,
        }
    }

    fn vector(&self, l: &Row, r: &Row, similarity: &mut Similarity, out: &mut Vec<u8>) {
        for i in 0..self.levels.len() {
            out.push(self.level(i, l, r, similarity));
        }
    }

    /// Visits every candidate pair of every rule with its comparison
    /// vector (`all_rules`: also pairs an earlier rule found, else only
    /// each pair's first), for the given slices of LEFT_SLICE left rows;
    /// fails when the rules make more than MAX_PAIRS pairs.
    fn scan<S: Send + Default>(
        &self,
        blocking: &[BlockingRule],
        indexes: &[RuleIndex],
        all_rules: bool,
        slices: &[usize],
        visit: impl Fn(&mut S, usize, bool, u32, u32, &[u8]) + Sync,
    ) -> Result<Vec<S>> {
        let (lrows, rrows) = (&self.left.rows, &self.right.rows);
        let pairs_seen = std::sync::atomic::AtomicU64::new(0);
        let slices = crate::parallel::map_in_order_with(
            slices.len(),
            || Similarity::new(self.vocabulary),
            |similarity, at| {
                let s = slices[at];
                let mut state = S::default();
                let mut candidates = Vec::new();
                let n = self.levels.len();
                // The row's pairs' vectors so far: a pair several rules find
                // is compared once.
                let mut row_vectors: FxHashMap<u32, usize> = FxHashMap::default();
                let mut vectors: Vec<u8> = Vec::new();
                for (li, l) in lrows.iter().enumerate().skip(s * LEFT_SLICE).take(LEFT_SLICE) {
                    if pairs_seen.load(std::sync::atomic::Ordering::Relaxed) > MAX_PAIRS {
                        break;
                    }
                    row_vectors.clear();
                    vectors.clear();
                    for (k, index) in indexes.iter().enumerate() {
                        index.candidates(l, &mut candidates);
                        pairs_seen.fetch_add(candidates.len() as u64, std::sync::atomic::Ordering::Relaxed);
                        for &ri in &candidates {
                            let r = &rrows[ri as usize];
                            let first = !blocking[..k].iter().any(|earlier| covers(earlier, l, r));
                            if first || all_rules {
                                let at = *row_vectors.entry(ri).or_insert_with(|| {
                                    let at = vectors.len();
                                    self.vector(l, r, similarity, &mut vectors);
                                    at
                                });
                                visit(&mut state, k, first, li as u32, ri, &vectors[at..at + n]);
                            }
                        }
                    }
                }
                state
            },
        );
        let seen = pairs_seen.load(std::sync::atomic::Ordering::Relaxed);
        if seen > MAX_PAIRS {
            return Err(Error::argument(format!(
                "the blocking rules make more than {MAX_PAIRS} candidate pairs; narrow the loosest rule (more items, smaller windows)"
            )));
        }
        Ok(slices)
    }

    /// The level counts of comparison `i` over random pairs of non-null
    /// cells, and how many pairs they count. Random pairs draw each side
    /// independently, so when the distinct values are few every value pair
    /// is compared once and weighed by its counts: the exact expectation
    /// over all pairs. Otherwise U_PAIRS pairs are drawn.
    fn random_level_counts(&self, i: usize) -> (Vec<u64>, u64) {
        // The column's non-null cells side by side: a random pair touches
        // two cells, not two rows.
        let cells = |side: &'a [Row]| {
            side.iter().map(|r| &r.values[i]).filter(|v| **v != Value::Null).collect::<Vec<&'a Value>>()
        };
        let (lcells, rcells) = (cells(&self.left.rows), cells(&self.right.rows));
        // Distinct values with their counts, and each cell's distinct value.
        let distinct = |cells: &[&'a Value]| {
            let mut seen: FxHashMap<&'a Value, u32> = FxHashMap::default();
            let mut values: Vec<(&'a Value, u64)> = Vec::new();
            let mut of_cell = Vec::with_capacity(cells.len());
            for &value in cells {
                let at = *seen.entry(value).or_insert_with(|| {
                    values.push((value, 0));
                    (values.len() - 1) as u32
                });
                values[at as usize].1 += 1;
                of_cell.push(at);
            }
            (values, of_cell)
        };
        let ((left, left_of_cell), (right, _)) = (distinct(&lcells), distinct(&rcells));
        let levels = self.levels[i].len();
        // Only levels count here: name letters under the loosest band are cut short.
        let loosest_band = self.levels[i]
            .iter()
            .filter_map(|l| if let Level::JaroWinkler(t) = l { Some(*t) } else { None })
            .fold(1.0, f64::min);
        let new_similarity = || Similarity::with_floor(self.vocabulary, loosest_band);
        let add = |counts: &mut Vec<u64>, level: u8, n: u64| {
            if let Some(c) = counts.get_mut(level as usize) {
                *c += n;
            }
        };
        let slices = if (left.len() as u64).saturating_mul(right.len() as u64) <= U_PAIRS {
            crate::parallel::map_in_order_with(left.len().div_ceil(64), new_similarity, |similarity, s| {
                let mut counts = vec![0u64; levels];
                for &(l, nl) in left.iter().skip(s * 64).take(64) {
                    let prepared = self.prepare_left(i, l);
                    for &(r, nr) in &right {
                        add(&mut counts, self.level_of_prepared(i, l, prepared.as_ref(), r, similarity), nl * nr);
                    }
                }
                counts
            })
        } else {
            // The draws (left value, right cell), slice by slice; then
            // visited by left value, whose letters are prepared once.
            let per_slice = U_PAIRS.div_ceil(U_SLICES);
            let draws = crate::parallel::map_in_order_with(
                U_SLICES as usize,
                || (),
                |_, s| {
                    let mut rng = SmallRng::seed_from_u64(0x5eed_0000 + ((i as u64) << 16) + s as u64);
                    ((s as u64 * per_slice)..((s as u64 + 1) * per_slice).min(U_PAIRS))
                        .map(|_| {
                            let a = rng.gen_range(0..lcells.len());
                            (left_of_cell[a], rng.gen_range(0..rcells.len()) as u32)
                        })
                        .collect::<Vec<(u32, u32)>>()
                },
            );
            let by_left = group_by_left(left.len(), draws.iter().flatten().copied());
            let chunks = left.len().div_ceil(U_LEFT_CHUNK);
            crate::parallel::map_in_order_with(chunks, new_similarity, |similarity, c| {
                let mut counts = vec![0u64; levels];
                let values = c * U_LEFT_CHUNK..((c + 1) * U_LEFT_CHUNK).min(left.len());
                for v in values {
                    let partners = by_left.partners(v);
                    if partners.is_empty() {
                        continue;
                    }
                    let value = left[v].0;
                    let prepared = self.prepare_left(i, value);
                    for &b in partners {
                        add(
                            &mut counts,
                            self.level_of_prepared(i, value, prepared.as_ref(), rcells[b as usize], similarity),
                            1,
                        );
                    }
                }
                counts
            })
        };
        let mut counts = vec![0u64; levels];
        for slice in slices {
            for (t, p) in counts.iter_mut().zip(slice) {
                *t += p;
            }
        }
        let counted = counts.iter().sum();
        (counts, counted)
    }

    /// Pass one over some slices: comparison vectors counted per rule and
    /// over the union; union pairs kept while `stored` is under STORED_PAIRS.
    fn count(
        &self,
        blocking: &[BlockingRule],
        indexes: &[RuleIndex],
        slices: &[usize],
        stored: &std::sync::atomic::AtomicU64,
    ) -> Result<Vec<Counted>> {
        self.scan(blocking, indexes, true, slices, |c: &mut Counted, k, first, li, ri, vector| {
            if c.patterns.is_empty() {
                c.patterns = vec![FxHashMap::default(); blocking.len()];
                c.rule_pairs = vec![0; blocking.len()];
            }
            add_pattern(&mut c.patterns[k], vector);
            c.rule_pairs[k] += 1;
            if first {
                add_pattern(&mut c.union, vector);
                c.union_pairs += 1;
                if stored.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < STORED_PAIRS {
                    c.stored.push((li, ri));
                    c.stored_vectors.extend_from_slice(vector);
                }
            }
        })
    }

    /// u from random pairs; m by EM per blocking rule, leaving out the
    /// columns the rule makes equal, averaged over the rules that estimate
    /// it (windowed rules last, holding their windowed columns' m); the
    /// prior from the expected matches per sampled left row.
    fn train(&self, blocking: &[BlockingRule], indexes: &[RuleIndex]) -> Result<(Model, Option<Counted>)> {
        let stored = std::sync::atomic::AtomicU64::new(0);
        // Rounds of every TRAINING_ROUNDS-th slice (spread over the file)
        // until TRAINING_PAIRS pairs are seen: EM needs a sample, not all.
        let all_slices = self.left.rows.len().div_ceil(LEFT_SLICE);
        let mut slices = Vec::new();
        let (mut seen, mut sampled_rows, mut rounds) = (0u64, 0usize, 0);
        // Rounds go together until a batch holds MIN_BATCH_SLICES slices
        // (work for every core; the batches depend on the data only).
        let per_batch = MIN_BATCH_SLICES.div_ceil(all_slices.div_ceil(TRAINING_ROUNDS).max(1));
        while rounds < TRAINING_ROUNDS && seen < TRAINING_PAIRS {
            let batch = rounds..(rounds + per_batch).min(TRAINING_ROUNDS);
            let round: Vec<usize> = batch.clone().flat_map(|r| (r..all_slices).step_by(TRAINING_ROUNDS)).collect();
            rounds = batch.end;
            sampled_rows += round.iter().map(|&s| LEFT_SLICE.min(self.left.rows.len() - s * LEFT_SLICE)).sum::<usize>();
            let counted = self.count(blocking, indexes, &round, &stored)?;
            seen += counted.iter().map(|c| c.rule_pairs.iter().sum::<u64>()).sum::<u64>();
            slices.extend(counted);
        }
        let complete = rounds == TRAINING_ROUNDS;
        let keep = complete && stored.load(std::sync::atomic::Ordering::Relaxed) <= STORED_PAIRS;
        let mut found = Counted {
            patterns: vec![FxHashMap::default(); blocking.len()],
            rule_pairs: vec![0; blocking.len()],
            ..Counted::default()
        };
        for slice in slices {
            for (k, map) in slice.patterns.into_iter().enumerate() {
                for (pattern, n) in map {
                    *found.patterns[k].entry(pattern).or_default() += n;
                }
                found.rule_pairs[k] += slice.rule_pairs[k];
            }
            for (pattern, n) in slice.union {
                *found.union.entry(pattern).or_default() += n;
            }
            found.union_pairs += slice.union_pairs;
            if keep {
                found.stored.extend(slice.stored);
                found.stored_vectors.extend(slice.stored_vectors);
            }
        }
        let (counts, random_pairs): (Vec<Vec<u64>>, Vec<u64>) =
            (0..self.levels.len()).map(|i| self.random_level_counts(i)).unzip();
        let u = model::u_from_counts(&counts);
        let start = model::initial_m(&self.levels.iter().map(Vec::len).collect::<Vec<_>>());
        let n = self.levels.len();
        let mut m_sum: Vec<Vec<f64>> = start.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut m_runs = vec![0u32; n];
        let mut iterations = Vec::new();
        let mut shares = Vec::new();
        let mut converged = true;
        let roles: Vec<Vec<Role>> = blocking
            .iter()
            .map(|rule| {
                (0..n)
                    .map(|i| {
                        if rule.equal.contains(&i) {
                            Role::LeftOut
                        } else if rule.days.is_some_and(|(c, _)| c == i) || rule.amount.is_some_and(|(c, _)| c == i) {
                            Role::Windowed
                        } else {
                            Role::Weighed
                        }
                    })
                    .collect()
            })
            .collect();
        let windowed = |k: usize| roles[k].contains(&Role::Windowed);
        let mut runs: Vec<Option<model::EmRun>> = (0..blocking.len()).map(|_| None).collect();
        // Rules without windows first; the windowed ones hold their m.
        // Each column's m averaged over the runs that estimated it (its start before any did).
        let averaged = |m_sum: &[Vec<f64>], m_runs: &[u32]| -> Vec<Vec<f64>> {
            m_sum
                .iter()
                .zip(m_runs)
                .zip(&start)
                .map(|((s, &r), st)| if r == 0 { st.clone() } else { s.iter().map(|x| x / f64::from(r)).collect() })
                .collect()
        };
        for stage in [false, true] {
            let held = averaged(&m_sum, &m_runs);
            for k in (0..blocking.len()).filter(|&k| windowed(k) == stage) {
                if let Some(i) = (0..n).find(|&i| roles[k][i] == Role::Windowed && m_runs[i] == 0) {
                    return Err(Error::argument(format!(
                        "m of '{}' cannot be trained: the blocking rules that do not make it equal put it in a window; add a blocking rule that leaves it free (or give a model)",
                        self.rules.compare[i].label()
                    )));
                }
                let patterns = sorted(std::mem::take(&mut found.patterns[k]));
                let mut rule_u = u.clone();
                for i in (0..n).filter(|&i| roles[k][i] == Role::Windowed) {
                    rule_u[i] = model::level_mix(&patterns, i, self.levels[i].len());
                }
                runs[k] = Some(model::expectation_maximisation(&patterns, &rule_u, &held, &roles[k]));
            }
            for k in (0..blocking.len()).filter(|&k| windowed(k) == stage) {
                if let Some(run) = &runs[k] {
                    for i in (0..n).filter(|&i| roles[k][i] == Role::Weighed) {
                        for (s, x) in m_sum[i].iter_mut().zip(&run.m[i]) {
                            *s += x;
                        }
                        m_runs[i] += 1;
                    }
                }
            }
        }
        if let Some(i) = m_runs.iter().position(|&r| r == 0) {
            return Err(Error::argument(format!(
                "m of '{}' cannot be trained: every blocking rule makes it equal; add a blocking rule without it (or give a model)",
                self.rules.compare[i].label()
            )));
        }
        for run in runs.iter().flatten() {
            iterations.push(run.iterations);
            shares.push(run.lambda);
            converged &= run.converged;
        }
        let m = averaged(&m_sum, &m_runs);
        // The expected matches among the sampled rows' candidates: the
        // union's share by the trained model; but a windowed rule's
        // non-matches look like matches to the random pairs' u, so with
        // windows it is the largest of the rules' own EM estimates.
        let expected_matches = if (0..blocking.len()).any(windowed) {
            runs.iter()
                .zip(&found.rule_pairs)
                .filter_map(|(run, &pairs)| run.as_ref().map(|r| r.lambda * pairs as f64))
                .fold(0.0, f64::max)
        } else {
            model::share_of_matches(&sorted(std::mem::take(&mut found.union)), &m, &u) * found.union_pairs as f64
        };
        // Matches per sampled left row, for every left row.
        let all_pairs = (sampled_rows.max(1) as f64) * (self.right.rows.len() as f64);
        let prior = (expected_matches / all_pairs.max(1.0)).clamp(1e-12, 0.5);
        let comparisons = (0..n)
            .map(|i| ComparisonModel {
                columns: comparison::columns_label(&self.rules.compare[i]),
                levels: self.levels[i]
                    .iter()
                    .enumerate()
                    .map(|(l, level)| LevelModel { level: level.name(), m: m[i][l], u: u[i][l] })
                    .collect(),
            })
            .collect();
        let model = Model {
            prior,
            comparisons,
            training: Some(Training {
                random_pairs,
                blocked_pairs: found.rule_pairs.clone(),
                em_iterations: iterations,
                em_match_share: shares,
                converged,
                sampled_left_rows: sampled_rows as u64,
            }),
        };
        Ok((model, keep.then_some(found)))
    }

    /// A level's weight for a pair: log2(m / u), u the value's share of its
    /// column for an exact agreement under term frequency.
    fn level_weight(&self, i: usize, level: u8, value: &Value) -> f64 {
        match (level, &self.term_frequencies[i]) {
            (NULL_LEVEL, _) => 0.0,
            (0, Some(tf)) => model::log2(self.model.comparisons[i].levels[0].m / tf.of(value)),
            (l, _) => self.level_weights[i][l as usize],
        }
    }

    fn pair_weight(&self, l: &Row, levels: &[u8]) -> f64 {
        self.prior_weight
            + levels.iter().enumerate().map(|(i, &lv)| self.level_weight(i, lv, &l.values[i])).sum::<f64>()
    }

    /// Pass two: every candidate pair weighed; pairs reaching min_score
    /// kept, best weight first; each row's best candidate remembered.
    fn score(&mut self, blocking: &[BlockingRule], indexes: &[RuleIndex], stored: Option<Counted>) -> Result<()> {
        let slices = match stored {
            None => {
                let slices: Vec<usize> = (0..self.left.rows.len().div_ceil(LEFT_SLICE)).collect();
                self.scan(blocking, indexes, false, &slices, |s: &mut Scored, _, _, li, ri, vector| {
                    self.weigh(s, li, ri, vector)
                })?
            }
            Some(counted) => {
                let n = self.levels.len().max(1);
                let chunks = counted.stored.len().div_ceil(LEFT_SLICE * 8);
                crate::parallel::map_in_order_with(
                    chunks,
                    || (),
                    |_, c| {
                        let mut s = Scored::default();
                        let range = c * LEFT_SLICE * 8..((c + 1) * LEFT_SLICE * 8).min(counted.stored.len());
                        for p in range {
                            let (li, ri) = counted.stored[p];
                            self.weigh(&mut s, li, ri, &counted.stored_vectors[p * n..(p + 1) * n]);
                        }
                        s
                    },
                )
            }
        };
        let mut pairs = Vec::new();
        for slice in slices {
            pairs.extend(slice.kept);
            for (li, ri, w) in slice.nearest_left {
                let best = &mut self.nearest[0][li as usize];
                if better(*best, ri, w) {
                    *best = Some((ri, w));
                }
            }
            for (ri, (li, w)) in slice.nearest_right {
                let best = &mut self.nearest[1][ri as usize];
                if better(*best, li, w) {
                    *best = Some((li, w));
                }
            }
        }
        super::sort_best_first(&mut pairs);
        self.pairs = pairs;
        Ok(())
    }

    /// Weighs a candidate pair into a slice's scores.
    fn weigh(&self, s: &mut Scored, li: u32, ri: u32, vector: &[u8]) {
        let w = self.pair_weight(&self.left.rows[li as usize], vector);
        match s.nearest_left.last_mut() {
            Some(best) if best.0 == li => {
                if better(Some((best.1, best.2)), ri, w) {
                    *best = (li, ri, w);
                }
            }
            _ => s.nearest_left.push((li, ri, w)),
        }
        let right_best = s.nearest_right.entry(ri).or_insert((li, w));
        if better(Some(*right_best), li, w) {
            *right_best = (li, w);
        }
        if model::probability(w) >= self.rules.min_score {
            s.kept.push(Pair { score: w, left: li, right: ri });
        }
    }

    /// A pair's match probability as shown (4 decimals).
    pub fn shown(&self, weight: f64) -> f64 {
        shown(model::probability(weight))
    }

    /// The best-weighted candidate of a row (side 0 left, 1 right).
    pub fn nearest(&self, side: usize, row: usize) -> Option<(u32, f64)> {
        self.nearest[side][row]
    }

    /// Each comparison of a pair: level, weight, m and u.
    pub fn reasons(&self, l: &Row, r: &Row, similarity: &mut Similarity) -> Vec<Reason> {
        let (ls, rs) = (self.left, self.right);
        let mut out = Vec::with_capacity(self.levels.len());
        for i in 0..self.levels.len() {
            let level = self.level(i, l, r, similarity);
            let (lc, rc) = (ls.columns.compare[i], rs.columns.compare[i]);
            let cells = format!("'{}' ~ '{}'", ls.cell(l, lc).trim(), rs.cell(r, rc).trim());
            let w = self.level_weight(i, level, &l.values[i]);
            let (level_name, detail) = if level == NULL_LEVEL {
                ("null".to_string(), format!("{cells}: a blank cell says nothing"))
            } else {
                let lm = &self.model.comparisons[i].levels[level as usize];
                let tf = match (&self.term_frequencies[i], level) {
                    (Some(tf), 0) => format!(", u {:.6} from this value's share (term frequency)", tf.of(&l.values[i])),
                    _ => String::new(),
                };
                (lm.level.clone(), format!("{cells}: {} (m {:.6}, u {:.6}{tf})", lm.level, lm.m, lm.u))
            };
            out.push(Reason {
                rule: "compare",
                columns: format!("{} / {}", ls.header(lc), rs.header(rc)),
                passed: w > 0.0,
                score: None,
                level: Some(level_name),
                weight: Some(shown(w)),
                detail,
            });
        }
        out
    }

    /// Why a row without candidates has none.
    pub fn nothing_near(&self, other: &str) -> String {
        let rules: Vec<String> = self
            .rules
            .blocking
            .iter()
            .map(|items| items.iter().map(|i| i.column().to_string()).collect::<Vec<_>>().join(" + "))
            .collect();
        if rules.is_empty() {
            format!("no {other} row shares its keys")
        } else {
            format!("no {other} row agrees on any blocking rule ({})", rules.join("; "))
        }
    }
}

/// Random pairs' right cells grouped by their left value (a counting sort).
struct ByLeft {
    starts: Vec<usize>,
    right_cells: Vec<u32>,
}

impl ByLeft {
    fn partners(&self, value: usize) -> &[u32] {
        let end = self.starts.get(value + 1).copied().unwrap_or(self.right_cells.len());
        &self.right_cells[self.starts[value]..end]
    }
}

fn group_by_left(values: usize, draws: impl Iterator<Item = (u32, u32)> + Clone) -> ByLeft {
    let mut starts = vec![0usize; values];
    for (l, _) in draws.clone() {
        starts[l as usize] += 1;
    }
    let mut at = 0;
    for s in &mut starts {
        (*s, at) = (at, at + *s);
    }
    let mut next = starts.clone();
    let mut right_cells = vec![0u32; at];
    for (l, r) in draws {
        right_cells[next[l as usize]] = r;
        next[l as usize] += 1;
    }
    ByLeft { starts, right_cells }
}
