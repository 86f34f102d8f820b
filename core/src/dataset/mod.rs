//! A Dataset: a DataFusion SessionContext holding the canonical tables, the
//! loads that filled them (lineage), and `sql` for ad-hoc questions. Every
//! table carries client_id, so client isolation is a filter in every query.

mod canonical;
pub(crate) mod claim_keys;
#[cfg(feature = "cluster")]
mod cluster;
#[cfg(feature = "parquet")]
mod folder_tables;
pub mod ipc;
#[cfg(not(feature = "cluster"))]
mod no_cluster;
#[cfg(feature = "parquet")]
pub mod parquet_dir;
#[cfg(feature = "parquet")]
mod partition_writers;
#[cfg(feature = "parquet")]
pub use partition_writers::ParquetExport;
pub(crate) mod runtime;
mod udf;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::load::{self, ExistingKeys, LoadOptions, Rows};
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LineageEntry, LoadSummary};
use crate::model::table::Table;
use crate::source::{self, Format, Input};
use claim_keys::ClaimKeys;
use runtime::block_on;

/// Checks a file as `Dataset::load_path` would and returns the same summary,
/// keeping no rows: a file is read in the memory of a few blocks, not of
/// its table.
pub fn validate_path(table: Table, path: &str, options: &LoadOptions) -> Result<LoadSummary> {
    let keys = ExistingKeys::default();
    let table = table.model_table();
    let out = match Format::of_path(path) {
        Format::Csv => load::load_csv(table, Input::Path(path), options, path, &keys, Rows::Count)?,
        format => {
            let blocks = source::arrow_files::open(format, Input::Path(path).read_all()?, path)?;
            load::load_arrow(table, blocks, options, path, &keys, Rows::Count)?
        }
    };
    Ok(out.summary)
}

/// The partition folders of an export: `client=…/month=YYYY-MM` (the
/// claims' month is the incurred month, of claim_date).
pub(crate) const CLIENT_PARTITION: &str = "client";
pub(crate) const MONTH_PARTITION: &str = "month";

/// How a report computes its claims figures (the same numbers either way).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClaimsExecution {
    /// One pass over the stored claims with integer keys (the fast path).
    #[default]
    Scan,
    /// Grouped DataFusion queries, one a figure, whose small results are
    /// the figures: what an engine that only runs plans (a cluster)
    /// executes. Kept equal to `Scan` on every golden case.
    GroupedQueries,
}

/// The canonical tables of one or many clients, ready to report on.
pub struct Dataset {
    claims_execution: ClaimsExecution,
    /// The Ballista scheduler whose cluster runs the queries, if any.
    cluster: Option<String>,
    /// The claims table has the export folder's partition columns (client,
    /// incurred month), which queries filter on so whole folders are skipped.
    claims_partitioned: bool,
    /// The clients of an export folder, named by its partition folders: a
    /// cluster lists them without a query over every file.
    clients_of_folders: Option<Vec<String>>,
    /// The export folder whose files are the tables, if they are read in place.
    folder: Option<std::path::PathBuf>,
    /// How long a cluster query may run before it is given up (a job whose
    /// executor was lost can wait forever on Ballista 55).
    #[cfg(feature = "cluster")]
    query_limit: std::time::Duration,
    ctx: SessionContext,
    batches: BTreeMap<Table, Vec<RecordBatch>>,
    lineage: Vec<(Table, LineageEntry)>,
    keys: ExistingKeys,
    /// The claims' grouping columns as integer keys, made by the first
    /// report after a claims load.
    claim_keys: OnceLock<Arc<ClaimKeys>>,
    /// The last thing a report derived from the stored claims (its claim
    /// scan), by a key naming what it read; dropped when claims are loaded.
    from_claims: Mutex<Option<(String, Arc<dyn Any + Send + Sync>)>>,
}

impl Default for Dataset {
    fn default() -> Self {
        Self::new()
    }
}

