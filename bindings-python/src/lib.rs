//! The Python door (`claimscope._claimscope`): converts Python values to the
//! core's types and the core's errors to Python exceptions. No figure is
//! computed here; the Python package wraps these in typed objects.

mod arrow;
mod errors;

use std::sync::Mutex;

use claimscope::print::PrintOptions;
use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use arrow::{import_stream, PyArrowTable};
use errors::{to_py_err, ClaimscopeError};

fn summary_json(s: &claimscope::LoadSummary) -> PyResult<String> {
    serde_json::to_string(s).map_err(|e| ClaimscopeError::new_err(e.to_string()))
}

/// The engine's Dataset behind a lock: a poisoned lock is an error, never a panic.
#[pyclass(name = "_Dataset", module = "claimscope._claimscope")]
struct PyDataset {
    inner: Mutex<Dataset>,
}

impl PyDataset {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&mut Dataset) -> claimscope::Result<T> + Send) -> PyResult<T>
    where
        T: Send,
    {
        let result = py.detach(|| match self.inner.lock() {
            Ok(mut ds) => Ok(f(&mut ds)),
            Err(_) => Err(()),
        });
        match result {
            Ok(r) => r.map_err(|e| to_py_err(py, e)),
            Err(()) => Err(ClaimscopeError::new_err("the dataset is unusable after an earlier failure")),
        }
    }

    /// One load with its options, the GIL released; returns the summary as JSON.
    fn load(
        &self,
        py: Python<'_>,
        table: &str,
        mapping_json: Option<&str>,
        lenient: bool,
        client_id: Option<String>,
        f: impl FnOnce(&mut Dataset, Table, &LoadOptions) -> claimscope::Result<claimscope::LoadSummary> + Send,
    ) -> PyResult<String> {
        let table = Table::parse(table).map_err(|e| to_py_err(py, e))?;
        let opts = LoadOptions::from_mapping_json(mapping_json, lenient, client_id).map_err(|e| to_py_err(py, e))?;
        let summary = self.with(py, |ds| {
            let summary = f(ds, table, &opts);
            claimscope::memory::release_freed_memory();
            summary
        })?;
        summary_json(&summary)
    }
}

#[pymethods]
impl PyDataset {
    #[new]
    fn new() -> Self {
        PyDataset { inner: Mutex::new(Dataset::new()) }
    }

    #[pyo3(signature = (table, path, mapping_json=None, lenient=false, client_id=None))]
    fn load_path(
        &self,
        py: Python<'_>,
        table: &str,
        path: &str,
        mapping_json: Option<&str>,
        lenient: bool,
        client_id: Option<String>,
    ) -> PyResult<String> {
        self.load(py, table, mapping_json, lenient, client_id, |ds, t, o| ds.load_path(t, path, o))
    }

    /// Bytes of CSV, Parquet or Arrow IPC (the core tells them apart).
    #[pyo3(signature = (table, name, data, mapping_json=None, lenient=false, client_id=None))]
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn load_bytes(
        &self,
        py: Python<'_>,
        table: &str,
        name: &str,
        data: Vec<u8>,
        mapping_json: Option<&str>,
        lenient: bool,
        client_id: Option<String>,
    ) -> PyResult<String> {
        self.load(py, table, mapping_json, lenient, client_id, |ds, t, o| ds.load_bytes(t, name, data, o))
    }

    /// Loads any object offering `__arrow_c_stream__` (read with the GIL held,
    /// then checked and loaded without it).
    #[pyo3(signature = (table, name, source, mapping_json=None, lenient=false, client_id=None))]
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn load_arrow(
        &self,
        py: Python<'_>,
        table: &str,
        name: &str,
        source: &Bound<'_, PyAny>,
        mapping_json: Option<&str>,
        lenient: bool,
        client_id: Option<String>,
    ) -> PyResult<String> {
        let batches = import_stream(source)?;
        self.load(py, table, mapping_json, lenient, client_id, |ds, t, o| ds.load_batches(t, name, &batches, o))
    }

    /// Reads one client's rows of the host's PostgreSQL (the seed schema);
    /// returns the load summaries and the uploads read, as JSON.
    #[pyo3(signature = (url, client_id, lenient=false))]
    fn load_postgres(&self, py: Python<'_>, url: &str, client_id: &str, lenient: bool) -> PyResult<String> {
        let read = self.with(py, |ds| claimscope::host::Postgres::connect(url)?.load_client(ds, client_id, lenient))?;
        serde_json::to_string(&read).map_err(|e| ClaimscopeError::new_err(e.to_string()))
    }

    /// `options_json`: the report options as one JSON object (the core reads it).
    #[pyo3(signature = (client, period, options_json="{}"))]
    fn report(&self, py: Python<'_>, client: Option<String>, period: &str, options_json: &str) -> PyResult<PyReport> {
        let opts = ReportOptions::from_json(options_json).map_err(|e| to_py_err(py, e))?;
        let period = period.to_string();
        let report = self.with(py, |ds| ds.report(client.as_deref(), &period, &opts))?;
        Ok(PyReport { inner: report })
    }

