//! The core's error variants as Python exceptions of the same names, with
//! the core's error fields (`Error::fields`: code, record, line, column,
//! value, reason, errors, label, path, source) as attributes.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

create_exception!(_claimscope, ClaimscopeError, PyException, "Base class of every claimscope error.");
create_exception!(
    _claimscope,
    InputError,
    ClaimscopeError,
    "Bad input data: rejected records (see .errors) or an unreadable file."
);
create_exception!(
    _claimscope,
    MappingError,
    ClaimscopeError,
    "A mapping profile that cannot be applied, or a missing required column."
);
create_exception!(_claimscope, PeriodError, ClaimscopeError, "A period label that is not accepted (see .label).");
create_exception!(_claimscope, ArgumentError, ClaimscopeError, "A bad argument (unknown client, table, basis, ...).");
create_exception!(_claimscope, EngineError, ClaimscopeError, "A failure inside the query engine.");
create_exception!(
    _claimscope,
    DatabaseError,
    ClaimscopeError,
    "The host's PostgreSQL failed or refused (cannot connect, wrong password, missing table); nothing was written."
);

/// `IoError(ClaimscopeError, OSError)`: a file that cannot be read or
/// written is also what Python code catches as `OSError`. Made at import
/// (pyo3's exception macro takes one base).
static IO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn io_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    IO_ERROR
        .get_or_try_init(py, || {
            let bases = PyTuple::new(py, [py.get_type::<ClaimscopeError>(), py.get_type::<PyOSError>()])?;
            let namespace = PyDict::new(py);
            namespace.set_item("__doc__", "A file that cannot be read or written (see .path); also an OSError.")?;
            namespace.set_item("__module__", "claimscope._claimscope")?;
            let made = py.get_type::<PyType>().call1(("IoError", bases, namespace))?;
            Ok::<_, PyErr>(made.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ClaimscopeError", py.get_type::<ClaimscopeError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("MappingError", py.get_type::<MappingError>())?;
    m.add("PeriodError", py.get_type::<PeriodError>())?;
    m.add("ArgumentError", py.get_type::<ArgumentError>())?;
    m.add("EngineError", py.get_type::<EngineError>())?;
    m.add("DatabaseError", py.get_type::<DatabaseError>())?;
    m.add("IoError", io_error_type(py)?)?;
    Ok(())
}

/// The exception type of each core variant.
fn exception_type<'py>(py: Python<'py>, e: &claimscope::Error) -> PyResult<Bound<'py, PyType>> {
    use claimscope::Error;
    Ok(match e {
        Error::Input { .. } => py.get_type::<InputError>(),
        Error::Mapping { .. } => py.get_type::<MappingError>(),
        Error::Period { .. } => py.get_type::<PeriodError>(),
        Error::Argument { .. } => py.get_type::<ArgumentError>(),
        Error::Engine { .. } => py.get_type::<EngineError>(),
        Error::Io { .. } => io_error_type(py)?.clone(),
        Error::Database { .. } => py.get_type::<DatabaseError>(),
    })
}

fn build(py: Python<'_>, e: &claimscope::Error) -> PyResult<PyErr> {
    let fields = e.fields();
    let value = exception_type(py, e)?.call1((fields.message.as_str(),))?;
    value.setattr("code", fields.code)?;
    value.setattr("record", fields.record)?;
    value.setattr("line", fields.line)?;
    value.setattr("column", fields.column)?;
    value.setattr("value", fields.value)?;
    value.setattr("reason", fields.reason)?;
    let errors = fields
        .errors
        .iter()
        .map(|r| {
            let d = PyDict::new(py);
            d.set_item("record", r.record)?;
            d.set_item("line", r.line)?;
            d.set_item("column", &r.column)?;
            d.set_item("value", &r.value)?;
            d.set_item("reason", &r.reason)?;
            d.set_item("key", &r.key)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    value.setattr("errors", errors)?;
    value.setattr("label", fields.label)?;
    value.setattr("path", fields.path)?;
    value.setattr("source", fields.source)?;
    let summary_json = fields.summary.as_ref().and_then(|s| serde_json::to_string(s).ok());
    value.setattr("summary_json", summary_json)?;
    Ok(PyErr::from_value(value))
}

/// The Python exception for a core error (attributes set on the instance).
pub(crate) fn to_py_err(py: Python<'_>, e: claimscope::Error) -> PyErr {
    build(py, &e).unwrap_or_else(|failure| failure)
}