impl Dataset {
    /// An empty dataset: every canonical table registered with no rows.
    pub fn new() -> Self {
        Self::with_context(SessionContext::new())
    }

    /// An empty dataset on `ctx` (a local context, or a cluster's).
    fn with_context(ctx: SessionContext) -> Self {
        udf::register(&ctx);
        let mut ds = Dataset {
            claims_execution: ClaimsExecution::Scan,
            cluster: None,
            claims_partitioned: false,
            clients_of_folders: None,
            folder: None,
            #[cfg(feature = "cluster")]
            query_limit: std::time::Duration::from_secs(600),
            ctx,
            batches: BTreeMap::new(),
            lineage: Vec::new(),
            keys: ExistingKeys::default(),
            claim_keys: OnceLock::new(),
            from_claims: Mutex::new(None),
        };
        for table in Table::STORED {
            ds.batches.insert(table, Vec::new());
            // Registering an empty MemTable with a valid schema cannot fail.
            let _ = ds.register(table);
        }
        ds
    }

    fn register(&mut self, table: Table) -> Result<()> {
        // Batches dealt to one partition a core, so queries scan on every core.
        let cores = crate::parallel::cores();
        let mut partitions = vec![Vec::new(); cores];
        for (i, batch) in self.batches.get(&table).into_iter().flatten().enumerate() {
            partitions[i % cores].push(batch.clone());
        }
        let mem = MemTable::try_new(table.storage_schema(), partitions)?;
        self.ctx.deregister_table(table.name())?;
        self.ctx.register_table(table.name(), Arc::new(mem))?;
        Ok(())
    }

    /// Loads CSV bytes (any accepted encoding and delimiter) into `table`.
    /// `source` is the name used in the summary and the report's lineage.
    pub fn load_csv_bytes(
        &mut self,
        table: Table,
        source: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        let out = load::load_csv(table.model_table(), Input::Bytes(bytes), options, source, &self.keys, Rows::Keep)?;
        self.add(table, out)
    }

    /// Loads a CSV file, reading it a block at a time.
    pub fn load_csv_path(&mut self, table: Table, path: &str, options: &LoadOptions) -> Result<LoadSummary> {
        let out = load::load_csv(table.model_table(), Input::Path(path), options, path, &self.keys, Rows::Keep)?;
        self.add(table, out)
    }

    /// Loads CSV whose claims rows go to `sink` as they are read and
    /// are not kept (a one-shot report's fold); rows moved to another table
    /// and the lineage are kept as by `load_csv_path`.
    pub(crate) fn load_csv_into(
        &mut self,
        table: Table,
        source: &str,
        input: Input,
        options: &LoadOptions,
        sink: &dyn load::BatchSink,
    ) -> Result<LoadSummary> {
        let out = load::load_csv(table.model_table(), input, options, source, &self.keys, Rows::Fold(sink))?;
        self.add(table, out)
    }

    /// Loads CSV read from a stream as it arrives (a database's COPY output).
    pub(crate) fn load_csv_stream(
        &mut self,
        table: Table,
        source: &str,
        stream: &source::StreamInput,
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        let out = load::load_csv(table.model_table(), Input::Stream(stream), options, source, &self.keys, Rows::Keep)?;
        self.add(table, out)
    }

    /// Loads Arrow record batches: text columns read in place, date and
    /// money columns in their own types (Date32, timestamps at midnight,
    /// Decimal128, whole numbers), any other type read as its text.
    pub fn load_batches(
        &mut self,
        table: Table,
        source: &str,
        batches: &[RecordBatch],
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        self.load_arrow(table, source, source::ArrowBlocks::of_batches(batches, source)?, options)
    }

    fn load_arrow(
        &mut self,
        table: Table,
        source: &str,
        batches: source::ArrowBlocks,
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        let out = load::load_arrow(table.model_table(), batches, options, source, &self.keys, Rows::Keep)?;
        self.add(table, out)
    }

