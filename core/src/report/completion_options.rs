//! The options of the `completion` and `projection` sections, read from
//! the report options' `completion` object (or `true` for the defaults).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::error::{Error, Result};
use crate::model::money::json_scalar_text;

/// Recent incurred months averaged into each age-to-age factor when not told.
pub const DEFAULT_COMPLETION_MONTHS: usize = 12;
/// Latest incurred months set by projection when not told.
pub const DEFAULT_PROJECTION_MONTHS: usize = 2;

/// How recent months are completed (docs/completion.md).
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionOptions {
    /// The valuation date: rows paid after it are left out. None: the
    /// client's latest paid_date.
    pub as_of: Option<NaiveDate>,
    /// Age-to-age factors average the latest this many incurred months.
    pub completion_months: usize,
    /// The latest this many incurred months are set by the projection
    /// (expected PMPM x member months); 0 leaves every month to the factors.
    pub projection_months: usize,
    /// Annual trend applied to the expected PMPM (0.06 = 6%).
    pub trend: Decimal,
    /// Projected months blend both methods, the completion factor weighting the chain ladder.
    pub blend: bool,
    /// Development beyond the triangle's last age (1 = none).
    pub tail: Decimal,
}

impl Default for CompletionOptions {
    fn default() -> Self {
        CompletionOptions {
            as_of: None,
            completion_months: DEFAULT_COMPLETION_MONTHS,
            projection_months: DEFAULT_PROJECTION_MONTHS,
            trend: Decimal::ZERO,
            blend: false,
            tail: Decimal::ONE,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompletionDoc {
    as_of: Option<String>,
    completion_months: Option<usize>,
    projection_months: Option<usize>,
    trend: Option<Box<RawValue>>,
    blend: Option<bool>,
    tail: Option<Box<RawValue>>,
}

fn completion_error(message: impl std::fmt::Display) -> Error {
    Error::argument(format!("report options: completion: {message}"))
}

/// An ISO date option (`2025-10-31`).
pub fn parse_as_of(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| completion_error(format!("as_of '{text}' is not a date; expected YYYY-MM-DD")))
}

fn decimal_field(raw: &Option<Box<RawValue>>, name: &str) -> Result<Option<Decimal>> {
    let Some(text) = raw.as_deref().map(json_scalar_text).transpose().map_err(completion_error)?.flatten() else {
        return Ok(None);
    };
    let trimmed = text.trim();
    let value = match trimmed.strip_suffix('%') {
        Some(pct) => Decimal::from_str_exact(pct.trim()).ok().map(|p| p / Decimal::ONE_HUNDRED),
        None => Decimal::from_str_exact(trimmed).ok(),
    };
    value.map(Some).ok_or_else(|| completion_error(format!("{name} '{text}' is not a decimal (e.g. 0.06 or 6%)")))
}

impl CompletionOptions {
    /// Reads the `completion` option: `true`, `false`/`null` (none) or an object.
    pub fn from_json(raw: &RawValue) -> Result<Option<CompletionOptions>> {
        match raw.get().trim() {
            "null" | "false" => return Ok(None),
            "true" => return Ok(Some(CompletionOptions::default())),
            _ => {}
        }
        let doc: CompletionDoc = serde_json::from_str(raw.get()).map_err(completion_error)?;
        let mut out = CompletionOptions {
            as_of: doc.as_of.as_deref().map(parse_as_of).transpose()?,
            ..CompletionOptions::default()
        };
        if let Some(k) = doc.completion_months {
            out.completion_months = k;
        }
        if let Some(m) = doc.projection_months {
            out.projection_months = m;
        }
        if let Some(t) = decimal_field(&doc.trend, "trend")? {
            out.trend = t;
        }
        out.blend = doc.blend.unwrap_or(false);
        if let Some(t) = decimal_field(&doc.tail, "tail")? {
            out.tail = t;
        }
        Ok(Some(out))
    }

    /// Refuses what no completion can mean.
    pub fn validate(&self) -> Result<()> {
        if self.completion_months == 0 {
            return Err(completion_error("completion_months is 0; the factors need at least 1 incurred month"));
        }
        if self.projection_months > 12 {
            return Err(completion_error(format!(
                "projection_months {} is more than 12; the projection's base is the 12 months before them",
                self.projection_months
            )));
        }
        if self.trend <= Decimal::NEGATIVE_ONE || self.trend > Decimal::ONE {
            return Err(completion_error(format!(
                "trend '{}' is outside (-1, 1] (an annual rate, 0.06 = 6%)",
                self.trend
            )));
        }
        if self.tail < Decimal::ONE || self.tail > Decimal::from(10) {
            return Err(completion_error(format!("tail '{}' is outside [1, 10]", self.tail)));
        }
        Ok(())
    }

    /// The options as written in the report's `completion.parameters`.
    pub fn trend_text(&self) -> String {
        self.trend.normalize().to_string()
    }
}

/// Parses a trend given on a command line (`0.06` or `6%`).
pub fn parse_trend(text: &str) -> Result<Decimal> {
    let raw =
        RawValue::from_string(serde_json::Value::String(text.to_string()).to_string()).map_err(completion_error)?;
    decimal_field(&Some(raw), "trend")?.ok_or_else(|| completion_error("trend is empty"))
}

/// Parses a tail factor given on a command line.
pub fn parse_tail(text: &str) -> Result<Decimal> {
    Decimal::from_str(text.trim()).map_err(|_| completion_error(format!("tail '{text}' is not a decimal (e.g. 1.02)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<CompletionOptions>> {
        CompletionOptions::from_json(&RawValue::from_string(text.to_string()).unwrap())
    }

    #[test]
    fn reads_true_objects_and_percentages() {
        assert_eq!(read("true").unwrap(), Some(CompletionOptions::default()));
        assert_eq!(read("false").unwrap(), None);
        let o = read(r#"{"as_of": "2025-10-31", "completion_months": 6, "projection_months": 0, "trend": "6%", "blend": true, "tail": 1.02}"#)
            .unwrap()
            .unwrap();
        assert_eq!(o.as_of, NaiveDate::from_ymd_opt(2025, 10, 31));
        assert_eq!((o.completion_months, o.projection_months, o.blend), (6, 0, true));
        assert_eq!(o.trend.to_string(), "0.06");
        assert_eq!(o.tail.to_string(), "1.02");
        assert_eq!(parse_trend("0.075").unwrap().to_string(), "0.075");
        for bad in [r#"{"as_of": "2025-13-01"}"#, r#"{"trend": "six"}"#, r#"{"months": 3}"#] {
            assert!(read(bad).is_err(), "{bad}");
        }
        for bad in
            [r#"{"completion_months": 0}"#, r#"{"trend": -1}"#, r#"{"tail": 0.9}"#, r#"{"projection_months": 13}"#]
        {
            assert!(read(bad).unwrap().unwrap().validate().is_err(), "{bad}");
        }
    }
}
