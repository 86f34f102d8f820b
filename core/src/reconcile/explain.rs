//! Words for a pair: each rule part with both values, its score and whether
//! it passed; and the row references the result shows.

use serde::Serialize;

use super::names::{Similarity, WordMatch};
use super::rows::{normalize_key, Row, Side};
use super::score::Scorer;
use crate::model::dates::iso_date;
use crate::model::money::cents_to_decimal;
use crate::model::num::Num;

/// A row as the result names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowRef {
    /// 1-based data record number in its file.
    pub record: u64,
    /// 1-based physical line the record starts on.
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Num>,
}

/// One rule part of a pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `key`, `date`, `amount` or `fuzzy`; `compare` in probabilistic mode.
    pub rule: &'static str,
    /// Left and right column headers.
    pub columns: String,
    pub passed: bool,
    /// The part's score in [0, 1] (keys are not scored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Probabilistic mode: the agreement level and its match weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    pub detail: String,
}

/// A score as shown: 4 decimals.
pub fn shown(score: f64) -> f64 {
    (score * 10_000.0).round() / 10_000.0
}

pub(crate) fn row_ref(side: &Side, row: &Row) -> RowRef {
    let rec = side.record(row);
    RowRef {
        record: rec.record,
        line: rec.line,
        id: side.columns.id.map(|c| side.cell(row, c).trim().to_string()),
        date: row.day.map(iso_date),
        amount: row.cents.map(|c| Num::money(cents_to_decimal(c))),
    }
}

fn days(n: u64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// Every part of a pair, in rule order: keys, date, amount, fuzzy.
pub(crate) fn reasons(
    scorer: &Scorer,
    similarity: &mut Similarity,
    left: (&Side, &Row),
    right: (&Side, &Row),
) -> Vec<Reason> {
    let ((ls, l), (rs, r)) = (left, right);
    let rules = scorer.rules;
    let columns = |lc: usize, rc: usize| format!("{} / {}", ls.header(lc), rs.header(rc));
    let mut out = Vec::new();
    for (i, key) in rules.keys.iter().enumerate() {
        let (lc, rc) = (ls.columns.keys[i], rs.columns.keys[i]);
        let (lv, rv) = (normalize_key(ls.cell(l, lc), key.digits_only), normalize_key(rs.cell(r, rc), key.digits_only));
        let passed = lv == rv && !lv.is_empty();
        let detail = if passed { format!("equal ('{lv}')") } else { format!("'{lv}' differs from '{rv}'") };
        out.push(Reason {
            rule: "key",
            columns: columns(lc, rc),
            passed,
            score: None,
            level: None,
            weight: None,
            detail,
        });
    }
    if let (Some(rule), Some(part), Some(lc), Some(rc)) =
        (&rules.date, scorer.date(l, r), ls.columns.date, rs.columns.date)
    {
        let diff = i64::from(r.day.unwrap_or(0)) - i64::from(l.day.unwrap_or(0));
        let what = match diff {
            0 => "same day".to_string(),
            d if d > 0 => format!("right is {} later", days(d.unsigned_abs())),
            d => format!("right is {} earlier", days(d.unsigned_abs())),
        };
        let detail = format!(
            "{what} ({} / {}; tolerance {})",
            iso_date(l.day.unwrap_or(0)),
            iso_date(r.day.unwrap_or(0)),
            days(rule.tolerance_days.into())
        );
        out.push(Reason {
            rule: "date",
            columns: columns(lc, rc),
            passed: part.passed,
            score: Some(shown(part.score)),
            level: None,
            weight: None,
            detail,
        });
    }
    if let (Some(rule), Some(part), Some(&rc)) = (&rules.amount, scorer.amount(l, r), rs.columns.amount.first()) {
        let (lc_cents, rc_cents) = (l.cents.unwrap_or(0), r.cents.unwrap_or(0));
        let diff = rc_cents - lc_cents;
        let what = match diff {
            0 => "equal".to_string(),
            d if d > 0 => format!("right is {} more", cents_to_decimal(d)),
            d => format!("right is {} less", cents_to_decimal(-d)),
        };
        let allowance = match (rule.tolerance, rule.tolerance_pct) {
            (None, None) => "exact match required".to_string(),
            (t, p) => {
                let parts: Vec<String> = t
                    .map(|t| t.to_string())
                    .into_iter()
                    .chain(p.map(|p| format!("{p}% of {}", cents_to_decimal(lc_cents.abs()))))
                    .collect();
                format!("allowed {} ({})", scorer.allowance.amount(lc_cents), parts.join(" + "))
            }
        };
        let left_columns: Vec<&str> = ls.columns.amount.iter().map(|&c| ls.header(c)).collect();
        let detail = format!("{what} ({} / {}; {allowance})", cents_to_decimal(lc_cents), cents_to_decimal(rc_cents));
        out.push(Reason {
            rule: "amount",
            columns: format!("{} / {}", left_columns.join(" x "), rs.header(rc)),
            passed: part.passed,
            score: Some(shown(part.score)),
            level: None,
            weight: None,
            detail,
        });
    }
    for (i, rule) in rules.fuzzy.iter().enumerate() {
        let part = scorer.fuzzy(i, l, r, similarity);
        let weakest = similarity.name_match(&l.names[i], &r.names[i]).kind;
        let vocabulary = similarity.vocabulary();
        let (lc, rc) = (ls.columns.names[i], rs.columns.names[i]);
        let detail = format!(
            "'{}' ~ '{}' as '{}' ~ '{}' (weakest words: {}; minimum {})",
            ls.cell(l, lc).trim(),
            rs.cell(r, rc).trim(),
            vocabulary.text(&l.names[i].words),
            vocabulary.text(&r.names[i].words),
            word_match_name(weakest),
            rule.min_similarity
        );
        out.push(Reason {
            rule: "fuzzy",
            columns: columns(lc, rc),
            passed: part.passed,
            score: Some(shown(part.score)),
            level: None,
            weight: None,
            detail,
        });
    }
    out
}

/// How two words agreed, in words.
pub(crate) fn word_match_name(kind: WordMatch) -> &'static str {
    match kind {
        WordMatch::Exact => "equal",
        WordMatch::Nickname => "nickname",
        WordMatch::Fuzzy => "spelling",
        WordMatch::Initial => "initial",
    }
}

/// The parts that failed, in words ("amount: right is 12.50 less (...)").
pub(crate) fn failures(reasons: &[Reason]) -> String {
    reasons.iter().filter(|r| !r.passed).map(|r| format!("{}: {}", r.rule, r.detail)).collect::<Vec<_>>().join("; ")
}
