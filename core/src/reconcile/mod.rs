//! Reconciliation: what was expected (left) against what arrived (right),
//! matched one-to-one and explained row by row. Spec: reconciliation.md.
//!
//! Pairs are formed within a key and a search window (`blocking`), scored
//! (`score`), and chosen best score first, ties by left row then right row.
//! Every row ends in exactly one class: matched, unmatched (with its
//! nearest miss and why) or rejected (a cell that cannot be read).

mod blocking;
mod comparison;
mod explain;
mod fellegi_sunter;
mod match_summary;
pub mod names;
mod probabilistic;
mod render;
mod rows;
pub mod rules;
mod score;
mod text_distance;
mod truth;

use serde::Serialize;

use crate::model::error::{Error, Result};
use crate::model::load_summary::LoadSummary;
use crate::model::money::cents_to_decimal;
use crate::model::num::Num;
use crate::source::{read_csv, TextTable};
use blocking::{Index, Mode, Probe};
pub use explain::{Reason, RowRef};
pub use match_summary::{Amounts, MatchSummary, Month};
use names::{Similarity, Vocabulary};
pub use render::{csv as to_csv, table as to_table};
use rows::{read_side, Row, Side, Which};
pub use rules::Rules;
use score::Scorer;
pub use truth::{evaluate, Evaluation};

/// A matched pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub left: RowRef,
    pub right: RowRef,
    /// Weighted mean of the rule parts (probabilistic mode: the match
    /// probability), 4 decimals.
    pub score: f64,
    /// Probabilistic mode: the match weight (log2 odds), 4 decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_weight: Option<f64>,
    /// right - left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_difference: Option<Num>,
    /// right - left, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_difference_days: Option<i64>,
    pub reasons: Vec<Reason>,
}

/// The row of the other side that came closest to an unmatched row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearMiss {
    pub row: RowRef,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// A row left without a partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmatched {
    pub row: RowRef,
    /// Why it is unmatched, in words.
    pub why: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<NearMiss>,
}

/// The result of a reconciliation (serde JSON; see `to_json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub engine_version: String,
    pub rules: Rules,
    /// What was read on each side; rejected records are listed in `errors`.
    pub left: LoadSummary,
    pub right: LoadSummary,
    pub summary: MatchSummary,
    pub matched: Vec<Match>,
    pub unmatched_left: Vec<Unmatched>,
    pub unmatched_right: Vec<Unmatched>,
}

impl Reconciliation {
    pub fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self).map_err(Error::engine)?;
        text.push('\n');
        Ok(text)
    }

    /// Probabilistic mode: the model used (trained or given), as JSON.
    pub fn model_json(&self) -> Option<String> {
        self.rules.model.as_ref().and_then(|m| serde_json::to_string_pretty(m).ok()).map(|mut t| {
            t.push('\n');
            t
        })
    }

    /// The result as `json`, `csv` or `table` text.
    pub fn render(&self, format: &str) -> Result<String> {
        match format.trim().to_ascii_lowercase().as_str() {
            "json" => self.to_json(),
            "csv" => render::csv(self),
            "table" => Ok(render::table(self)),
            other => Err(Error::argument(format!("unknown reconciliation format '{other}'; use json, csv or table"))),
        }
    }
}

/// One input: the bytes of a CSV file and the name to report it by.
pub struct CsvFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Options beyond the rules.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Reconcile the readable rows and list the rest as rejected, instead of
    /// failing on the first unreadable record.
    pub lenient: bool,
    /// Header renames applied before the rules look for columns (a file's
    /// own header -> the name the rules use), for each side.
    pub left_renames: Vec<(String, String)>,
    pub right_renames: Vec<(String, String)>,
}

impl Options {
    /// Reads a header-rename mapping: `{"left": {"Sale Date": "date"},
    /// "right": {"Redeemed": "date"}}` (file header -> name in the rules).
    pub fn with_mapping_json(mut self, text: &str) -> Result<Options> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Renames {
            #[serde(default)]
            left: std::collections::BTreeMap<String, String>,
            #[serde(default)]
            right: std::collections::BTreeMap<String, String>,
        }
        let renames: Renames = serde_json::from_str(text).map_err(|e| {
            Error::mapping(format!("reconciliation mapping: {e}; expected {{\"left\": {{\"<file header>\": \"<rules column>\"}}, \"right\": {{...}}}}"))
        })?;
        self.left_renames = renames.left.into_iter().collect();
        self.right_renames = renames.right.into_iter().collect();
        Ok(self)
    }
}

