//! Blocking in probabilistic mode: a left and a right row are compared when
//! they share the keys and agree on every item of at least one blocking
//! rule (equal values, or dates / amounts within a window). Each rule is
//! an index of the right side: rows grouped by a hash of their equal items,
//! sorted by the window's date and amount for range searches.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use super::value_hash;
use crate::reconcile::comparison::Value;
use crate::reconcile::rows::Row;
use crate::reconcile::score::Allowance;

/// A blocking rule resolved to comparison indices.
#[derive(Debug, Clone)]
pub(crate) struct BlockingRule {
    pub equal: Vec<usize>,
    /// A date comparison and the days either way.
    pub days: Option<(usize, u32)>,
    /// An amount comparison and the allowance around the left amount.
    pub amount: Option<(usize, Allowance)>,
}

/// A date window wider than this is scanned once and filtered.
const MAX_DAYS_SEARCHED_ONE_BY_ONE: i64 = 366;

fn day_of(row: &Row, c: usize) -> Option<i32> {
    match row.values.get(c) {
        Some(Value::Date { day, .. }) => *day,
        _ => None,
    }
}

fn cents_of(row: &Row, c: usize) -> Option<i128> {
    match row.values.get(c) {
        Some(Value::Amount(a)) => Some(*a),
        _ => None,
    }
}

/// Hashes what must be equal; None when a row cannot be in the rule (a
/// blank key or item, or no date / amount for its window).
fn group_hash(rule: &BlockingRule, row: &Row) -> Option<u64> {
    let mut h = FxHasher::default();
    row.key.as_deref()?.hash(&mut h);
    for &c in &rule.equal {
        value_hash(row.values.get(c)?)?.hash(&mut h);
    }
    if let Some((c, _)) = rule.days {
        day_of(row, c)?;
    }
    if let Some((c, _)) = rule.amount {
        cents_of(row, c)?;
    }
    Some(h.finish())
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Date { day: Some(x), .. }, Value::Date { day: Some(y), .. }) => x == y,
        (Value::Date { day: None, text: x }, Value::Date { day: None, text: y }) => x == y,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => a == b,
    }
}

/// Whether the rule puts the pair in one block.
pub(crate) fn covers(rule: &BlockingRule, left: &Row, right: &Row) -> bool {
    // Most rules have no keys: equal empty keys skip the byte comparison.
    let keys = matches!((&left.key, &right.key), (Some(a), Some(b)) if a.len() == b.len() && (a.is_empty() || a == b));
    keys && rule.equal.iter().all(|&c| same_value(&left.values[c], &right.values[c]))
        && rule.days.is_none_or(|(c, within)| match (day_of(left, c), day_of(right, c)) {
            (Some(a), Some(b)) => (i64::from(b) - i64::from(a)).unsigned_abs() <= u64::from(within),
            _ => false,
        })
        && rule.amount.is_none_or(|(c, allowance)| match (cents_of(left, c), cents_of(right, c)) {
            (Some(a), Some(b)) => allowance.judge(a, b - a).0,
            _ => false,
        })
}

/// One rule's index of the right side.
pub(crate) struct RuleIndex<'r> {
    rule: &'r BlockingRule,
    rows: &'r [Row],
    groups: FxHashMap<u64, Vec<u32>>,
}

