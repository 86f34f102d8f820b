//! The Node door (napi-rs): converts JS values to the core's types and the
//! core's errors to JS Errors. Loads, reports and SQL run off the event loop.

mod errors;
pub mod tasks;

use std::sync::{Arc, Mutex};

use claimscope::{LoadOptions as CoreLoadOptions, ReportOptions as CoreReportOptions, Table};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi_derive::napi;

use tasks::{DatasetTask, Shared};

/// Options of a load.
#[napi(object)]
pub struct LoadOptions {
    /// A mapping profile as JSON text (see the README).
    pub mapping: Option<String>,
    /// Load the good rows and return the rejects instead of failing.
    pub lenient: Option<bool>,
    /// client_id for a file without a client_id column.
    pub client_id: Option<String>,
    /// Source name for lineage when the source is a Buffer (default: the table name).
    pub name: Option<String>,
}

/// Options of `loadPostgres`.
#[napi(object)]
pub struct PostgresLoadOptions {
    /// Keep the good rows and return the rejects instead of failing.
    pub lenient: Option<bool>,
}

/// Options of a report.
#[napi(object)]
pub struct ReportOptions {
    /// `incurred` (default) or `paid`.
    pub basis: Option<String>,
    /// High-cost threshold as a decimal string (default `50000.00`).
    pub hcc_threshold: Option<String>,
    /// How many codes `top_diagnoses` lists (default 10).
    pub top_n: Option<u32>,
    /// Deductible for `excess_over_specific` without a contract, as a decimal string.
    pub specific_deductible: Option<String>,
    /// A stop-loss contract: the object, or its JSON text (text or string amounts keep exact digits; JS numbers are floats).
    pub stop_loss_contract: Option<serde_json::Value>,
    /// `any_day` (default), `first_of_month` or `mid_month`, for eligibility spans.
    pub eligibility_counting: Option<String>,
    /// Replace claimant ids by HMAC-SHA256 pseudonyms made with this key (never written out).
    pub pseudonymize_key: Option<String>,
    /// Suppress breakdown groups with fewer claimants than this; `true` means 11.
    pub min_cell: Option<Either<u32, bool>>,
    /// High-cost claimants show the diagnosis chapter only.
    pub employer_facing: Option<bool>,
    /// Adds the completion section: `true`, or the options (docs/completion.md).
    pub completion: Option<Either<bool, CompletionOptions>>,
    /// Adds the year-end projection (turns completion on).
    pub project_year: Option<bool>,
}

/// How recent months are completed (docs/completion.md).
#[napi(object)]
pub struct CompletionOptions {
    /// Valuation date `YYYY-MM-DD` (default: the client's latest paid date).
    pub as_of: Option<String>,
    /// Incurred months averaged into each age-to-age factor (default 12).
    pub completion_months: Option<u32>,
    /// Latest incurred months set by the PMPM projection (default 2; 0 = none).
    pub projection_months: Option<u32>,
    /// Annual trend as a decimal string (`0.06` or `6%`; default 0).
    pub trend: Option<String>,
    /// Projected months blend both methods, weighted by the completion factor.
    pub blend: Option<bool>,
    /// Tail factor as a decimal string (default 1).
    pub tail: Option<String>,
}

/// How the report is printed (`reportHtml`, `reportPdf`).
#[napi(object)]
pub struct PrintOptions {
    /// `letter` (default) or `a4`.
    pub paper: Option<String>,
    /// Printed in the page header when given; never read from the clock.
    pub run_date: Option<String>,
}

/// Options of a reconciliation (`reconcile`, `reconcileText`).
#[napi(object)]
pub struct ReconcileOptions {
    /// Rules: the object, or its JSON text (give rules or a preset).
    pub rules: Option<serde_json::Value>,
    /// `stop-loss`, `rebates`, `admin-invoice` or `pos-rewards`.
    pub preset: Option<String>,
    /// Header renames `{left: {"<file header>": "<rules column>"}, right: {...}}`: the object or its JSON text.
    pub mapping: Option<serde_json::Value>,
    /// List unreadable rows as rejected instead of failing.
    pub lenient: Option<bool>,
    /// Names of Buffer inputs in the result (default `left.csv`, `right.csv`).
    pub left_name: Option<String>,
    pub right_name: Option<String>,
    /// `json` (default), `csv` or `table` (for `reconcileText`).
    pub format: Option<String>,
}

