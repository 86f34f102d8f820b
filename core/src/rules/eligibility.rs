//! Monthly member and employee counts from eligibility spans (data-model.md,
//! enrollments' optional shape). A member counts once in a month when any of
//! their spans meets the convention, so overlapping spans are never counted
//! twice; employees are the distinct subscriber_ids counted the same way.

use std::collections::{BTreeMap, HashSet};

use chrono::Datelike;

use crate::model::dates::{from_days, to_days};
use crate::model::error::{Error, Result};
use crate::model::period::{date_in_month, month_index, MonthIndex};

/// When a span counts for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EligibilityCounting {
    /// Enrolled on at least one day of the month (the default).
    #[default]
    AnyDay,
    /// Enrolled on the first day of the month.
    FirstOfMonth,
    /// Enrolled on the 15th.
    MidMonth,
}

impl EligibilityCounting {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "any_day" => Ok(Self::AnyDay),
            "first_of_month" => Ok(Self::FirstOfMonth),
            "mid_month" => Ok(Self::MidMonth),
            other => Err(Error::argument(format!(
                "eligibility counting '{other}' is not known; expected any_day, first_of_month or mid_month"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::AnyDay => "any_day",
            Self::FirstOfMonth => "first_of_month",
            Self::MidMonth => "mid_month",
        }
    }

    /// The sentence the report's notes carry.
    pub fn note(self) -> String {
        let rule = match self {
            Self::AnyDay => "enrolled on at least one day of the month",
            Self::FirstOfMonth => "enrolled on the first day of the month",
            Self::MidMonth => "enrolled on the 15th of the month",
        };
        format!(
            "Member and employee months are counted from eligibility spans ({}): a member counts in a month when {rule}; \
             overlapping spans of a member count once; employees are the distinct subscriber_ids counted the same way.",
            self.name()
        )
    }
}

/// One coverage span, dates as Date32 days, both ends inclusive.
#[derive(Debug, Clone)]
pub struct Span {
    pub member_id: String,
    pub subscriber_id: String,
    pub start: i32,
    pub end: i32,
}

fn month_of_days(days: i32) -> MonthIndex {
    let d = from_days(days);
    month_index(d.year(), d.month())
}

fn day_of(m: MonthIndex, day: u32) -> i32 {
    date_in_month(m, day).map_or(i32::MIN, to_days)
}

/// (members, employees) per month of `first..=last`, for the months where at
/// least one member counts.
pub fn monthly_counts(
    spans: &[Span],
    first: MonthIndex,
    last: MonthIndex,
    counting: EligibilityCounting,
) -> BTreeMap<MonthIndex, (i64, i64)> {
    let mut members: BTreeMap<MonthIndex, HashSet<&str>> = BTreeMap::new();
    let mut employees: BTreeMap<MonthIndex, HashSet<&str>> = BTreeMap::new();
    for span in spans {
        let from = month_of_days(span.start).max(first);
        let to = month_of_days(span.end).min(last);
        for m in from..=to {
            let counts = match counting {
                EligibilityCounting::AnyDay => true,
                EligibilityCounting::FirstOfMonth => (span.start..=span.end).contains(&day_of(m, 1)),
                EligibilityCounting::MidMonth => (span.start..=span.end).contains(&day_of(m, 15)),
            };
            if counts {
                members.entry(m).or_default().insert(&span.member_id);
                employees.entry(m).or_default().insert(&span.subscriber_id);
            }
        }
    }
    members
        .into_iter()
        .map(|(m, set)| (m, (set.len() as i64, employees.get(&m).map_or(0, |e| e.len() as i64))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(member: &str, subscriber: &str, start: &str, end: &str) -> Span {
        let d = |s: &str| to_days(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        Span { member_id: member.into(), subscriber_id: subscriber.into(), start: d(start), end: d(end) }
    }

    fn counts(spans: &[Span], counting: EligibilityCounting) -> Vec<(String, i64, i64)> {
        monthly_counts(spans, month_index(2024, 1), month_index(2024, 12), counting)
            .into_iter()
            .map(|(m, (a, b))| (crate::model::period::month_label(m), a, b))
            .collect()
    }

    fn row(m: &str, members: i64, employees: i64) -> (String, i64, i64) {
        (m.to_string(), members, employees)
    }

    #[test]
    fn spans_ending_on_the_14th_15th_16th_and_leap_day() {
        // Four members of two subscribers, all starting 2024-01-01:
        // A ends Mar 14, B ends Mar 15, C ends Mar 16, D ends Feb 29 (2024 is a leap year).
        let spans = [
            span("A", "S1", "2024-01-01", "2024-03-14"),
            span("B", "S1", "2024-01-01", "2024-03-15"),
            span("C", "S2", "2024-01-01", "2024-03-16"),
            span("D", "S2", "2024-01-01", "2024-02-29"),
        ];
        // any_day: all four in Jan and Feb; in March A, B and C (each has a March day).
        assert_eq!(
            counts(&spans, EligibilityCounting::AnyDay),
            vec![row("2024-01", 4, 2), row("2024-02", 4, 2), row("2024-03", 3, 2)]
        );
        // first_of_month: March 1 is covered by A, B and C; D ended Feb 29, so not on Mar 1.
        assert_eq!(
            counts(&spans, EligibilityCounting::FirstOfMonth),
            vec![row("2024-01", 4, 2), row("2024-02", 4, 2), row("2024-03", 3, 2)]
        );
        // mid_month: March 15 is covered by B (ends on it) and C; A ended the 14th.
        // D covers Feb 15 (ends Feb 29), so February still has all four.
        assert_eq!(
            counts(&spans, EligibilityCounting::MidMonth),
            vec![row("2024-01", 4, 2), row("2024-02", 4, 2), row("2024-03", 2, 2)]
        );
    }

    #[test]
    fn overlapping_spans_count_once_and_gaps_follow_the_convention() {
        let spans = [
            span("A", "S1", "2024-01-10", "2024-03-31"),
            span("A", "S1", "2024-03-01", "2024-04-20"), // overlaps March
            span("B", "S2", "2024-05-16", "2024-06-30"), // starts after mid-May
        ];
        // any_day: A in Jan..Apr once each; B in May and June.
        assert_eq!(
            counts(&spans, EligibilityCounting::AnyDay),
            vec![
                row("2024-01", 1, 1),
                row("2024-02", 1, 1),
                row("2024-03", 1, 1),
                row("2024-04", 1, 1),
                row("2024-05", 1, 1),
                row("2024-06", 1, 1)
            ]
        );
        // first_of_month: A starts Jan 10 (not Jan 1) and covers Feb 1..Apr 1; B covers Jun 1 only.
        assert_eq!(
            counts(&spans, EligibilityCounting::FirstOfMonth),
            vec![row("2024-02", 1, 1), row("2024-03", 1, 1), row("2024-04", 1, 1), row("2024-06", 1, 1)]
        );
        // mid_month: Jan 15..Apr 15 for A; B starts May 16, so only June 15.
        assert_eq!(
            counts(&spans, EligibilityCounting::MidMonth),
            vec![
                row("2024-01", 1, 1),
                row("2024-02", 1, 1),
                row("2024-03", 1, 1),
                row("2024-04", 1, 1),
                row("2024-06", 1, 1)
            ]
        );
    }

    #[test]
    fn months_outside_the_range_are_not_counted() {
        let spans = [span("A", "S1", "2023-11-01", "2025-02-01")];
        let all = counts(&spans, EligibilityCounting::AnyDay);
        assert_eq!(all.len(), 12);
        assert_eq!(all[0], row("2024-01", 1, 1));
    }
}
