//! Turning input bytes (or Arrow batches) into header + string records:
//! encoding, delimiter, quoting. Knows nothing of canonical tables.

use std::borrow::Cow;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::FormatOptions;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// One data record as strings, with where it came from.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    /// 1-based data record number (header excluded).
    pub record: u64,
    /// 1-based physical line the record starts on.
    pub line: u64,
    /// The cells in one buffer (a csv record keeps one string and the cell
    /// bounds, not a String per cell: a tenth of the memory on big files).
    pub fields: csv::StringRecord,
}

/// A table of strings: the common input of every loader.
pub struct TextTable {
    pub headers: Vec<String>,
    pub records: Vec<RawRecord>,
    pub sha256: String,
    pub encoding: String,
    pub delimiter: String,
    /// Problems of the file as a whole (csv syntax errors become row errors).
    pub record_errors: Vec<(RawRecord, String)>,
    /// Rows whose every field is empty (Excel leaves them): skipped, reported.
    pub empty_rows: Vec<u64>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes bytes: a BOM decides (UTF-8, UTF-16); otherwise UTF-8 when the
/// bytes are valid UTF-8, else Windows-1252. A declared encoding wins.
pub fn decode<'a>(bytes: &'a [u8], declared: Option<&str>) -> Result<(Cow<'a, str>, &'static str)> {
    if let Some(label) = declared {
        let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| Error::mapping(format!("unknown encoding '{label}'; use utf-8 or windows-1252")))?;
        let (text, used, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(Error::mapping(format!(
                "the file is not valid {}; remove \"encoding\" from the profile to detect it",
                used.name()
            )));
        }
        return Ok((text, used.name()));
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(Error::mapping(format!("the file starts with a {} byte-order mark but is not valid {}", enc.name(), enc.name())));
        }
        return Ok((text, enc.name()));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), "UTF-8")),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok((text, "windows-1252"))
        }
    }
}

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b'|', b';'];

/// Picks the delimiter that splits the header line into the most fields
/// (outside quotes); comma when none appears.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            _ if !in_quotes => {
                if let Some(i) = CANDIDATE_DELIMITERS.iter().position(|d| *d == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..4 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATE_DELIMITERS[best]
}

pub fn parse_delimiter(declared: &str) -> Result<u8> {
    match declared {
        "," | "comma" => Ok(b','),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        ";" | "semicolon" => Ok(b';'),
        other => Err(Error::mapping(format!(
            "unknown delimiter '{other}'; use ',', 'tab', '|' or ';'"
        ))),
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => (other as char).to_string(),
    }
}

/// A copy of the reader's record sized to its cells (the reader's own buffer
/// has grown to the longest record so far).
fn compact(row: &csv::StringRecord) -> csv::StringRecord {
    let mut copy = csv::StringRecord::with_capacity(row.as_slice().len(), row.len());
    for cell in row {
        copy.push_field(cell);
    }
    copy
}

