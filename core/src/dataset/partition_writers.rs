//! Claims written to their partitions' Parquet files while the input is
//! read: an export of CSV claims holds a few blocks and the open row
//! groups, not the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use datafusion::arrow::compute::take_record_batch;
use datafusion::arrow::record_batch::RecordBatch;

use super::parquet_dir::{
    create_table_dir, partition_file, partitions, ExportFolder, ExportSummary, PartitionFile, PartitionKey, Written,
};
use super::Dataset;
use crate::load::BatchSink;
use crate::load::LoadOptions;
use crate::model::error::{Error, Result};
use crate::model::load_summary::LoadSummary;
use crate::model::table::Table;

/// Open row groups of all partitions together may hold this many encoded
/// bytes; past it every partition ends its row group.
const BUFFERED_BYTES: usize = 64 << 20;

/// A table's partition files, opened as their first rows arrive.
pub(super) struct PartitionWriters {
    folder: PathBuf,
    table: Table,
    files: Mutex<BTreeMap<PartitionKey, PartitionFile>>,
    /// Rows sent to the files so far.
    taken: AtomicU64,
}

impl PartitionWriters {
    pub(super) fn new(folder: &Path, table: Table) -> PartitionWriters {
        PartitionWriters {
            folder: folder.to_path_buf(),
            table,
            files: Mutex::new(BTreeMap::new()),
            taken: AtomicU64::new(0),
        }
    }

    fn taken(&self) -> u64 {
        self.taken.load(Ordering::Relaxed)
    }

    /// Closes every file; the table's rows and files join `written`.
    pub(super) fn finish(self, written: &mut Written) -> Result<()> {
        let files = self.files.into_inner().map_err(|_| Error::engine("a partition writer panicked"))?;
        let mut rows = 0;
        for file in files.into_values() {
            let file = file.close(self.table)?;
            rows += file.rows;
            written.files.push(file);
        }
        if rows > 0 {
            written.tables.insert(self.table.name().to_string(), rows);
        }
        Ok(())
    }
}

impl BatchSink for PartitionWriters {
    fn take(&self, batch: &RecordBatch) -> Result<()> {
        let pieces = partitions(self.table, std::slice::from_ref(batch))?;
        let mut files = self.files.lock().map_err(|_| Error::engine("a partition writer panicked"))?;
        for (key, indices) in pieces {
            let file = match files.entry(key) {
                std::collections::btree_map::Entry::Occupied(open) => open.into_mut(),
                std::collections::btree_map::Entry::Vacant(new) => {
                    let relative = partition_file(self.table, new.key());
                    new.insert(PartitionFile::create(&self.folder, &relative, self.table.storage_schema())?)
                }
            };
            for (_, rows) in &indices {
                file.write(&take_record_batch(batch, rows)?)?;
            }
        }
        self.taken.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        if files.values().map(PartitionFile::buffered).sum::<usize>() > BUFFERED_BYTES {
            for file in files.values_mut() {
                file.flush()?;
            }
        }
        Ok(())
    }

    fn keeps_every_column(&self) -> bool {
        true
    }
}

/// An export folder filled file by file: claims go to their partitions as
/// they are read, the other (small) tables are loaded and written at the end.
pub struct ParquetExport {
    claims: PartitionWriters,
    others: Dataset,
    /// A claims load that failed after some of its rows were written: the
    /// export cannot be completed (its files would hold part of a file).
    broken: Option<String>,
    /// Removes what was written unless `finish` completes.
    export: ExportFolder,
}

impl ParquetExport {
    /// Starts an export into `folder` (absent or empty).
    pub fn new(folder: &Path) -> Result<ParquetExport> {
        let export = ExportFolder::begin(folder)?;
        Ok(ParquetExport {
            claims: PartitionWriters::new(folder, Table::Claims),
            others: Dataset::new(),
            broken: None,
            export,
        })
    }

    /// Reads a file (CSV, Parquet or Arrow IPC by extension), checked as
    /// any load is.
    pub fn load_path(&mut self, table: Table, path: &str, options: &LoadOptions) -> Result<LoadSummary> {
        if table.model_table() != Table::Claims {
            return self.others.load_path(table, path, options);
        }
        let before = self.claims.taken();
        let loaded = self.others.load_path_into(table, path, options, &self.claims);
        if let Err(e) = &loaded {
            if self.claims.taken() != before && self.broken.is_none() {
                self.broken = Some(format!("{path}: {e}"));
            }
        }
        loaded
    }

    /// Closes the claims files, writes the other tables and the manifest.
    pub fn finish(self) -> Result<ExportSummary> {
        let ParquetExport { claims, others, broken, export } = self;
        let folder = export.path();
        if let Some(failed) = broken {
            return Err(Error::argument(format!(
                "the export into {} is incomplete: a claims load failed after writing some of its rows ({failed}); \
                 its files are removed",
                folder.display()
            )));
        }
        if !others.batches(Table::Claims).is_empty() {
            return Err(Error::engine("an export kept claim rows outside its partition files"));
        }
        let mut written = Written::default();
        create_table_dir(folder, Table::Claims)?;
        claims.finish(&mut written)?;
        for table in Table::STORED.into_iter().filter(|t| *t != Table::Claims) {
            others.export_table(folder, table, &mut written)?;
        }
        let summary = others.write_manifest(folder, written)?;
        export.keep();
        Ok(summary)
    }
}