/// Reconciles two CSV files.
pub fn reconcile_csv(left: CsvFile, right: CsvFile, rules: &Rules, options: &Options) -> Result<Reconciliation> {
    let read = |input: &CsvFile, renames: &[(String, String)]| -> Result<TextTable> {
        let mut table = read_csv(input.bytes, None, None, input.name)?;
        rename_headers(&mut table, renames, input.name)?;
        Ok(table)
    };
    let left_table = read(&left, &options.left_renames)?;
    let right_table = read(&right, &options.right_renames)?;
    reconcile_tables(left_table, left.name, right_table, right.name, rules, options.lenient)
}

fn rename_headers(table: &mut TextTable, renames: &[(String, String)], source: &str) -> Result<()> {
    for (from, to) in renames {
        match table.headers.iter().position(|h| h == from.trim()) {
            Some(i) => table.headers[i] = to.clone(),
            None => {
                return Err(Error::mapping(format!(
                    "{source}: the mapping renames '{from}' but the file has no such header; headers found: {}",
                    table.headers.join(", ")
                )))
            }
        }
    }
    Ok(())
}

/// Reconciles two text tables (CSV already read, or Arrow as text).
pub(crate) fn reconcile_tables(
    left: TextTable,
    left_name: &str,
    right: TextTable,
    right_name: &str,
    rules: &Rules,
    lenient: bool,
) -> Result<Reconciliation> {
    let mut vocabulary = Vocabulary::default();
    let left = read_side(left, left_name, rules, Which::Left, lenient, &mut vocabulary)?;
    let right = read_side(right, right_name, rules, Which::Right, lenient, &mut vocabulary)?;
    if rules.mode == rules::MatchMode::Probabilistic {
        let engine = probabilistic::Engine::new(rules, &left, &right, &vocabulary)?;
        // The result's rules carry the model used, to be given again.
        let mut result = Matcher::new(rules, &left, &right, &vocabulary, Some(&engine)).run();
        result.rules.model = Some(engine.model.clone());
        return Ok(result);
    }
    Ok(Matcher::new(rules, &left, &right, &vocabulary, None).run())
}

fn mode(rules: &Rules) -> Mode {
    match (&rules.date, &rules.amount, rules.fuzzy.is_empty()) {
        (None, None, true) => Mode::All,
        (None, None, false) => Mode::Name,
        (date, amount, _) => Mode::DayAmount { by_day: date.is_some(), by_amount: amount.is_some() },
    }
}

/// Each row's partner on the other side (row index) and the pair's score.
type Partners = [Option<(u32, f64)>];

/// A candidate pair that may be matched.
#[derive(Debug, Clone, Copy)]
struct Pair {
    score: f64,
    left: u32,
    right: u32,
}

/// Pairs in the order they are taken: best score first, ties by left row
/// then right row.
fn sort_best_first(pairs: &mut [Pair]) {
    pairs.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.left.cmp(&b.left)).then(a.right.cmp(&b.right)));
}

struct Matcher<'a> {
    rules: &'a Rules,
    scorer: Scorer<'a>,
    left: &'a Side,
    right: &'a Side,
    left_index: Index<'a>,
    right_index: Index<'a>,
    vocabulary: &'a Vocabulary,
    /// Probabilistic mode's trained model and scored pairs.
    engine: Option<&'a probabilistic::Engine<'a>>,
}

/// Runs `work` over chunks of 0..n on the available cores; results in order.
fn in_chunks<T: Send>(n: usize, work: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    let threads = crate::parallel::cores().min(8);
    if threads <= 1 || n < 4096 {
        return work(0..n);
    }
    let size = n.div_ceil(threads);
    crate::parallel::map_in_order_with(threads, || (), |_, t| work(t * size..((t + 1) * size).min(n)))
        .into_iter()
        .flatten()
        .collect()
}