    /// Loads Parquet bytes, a row group's batches at a time, decoding only
    /// the columns the table reads.
    pub fn load_parquet_bytes(
        &mut self,
        table: Table,
        source: &str,
        bytes: Vec<u8>,
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        self.load_arrow(table, source, source::arrow_files::open(Format::Parquet, bytes, source)?, options)
    }

    /// Loads Arrow IPC bytes (file or stream format), a batch at a time.
    pub fn load_ipc_bytes(
        &mut self,
        table: Table,
        source: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        self.load_arrow(table, source, source::arrow_files::open(Format::ArrowIpc, bytes.to_vec(), source)?, options)
    }

    /// Loads a file by its extension; its claims go to `sink` as they are
    /// read instead of being kept.
    pub(crate) fn load_path_into(
        &mut self,
        table: Table,
        path: &str,
        options: &LoadOptions,
        sink: &dyn load::BatchSink,
    ) -> Result<LoadSummary> {
        self.load_path_rows(table, path, options, Rows::Fold(sink))
    }

    /// Loads a file by its extension: `.parquet`, `.arrow`/`.ipc`/`.feather`, else CSV.
    pub fn load_path(&mut self, table: Table, path: &str, options: &LoadOptions) -> Result<LoadSummary> {
        self.load_path_rows(table, path, options, Rows::Keep)
    }

    fn load_path_rows(&mut self, table: Table, path: &str, options: &LoadOptions, rows: Rows) -> Result<LoadSummary> {
        let out = match Format::of_path(path) {
            Format::Csv => load::load_csv(table.model_table(), Input::Path(path), options, path, &self.keys, rows)?,
            format => {
                let blocks = source::arrow_files::open(format, Input::Path(path).read_all()?, path)?;
                load::load_arrow(table.model_table(), blocks, options, path, &self.keys, rows)?
            }
        };
        self.add(table, out)
    }

    /// Loads bytes of CSV, Parquet or Arrow IPC, told apart by their first
    /// bytes. `source` is the name used in the summary and lineage.
    pub fn load_bytes(
        &mut self,
        table: Table,
        source: &str,
        bytes: Vec<u8>,
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        self.load_format(Format::sniff(&bytes), table, source, bytes, options)
    }

    fn load_format(
        &mut self,
        format: Format,
        table: Table,
        source: &str,
        bytes: Vec<u8>,
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        match format {
            Format::Csv => self.load_csv_bytes(table, source, &bytes, options),
            format => self.load_arrow(table, source, source::arrow_files::open(format, bytes, source)?, options),
        }
    }

    /// Keeps a load's batches and lineage.
    fn add(&mut self, table: Table, out: load::LoadOutput) -> Result<LoadSummary> {
        if let Some(folder) = &self.folder {
            // Its tables are the folder's files; in-memory rows would replace them.
            return Err(Error::argument(format!(
                "this Dataset reads the export folder {} in place{}; load files into a new Dataset and export \
                 them (export_parquet_dir) instead",
                folder.display(),
                self.cluster.as_ref().map(|url| format!(" on the cluster at {url}")).unwrap_or_default()
            )));
        }
        let table = table.model_table();
        for (t, batch) in out.batches {
            if batch.num_rows() > 0 {
                if t == Table::Claims {
                    self.claim_keys = OnceLock::new();
                    self.from_claims = Mutex::new(None);
                }
                self.batches.entry(t).or_default().push(batch);
            }
        }
        for t in Table::STORED {
            self.register(t)?;
        }
        self.keys = out.keys;
        let mut summary = out.summary;
        // The same bytes loaded again add their rows again: say so.
        let again =
            self.lineage.iter().find(|(t, e)| *t == table && e.sha256 == summary.sha256 && !e.sha256.is_empty());
        if let Some((_, earlier)) = again.filter(|_| summary.records_accepted > 0) {
            summary.warnings.push(format!(
                "the same bytes (sha256 {}) were already loaded into {table} as {}; their rows now count twice",
                summary.sha256, earlier.source
            ));
        }
        let s = &summary;
        self.lineage.push((
            table,
            LineageEntry {
                table: table.name().to_string(),
                source: s.source.clone(),
                sha256: s.sha256.clone(),
                records_read: s.records_read,
                accepted: s.records_accepted,
                rejected: s.records_rejected,
                moved: s.records_moved,
            },
        ));
        Ok(summary)
    }

