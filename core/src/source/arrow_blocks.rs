//! Arrow record batches read a slice at a time, in place: text columns are
//! read where they are, date and money columns the loader asks for keep
//! their Arrow type (`TypedKind`), columns the loader does not read are not
//! touched (nor decoded, for a Parquet or IPC file), and any other column is
//! cast to text once. Batches are read as they come (a Parquet file's row
//! groups one after another), so the table is never whole in memory.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::FormatOptions;

use super::block::{ArrowCells, Block};
use super::value_digest::ValueDigest;
use super::RecordSource;
use crate::model::error::{Error, Result};

/// Rows of a batch read into one block (a block's worth of claim lines);
/// also the batch size Parquet is decoded in (its reader's default, 1,024
/// rows, would make blocks too small to pay for their setup).
pub(super) const ROWS_PER_BLOCK: usize = 32 * 1024;

/// Batches, in order; may be asked for again from the start.
pub(crate) type BatchIter<'b> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'b>;

/// Opens the batches from the start, with only the columns named (by
/// position in the schema) when given a projection.
pub(crate) type OpenBatches<'b> = Box<dyn Fn(Option<&[usize]>) -> Result<BatchIter<'b>> + 'b>;

/// A column the loader may read in its own Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypedKind {
    /// Date32, Date64 or a timestamp without a time zone.
    Date,
    /// Decimal128 or a whole-number type.
    Money,
}

impl TypedKind {
    /// Whether a column of `data_type` is read as such (else as text).
    pub fn reads(self, data_type: &DataType) -> bool {
        match self {
            TypedKind::Date => {
                matches!(data_type, DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, None))
            }
            TypedKind::Money => data_type.is_integer() || matches!(data_type, DataType::Decimal128(_, _)),
        }
    }
}

/// The sha256 a load summary gives for batches.
enum Digest {
    /// Known before reading (a file's bytes).
    Known(String),
    /// Of the values, made as the batches are read.
    Values(ValueDigest),
}

/// The batches of one table, read block by block.
pub(crate) struct ArrowBlocks<'b> {
    open_batches: OpenBatches<'b>,
    schema: SchemaRef,
    /// Opened at the first block, once the columns to read are known.
    batches: Option<BatchIter<'b>>,
    source_name: String,
    headers: Vec<String>,
    /// Columns the loader reads (all until told), and how.
    read: Vec<bool>,
    typed: Vec<Option<TypedKind>>,
    /// The batches hold only the columns read (a file read with a projection).
    projected: bool,
    /// The batch being read and the next row in it.
    current: Option<(RecordBatch, usize)>,
    records: u64,
    digest: Digest,
}

impl<'b> ArrowBlocks<'b> {
    /// Batches of `schema`; `file_sha256` is the digest of the file they are
    /// read from (batches read from a file may leave out columns not read),
    /// else the digest is made of their values.
    pub fn open(
        schema: SchemaRef,
        open_batches: OpenBatches<'b>,
        source_name: &str,
        file_sha256: Option<String>,
    ) -> Self {
        let headers: Vec<String> = schema.fields().iter().map(|f| f.name().trim().to_string()).collect();
        let width = headers.len();
        let digest = match file_sha256 {
            Some(sha) => Digest::Known(sha),
            None => Digest::Values(ValueDigest::new(&schema)),
        };
        ArrowBlocks {
            open_batches,
            schema,
            batches: None,
            source_name: source_name.to_string(),
            headers,
            read: vec![true; width],
            typed: vec![None; width],
            projected: false,
            current: None,
            records: 0,
            digest,
        }
    }

