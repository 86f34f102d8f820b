//! Arrow record batches read as text a slice at a time: every column is
//! cast to text (dates ISO, decimals with their digits), nulls become blank
//! cells, and the cells go through the same checks as CSV cells. Batches are
//! read as they come (a Parquet file's row groups one after another), so the
//! text of the whole table never sits in memory.

use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::FormatOptions;
use sha2::{Digest, Sha256};

use super::block::{Block, BlockBuilder};
use super::RecordSource;
use crate::model::error::{Error, Result};

/// Rows of a batch read into one block (a block's worth of claim lines).
const ROWS_PER_BLOCK: usize = 32 * 1024;

/// Batches, in order; may be asked for again from the start.
pub(crate) type BatchIter<'b> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'b>;

/// The batches of one table, read block by block.
pub(crate) struct ArrowBlocks<'b> {
    /// Starts the batches again (a second pass for the sha256 up front).
    restart: Box<dyn Fn() -> Result<BatchIter<'b>> + 'b>,
    batches: BatchIter<'b>,
    source_name: String,
    headers: Vec<String>,
    /// The batch being read and the next row in it.
    current: Option<(RecordBatch, usize)>,
    records: u64,
    hasher: Sha256,
    digest: Option<String>,
}

impl<'b> ArrowBlocks<'b> {
    /// Reads the first batch for the headers; no batch at all is an error.
    pub fn open(restart: Box<dyn Fn() -> Result<BatchIter<'b>> + 'b>, source_name: &str) -> Result<Self> {
        let mut batches = restart()?;
        let first = batches.next().transpose()?.ok_or_else(|| no_batches(source_name))?;
        let headers = first.schema().fields().iter().map(|f| f.name().trim().to_string()).collect();
        Ok(ArrowBlocks {
            restart,
            batches,
            source_name: source_name.to_string(),
            headers,
            current: Some((first, 0)),
            records: 0,
            hasher: Sha256::new(),
            digest: None,
        })
    }

    /// Batches already in memory.
    pub fn of_batches(batches: &'b [RecordBatch], source_name: &str) -> Result<Self> {
        Self::open(Box::new(move || Ok(Box::new(batches.iter().cloned().map(Ok)) as BatchIter<'b>)), source_name)
    }

    /// The next rows as text: the cells hashed (each followed by 0x1f, each
    /// row by 0x1e), numbered in order; an Arrow table has no physical lines,
    /// so a record's line is its row number.
    fn read_rows(&mut self, batch: &RecordBatch) -> Result<Block> {
        if batch.schema().fields().len() != self.headers.len() {
            return Err(Error::input_file(&self.source_name, "record batches do not share one schema"));
        }
        let format = FormatOptions::default().with_display_error(true);
        let cast_options = CastOptions { safe: false, format_options: format };
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .map(|c| cast_with_options(c, &DataType::Utf8, &cast_options))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::input_file(&self.source_name, format!("a column cannot be read as text: {e}")))?;
        let texts: Vec<&StringArray> =
            columns.iter().filter_map(|c| c.as_any().downcast_ref::<StringArray>()).collect();
        let text_bytes: usize = texts.iter().map(|t| t.value_data().len()).sum();
        let mut block = BlockBuilder::with_capacity(text_bytes);
        // Hashed a block at a time: one call per cell costs more than the hashing.
        let mut hashed = Vec::with_capacity(text_bytes + batch.num_rows() * (texts.len() + 1));
        for row in 0..batch.num_rows() {
            let mark = block.mark();
            for text in &texts {
                let cell = if text.is_null(row) { "" } else { text.value(row) };
                block.push_cell(cell.as_bytes());
                hashed.extend_from_slice(cell.as_bytes());
                hashed.push(0x1f);
            }
            hashed.push(0x1e);
            self.records += 1;
            block.keep_record(mark, self.records, self.records);
        }
        self.hasher.update(&hashed);
        block.finish(&self.source_name)
    }
}

fn no_batches(source_name: &str) -> Error {
    Error::input_file(source_name, "no record batches were given")
}

impl RecordSource for ArrowBlocks<'_> {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_block(&mut self) -> Result<Option<Block>> {
        loop {
            let (batch, row) = match self.current.take() {
                Some(at) => at,
                None => match self.batches.next().transpose()? {
                    Some(batch) => (batch, 0),
                    None => {
                        self.digest.get_or_insert_with(|| super::hex(&self.hasher.clone().finalize()));
                        return Ok(None);
                    }
                },
            };
            if row >= batch.num_rows() {
                continue;
            }
            let rows = ROWS_PER_BLOCK.min(batch.num_rows() - row);
            let block = self.read_rows(&batch.slice(row, rows))?;
            self.current = Some((batch, row + rows));
            return Ok(Some(block));
        }
    }

    fn sha256(&self) -> String {
        self.digest.clone().unwrap_or_default()
    }

    fn sha256_up_front(&mut self) -> Result<String> {
        if let Some(digest) = &self.digest {
            return Ok(digest.clone());
        }
        let mut again = ArrowBlocks::open(Box::new(|| (self.restart)()), &self.source_name)?;
        while again.next_block()?.is_some() {}
        let digest = again.sha256();
        self.digest = Some(digest.clone());
        Ok(digest)
    }

    fn encoding(&self) -> String {
        "arrow".into()
    }

    fn delimiter_name(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn batches_read_in_blocks_number_rows_on_and_hash_every_cell() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new(" name ", DataType::Utf8, true),
        ]));
        let batch = |from: i64, rows: i64| {
            let names: Vec<Option<String>> =
                (from..from + rows).map(|i| (i % 5 != 0).then(|| format!("x{i}"))).collect();
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(Int64Array::from_iter_values(from..from + rows)), Arc::new(StringArray::from(names))],
            )
            .unwrap()
        };
        let batches = [batch(0, 40_000), batch(40_000, 3)];
        let mut blocks = ArrowBlocks::of_batches(&batches, "frame").unwrap();
        assert_eq!(blocks.headers(), ["n", "name"]);
        let (mut sizes, mut seen) = (Vec::new(), Vec::new());
        while let Some(block) = blocks.next_block().unwrap() {
            sizes.push(block.len());
            seen.extend(
                block
                    .records()
                    .map(|r| (r.record, r.line, r.get(0).unwrap().to_string(), r.get(1).unwrap().to_string())),
            );
        }
        // A batch is cut into blocks of 32,768 rows; the next batch starts a block.
        assert_eq!(sizes, [32_768, 7_232, 3]);
        let expected: Vec<(u64, u64, String, String)> = (0..40_003u64)
            .map(|i| (i + 1, i + 1, i.to_string(), if i % 5 == 0 { String::new() } else { format!("x{i}") }))
            .collect();
        assert_eq!(seen, expected);
        // The digest's definition: each cell then 0x1f, each row then 0x1e.
        let text: String = expected.iter().map(|(_, _, n, name)| format!("{n}\u{1f}{name}\u{1f}\u{1e}")).collect();
        assert_eq!(blocks.sha256(), crate::source::sha256_hex(text.as_bytes()));
        let mut again = ArrowBlocks::of_batches(&batches, "frame").unwrap();
        assert_eq!(again.sha256_up_front().unwrap(), blocks.sha256());
        assert!(ArrowBlocks::of_batches(&[], "frame").is_err());
    }
}