    /// Runs DataFusion SQL over the canonical tables (`claims`, `budgets`,
    /// `enrollments`, `admin_fees`, `rebates`, `stop_loss_reimbursements`,
    /// and the optional shapes `eligibility_spans` and `budget_rates`;
    /// functions `month_key(date)` and `icd_chapter(code)`). Text comes out
    /// as utf8, though claims store their repetitive text as dictionaries.
    pub fn sql(&self, query: &str) -> Result<Vec<RecordBatch>> {
        self.sql_table(query).map(|(_, batches)| batches)
    }

    /// `sql` with its result schema (which travels even when no row does).
    pub fn sql_table(&self, query: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let ctx = self.ctx.clone();
        let query = query.to_string();
        let (schema, batches) = self.run_query(async move {
            let df = ctx.sql(&query).await?;
            let schema = Arc::new(df.schema().as_arrow().clone());
            df.collect().await.map(|b| (schema, b))
        })?;
        let plain = canonical::plain_schema(&schema);
        let batches = canonical::plain_batches(batches, &plain)?;
        Ok((plain, batches))
    }

    /// `sql` as Arrow IPC stream bytes.
    pub fn sql_ipc(&self, query: &str) -> Result<Vec<u8>> {
        let (schema, batches) = self.sql_table(query)?;
        ipc::to_ipc_stream(&schema, &batches)
    }

    /// The batches loaded into a table, in its storage schema
    /// (`Table::storage_schema`: claims text columns as dictionaries).
    pub fn batches(&self, table: Table) -> &[RecordBatch] {
        self.batches.get(&table).map_or(&[], Vec::as_slice)
    }

    /// Every client_id, asked of each table by a query (where the tables
    /// are not held here: a cluster's). One query a table, not a UNION of
    /// them: Ballista 55's scheduler loses a union's task metrics and the job
    /// never ends.
    fn clients_by_query(&self) -> Result<Vec<String>> {
        let mut clients = std::collections::BTreeSet::new();
        for table in Table::STORED {
            let query = format!("SELECT DISTINCT CAST(client_id AS VARCHAR) FROM {}", table.name());
            for batch in self.sql(&query)? {
                let text = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
                clients.extend(datafusion::common::cast::as_string_array(&text)?.iter().flatten().map(str::to_string));
            }
        }
        Ok(clients.into_iter().collect())
    }

    /// Lineage in the order of data-model.md's tables, files in load order.
    pub fn lineage(&self) -> Vec<LineageEntry> {
        let mut entries = self.lineage.clone();
        entries.sort_by_key(|(t, _)| *t);
        entries.into_iter().map(|(_, e)| e).collect()
    }

    /// Every client_id found in any table, sorted.
    pub fn clients(&self) -> Result<Vec<String>> {
        if let Some(clients) = &self.clients_of_folders {
            return Ok(clients.clone());
        }
        if self.claims_execution == ClaimsExecution::GroupedQueries {
            return self.clients_by_query();
        }
        let mut clients = std::collections::BTreeSet::new();
        for batches in self.batches.values() {
            for b in batches {
                let Some(col) = b.column_by_name("client_id") else { continue };
                if let Some(dictionary) = col.as_dictionary_opt::<Int32Type>() {
                    // Only values a row uses: a dictionary may hold more.
                    let values = dictionary
                        .values()
                        .as_string_opt::<i32>()
                        .ok_or_else(|| Error::engine("client_id is a dictionary of other than text"))?;
                    let used = load::dictionaries::used_values(dictionary)?;
                    for (k, _) in used.iter().enumerate().filter(|(_, u)| **u) {
                        if !clients.contains(values.value(k)) {
                            clients.insert(values.value(k).to_string());
                        }
                    }
                } else {
                    let arr = datafusion::common::cast::as_string_array(col)?;
                    // Rows of one client come in runs: compare before copying.
                    let mut last: Option<&str> = None;
                    for id in arr.iter().flatten() {
                        if last != Some(id) && !clients.contains(id) {
                            clients.insert(id.to_string());
                        }
                        last = Some(id);
                    }
                }
            }
        }
        Ok(clients.into_iter().collect())
    }

