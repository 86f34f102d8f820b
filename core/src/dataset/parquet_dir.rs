//! A Dataset's canonical tables as a folder of Parquet files, partitioned
//! hive-style by client and month (`claims/client=acme/month=2025-01/
//! part-0.parquet`), with a manifest (`export.json`: rows per table and the
//! lineage of the loads) so a reader can tell a missing partition from an
//! empty one. Files keep the storage schema: money Decimal128(18, 2), the
//! claims' repetitive text as dictionaries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{cast, concat_batches, take_record_batch};
use datafusion::arrow::datatypes::{DataType, Date32Type, Int32Type, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;

use super::{Dataset, CLIENT_PARTITION, MONTH_PARTITION};
use crate::load::LoadOptions;
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LineageEntry, LoadSummary};
use crate::model::table::Table;

/// The manifest's name inside an export folder.
pub const MANIFEST: &str = "export.json";
const FORMAT: &str = "claimscope-parquet-1";
/// Hive's name for a partition whose value is empty.
pub(super) const EMPTY_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    pub folder: String,
    /// Rows per table, as the manifest records them.
    pub tables: BTreeMap<String, u64>,
    /// Every file written, relative to the folder, in order.
    pub files: Vec<ExportedFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportedFile {
    pub table: String,
    pub path: String,
    pub rows: u64,
}

#[derive(serde::Serialize)]
struct ManifestOut<'a> {
    format: &'a str,
    tables: &'a BTreeMap<String, u64>,
    lineage: &'a [LineageEntry],
}

#[derive(serde::Deserialize)]
pub(super) struct ManifestIn {
    format: String,
    tables: BTreeMap<String, u64>,
}

/// An error reading or writing `path`.
pub(super) fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

/// An export folder's manifest, checked for its format and tables.
pub(super) fn read_manifest(folder: &Path) -> Result<ManifestIn> {
    let path = folder.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
    let manifest: ManifestIn = serde_json::from_str(&text).map_err(|e| io_error(&path, e))?;
    if manifest.format != FORMAT {
        return Err(io_error(&path, format!("format '{}'; this version reads '{FORMAT}'", manifest.format)));
    }
    if let Some(name) = manifest.tables.keys().find(|n| Table::STORED.iter().all(|t| t.name() != n.as_str())) {
        return Err(io_error(&path, format!("names a table '{name}' this version does not know")));
    }
    Ok(manifest)
}

impl ManifestIn {
    /// Fails when `rows` read from a table's `files` differ from the
    /// manifest's count (a partition missing or added).
    pub(super) fn check_rows(&self, table: Table, dir: &Path, rows: u64, files: usize) -> Result<()> {
        let expected = self.tables.get(table.name()).copied().unwrap_or(0);
        if rows == expected {
            return Ok(());
        }
        Err(io_error(
            dir,
            format!(
                "{rows} rows of {} read from {files} files, the manifest says {expected}: a partition is missing or was added",
                table.name()
            ),
        ))
    }
}

/// The Parquet files of `table` in an export folder, in path order (none
/// when the table has no folder).
pub(super) fn table_files(folder: &Path, table: Table) -> Result<(PathBuf, Vec<PathBuf>)> {
    let dir = folder.join(table.name());
    let mut files = Vec::new();
    if dir.exists() {
        parquet_files(&dir, &mut files).map_err(|e| io_error(&dir, e))?;
    }
    files.sort();
    Ok((dir, files))
}

/// A row's (year, month), for tables with a month.
type YearMonth = Option<(i32, u32)>;

/// One partition: the client and its year-month.
pub(super) type PartitionKey = (String, YearMonth);

/// What an export has written so far.
#[derive(Default)]
pub(super) struct Written {
    pub tables: BTreeMap<String, u64>,
    pub files: Vec<ExportedFile>,
}

/// A table's folder in an export: every table has one, so a reader lists
/// an empty table as empty.
pub(super) fn create_table_dir(folder: &Path, table: Table) -> Result<()> {
    let dir = folder.join(table.name());
    std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))
}

/// The folder an export writes: empty or absent when it begins (an export
/// never mixes with older files). Unless the export completes (`keep`),
/// what it wrote is removed when this is dropped: a failed export leaves no
/// partition files without their manifest.
pub(super) struct ExportFolder {
    path: PathBuf,
    existed: bool,
    kept: bool,
}

impl ExportFolder {
    pub(super) fn begin(folder: &Path) -> Result<ExportFolder> {
        let existed = folder.exists();
        if existed {
            let mut entries = std::fs::read_dir(folder).map_err(|e| io_error(folder, e))?;
            if entries.next().is_some() {
                return Err(io_error(
                    folder,
                    "the export folder is not empty (an export never mixes with older files)",
                ));
            }
        }
        Ok(ExportFolder { path: folder.to_path_buf(), existed, kept: false })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The export is complete: its files stay.
    pub(super) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for ExportFolder {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        // Best effort: the export's own error is what the caller sees.
        if !self.existed {
            let _ = std::fs::remove_dir_all(&self.path);
        } else if let Ok(entries) = std::fs::read_dir(&self.path) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            }
        }
    }
}

