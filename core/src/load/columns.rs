//! Finding each canonical column in a file (profile header, canonical name or
//! constant) and reading its cells as typed values with precise errors.

use std::collections::BTreeMap;

use crate::dates::{self, CellDate};
use crate::error::{Error, Result};
use crate::mapping::MappingProfile;
use crate::money;
use crate::source::RawRecord;

/// Why one cell was rejected.
#[derive(Debug, Clone)]
pub(crate) struct CellError {
    pub column: String,
    pub value: String,
    pub reason: String,
}

pub(crate) type CellResult<T> = std::result::Result<T, CellError>;

#[derive(Debug, Clone)]
enum Source {
    Header(usize),
    Constant(String),
}

/// Where every canonical column of one file comes from.
pub(crate) struct Columns<'p> {
    profile: &'p MappingProfile,
    sources: BTreeMap<String, Source>,
    pub headers: Vec<String>,
}

/// How two header spellings compare: trimmed, case-insensitive, and with
/// spaces, dashes and underscores treated alike.
pub(crate) fn header_key(h: &str) -> String {
    h.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header closest by name (Jaro-Winkler on the header keys).
pub(crate) fn closest_header<'h>(wanted: &str, headers: &'h [String]) -> Option<&'h str> {
    let key = header_key(wanted);
    headers
        .iter()
        .map(|h| (strsim::jaro_winkler(&key, &header_key(h)), h))
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h.as_str())
}

impl<'p> Columns<'p> {
    /// Resolves `wanted` columns. A profile constant wins over headers; a
    /// profile entry must be found in the file; otherwise the canonical name
    /// is used; `fallbacks` fill columns the file does not have.
    pub fn resolve(
        headers: &[String],
        profile: &'p MappingProfile,
        wanted: &[&str],
        fallbacks: &BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut sources = BTreeMap::new();
        for &column in wanted {
            if let Some(value) = profile.constants.get(column) {
                sources.insert(column.to_string(), Source::Constant(value.clone()));
                continue;
            }
            let find = |name: &str| {
                headers.iter().position(|h| h == name).or_else(|| {
                    let k = header_key(name);
                    headers.iter().position(|h| header_key(h) == k)
                })
            };
            match profile.columns.get(column) {
                Some(spec) => {
                    let accepted = spec.headers();
                    match accepted.iter().find_map(|h| find(h)) {
                        Some(i) => {
                            sources.insert(column.to_string(), Source::Header(i));
                        }
                        None => {
                            let closest = closest_header(accepted[0], headers).unwrap_or("none");
                            return Err(Error::mapping(format!(
                                "column {column}: the profile names {} but the file has no such header; headers found: {}; closest: '{closest}'",
                                quoted_list(&accepted),
                                quoted_list(&headers.iter().map(String::as_str).collect::<Vec<_>>())
                            )));
                        }
                    }
                }
                None => {
                    if let Some(i) = find(column) {
                        sources.insert(column.to_string(), Source::Header(i));
                    } else if let Some(value) = fallbacks.get(column) {
                        sources.insert(column.to_string(), Source::Constant(value.clone()));
                    }
                }
            }
        }
        Ok(Columns { profile, sources, headers: headers.to_vec() })
    }

    pub fn has(&self, column: &str) -> bool {
        self.sources.contains_key(column)
    }

    /// Errors for required columns that are absent: one error naming the
    /// column, the headers found and the closest header.
    pub fn require(&self, column: &str) -> Result<()> {
        if self.has(column) {
            return Ok(());
        }
        Err(missing_column_error(column, &self.headers))
    }