    /// Runs a query's future, within the cluster's time limit on a cluster.
    pub(crate) fn run_query<T: Send>(
        &self,
        future: impl std::future::Future<Output = datafusion::error::Result<T>> + Send,
    ) -> Result<T> {
        #[cfg(feature = "cluster")]
        if let Some(url) = &self.cluster {
            let limit = self.query_limit;
            return block_on(async move { tokio::time::timeout(limit, future).await })?
                .map_err(|_| Error::Engine {
                    message: format!(
                        "the query on the Ballista cluster at {url} did not finish in {} s (an executor lost? \
                         the scheduler's log says)",
                        limit.as_secs()
                    ),
                })?
                .map_err(|e| self.query_error(e));
        }
        block_on(future)?.map_err(|e| self.query_error(e))
    }

    /// Sets how long a query on the cluster may run (default 600 s).
    #[cfg(feature = "cluster")]
    pub fn set_query_limit(&mut self, limit: std::time::Duration) {
        self.query_limit = limit;
    }

    /// A query's failure, naming the cluster that ran it (if one did).
    pub(crate) fn query_error(&self, e: datafusion::error::DataFusionError) -> Error {
        match &self.cluster {
            Some(url) => Error::Engine { message: format!("the query on the Ballista cluster at {url} failed: {e}") },
            None => e.into(),
        }
    }

    /// Whether the claims table has the partition columns of an export folder.
    pub(crate) fn claims_partitioned(&self) -> bool {
        self.claims_partitioned
    }

    /// How reports compute the claims figures.
    pub fn claims_execution(&self) -> ClaimsExecution {
        self.claims_execution
    }

    /// Chooses how reports compute the claims figures; what earlier reports
    /// derived from the claims is dropped.
    pub fn set_claims_execution(&mut self, execution: ClaimsExecution) {
        self.claims_execution = execution;
        if let Ok(mut held) = self.from_claims.lock() {
            *held = None;
        }
    }

    /// The claims' grouping columns as integer keys (made once per load).
    pub(crate) fn claim_keys(&self) -> Result<Arc<ClaimKeys>> {
        if self.claims_execution == ClaimsExecution::GroupedQueries {
            // Held to by the golden tests: no claims figure reads stored rows then.
            return Err(Error::engine("claims are read through queries here, not from stored rows"));
        }
        if let Some(keys) = self.claim_keys.get() {
            return Ok(keys.clone());
        }
        let keys = ClaimKeys::build(self.batches(Table::Claims))?;
        Ok(self.claim_keys.get_or_init(|| keys).clone())
    }

    /// What `make` derives from the stored claims, made once for `key` (which
    /// names everything `make` reads besides the claims) until claims are
    /// loaded again: a warm report with the same arguments scans no claim.
    pub(crate) fn derived_from_claims<T: Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        let stopped = || Error::engine("a report thread stopped while holding the claims' derived data");
        if let Some((held, value)) = &*self.from_claims.lock().map_err(|_| stopped())? {
            if held == key {
                if let Ok(value) = value.clone().downcast::<T>() {
                    return Ok(value);
                }
            }
        }
        let value = Arc::new(make()?);
        *self.from_claims.lock().map_err(|_| stopped())? = Some((key.to_string(), value.clone()));
        Ok(value)
    }

    pub(crate) fn context(&self) -> &SessionContext {
        &self.ctx
    }
}