    /// Batches already in memory (of one schema; none at all is an error).
    pub fn of_batches(batches: &'b [RecordBatch], source_name: &str) -> Result<Self> {
        let schema = batches.first().ok_or_else(|| no_batches(source_name))?.schema();
        let open: OpenBatches<'b> = Box::new(move |_| Ok(Box::new(batches.iter().cloned().map(Ok)) as BatchIter<'b>));
        Ok(Self::open(schema, open, source_name, None))
    }

    /// The next rows as a block of columns read in place.
    fn read_rows(&mut self, batch: &RecordBatch) -> Result<Block> {
        if !self.projected && batch.schema().fields().len() != self.headers.len() {
            return Err(Error::input_file(&self.source_name, "record batches do not share one schema"));
        }
        if let Digest::Values(digest) = &mut self.digest {
            digest.add(batch).map_err(|e| Error::input_file(&self.source_name, e))?;
        }
        let mut in_batch = batch.columns().iter();
        let mut columns = Vec::with_capacity(self.headers.len());
        for i in 0..self.headers.len() {
            let column = if self.projected && !self.read[i] { None } else { in_batch.next() };
            columns.push(match column {
                Some(column) if self.read[i] => self.cells(i, column)?,
                _ => ArrowCells::Unread,
            });
        }
        let first = self.records + 1;
        self.records += batch.num_rows() as u64;
        Ok(Block::of_arrow(columns, batch.num_rows(), first))
    }

    /// Column `i` as the loader reads it: typed, text in place, or cast to text.
    fn cells(&self, i: usize, column: &ArrayRef) -> Result<ArrowCells> {
        if self.typed[i].is_some_and(|kind| kind.reads(column.data_type())) {
            return Ok(ArrowCells::Typed(column.clone()));
        }
        Ok(match column.data_type() {
            DataType::Utf8 => ArrowCells::Text(column.as_string::<i32>().clone()),
            DataType::LargeUtf8 => ArrowCells::LargeText(column.as_string::<i64>().clone()),
            DataType::Utf8View => ArrowCells::View(column.as_string_view().clone()),
            _ => {
                let format = FormatOptions::default().with_display_error(true);
                let options = CastOptions { safe: false, format_options: format };
                let text = cast_with_options(column, &DataType::Utf8, &options).map_err(|e| {
                    Error::input_file(
                        &self.source_name,
                        format!("column '{}' cannot be read as text: {e}", self.headers[i]),
                    )
                })?;
                ArrowCells::Text(text.as_string::<i32>().clone())
            }
        })
    }

    fn projection(&self) -> Option<Vec<usize>> {
        self.projected.then(|| (0..self.read.len()).filter(|&i| self.read[i]).collect())
    }
}

fn no_batches(source_name: &str) -> Error {
    Error::input_file(source_name, "no record batches were given")
}

