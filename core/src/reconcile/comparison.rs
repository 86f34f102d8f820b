//! Probabilistic mode's rules: a compared column and its agreement levels,
//! best first (the level of a pair is the first that applies; a blank cell
//! on either side is null and counts neither way), blocking items, and the
//! checks that the rules and a given model can work.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::fellegi_sunter::Model;
use super::names::{NameMatch, WordMatch};
use super::text_distance::{edits_at_most, jaro_winkler_at_least, JaroWinklerFrom};
use crate::load::mapping::HeaderSpec;
use crate::model::error::{Error, Result};

/// What a column holds, which decides its levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareKind {
    /// Free text: exact, edit-distance bands, Jaro-Winkler bands.
    #[default]
    Text,
    /// A person's name: exact, nickname, Jaro-Winkler bands, initial.
    Name,
    /// Codes that agree or not (postcodes, street numbers).
    Exact,
    /// Dates: exact, one typo in the written date, day bands.
    Date,
    /// Money: exact, absolute bands, percent bands.
    Amount,
}

/// One JSON scalar, string or number, as an exact decimal (never through a
/// float); None for null.
fn json_decimal(raw: &serde_json::value::RawValue) -> std::result::Result<Option<Decimal>, String> {
    let text = crate::model::money::json_scalar_text(raw)?;
    text.map(|t| Decimal::from_str_exact(t.trim()).map_err(|_| format!("'{t}' is not a decimal number"))).transpose()
}

/// An exact decimal given as a JSON string or number.
pub(crate) fn exact_decimal<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Decimal>, D::Error> {
    let raw: Box<serde_json::value::RawValue> = Deserialize::deserialize(d)?;
    json_decimal(&raw).map_err(serde::de::Error::custom)
}

/// An exact decimal written as a JSON number with its digits.
pub(crate) fn exact_number<S: serde::Serializer>(
    value: &Option<Decimal>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    value.map(crate::model::num::Num).serialize(s)
}

