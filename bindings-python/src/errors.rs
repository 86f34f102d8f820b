//! The core's error variants as Python exceptions of the same names, with
//! the row errors (record, line, column, value, reason) as attributes.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(_claimscope, ClaimscopeError, PyException, "Base class of every claimscope error.");
create_exception!(_claimscope, InputError, ClaimscopeError, "Bad input data: rejected records (see .errors) or an unreadable file.");
create_exception!(_claimscope, MappingError, ClaimscopeError, "A mapping profile that cannot be applied, or a missing required column.");
create_exception!(_claimscope, PeriodError, ClaimscopeError, "A period label that is not accepted (see .label).");
create_exception!(_claimscope, ArgumentError, ClaimscopeError, "A bad argument (unknown client, table, basis, ...).");
create_exception!(_claimscope, EngineError, ClaimscopeError, "A failure inside the query engine.");
create_exception!(_claimscope, IoError, ClaimscopeError, "A file that cannot be read or written (see .path).");

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ClaimscopeError", py.get_type::<ClaimscopeError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("MappingError", py.get_type::<MappingError>())?;
    m.add("PeriodError", py.get_type::<PeriodError>())?;
    m.add("ArgumentError", py.get_type::<ArgumentError>())?;
    m.add("EngineError", py.get_type::<EngineError>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    Ok(())
}

fn row_error<'py>(py: Python<'py>, e: &claimscope::RowError) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("record", e.record)?;
    d.set_item("line", e.line)?;
    d.set_item("column", &e.column)?;
    d.set_item("value", &e.value)?;
    d.set_item("reason", &e.reason)?;
    Ok(d)
}

fn build(py: Python<'_>, e: claimscope::Error) -> PyResult<PyErr> {
    let message = e.to_string();
    let code = e.code();
    let err = match &e {
        claimscope::Error::Input { .. } => InputError::new_err(message),
        claimscope::Error::Mapping { .. } => MappingError::new_err(message),
        claimscope::Error::Period { .. } => PeriodError::new_err(message),
        claimscope::Error::Argument { .. } => ArgumentError::new_err(message),
        claimscope::Error::Engine { .. } => EngineError::new_err(message),
        claimscope::Error::Io { .. } => IoError::new_err(message),
    };
    let value = err.value(py);
    value.setattr("code", code)?;
    let (mut record, mut line, mut column, mut cell, mut reason) = (None, None, None, None, None);
    let mut errors = Vec::new();
    match &e {
        claimscope::Error::Input { errors: rows, summary, source_name } => {
            for r in rows {
                errors.push(row_error(py, r)?);
            }
            if let Some(first) = rows.first() {
                record = Some(first.record);
                line = Some(first.line);
                column = Some(first.column.clone());
                cell = Some(first.value.clone());
                reason = Some(first.reason.clone());
            }
            value.setattr("source", source_name)?;
            let summary_json = summary.as_ref().and_then(|s| serde_json::to_string(s).ok());
            value.setattr("summary_json", summary_json)?;
        }
        claimscope::Error::Period { label, message } => {
            value.setattr("label", label)?;
            reason = Some(message.clone());
        }
        claimscope::Error::Io { path, message } => {
            value.setattr("path", path)?;
            reason = Some(message.clone());
        }
        claimscope::Error::Mapping { message } | claimscope::Error::Argument { message } | claimscope::Error::Engine { message } => {
            reason = Some(message.clone());
        }
    }
    value.setattr("errors", errors)?;
    value.setattr("record", record)?;
    value.setattr("line", line)?;
    value.setattr("column", column)?;
    value.setattr("value", cell)?;
    value.setattr("reason", reason)?;
    Ok(err)
}

/// The Python exception for a core error (attributes set on the instance).
pub(crate) fn to_py_err(py: Python<'_>, e: claimscope::Error) -> PyErr {
    build(py, e).unwrap_or_else(|failure| failure)
}