impl Dataset {
    /// Writes every non-empty table as Parquet under `folder` (which must be
    /// empty or absent), one file per client and month.
    pub fn export_parquet_dir(&self, folder: &Path) -> Result<ExportSummary> {
        let export = ExportFolder::begin(folder)?;
        let mut written = Written::default();
        for table in Table::STORED {
            self.export_table(folder, table, &mut written)?;
        }
        let summary = self.write_manifest(folder, written)?;
        export.keep();
        Ok(summary)
    }

    /// Writes one table's partitions (and its folder, even when empty).
    pub(super) fn export_table(&self, folder: &Path, table: Table, written: &mut Written) -> Result<()> {
        create_table_dir(folder, table)?;
        let batches = self.batches(table);
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if rows == 0 {
            return Ok(());
        }
        written.tables.insert(table.name().to_string(), rows as u64);
        for (key, pieces) in partitions(table, batches)? {
            let relative = partition_file(table, &key);
            let taken = pieces
                .iter()
                .map(|(at, indices)| Ok(take_record_batch(&batches[*at], indices)?))
                .collect::<Result<Vec<_>>>()?;
            let batch = concat_batches(&table.storage_schema(), &taken)?;
            let mut writer = PartitionFile::create(folder, &relative, batch.schema())?;
            writer.write(&batch)?;
            written.files.push(writer.close(table)?);
        }
        Ok(())
    }

    /// The manifest: rows per table and the lineage of the loads.
    pub(super) fn write_manifest(&self, folder: &Path, written: Written) -> Result<ExportSummary> {
        let manifest = folder.join(MANIFEST);
        let lineage = self.lineage();
        let manifest_out = ManifestOut { format: FORMAT, tables: &written.tables, lineage: &lineage };
        let text = serde_json::to_string_pretty(&manifest_out).map_err(|e| io_error(&manifest, e))?;
        // The tables' folders made the export folder.
        std::fs::write(&manifest, text + "\n").map_err(|e| io_error(&manifest, e))?;
        Ok(ExportSummary { folder: folder.display().to_string(), tables: written.tables, files: written.files })
    }

    /// Loads an export folder (`export_parquet_dir`) file by file, each
    /// checked as any Parquet load is; fails when the rows read differ from
    /// the manifest's (a partition missing or added).
    pub fn load_parquet_dir(&mut self, folder: &Path, options: &LoadOptions) -> Result<Vec<LoadSummary>> {
        let manifest = read_manifest(folder)?;
        let mut summaries = Vec::new();
        for table in Table::STORED {
            let (dir, files) = table_files(folder, table)?;
            let mut accepted = 0u64;
            for file in &files {
                let summary = self.load_path(table, &file.to_string_lossy(), options)?;
                accepted += summary.records_accepted;
                summaries.push(summary);
            }
            manifest.check_rows(table, &dir, accepted, files.len())?;
        }
        Ok(summaries)
    }
}

/// Row indices of each partition, per batch, partitions in key order.
pub(super) fn partitions(
    table: Table,
    batches: &[RecordBatch],
) -> Result<BTreeMap<PartitionKey, Vec<(usize, UInt32Array)>>> {
    let mut rows: BTreeMap<PartitionKey, Vec<(usize, Vec<u32>)>> = BTreeMap::new();
    for (at, batch) in batches.iter().enumerate() {
        let clients = cast(column(batch, "client_id")?, &DataType::Utf8)?;
        let clients = clients.as_string::<i32>();
        let months = months(table, batch)?;
        // Rows of this batch by borrowed key; owned keys once a partition.
        let mut here: rustc_hash::FxHashMap<(&str, YearMonth), Vec<u32>> = Default::default();
        for row in 0..batch.num_rows() {
            here.entry((clients.value(row), months.as_ref().map(|m| m[row]))).or_default().push(row as u32);
        }
        for ((client, month), indices) in here {
            rows.entry((client.to_string(), month)).or_default().push((at, indices));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(key, pieces)| (key, pieces.into_iter().map(|(at, indices)| (at, UInt32Array::from(indices))).collect()))
        .collect())
}

