//! Finding each canonical column in a file (profile header, canonical name or
//! constant) and reading its cells as typed values with precise errors.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::load::mapping::MappingProfile;
use crate::model::cell::{echo, trim_cell};
use crate::model::dates::{self, CellDate};
use crate::model::error::{Error, Result};
use crate::model::money;
use crate::source::{Block, Record, TypedCell, TypedKind};

use super::typed_cells;

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

/// One canonical column as found, with the profile's rules for it.
pub(crate) struct Slot<'p> {
    name: String,
    source: Source,
    value_map: Option<&'p BTreeMap<String, String>>,
    blank_as_zero: bool,
    date_format: Option<&'p str>,
}

/// Where every canonical column of one file comes from.
pub(crate) struct Columns<'p> {
    slots: Vec<Slot<'p>>,
    pub headers: Vec<String>,
}

/// A canonical column looked up once, read by position in every record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    name: &'static str,
    slot: Option<usize>,
}

/// A column named by its canonical name or by a `Col` found before.
pub(crate) trait ColumnRef: Copy {
    fn name(&self) -> &str;
    fn slot<'c, 'p>(&self, cols: &'c Columns<'p>) -> Option<&'c Slot<'p>>;
}

impl ColumnRef for &str {
    fn name(&self) -> &str {
        self
    }
    fn slot<'c, 'p>(&self, cols: &'c Columns<'p>) -> Option<&'c Slot<'p>> {
        cols.slots.iter().find(|s| s.name == *self)
    }
}

impl ColumnRef for Col {
    fn name(&self) -> &str {
        self.name
    }
    fn slot<'c, 'p>(&self, cols: &'c Columns<'p>) -> Option<&'c Slot<'p>> {
        cols.slots.get(self.slot?)
    }
}

/// How two header spellings compare: trimmed, case-insensitive, and with
/// spaces, dashes and underscores treated alike.
/// Whether header `h` is the column whose key is `key` (a header longer
/// than any column name is none, and is not lower-cased to find out).
pub(crate) fn header_is(h: &str, key: &str) -> bool {
    h.len() <= LONGEST_HEADER_COMPARED && header_key(h) == key
}

pub(crate) fn header_key(h: &str) -> String {
    h.trim().chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).flat_map(char::to_lowercase).collect()
}

/// Headers longer than this are no one's column name: never matched or
/// compared for closeness (a one-line 10 MB file is one such header).
const LONGEST_HEADER_COMPARED: usize = 256;

/// The header closest by name (Jaro-Winkler on the header keys).
pub(crate) fn closest_header<'h>(wanted: &str, headers: &'h [String]) -> Option<&'h str> {
    let key = header_key(wanted);
    headers
        .iter()
        .filter(|h| h.len() <= LONGEST_HEADER_COMPARED)
        .map(|h| (strsim::jaro_winkler(&key, &header_key(h)), h))
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h.as_str())
}

