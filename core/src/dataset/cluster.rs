//! A Dataset whose tables are the Parquet files of an export folder
//! (`export_parquet_dir`), queried on an Apache DataFusion Ballista cluster:
//! every query a report runs, the claims figures included
//! (`ClaimsExecution::GroupedQueries`: per-claimant grouping, distinct
//! counts and the ranking for concentration happen in the plans), is planned
//! here and executed by the cluster's executors over the files; only small
//! grouped results come back.

use std::path::Path;
use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::prelude::SessionContext;
use sha2::{Digest, Sha256};

use super::parquet_dir::{io_error, read_manifest, table_files};
use super::runtime::block_on;
use super::{ClaimsExecution, Dataset};
use crate::model::error::{Error, Result};
use crate::model::load_summary::LineageEntry;
use crate::model::table::Table;

impl Dataset {
    /// The tables of export folder `folder` on the Ballista scheduler at
    /// `url` (`df://host:port`). The folder must be readable at the same
    /// path by every executor (shared storage, or one machine). Its files
    /// are checked against the manifest's row counts before any query.
    pub fn on_cluster(url: &str, folder: &Path) -> Result<Dataset> {
        let manifest = read_manifest(folder)?;
        let folder = std::fs::canonicalize(folder).map_err(|e| io_error(folder, e))?;
        let scheduler = url.to_string();
        let ctx = block_on(async move {
            let ctx = SessionContext::remote(&scheduler).await?;
            // Ballista 55's adaptive planner can lose a job whose executor
            // dies mid-stage (it rolls the stage back and never resumes);
            // the static planner runs the lost tasks again elsewhere.
            ctx.sql("SET ballista.planner.adaptive.enabled = false").await?;
            Ok::<_, datafusion::error::DataFusionError>(ctx)
        })?
        .map_err(|e| Error::Engine { message: format!("the Ballista scheduler at {url}: {e}") })?;
        // Every table empty first; those with a folder become its files.
        let mut ds = Dataset::with_context(ctx);
        let mut lineage = Vec::new();
        for table in Table::STORED {
            let (dir, files) = table_files(&folder, table)?;
            let mut rows = 0u64;
            for file in &files {
                let entry = file_lineage(table, file)?;
                rows += entry.records_read;
                lineage.push((table, entry));
            }
            manifest.check_rows(table, &dir, rows, files.len())?;
            if dir.exists() {
                register_listing(&ds.ctx, table, &dir)?;
            }
        }
        ds.lineage = lineage;
        ds.cluster = Some(url.to_string());
        ds.claims_execution = ClaimsExecution::GroupedQueries;
        Ok(ds)
    }
}

/// The table as every Parquet file under `dir`, in its storage schema.
fn register_listing(ctx: &SessionContext, table: Table, dir: &Path) -> Result<()> {
    let url = ListingTableUrl::parse(format!("{}/", dir.display()))?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(table.storage_schema());
    ctx.deregister_table(table.name())?;
    ctx.register_table(table.name(), Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
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