type Job<T> = AsyncTask<DatasetTask<Box<dyn FnOnce(&mut claimscope::Dataset) -> claimscope::Result<T> + Send>, T>>;

fn job<T: Into<tasks::Output> + Send + 'static>(
    dataset: &Shared,
    work: impl FnOnce(&mut claimscope::Dataset) -> claimscope::Result<T> + Send + 'static,
) -> Job<T> {
    AsyncTask::new(DatasetTask::new(
        dataset.clone(),
        Box::new(work) as Box<dyn FnOnce(&mut claimscope::Dataset) -> claimscope::Result<T> + Send>,
    ))
}

fn core_print_options(print: Option<PrintOptions>) -> claimscope::Result<claimscope::print::PrintOptions> {
    let print = print.unwrap_or(PrintOptions { paper: None, run_date: None });
    claimscope::print::PrintOptions::new(print.paper.as_deref().unwrap_or("letter"), print.run_date)
}

fn core_report_options(options: Option<ReportOptions>) -> claimscope::Result<CoreReportOptions> {
    let Some(o) = options else { return Ok(CoreReportOptions::default()) };
    // The same JSON options document every door hands to the core.
    let mut doc = serde_json::Map::new();
    let mut put = |key: &str, value: Option<serde_json::Value>| {
        if let Some(v) = value {
            doc.insert(key.to_string(), v);
        }
    };
    put("basis", o.basis.map(Into::into));
    put("hcc_threshold", o.hcc_threshold.map(Into::into));
    put("top_n", o.top_n.map(Into::into));
    put("specific_deductible", o.specific_deductible.map(Into::into));
    let contract = match o.stop_loss_contract {
        Some(serde_json::Value::String(text)) => Some(
            serde_json::from_str(&text)
                .map_err(|e| claimscope::Error::Argument { message: format!("stopLossContract: not JSON ({e})") })?,
        ),
        other => other,
    };
    put("stop_loss_contract", contract);
    put("eligibility_counting", o.eligibility_counting.map(Into::into));
    put("pseudonymize_key", o.pseudonymize_key.map(Into::into));
    put(
        "min_cell",
        o.min_cell.map(|m| match m {
            Either::A(n) => n.into(),
            Either::B(flag) => flag.into(),
        }),
    );
    put("employer_facing", o.employer_facing.map(Into::into));
    put(
        "completion",
        o.completion.map(|c| match c {
            Either::A(flag) => flag.into(),
            Either::B(c) => serde_json::json!({
                "as_of": c.as_of,
                "completion_months": c.completion_months,
                "projection_months": c.projection_months,
                "trend": c.trend,
                "blend": c.blend,
                "tail": c.tail,
            }),
        }),
    );
    put("project_year", o.project_year.map(Into::into));
    CoreReportOptions::from_json(&serde_json::Value::Object(doc).to_string())
}

/// The canonical tables of one or many clients, ready to report on.
#[napi]
pub struct Dataset {
    inner: Shared,
}

impl Default for Dataset {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl Dataset {
    #[napi(constructor)]
    pub fn new() -> Self {
        Dataset { inner: Arc::new(Mutex::new(claimscope::Dataset::new())) }
    }

    /// Loads a path (CSV, .parquet, .arrow) or a Buffer of CSV, Parquet or
    /// Arrow IPC into a canonical table; resolves to the load summary.
    #[napi(ts_return_type = "Promise<LoadSummary>")]
    pub fn load(&self, table: String, source: Either<String, Buffer>, options: Option<LoadOptions>) -> Job<String> {
        let source = match source {
            Either::A(path) => Either::A(path),
            Either::B(buffer) => Either::B(buffer.to_vec()),
        };
        job(&self.inner, move |ds| {
            let table = Table::parse(&table)?;
            let o = options.unwrap_or(LoadOptions { mapping: None, lenient: None, client_id: None, name: None });
            let core =
                CoreLoadOptions::from_mapping_json(o.mapping.as_deref(), o.lenient.unwrap_or(false), o.client_id)?;
            let name = o.name.unwrap_or_else(|| table.name().to_string());
            let summary = match source {
                Either::A(path) => ds.load_path(table, &path, &core),
                Either::B(bytes) => ds.load_bytes(table, &name, bytes, &core),
            };
            claimscope::memory::release_freed_memory();
            let summary = summary?;
            serde_json::to_string(&summary).map_err(|e| claimscope::Error::Engine { message: e.to_string() })
        })
    }

