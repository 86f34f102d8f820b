//! A Dataset whose tables are the Parquet files of an export folder
//! (`export_parquet_dir`), queried on an Apache DataFusion Ballista cluster:
//! every query a report runs, the claims figures included
//! (`ClaimsExecution::GroupedQueries`: per-claimant grouping, distinct
//! counts and the ranking for concentration happen in the plans), is planned
//! here and executed by the cluster's executors over the files; only small
//! grouped results come back.

use std::path::Path;

use ballista::prelude::SessionContextExt;
use datafusion::prelude::SessionContext;

use super::folder_tables::OpenedFolder;
use super::runtime::block_on;
use super::Dataset;
use crate::model::error::{Error, Result};

impl Dataset {
    /// The tables of export folder `folder` on the Ballista scheduler at
    /// `url` (`df://host:port`). The folder must be readable at the same
    /// path by every executor (shared storage, or one machine). Its files
    /// are checked against the manifest's row counts before any query.
    pub fn on_cluster(url: &str, folder: &Path) -> Result<Dataset> {
        let opened = OpenedFolder::open(folder)?;
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
        let mut ds = Dataset::with_context(ctx);
        ds.bind_export_folder(opened)?;
        ds.cluster = Some(url.to_string());
        Ok(ds)
    }
}
