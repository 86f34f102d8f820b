//! What a load did: counts that always reconcile, and every rejected record
//! with its record number, physical line, column, value and reason.

use serde::Serialize;

/// One rejected record (or, with record 0, a problem of the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based data record number (the header is not a record); 0 for the file.
    pub record: u64,
    /// 1-based physical line where the record starts; 0 for the file.
    pub line: u64,
    /// Canonical column name (or the source header when it has none).
    pub column: String,
    /// The offending value exactly as found (cut after 200 characters, saying how many more).
    pub value: String,
    pub reason: String,
    /// The row's primary key when it came from a database table
    /// (`claims.claim_id 5f0c…`); a file's rows have their line instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl RowError {
    pub(crate) fn file_level(reason: String) -> Self {
        RowError { record: 0, line: 0, column: String::new(), value: String::new(), reason, key: None }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.record == 0 {
            return f.write_str(&self.reason);
        }
        match &self.key {
            Some(key) => {
                write!(f, "record {} ({key}), column {}: '{}' {}", self.record, self.column, self.value, self.reason)
            }
            None => write!(
                f,
                "record {} (line {}), column {}: '{}' {}",
                self.record, self.line, self.column, self.value, self.reason
            ),
        }
    }
}

/// The summary every load returns.
/// `records_read == records_accepted + records_rejected + records_moved`, always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    /// Canonical table the rows were loaded into.
    pub table: String,
    /// Path or name the caller gave.
    pub source: String,
    /// sha256 of the file's bytes as given (before decoding), lower-case hex.
    pub sha256: String,
    pub records_read: u64,
    pub records_accepted: u64,
    pub records_rejected: u64,
    /// Rows moved to another table (admin rows of a claims file -> admin_fees).
    pub records_moved: u64,
    /// Encoding the bytes were decoded with (`UTF-8`, `windows-1252`, ...).
    pub encoding: String,
    /// Field delimiter used.
    pub delimiter: String,
    /// Every rejected record (lenient mode) or the first 100 (strict mode).
    pub errors: Vec<RowError>,
    /// Things worth knowing that did not reject a row (member_count < employee_count, ...).
    pub warnings: Vec<String>,
}

/// One file (or batch set) that was loaded, for the report's lineage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineageEntry {
    pub table: String,
    pub source: String,
    pub sha256: String,
    pub records_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub moved: u64,
}
