//! Cutting a CSV byte stream into blocks of whole records, decoded to text,
//! numbered, with their physical lines: a big file is read a few MiB at a
//! time and never sits in memory whole.

use std::io::Read;

use encoding_rs::Encoding;
use sha2::{Digest, Sha256};

use super::block::{Block, BlockBuilder, RecordError};
use super::feed::Feed;
use super::input::Input;
use super::{detect_delimiter, parse_delimiter};
use crate::model::error::{Error, Result};

/// Bytes read from the input for one block (about 25,000 claim lines).
const BLOCK_BYTES: usize = 4 << 20;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How record bytes become text.
#[derive(Clone, Copy)]
enum Decoding {
    /// Record by record: UTF-8 when the record is valid UTF-8, else
    /// Windows-1252 (a file mixing both keeps each record's text; see
    /// `CsvBlocks::encoding_warning`).
    Detect,
    /// UTF-8 required (declared, a BOM, or text decoded up front).
    Utf8,
    /// A single-byte encoding: each record decodes on its own.
    SingleByte(&'static Encoding),
}

/// A CSV file read block by block: its header, then `next_block` until None.
pub(crate) struct CsvBlocks<'a> {
    origin: Input<'a>,
    feed: Feed<'a>,
    source_name: String,
    /// The input's sha256: with its last chunk, or up front (UTF-16, ...).
    digest: Option<String>,
    pending: Vec<u8>,
    eof: bool,
    decoding: Decoding,
    encoding: &'static str,
    delimiter: u8,
    headers: Option<Vec<String>>,
    record_no: u64,
    /// Physical line of `pending[0]`.
    line_of_pending: u64,
    /// Bytes after the file's byte-order mark were parsed already.
    consumed_any: bool,
    /// Detect mode: non-ASCII records read as UTF-8.
    utf8_records: u64,
    /// Detect mode: records that are not UTF-8, read as Windows-1252, and
    /// the first few of them as (record, line).
    windows_1252_records: u64,
    first_windows_1252: Vec<(u64, u64)>,
    row: csv::ByteRecord,
    /// The block read with the header, handed out first.
    held: Option<Block>,
    header_error: Option<String>,
    block_bytes: usize,
    /// Blocks read through, whose buffers the next blocks fill.
    spare: Vec<Block>,
    /// The failure of a file that must be UTF-8 and is not, and where.
    not_utf8: Option<String>,
    fatal: Option<String>,
}

impl<'a> CsvBlocks<'a> {
    /// Opens `input` and reads its header. `encoding` and `delimiter` are the
    /// mapping profile's, when it declares them.
    pub fn open(input: Input<'a>, encoding: Option<&str>, delimiter: Option<&str>, source_name: &str) -> Result<Self> {
        Self::open_with_block_bytes(input, encoding, delimiter, source_name, BLOCK_BYTES)
    }

