//! Period labels and their months. Knows months, nothing of data: a YTD label
//! asks its caller for the latest month of the year that holds data.

use chrono::NaiveDate;

use crate::model::error::{Error, Result};

/// A month as one integer: year * 12 + (month - 1).
pub type MonthIndex = i32;

pub fn month_index(year: i32, month: u32) -> MonthIndex {
    year * 12 + month as i32 - 1
}

pub fn year_of(m: MonthIndex) -> i32 {
    m.div_euclid(12)
}

pub fn month_of(m: MonthIndex) -> u32 {
    (m.rem_euclid(12) + 1) as u32
}

/// Day `day` of month `m`; None when the month has no such day or lies
/// outside chrono's calendar.
pub fn date_in_month(m: MonthIndex, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year_of(m), month_of(m), day)
}

/// `YYYY-MM`.
pub fn month_label(m: MonthIndex) -> String {
    format!("{:04}-{:02}", year_of(m), month_of(m))
}

/// `YYYYMM` as one integer (the key the month UDF returns).
pub fn month_key(m: MonthIndex) -> i32 {
    year_of(m) * 100 + month_of(m) as i32
}

pub fn from_month_key(key: i32) -> MonthIndex {
    month_index(key / 100, (key % 100) as u32)
}

/// A parsed label before YTD is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Spec {
    Range(MonthIndex, MonthIndex),
    YearToDate(i32),
}

/// A resolved period: whole calendar months `first..=last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub first: MonthIndex,
    pub last: MonthIndex,
}

impl Period {
    /// Parses a label; `latest_month_of_year` answers YTD labels (the latest
    /// month of that year holding the client's claims or enrollment).
    pub fn parse(label: &str, latest_month_of_year: impl FnOnce(i32) -> Result<Option<u32>>) -> Result<Period> {
        let (first, last) = match parse_spec(label)? {
            Spec::Range(a, b) => (a, b),
            Spec::YearToDate(year) => match latest_month_of_year(year)? {
                Some(m) => (month_index(year, 1), month_index(year, m)),
                None => {
                    return Err(period_error(
                        label,
                        format!("no month of {year} holds claims or enrollment for this client, so {label} has no end; use an explicit label such as {year}-YTD-06"),
                    ))
                }
            },
        };
        Ok(Period { label: label.to_string(), first, last })
    }

    /// Checks a label's form without resolving YTD.
    pub fn validate_label(label: &str) -> Result<()> {
        parse_spec(label).map(|_| ())
    }

    pub fn months(&self) -> Vec<MonthIndex> {
        (self.first..=self.last).collect()
    }

    /// The same months shifted back twelve months.
    pub fn prior(&self) -> Period {
        Period { label: format!("prior of {}", self.label), first: self.first - 12, last: self.last - 12 }
    }

    pub fn start_date(&self) -> NaiveDate {
        date_in_month(self.first, 1).unwrap_or_default()
    }

    pub fn end_date(&self) -> NaiveDate {
        let next = self.last + 1;
        let first_of_next = date_in_month(next, 1).unwrap_or_default();
        first_of_next.pred_opt().unwrap_or_default()
    }

    pub fn contains(&self, m: MonthIndex) -> bool {
        (self.first..=self.last).contains(&m)
    }
}

fn period_error(label: &str, message: String) -> Error {
    Error::Period { label: label.to_string(), message }
}

const FORMS: &str = "expected 2025-03, 2025-Q1, 2025, 2025-YTD, 2025-YTD-06, R12-2025-06 or 2024-11..2025-04";

/// The years a period may name: a report reads months around its period
/// (the prior year, run-out), and dates near year 0 or 9999 leave the date
/// range the query engine computes in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9000;

fn year(text: &str, label: &str) -> Result<i32> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = text.parse().map_err(|_| bad(label))?;
        if !YEARS.contains(&y) {
            return Err(period_error(
                label,
                format!(
                    "period '{label}': year {text} is outside the years a report covers ({} to {})",
                    YEARS.start(),
                    YEARS.end()
                ),
            ));
        }
        return Ok(y);
    }
    Err(bad(label))
}

fn month(text: &str, label: &str) -> Result<u32> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        let m: u32 = text.parse().map_err(|_| bad(label))?;
        if (1..=12).contains(&m) {
            return Ok(m);
        }
        return Err(period_error(label, format!("period '{label}': month {text} does not exist (01..12)")));
    }
    Err(bad(label))
}

fn bad(label: &str) -> Error {
    period_error(label, format!("period '{label}' is not a period label; {FORMS}"))
}

/// `YYYY-MM` as a month index.
fn year_month(text: &str, label: &str) -> Result<MonthIndex> {
    let (y, m) = text.split_once('-').ok_or_else(|| bad(label))?;
    Ok(month_index(year(y, label)?, month(m, label)?))
}

