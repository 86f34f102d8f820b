//! Cutting a CSV byte stream into blocks of whole records, decoded to text,
//! numbered, with their physical lines: a big file is read a few MiB at a
//! time and never sits in memory whole. With several workers, the reading
//! thread only cuts the bytes at record boundaries (`next_piece`) and the
//! workers read the records.

use encoding_rs::Encoding;
use sha2::{Digest, Sha256};

use super::block::{Block, BlockBuilder, ChunkFacts};
use super::feed::Feed;
use super::input::Input;
use super::record_reader::{
    line_breaks, record_boundary, ChunkParser, Decoding, RawChunk, RecordReader, Span, UTF8_BOM,
};
use super::{detect_delimiter, parse_delimiter};
use crate::model::error::{Error, Result};

/// Bytes read from the input for one block (about 25,000 claim lines).
const BLOCK_BYTES: usize = 4 << 20;

/// What the reading thread hands on: a block it read, or bytes of whole
/// records for a worker to read (`ChunkParser`).
pub(crate) enum Piece {
    Read(Block),
    Raw(RawChunk),
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
    encoding: &'static str,
    reader: RecordReader,
    /// Physical line of `pending[0]`.
    line_of_pending: u64,
    /// Bytes after the file's byte-order mark were parsed already.
    consumed_any: bool,
    /// The block read with the header, handed out first.
    held: Option<Block>,
    block_bytes: usize,
    /// Blocks read through, whose buffers the next blocks fill.
    spare: Vec<Block>,
    /// `next_piece` cuts raw chunks instead of reading blocks.
    cut_chunks: bool,
    /// Chunks read through, whose buffers the next chunks fill.
    spare_bytes: Vec<Vec<u8>>,
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
            encoding: "UTF-8",
            reader: RecordReader::new(),
            line_of_pending: 1,
            consumed_any: false,
            held: None,
            block_bytes: block_bytes.max(1),
            spare: Vec::new(),
            cut_chunks: false,
            spare_bytes: Vec::new(),
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
                blocks.reader.decoding = Decoding::SingleByte(enc);
                blocks.encoding = enc.name();
                None
            }
            (None, Some(enc)) => Some((enc, false)),
            (None, None) => {
                if let Input::Bytes(bytes) = input {
                    // All in memory and valid: no record needs looking at.
                    if std::str::from_utf8(bytes).is_ok() {
                        blocks.reader.decoding = Decoding::Utf8;
                    }
                }
                None
            }
        };
        if let Some((enc, from_bom)) = whole_text {
            blocks.decode_whole(input, enc, from_bom)?;
        }
        blocks.reader.delimiter = match delimiter {
            Some(d) => parse_delimiter(d)?,
            None => detect_delimiter(&blocks.pending),
        };
        // The header is the first record; the rest of its block is held.
        let mut first = Block::default();
        while blocks.reader.headers.is_none() {
            match blocks.next_block()? {
                Some(block) => first = block,
                None => return Err(Error::input_file(source_name, "the file is empty: no header row")),
            }
            if let Some(reason) = blocks.reader.header_error.take() {
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
        self.reader.decoding = Decoding::Utf8;
        self.encoding = enc.name();
        Ok(())
    }

    fn require_utf8(&mut self, failure: String) {
        self.reader.decoding = Decoding::Utf8;
        self.reader.not_utf8 = Some(failure);
    }

    pub fn headers(&self) -> &[String] {
        self.reader.headers.as_deref().unwrap_or(&[])
    }

    pub fn delimiter(&self) -> u8 {
        self.reader.delimiter
    }

    /// After the last block: the encoding the records were read in (`UTF-8`, `windows-1252`,
    /// or both when records differ).
    pub fn encoding(&self) -> &'static str {
        let facts = &self.reader.facts;
        match (self.reader.decoding, facts.utf8_records, facts.windows_1252_records) {
            (Decoding::Detect, 0, n) if n > 0 => encoding_rs::WINDOWS_1252.name(),
            (Decoding::Detect, _, n) if n > 0 => "UTF-8 and windows-1252",
            // A declared, BOM-given or whole-text encoding, or UTF-8 throughout.
            _ => self.encoding,
        }
    }

    /// After the last block: when some records are UTF-8 and others are not
    /// (read as Windows-1252), which ones, so no one is surprised by either.
    pub fn encoding_warning(&self) -> Option<String> {
        let facts = &self.reader.facts;
        if facts.utf8_records == 0 || facts.windows_1252_records == 0 {
            return None;
        }
        let n = facts.windows_1252_records;
        let shown: Vec<String> =
            facts.first_windows_1252.iter().map(|(record, line)| format!("record {record} (line {line})")).collect();
        let more = if n > shown.len() as u64 { format!(" and {} more", n - shown.len() as u64) } else { String::new() };
        Some(format!(
            "mixed encodings: {n} record{} not valid UTF-8, read as Windows-1252: {}{more}; the other {} non-ASCII records are UTF-8",
            if n == 1 { " is" } else { "s are" },
            shown.join(", "),
            facts.utf8_records
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

    /// Reads up to a block's worth of bytes more when fewer are pending;
    /// false once the input is read through and nothing is pending.
    fn fill_to_a_block(&mut self) -> Result<bool> {
        if self.pending.len() < self.block_bytes && !self.eof {
            self.fill()?;
        }
        Ok(!(self.pending.is_empty() && self.eof))
    }

    /// Keeps a block read through for its buffers (a few: the blocks in flight).
    pub fn recycle(&mut self, block: Block) {
        if self.spare.len() < 4 {
            self.spare.push(block);
        }
    }

    /// Keeps a chunk's bytes, read through, to cut the next chunks into.
    pub fn recycle_bytes(&mut self, bytes: Vec<u8>) {
        if self.spare_bytes.len() < 4 {
            self.spare_bytes.push(bytes);
        }
    }

    /// From here on `next_piece` cuts chunks for `ChunkParser::parse` to read
    /// on other threads; their record numbers start at 1 in each chunk
    /// (`add_chunk_facts` counts them into the file's).
    pub fn cut_into_chunks(&mut self) -> ChunkParser {
        self.cut_chunks = true;
        self.reader.for_chunks()
    }

    /// The next block, or chunk of whole records once `cut_into_chunks`
    /// was called; None at the end of the input.
    pub fn next_piece(&mut self) -> Result<Option<Piece>> {
        if !self.cut_chunks || self.held.is_some() {
            return Ok(self.next_block()?.map(Piece::Read));
        }
        loop {
            if !self.fill_to_a_block()? {
                return Ok(None);
            }
            let cut =
                if self.eof { Some(self.pending.len()) } else { record_boundary(&self.pending, self.delimiter()) };
            let Some(cut) = cut.filter(|&c| c > 0) else {
                // No whole record yet: one record longer than a block.
                self.fill()?;
                continue;
            };
            // The chunk keeps the buffer; the bytes after the cut move to another.
            // Room for the tail and a block's worth more: a buffer grown by
            // doubling while filled is fresh memory, zeroed page by page.
            let mut rest = self.spare_bytes.pop().unwrap_or_else(|| Vec::with_capacity(2 * self.block_bytes));
            rest.clear();
            rest.extend_from_slice(&self.pending[cut..]);
            let mut bytes = std::mem::replace(&mut self.pending, rest);
            bytes.truncate(cut);
            let line = self.line_of_pending;
            self.line_of_pending += line_breaks(&bytes, 0, cut);
            let last = self.eof && self.pending.is_empty();
            return Ok(Some(Piece::Raw(RawChunk { bytes, line, last })));
        }
    }

    /// Counts a chunk's facts into the file's; `records_before` is how many
    /// records the file has before the chunk. A file that must be UTF-8 and
    /// is not fails here, at the chunk's first such record.
    pub fn add_chunk_facts(&mut self, chunk: ChunkFacts, records_before: u64) -> Result<()> {
        if let Some((record, line)) = chunk.not_utf8 {
            return Err(self.reader.not_utf8_error(records_before + record, line));
        }
        let facts = &mut self.reader.facts;
        facts.utf8_records += chunk.utf8_records;
        facts.windows_1252_records += chunk.windows_1252_records;
        for (record, line) in chunk.first_windows_1252 {
            if facts.first_windows_1252.len() < ChunkFacts::FIRST_SHOWN {
                facts.first_windows_1252.push((records_before + record, line));
            }
        }
        Ok(())
    }

    /// The next block of whole records, or None at the end of the input.
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        if let Some(block) = self.held.take() {
            return Ok(Some(block));
        }
        loop {
            if !self.fill_to_a_block()? {
                return Ok(None);
            }
            // Sized for the bytes at hand: growing it by doubling copies and zeroes.
            let mut block = match self.spare.pop() {
                Some(spent) => BlockBuilder::reusing(spent),
                None => BlockBuilder::with_capacity(self.pending.len()),
            };
            let span = Span {
                line: self.line_of_pending,
                complete: self.eof,
                at_end: self.eof,
                after_start: self.consumed_any,
            };
            let taken = self.reader.read(&self.pending, &span, &mut block);
            if let Some((record, line)) = self.reader.facts.not_utf8 {
                return Err(self.reader.not_utf8_error(record, line));
            }
            if taken.consumed == 0 && !self.eof {
                // One record longer than a block: read more and try again.
                self.fill()?;
                continue;
            }
            let block = block.finish(&self.source_name)?;
            self.line_of_pending = taken.line_after;
            self.pending.drain(..taken.consumed);
            self.consumed_any |= taken.consumed > 0;
            return Ok(Some(block));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (record, line, reason) of a record that could not be read.
    type Unread = (u64, u64, String);
    /// Headers, (record, line, cells) of every record, empty rows, sha256,
    /// encoding, records that could not be read.
    type ReadAll = (Vec<String>, Vec<(u64, u64, Vec<String>)>, Vec<u64>, String, String, Vec<Unread>);

    /// Every record with its number, line and cells, and the file's facts.
    fn read_all(bytes: &[u8], block_bytes: usize) -> Result<ReadAll> {
        let mut blocks = CsvBlocks::open_with_block_bytes(Input::Bytes(bytes), None, None, "t", block_bytes)?;
        let (mut records, mut empty, mut unread) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(block) = blocks.next_block()? {
            records.extend(block.records().map(|r| (r.record, r.line, r.iter().map(str::to_string).collect())));
            empty.extend(block.empty_rows);
            unread.extend(block.record_errors.into_iter().map(|e| (e.record, e.line, e.reason)));
        }
        Ok((blocks.headers().to_vec(), records, empty, blocks.sha256(), encoding_said(&blocks), unread))
    }

    /// The encoding and the mixed-encoding warning, once the file was read.
    fn encoding_said(blocks: &CsvBlocks) -> String {
        format!("{}; {}", blocks.encoding(), blocks.encoding_warning().unwrap_or_default())
    }

    /// `read_all` with the records read from chunks, as the loader's workers
    /// do: each chunk's record numbers shifted by the records before it.
    fn read_all_by_chunks(bytes: &[u8], block_bytes: usize) -> Result<ReadAll> {
        let mut blocks = CsvBlocks::open_with_block_bytes(Input::Bytes(bytes), None, None, "t", block_bytes)?;
        let parser = blocks.cut_into_chunks();
        let (mut records, mut empty, mut unread, mut records_before) = (Vec::new(), Vec::new(), Vec::new(), 0);
        while let Some(piece) = blocks.next_piece()? {
            let mut block = match piece {
                Piece::Read(block) => block,
                Piece::Raw(chunk) => {
                    let (block, spent) = parser.parse(chunk, None, "t")?;
                    blocks.recycle_bytes(spent);
                    block
                }
            };
            let shift = match block.chunk.take() {
                Some(facts) => {
                    blocks.add_chunk_facts(facts, records_before)?;
                    records_before
                }
                None => 0,
            };
            records_before += (block.len() + block.record_errors.len()) as u64;
            records.extend(block.records().map(|r| (r.record + shift, r.line, r.iter().map(str::to_string).collect())));
            empty.extend(block.empty_rows);
            unread.extend(block.record_errors.into_iter().map(|e| (e.record + shift, e.line, e.reason)));
        }
        Ok((blocks.headers().to_vec(), records, empty, blocks.sha256(), encoding_said(&blocks), unread))
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
            let by_chunks = read_all_by_chunks(text.as_bytes(), block_bytes).unwrap();
            assert_eq!(by_chunks, whole, "chunks of {block_bytes} bytes");
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
        // Read by chunks on workers, the warning names the same records.
        let mut rows = String::from("name\n");
        for i in 0..40 {
            rows.push_str(if i % 7 == 3 { "Jos\u{e9}\n" } else { "Caf\u{e9}\n" });
        }
        let mut bytes = rows.into_bytes();
        // Records 4, 11, 18, 25, 32 and 39 as Windows-1252 (0xE9 alone), lines one more.
        for (i, line) in bytes.split_mut(|b| *b == b'\n').enumerate() {
            if i % 7 == 4 {
                line.copy_from_slice(b"Jos\xE9\xE9");
            }
        }
        let by_chunks = read_all_by_chunks(&bytes, 16).unwrap();
        assert_eq!(
            by_chunks.4,
            "UTF-8 and windows-1252; mixed encodings: 6 records are not valid UTF-8, read as Windows-1252: record 4 (line 5), record 11 (line 12), record 18 (line 19), record 25 (line 26), record 32 (line 33) and 1 more; the other 34 non-ASCII records are UTF-8"
        );
        assert_eq!(by_chunks, read_all(&bytes, 1 << 20).unwrap());
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
        assert_eq!((read.1[1].2[0].as_str(), read.4.as_str()), ("badé", "windows-1252; "));
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
            prop_assert_eq!(&cut, &whole);
            let by_chunks = read_all_by_chunks(&bytes, block_bytes).map_err(|e| e.to_string());
            prop_assert_eq!(by_chunks, whole);
        }

        #[test]
        fn blocks_and_chunks_cut_where_csv_ends_records_even_in_messy_quoting(
            text in "a,b\n[a,\"\r\n é\u{feff}]{0,60}",
            block_bytes in 1usize..40,
        ) {
            // Quotes open mid-field, stay open, double up: no writer made these bytes.
            let whole = read_all(text.as_bytes(), 1 << 20).map_err(|e| e.to_string());
            let cut = read_all(text.as_bytes(), block_bytes).map_err(|e| e.to_string());
            prop_assert_eq!(&cut, &whole);
            let by_chunks = read_all_by_chunks(text.as_bytes(), block_bytes).map_err(|e| e.to_string());
            prop_assert_eq!(by_chunks, whole);
        }
    }
}
