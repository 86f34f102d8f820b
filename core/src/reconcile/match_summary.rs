//! The reconciliation's totals: counts of each class (they add up to the
//! records read), amounts, match rates, and the same by month.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::money::{cents_to_decimal, divide_round};
use crate::model::num::Num;

/// Amount totals of a set of rows (present when the rules compare amounts).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Amounts {
    pub matched_left: Num,
    pub matched_right: Num,
    /// matched_right - matched_left.
    pub difference: Num,
    pub unmatched_left: Num,
    pub unmatched_right: Num,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `YYYY-MM` of the left date (of the right date for unmatched right rows).
    pub month: String,
    pub matched: u64,
    pub unmatched_left: u64,
    pub unmatched_right: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amounts: Option<Amounts>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchSummary {
    /// Records read on each side: matched + unmatched + rejected.
    pub left_records: u64,
    pub right_records: u64,
    pub matched: u64,
    pub unmatched_left: u64,
    pub unmatched_right: u64,
    pub rejected_left: u64,
    pub rejected_right: u64,
    /// matched / left_records and matched / right_records, 4 decimals.
    pub match_rate_left: Option<Num>,
    pub match_rate_right: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amounts: Option<Amounts>,
    /// Present when the rules compare dates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_month: Vec<Month>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    matched: u64,
    unmatched_left: u64,
    unmatched_right: u64,
    cents: [i128; 4],
}

impl Tally {
    fn amounts(&self) -> Amounts {
        let [ml, mr, ul, ur] = self.cents;
        let money = |cents: i128| Num::money(cents_to_decimal(cents));
        Amounts {
            matched_left: money(ml),
            matched_right: money(mr),
            difference: money(mr - ml),
            unmatched_left: money(ul),
            unmatched_right: money(ur),
        }
    }
}

/// What one row contributes: its class, its month key, its amount.
pub(crate) enum Entry {
    Matched { month: Option<i32>, left_cents: Option<i128>, right_cents: Option<i128> },
    UnmatchedLeft { month: Option<i32>, cents: Option<i128> },
    UnmatchedRight { month: Option<i32>, cents: Option<i128> },
}

pub(crate) struct Totals {
    pub left_records: u64,
    pub right_records: u64,
    pub rejected_left: u64,
    pub rejected_right: u64,
    pub has_amounts: bool,
}

fn rate(part: u64, whole: u64) -> Option<Num> {
    divide_round(Decimal::from(part), Decimal::from(whole), 4).map(Num)
}

impl Entry {
    fn month(&self) -> Option<i32> {
        match self {
            Entry::Matched { month, .. } | Entry::UnmatchedLeft { month, .. } | Entry::UnmatchedRight { month, .. } => {
                *month
            }
        }
    }

    fn add_to(&self, t: &mut Tally) {
        match *self {
            Entry::Matched { left_cents, right_cents, .. } => {
                t.matched += 1;
                t.cents[0] += left_cents.unwrap_or(0);
                t.cents[1] += right_cents.unwrap_or(0);
            }
            Entry::UnmatchedLeft { cents, .. } => {
                t.unmatched_left += 1;
                t.cents[2] += cents.unwrap_or(0);
            }
            Entry::UnmatchedRight { cents, .. } => {
                t.unmatched_right += 1;
                t.cents[3] += cents.unwrap_or(0);
            }
        }
    }
}

pub(crate) fn summarize(totals: Totals, entries: impl Iterator<Item = Entry>) -> MatchSummary {
    let mut all = Tally::default();
    let mut months: BTreeMap<i32, Tally> = BTreeMap::new();
    for entry in entries {
        entry.add_to(&mut all);
        if let Some(m) = entry.month() {
            entry.add_to(months.entry(m).or_default());
        }
    }
    MatchSummary {
        left_records: totals.left_records,
        right_records: totals.right_records,
        matched: all.matched,
        unmatched_left: all.unmatched_left,
        unmatched_right: all.unmatched_right,
        rejected_left: totals.rejected_left,
        rejected_right: totals.rejected_right,
        match_rate_left: rate(all.matched, totals.left_records),
        match_rate_right: rate(all.matched, totals.right_records),
        amounts: totals.has_amounts.then(|| all.amounts()),
        by_month: months
            .into_iter()
            .map(|(key, t)| Month {
                month: format!("{:04}-{:02}", key / 100, key % 100),
                matched: t.matched,
                unmatched_left: t.unmatched_left,
                unmatched_right: t.unmatched_right,
                amounts: totals.has_amounts.then(|| t.amounts()),
            })
            .collect(),
    }
}
