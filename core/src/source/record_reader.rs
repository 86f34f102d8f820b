//! Reading CSV records out of bytes into a block: quoting, text decoding,
//! record numbers and physical lines. The thread that reads a file uses it
//! for the header's block; the workers use it for the chunks of whole records
//! the reading thread cuts (`record_boundary`), numbering each chunk's records
//! from 1 until the records before it are counted.

use encoding_rs::Encoding;

use super::block::{Block, BlockBuilder, ChunkFacts, RecordError};
use crate::model::error::{Error, Result};

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How record bytes become text.
#[derive(Clone, Copy)]
pub(super) enum Decoding {
    /// Record by record: UTF-8 when the record is valid UTF-8, else
    /// Windows-1252 (a file mixing both keeps each record's text; see
    /// `CsvBlocks::encoding_warning`).
    Detect,
    /// UTF-8 required (declared, a BOM, or text decoded up front).
    Utf8,
    /// A single-byte encoding: each record decodes on its own.
    SingleByte(&'static Encoding),
}

/// Where the bytes handed to `RecordReader::read` sit in the file.
pub(super) struct Span {
    /// Physical line of the first byte.
    pub line: u64,
    /// The bytes end with a whole record: nothing waits for more input.
    pub complete: bool,
    /// The bytes end the file: a record still in an open quote is reported.
    pub at_end: bool,
    /// Bytes of the file before these were read already (a byte-order mark
    /// here is data, not the file's).
    pub after_start: bool,
}

/// What one `read` took.
pub(super) struct Taken {
    /// Bytes of whole records read.
    pub consumed: usize,
    /// The physical line after them.
    pub line_after: u64,
}

/// Reads records: the file's settings, its header once read, and what was
/// counted so far.
#[derive(Clone)]
pub(crate) struct RecordReader {
    pub(super) delimiter: u8,
    pub(super) decoding: Decoding,
    /// The failure of a file that must be UTF-8 and is not.
    pub(super) not_utf8: Option<String>,
    /// None until the first record (the header) is read.
    pub(super) headers: Option<Vec<String>>,
    pub(super) header_error: Option<String>,
    pub(super) facts: ChunkFacts,
    /// Records numbered so far.
    pub(super) record_no: u64,
    row: csv::ByteRecord,
}

impl RecordReader {
    pub(super) fn new() -> Self {
        RecordReader {
            delimiter: b',',
            decoding: Decoding::Detect,
            not_utf8: None,
            headers: None,
            header_error: None,
            facts: ChunkFacts::default(),
            record_no: 0,
            row: csv::ByteRecord::new(),
        }
    }

    /// A reader with this one's settings and header, counting from zero.
    pub(super) fn for_chunks(&self) -> ChunkParser {
        ChunkParser(RecordReader {
            facts: ChunkFacts::default(),
            record_no: 0,
            header_error: None,
            row: csv::ByteRecord::new(),
            ..self.clone()
        })
    }