/// Reads CSV bytes into a text table. Quoted fields with delimiters and
/// newlines are data; a record with the wrong number of fields is kept so
/// the loader can reject it with its record number.
pub fn read_csv(bytes: &[u8], encoding: Option<&str>, delimiter: Option<&str>, source_name: &str) -> Result<TextTable> {
    let sha256 = sha256_hex(bytes);
    let (text, encoding_name) = decode(bytes, encoding)?;
    let delim = match delimiter {
        Some(d) => parse_delimiter(d)?,
        None => detect_delimiter(&text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut record_errors = Vec::new();
    let mut empty_rows = Vec::new();
    let mut headers: Option<Vec<String>> = None;
    let mut record_no = 0u64;
    let mut row = csv::StringRecord::new();
    // The csv crate counts records, not the newlines inside quoted fields:
    // physical lines are counted from byte offsets instead.
    let bytes_of_text = text.as_bytes();
    let (mut counted_to, mut line_at) = (0usize, 1u64);
    let mut physical_line = |byte: usize| {
        // A record's reported start may sit on the previous line's '\n'.
        let mut end = byte.min(bytes_of_text.len());
        while end < bytes_of_text.len() && matches!(bytes_of_text[end], b'\r' | b'\n') {
            end += 1;
        }
        if end > counted_to {
            line_at += bytes_of_text[counted_to..end].iter().filter(|b| **b == b'\n').count() as u64;
            counted_to = end;
        }
        line_at
    };
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = physical_line(row.position().map_or(start, |p| p.byte() as usize));
                if headers.is_none() {
                    headers = Some(row.iter().map(|h| h.trim().to_string()).collect());
                    continue;
                }
                if row.iter().all(|f| f.trim().is_empty()) {
                    empty_rows.push(line);
                    continue;
                }
                record_no += 1;
                records.push(RawRecord { record: record_no, line, fields: compact(&row) });
            }
            Err(e) => {
                let line = physical_line(start);
                if headers.is_none() {
                    return Err(Error::input_file(source_name, format!("the header cannot be read: {e}")));
                }
                record_no += 1;
                let raw = RawRecord { record: record_no, line, fields: csv::StringRecord::new() };
                record_errors.push((raw, format!("is not a valid CSV record ({e})")));
            }
        }
    }
    let headers = headers.ok_or_else(|| Error::input_file(source_name, "the file is empty: no header row"))?;
    Ok(TextTable {
        headers,
        records,
        sha256,
        encoding: encoding_name.to_string(),
        delimiter: delimiter_name(delim),
        record_errors,
        empty_rows,
    })
}

/// Arrow batches as a text table: every column is formatted as text (dates
/// ISO, decimals with their digits) and goes through the same validation as
/// CSV cells. Nulls become blank cells.
pub fn read_batches(batches: &[RecordBatch], source_name: &str) -> Result<TextTable> {
    let schema = batches
        .first()
        .map(|b| b.schema())
        .ok_or_else(|| Error::input_file(source_name, "no record batches were given"))?;
    let headers: Vec<String> = schema.fields().iter().map(|f| f.name().trim().to_string()).collect();
    let mut hasher = Sha256::new();
    let mut records = Vec::new();
    let mut record_no = 0u64;
    let format = FormatOptions::default().with_display_error(true);
    let cast_options = CastOptions { safe: false, format_options: format };
    for batch in batches {
        if batch.schema().fields().len() != headers.len() {
            return Err(Error::input_file(source_name, "record batches do not share one schema"));
        }
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .map(|c| cast_with_options(c, &DataType::Utf8, &cast_options))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::input_file(source_name, format!("a column cannot be read as text: {e}")))?;
        let strings: Vec<&datafusion::arrow::array::StringArray> = columns
            .iter()
            .filter_map(|c| c.as_any().downcast_ref::<datafusion::arrow::array::StringArray>())
            .collect();
        for row in 0..batch.num_rows() {
            record_no += 1;
            let fields: csv::StringRecord = strings.iter().map(|a| if a.is_null(row) { "" } else { a.value(row) }).collect();
            for f in &fields {
                hasher.update(f.as_bytes());
                hasher.update([0x1f]);
            }
            hasher.update([0x1e]);
            // An Arrow table has no physical lines: the line is the row number.
            records.push(RawRecord { record: record_no, line: record_no, fields });
        }
    }
    let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(TextTable {
        headers,
        records,
        sha256,
        encoding: "arrow".into(),
        delimiter: String::new(),
        record_errors: Vec::new(),
        empty_rows: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters_outside_quotes() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter("\"x,y,z\"|b|c\n"), b'|');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn decodes_bom_and_windows_1252() {
        let (t, e) = decode(b"\xEF\xBB\xBFa,b", None).unwrap();
        assert_eq!((t.as_ref(), e), ("a,b", "UTF-8"));
        // 0xE9 is 'é' in Windows-1252 and invalid alone in UTF-8.
        let (t, e) = decode(b"Jos\xE9", None).unwrap();
        assert_eq!((t.as_ref(), e), ("José", "windows-1252"));
    }

    #[test]
    fn quoted_newlines_are_data_and_lines_are_physical() {
        let t = read_csv(b"a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", None, None, "t").unwrap();
        assert_eq!(t.records.len(), 2);
        assert_eq!(&t.records[0].fields[1], "x\r\ny");
        assert_eq!((t.records[1].record, t.records[1].line), (2, 4));
    }
}
