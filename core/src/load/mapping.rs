//! Mapping profiles: how a carrier export's headers and values become a
//! canonical table. Saved as JSON and reused per data source.
//!
//! ```
//! let profile = claimscope::MappingProfile::from_json(r#"{
//!   "table": "claims",
//!   "columns": {"claimant_id": ["Member ID", "MemberID"], "amount": "Paid Amt",
//!               "claim_type": "Type", "claim_date": "Incurred Date"},
//!   "date_format": "%m/%d/%Y",
//!   "value_maps": {"claim_type": {"MED": "medical", "RX": "pharmacy"}},
//!   "constants": {"client_id": "ACME"}
//! }"#).unwrap();
//! assert_eq!(profile.columns.len(), 4);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::error::{Error, Result};
use crate::model::table::Table;

/// The virtual claims column for the one-amount shape: its value goes to
/// medical_amount or pharmacy_amount by claim_type.
pub const AMOUNT_COLUMN: &str = "amount";

/// One accepted source header, or several (the first present is used).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeaderSpec {
    One(String),
    Many(Vec<String>),
}

impl HeaderSpec {
    pub fn headers(&self) -> Vec<&str> {
        match self {
            HeaderSpec::One(h) => vec![h.as_str()],
            HeaderSpec::Many(hs) => hs.iter().map(String::as_str).collect(),
        }
    }
}

/// A mapping profile (serde JSON).
///
/// Columns not named in `columns` are looked up by their canonical name, so a
/// file whose headers already are canonical needs no profile at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingProfile {
    /// The target table; a load's own table argument must agree with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
    /// Canonical column (or `amount` for the one-amount claims shape) ->
    /// source header or list of accepted headers.
    #[serde(default)]
    pub columns: BTreeMap<String, HeaderSpec>,
    /// strftime format for every date column, e.g. `%m/%d/%Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// strftime format per date column, overriding `date_format`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub date_formats: BTreeMap<String, String>,
    /// Canonical column -> the same value for every row (e.g. claim_type =
    /// pharmacy for an Rx file), for a column the file does not have (a
    /// constant for a column the file has is a mapping error).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<String, String>,
    /// Canonical column -> source value -> canonical value (`RX` -> pharmacy).
    /// Keys match after trimming, case-insensitively.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_maps: BTreeMap<String, BTreeMap<String, String>>,
    /// Money columns where a blank cell means 0 (otherwise blank is an error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blank_as_zero: Vec<String>,
    /// `,`, `tab` (or `\t`), `|` or `;`; detected from the header when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `utf-8` or `windows-1252`; detected when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Written by `suggest_mapping`: confidence in [0, 1] per column. Ignored on load.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confidence: BTreeMap<String, f64>,
    /// Written by `suggest_mapping`: what the user still has to decide. Ignored on load.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_decision: Vec<String>,
}

impl MappingProfile {
    pub fn from_json(text: &str) -> Result<Self> {
        let profile: MappingProfile =
            serde_json::from_str(text).map_err(|e| Error::mapping(format!("mapping profile is not valid: {e}")))?;
        if let Some((column, _)) = profile.columns.iter().find(|(_, spec)| spec.headers().is_empty()) {
            return Err(Error::mapping(format!(
                "mapping profile is not valid: columns.{column} is an empty list; name at least one header"
            )));
        }
        Ok(profile)
    }

    pub fn from_path(path: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text).map_err(|e| Error::mapping(format!("{path}: {e}")))
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The date format for a column, if the profile gives one.
    pub fn date_format_for(&self, column: &str) -> Option<&str> {
        self.date_formats.get(column).or(self.date_format.as_ref()).map(String::as_str)
    }

    /// Applies the column's value map to a trimmed cell.
    pub fn map_value<'a>(&'a self, column: &str, value: &'a str) -> &'a str {
        match self.value_maps.get(column) {
            Some(map) => map_value_with(map, value),
            None => value,
        }
    }
}

/// Applies one column's value map: keys match trimmed, then case-insensitively.
pub(crate) fn map_value_with<'a>(map: &'a BTreeMap<String, String>, value: &'a str) -> &'a str {
    let v = value.trim();
    if let Some(mapped) = map.get(v) {
        return mapped;
    }
    match map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(v)) {
        Some((_, mapped)) => mapped,
        None => value,
    }
}