    /// Reads the whole records at the front of `bytes` into `block`. Unless
    /// `span.complete`, the record that reaches the end of `bytes` may be
    /// cut and is left for more bytes.
    pub(super) fn read(&mut self, bytes: &[u8], span: &Span, block: &mut BlockBuilder) -> Taken {
        // A csv reader drops a UTF-8 BOM at the start of its input: as it
        // would at the start of the file, but past it a BOM is data. An empty
        // line in front (csv skips it) keeps it.
        let lead: &[u8] = if span.after_start && bytes.starts_with(UTF8_BOM) { b"\n" } else { b"" };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Read::chain(lead, bytes));
        let offset = |position: &csv::Position| position.byte().saturating_sub(lead.len() as u64) as usize;
        let mut lines = LineCounter { bytes, counted_to: 0, line: span.line };
        let mut row = std::mem::take(&mut self.row);
        let consumed = loop {
            let start = offset(reader.position());
            match reader.read_byte_record(&mut row) {
                // A '\r' last may be half of a CRLF: it waits for the next byte to say.
                Ok(false) if !span.complete && bytes.ends_with(b"\r") => break bytes.len() - 1,
                Ok(false) => break bytes.len(),
                Ok(true) => {
                    let end = offset(reader.position());
                    if !span.complete && end >= bytes.len() {
                        break start;
                    }
                    let line = lines.line_of(row.position().map_or(start, offset));
                    let record = &bytes[start..end.min(bytes.len())];
                    if span.at_end && end >= bytes.len() && unclosed_quote(record, self.delimiter) {
                        let last = lines.line_at(start + record.trim_ascii_end().len()).max(line);
                        let reason = format!(
                            "has an unclosed quote: a field opens with '\"' and no closing '\"' follows, so the rest of the file (lines {line} to {last}) was read as this one record"
                        );
                        if self.headers.is_none() {
                            self.header_error.get_or_insert(reason);
                        } else {
                            self.record_no += 1;
                            block.record_errors.push(RecordError { record: self.record_no, line, reason });
                        }
                        continue;
                    }
                    self.take_record(&row, line, block);
                }
                Err(e) if self.headers.is_none() => {
                    self.header_error = Some(format!("is not valid CSV ({e})"));
                    break bytes.len();
                }
                Err(e) => {
                    let line = lines.line_of(start);
                    self.record_no += 1;
                    block.record_errors.push(RecordError {
                        record: self.record_no,
                        line,
                        reason: format!("is not a valid CSV record ({e})"),
                    });
                }
            }
        };
        self.row = row;
        Taken { consumed, line_after: lines.line_at(consumed) }
    }

    fn take_record(&mut self, row: &csv::ByteRecord, line: u64, block: &mut BlockBuilder) {
        let mark = block.mark();
        if let Err(reason) = self.decode_into(row, line, block) {
            block.drop_since(mark);
            if self.not_utf8.is_some() {
                self.facts.not_utf8.get_or_insert((self.record_no + 1, line));
            } else if self.headers.is_none() {
                // The first failure is the header's; rows after it say nothing more of it.
                self.header_error.get_or_insert(reason);
            } else {
                self.record_no += 1;
                block.record_errors.push(RecordError { record: self.record_no, line, reason });
            }
            return;
        }
        if self.headers.is_none() {
            self.headers =
                Some(block.cells_since(mark).map(|h| String::from_utf8_lossy(h).trim().to_string()).collect());
            block.drop_since(mark);
            return;
        }
        if block.cells_since(mark).all(is_blank) {
            block.drop_since(mark);
            block.empty_rows.push(line);
            return;
        }
        self.record_no += 1;
        block.keep_record(mark, self.record_no, line);
    }

    /// Appends the record's cells as UTF-8 text to the block.
    fn decode_into(
        &mut self,
        row: &csv::ByteRecord,
        line: u64,
        block: &mut BlockBuilder,
    ) -> std::result::Result<(), String> {
        if let Some(field) = row.iter().position(|cell| cell.contains(&0)) {
            if self.headers.is_none() && looks_like_utf16(row.as_slice()) {
                return Err("looks like UTF-16 text without a byte-order mark (every other byte is 0); save the file as UTF-8, or declare \"encoding\": \"utf-16le\" (or \"utf-16be\") in a mapping profile".into());
            }
            let header = self.headers.as_ref().and_then(|h| h.get(field));
            let name = header.map_or(String::new(), |h| format!(" ({})", crate::model::cell::echo(h)));
            return Err(format!("has a NUL byte (\\0) in field {}{name}; no text field may hold one", field + 1));
        }
        let ascii = row.as_slice().is_ascii();
        let mut decoding = self.decoding;
        if let (Decoding::Detect, false) = (decoding, ascii) {
            if std::str::from_utf8(row.as_slice()).is_ok() {
                self.facts.utf8_records += 1;
            } else {
                decoding = Decoding::SingleByte(encoding_rs::WINDOWS_1252);
                if self.headers.is_some() {
                    self.facts.windows_1252_records += 1;
                    if self.facts.first_windows_1252.len() < ChunkFacts::FIRST_SHOWN {
                        self.facts.first_windows_1252.push((self.record_no + 1, line));
                    }
                }
            }
        }
        match decoding {
            Decoding::SingleByte(enc) if !ascii => {
                for cell in row {
                    block.push_cell(enc.decode_without_bom_handling(cell).0.as_bytes());
                }
            }
            _ => {
                if !ascii {
                    // Cell by cell, as csv checks a record (a character cut by a delimiter is not text).
                    csv::StringRecord::from_byte_record(row.clone())
                        .map_err(|e| format!("is not valid UTF-8 text ({})", e.utf8_error()))?;
                }
                for cell in row {
                    block.push_cell(cell);
                }
            }
        }
        Ok(())
    }

