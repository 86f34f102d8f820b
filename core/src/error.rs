//! The one error type at the core's edge. Each door maps these variants to
//! its own error types by the same names.

use crate::summary::{LoadSummary, RowError};

/// Every failure the engine reports. No input makes the engine panic.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input data: rows that failed validation (strict mode) or a file
    /// that cannot be read as a table at all.
    #[error("{}", input_message(.source_name, .errors, .summary))]
    Input {
        source_name: String,
        /// The first 100 row errors, record and column first.
        errors: Vec<RowError>,
        /// The summary of the failed load, when the file could be read.
        summary: Option<Box<LoadSummary>>,
    },
    /// A mapping profile that cannot be applied (missing column, bad JSON,
    /// ambiguous date column, ...).
    #[error("{message}")]
    Mapping { message: String },
    /// A period label that is not one of the accepted forms, or a period
    /// with no data where one is needed (YTD).
    #[error("{message}")]
    Period { label: String, message: String },
    /// Bad arguments to an API call (unknown client, unknown table, ...).
    #[error("{message}")]
    Argument { message: String },
    /// A failure inside the query engine.
    #[error("engine error: {message}")]
    Engine { message: String },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

fn input_message(source_name: &str, errors: &[RowError], summary: &Option<Box<LoadSummary>>) -> String {
    let mut out = match summary {
        Some(s) => format!(
            "{source_name}: {} of {} records rejected",
            s.records_rejected, s.records_read
        ),
        None => format!("{source_name}: cannot be loaded"),
    };
    for e in errors {
        out.push('\n');
        out.push_str(&e.to_string());
    }
    out
}

impl Error {
    /// A stable name of the variant, used by the doors as the error `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input { .. } => "input",
            Error::Mapping { .. } => "mapping",
            Error::Period { .. } => "period",
            Error::Argument { .. } => "argument",
            Error::Engine { .. } => "engine",
            Error::Io { .. } => "io",
        }
    }

    pub(crate) fn mapping(message: impl Into<String>) -> Self {
        Error::Mapping { message: message.into() }
    }

    pub(crate) fn argument(message: impl Into<String>) -> Self {
        Error::Argument { message: message.into() }
    }

    pub(crate) fn engine(message: impl std::fmt::Display) -> Self {
        Error::Engine { message: message.to_string() }
    }

    pub(crate) fn io(path: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::Io { path: path.into(), message: err.to_string() }
    }

    pub(crate) fn input_file(source_name: &str, message: impl Into<String>) -> Self {
        Error::Input {
            source_name: source_name.to_string(),
            errors: vec![RowError::file_level(message.into())],
            summary: None,
        }
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::engine(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for Error {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        Error::engine(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
