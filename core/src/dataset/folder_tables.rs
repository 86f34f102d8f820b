//! A Dataset whose tables are an export folder's Parquet files, read in
//! place by queries (nothing loaded): on a Ballista cluster (`on_cluster`)
//! or on this machine (`over_parquet_dir`). Its reports compute the claims
//! figures as grouped queries (`ClaimsExecution::GroupedQueries`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::prelude::SessionContext;
use sha2::{Digest, Sha256};

use super::parquet_dir::{io_error, read_manifest, table_files, ManifestIn, EMPTY_PARTITION};
use super::{ClaimsExecution, Dataset, CLIENT_PARTITION, MONTH_PARTITION};
use crate::model::error::Result;
use crate::model::load_summary::LineageEntry;
use crate::model::table::Table;

/// An export folder by its absolute path, with its manifest read: before a
/// cluster is asked for anything, a folder that is no export fails first.
pub(super) struct OpenedFolder {
    folder: PathBuf,
    manifest: ManifestIn,
}

impl OpenedFolder {
    pub(super) fn open(folder: &Path) -> Result<OpenedFolder> {
        let manifest = read_manifest(folder)?;
        let folder = std::fs::canonicalize(folder).map_err(|e| io_error(folder, e))?;
        Ok(OpenedFolder { folder, manifest })
    }
}

impl Dataset {
    /// The tables of export folder `folder` read in place on this machine:
    /// the queries a cluster's executors run, here. Its files are checked
    /// against the manifest's row counts (footers and sha256, not every
    /// cell: `load_parquet_dir` checks every cell).
    pub fn over_parquet_dir(folder: &Path) -> Result<Dataset> {
        let opened = OpenedFolder::open(folder)?;
        let mut ds = Dataset::new();
        ds.bind_export_folder(opened)?;
        Ok(ds)
    }

    /// Makes every table the files of an opened export folder, each file's
    /// lineage its sha256 and footer rows, the clients its folders.
    pub(super) fn bind_export_folder(&mut self, opened: OpenedFolder) -> Result<()> {
        let OpenedFolder { folder, manifest } = opened;
        let mut lineage = Vec::new();
        let mut clients = BTreeSet::new();
        for table in Table::STORED {
            let (dir, files) = table_files(&folder, table)?;
            let mut rows = 0u64;
            for file in &files {
                let entry = file_lineage(table, file)?;
                rows += entry.records_read;
                lineage.push((table, entry));
                clients.insert(client_of_folder(&dir, file)?);
            }
            manifest.check_rows(table, &dir, rows, files.len())?;
            if dir.exists() {
                register_listing(&self.ctx, table, &dir)?;
                self.claims_partitioned |= table == Table::Claims;
            }
        }
        self.lineage = lineage;
        self.clients_of_folders = Some(clients.into_iter().collect());
        self.folder = Some(folder);
        self.claims_execution = ClaimsExecution::GroupedQueries;
        Ok(())
    }
}

/// The table as every Parquet file under `dir`, in its storage schema; the
/// claims also with their folders' client and incurred month as columns,
/// so a query's filter on them lists only the folders it reads.
fn register_listing(ctx: &SessionContext, table: Table, dir: &Path) -> Result<()> {
    let url = ListingTableUrl::parse(format!("{}/", dir.display()))?;
    let mut options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    if table == Table::Claims {
        options = options.with_table_partition_cols(vec![
            (CLIENT_PARTITION.to_string(), DataType::Utf8),
            (MONTH_PARTITION.to_string(), DataType::Utf8),
        ]);
    }
    let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(table.storage_schema());
    ctx.deregister_table(table.name())?;
    ctx.register_table(table.name(), Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
}

/// The client whose folder (`client=…`, escaped as hive does) holds `file`
/// of the table in `dir`, decoded as DataFusion decodes a partition value.
fn client_of_folder(dir: &Path, file: &Path) -> Result<String> {
    let folder = file.strip_prefix(dir).ok().and_then(|p| p.components().next()).and_then(|c| c.as_os_str().to_str());
    let value = folder.and_then(|f| f.strip_prefix(CLIENT_PARTITION)).and_then(|f| f.strip_prefix('='));
    match value {
        Some(EMPTY_PARTITION) => Ok(String::new()),
        Some(escaped) => percent_encoding::percent_decode_str(escaped)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| io_error(file, "its client folder is not an escaped UTF-8 client_id")),
        None => Err(io_error(file, format!("is not in a {CLIENT_PARTITION}=… folder of {}", dir.display()))),
    }
}

/// A file's lineage: its sha256 and the rows its footer counts.
fn file_lineage(table: Table, path: &Path) -> Result<LineageEntry> {
    // The digest first: a cloned handle shares the cursor the footer read moves.
    let mut hasher = Sha256::new();
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    std::io::copy(&mut std::io::BufReader::new(&file), &mut hasher).map_err(|e| io_error(path, e))?;
    let rows = SerializedFileReader::new(file)
        .map_err(|e| io_error(path, format!("not a Parquet file: {e}")))?
        .metadata()
        .file_metadata()
        .num_rows();
    let rows = u64::try_from(rows).unwrap_or(0);
    Ok(LineageEntry {
        table: table.name().to_string(),
        source: path.display().to_string(),
        sha256: crate::source::hex(&hasher.finalize()),
        records_read: rows,
        accepted: rows,
        rejected: 0,
        moved: 0,
    })
}
