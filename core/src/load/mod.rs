//! Loading a text table into canonical Arrow batches: the row pipeline shared
//! by every table. Phase 1 checks every cell of every record; phase 2 reads
//! the file's slash dates in one order for the whole file; phase 3 builds the
//! arrays from the records that passed. Nothing is dropped without a
//! RowError, and `read = accepted + rejected + moved`.

mod claims;
pub(crate) mod columns;
mod spans;
mod tables;

use std::collections::{BTreeMap, HashMap};

use datafusion::arrow::record_batch::RecordBatch;

use crate::dates::{self, CellDate, SlashEvidence};
use crate::error::{Error, Result};
use crate::mapping::MappingProfile;
use crate::source::{RawRecord, TextTable};
use crate::summary::{LoadSummary, RowError};
use crate::table::Table;
use columns::{CellError, CellResult, Columns};

/// Strict mode keeps at most this many errors in the failure it returns.
pub const STRICT_ERROR_LIMIT: usize = 100;

/// Options of one load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The mapping profile; None for a file whose headers are canonical.
    pub mapping: Option<MappingProfile>,
    /// Load the good rows and return the rejects instead of failing.
    pub lenient: bool,
    /// client_id for a single-client file that has no client_id column.
    pub client_id: Option<String>,
}

/// Keys already loaded in a dataset, so duplicates across files are caught.
#[derive(Debug, Default, Clone)]
pub(crate) struct ExistingKeys {
    pub budget_months: HashMap<(String, i32, i32), String>,
    pub enrollment_months: HashMap<(String, i32, i32), String>,
}

/// What a load produced: batches per table (admin rows of a claims file go
/// to admin_fees) and the summary.
pub(crate) struct LoadOutput {
    pub batches: Vec<(Table, RecordBatch)>,
    pub summary: LoadSummary,
    pub keys: ExistingKeys,
}

/// Context a table's rows may need while being checked.
pub(crate) struct RowContext<'a> {
    /// First 8 hex chars of the file's sha256, for generated claim ids.
    pub sha8: &'a str,
    pub source: &'a str,
    pub keys: &'a mut ExistingKeys,
    pub warnings: &'a mut Vec<String>,
}

/// The per-table part of the pipeline.
pub(crate) trait TableRows: Default {
    /// Canonical columns (plus `amount` for claims) this table reads.
    const WANTED: &'static [&'static str];
    /// Checks that the columns needed are present.
    fn check_columns(cols: &Columns) -> Result<()>;
    /// Checks one record and keeps its values; an error rejects it.
    fn push(&mut self, cols: &Columns, rec: &RawRecord, ctx: &mut RowContext) -> CellResult<()>;
    /// The date columns kept so far, in a fixed order.
    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])>;
    /// Checks kept row `i` once its dates are resolved (e.g. an end before
    /// its start); an error rejects it.
    fn check_resolved(&self, _i: usize, _days: &[Vec<i32>]) -> Option<CellError> {
        None
    }
    /// Builds the batches of the kept rows (`keep[i]`), given the resolved
    /// days of each date column; returns the batches and the moved count.
    fn finish(self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)>;
}

pub(crate) fn load_text_table(
    table: Table,
    text: TextTable,
    options: &LoadOptions,
    source: &str,
    keys: &ExistingKeys,
) -> Result<LoadOutput> {
    let default_profile = MappingProfile::default();
    let profile = options.mapping.as_ref().unwrap_or(&default_profile);
    if let Some(profile_table) = profile.table {
        if profile_table != table {
            return Err(Error::mapping(format!(
                "the mapping profile is for table {profile_table}, but the file is being loaded as {table}"
            )));
        }
    }
    let present = |column: &str| columns::column_present(&text.headers, profile, column);
    let pepm_budgets = !present("budget_medical") && <tables::PepmRates as tables::BudgetShape>::COLUMNS.iter().skip(3).any(|c| present(c));
    let spans = !present("member_count") && (present("member_id") || present("start_date"));
    match table.model_table() {
        Table::Claims => run::<claims::ClaimRows>(table, text, profile, options, source, keys),
        Table::Budgets if pepm_budgets => run::<tables::BudgetRows<tables::PepmRates>>(table, text, profile, options, source, keys),
        Table::Budgets => run::<tables::BudgetRows<tables::Amounts>>(table, text, profile, options, source, keys),
        Table::Enrollments if spans => run::<spans::SpanRows>(table, text, profile, options, source, keys),
        Table::Enrollments => run::<tables::EnrollmentRows>(table, text, profile, options, source, keys),
        Table::AdminFees => run::<tables::AdminFeeRows>(table, text, profile, options, source, keys),
        Table::Rebates => run::<tables::RebateRows>(table, text, profile, options, source, keys),
        Table::StopLossReimbursements => run::<tables::StopLossRows>(table, text, profile, options, source, keys),
        Table::EligibilitySpans => run::<spans::SpanRows>(table, text, profile, options, source, keys),
        Table::BudgetRates => run::<tables::BudgetRows<tables::PepmRates>>(table, text, profile, options, source, keys),
    }
}

