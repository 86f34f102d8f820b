//! Date cells: ISO `2025-01-31`, `01/31/2025`, `1/31/2025`, `20250131`, or an
//! explicit strftime format. A slash column whose every value fits both
//! month-first and day-first is an error asking for a format, not a guess.

use chrono::{Datelike, NaiveDate};

const EXPECTED: &str = "expected YYYY-MM-DD, MM/DD/YYYY, YYYYMMDD or the profile's date_format";

/// Days since 1970-01-01, the Date32 representation.
pub fn to_days(date: NaiveDate) -> i32 {
    // 1970-01-01 is day 719,163 counted from 0001-01-01 (day 1).
    date.num_days_from_ce() - 719_163
}

pub fn from_days(days: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(days as i64)
}

/// `YYYYMM` as one integer (202503), the month key used in queries.
/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn iso_date(days: i32) -> String {
    from_days(days).to_string()
}

pub fn month_key_of_days(days: i32) -> i32 {
    let d = from_days(days);
    d.year() * 100 + d.month() as i32
}

/// A parsed cell: either a date, or a slash date whose order depends on the
/// rest of the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellDate {
    Exact(i32),
    Slash { first: u32, second: u32, year: i32 },
}

/// Parses a cell with an explicit strftime format.
pub fn parse_with_format(raw: &str, format: &str) -> Result<i32, String> {
    NaiveDate::parse_from_str(raw.trim(), format)
        .map(to_days)
        .map_err(|e| format!("is not a date in the format '{format}' ({e})"))
}

/// Parses a cell in one of the accepted forms.
pub fn parse_auto(raw: &str) -> Result<CellDate, String> {
    let s = crate::model::cell::trim_cell(raw);
    if s.is_empty() {
        return Err("is blank; a date is required".into());
    }
    // A database export's midnight timestamp is a date; any other time of
    // day would be cut off, so it is rejected.
    match iso_days(s) {
        Some(days) => days.map(CellDate::Exact),
        None => parse_any_form(s),
    }
}

/// Every accepted form of a trimmed, non-blank cell.
fn parse_any_form(s: &str) -> Result<CellDate, String> {
    let s = match s.split_once([' ', 'T']) {
        Some((date, time)) if is_midnight(time) => date,
        Some(_) => return Err(format!("has a time of day; {EXPECTED}")),
        None => s,
    };
    let parts: Vec<&str> = if s.contains('-') { s.split('-').collect() } else { s.split('/').collect() };
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if parts.len() == 3 && parts.iter().all(|p| digits(p)) {
        let n = |p: &str| p.parse::<u32>().unwrap_or(u32::MAX);
        if parts[0].len() == 4 && parts[1].len() <= 2 && parts[2].len() <= 2 {
            return ymd(n(parts[0]) as i32, n(parts[1]), n(parts[2])).map(CellDate::Exact);
        }
        if s.contains('/') && parts[0].len() <= 2 && parts[1].len() <= 2 && parts[2].len() == 4 {
            let (first, second, year) = (n(parts[0]), n(parts[1]), n(parts[2]) as i32);
            let month_first = NaiveDate::from_ymd_opt(year, first, second).is_some();
            let day_first = NaiveDate::from_ymd_opt(year, second, first).is_some();
            if !month_first && !day_first {
                return Err(format!(
                    "is not a date (neither month {first} day {second} nor day {first} month {second} exists)"
                ));
            }
            return Ok(CellDate::Slash { first, second, year });
        }
    }
    if s.len() == 8 && digits(s) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(u32::MAX);
        return ymd(n(0..4) as i32, n(4..6), n(6..8)).map(CellDate::Exact);
    }
    Err(format!("is not a date; {EXPECTED}"))
}

/// `YYYY-MM-DD`, the common form, read without splitting; None for any
/// other shape.
fn iso_days(s: &str) -> Option<Result<i32, String>> {
    let b = s.as_bytes();
    let digit_at = |i: usize| b[i].is_ascii_digit();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || ![0, 1, 2, 3, 5, 6, 8, 9].into_iter().all(digit_at) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    Some(ymd(n(0..4) as i32, n(5..7), n(8..10)))
}

fn is_midnight(time: &str) -> bool {
    let t = time.trim().trim_end_matches('Z');
    matches!(t, "00:00" | "00:00:00" | "00:00:00.000" | "00:00:00.0" | "0:00" | "12:00:00 AM" | "12:00 AM")
}

fn ymd(year: i32, month: u32, day: u32) -> Result<i32, String> {
    if !(1..=12).contains(&month) {
        return Err(format!("is not a date (month {month}); {EXPECTED}"));
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .map(to_days)
        .ok_or_else(|| format!("is not a date (day {day} does not exist in {year}-{month:02}); {EXPECTED}"))
}

/// Which way a column's slash dates are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashOrder {
    MonthFirst,
    DayFirst,
}

/// Collects what a column's slash dates say about their order.
#[derive(Debug, Default, Clone)]
pub struct SlashEvidence {
    only_month_first: bool,
    only_day_first: bool,
    /// A value that reads differently in the two orders, e.g. `03/04/2025`.
    ambiguous_example: Option<String>,
}