    /// The message of a file that must be UTF-8, at its first record that is not.
    pub(super) fn not_utf8_error(&self, record: u64, line: u64) -> Error {
        let failure = self.not_utf8.as_deref().unwrap_or("the file is not valid UTF-8");
        Error::mapping(format!("{failure} (record {record}, line {line})"))
    }
}

/// Bytes of whole records cut from a file by its reading thread, to be read
/// into a block on a worker.
pub(crate) struct RawChunk {
    pub(super) bytes: Vec<u8>,
    /// Physical line of the first byte.
    pub(super) line: u64,
    /// The chunk ends the file.
    pub(super) last: bool,
}

/// Reads cut chunks on any thread: the file's settings and header.
pub(crate) struct ChunkParser(RecordReader);

impl ChunkParser {
    /// The chunk's records, numbered from 1 (`Block::chunk` holds what the
    /// file's totals need), in `reuse`'s buffers when given; and the chunk's
    /// bytes, to be filled again.
    pub fn parse(&self, chunk: RawChunk, reuse: Option<Block>, source_name: &str) -> Result<(Block, Vec<u8>)> {
        let mut reader = self.0.clone();
        let mut block = match reuse {
            Some(spent) => BlockBuilder::reusing(spent),
            None => BlockBuilder::with_capacity(chunk.bytes.len()),
        };
        let span = Span { line: chunk.line, complete: true, at_end: chunk.last, after_start: true };
        reader.read(&chunk.bytes, &span, &mut block);
        let mut block = block.finish(source_name)?;
        block.chunk = Some(reader.facts);
        Ok((block, chunk.bytes))
    }
}

/// The end of the last whole record in `bytes` (which start at a record's
/// start): just past the last '\n' outside quotes. None when no such '\n'
/// is known yet.
pub(super) fn record_boundary(bytes: &[u8], delimiter: u8) -> Option<usize> {
    scan_quotes(bytes, delimiter).boundary
}

/// What the quoted fields of `bytes` (which start at a record's start) leave.
struct QuoteScan {
    /// Just past the last '\n' outside quotes.
    boundary: Option<usize>,
    /// The bytes end inside a quoted field.
    open_at_end: bool,
}