    /// `open` with another block size (tests cut files at every byte).
    pub(crate) fn open_with_block_bytes(
        input: Input<'a>,
        encoding: Option<&str>,
        delimiter: Option<&str>,
        source_name: &str,
        block_bytes: usize,
    ) -> Result<Self> {
        let declared = match encoding {
            Some(label) => Some(
                Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| Error::mapping(format!("unknown encoding '{label}'; use utf-8 or windows-1252")))?,
            ),
            None => None,
        };
        let mut blocks = CsvBlocks {
            origin: input,
            feed: Feed::open(input, block_bytes.max(1))?,
            source_name: source_name.to_string(),
            digest: None,
            pending: Vec::new(),
            eof: false,
            decoding: Decoding::Detect,
            encoding: "UTF-8",
            delimiter: b',',
            headers: None,
            record_no: 0,
            line_of_pending: 1,
            consumed_any: false,
            utf8_records: 0,
            windows_1252_records: 0,
            first_windows_1252: Vec::new(),
            row: csv::ByteRecord::new(),
            held: None,
            header_error: None,
            block_bytes: block_bytes.max(1),
            spare: Vec::new(),
            not_utf8: None,
            fatal: None,
        };
        blocks.fill()?;
        // A byte-order mark is up to three bytes (tiny test blocks may hold fewer).
        while blocks.pending.len() < UTF8_BOM.len() && !blocks.eof {
            blocks.fill()?;
        }
        // A byte-order mark wins over a declared encoding.
        let whole_text = match (Encoding::for_bom(&blocks.pending), declared) {
            (Some((enc, bom_len)), _) if enc == encoding_rs::UTF_8 => {
                blocks.require_utf8(format!(
                    "the file starts with a {0} byte-order mark but is not valid {0}",
                    enc.name()
                ));
                blocks.pending.drain(..bom_len);
                None
            }
            (Some((enc, _)), _) => Some((enc, true)),
            (None, Some(enc)) if enc == encoding_rs::UTF_8 => {
                blocks.require_utf8(format!(
                    "the file is not valid {}; remove \"encoding\" from the profile to detect it",
                    enc.name()
                ));
                None
            }
            (None, Some(enc)) if enc.is_single_byte() => {
                blocks.decoding = Decoding::SingleByte(enc);
                blocks.encoding = enc.name();
                None
            }
            (None, Some(enc)) => Some((enc, false)),
            (None, None) => {
                if let Input::Bytes(bytes) = input {
                    // All in memory and valid: no record needs looking at.
                    if std::str::from_utf8(bytes).is_ok() {
                        blocks.decoding = Decoding::Utf8;
                    }
                }
                None
            }
        };
        if let Some((enc, from_bom)) = whole_text {
            blocks.decode_whole(input, enc, from_bom)?;
        }
        blocks.delimiter = match delimiter {
            Some(d) => parse_delimiter(d)?,
            None => detect_delimiter(&blocks.pending),
        };
        // The header is the first record; the rest of its block is held.
        let mut first = Block::default();
        while blocks.headers.is_none() {
            match blocks.next_block()? {
                Some(block) => first = block,
                None => return Err(Error::input_file(source_name, "the file is empty: no header row")),
            }
            if let Some(reason) = blocks.header_error.take() {
                return Err(Error::input_file(source_name, format!("the header cannot be read: it {reason}")));
            }
        }
        blocks.held = Some(first);
        Ok(blocks)
    }

    /// Encodings that are neither UTF-8 nor single-byte (UTF-16, ...) are
    /// decoded whole, then read as UTF-8 text; the digest is of the bytes.
    fn decode_whole(&mut self, input: Input<'a>, enc: &'static Encoding, from_bom: bool) -> Result<()> {
        let bytes = input.read_all()?;
        self.digest = Some(super::sha256_hex(&bytes));
        let (text, had_errors) = if from_bom {
            let bom_len = Encoding::for_bom(&bytes).map_or(0, |(_, n)| n);
            enc.decode_without_bom_handling(&bytes[bom_len..])
        } else {
            let (text, _, had_errors) = enc.decode(&bytes);
            (text, had_errors)
        };
        if had_errors {
            return Err(if from_bom {
                Error::mapping(format!(
                    "the file starts with a {} byte-order mark but is not valid {}",
                    enc.name(),
                    enc.name()
                ))
            } else {
                Error::mapping(format!(
                    "the file is not valid {}; remove \"encoding\" from the profile to detect it",
                    enc.name()
                ))
            });
        }
        self.pending = text.into_owned().into_bytes();
        self.feed = Feed::empty();
        self.eof = true;
        self.decoding = Decoding::Utf8;
        self.encoding = enc.name();
        Ok(())
    }

    fn require_utf8(&mut self, failure: String) {
        self.decoding = Decoding::Utf8;
        self.not_utf8 = Some(failure);
    }

    pub fn headers(&self) -> &[String] {
        self.headers.as_deref().unwrap_or(&[])
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// After the last block: the encoding the records were read in (`UTF-8`, `windows-1252`,
    /// or both when records differ).
    pub fn encoding(&self) -> &'static str {
        match (self.decoding, self.utf8_records, self.windows_1252_records) {
            (Decoding::Detect, 0, n) if n > 0 => encoding_rs::WINDOWS_1252.name(),
            (Decoding::Detect, _, n) if n > 0 => "UTF-8 and windows-1252",
            // A declared, BOM-given or whole-text encoding, or UTF-8 throughout.
            _ => self.encoding,
        }
    }

    /// After the last block: when some records are UTF-8 and others are not
    /// (read as Windows-1252), which ones, so no one is surprised by either.
    pub fn encoding_warning(&self) -> Option<String> {
        if self.utf8_records == 0 || self.windows_1252_records == 0 {
            return None;
        }
        let n = self.windows_1252_records;
        let shown: Vec<String> =
            self.first_windows_1252.iter().map(|(record, line)| format!("record {record} (line {line})")).collect();
        let more = if n > shown.len() as u64 { format!(" and {} more", n - shown.len() as u64) } else { String::new() };
        Some(format!(
            "mixed encodings: {n} record{} not valid UTF-8, read as Windows-1252: {}{more}; the other {} non-ASCII records are UTF-8",
            if n == 1 { " is" } else { "s are" },
            shown.join(", "),
            self.utf8_records
        ))
    }

    /// The sha256 of the input's bytes, once every block was read.
    pub fn sha256(&self) -> String {
        self.digest.clone().unwrap_or_default()
    }

    /// The sha256 before the blocks are read: the bytes in memory hashed
    /// now, or the file read through once more.
    pub fn sha256_up_front(&mut self) -> Result<String> {
        if let Some(d) = &self.digest {
            return Ok(d.clone());
        }
        let mut hasher = Sha256::new();
        std::io::copy(&mut self.origin.open()?, &mut hasher).map_err(|e| Error::io(&self.source_name, e))?;
        let digest = super::hex(&hasher.finalize());
        self.digest = Some(digest.clone());
        Ok(digest)
    }

    /// Reads up to one block's worth of bytes more.
    fn fill(&mut self) -> Result<()> {
        let chunk = self.feed.read_into(&mut self.pending, &self.source_name)?;
        self.eof = chunk.ended;
        if self.digest.is_none() {
            self.digest = chunk.digest.map(|d| super::hex(&d));
        }
        Ok(())
    }

    /// Keeps a block read through for its buffers (a few: the blocks in flight).
    pub fn recycle(&mut self, block: Block) {
        if self.spare.len() < 4 {
            self.spare.push(block);
        }
    }

    /// The next block of whole records, or None at the end of the input.
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        if let Some(block) = self.held.take() {
            return Ok(Some(block));
        }
        loop {
            if self.pending.len() < self.block_bytes && !self.eof {
                self.fill()?;
            }
            if self.pending.is_empty() && self.eof {
                return Ok(None);
            }
            let (block, consumed, line_after) = self.parse_pending();
            if let Some(message) = self.fatal.take() {
                return Err(Error::mapping(message));
            }
            if consumed == 0 && !self.eof {
                // One record longer than a block: read more and try again.
                self.fill()?;
                continue;
            }
            let block = block.finish(&self.source_name)?;
            self.line_of_pending = line_after;
            self.pending.drain(..consumed);
            self.consumed_any |= consumed > 0;
            return Ok(Some(block));
        }
    }

    /// Parses the whole records at the front of `pending`; returns them, how
    /// many bytes they took and the line after those bytes. Before the end of
    /// the input, the record that reaches the end of `pending` may be cut and
    /// waits for more bytes.
    fn parse_pending(&mut self) -> (BlockBuilder, usize, u64) {
        // Sized for the bytes at hand: growing it by doubling copies and zeroes.
        let mut block = match self.spare.pop() {
            Some(spent) => BlockBuilder::reusing(spent),
            None => BlockBuilder::with_capacity(self.pending.len()),
        };
        let bytes = std::mem::take(&mut self.pending);
        // A csv reader drops a UTF-8 BOM at the start of its input: as it
        // would at the start of the file, but past it a BOM is data. An empty
        // line in front (csv skips it) keeps it.
        let lead: &[u8] = if self.consumed_any && bytes.starts_with(UTF8_BOM) { b"\n" } else { b"" };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(lead.chain(&bytes[..]));
        let offset = |position: &csv::Position| position.byte().saturating_sub(lead.len() as u64) as usize;
        let mut lines = LineCounter { bytes: &bytes, counted_to: 0, line: self.line_of_pending };
        let mut row = std::mem::take(&mut self.row);
        let consumed = loop {
            let start = offset(reader.position());
            match reader.read_byte_record(&mut row) {
                Ok(false) => break bytes.len(),
                Ok(true) => {
                    let end = offset(reader.position());
                    if !self.eof && end >= bytes.len() {
                        break start;
                    }
                    let line = lines.line_of(row.position().map_or(start, offset));
                    let record = &bytes[start..end.min(bytes.len())];
                    if end >= bytes.len() && unclosed_quote(record) {
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
                    self.take_record(&row, line, &mut block);
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
        let line_after = lines.line_at(consumed);
        self.pending = bytes;
        (block, consumed, line_after)
    }

    fn take_record(&mut self, row: &csv::ByteRecord, line: u64, block: &mut BlockBuilder) {
        let mark = block.mark();
        if let Err(reason) = self.decode_into(row, line, block) {
            block.drop_since(mark);
            if let Some(failure) = &self.not_utf8 {
                self.fatal = Some(format!("{failure} (record {}, line {line})", self.record_no + 1));
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
                self.utf8_records += 1;
            } else {
                decoding = Decoding::SingleByte(encoding_rs::WINDOWS_1252);
                if self.headers.is_some() {
                    self.windows_1252_records += 1;
                    if self.first_windows_1252.len() < 5 {
                        self.first_windows_1252.push((self.record_no + 1, line));
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
}

/// Whether the bytes of a record that ran to the end of the file hold an
/// open quote: an odd number of '"' (quoted fields and doubled quotes come
/// in pairs) over more than one line.
fn unclosed_quote(record: &[u8]) -> bool {
    memchr::memchr_iter(b'"', record).count() % 2 == 1
        && memchr::memchr2(b'\n', b'\r', record.trim_ascii_end()).is_some()
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
fn line_breaks(bytes: &[u8], from: usize, to: usize) -> u64 {
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
    use proptest::prelude::*;

    /// Headers, (record, line, cells) of every record, empty rows, sha256, encoding.
    type ReadAll = (Vec<String>, Vec<(u64, u64, Vec<String>)>, Vec<u64>, String, String);

    /// Every record with its number, line and cells, and the file's facts.
    fn read_all(bytes: &[u8], block_bytes: usize) -> Result<ReadAll> {
        let mut blocks = CsvBlocks::open_with_block_bytes(Input::Bytes(bytes), None, None, "t", block_bytes)?;
        let (mut records, mut empty) = (Vec::new(), Vec::new());
        while let Some(block) = blocks.next_block()? {
            records.extend(block.records().map(|r| (r.record, r.line, r.iter().map(str::to_string).collect())));
            empty.extend(block.empty_rows);
        }
        Ok((blocks.headers().to_vec(), records, empty, blocks.sha256(), blocks.encoding().to_string()))
    }

    #[test]
    fn records_cut_at_any_byte_read_the_same() {
        let text = "a,b\r\n1,\"x,\r\ny\"\r\n\r\n,\r\n2,\"q\"\"\"\n3,é\n4\n\u{feff}5";
        let whole = read_all(text.as_bytes(), 1 << 20).unwrap();
        // Worked out by hand: record 1 spans lines 2-3 (the quoted newline is
        // data), line 4 is blank, line 5 has only empty cells.
        let expected: Vec<(u64, u64, Vec<String>)> = vec![
            (1, 2, vec!["1".into(), "x,\r\ny".into()]),
            (2, 6, vec!["2".into(), "q\"".into()]),
            (3, 7, vec!["3".into(), "é".into()]),
            (4, 8, vec!["4".into()]),
            // A U+FEFF that starts a record is data, wherever a block starts.
            (5, 9, vec!["\u{feff}5".into()]),
        ];
        assert_eq!(whole.1, expected);
        assert_eq!(whole.2, vec![5]);
        assert_eq!(whole.3, crate::source::sha256_hex(text.as_bytes()));
        for block_bytes in 1..text.len() + 2 {
            assert_eq!(read_all(text.as_bytes(), block_bytes).unwrap(), whole, "block of {block_bytes} bytes");
        }
    }

    #[test]
    fn a_file_mixing_utf8_and_windows_1252_keeps_each_records_text_and_says_which() {
        let dir = std::env::temp_dir().join(format!("claimscope-blocks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mixed.csv");
        // 'é' as UTF-8 (C3 A9) on records 1 and 3, then 0xE9 alone (Windows-1252) on record 2.
        let bytes = b"name\nJos\xC3\xA9\nJos\xE9\nCaf\xC3\xA9\n";
        std::fs::write(&path, bytes).unwrap();
        let path = path.to_string_lossy().to_string();
        for input in [Input::Path(&path), Input::Bytes(bytes)] {
            for block_bytes in [4, 1 << 20] {
                let mut blocks = CsvBlocks::open_with_block_bytes(input, None, None, "t", block_bytes).unwrap();
                let mut names = Vec::new();
                while let Some(block) = blocks.next_block().unwrap() {
                    names.extend(block.records().filter_map(|r| r.get(0).map(str::to_string)));
                }
                assert_eq!(names, ["José", "José", "Café"], "block of {block_bytes} bytes");
                assert_eq!(blocks.encoding(), "UTF-8 and windows-1252");
                assert_eq!(
                    blocks.encoding_warning().unwrap(),
                    "mixed encodings: 1 record is not valid UTF-8, read as Windows-1252: record 2 (line 3); the other 2 non-ASCII records are UTF-8"
                );
            }
        }
        // Windows-1252 throughout: no warning, and the file says so.
        let mut whole = CsvBlocks::open(Input::Bytes(b"name\nJos\xE9\n"), None, None, "t").unwrap();
        while whole.next_block().unwrap().is_some() {}
        assert_eq!((whole.encoding(), whole.encoding_warning()), ("windows-1252", None));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_file_read_on_its_own_thread_reads_and_hashes_as_bytes_do() {
        let dir = std::env::temp_dir().join(format!("claimscope-feed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rows.csv");
        let text: String =
            std::iter::once("a,b\n".to_string()).chain((0..500).map(|i| format!("{i},\"x\ny{i}\"\n"))).collect();
        std::fs::write(&path, &text).unwrap();
        let path = path.to_string_lossy().to_string();
        for block_bytes in [7, 64, 1 << 20] {
            let mut blocks =
                CsvBlocks::open_with_block_bytes(Input::Path(&path), None, None, "t", block_bytes).unwrap();
            let mut records = Vec::new();
            while let Some(block) = blocks.next_block().unwrap() {
                records.extend(
                    block.records().map(|r| (r.record, r.line, r.iter().map(str::to_string).collect::<Vec<_>>())),
                );
                // Buffers of a block read through are filled again.
                blocks.recycle(block);
            }
            assert_eq!(blocks.sha256(), crate::source::sha256_hex(text.as_bytes()), "block of {block_bytes} bytes");
            // Record i+1 starts on line 2i+2: each row holds a quoted newline.
            let expected: Vec<(u64, u64, Vec<String>)> =
                (0..500).map(|i| (i + 1, 2 * i + 2, vec![i.to_string(), format!("x\ny{i}")])).collect();
            assert_eq!(records, expected, "block of {block_bytes} bytes");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn declared_utf8_that_is_not_fails_naming_the_record() {
        // Undeclared, the same bytes are a Windows-1252 file.
        let read = read_all(b"a\nok\nbad\xE9\n", 3).unwrap();
        assert_eq!((read.1[1].2[0].as_str(), read.4.as_str()), ("badé", "windows-1252"));
        let declared = CsvBlocks::open(Input::Bytes(b"a\nbad\xE9\n"), Some("utf-8"), None, "t")
            .and_then(|mut b| b.next_block().map(|_| ()))
            .unwrap_err()
            .to_string();
        assert!(declared.contains("not valid UTF-8") && declared.contains("record 1, line 2"), "{declared}");
    }

    proptest! {
        #[test]
        fn block_size_never_changes_what_is_read(
            cells in proptest::collection::vec(proptest::collection::vec("[a-c,\"\r\n é\u{feff}]{0,6}", 1..4), 1..12),
            block_bytes in 1usize..40,
        ) {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in &cells {
                writer.write_record(row).unwrap();
            }
            let bytes = writer.into_inner().unwrap();
            let whole = read_all(&bytes, 1 << 20).map_err(|e| e.to_string());
            let cut = read_all(&bytes, block_bytes).map_err(|e| e.to_string());
            prop_assert_eq!(cut, whole);
        }
    }
}
