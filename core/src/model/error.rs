//! The one error type at the core's edge. Each door maps these variants to
//! its own error types by the same names.

use crate::model::load_summary::{LoadSummary, RowError};

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
    /// The host's PostgreSQL failed or refused: cannot connect, wrong
    /// password, a missing table or column, a dropped connection. Nothing
    /// was written (the transaction rolled back).
    #[error("{message}")]
    Database { message: String },
}

fn input_message(source_name: &str, errors: &[RowError], summary: &Option<Box<LoadSummary>>) -> String {
    let mut out = match summary {
        Some(s) => format!("{source_name}: {} of {} records rejected", s.records_rejected, s.records_read),
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
            Error::Database { .. } => "database",
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

    /// A mapping error found while loading `source`, with the file named first.
    pub(crate) fn naming_source(self, source: &str) -> Self {
        match self {
            Error::Mapping { message } if !message.starts_with(&format!("{source}: ")) => {
                Error::Mapping { message: format!("{source}: {message}") }
            }
            other => other,
        }
    }

    pub(crate) fn input_file(source_name: &str, message: impl Into<String>) -> Self {
        Error::Input {
            source_name: source_name.to_string(),
            errors: vec![RowError::file_level(message.into())],
            summary: None,
        }
    }
}

/// An error as one flat record: what every door hands its host (a Python
/// exception's attributes, a JS Error's properties). The first rejected
/// record's place and reason are lifted to the top; `errors` holds them all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorFields {
    /// The variant's stable name (`Error::code`).
    pub code: &'static str,
    /// The whole message, as `Display` writes it.
    pub message: String,
    pub record: Option<u64>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: Option<String>,
    /// Every rejected record (input errors only; empty otherwise).
    pub errors: Vec<RowError>,
    /// The period label (period errors).
    pub label: Option<String>,
    /// The file (io errors).
    pub path: Option<String>,
    /// The source name (input errors).
    pub source: Option<String>,
    /// The failed load's summary, when the file could be read (input errors).
    pub summary: Option<LoadSummary>,
}

impl Error {
    /// The error's fields, for a door to copy onto its host's error.
    ///
    /// ```
    /// let e = claimscope::Period::validate_label("2025-13").unwrap_err();
    /// let f = e.fields();
    /// assert_eq!((f.code, f.label.as_deref()), ("period", Some("2025-13")));
    /// assert_eq!(f.reason.as_deref(), Some(f.message.as_str()));
    /// ```
    pub fn fields(&self) -> ErrorFields {
        let mut f = ErrorFields {
            code: self.code(),
            message: self.to_string(),
            record: None,
            line: None,
            column: None,
            value: None,
            reason: None,
            errors: Vec::new(),
            label: None,
            path: None,
            source: None,
            summary: None,
        };
        match self {
            Error::Input { source_name, errors, summary } => {
                if let Some(first) = errors.first() {
                    f.record = Some(first.record);
                    f.line = Some(first.line);
                    f.column = Some(first.column.clone());
                    f.value = Some(first.value.clone());
                    f.reason = Some(first.reason.clone());
                }
                f.errors = errors.clone();
                f.source = Some(source_name.clone());
                f.summary = summary.as_deref().cloned();
            }
            Error::Period { label, message } => {
                f.label = Some(label.clone());
                f.reason = Some(message.clone());
            }
            Error::Io { path, message } => {
                f.path = Some(path.clone());
                f.reason = Some(message.clone());
            }
            Error::Mapping { message }
            | Error::Argument { message }
            | Error::Engine { message }
            | Error::Database { message } => {
                f.reason = Some(message.clone());
            }
        }
        f
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::engine(e)
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::engine(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
