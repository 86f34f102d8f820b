//! Canonical rows as the host table's rows: CSV for `COPY ... FROM STDIN`,
//! each value checked against its host column (length, precision, type)
//! first, so the server never truncates or refuses a value halfway.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use uuid::Uuid;

use crate::host::connection::{ColumnKind, HostColumn};
use crate::host::host_schema::{HostSchema, HostTable};
use crate::model::cell::echo;
use crate::model::error::{Error, Result};
use crate::model::load_summary::RowError;
use crate::model::table::Table;

/// The rows of one host table, ready to COPY.
pub(crate) struct HostRows {
    /// Host columns in the order of each CSV line.
    pub columns: Vec<String>,
    pub csv: Vec<u8>,
    /// The key written for each row (uuid keys), for audit_log.
    pub keys: Vec<String>,
    pub rows: u64,
    /// Rows whose values the host column cannot hold (left out).
    pub errors: Vec<RowError>,
}

/// One canonical row's cells as text (None for null), by canonical column;
/// kept batch by batch (no copy of the whole table into one array).
pub(crate) struct CanonicalRows {
    names: Vec<String>,
    /// Per batch, each column as text.
    batches: Vec<Vec<StringArray>>,
    /// Row number -> (batch, row in it).
    at: Vec<(u32, u32)>,
    pub len: usize,
}

impl CanonicalRows {
    pub fn of(batches: &[RecordBatch]) -> Result<CanonicalRows> {
        let mut out = CanonicalRows { names: Vec::new(), batches: Vec::new(), at: Vec::new(), len: 0 };
        let Some(first) = batches.first() else { return Ok(out) };
        out.names = first.schema().fields().iter().map(|f| f.name().clone()).collect();
        for (b, batch) in batches.iter().enumerate() {
            let mut columns = Vec::with_capacity(batch.num_columns());
            for column in batch.columns() {
                let text = cast(column, &DataType::Utf8)?;
                let text = text
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| Error::engine("a canonical column did not cast to text"))?
                    .clone();
                columns.push(text);
            }
            out.batches.push(columns);
            out.at.extend((0..batch.num_rows()).map(|i| (b as u32, i as u32)));
        }
        out.len = out.at.len();
        Ok(out)
    }

    pub fn get(&self, row: usize, column: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| n == column)?;
        let (b, r) = *self.at.get(row)?;
        let array = self.batches.get(b as usize)?.get(i)?;
        let r = r as usize;
        (!array.is_null(r)).then(|| array.value(r))
    }
}

/// What the writer fills in besides the canonical values.
pub(crate) struct RowFill<'a> {
    pub client: &'a str,
    pub upload_id: &'a str,
    /// Stop-loss rows: the stored claim each row links to (None: left as is).
    pub claim_links: Option<&'a [Option<String>]>,
}

pub(crate) fn host_rows(
    schema: &HostSchema,
    table: Table,
    host: &HostTable,
    described: &BTreeMap<String, HostColumn>,
    rows: &CanonicalRows,
    fill: &RowFill,
) -> Result<HostRows> {
    let client_uuid = Uuid::parse_str(fill.client).map_err(|e| Error::argument(e.to_string()))?;
    let upload_uuid = Uuid::parse_str(fill.upload_id).map_err(|e| Error::argument(e.to_string()))?;
    let key_kind = described.get(&host.key).map(|c| c.kind.clone());
    // The key is written when claimscope can make one (a UUID key, or the
    // claim's own id); otherwise the host's default fills it.
    let write_key = table == Table::Claims || key_kind == Some(ColumnKind::Uuid);
    let mut columns = vec![schema.client_column.clone()];
    if write_key && !host.columns.values().any(|c| c == &host.key) {
        columns.push(host.key.clone());
    }
    if let Some(upload) = &host.upload_column {
        columns.push(upload.clone());
    }
    let mapped: Vec<(&String, &String)> = host.columns.iter().collect();
    columns.extend(mapped.iter().map(|(_, h)| (*h).clone()));
    check_required(host, described, &columns)?;

    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let (mut keys, mut errors, mut written) = (Vec::new(), Vec::new(), 0u64);
    let mut seen_claims: BTreeMap<String, u32> = BTreeMap::new();
    let mut line: Vec<Option<String>> = Vec::with_capacity(columns.len());
    for row in 0..rows.len {
        // A reimbursement that links to no stored claim was rejected already.
        if fill.claim_links.is_some_and(|links| links.get(row).cloned().flatten().is_none()) {
            continue;
        }
        line.clear();
        let mut problem: Option<RowError> = None;
        line.push(Some(fill.client.to_string()));
        let key = match table {
            Table::Claims => {
                let id = rows.get(row, "claim_id").unwrap_or("");
                let n = seen_claims.entry(id.to_string()).or_insert(0);
                *n += 1;
                claim_key(&client_uuid, id, *n, key_kind.as_ref())
            }
            _ => Uuid::new_v5(&upload_uuid, format!("{}:{row}", table.name()).as_bytes()).to_string(),
        };
        if columns.get(1) == Some(&host.key) {
            line.push(Some(key.clone()));
        }
        if host.upload_column.is_some() {
            line.push(Some(fill.upload_id.to_string()));
        }
        for (canonical, host_column) in &mapped {
            let mut value = rows.get(row, canonical).map(str::to_string);
            if table == Table::Claims && **host_column == host.key {
                value = Some(key.clone());
            }
            if table == Table::StopLossReimbursements && canonical.as_str() == "claim_id" {
                if let Some(links) = fill.claim_links {
                    value = links.get(row).cloned().flatten();
                }
            }
            if let (Some(v), Some(column)) = (&value, described.get(*host_column)) {
                if let Err(reason) = fits(v, &column.kind) {
                    problem.get_or_insert(RowError {
                        record: 0,
                        line: 0,
                        column: canonical.to_string(),
                        value: echo(v),
                        reason: format!(
                            "{} ({}): {reason} of the host column {}.{}",
                            row_name(table, rows, row),
                            canonical,
                            host.table,
                            column.name
                        ),
                        key: None,
                    });
                }
            }
            line.push(value);
        }
        if let Some(e) = problem {
            errors.push(e);
            continue;
        }
        writer
            .write_record(line.iter().map(|v| v.as_deref().unwrap_or("")))
            .map_err(|e| Error::engine(format!("writing rows for {}: {e}", host.table)))?;
        keys.push(key);
        written += 1;
    }
    let csv = writer.into_inner().map_err(|e| Error::engine(format!("writing rows for {}: {e}", host.table)))?;
    Ok(HostRows { columns, csv, keys, rows: written, errors })
}