impl SlashEvidence {
    pub fn observe(&mut self, first: u32, second: u32, year: i32) {
        let mf = NaiveDate::from_ymd_opt(year, first, second).is_some();
        let df = NaiveDate::from_ymd_opt(year, second, first).is_some();
        match (mf, df) {
            (true, false) => self.only_month_first = true,
            (false, true) => self.only_day_first = true,
            (true, true) if first != second && self.ambiguous_example.is_none() => {
                // Built only for the first ambiguous value, not per cell.
                self.ambiguous_example = Some(format!("{first:02}/{second:02}/{year}"))
            }
            _ => {}
        }
    }

    /// The order to read the column with, or the reason none can be chosen.
    /// Month-first wins when a value proves it (US carrier exports); a column
    /// with values proving both orders is read month-first and the day-first
    /// values are rejected one by one.
    pub fn resolve(&self, column: &str) -> Result<SlashOrder, String> {
        if self.only_month_first {
            return Ok(SlashOrder::MonthFirst);
        }
        if self.only_day_first {
            return Ok(SlashOrder::DayFirst);
        }
        match &self.ambiguous_example {
            Some(example) => Err(format!(
                "column {column}: every date fits both month-first and day-first (e.g. '{example}'); \
                 set \"date_format\" in the mapping profile to \"%m/%d/%Y\" or \"%d/%m/%Y\""
            )),
            None => Ok(SlashOrder::MonthFirst),
        }
    }
}

/// Reads a slash date in the chosen order.
pub fn resolve_slash(first: u32, second: u32, year: i32, order: SlashOrder) -> Result<i32, String> {
    let (month, day) = match order {
        SlashOrder::MonthFirst => (first, second),
        SlashOrder::DayFirst => (second, first),
    };
    NaiveDate::from_ymd_opt(year, month, day).map(to_days).ok_or_else(|| {
        let order_name = if order == SlashOrder::MonthFirst { "MM/DD/YYYY" } else { "DD/MM/YYYY" };
        format!("is not a date in this column's order {order_name}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The ISO shortcut agrees with the general path wherever it answers.
        #[test]
        fn the_iso_form_reads_as_the_general_path_does(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            let fast = iso_days(&s).map(|r| r.map(CellDate::Exact));
            prop_assert!(fast.is_some());
            prop_assert_eq!(fast.unwrap_or(Err(String::new())), parse_any_form(&s));
        }
    }

    #[test]
    fn days_count_from_the_unix_epoch() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(to_days(date(1970, 1, 1)), 0);
        assert_eq!(to_days(date(2025, 1, 31)), 20_119);
        assert_eq!(to_days(date(1969, 12, 31)), -1);
    }

    fn days(y: i32, m: u32, d: u32) -> i32 {
        to_days(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn accepted_forms() {
        // 2025-01-31 is day 20119 since 1970-01-01 (55 years incl. 14 leap days: 55*365+14 = 20089, +30)
        assert_eq!(days(2025, 1, 31), 20119);
        assert_eq!(parse_auto("2025-01-31"), Ok(CellDate::Exact(20119)));
        assert_eq!(parse_auto("20250131"), Ok(CellDate::Exact(20119)));
        assert_eq!(parse_auto("01/31/2025"), Ok(CellDate::Slash { first: 1, second: 31, year: 2025 }));
        assert_eq!(parse_auto("1/31/2025"), Ok(CellDate::Slash { first: 1, second: 31, year: 2025 }));
        assert_eq!(parse_with_format("31.01.2025", "%d.%m.%Y"), Ok(20119));
        assert_eq!(parse_auto("2025-01-31 00:00:00"), Ok(CellDate::Exact(20119)));
        assert_eq!(parse_auto("2025-01-31T00:00:00Z"), Ok(CellDate::Exact(20119)));
        assert!(parse_auto("2025-01-31 13:45:00").unwrap_err().contains("time of day"));
    }

    #[test]
    fn month_13_and_bad_days_say_why() {
        let e = parse_auto("2025-13-01").unwrap_err();
        assert!(e.contains("month 13"), "{e}");
        assert!(parse_auto("2025-02-29").unwrap_err().contains("day 29"));
        assert!(parse_auto("2024-02-29").is_ok());
        assert!(parse_auto("13/13/2025").is_err());
        assert!(parse_auto("Jan 5 2025").is_err());
    }

    #[test]
    fn ambiguous_column_asks_for_a_format() {
        let mut ev = SlashEvidence::default();
        ev.observe(3, 4, 2025);
        ev.observe(5, 6, 2025);
        assert!(ev.resolve("claim_date").unwrap_err().contains("date_format"));
        ev.observe(1, 31, 2025);
        assert_eq!(ev.resolve("claim_date"), Ok(SlashOrder::MonthFirst));
        let mut dayfirst = SlashEvidence::default();
        dayfirst.observe(31, 1, 2025);
        dayfirst.observe(3, 4, 2025);
        assert_eq!(dayfirst.resolve("x"), Ok(SlashOrder::DayFirst));
        assert_eq!(resolve_slash(3, 4, 2025, SlashOrder::DayFirst), Ok(days(2025, 4, 3)));
    }
}
