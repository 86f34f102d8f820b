//! Turning input bytes (or Arrow batches) into header + string records:
//! encoding, delimiter, quoting. Knows nothing of canonical tables.

mod arrow_blocks;
pub(crate) mod arrow_files;
mod block;
mod blocks;
mod feed;
mod format;
mod input;
mod record_reader;
mod value_digest;

pub(crate) use arrow_blocks::{ArrowBlocks, BatchIter, OpenBatches, TypedKind};
pub(crate) use block::{Block, ChunkFacts, Record, RecordError, TypedCell};
pub(crate) use blocks::{CsvBlocks, Piece};
pub use format::Format;
pub(crate) use input::{Input, StreamInput};
pub(crate) use record_reader::ChunkParser;

use sha2::{Digest, Sha256};

use crate::model::error::{Error, Result};

/// One data record as strings, with where it came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRecord {
    /// 1-based data record number (header excluded).
    pub record: u64,
    /// 1-based physical line the record starts on.
    pub line: u64,
    /// The cells in one buffer (a csv record keeps one string and the cell
    /// bounds, not a String per cell: a tenth of the memory on big files).
    pub fields: csv::StringRecord,
}

/// A table of strings: the common input of every loader.
pub(crate) struct TextTable {
    pub headers: Vec<String>,
    pub records: Vec<RawRecord>,
    pub sha256: String,
    pub encoding: String,
    pub delimiter: String,
    /// Problems of the file as a whole (csv syntax errors become row errors).
    pub record_errors: Vec<RecordError>,
    /// Rows whose every field is empty (Excel leaves them): skipped, reported.
    pub empty_rows: Vec<u64>,
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A digest as lower-case hex, the form load summaries show.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b'|', b';'];

/// Picks the delimiter that splits the header line into the most fields
/// (outside quotes); comma when none appears.
pub(crate) fn detect_delimiter(text: impl AsRef<[u8]>) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in text.as_ref() {
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

pub(crate) fn parse_delimiter(declared: &str) -> Result<u8> {
    match declared {
        "," | "comma" => Ok(b','),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        ";" | "semicolon" => Ok(b';'),
        other => Err(Error::mapping(format!("unknown delimiter '{other}'; use ',', 'tab', '|' or ';'"))),
    }
}

pub(crate) fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => (other as char).to_string(),
    }
}

/// Reads CSV bytes into a text table (every record in memory; the loaders
/// read big files block by block instead). Quoted fields with delimiters and
/// newlines are data; a record with the wrong number of fields is kept so
/// the loader can reject it with its record number.
pub(crate) fn read_csv(
    bytes: &[u8],
    encoding: Option<&str>,
    delimiter: Option<&str>,
    source_name: &str,
) -> Result<TextTable> {
    let mut blocks = CsvBlocks::open(Input::Bytes(bytes), encoding, delimiter, source_name)?;
    let (mut records, mut record_errors, mut empty_rows) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(block) = blocks.next_block()? {
        records.extend(block.records().map(|r| r.to_owned_record()));
        record_errors.extend(block.record_errors);
        empty_rows.extend(block.empty_rows);
    }
    Ok(TextTable {
        headers: blocks.headers().to_vec(),
        records,
        sha256: blocks.sha256(),
        encoding: blocks.encoding().to_string(),
        delimiter: delimiter_name(blocks.delimiter()),
        record_errors,
        empty_rows,
    })
}

/// Records to load, block by block, and what the load summary says of them.
pub(crate) trait RecordSource {
    fn headers(&self) -> &[String];
    /// Tells the source, before its first block, which columns the loader
    /// reads (by header position) and which it reads in their own type when
    /// the source has types: others may be left unread.
    fn plan_columns(&mut self, _read: &[usize], _typed: &[(usize, TypedKind)]) {}
    fn next_block(&mut self) -> Result<Option<Block>>;
    /// The input's sha256; complete once every block was read.
    fn sha256(&self) -> String;
    /// The input's sha256 before its blocks are read (a second pass over a file).
    fn sha256_up_front(&mut self) -> Result<String>;
    fn encoding(&self) -> String;
    fn delimiter_name(&self) -> String;
    /// See `CsvBlocks::encoding_warning` (after the last block).
    fn encoding_warning(&self) -> Option<String> {
        None
    }
    /// A block read through, whose buffers the next blocks may reuse.
    fn recycle(&mut self, _block: Block) {}
    /// Leaves reading records to other threads: from here on `next_piece`
    /// may give raw chunks, which the parser returned reads. None: the
    /// source reads its own blocks.
    fn cut_into_chunks(&mut self) -> Option<ChunkParser> {
        None
    }
    /// The next block, or raw chunk after `cut_into_chunks`.
    fn next_piece(&mut self) -> Result<Option<Piece>> {
        Ok(self.next_block()?.map(Piece::Read))
    }
    /// See `CsvBlocks::add_chunk_facts`.
    fn add_chunk_facts(&mut self, _facts: ChunkFacts, _records_before: u64) -> Result<()> {
        Ok(())
    }
    /// A chunk's bytes read through, to cut the next chunks into.
    fn recycle_bytes(&mut self, _bytes: Vec<u8>) {}
}

impl RecordSource for CsvBlocks<'_> {
    fn headers(&self) -> &[String] {
        CsvBlocks::headers(self)
    }
    fn next_block(&mut self) -> Result<Option<Block>> {
        CsvBlocks::next_block(self)
    }
    fn sha256(&self) -> String {
        CsvBlocks::sha256(self)
    }
    fn sha256_up_front(&mut self) -> Result<String> {
        CsvBlocks::sha256_up_front(self)
    }
    fn encoding(&self) -> String {
        CsvBlocks::encoding(self).to_string()
    }
    fn delimiter_name(&self) -> String {
        delimiter_name(self.delimiter())
    }
    fn encoding_warning(&self) -> Option<String> {
        CsvBlocks::encoding_warning(self)
    }
    fn recycle(&mut self, block: Block) {
        CsvBlocks::recycle(self, block)
    }
    fn cut_into_chunks(&mut self) -> Option<ChunkParser> {
        Some(CsvBlocks::cut_into_chunks(self))
    }
    fn next_piece(&mut self) -> Result<Option<Piece>> {
        CsvBlocks::next_piece(self)
    }
    fn add_chunk_facts(&mut self, facts: ChunkFacts, records_before: u64) -> Result<()> {
        CsvBlocks::add_chunk_facts(self, facts, records_before)
    }
    fn recycle_bytes(&mut self, bytes: Vec<u8>) {
        CsvBlocks::recycle_bytes(self, bytes)
    }
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
        let t = read_csv(b"\xEF\xBB\xBFa,b\n1,2", None, None, "t").unwrap();
        assert_eq!((t.headers.join("|"), t.encoding.as_str()), ("a|b".to_string(), "UTF-8"));
        // 0xE9 is 'é' in Windows-1252 and invalid alone in UTF-8.
        let t = read_csv(b"name\nJos\xE9", None, None, "t").unwrap();
        assert_eq!((&t.records[0].fields[0], t.encoding.as_str()), ("José", "windows-1252"));
    }

    #[test]
    fn quoted_newlines_are_data_and_lines_are_physical() {
        let t = read_csv(b"a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", None, None, "t").unwrap();
        assert_eq!(t.records.len(), 2);
        assert_eq!(&t.records[0].fields[1], "x\r\ny");
        assert_eq!((t.records[1].record, t.records[1].line), (2, 4));
    }
}