/// Each row's (year, month): the incurred month of claims, the paid month
/// of reimbursements, the year and month columns where a table has them.
fn months(table: Table, batch: &RecordBatch) -> Result<Option<Vec<(i32, u32)>>> {
    let of_dates = |name: &str| -> Result<Option<Vec<(i32, u32)>>> {
        let dates = column(batch, name)?.as_primitive_opt::<Date32Type>().ok_or_else(|| not_typed(table, name))?;
        Ok(Some(
            dates
                .iter()
                .map(|d| {
                    d.map_or((0, 0), |days| {
                        let key = crate::model::dates::month_key_of_days(days);
                        (key / 100, (key % 100) as u32)
                    })
                })
                .collect(),
        ))
    };
    match table {
        Table::Claims => of_dates("claim_date"),
        Table::StopLossReimbursements => of_dates("paid_date"),
        Table::Budgets | Table::Enrollments | Table::AdminFees | Table::BudgetRates => {
            let int = |name: &str| -> Result<_> {
                column(batch, name)?.as_primitive_opt::<Int32Type>().cloned().ok_or_else(|| not_typed(table, name))
            };
            let (years, months) = (int("year")?, int("month")?);
            Ok(Some(years.iter().zip(months.iter()).map(|(y, m)| (y.unwrap_or(0), m.unwrap_or(0) as u32)).collect()))
        }
        Table::Rebates | Table::EligibilitySpans => Ok(None),
    }
}

fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b dyn Array> {
    batch
        .column_by_name(name)
        .map(|c| c.as_ref())
        .ok_or_else(|| Error::Engine { message: format!("stored batch without column {name}") })
}

fn not_typed(table: Table, name: &str) -> Error {
    Error::Engine { message: format!("{}.{name} is not stored in its canonical type", table.name()) }
}

/// `claims/client=acme/month=2025-01/part-0.parquet`, values escaped as hive does.
pub(super) fn partition_file(table: Table, (client, month): &PartitionKey) -> PathBuf {
    let client_folder = format!("{CLIENT_PARTITION}={}", escape_partition_value(client));
    let mut path = PathBuf::from(table.name()).join(client_folder);
    if let Some((year, month)) = month {
        path.push(format!("{MONTH_PARTITION}={year:04}-{month:02}"));
    }
    path.join(PART_FILE)
}

/// A partition value safe as one path component: bytes other than ASCII
/// letters, digits, '-', '_' and a non-leading '.' as %XX (uppercase hex).
pub(crate) fn escape_partition_value(value: &str) -> String {
    if value.is_empty() {
        return EMPTY_PARTITION.to_string();
    }
    let mut out = String::with_capacity(value.len());
    for (i, b) in value.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The one file of a partition.
const PART_FILE: &str = "part-0.parquet";

/// A partition's Parquet file being written (zstd level 1: fast, and
/// Parquet's dictionaries have already taken most of the size).
pub(super) struct PartitionFile {
    path: PathBuf,
    relative: PathBuf,
    writer: ArrowWriter<std::fs::File>,
    rows: u64,
}

impl PartitionFile {
    pub(super) fn create(folder: &Path, relative: &Path, schema: SchemaRef) -> Result<PartitionFile> {
        let path = folder.join(relative);
        let open = || -> std::result::Result<ArrowWriter<std::fs::File>, Box<dyn std::error::Error>> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let zstd = Compression::ZSTD(ZstdLevel::try_new(1)?);
            let properties = WriterProperties::builder().set_compression(zstd).build();
            Ok(ArrowWriter::try_new(std::fs::File::create(&path)?, schema, Some(properties))?)
        };
        let writer = open().map_err(|e| io_error(&path, e))?;
        Ok(PartitionFile { relative: relative.to_path_buf(), path, writer, rows: 0 })
    }

    pub(super) fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer.write(batch).map_err(|e| io_error(&self.path, e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Bytes encoded but not yet written out (the open row group).
    pub(super) fn buffered(&self) -> usize {
        self.writer.in_progress_size()
    }

    /// Ends the open row group: its bytes go to the file.
    pub(super) fn flush(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| io_error(&self.path, e))
    }

    pub(super) fn close(self, table: Table) -> Result<ExportedFile> {
        self.writer.close().map_err(|e| io_error(&self.path, e))?;
        Ok(ExportedFile {
            table: table.name().to_string(),
            path: self.relative.to_string_lossy().into_owned(),
            rows: self.rows,
        })
    }
}

/// Every `.parquet` file under `dir`, at any depth.
fn parquet_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            parquet_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_escaped_into_one_path_component() {
        assert_eq!(escape_partition_value("acme"), "acme");
        assert_eq!(escape_partition_value("Acme Co/West"), "Acme%20Co%2FWest");
        assert_eq!(escape_partition_value(".."), "%2E.");
        assert_eq!(escape_partition_value("a=b%"), "a%3Db%25");
        assert_eq!(escape_partition_value(""), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(escape_partition_value("Zürich"), "Z%C3%BCrich");
    }
}
