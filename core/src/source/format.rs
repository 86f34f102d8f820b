//! Which kind of table file a source is: CSV, Parquet or Arrow IPC, told by
//! its first bytes (or, for a path, by its extension).

/// The kinds of file a table loads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    /// The Arrow IPC file (Feather v2) or stream format.
    ArrowIpc,
}

const PARQUET_MAGIC: &[u8] = b"PAR1";
const ARROW_FILE_MAGIC: &[u8] = b"ARROW1";
/// An Arrow IPC stream starts with a continuation marker.
const ARROW_STREAM_CONTINUATION: &[u8] = &[0xFF, 0xFF, 0xFF, 0xFF];

impl Format {
    /// The format of bytes by their magic number; anything else is CSV.
    ///
    /// ```
    /// use claimscope::source::Format;
    /// assert_eq!(Format::sniff(b"PAR1\x15\x04"), Format::Parquet);
    /// assert_eq!(Format::sniff(b"ARROW1\0\0"), Format::ArrowIpc);
    /// assert_eq!(Format::sniff(b"\xFF\xFF\xFF\xFF\x10\0\0\0"), Format::ArrowIpc);
    /// assert_eq!(Format::sniff(b"client_id,claim_id\n"), Format::Csv);
    /// ```
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(PARQUET_MAGIC) {
            Format::Parquet
        } else if bytes.starts_with(ARROW_FILE_MAGIC) || bytes.starts_with(ARROW_STREAM_CONTINUATION) {
            Format::ArrowIpc
        } else {
            Format::Csv
        }
    }

    /// The format of a path by its extension: `.parquet`,
    /// `.arrow`/`.ipc`/`.feather`, else CSV.
    pub fn of_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".parquet") {
            Format::Parquet
        } else if [".arrow", ".ipc", ".feather"].iter().any(|ext| lower.ends_with(ext)) {
            Format::ArrowIpc
        } else {
            Format::Csv
        }
    }
}