fn parse_spec(label: &str) -> Result<Spec> {
    if let Some((a, b)) = label.split_once("..") {
        let (first, last) = (year_month(a, label)?, year_month(b, label)?);
        if last < first {
            return Err(period_error(label, format!("period '{label}' ends before it starts")));
        }
        return Ok(Spec::Range(first, last));
    }
    if let Some(rest) = label.strip_prefix("R12-") {
        let last = year_month(rest, label)?;
        return Ok(Spec::Range(last - 11, last));
    }
    let parts: Vec<&str> = label.split('-').collect();
    match parts.as_slice() {
        [y] => {
            let y = year(y, label)?;
            Ok(Spec::Range(month_index(y, 1), month_index(y, 12)))
        }
        [y, "YTD"] => Ok(Spec::YearToDate(year(y, label)?)),
        [y, "YTD", m] => {
            let y = year(y, label)?;
            Ok(Spec::Range(month_index(y, 1), month_index(y, month(m, label)?)))
        }
        [y, q] if q.len() == 2 && q.starts_with('Q') => {
            let y = year(y, label)?;
            let n: u32 = match &q[1..] {
                "1" => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => return Err(bad(label)),
            };
            let first = month_index(y, 3 * n - 2);
            Ok(Spec::Range(first, first + 2))
        }
        [y, m] => {
            let at = month_index(year(y, label)?, month(m, label)?);
            Ok(Spec::Range(at, at))
        }
        _ => Err(bad(label)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_the_report_range_are_period_errors() {
        for label in ["0001", "0000-Q1", "9999-Q4", "R12-0000-01", "9001-01..9001-02", "0999-YTD"] {
            let e = Period::validate_label(label).unwrap_err();
            assert!(matches!(e, Error::Period { .. }), "{label}");
            assert!(e.to_string().contains("is outside the years a report covers (1000 to 9000)"), "{label}: {e}");
        }
        assert_eq!(
            Period::validate_label("9999-Q4").unwrap_err().to_string(),
            "period '9999-Q4': year 9999 is outside the years a report covers (1000 to 9000)"
        );
        assert!(Period::validate_label("1000-01").is_ok() && Period::validate_label("9000-12").is_ok());
    }

    #[test]
    fn days_of_a_month_exist_or_not() {
        // 2024 is a leap year, 2025 is not; month index 2025*12 + 1 is 2025-02.
        assert_eq!(date_in_month(month_index(2024, 2), 29), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(date_in_month(month_index(2025, 2), 29), None);
        assert_eq!(date_in_month(2025 * 12 + 1, 1), NaiveDate::from_ymd_opt(2025, 2, 1));
    }

    fn months(label: &str) -> (String, String) {
        let p = Period::parse(label, |_| Ok(Some(7))).unwrap();
        (month_label(p.first), month_label(p.last))
    }

    #[test]
    fn every_label_form() {
        let m = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(months("2025-03"), m("2025-03", "2025-03"));
        assert_eq!(months("2025-Q1"), m("2025-01", "2025-03"));
        assert_eq!(months("2025-Q4"), m("2025-10", "2025-12"));
        assert_eq!(months("2025"), m("2025-01", "2025-12"));
        assert_eq!(months("2025-YTD"), m("2025-01", "2025-07"));
        assert_eq!(months("2025-YTD-06"), m("2025-01", "2025-06"));
        assert_eq!(months("R12-2025-06"), m("2024-07", "2025-06"));
        assert_eq!(months("R12-2025-12"), m("2025-01", "2025-12"));
        assert_eq!(months("2024-11..2025-04"), m("2024-11", "2025-04"));
    }

    #[test]
    fn strict_labels_are_errors_naming_the_label() {
        for bad in [
            "2025-13",
            "2025-00",
            "2025-3",
            "25-03",
            "2025-q1",
            "2025-Q5",
            "r12-2025-06",
            "2025-ytd",
            "2025-04..2024-11",
            "",
            "2025-YTD-13",
            "2025-03-01",
            "2025..",
            "Q1-2025",
        ] {
            let e = Period::parse(bad, |_| Ok(Some(1))).unwrap_err();
            assert!(matches!(e, Error::Period { ref label, .. } if label == bad), "{bad}: {e}");
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
    }

    #[test]
    fn ytd_without_data_is_a_period_error() {
        assert!(matches!(Period::parse("2025-YTD", |_| Ok(None)), Err(Error::Period { .. })));
    }

    #[test]
    fn dates_and_prior() {
        let p = Period::parse("2024-Q1", |_| Ok(None)).unwrap();
        assert_eq!(p.start_date().to_string(), "2024-01-01");
        assert_eq!(p.end_date().to_string(), "2024-03-31");
        let feb = Period::parse("2024-02", |_| Ok(None)).unwrap();
        assert_eq!(feb.end_date().to_string(), "2024-02-29"); // leap year
        assert_eq!(month_label(feb.prior().first), "2023-02");
    }
}