impl RecordSource for ArrowBlocks<'_> {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn plan_columns(&mut self, read: &[usize], typed: &[(usize, TypedKind)]) {
        if self.batches.is_some() {
            return;
        }
        self.read = (0..self.headers.len()).map(|i| read.contains(&i)).collect();
        for &(i, kind) in typed {
            if let Some(slot) = self.typed.get_mut(i) {
                *slot = Some(kind);
            }
        }
        // Values hashed need every column; a file's digest needs none.
        self.projected = matches!(self.digest, Digest::Known(_));
    }

    fn next_block(&mut self) -> Result<Option<Block>> {
        if self.batches.is_none() {
            let projection = self.projection();
            self.batches = Some((self.open_batches)(projection.as_deref())?);
        }
        loop {
            let (batch, row) = match self.current.take() {
                Some(at) => at,
                None => match self.batches.as_mut().and_then(|b| b.next()).transpose()? {
                    Some(batch) => (batch, 0),
                    None => return Ok(None),
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
        match &self.digest {
            Digest::Known(sha) => sha.clone(),
            Digest::Values(digest) => digest.hex(),
        }
    }

    fn sha256_up_front(&mut self) -> Result<String> {
        if let Digest::Known(sha) = &self.digest {
            return Ok(sha.clone());
        }
        let mut digest = ValueDigest::new(&self.schema);
        for batch in (self.open_batches)(None)? {
            digest.add(&batch?).map_err(|e| Error::input_file(&self.source_name, e))?;
        }
        Ok(digest.hex())
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

    use datafusion::arrow::array::{Date32Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{Date32Type, Field, Schema};

    use super::*;

    fn frame(from: i64, rows: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new(" name ", DataType::Utf8, true),
            Field::new("day", DataType::Date32, true),
        ]));
        let names: Vec<Option<String>> = (from..from + rows).map(|i| (i % 5 != 0).then(|| format!("x{i}"))).collect();
        let days: Vec<Option<i32>> = (from..from + rows).map(|i| (i % 7 != 0).then_some(i as i32)).collect();
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from_iter_values(from..from + rows)),
                Arc::new(StringArray::from(names)),
                Arc::new(Date32Array::from(days)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn batches_read_in_blocks_number_rows_on_and_keep_typed_columns_typed() {
        let batches = [frame(0, 40_000), frame(40_000, 3)];
        let mut blocks = ArrowBlocks::of_batches(&batches, "frame").unwrap();
        assert_eq!(blocks.headers(), ["n", "name", "day"]);
        blocks.plan_columns(&[0, 1, 2], &[(2, TypedKind::Date), (1, TypedKind::Date)]);
        let (mut sizes, mut seen) = (Vec::new(), Vec::new());
        while let Some(block) = blocks.next_block().unwrap() {
            sizes.push(block.len());
            for r in block.records() {
                // A typed column is blank as text; a text column asked for as a date stays text.
                assert_eq!(r.get(2), Some(""));
                assert!(r.typed(1).is_none() && r.typed(0).is_none());
                let day = r.typed(2).unwrap();
                let day = day.array.as_primitive::<Date32Type>();
                seen.push((r.record, r.line, r.get(0).unwrap().to_string(), r.get(1).unwrap().to_string(), day.len()));
            }
        }
        // A batch is cut into blocks of 32,768 rows; the next batch starts a block.
        assert_eq!(sizes, [32_768, 7_232, 3]);
        let expected: Vec<(u64, u64, String, String, usize)> = (0..40_003u64)
            .map(|i| {
                let rows = if i < 32_768 {
                    32_768
                } else if i < 40_000 {
                    7_232
                } else {
                    3
                };
                (i + 1, i + 1, i.to_string(), if i % 5 == 0 { String::new() } else { format!("x{i}") }, rows)
            })
            .collect();
        assert_eq!(seen, expected);
        let mut again = ArrowBlocks::of_batches(&batches, "frame").unwrap();
        assert_eq!(again.sha256_up_front().unwrap(), blocks.sha256());
        assert!(ArrowBlocks::of_batches(&[], "frame").is_err());
    }

    #[test]
    fn columns_not_read_are_blank_and_a_file_is_read_with_a_projection() {
        let batches = [frame(0, 10)];
        let schema = batches[0].schema();
        let asked = std::cell::RefCell::new(Vec::new());
        let open: OpenBatches = Box::new(|projection| {
            asked.borrow_mut().push(projection.map(<[usize]>::to_vec));
            let batch = match projection {
                Some(p) => batches[0].project(p).unwrap(),
                None => batches[0].clone(),
            };
            Ok(Box::new(std::iter::once(Ok(batch))))
        });
        let mut blocks = ArrowBlocks::open(schema, open, "file.parquet", Some("abc".into()));
        blocks.plan_columns(&[1], &[]);
        let block = blocks.next_block().unwrap().unwrap();
        let rec = block.find(2).unwrap();
        assert_eq!((rec.get(0), rec.get(1), rec.get(2), rec.len()), (Some(""), Some("x1"), Some(""), 3));
        assert!(blocks.next_block().unwrap().is_none());
        assert_eq!(*asked.borrow(), [Some(vec![1])]);
        assert_eq!(blocks.sha256(), "abc");
    }
}