/// The header that is `name`: the one spelt exactly so, else the one with
/// its key (`Claimant ID` for claimant_id). Two such headers make the file
/// ambiguous (one column's values would be dropped unseen): an error.
fn find_header(headers: &[String], name: &str, column: &str) -> Result<Option<usize>> {
    let exact: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == name).collect();
    let found = if exact.is_empty() {
        let key = header_key(name);
        (0..headers.len()).filter(|&i| header_is(&headers[i], &key)).collect()
    } else {
        exact
    };
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        several => Err(Error::mapping(format!(
            "column {column}: {} headers match '{name}' ({}); the file is ambiguous: remove all but one, or rename one and name it in a profile",
            several.len(),
            several.iter().map(|i| format!("'{}' in column {}", echo(&headers[*i]), i + 1)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The first of `names` found (a profile may list several headers).
fn first_found(names: &[&str], find: impl Fn(&str) -> Result<Option<usize>>) -> Result<Option<usize>> {
    for name in names {
        if let Some(i) = find(name)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
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
        check_profile_columns(profile, wanted)?;
        let mut sources = Vec::new();
        for &column in wanted {
            let find = |name: &str| find_header(headers, name, column);
            if let Some(value) = profile.constants.get(column) {
                // A constant must not hide the file's own column (a client_id
                // constant would move another client's rows into this one).
                let own = match profile.columns.get(column) {
                    None => find(column)?,
                    Some(spec) => first_found(&spec.headers(), find)?,
                };
                if let Some(i) = own {
                    let header = headers.get(i).map_or("", String::as_str);
                    return Err(Error::mapping(format!(
                        "the profile's constants give {column} = '{value}', but the file has its own {column} \
                         column (header '{header}'); drop the constant or the column"
                    )));
                }
                sources.push((column, Source::Constant(value.clone())));
                continue;
            }
            match profile.columns.get(column) {
                Some(spec) => {
                    let accepted = spec.headers();
                    match first_found(&accepted, find)? {
                        Some(i) => sources.push((column, Source::Header(i))),
                        None => {
                            let first = accepted.first().copied().unwrap_or(column);
                            let closest = echo(closest_header(first, headers).unwrap_or("none"));
                            return Err(Error::mapping(format!(
                                "column {column}: the profile names {} but the file has no such header; headers found: {}; closest: '{closest}'",
                                quoted_list(&accepted),
                                quoted_list(&headers.iter().map(String::as_str).collect::<Vec<_>>())
                            )));
                        }
                    }
                }
                None => {
                    if let Some(i) = find(column)? {
                        sources.push((column, Source::Header(i)));
                    } else if let Some(value) = fallbacks.get(column) {
                        sources.push((column, Source::Constant(value.clone())));
                    }
                }
            }
        }
        check_one_column_a_header(&sources, headers)?;
        let slots = sources
            .into_iter()
            .map(|(column, source)| Slot {
                name: column.to_string(),
                source,
                value_map: profile.value_maps.get(column),
                blank_as_zero: profile.blank_as_zero.iter().any(|c| c == column),
                date_format: profile.date_format_for(column),
            })
            .collect();
        Ok(Columns { slots, headers: headers.to_vec() })
    }

    /// The column, looked up once for reading many records.
    pub fn col(&self, name: &'static str) -> Col {
        Col { name, slot: self.slots.iter().position(|s| s.name == name) }
    }

    pub fn has(&self, column: impl ColumnRef) -> bool {
        column.slot(self).is_some()
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
        let used: Vec<usize> =
            self.slots.iter().filter_map(|s| if let Source::Header(i) = s.source { Some(i) } else { None }).collect();
        self.headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used.contains(i) && !h.is_empty())
            .map(|(_, h)| h.clone())
            .collect()
    }

    /// Positions of the headers some column reads.
    pub fn read_headers(&self) -> Vec<usize> {
        self.slots.iter().filter_map(|s| if let Source::Header(i) = s.source { Some(i) } else { None }).collect()
    }

    /// The headers of `columns` that may be read in their own Arrow type:
    /// read from a header, with no value map (a map applies to text).
    pub fn typed_headers(&self, columns: &[(&str, TypedKind)]) -> Vec<(usize, TypedKind)> {
        self.slots
            .iter()
            .filter(|s| s.value_map.is_none())
            .filter_map(|s| match s.source {
                Source::Header(i) => columns.iter().find(|(c, _)| *c == s.name).map(|(_, kind)| (i, *kind)),
                Source::Constant(_) => None,
            })
            .collect()
    }

    /// The cell when its column is read in its own Arrow type.
    fn typed<'r>(&self, rec: &Record<'r>, column: impl ColumnRef) -> Option<TypedCell<'r>> {
        match column.slot(self)?.source {
            Source::Header(i) => rec.typed(i),
            Source::Constant(_) => None,
        }
    }

    /// The cell as an error shows it: text as found, a typed value as Arrow writes it.
    pub fn shown(&self, rec: &Record, column: impl ColumnRef) -> String {
        match self.typed(rec, column) {
            Some(cell) => typed_cells::shown(cell),
            None => self.raw(rec, column).unwrap_or("").to_string(),
        }
    }

    /// The cell as found (after the value map), or None when the column is absent.
    pub fn raw<'r>(&'r self, rec: &'r Record<'_>, column: impl ColumnRef) -> Option<&'r str> {
        let slot = column.slot(self)?;
        let value = match &slot.source {
            Source::Constant(v) => v.as_str(),
            Source::Header(i) => rec.get(*i).unwrap_or(""),
        };
        Some(match slot.value_map {
            Some(map) => crate::load::mapping::map_value_with(map, value),
            None => value,
        })
    }

    /// The bytes of a column's cells over a block as found (before trimming
    /// or value maps): room enough for its text in most files.
    pub fn cell_bytes(&self, block: &Block, column: impl ColumnRef) -> usize {
        match column.slot(self).map(|s| &s.source) {
            Some(Source::Header(i)) => block.records().map(|r| r.get(*i).map_or(0, str::len)).sum(),
            Some(Source::Constant(v)) => v.len() * block.len(),
            None => 0,
        }
    }

    fn err(column: &str, value: &str, reason: impl Into<String>) -> CellError {
        CellError { column: column.to_string(), value: value.to_string(), reason: reason.into() }
    }

    /// Trimmed text; None for an absent column or a blank cell.
    pub fn text(&self, rec: &Record, column: impl ColumnRef) -> Option<String> {
        self.text_str(rec, column).map(str::to_string)
    }

    /// `text` without a copy.
    pub fn text_str<'r>(&'r self, rec: &'r Record<'_>, column: impl ColumnRef) -> Option<&'r str> {
        let v = trim_cell(self.raw(rec, column)?);
        (!v.is_empty()).then_some(v)
    }

    pub fn text_required(&self, rec: &Record, column: impl ColumnRef) -> CellResult<String> {
        self.text_str_required(rec, column).map(str::to_string)
    }

    /// `text_required` without a copy.
    pub fn text_str_required<'r>(&'r self, rec: &'r Record<'_>, column: impl ColumnRef) -> CellResult<&'r str> {
        self.text_str(rec, column).ok_or_else(|| {
            Self::err(column.name(), self.raw(rec, column).unwrap_or(""), "is blank; a value is required")
        })
    }

    /// Money in cents. A blank cell is an error unless the profile lists the
    /// column in `blank_as_zero`; an absent column is None.
    pub fn money(&self, rec: &Record, column: impl ColumnRef) -> CellResult<Option<i128>> {
        if let Some(cell) = self.typed(rec, column) {
            return match typed_cells::cents(cell) {
                Ok(Some(cents)) => Ok(Some(cents)),
                Ok(None) if column.slot(self).is_some_and(|s| s.blank_as_zero) => Ok(Some(0)),
                Ok(None) => Err(Self::err(column.name(), "", "is blank; an amount is required")),
                Err(reason) => Err(Self::err(column.name(), &typed_cells::shown(cell), reason)),
            };
        }
        let Some(raw) = self.raw(rec, column) else { return Ok(None) };
        if trim_cell(raw).is_empty() && column.slot(self).is_some_and(|s| s.blank_as_zero) {
            return Ok(Some(0));
        }
        money::parse_cents(raw).map(Some).map_err(|reason| Self::err(column.name(), raw, reason))
    }

    pub fn money_required(&self, rec: &Record, column: impl ColumnRef) -> CellResult<i128> {
        self.money(rec, column)?.ok_or_else(|| Self::err(column.name(), "", "is missing"))
    }

    /// Money where blank means "not given" (e.g. an optional total to check).
    pub fn money_optional(&self, rec: &Record, column: impl ColumnRef) -> CellResult<Option<i128>> {
        if let Some(cell) = self.typed(rec, column) {
            return if cell.array.is_null(cell.row) { Ok(None) } else { self.money(rec, column) };
        }
        match self.raw(rec, column) {
            Some(raw) if trim_cell(raw).is_empty() => Ok(None),
            _ => self.money(rec, column),
        }
    }

    /// A whole number within `range` (no signs, decimals or separators).
    pub fn integer(
        &self,
        rec: &Record,
        column: &str,
        range: std::ops::RangeInclusive<i64>,
        what: &str,
    ) -> CellResult<i64> {
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
    pub fn date(&self, rec: &Record, column: impl ColumnRef) -> CellResult<Option<CellDate>> {
        if let Some(cell) = self.typed(rec, column) {
            let shown = || typed_cells::shown(cell);
            return match typed_cells::days(cell) {
                Ok(Some(days)) => Self::in_data_years(CellDate::Exact(days), column, shown).map(Some),
                Ok(None) => Ok(None),
                Err(reason) => Err(Self::err(column.name(), &shown(), reason)),
            };
        }
        let Some(raw) = self.raw(rec, column) else { return Ok(None) };
        if trim_cell(raw).is_empty() {
            return Ok(None);
        }
        let parsed = match column.slot(self).and_then(|s| s.date_format) {
            Some(format) => dates::parse_with_format(raw, format).map(CellDate::Exact),
            None => dates::parse_auto(raw),
        };
        let date = parsed.map_err(|reason| Self::err(column.name(), raw, reason))?;
        Self::in_data_years(date, column, || raw.to_string()).map(Some)
    }

    fn in_data_years(date: CellDate, column: impl ColumnRef, shown: impl Fn() -> String) -> CellResult<CellDate> {
        let year = match date {
            CellDate::Exact(days) => dates::from_days(days).year(),
            CellDate::Slash { year, .. } => year,
        };
        if !DATA_YEARS.contains(&year) {
            return Err(Self::err(
                column.name(),
                &shown(),
                format!("is in year {year}; dates from {} to {} are read", DATA_YEARS.start(), DATA_YEARS.end()),
            ));
        }
        Ok(date)
    }

    pub fn date_required(&self, rec: &Record, column: impl ColumnRef) -> CellResult<CellDate> {
        self.date(rec, column)?.ok_or_else(|| {
            Self::err(column.name(), self.raw(rec, column).unwrap_or(""), "is blank; a date is required")
        })
    }

    pub fn cell_error(column: &str, value: &str, reason: impl Into<String>) -> CellError {
        Self::err(column, value, reason)
    }
}