    /// Reads one client's rows of the host application's PostgreSQL (the
    /// seed schema's tables) into this dataset, in one read-only snapshot;
    /// resolves to the load summaries and the uploads read (docs/postgres.md).
    #[napi(ts_return_type = "Promise<PostgresLoad>")]
    pub fn load_postgres(&self, url: String, client_id: String, options: Option<PostgresLoadOptions>) -> Job<String> {
        let lenient = options.and_then(|o| o.lenient).unwrap_or(false);
        job(&self.inner, move |ds| {
            let read = claimscope::host::Postgres::connect(&url)?.load_client(ds, &client_id, lenient)?;
            serde_json::to_string(&read).map_err(|e| claimscope::Error::Engine { message: e.to_string() })
        })
    }

    /// Loads the bundled sample plan.
    #[napi(ts_return_type = "Promise<null>")]
    pub fn load_demo(&self) -> Job<serde_json::Value> {
        job(&self.inner, |ds| claimscope::tools::demo::load(ds).map(|()| serde_json::Value::Null))
    }

    /// Loads an export folder (hive-style Parquet partitions and
    /// export.json), each file checked as any load is; resolves to the load
    /// summaries. A partition missing or added is an error.
    #[napi(ts_return_type = "Promise<LoadSummary[]>")]
    pub fn load_parquet_dir(&self, folder: String, options: Option<LoadOptions>) -> Job<serde_json::Value> {
        let lenient = options.and_then(|o| o.lenient).unwrap_or(false);
        job(&self.inner, move |ds| {
            let core = CoreLoadOptions { lenient, ..CoreLoadOptions::default() };
            let summaries = ds.load_parquet_dir(std::path::Path::new(&folder), &core)?;
            serde_json::to_value(&summaries).map_err(|e| claimscope::Error::Engine { message: e.to_string() })
        })
    }

    /// Writes the tables as an export folder (absent or empty); resolves to
    /// the rows per table and the files written.
    #[napi(ts_return_type = "Promise<ExportSummary>")]
    pub fn export_parquet_dir(&self, folder: String) -> Job<serde_json::Value> {
        job(&self.inner, move |ds| {
            let summary = ds.export_parquet_dir(std::path::Path::new(&folder))?;
            serde_json::to_value(&summary).map_err(|e| claimscope::Error::Engine { message: e.to_string() })
        })
    }

    /// Binds this dataset to the Apache DataFusion Ballista cluster at `url`
    /// (`df://host:port`) over export folder `folder` (read by every
    /// executor at the same path): its reports' queries run there. Rows
    /// loaded before are dropped. Needs a build with the `cluster` feature
    /// (`clusterSupport()`).
    #[napi(ts_return_type = "Promise<null>")]
    pub fn use_cluster(&self, url: String, folder: String) -> Job<serde_json::Value> {
        job(&self.inner, move |ds| {
            *ds = claimscope::Dataset::on_cluster(&url, std::path::Path::new(&folder))?;
            Ok(serde_json::Value::Null)
        })
    }

    /// The report document as a plain object (numbers as JS numbers; use
    /// `reportJson` for the exact digits).
    #[napi(ts_return_type = "Promise<Report>")]
    pub fn report(&self, client: Option<String>, period: String, options: Option<ReportOptions>) -> Job<String> {
        job(&self.inner, move |ds| ds.report(client.as_deref(), &period, &core_report_options(options)?)?.to_json())
    }

    /// The report document as JSON text, byte-identical to the CLI's.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn report_json(
        &self,
        client: Option<String>,
        period: String,
        options: Option<ReportOptions>,
    ) -> Job<serde_json::Value> {
        job(&self.inner, move |ds| {
            let json = ds.report(client.as_deref(), &period, &core_report_options(options)?)?.to_json()?;
            Ok(serde_json::Value::String(json))
        })
    }