    fn sql(&self, py: Python<'_>, query: &str) -> PyResult<PyArrowTable> {
        let (schema, batches) = self.with(py, |ds| ds.sql_table(query))?;
        Ok(PyArrowTable { schema, batches })
    }

    fn load_demo(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, claimscope::tools::demo::load)
    }

    /// Loads an export folder; returns each file's load summary as JSON.
    #[pyo3(signature = (folder, lenient=false))]
    fn load_parquet_dir(&self, py: Python<'_>, folder: &str, lenient: bool) -> PyResult<Vec<String>> {
        let options = LoadOptions { lenient, ..LoadOptions::default() };
        let summaries = self.with(py, |ds| ds.load_parquet_dir(std::path::Path::new(folder), &options))?;
        summaries.iter().map(summary_json).collect()
    }

    /// Writes the tables as an export folder; returns its summary as JSON.
    fn export_parquet_dir(&self, py: Python<'_>, folder: &str) -> PyResult<String> {
        let summary = self.with(py, |ds| ds.export_parquet_dir(std::path::Path::new(folder)))?;
        serde_json::to_string(&summary).map_err(|e| ClaimscopeError::new_err(e.to_string()))
    }

    /// A dataset whose queries run on the Ballista cluster at `url` over
    /// export folder `folder`.
    #[staticmethod]
    fn on_cluster(py: Python<'_>, url: &str, folder: &str) -> PyResult<PyDataset> {
        let ds = py.detach(|| Dataset::on_cluster(url, std::path::Path::new(folder))).map_err(|e| to_py_err(py, e))?;
        Ok(PyDataset { inner: Mutex::new(ds) })
    }

    fn clients(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |ds| ds.clients())
    }
}

/// A finished report: its JSON and its tables as Arrow.
#[pyclass(name = "_Report", module = "claimscope._claimscope", frozen)]
struct PyReport {
    inner: claimscope::Report,
}

#[pymethods]
impl PyReport {
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json().map_err(|e| to_py_err(py, e))
    }

    /// The printed report as a self-contained HTML document.
    #[pyo3(signature = (paper="letter", run_date=None))]
    fn to_html(&self, py: Python<'_>, paper: &str, run_date: Option<String>) -> PyResult<String> {
        let options = PrintOptions::new(paper, run_date).map_err(|e| to_py_err(py, e))?;
        py.detach(|| claimscope::print::html(&self.inner, &options)).map_err(|e| to_py_err(py, e))
    }

    /// The printed report as a 2-page PDF.
    #[pyo3(signature = (paper="letter", run_date=None))]
    fn to_pdf<'py>(&self, py: Python<'py>, paper: &str, run_date: Option<String>) -> PyResult<Bound<'py, PyBytes>> {
        let options = PrintOptions::new(paper, run_date).map_err(|e| to_py_err(py, e))?;
        let bytes = py.detach(|| claimscope::print::pdf(&self.inner, &options)).map_err(|e| to_py_err(py, e))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// One of the report's tables, shared with Python without copying.
    fn table(&self, py: Python<'_>, name: &str) -> PyResult<PyArrowTable> {
        let batch = self.inner.table(name).map_err(|e| to_py_err(py, e))?;
        Ok(PyArrowTable { schema: batch.schema(), batches: vec![batch] })
    }
}

#[pyfunction]
#[pyo3(signature = (headers, sample_rows, table=None))]
fn suggest_mapping(
    py: Python<'_>,
    headers: Vec<String>,
    sample_rows: Vec<Vec<String>>,
    table: Option<&str>,
) -> PyResult<String> {
    let table = table.map(Table::parse).transpose().map_err(|e| to_py_err(py, e))?;
    Ok(claimscope::tools::suggest::suggest_mapping(&headers, &sample_rows, table).to_json())
}

/// The report of files read once (claims CSV folded while read, as the CLI
/// does); returns it with each load's summary as JSON, in load order.
#[pyfunction]
#[pyo3(signature = (period, claims, budgets=None, enrollment=None, admin_fees=None, rebates=None, stop_loss=None,
    eligibility=None, client=None, options_json="{}", mappings=Vec::new(), lenient=false))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn report_files(
    py: Python<'_>,
    period: &str,
    claims: Vec<String>,
    budgets: Option<String>,
    enrollment: Option<String>,
    admin_fees: Option<String>,
    rebates: Option<String>,
    stop_loss: Option<String>,
    eligibility: Option<String>,
    client: Option<String>,
    options_json: &str,
    mappings: Vec<String>,
    lenient: bool,
) -> PyResult<(PyReport, Vec<String>)> {
    use claimscope::report::{FilesByKind, ReportFiles};
    let result = py.detach(|| {
        let kinds = FilesByKind { claims, budgets, enrollment, admin_fees, rebates, stop_loss, eligibility };
        let (files, profiles) = kinds.with_profiles_json(&mappings)?;
        let options = ReportOptions::from_json(options_json)?;
        let mut summaries = Vec::new();
        let input = ReportFiles { files: &files, profiles: &profiles, lenient };
        let report = claimscope::report::report_files(&input, client.as_deref(), period, &options, &mut |_, s| {
            summaries.push(s.clone())
        })?;
        Ok::<_, claimscope::Error>((report, summaries))
    });
    let (report, summaries) = result.map_err(|e| to_py_err(py, e))?;
    let summaries = summaries.iter().map(summary_json).collect::<PyResult<_>>()?;
    Ok((PyReport { inner: report }, summaries))
}