/// Exact decimals given as JSON strings or numbers.
fn exact_decimals<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Decimal>, D::Error> {
    let raw: Vec<Box<serde_json::value::RawValue>> = Deserialize::deserialize(d)?;
    raw.iter()
        .map(|r| json_decimal(r)?.ok_or_else(|| "a band is null".to_string()))
        .collect::<std::result::Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

fn exact_numbers<S: serde::Serializer>(values: &[Decimal], s: S) -> std::result::Result<S::Ok, S::Error> {
    values.iter().map(|v| crate::model::num::Num(*v)).collect::<Vec<_>>().serialize(s)
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One column compared on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// What blocking rules call it (default: the first left header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub left: HeaderSpec,
    pub right: HeaderSpec,
    #[serde(default)]
    pub kind: CompareKind,
    /// Exact agreement on a common value weighs less than on a rare one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub term_frequency: bool,
    /// Text: Damerau-Levenshtein distance bands (at most this many edits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edit_distance: Vec<u32>,
    /// Text and names: Jaro-Winkler similarity bands (at least this much).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jaro_winkler: Vec<f64>,
    /// Dates: day bands (at most this many days apart).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub within_days: Vec<u32>,
    /// Amounts: absolute bands (at most this much apart).
    #[serde(
        default,
        deserialize_with = "exact_decimals",
        serialize_with = "exact_numbers",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub within_amount: Vec<Decimal>,
    /// Amounts: bands in percent of the left amount.
    #[serde(
        default,
        deserialize_with = "exact_decimals",
        serialize_with = "exact_numbers",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub within_percent: Vec<Decimal>,
    /// Dates: a strftime format for both sides' cells (else the accepted forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// An item of a blocking rule: the compared column's values are equal, or
/// (dates and amounts) within a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum BlockingItem {
    Equal(String),
    Window(BlockingWindow),
}

impl<'de> Deserialize<'de> for BlockingItem {
    /// A comparison's name, or a window object (read from its own text so
    /// its amounts stay exact decimals).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<BlockingItem, D::Error> {
        let raw: Box<serde_json::value::RawValue> = Deserialize::deserialize(d)?;
        let text = raw.get().trim();
        if text.starts_with('"') {
            return serde_json::from_str(text).map(BlockingItem::Equal).map_err(serde::de::Error::custom);
        }
        serde_json::from_str(text).map(BlockingItem::Window).map_err(|e| {
            serde::de::Error::custom(format!(
                "a blocking item is a comparison's name or {{\"column\": ..., \"within_days\" | \"within_amount\" | \"within_percent\": ...}}: {e}"
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingWindow {
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    #[serde(
        default,
        deserialize_with = "exact_decimal",
        serialize_with = "exact_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub within_amount: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "exact_decimal",
        serialize_with = "exact_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub within_percent: Option<Decimal>,
}

impl BlockingItem {
    pub fn column(&self) -> &str {
        match self {
            BlockingItem::Equal(c) => c,
            BlockingItem::Window(w) => &w.column,
        }
    }
}

/// A level of agreement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Level {
    Exact,
    Nickname,
    EditDistance(u32),
    JaroWinkler(f64),
    Initial,
    OneTypo,
    WithinDays(u32),
    WithinAmount(Decimal),
    WithinPercent(Decimal),
    Else,
}

impl Level {
    pub fn name(&self) -> String {
        match self {
            Level::Exact => "exact".into(),
            Level::Nickname => "nickname".into(),
            Level::EditDistance(k) => format!("edit distance <= {k}"),
            Level::JaroWinkler(t) => format!("jaro-winkler >= {t}"),
            Level::Initial => "initial".into(),
            Level::OneTypo => "one typo".into(),
            Level::WithinDays(d) => format!("within {d} days"),
            Level::WithinAmount(a) => format!("within {a}"),
            Level::WithinPercent(p) => format!("within {p}%"),
            Level::Else => "else".into(),
        }
    }
}

impl Comparison {
    /// The name blocking rules use.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.left.headers().first().map_or(String::new(), |h| h.to_string()))
    }

    /// The levels, best first, the last `else`.
    pub(crate) fn levels(&self) -> Vec<Level> {
        let mut levels = vec![Level::Exact];
        let jaro_winkler = || {
            if self.jaro_winkler.is_empty() && self.edit_distance.is_empty() {
                vec![0.92, 0.8]
            } else {
                self.jaro_winkler.clone()
            }
        };
        match self.kind {
            CompareKind::Text => {
                levels.extend(self.edit_distance.iter().map(|&k| Level::EditDistance(k)));
                levels.extend(jaro_winkler().into_iter().map(Level::JaroWinkler));
            }
            CompareKind::Name => {
                levels.push(Level::Nickname);
                levels.extend(jaro_winkler().into_iter().map(Level::JaroWinkler));
                levels.push(Level::Initial);
            }
            CompareKind::Exact => {}
            CompareKind::Date => {
                levels.push(Level::OneTypo);
                let days = if self.within_days.is_empty() { vec![1, 31, 366] } else { self.within_days.clone() };
                levels.extend(days.into_iter().map(Level::WithinDays));
            }
            CompareKind::Amount => {
                levels.extend(self.within_amount.iter().map(|&a| Level::WithinAmount(a)));
                let percent = if self.within_percent.is_empty() && self.within_amount.is_empty() {
                    vec![Decimal::ONE, Decimal::TEN]
                } else {
                    self.within_percent.clone()
                };
                levels.extend(percent.into_iter().map(Level::WithinPercent));
            }
        }
        levels.push(Level::Else);
        levels
    }
}

/// A compared cell as read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    Null,
    /// Normalised text (a vocabulary id).
    Text(u32),
    Name(crate::reconcile::names::NameKey),
    /// The day when the cell is a date, and its text (typos compare on it).
    Date {
        day: Option<i32>,
        text: u32,
    },
    Amount(i128),
}

/// Whether `diff` cents is within `allowed` (a decimal amount).
fn within_amount(diff: i128, allowed: Decimal) -> bool {
    Decimal::from_i128_with_scale(diff, 2) <= allowed
}

/// Whether `diff` cents is within `percent`% of `base` cents, exactly.
fn within_percent(diff: i128, base: i128, percent: Decimal) -> bool {
    let scale = 100 * 10i128.pow(percent.scale().min(20));
    diff.saturating_mul(scale) <= percent.mantissa().saturating_mul(base.saturating_abs())
}

/// What a pair's texts and names look like to the levels.
pub(crate) struct PairText<'a> {
    pub left: &'a str,
    pub right: &'a str,
    /// Names only: their weakest word pair.
    pub name: Option<NameMatch>,
    /// The left text's letters prepared for many right texts.
    pub left_prepared: Option<&'a JaroWinklerFrom<'a>>,
}

fn exact(left: &Value, right: &Value, name: Option<NameMatch>) -> bool {
    match (left, right) {
        (Value::Text(a), Value::Text(b)) => a == b,
        (Value::Name(_), Value::Name(_)) => name.is_some_and(|n| n.kind == WordMatch::Exact && n.score == 1.0),
        (Value::Date { day: Some(a), .. }, Value::Date { day: Some(b), .. }) => a == b,
        (Value::Date { text: a, .. }, Value::Date { text: b, .. }) => a == b,
        (Value::Amount(a), Value::Amount(b)) => a == b,
        _ => false,
    }
}

/// The first level that applies to two non-null values, by index. Text
/// distances are measured once, only as far as the loosest band.
pub(crate) fn level_of(levels: &[Level], left: &Value, right: &Value, text: &PairText) -> usize {
    let last = levels.len() - 1;
    if exact(left, right, text.name) {
        return 0;
    }
    let loosest_jaro_winkler =
        levels.iter().filter_map(|l| if let Level::JaroWinkler(t) = l { Some(*t) } else { None }).reduce(f64::min);
    let most_edits = levels
        .iter()
        .filter_map(|l| match l {
            Level::EditDistance(k) => Some(*k as usize),
            Level::OneTypo => Some(1),
            _ => None,
        })
        .max();
    let is_name = matches!(left, Value::Name(_));
    let jaro_winkler = match (loosest_jaro_winkler, is_name) {
        (Some(cutoff), false) => match text.left_prepared {
            Some(prepared) => prepared.at_least(text.right, cutoff),
            None => jaro_winkler_at_least(text.left, text.right, cutoff),
        },
        _ => None,
    };
    let edits = most_edits.and_then(|k| edits_at_most(text.left, text.right, k));
    let applies = |level: &Level| -> bool {
        match (level, left, right) {
            (Level::Nickname, ..) => text.name.is_some_and(|n| n.kind == WordMatch::Nickname),
            (Level::Initial, ..) => text.name.is_some_and(|n| n.kind == WordMatch::Initial),
            (Level::JaroWinkler(t), Value::Name(_), _) => {
                text.name.is_some_and(|n| n.kind == WordMatch::Fuzzy && n.score >= *t)
            }
            (Level::JaroWinkler(t), ..) => jaro_winkler.is_some_and(|s| s >= *t),
            (Level::EditDistance(k), ..) => edits.is_some_and(|e| e <= *k as usize),
            (Level::OneTypo, ..) => edits.is_some_and(|e| e <= 1),
            (Level::WithinDays(d), Value::Date { day: Some(a), .. }, Value::Date { day: Some(b), .. }) => {
                (i64::from(*b) - i64::from(*a)).unsigned_abs() <= u64::from(*d)
            }
            (Level::WithinAmount(allowed), Value::Amount(a), Value::Amount(b)) => {
                within_amount(b.saturating_sub(*a).saturating_abs(), *allowed)
            }
            (Level::WithinPercent(p), Value::Amount(a), Value::Amount(b)) => {
                within_percent(b.saturating_sub(*a).saturating_abs(), *a, *p)
            }
            _ => false,
        }
    };
    levels[1..last].iter().position(applies).map_or(last, |i| i + 1)
}

/// Checks the probabilistic parts of the rules (min_score is a match
/// probability there).
pub(crate) fn validate(
    compare: &[Comparison],
    blocking: &[Vec<BlockingItem>],
    model: Option<&Model>,
    min_score: f64,
) -> Result<()> {
    let bad = |m: String| Err(Error::argument(m));
    if compare.is_empty() {
        return bad("\"mode\": \"probabilistic\" needs \"compare\": the columns to weigh".into());
    }
    if !(min_score.is_finite() && (0.0..=1.0).contains(&min_score)) {
        return bad(format!("min_score is {}; it must be a match probability between 0 and 1", min_score));
    }
    let labels: Vec<String> = compare.iter().map(|c| c.label()).collect();
    for (i, c) in compare.iter().enumerate() {
        let label = &labels[i];
        if labels[..i].contains(label) {
            return bad(format!("two comparisons are called '{label}'; give one a \"name\""));
        }
        if let Some(t) = c.jaro_winkler.iter().find(|t| !(t.is_finite() && **t > 0.0 && **t <= 1.0)) {
            return bad(format!("comparison '{label}': jaro_winkler band {t} must be in (0, 1]"));
        }
        if c.within_percent.iter().chain(&c.within_amount).any(|d| d.is_sign_negative()) {
            return bad(format!("comparison '{label}': a band is negative"));
        }
        let kind_fits = match c.kind {
            CompareKind::Text => c.within_days.is_empty() && c.within_amount.is_empty() && c.within_percent.is_empty(),
            CompareKind::Name => c.within_days.is_empty() && c.within_amount.is_empty() && c.edit_distance.is_empty(),
            CompareKind::Exact => {
                c.jaro_winkler.is_empty()
                    && c.edit_distance.is_empty()
                    && c.within_days.is_empty()
                    && c.within_amount.is_empty()
            }
            CompareKind::Date => c.jaro_winkler.is_empty() && c.edit_distance.is_empty() && c.within_amount.is_empty(),
            CompareKind::Amount => c.jaro_winkler.is_empty() && c.edit_distance.is_empty() && c.within_days.is_empty(),
        };
        if !kind_fits || (c.format.is_some() && c.kind != CompareKind::Date) {
            return bad(format!("comparison '{label}': a band or format that kind {:?} does not use", c.kind));
        }
        if c.within_percent.len()
            + c.within_amount.len()
            + c.jaro_winkler.len()
            + c.edit_distance.len()
            + c.within_days.len()
            > 20
        {
            return bad(format!("comparison '{label}': more than 20 levels"));
        }
    }
    resolve_blocking(compare, blocking)?;
    if let Some(model) = model {
        check_model(compare, model)?;
    }
    Ok(())
}

/// A blocking rule by comparison index.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolvedBlocking {
    pub equal: Vec<usize>,
    /// A date comparison and the days either way.
    pub days: Option<(usize, u32)>,
    /// An amount comparison and its window: an amount and / or a percent.
    pub amount: Option<(usize, Option<Decimal>, Option<Decimal>)>,
}

/// The blocking rules by comparison index (one rule of no items: all pairs
/// within the keys).
pub(crate) fn resolve_blocking(
    compare: &[Comparison],
    blocking: &[Vec<BlockingItem>],
) -> Result<Vec<ResolvedBlocking>> {
    let labels: Vec<String> = compare.iter().map(|c| c.label()).collect();
    let find = |name: &str| {
        labels.iter().position(|l| l == name).ok_or_else(|| {
            Error::argument(format!(
                "blocking names '{name}', which is not a comparison; comparisons: {}",
                labels.join(", ")
            ))
        })
    };
    if blocking.is_empty() {
        return Ok(vec![ResolvedBlocking::default()]);
    }
    let mut out = Vec::new();
    for items in blocking {
        if items.is_empty() {
            return Err(Error::argument("a blocking rule is empty; list the comparisons its pairs agree on"));
        }
        let mut rule = ResolvedBlocking::default();
        for item in items {
            let c = find(item.column())?;
            let kind = compare[c].kind;
            match item {
                BlockingItem::Equal(_) => rule.equal.push(c),
                BlockingItem::Window(w) => match (kind, w.within_days, w.within_amount.or(w.within_percent)) {
                    (CompareKind::Date, Some(days), None) if rule.days.is_none() => rule.days = Some((c, days)),
                    (CompareKind::Amount, None, Some(_)) if rule.amount.is_none() => {
                        rule.amount = Some((c, w.within_amount, w.within_percent))
                    }
                    _ => {
                        return Err(Error::argument(format!(
                            "blocking window on '{}': a date comparison takes within_days, an amount comparison within_amount and/or within_percent, one window of each per rule",
                            item.column()
                        )))
                    }
                },
            }
        }
        out.push(rule);
    }
    Ok(out)
}

/// "left header / right header" as the rules name them.
pub(crate) fn columns_label(c: &Comparison) -> String {
    let first = |h: &HeaderSpec| h.headers().first().map_or(String::new(), |s| s.to_string());
    format!("{} / {}", first(&c.left), first(&c.right))
}

/// A given model must have the rules' comparisons and levels.
fn check_model(compare: &[Comparison], model: &Model) -> Result<()> {
    if !(model.prior > 0.0 && model.prior < 1.0) {
        return Err(Error::argument(format!("model prior {} must be between 0 and 1", model.prior)));
    }
    if model.comparisons.len() != compare.len() {
        return Err(Error::argument(format!(
            "the model has {} comparisons; the rules compare {} columns",
            model.comparisons.len(),
            compare.len()
        )));
    }
    for (i, (c, m)) in compare.iter().zip(&model.comparisons).enumerate() {
        let expected: Vec<String> = c.levels().iter().map(Level::name).collect();
        let found: Vec<&str> = m.levels.iter().map(|l| l.level.as_str()).collect();
        if expected != found {
            return Err(Error::argument(format!(
                "model comparison {} ({}) has levels [{}]; the rules make [{}]",
                i + 1,
                m.columns,
                found.join(", "),
                expected.join(", ")
            )));
        }
        if let Some(l) = m.levels.iter().find(|l| !(l.m > 0.0 && l.m < 1.0 && l.u > 0.0 && l.u < 1.0)) {
            return Err(Error::argument(format!(
                "model {} level {}: m and u must be between 0 and 1",
                m.columns, l.level
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_bands_are_exact() {
        // 1% of 100.00 is 1.00: a difference of 1.00 is within, 1.01 is not.
        assert!(within_percent(100, 10_000, Decimal::ONE));
        assert!(!within_percent(101, 10_000, Decimal::ONE));
        // 2.5% of 10.00 = 0.25.
        assert!(within_percent(25, -1000, Decimal::new(25, 1)) && !within_percent(26, 1000, Decimal::new(25, 1)));
        assert!(within_amount(50, Decimal::new(50, 2)) && !within_amount(51, Decimal::new(5, 1)));
    }

    #[test]
    fn default_levels_per_kind() {
        let c = |kind: &str| -> Vec<String> {
            let json = format!(r#"{{"left": "a", "right": "b", "kind": "{kind}"}}"#);
            let c: Comparison = serde_json::from_str(&json).unwrap();
            c.levels().iter().map(Level::name).collect()
        };
        assert_eq!(c("text"), ["exact", "jaro-winkler >= 0.92", "jaro-winkler >= 0.8", "else"]);
        assert_eq!(c("name"), ["exact", "nickname", "jaro-winkler >= 0.92", "jaro-winkler >= 0.8", "initial", "else"]);
        assert_eq!(c("exact"), ["exact", "else"]);
        assert_eq!(c("date"), ["exact", "one typo", "within 1 days", "within 31 days", "within 366 days", "else"]);
        assert_eq!(c("amount"), ["exact", "within 1%", "within 10%", "else"]);
    }

    #[test]
    fn the_first_level_that_applies_wins() {
        let levels = vec![Level::Exact, Level::EditDistance(1), Level::JaroWinkler(0.9), Level::Else];
        let t = |a: &'static str, b: &'static str| PairText { left: a, right: b, name: None, left_prepared: None };
        let (x, y) = (Value::Text(1), Value::Text(2));
        assert_eq!(level_of(&levels, &x, &x, &t("ab", "ab")), 0);
        // One transposition is one Damerau-Levenshtein edit.
        assert_eq!(level_of(&levels, &x, &y, &t("5304218", "5302418")), 1);
        // dwayne / duane: two edits, Jaro-Winkler 0.84 (the textbook value).
        assert_eq!(level_of(&levels, &x, &y, &t("dwayne", "duane")), 3);
        let dates = vec![Level::Exact, Level::OneTypo, Level::WithinDays(31), Level::Else];
        let d = |day: Option<i32>, text: u32| Value::Date { day, text };
        assert_eq!(level_of(&dates, &d(Some(10), 1), &d(Some(40), 2), &t("19560110", "19560209")), 2);
        assert_eq!(level_of(&dates, &d(Some(10), 1), &d(Some(41), 2), &t("19560110", "19560210")), 1);
        // A swapped pair of digits that is no date (month 13) is still one typo.
        assert_eq!(level_of(&dates, &d(Some(10), 1), &d(None, 2), &t("19561231", "19561321")), 1);
        assert_eq!(level_of(&dates, &d(Some(10), 1), &d(None, 2), &t("19560110", "19561310")), 3);
        assert_eq!(level_of(&dates, &d(Some(10), 1), &d(Some(400), 2), &t("19560110", "19570215")), 3);
    }
}