    /// The printed report as a self-contained HTML document (two pages).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn report_html(
        &self,
        client: Option<String>,
        period: String,
        options: Option<ReportOptions>,
        print: Option<PrintOptions>,
    ) -> Job<serde_json::Value> {
        job(&self.inner, move |ds| {
            let print = core_print_options(print)?;
            let report = ds.report(client.as_deref(), &period, &core_report_options(options)?)?;
            Ok(serde_json::Value::String(claimscope::print::html(&report, &print)?))
        })
    }

    /// The printed report as a 2-page PDF.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn report_pdf(
        &self,
        client: Option<String>,
        period: String,
        options: Option<ReportOptions>,
        print: Option<PrintOptions>,
    ) -> Job<Vec<u8>> {
        job(&self.inner, move |ds| {
            let print = core_print_options(print)?;
            let report = ds.report(client.as_deref(), &period, &core_report_options(options)?)?;
            claimscope::print::pdf(&report, &print)
        })
    }

    /// DataFusion SQL over the canonical tables; resolves to Arrow IPC stream bytes.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn sql(&self, query: String) -> Job<Vec<u8>> {
        job(&self.inner, move |ds| ds.sql_ipc(&query))
    }
}

/// JSON text of a value given as an object or as text.
fn json_text(value: Option<serde_json::Value>) -> Option<String> {
    value.map(|v| match v {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    })
}

/// (name, bytes) of a path or a Buffer.
fn reconcile_input(
    source: Either<String, Vec<u8>>,
    default_name: Option<String>,
    fallback: &str,
) -> claimscope::Result<(String, Vec<u8>)> {
    match source {
        Either::A(path) => std::fs::read(&path)
            .map(|bytes| (path.clone(), bytes))
            .map_err(|e| claimscope::Error::Io { path, message: e.to_string() }),
        Either::B(bytes) => Ok((default_name.unwrap_or_else(|| fallback.to_string()), bytes)),
    }
}

fn reconcile_job<T: Into<tasks::Output> + Send + 'static>(
    left: Either<String, Buffer>,
    right: Either<String, Buffer>,
    options: ReconcileOptions,
    finish: impl FnOnce(claimscope::reconcile::Reconciliation, &str) -> claimscope::Result<T> + Send + 'static,
) -> Job<T> {
    use claimscope::reconcile::{reconcile_csv, CsvFile, Options, Rules};
    let owned = |s: Either<String, Buffer>| match s {
        Either::A(path) => Either::A(path),
        Either::B(buffer) => Either::B(buffer.to_vec()),
    };
    let (left, right) = (owned(left), owned(right));
    // Reconciliation needs no dataset; the task runs it off the event loop all the same.
    let unused = Arc::new(Mutex::new(claimscope::Dataset::new()));
    job(&unused, move |_| {
        let rules = Rules::from_choice(json_text(options.rules).as_deref(), options.preset.as_deref())?;
        let mut core = Options { lenient: options.lenient.unwrap_or(false), ..Options::default() };
        if let Some(mapping) = json_text(options.mapping) {
            core = core.with_mapping_json(&mapping)?;
        }
        let (left_name, left) = reconcile_input(left, options.left_name, "left.csv")?;
        let (right_name, right) = reconcile_input(right, options.right_name, "right.csv")?;
        let result = reconcile_csv(
            CsvFile { name: &left_name, bytes: &left },
            CsvFile { name: &right_name, bytes: &right },
            &rules,
            &core,
        )?;
        finish(result, options.format.as_deref().unwrap_or("json"))
    })
}

/// Matches what was expected (left) against what arrived (right): paths or
/// Buffers of CSV. Resolves to the result object (numbers as JS numbers).
#[napi(ts_return_type = "Promise<Reconciliation>")]
pub fn reconcile(
    left: Either<String, Buffer>,
    right: Either<String, Buffer>,
    options: ReconcileOptions,
) -> Job<String> {
    reconcile_job(left, right, options, |result, _| result.to_json())
}

/// The reconciliation as text: `json` (byte-identical to the CLI's), `csv` or `table`.
#[napi(ts_return_type = "Promise<string>")]
pub fn reconcile_text(
    left: Either<String, Buffer>,
    right: Either<String, Buffer>,
    options: ReconcileOptions,
) -> Job<serde_json::Value> {
    reconcile_job(left, right, options, |result, format| result.render(format).map(serde_json::Value::String))
}

/// The files of `reportFiles`, by table (paths).
#[napi(object)]
pub struct ReportFiles {
    pub claims: Vec<String>,
    pub budgets: Option<String>,
    pub enrollment: Option<String>,
    pub admin_fees: Option<String>,
    pub rebates: Option<String>,
    pub stop_loss: Option<String>,
    /// Member eligibility spans (loaded as enrollments).
    pub eligibility: Option<String>,
    /// Mapping profiles as JSON text, each naming its table.
    pub mappings: Option<Vec<String>>,
    /// Keep the good rows and list the rejects in the summaries.
    pub lenient: Option<bool>,
}