/// Writes files to an export folder, claims streamed to their partitions
/// (as the CLI's `export --parquet`); returns the export's summary and each
/// load's summary as JSON.
#[pyfunction]
#[pyo3(signature = (folder, claims, budgets=None, enrollment=None, admin_fees=None, rebates=None, stop_loss=None,
    eligibility=None, client=None, mappings=Vec::new(), lenient=false))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn export_files(
    py: Python<'_>,
    folder: &str,
    claims: Vec<String>,
    budgets: Option<String>,
    enrollment: Option<String>,
    admin_fees: Option<String>,
    rebates: Option<String>,
    stop_loss: Option<String>,
    eligibility: Option<String>,
    client: Option<String>,
    mappings: Vec<String>,
    lenient: bool,
) -> PyResult<(String, Vec<String>)> {
    use claimscope::report::{FilesByKind, ReportFiles};
    let result = py.detach(|| {
        let kinds = FilesByKind { claims, budgets, enrollment, admin_fees, rebates, stop_loss, eligibility };
        let (files, profiles) = kinds.with_profiles_json(&mappings)?;
        let mut summaries = Vec::new();
        let input = ReportFiles { files: &files, profiles: &profiles, lenient };
        let folder = std::path::Path::new(folder);
        let export =
            claimscope::report::export_files(&input, client.as_deref(), folder, &mut |_, s| summaries.push(s.clone()))?;
        Ok::<_, claimscope::Error>((export, summaries))
    });
    let (export, summaries) = result.map_err(|e| to_py_err(py, e))?;
    let export = serde_json::to_string(&export).map_err(|e| ClaimscopeError::new_err(e.to_string()))?;
    Ok((export, summaries.iter().map(summary_json).collect::<PyResult<_>>()?))
}

/// Bytes read of watched files, polled by the Python side's progress bar.
#[pyclass(name = "_FileProgress", module = "claimscope._claimscope", frozen)]
struct PyFileProgress {
    inner: claimscope::progress::FileProgress,
}

#[pymethods]
impl PyFileProgress {
    #[new]
    fn new(paths: Vec<String>) -> Self {
        PyFileProgress { inner: claimscope::progress::watch(&paths) }
    }

    fn read(&self) -> u64 {
        self.inner.read()
    }

    fn total(&self) -> u64 {
        self.inner.total()
    }
}

/// A reconciliation result held by Python (rendered on request).
#[pyclass(name = "_Reconciliation", module = "claimscope._claimscope", frozen)]
struct PyReconciliation {
    inner: claimscope::reconcile::Reconciliation,
}

#[pymethods]
impl PyReconciliation {
    /// `json`, `csv` or `table` text.
    fn render(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        py.detach(|| self.inner.render(format)).map_err(|e| to_py_err(py, e))
    }
}

#[pyfunction]
#[pyo3(signature = (left_name, left, right_name, right, rules_json=None, preset=None, mapping_json=None, lenient=false))]
#[allow(clippy::too_many_arguments)]
fn reconcile(
    py: Python<'_>,
    left_name: &str,
    left: &[u8],
    right_name: &str,
    right: &[u8],
    rules_json: Option<&str>,
    preset: Option<&str>,
    mapping_json: Option<&str>,
    lenient: bool,
) -> PyResult<PyReconciliation> {
    use claimscope::reconcile::{reconcile_csv, CsvFile, Options, Rules};
    let result = py.detach(|| {
        let rules = Rules::from_choice(rules_json, preset)?;
        let mut options = Options { lenient, ..Options::default() };
        if let Some(mapping) = mapping_json {
            options = options.with_mapping_json(mapping)?;
        }
        reconcile_csv(
            CsvFile { name: left_name, bytes: left },
            CsvFile { name: right_name, bytes: right },
            &rules,
            &options,
        )
    });
    result.map(|inner| PyReconciliation { inner }).map_err(|e| to_py_err(py, e))
}

#[pymodule]
fn _claimscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDataset>()?;
    m.add_class::<PyReport>()?;
    m.add_class::<PyArrowTable>()?;
    m.add_class::<PyReconciliation>()?;
    m.add_class::<PyFileProgress>()?;
    m.add_function(wrap_pyfunction!(suggest_mapping, m)?)?;
    m.add_function(wrap_pyfunction!(reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(report_files, m)?)?;
    m.add_function(wrap_pyfunction!(export_files, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CLUSTER", cfg!(feature = "cluster"))?;
    m.add("TABLE_NAMES", claimscope::report::TABLE_NAMES.to_vec())?;
    m.add("REPORT_DEFAULTS_JSON", ReportOptions::defaults_json())?;
    errors::register(m)
}