fn run<R: TableRows>(
    table: Table,
    text: TextTable,
    profile: &MappingProfile,
    options: &LoadOptions,
    source: &str,
    keys: &ExistingKeys,
) -> Result<LoadOutput> {
    let mut fallbacks = BTreeMap::new();
    if let Some(client) = &options.client_id {
        fallbacks.insert("client_id".to_string(), client.clone());
    }
    let cols = Columns::resolve(&text.headers, profile, R::WANTED, &fallbacks)?;
    R::check_columns(&cols)?;

    let mut keys = keys.clone();
    let mut warnings = Vec::new();
    let unused = cols.unused_headers();
    if !unused.is_empty() {
        warnings.push(format!("columns not loaded (no canonical column uses them): {}", unused.join(", ")));
    }
    if !text.empty_rows.is_empty() {
        let lines: Vec<String> = text.empty_rows.iter().map(u64::to_string).collect();
        warnings.push(format!("{} empty rows skipped (lines {})", lines.len(), lines.join(", ")));
    }

    let mut rows = R::default();
    let mut origins: Vec<(u64, u64)> = Vec::new();
    let mut errors: Vec<RowError> = text
        .record_errors
        .iter()
        .map(|(r, reason)| RowError { record: r.record, line: r.line, column: "record".into(), value: String::new(), reason: reason.clone() })
        .collect();
    let sha8 = text.sha256.get(..8).unwrap_or("").to_string();
    let width = text.headers.len();
    {
        let mut ctx = RowContext { sha8: &sha8, source, keys: &mut keys, warnings: &mut warnings };
        for rec in &text.records {
            if rec.fields.len() != width {
                errors.push(RowError {
                    record: rec.record,
                    line: rec.line,
                    column: "record".into(),
                    value: rec.fields.iter().collect::<Vec<_>>().join(&text.delimiter),
                    reason: format!("has {} fields; the header has {width}", rec.fields.len()),
                });
                continue;
            }
            match rows.push(&cols, rec, &mut ctx) {
                Ok(()) => origins.push((rec.record, rec.line)),
                Err(e) => errors.push(row_error(rec, e)),
            }
        }
    }

    // Phase 2: one slash-date order for the whole file.
    let mut keep = vec![true; origins.len()];
    let mut evidence = SlashEvidence::default();
    let date_cols = rows.date_columns();
    for (_, cells) in &date_cols {
        for cell in cells.iter() {
            if let CellDate::Slash { first, second, year } = *cell {
                evidence.observe(first, second, year);
            }
        }
    }
    let has_slash = date_cols.iter().any(|(_, c)| c.iter().any(|d| matches!(d, CellDate::Slash { .. })));
    let names: Vec<&str> = date_cols.iter().map(|(n, _)| *n).collect();
    let order = if has_slash { Some(evidence.resolve(&names.join("/")).map_err(Error::mapping)?) } else { None };
    let mut days_columns = Vec::new();
    for (column, cells) in &date_cols {
        let mut days = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let day = match (*cell, order) {
                (CellDate::Exact(d), _) => Ok(d),
                (CellDate::Slash { first, second, year }, Some(order)) => dates::resolve_slash(first, second, year, order),
                (CellDate::Slash { .. }, None) => Ok(0),
            };
            match day {
                Ok(d) => days.push(d),
                Err(reason) => {
                    days.push(0);
                    if keep[i] {
                        keep[i] = false;
                        let (record, line) = origins[i];
                        let rec = text.records.binary_search_by_key(&record, |r| r.record).ok().map(|at| &text.records[at]);
                        let value = rec.and_then(|r| cols.raw(r, column)).unwrap_or("").to_string();
                        errors.push(RowError { record, line, column: column.to_string(), value, reason });
                    }
                }
            }
        }
        days_columns.push(days);
    }
    drop(date_cols);
    for (i, &(record, line)) in origins.iter().enumerate() {
        if keep[i] {
            if let Some(e) = rows.check_resolved(i, &days_columns) {
                keep[i] = false;
                errors.push(RowError { record, line, column: e.column, value: e.value, reason: e.reason });
            }
        }
    }
    let (batches, moved) = rows.finish(days_columns, &keep)?;

    errors.sort_by_key(|e| e.record);
    let read = text.records.len() as u64 + text.record_errors.len() as u64;
    let rejected = errors.len() as u64;
    let accepted = read.saturating_sub(rejected + moved);
    let mut summary = LoadSummary {
        table: table.name().to_string(),
        source: source.to_string(),
        sha256: text.sha256.clone(),
        records_read: read,
        records_accepted: accepted,
        records_rejected: rejected,
        records_moved: moved,
        encoding: text.encoding.clone(),
        delimiter: text.delimiter.clone(),
        errors,
        warnings,
    };
    if !options.lenient && summary.records_rejected > 0 {
        summary.errors.truncate(STRICT_ERROR_LIMIT);
        return Err(Error::Input {
            source_name: source.to_string(),
            errors: summary.errors.clone(),
            summary: Some(Box::new(summary)),
        });
    }
    Ok(LoadOutput { batches, summary, keys })
}

fn row_error(rec: &RawRecord, e: CellError) -> RowError {
    RowError { record: rec.record, line: rec.line, column: e.column, value: e.value, reason: e.reason }
}

/// The values of `v` whose `keep` flag is set.
pub(crate) fn kept<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| x).collect()
}