impl ReportFiles {
    /// The files by table, the parsed profiles and the lenient flag.
    fn into_core(self) -> claimscope::Result<(claimscope::report::TableFiles, Vec<claimscope::MappingProfile>, bool)> {
        let kinds = claimscope::report::FilesByKind {
            claims: self.claims,
            budgets: self.budgets,
            enrollment: self.enrollment,
            admin_fees: self.admin_fees,
            rebates: self.rebates,
            stop_loss: self.stop_loss,
            eligibility: self.eligibility,
        };
        let (files, profiles) = kinds.with_profiles_json(&self.mappings.unwrap_or_default())?;
        Ok((files, profiles, self.lenient.unwrap_or(false)))
    }
}

/// The report of files read once, as the CLI makes it: claims CSV files are
/// folded into the report while read, never kept whole (unless completion or
/// a stop-loss contract needs the table). Resolves to `{report, summaries}`
/// (the report as JSON text, byte-identical to the CLI's; each load's summary).
#[napi(ts_return_type = "Promise<FilesReport>")]
pub fn report_files(
    files: ReportFiles,
    client: Option<String>,
    period: String,
    options: Option<ReportOptions>,
) -> Job<serde_json::Value> {
    let no_dataset = Arc::new(Mutex::new(claimscope::Dataset::new()));
    job(&no_dataset, move |_| {
        let (paths, profiles, lenient) = files.into_core()?;
        let input = claimscope::report::ReportFiles { files: &paths, profiles: &profiles, lenient };
        let mut summaries = Vec::new();
        let report = claimscope::report::report_files(
            &input,
            client.as_deref(),
            &period,
            &core_report_options(options)?,
            &mut |_, s| summaries.push(s.clone()),
        )?;
        let summaries =
            serde_json::to_value(&summaries).map_err(|e| claimscope::Error::Engine { message: e.to_string() })?;
        Ok(serde_json::json!({ "report": report.to_json()?, "summaries": summaries }))
    })
}

/// Writes files to an export folder as the CLI's `export --parquet` does:
/// claims go to their client/month partitions while read. Resolves to the
/// export's summary with each load's summary under `loadSummaries`.
#[napi(ts_return_type = "Promise<ExportSummary & { loadSummaries: LoadSummary[] }>")]
pub fn export_files(files: ReportFiles, folder: String, client: Option<String>) -> Job<serde_json::Value> {
    let no_dataset = Arc::new(Mutex::new(claimscope::Dataset::new()));
    job(&no_dataset, move |_| {
        let (paths, profiles, lenient) = files.into_core()?;
        let input = claimscope::report::ReportFiles { files: &paths, profiles: &profiles, lenient };
        let mut summaries = Vec::new();
        let export =
            claimscope::report::export_files(&input, client.as_deref(), std::path::Path::new(&folder), &mut |_, s| {
                summaries.push(s.clone())
            })?;
        let engine = |e: serde_json::Error| claimscope::Error::Engine { message: e.to_string() };
        let mut value = serde_json::to_value(&export).map_err(engine)?;
        value["loadSummaries"] = serde_json::to_value(&summaries).map_err(engine)?;
        Ok(value)
    })
}

/// Whether this build has Ballista's client (`Dataset.useCluster`).
#[napi]
pub fn cluster_support() -> bool {
    cfg!(feature = "cluster")
}

/// The report options' defaults, as the engine defines them.
#[napi(ts_return_type = "ReportOptions")]
pub fn report_defaults() -> napi::Result<serde_json::Value> {
    serde_json::from_str(&CoreReportOptions::defaults_json()).map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// Proposes a mapping profile from headers and sample rows.
#[napi(ts_return_type = "MappingProfile")]
pub fn suggest_mapping(
    headers: Vec<String>,
    sample_rows: Option<Vec<Vec<String>>>,
    table: Option<String>,
) -> napi::Result<serde_json::Value> {
    let table = table.as_deref().map(Table::parse).transpose().map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let profile = claimscope::tools::suggest::suggest_mapping(&headers, &sample_rows.unwrap_or_default(), table);
    serde_json::to_value(&profile).map_err(|e| napi::Error::from_reason(e.to_string()))
}