/// Reads quotes as csv does: one opens a field only at the field's start
/// (elsewhere it is data); inside, `""` is a quote and a lone '"' closes it.
fn scan_quotes(bytes: &[u8], delimiter: u8) -> QuoteScan {
    let mut boundary = None;
    let mut unquoted_from = 0;
    let mut quotes = memchr::memchr_iter(b'"', bytes);
    while let Some(open) = quotes.next() {
        let at_field_start = open == 0 || matches!(bytes[open - 1], b'\n' | b'\r') || bytes[open - 1] == delimiter;
        if !at_field_start {
            continue;
        }
        if let Some(i) = memchr::memrchr(b'\n', &bytes[unquoted_from..open]) {
            boundary = Some(unquoted_from + i + 1);
        }
        loop {
            let Some(q) = quotes.next() else { return QuoteScan { boundary, open_at_end: true } };
            match bytes.get(q + 1) {
                Some(b'"') => {
                    quotes.next();
                }
                Some(_) => {
                    unquoted_from = q + 1;
                    break;
                }
                // A '"' last closes the field at the end of the file; before
                // it, the next byte may make it a doubled quote.
                None => return QuoteScan { boundary, open_at_end: false },
            }
        }
    }
    if let Some(i) = memchr::memrchr(b'\n', &bytes[unquoted_from..]) {
        boundary = Some(unquoted_from + i + 1);
    }
    QuoteScan { boundary, open_at_end: false }
}

/// Whether a record that ran to the end of the file did so inside a quoted
/// field over more than one line (its bytes may start with blank lines csv
/// skipped).
fn unclosed_quote(record: &[u8], delimiter: u8) -> bool {
    let start = record.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(record.len());
    let record = &record[start..];
    scan_quotes(record, delimiter).open_at_end && memchr::memchr2(b'\n', b'\r', record.trim_ascii_end()).is_some()
}

/// Text whose every other byte is 0 (ASCII written as UTF-16).
fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && memchr::memchr_iter(0, bytes).count() * 3 >= bytes.len()
}

/// A cell of only white space (as `str::trim` sees it).
fn is_blank(cell: &[u8]) -> bool {
    std::str::from_utf8(cell).is_ok_and(|text| text.trim().is_empty())
}

/// Physical lines from byte offsets: the csv reader counts records, not
/// the newlines inside quoted fields.
struct LineCounter<'b> {
    bytes: &'b [u8],
    counted_to: usize,
    line: u64,
}

/// Line breaks in `bytes[from..to]`: each '\n', and each '\r' not followed
/// by '\n' (old Mac files end lines with a lone CR). A '\r' last in `bytes`
/// may be the first half of a CRLF cut by the block and does not count.
pub(super) fn line_breaks(bytes: &[u8], from: usize, to: usize) -> u64 {
    let part = &bytes[from..to];
    let newlines = memchr::memchr_iter(b'\n', part).count() as u64;
    let lone_returns = memchr::memchr_iter(b'\r', part)
        .filter(|i| bytes.get(from + i + 1).is_some_and(|next| *next != b'\n'))
        .count() as u64;
    newlines + lone_returns
}

impl LineCounter<'_> {
    fn line_of(&mut self, byte: usize) -> u64 {
        // A record's reported start may sit on the previous line's '\n'.
        let mut end = byte.min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        self.line_at(end)
    }

    /// The line of byte `end`.
    fn line_at(&mut self, end: usize) -> u64 {
        let end = end.min(self.bytes.len());
        if end >= self.counted_to {
            self.line += line_breaks(self.bytes, self.counted_to, end);
        } else {
            self.line -= line_breaks(self.bytes, end, self.counted_to);
        }
        self.counted_to = end;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_is_a_newline_outside_quotes() {
        // Worked out by hand: the '\n' inside "x\ny" is data; the '"' in
        // 5"x opens nothing (not at a field's start).
        assert_eq!(record_boundary(b"a,\"x\ny\"\nb", b','), Some(8));
        assert_eq!(record_boundary(b"a,\"x\ny", b','), None);
        assert_eq!(record_boundary(b"a\nb,\"x\ny", b','), Some(2));
        assert_eq!(record_boundary(b"5\"x,\n\"q\"\"\n\"\n", b','), Some(12));
        assert_eq!(record_boundary(b"a|\"b\nc\"|d\ne", b'|'), Some(10));
        // A quote last in the bytes may be the first of a doubled pair.
        assert_eq!(record_boundary(b"1\n\"a\n\"", b','), Some(2));
        assert_eq!(record_boundary(b"no newline", b','), None);
    }
}