/// The years a date cell may fall in (a year 0 or 1 is a typo, not a claim).
pub(crate) const DATA_YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// Whether a file gives `column` at all: a profile constant or mapping, or a
/// header of that name. Used to tell a table's optional shapes apart.
pub(crate) fn column_present(headers: &[String], profile: &MappingProfile, column: &str) -> bool {
    let key = header_key(column);
    profile.constants.contains_key(column)
        || profile.columns.contains_key(column)
        || headers.iter().any(|h| header_is(h, &key))
}

pub(crate) fn missing_column_error(column: &str, headers: &[String]) -> Error {
    let closest = echo(closest_header(column, headers).unwrap_or("none"));
    Error::mapping(format!(
        "required column {column} is missing; headers found: {}; closest: '{closest}'. \
         Map it in a profile (\"columns\": {{\"{column}\": \"<your header>\"}}) or run `claimscope mapping suggest`",
        quoted_list(&headers.iter().map(String::as_str).collect::<Vec<_>>())
    ))
}

/// Every column a profile names (in `columns`, `constants`, `value_maps`,
/// `date_formats`, `blank_as_zero`) must be one this table reads: a
/// misspelt name would otherwise be ignored and its column silently lost.
fn check_profile_columns(profile: &MappingProfile, wanted: &[&str]) -> Result<()> {
    let named = [
        ("columns", profile.columns.keys().map(String::as_str).collect::<Vec<_>>()),
        ("constants", profile.constants.keys().map(String::as_str).collect()),
        ("value_maps", profile.value_maps.keys().map(String::as_str).collect()),
        ("date_formats", profile.date_formats.keys().map(String::as_str).collect()),
        ("blank_as_zero", profile.blank_as_zero.iter().map(String::as_str).collect()),
    ];
    for (section, columns) in named {
        if let Some(unknown) = columns.into_iter().find(|c| !wanted.contains(c)) {
            let known: Vec<String> = wanted.iter().map(|c| c.to_string()).collect();
            let closest = closest_header(unknown, &known).unwrap_or("none");
            return Err(Error::mapping(format!(
                "the profile's {section} names '{unknown}', which is not a column of this table; \
                 its columns are {}; closest: '{closest}'",
                quoted_list(wanted)
            )));
        }
    }
    Ok(())
}

/// One header feeds one column: two columns read from the same header (a
/// claim_date mapped to the paid date's header) would copy one into the other.
fn check_one_column_a_header(sources: &[(&str, Source)], headers: &[String]) -> Result<()> {
    for (i, (column, source)) in sources.iter().enumerate() {
        let Source::Header(h) = source else { continue };
        if let Some((other, _)) = sources[..i].iter().find(|(_, s)| matches!(s, Source::Header(x) if x == h)) {
            let header = headers.get(*h).map_or("", String::as_str);
            return Err(Error::mapping(format!(
                "columns {other} and {column} both read header '{header}'; map each column to its own header"
            )));
        }
    }
    Ok(())
}

/// Items quoted for a message: each cut to its start when long, at most 60
/// of them (a one-line 10 MB file is one huge header).
pub(crate) fn quoted_list(items: &[&str]) -> String {
    const SHOWN: usize = 60;
    let mut out = items.iter().take(SHOWN).map(|h| format!("'{}'", echo(h))).collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        out.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    out
}