    /// Headers of the file that no canonical column uses.
    pub fn unused_headers(&self) -> Vec<String> {
        let used: Vec<usize> = self
            .sources
            .values()
            .filter_map(|s| if let Source::Header(i) = s { Some(*i) } else { None })
            .collect();
        self.headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used.contains(i) && !h.is_empty())
            .map(|(_, h)| h.clone())
            .collect()
    }

    /// The cell as found (after the value map), or None when the column is absent.
    pub fn raw<'r>(&'r self, rec: &'r RawRecord, column: &str) -> Option<&'r str> {
        let value = match self.sources.get(column)? {
            Source::Constant(v) => v.as_str(),
            Source::Header(i) => rec.fields.get(*i).unwrap_or(""),
        };
        Some(self.profile.map_value(column, value))
    }

    fn err(column: &str, value: &str, reason: impl Into<String>) -> CellError {
        CellError { column: column.to_string(), value: value.to_string(), reason: reason.into() }
    }

    /// Trimmed text; None for an absent column or a blank cell.
    pub fn text(&self, rec: &RawRecord, column: &str) -> Option<String> {
        let v = self.raw(rec, column)?.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    pub fn text_required(&self, rec: &RawRecord, column: &str) -> CellResult<String> {
        self.text(rec, column)
            .ok_or_else(|| Self::err(column, self.raw(rec, column).unwrap_or(""), "is blank; a value is required"))
    }

    /// Money in cents. A blank cell is an error unless the profile lists the
    /// column in `blank_as_zero`; an absent column is None.
    pub fn money(&self, rec: &RawRecord, column: &str) -> CellResult<Option<i128>> {
        let Some(raw) = self.raw(rec, column) else { return Ok(None) };
        if raw.trim().is_empty() && self.profile.blank_as_zero.iter().any(|c| c == column) {
            return Ok(Some(0));
        }
        money::parse_cents(raw).map(Some).map_err(|reason| Self::err(column, raw, reason))
    }

    pub fn money_required(&self, rec: &RawRecord, column: &str) -> CellResult<i128> {
        self.money(rec, column)?.ok_or_else(|| Self::err(column, "", "is missing"))
    }

    /// Money where blank means "not given" (e.g. an optional total to check).
    pub fn money_optional(&self, rec: &RawRecord, column: &str) -> CellResult<Option<i128>> {
        match self.raw(rec, column) {
            Some(raw) if raw.trim().is_empty() => Ok(None),
            _ => self.money(rec, column),
        }
    }

    /// A whole number within `range` (no signs, decimals or separators).
    pub fn integer(&self, rec: &RawRecord, column: &str, range: std::ops::RangeInclusive<i64>, what: &str) -> CellResult<i64> {
        let raw = self.raw(rec, column).unwrap_or("");
        let v = raw.trim();
        if v.is_empty() {
            return Err(Self::err(column, raw, "is blank; a value is required"));
        }
        let parsed = v.strip_prefix('-').unwrap_or(v);
        if parsed.is_empty() || !parsed.chars().all(|c| c.is_ascii_digit()) {
            return Err(Self::err(column, raw, format!("is not a whole number; expected {what}")));
        }
        let n: i64 = v.parse().map_err(|_| Self::err(column, raw, format!("is out of range; expected {what}")))?;
        if !range.contains(&n) {
            return Err(Self::err(column, raw, format!("is out of range; expected {what}")));
        }
        Ok(n)
    }

    /// A date cell (slash dates are resolved later for the whole file).
    pub fn date(&self, rec: &RawRecord, column: &str) -> CellResult<Option<CellDate>> {
        let Some(raw) = self.raw(rec, column) else { return Ok(None) };
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let parsed = match self.profile.date_format_for(column) {
            Some(format) => dates::parse_with_format(raw, format).map(CellDate::Exact),
            None => dates::parse_auto(raw),
        };
        parsed.map(Some).map_err(|reason| Self::err(column, raw, reason))
    }

    pub fn date_required(&self, rec: &RawRecord, column: &str) -> CellResult<CellDate> {
        self.date(rec, column)?
            .ok_or_else(|| Self::err(column, self.raw(rec, column).unwrap_or(""), "is blank; a date is required"))
    }

    pub fn cell_error(column: &str, value: &str, reason: impl Into<String>) -> CellError {
        Self::err(column, value, reason)
    }
}

/// Whether a file gives `column` at all: a profile constant or mapping, or a
/// header of that name. Used to tell a table's optional shapes apart.
pub(crate) fn column_present(headers: &[String], profile: &MappingProfile, column: &str) -> bool {
    let key = header_key(column);
    profile.constants.contains_key(column)
        || profile.columns.contains_key(column)
        || headers.iter().any(|h| header_key(h) == key)
}

pub(crate) fn missing_column_error(column: &str, headers: &[String]) -> Error {
    let closest = closest_header(column, headers).unwrap_or("none");
    Error::mapping(format!(
        "required column {column} is missing; headers found: {}; closest: '{closest}'. \
         Map it in a profile (\"columns\": {{\"{column}\": \"<your header>\"}}) or run `claimscope mapping suggest`",
        quoted_list(&headers.iter().map(String::as_str).collect::<Vec<_>>())
    ))
}

pub(crate) fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", ")
}