impl<'r> RuleIndex<'r> {
    pub fn new(rule: &'r BlockingRule, rows: &'r [Row]) -> RuleIndex<'r> {
        let mut groups: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, row) in rows.iter().enumerate() {
            if let Some(h) = group_hash(rule, row) {
                groups.entry(h).or_default().push(i as u32);
            }
        }
        for members in groups.values_mut() {
            members.sort_by_key(|&i| (sort_key(rule, &rows[i as usize]), i));
        }
        RuleIndex { rule, rows, groups }
    }

    /// The right rows the rule pairs with a left row, ascending.
    pub fn candidates(&self, left: &Row, out: &mut Vec<u32>) {
        out.clear();
        let Some(group) = group_hash(self.rule, left).and_then(|h| self.groups.get(&h)) else { return };
        let key_at = |i: u32| sort_key(self.rule, &self.rows[i as usize]);
        let cents_range = self.rule.amount.and_then(|(c, allowance)| {
            let a = cents_of(left, c)?;
            let reach = allowance.cents_ceiling(a);
            Some((a.saturating_sub(reach), a.saturating_add(reach)))
        });
        let (lo_c, hi_c) = cents_range.unwrap_or((i128::MIN, i128::MAX));
        match self.rule.days.and_then(|(c, within)| Some((day_of(left, c)?, within))) {
            Some((day, within)) => {
                let first = (i64::from(day) - i64::from(within)).max(i64::from(i32::MIN)) as i32;
                let last = (i64::from(day) + i64::from(within)).min(i64::from(i32::MAX)) as i32;
                if cents_range.is_some() && i64::from(last) - i64::from(first) <= MAX_DAYS_SEARCHED_ONE_BY_ONE {
                    for d in first..=last {
                        let from = group.partition_point(|&i| key_at(i) < (d, lo_c));
                        let to = group.partition_point(|&i| key_at(i) <= (d, hi_c));
                        out.extend_from_slice(&group[from..to.max(from)]);
                    }
                } else {
                    let from = group.partition_point(|&i| key_at(i) < (first, i128::MIN));
                    let to = group.partition_point(|&i| key_at(i) <= (last, i128::MAX));
                    out.extend_from_slice(&group[from..to.max(from)]);
                }
            }
            None => {
                let from = group.partition_point(|&i| key_at(i) < (0, lo_c));
                let to = group.partition_point(|&i| key_at(i) <= (0, hi_c));
                out.extend_from_slice(&group[from..to.max(from)]);
            }
        }
        // Hash collisions and window edges are settled exactly.
        out.retain(|&i| covers(self.rule, left, &self.rows[i as usize]));
        out.sort_unstable();
    }
}

/// Rows of a group sort by the window's date, then its amount.
fn sort_key(rule: &BlockingRule, row: &Row) -> (i32, i128) {
    let day = rule.days.and_then(|(c, _)| day_of(row, c)).unwrap_or(0);
    let cents = rule.amount.and_then(|(c, _)| cents_of(row, c)).unwrap_or(0);
    (day, cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, values: Vec<Value>) -> Row {
        Row { index: 0, key: Some(key.into()), day: None, cents: None, names: vec![], values }
    }

    fn date(day: i32) -> Value {
        Value::Date { day: Some(day), text: 0 }
    }

    #[test]
    fn equal_items_windows_and_keys() {
        let rights = vec![
            row("k", vec![Value::Text(1), date(10), Value::Amount(10_000)]),
            row("k", vec![Value::Text(1), date(12), Value::Amount(10_300)]),
            row("k", vec![Value::Text(1), date(13), Value::Amount(10_000)]),
            row("k", vec![Value::Text(2), date(10), Value::Amount(10_000)]),
            row("j", vec![Value::Text(1), date(10), Value::Amount(10_000)]),
            row("k", vec![Value::Null, date(10), Value::Amount(10_000)]),
        ];
        let left = row("k", vec![Value::Text(1), date(11), Value::Amount(10_000)]);
        let mut out = Vec::new();
        let by_text = BlockingRule { equal: vec![0], days: None, amount: None };
        RuleIndex::new(&by_text, &rights).candidates(&left, &mut out);
        assert_eq!(out, vec![0, 1, 2]);
        // Within a day, and 3% of 100.00 = 3.00: row 1 (3.00 more, a day later) is in.
        let window = BlockingRule {
            equal: vec![],
            days: Some((1, 1)),
            amount: Some((2, Allowance::new(None, Some(rust_decimal::Decimal::new(3, 0))))),
        };
        RuleIndex::new(&window, &rights).candidates(&left, &mut out);
        assert_eq!(out, vec![0, 1, 3, 5]);
        let tight = BlockingRule {
            equal: vec![],
            days: Some((1, 1)),
            amount: Some((2, Allowance::new(Some(rust_decimal::Decimal::new(299, 2)), None))),
        };
        RuleIndex::new(&tight, &rights).candidates(&left, &mut out);
        assert_eq!(out, vec![0, 3, 5]);
        assert!(covers(&by_text, &left, &rights[1]) && !covers(&by_text, &left, &rights[5]));
    }
}