impl<'a> Matcher<'a> {
    fn new(
        rules: &'a Rules,
        left: &'a Side,
        right: &'a Side,
        vocabulary: &'a Vocabulary,
        engine: Option<&'a probabilistic::Engine<'a>>,
    ) -> Matcher<'a> {
        let mode = mode(rules);
        Matcher {
            rules,
            scorer: Scorer::new(rules),
            left,
            right,
            left_index: Index::new(&left.rows, mode, vocabulary),
            right_index: Index::new(&right.rows, mode, vocabulary),
            vocabulary,
            engine,
        }
    }

    fn tolerance_days(&self) -> u32 {
        self.rules.date.as_ref().map_or(0, |d| d.tolerance_days)
    }

    /// The probe of a row into the other side; `widen` looks further for
    /// near misses: three times the date tolerance and a week more, and any
    /// amount within a key (or, without keys, three times the allowance and
    /// a tenth of the amount more).
    fn probe<'r>(&self, row: &'r Row, widen: bool) -> Option<Probe<'r>> {
        let t = self.tolerance_days();
        let any_amount = widen && !self.rules.keys.is_empty();
        let cents = row.cents.filter(|_| !any_amount).map(|c| {
            let allowed = self.scorer.allowance.cents_ceiling(c);
            let reach = if widen {
                allowed.saturating_mul(3).saturating_add(c.saturating_abs() / 10).saturating_add(100)
            } else {
                allowed
            };
            (c.saturating_sub(reach), c.saturating_add(reach))
        });
        Some(Probe {
            key: row.key.as_deref()?,
            day: row.day,
            day_radius: if widen { t.saturating_mul(3).saturating_add(7) } else { t },
            cents,
            name: row.names.first().map(|n| &n.words[..]),
        })
    }

    fn candidate_pairs(&self) -> Vec<Pair> {
        if let Some(engine) = self.engine {
            return engine.pairs.clone();
        }
        let mut pairs = in_chunks(self.left.rows.len(), |range| {
            let mut found = Vec::new();
            let mut candidates = Vec::new();
            let mut similarity = Similarity::new(self.vocabulary);
            for li in range {
                let l = &self.left.rows[li];
                let Some(probe) = self.probe(l, false) else { continue };
                self.right_index.candidates(&probe, &mut candidates);
                for &ri in &candidates {
                    if let Some(score) = self.scorer.match_score(l, &self.right.rows[ri as usize], &mut similarity) {
                        found.push(Pair { score, left: li as u32, right: ri });
                    }
                }
            }
            found
        });
        sort_best_first(&mut pairs);
        pairs
    }

    fn run(&self) -> Reconciliation {
        let pairs = self.candidate_pairs();
        let (nl, nr) = (self.left.rows.len(), self.right.rows.len());
        let mut left_partner: Vec<Option<(u32, f64)>> = vec![None; nl];
        let mut right_partner: Vec<Option<(u32, f64)>> = vec![None; nr];
        // The best pair each row lost to another row's better pair.
        let mut left_lost: Vec<Option<Pair>> = vec![None; nl];
        let mut right_lost: Vec<Option<Pair>> = vec![None; nr];
        for p in &pairs {
            let (l, r) = (p.left as usize, p.right as usize);
            match (left_partner[l], right_partner[r]) {
                (None, None) => {
                    left_partner[l] = Some((p.right, p.score));
                    right_partner[r] = Some((p.left, p.score));
                }
                _ => {
                    left_lost[l].get_or_insert(*p);
                    right_lost[r].get_or_insert(*p);
                }
            }
        }
        drop(pairs);

        let matched: Vec<Match> = in_chunks(nl, |range| {
            let mut similarity = Similarity::new(self.vocabulary);
            range
                .filter_map(|li| {
                    left_partner[li].map(|(ri, score)| self.matched(li, ri as usize, score, &mut similarity))
                })
                .collect()
        });
        let unmatched_of = |which: Which, lost: &[Option<Pair>]| {
            let partners = if which == Which::Left { &left_partner } else { &right_partner };
            in_chunks(partners.len(), |range| {
                let mut similarity = Similarity::new(self.vocabulary);
                range
                    .filter(|&i| partners[i].is_none())
                    .map(|i| self.unmatched(which, i, lost[i], (&left_partner, &right_partner), &mut similarity))
                    .collect()
            })
        };
        let unmatched_left = unmatched_of(Which::Left, &left_lost);
        let unmatched_right = unmatched_of(Which::Right, &right_lost);

        let month = |row: &Row| row.day.map(crate::model::dates::month_key_of_days);
        let entries = (0..nl)
            .map(|li| {
                let l = &self.left.rows[li];
                match left_partner[li] {
                    Some((ri, _)) => match_summary::Entry::Matched {
                        month: month(l),
                        left_cents: l.cents,
                        right_cents: self.right.rows[ri as usize].cents,
                    },
                    None => match_summary::Entry::UnmatchedLeft { month: month(l), cents: l.cents },
                }
            })
            .chain((0..nr).filter(|&ri| right_partner[ri].is_none()).map(|ri| {
                let r = &self.right.rows[ri];
                match_summary::Entry::UnmatchedRight { month: month(r), cents: r.cents }
            }));
        let totals = match_summary::Totals {
            left_records: self.left.summary.records_read,
            right_records: self.right.summary.records_read,
            rejected_left: self.left.summary.records_rejected,
            rejected_right: self.right.summary.records_rejected,
            has_amounts: self.rules.amount.is_some()
                || self.rules.compare.iter().any(|c| c.kind == rules::CompareKind::Amount),
        };
        Reconciliation {
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            rules: self.rules.clone(),
            left: self.left.summary.clone(),
            right: self.right.summary.clone(),
            summary: match_summary::summarize(totals, entries),
            matched,
            unmatched_left,
            unmatched_right,
        }
    }

    fn pair_rows(&self, which: Which, this: usize, other: usize) -> ((&Side, &Row), (&Side, &Row)) {
        let (li, ri) = if which == Which::Left { (this, other) } else { (other, this) };
        ((self.left, &self.left.rows[li]), (self.right, &self.right.rows[ri]))
    }

    /// A pair's score as shown: the rules' score, or the match probability
    /// of a probabilistic pair's weight.
    fn shown(&self, score: f64) -> f64 {
        match self.engine {
            Some(engine) => engine.shown(score),
            None => explain::shown(score),
        }
    }

    fn pair_reasons(&self, l: &Row, r: &Row, similarity: &mut Similarity) -> Vec<Reason> {
        match self.engine {
            Some(engine) => engine.reasons(l, r, similarity),
            None => explain::reasons(&self.scorer, similarity, (self.left, l), (self.right, r)),
        }
    }

    fn matched(&self, li: usize, ri: usize, score: f64, similarity: &mut Similarity) -> Match {
        let (l, r) = (&self.left.rows[li], &self.right.rows[ri]);
        Match {
            left: explain::row_ref(self.left, l),
            right: explain::row_ref(self.right, r),
            score: self.shown(score),
            match_weight: self.engine.map(|_| explain::shown(score)),
            amount_difference: l.cents.zip(r.cents).map(|(a, b)| Num::money(cents_to_decimal(b - a))),
            date_difference_days: l.day.zip(r.day).map(|(a, b)| i64::from(b) - i64::from(a)),
            reasons: self.pair_reasons(l, r, similarity),
        }
    }

    /// Why a row is unmatched: the pair it lost, else the nearest candidate
    /// in a wider window and the parts it failed, else that there was none.
    fn unmatched(
        &self,
        which: Which,
        this: usize,
        lost: Option<Pair>,
        (left_partner, right_partner): (&Partners, &Partners),
        similarity: &mut Similarity,
    ) -> Unmatched {
        let (side, other_side, other_index, partners_of_other) = match which {
            Which::Left => (self.left, self.right, &self.right_index, right_partner),
            Which::Right => (self.right, self.left, &self.left_index, left_partner),
        };
        let row = &side.rows[this];
        let this_ref = explain::row_ref(side, row);
        let other_name = match which {
            Which::Left => "right",
            Which::Right => "left",
        };
        let near_miss = |other: usize, score: f64, similarity: &mut Similarity| {
            let ((_, l), (_, r)) = self.pair_rows(which, this, other);
            NearMiss {
                row: explain::row_ref(other_side, &other_side.rows[other]),
                score: self.shown(score),
                reasons: self.pair_reasons(l, r, similarity),
            }
        };
        let taken_by = |other: usize| -> String {
            match partners_of_other[other] {
                Some((partner, score)) => format!(
                    "{} record {} is matched to {} record {} with score {}",
                    other_name,
                    other_side.record(&other_side.rows[other]).record,
                    which.name(),
                    side.record(&side.rows[partner as usize]).record,
                    self.shown(score)
                ),
                None => String::new(),
            }
        };
        if let Some(p) = lost {
            let other = if which == Which::Left { p.right } else { p.left } as usize;
            let tie = partners_of_other[other].is_some_and(|(_, score)| score == p.score);
            let why = if tie {
                format!(
                    "its best match was taken: {}, the same score; ties go to the earlier row (a duplicate?)",
                    taken_by(other)
                )
            } else {
                format!("its best match was taken: {} (this pair scored {})", taken_by(other), self.shown(p.score))
            };
            return Unmatched { row: this_ref, why, near_miss: Some(near_miss(other, p.score, similarity)) };
        }
        if let Some(engine) = self.engine {
            let side_index = if which == Which::Left { 0 } else { 1 };
            return match engine.nearest(side_index, this) {
                None => Unmatched { row: this_ref, why: engine.nothing_near(other_name), near_miss: None },
                Some((other, weight)) => {
                    let miss = near_miss(other as usize, weight, similarity);
                    let mut why = format!(
                        "closest {other_name} record {}: match probability {} is below min_score {}",
                        miss.row.record, miss.score, self.rules.min_score
                    );
                    let taken = taken_by(other as usize);
                    if !taken.is_empty() {
                        why = format!("{why}; {taken}");
                    }
                    Unmatched { row: this_ref, why, near_miss: Some(miss) }
                }
            };
        }
        let Some(probe) = self.probe(row, true) else {
            let blank: Vec<&str> = side.columns.keys.iter().map(|&c| side.header(c)).collect();
            return Unmatched {
                row: this_ref,
                why: format!("a key cell is blank ({})", blank.join(", ")),
                near_miss: None,
            };
        };
        let mut candidates = Vec::new();
        other_index.candidates(&probe, &mut candidates);
        let best = candidates
            .iter()
            .map(|&o| {
                let (l, r) = self.pair_rows(which, this, o as usize);
                (self.scorer.score(l.1, r.1, similarity), o as usize)
            })
            .max_by(|a, b| a.0.total.total_cmp(&b.0.total).then(b.1.cmp(&a.1)));
        match best {
            None => Unmatched { row: this_ref, why: self.nothing_near(which), near_miss: None },
            Some((s, other)) => {
                let miss = near_miss(other, s.total, similarity);
                let mut why = explain::failures(&miss.reasons);
                if why.is_empty() {
                    why = format!("score {} is below min_score {}", explain::shown(s.total), self.rules.min_score);
                }
                let taken = taken_by(other);
                if !taken.is_empty() {
                    why = format!("{why}; {taken}");
                }
                Unmatched {
                    row: this_ref,
                    why: format!("closest {other_name} record {}: {why}", miss.row.record),
                    near_miss: Some(miss),
                }
            }
        }
    }

    fn nothing_near(&self, which: Which) -> String {
        let other = if which == Which::Left { "right" } else { "left" };
        let mut within = Vec::new();
        if !self.rules.keys.is_empty() {
            within.push("the same key".to_string());
        }
        if self.rules.date.is_some() {
            within.push(format!("a date within {} days", self.tolerance_days().saturating_mul(3).saturating_add(7)));
        }
        if self.rules.amount.is_some() && self.rules.keys.is_empty() {
            within.push("an amount near it".to_string());
        }
        if within.is_empty() {
            format!("the {other} file has no rows to compare")
        } else {
            format!("no {other} row has {}", within.join(" and "))
        }
    }
}