/// A claim's key: its own id when that is a UUID, else a UUID made from the
/// client and the id (v5), so a later stop-loss file naming the id finds it;
/// the n-th line of one claim id gets its own.
pub(crate) fn claim_key(client: &Uuid, claim_id: &str, occurrence: u32, kind: Option<&ColumnKind>) -> String {
    if kind != Some(&ColumnKind::Uuid) {
        return claim_id.to_string();
    }
    if occurrence == 1 {
        if let Ok(own) = Uuid::parse_str(claim_id) {
            return own.to_string();
        }
        return Uuid::new_v5(client, claim_id.as_bytes()).to_string();
    }
    Uuid::new_v5(client, format!("{claim_id}\u{1f}{occurrence}").as_bytes()).to_string()
}

/// How a rejected row is named: its claim id, or its table's natural key.
fn row_name(table: Table, rows: &CanonicalRows, row: usize) -> String {
    let get = |c: &str| rows.get(row, c).unwrap_or("").to_string();
    match table {
        Table::Claims => format!("claim {} of claimant {}", get("claim_id"), get("claimant_id")),
        Table::Budgets | Table::Enrollments => format!("{} row for {}-{:0>2}", table, get("year"), get("month")),
        Table::AdminFees => format!("{} fee for {}-{:0>2}", get("fee_type"), get("year"), get("month")),
        Table::Rebates => format!("{} rebate for {}", get("rebate_type"), get("period")),
        _ => format!("{} row {} (paid {})", table, row + 1, get("paid_date")),
    }
}

/// Whether a value fits a host column, and why not.
fn fits(value: &str, kind: &ColumnKind) -> std::result::Result<(), String> {
    match kind {
        ColumnKind::Text(Some(limit)) => {
            let n = value.chars().count();
            if n > *limit {
                return Err(format!("{n} characters exceed the {limit} of {}", kind.sql()));
            }
        }
        ColumnKind::Numeric(Some((precision, scale))) => {
            let digits = value.trim_start_matches('-');
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            let whole = whole.trim_start_matches('0');
            let fraction = fraction.trim_end_matches('0');
            if whole.len() as u32 > precision.saturating_sub(*scale) || fraction.len() as u32 > *scale {
                return Err(format!("does not fit {}", kind.sql()));
            }
        }
        ColumnKind::Integer { bits } => {
            let fits = match value.parse::<i64>() {
                Ok(v) => *bits >= 64 || (v >= -(1i64 << (bits - 1)) && v < (1i64 << (bits - 1))),
                Err(_) => false,
            };
            if !fits {
                return Err(format!("does not fit {}", kind.sql()));
            }
        }
        ColumnKind::Uuid if Uuid::parse_str(value).is_err() => return Err("is not a UUID, the type".to_string()),
        _ => {}
    }
    Ok(())
}

/// A host column that must be filled (NOT NULL, no default) but is not.
fn check_required(host: &HostTable, described: &BTreeMap<String, HostColumn>, written: &[String]) -> Result<()> {
    let missing: Vec<&str> = described
        .values()
        .filter(|c| c.not_null && !c.has_default && !written.contains(&c.name))
        .map(|c| c.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::mapping(format!(
        "table {} requires column(s) {} that no canonical column fills; map them in the host schema",
        host.table,
        missing.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_against_their_host_column() {
        let varchar = ColumnKind::Text(Some(5));
        assert!(fits("abcde", &varchar).is_ok());
        assert_eq!(fits("abcdéf", &varchar).unwrap_err(), "6 characters exceed the 5 of VARCHAR(5)");
        let money = ColumnKind::Numeric(Some((10, 2)));
        assert!(fits("99999999.99", &money).is_ok());
        assert!(fits("-99999999.99", &money).is_ok());
        assert_eq!(fits("100000000.00", &money).unwrap_err(), "does not fit DECIMAL(10,2)");
        assert!(fits("2147483647", &ColumnKind::Integer { bits: 32 }).is_ok());
        assert!(fits("2147483648", &ColumnKind::Integer { bits: 32 }).is_err());
    }

    #[test]
    fn claim_keys_are_stable_and_distinct_per_line() {
        let client = Uuid::parse_str("11111111-1111-1111-1111-111111111111").unwrap();
        let uuid = Some(&ColumnKind::Uuid);
        let first = claim_key(&client, "C1", 1, uuid);
        assert_eq!(first, claim_key(&client, "C1", 1, uuid));
        assert_ne!(first, claim_key(&client, "C1", 2, uuid));
        let own = "5F0C2E1A-0000-4000-8000-000000000001";
        assert_eq!(claim_key(&client, own, 1, uuid), own.to_lowercase());
        assert_eq!(claim_key(&client, "C1", 1, Some(&ColumnKind::Text(None))), "C1");
    }
}
