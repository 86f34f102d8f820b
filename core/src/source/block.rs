//! The records of one block, every cell in one buffer: a record is a view
//! into it, not an allocation of its own (a record per allocation, made on
//! the reader thread and freed on a worker, cost a quarter of a big load in
//! allocator and page-zeroing time).

use datafusion::arrow::array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray};

use super::RawRecord;
use crate::model::error::{Error, Result};

/// A record that could not be read as CSV or text, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordError {
    pub record: u64,
    pub line: u64,
    pub reason: String,
}

/// What reading a chunk counted beyond its records, for the file's totals;
/// record numbers here and in the chunk's block start at 1 in the chunk.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkFacts {
    /// Non-ASCII records read as UTF-8 (encoding detected record by record).
    pub utf8_records: u64,
    /// Records that are not UTF-8, read as Windows-1252, and the first few
    /// of them as (record, line).
    pub windows_1252_records: u64,
    pub first_windows_1252: Vec<(u64, u64)>,
    /// (record, line) of the first record that is not UTF-8 in a file that must be.
    pub not_utf8: Option<(u64, u64)>,
}

impl ChunkFacts {
    /// Records not UTF-8 named in the mixed-encoding warning.
    pub const FIRST_SHOWN: usize = 5;
}

/// Where one record's cells are in the block's buffer (for a block of
/// Arrow columns, `first` is the record's row in them).
#[derive(Debug, Clone, Copy)]
struct RecordAt {
    record: u64,
    line: u64,
    first: usize,
    len: usize,
}

/// One column of a block read from Arrow batches, read in place.
#[derive(Debug, Clone)]
pub(crate) enum ArrowCells {
    /// Text cells; a null is a blank cell.
    Text(StringArray),
    LargeText(LargeStringArray),
    View(StringViewArray),
    /// Values the loader reads in their own type (dates, decimals, whole
    /// numbers): `Record::typed`; as text they are blank.
    Typed(ArrayRef),
    /// A column the loader does not read: blank cells.
    Unread,
}

/// A typed value of an Arrow block: row `row` of `array`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypedCell<'b> {
    pub array: &'b dyn Array,
    pub row: usize,
}

impl ArrowCells {
    fn text(&self, row: usize) -> &str {
        fn cell<A: Array>(array: &A, row: usize, value: impl Fn(&A, usize) -> &str) -> &str {
            if array.is_null(row) {
                ""
            } else {
                value(array, row)
            }
        }
        match self {
            ArrowCells::Text(a) => cell(a, row, |a, i| a.value(i)),
            ArrowCells::LargeText(a) => cell(a, row, |a, i| a.value(i)),
            ArrowCells::View(a) => cell(a, row, |a, i| a.value(i)),
            ArrowCells::Typed(_) | ArrowCells::Unread => "",
        }
    }
}

/// The records of one block, in file order.
#[derive(Debug, Default)]
pub(crate) struct Block {
    cells: csv::StringRecord,
    /// The columns of a block read from Arrow batches (then `cells` is empty).
    columns: Vec<ArrowCells>,
    records: Vec<RecordAt>,
    /// Records that are not valid CSV or text, with the reason.
    pub record_errors: Vec<RecordError>,
    /// Lines of rows whose every field is empty (Excel leaves them).
    pub empty_rows: Vec<u64>,
    /// Read from a chunk on a worker: records are numbered from 1 in the
    /// chunk, and this is what the file's totals need of it.
    pub chunk: Option<ChunkFacts>,
}

/// One data record: its number, physical line and cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'b> {
    /// 1-based data record number (header excluded).
    pub record: u64,
    /// 1-based physical line the record starts on.
    pub line: u64,
    cells: &'b csv::StringRecord,
    columns: &'b [ArrowCells],
    first: usize,
    len: usize,
}

impl<'b> Record<'b> {
    /// How many cells the record has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Cell `i`, or None past the record's end.
    pub fn get(&self, i: usize) -> Option<&'b str> {
        if i >= self.len {
            None
        } else if self.columns.is_empty() {
            self.cells.get(self.first + i)
        } else {
            self.columns.get(i).map(|c| c.text(self.first))
        }
    }

    /// Cell `i` when its column is read in its own Arrow type.
    pub fn typed(&self, i: usize) -> Option<TypedCell<'b>> {
        match self.columns.get(i)? {
            ArrowCells::Typed(array) => Some(TypedCell { array: array.as_ref(), row: self.first }),
            _ => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &'b str> + 'b {
        let record = *self;
        (0..record.len).filter_map(move |i| record.get(i))
    }

    /// The record with cells of its own.
    pub fn to_owned_record(self) -> RawRecord {
        RawRecord { record: self.record, line: self.line, fields: self.iter().collect() }
    }
}

impl Block {
    /// Records already read as text, as one block.
    #[cfg(test)]
    pub fn from_records(records: &[RawRecord], record_errors: Vec<RecordError>, empty_rows: Vec<u64>) -> Block {
        let mut cells = csv::StringRecord::new();
        let mut at = Vec::with_capacity(records.len());
        for r in records {
            let first = cells.len();
            for cell in &r.fields {
                cells.push_field(cell);
            }
            at.push(RecordAt { record: r.record, line: r.line, first, len: r.fields.len() });
        }
        Block { cells, columns: Vec::new(), records: at, record_errors, empty_rows, chunk: None }
    }

    /// Rows of Arrow columns of equal length, numbered from `first_record`
    /// (an Arrow table has no physical lines: a record's line is its number).
    pub fn of_arrow(columns: Vec<ArrowCells>, rows: usize, first_record: u64) -> Block {
        let width = columns.len();
        let records = (0..rows)
            .map(|row| {
                let record = first_record + row as u64;
                RecordAt { record, line: record, first: row, len: width }
            })
            .collect();
        Block { columns, records, ..Default::default() }
    }

    /// How many records were read (errors not counted).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    fn view(&self, at: &RecordAt) -> Record<'_> {
        Record {
            record: at.record,
            line: at.line,
            cells: &self.cells,
            columns: &self.columns,
            first: at.first,
            len: at.len,
        }
    }

    pub fn records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        self.records.iter().map(|at| self.view(at))
    }

    /// The record numbered `record` (records are in file order).
    pub fn find(&self, record: u64) -> Option<Record<'_>> {
        let i = self.records.binary_search_by_key(&record, |at| at.record).ok()?;
        Some(self.view(&self.records[i]))
    }
}

/// A block being read: cells as bytes until the block is whole.
#[derive(Default)]
pub(super) struct BlockBuilder {
    cells: csv::ByteRecord,
    records: Vec<RecordAt>,
    pub record_errors: Vec<RecordError>,
    pub empty_rows: Vec<u64>,
}

impl BlockBuilder {
    /// Room for the cells of `bytes` bytes of records.
    pub fn with_capacity(bytes: usize) -> Self {
        BlockBuilder { cells: csv::ByteRecord::with_capacity(bytes, bytes / 8), ..Default::default() }
    }

    /// An empty builder in the buffers of a block read through.
    pub fn reusing(block: Block) -> Self {
        let Block { cells, mut records, .. } = block;
        let mut cells = cells.into_byte_record();
        cells.clear();
        records.clear();
        BlockBuilder { cells, records, ..Default::default() }
    }

    /// Cells pushed from here on belong to the next record.
    pub fn mark(&self) -> usize {
        self.cells.len()
    }

    pub fn push_cell(&mut self, cell: &[u8]) {
        self.cells.push_field(cell);
    }

    /// The cells pushed since `mark`.
    pub fn cells_since(&self, mark: usize) -> impl Iterator<Item = &[u8]> + '_ {
        (mark..self.cells.len()).filter_map(|i| self.cells.get(i))
    }

    /// Drops the cells pushed since `mark`.
    pub fn drop_since(&mut self, mark: usize) {
        self.cells.truncate(mark);
    }

    /// The cells pushed since `mark` are record `record`, on `line`.
    pub fn keep_record(&mut self, mark: usize, record: u64, line: u64) {
        self.records.push(RecordAt { record, line, first: mark, len: self.cells.len() - mark });
    }

    /// The block, its cells checked as text once (each record's were when read).
    pub fn finish(self, source_name: &str) -> Result<Block> {
        let cells = csv::StringRecord::from_byte_record(self.cells).map_err(|e| {
            Error::input_file(source_name, format!("a block of records is not valid text ({})", e.utf8_error()))
        })?;
        Ok(Block {
            cells,
            columns: Vec::new(),
            records: self.records,
            record_errors: self.record_errors,
            empty_rows: self.empty_rows,
            chunk: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_view_their_own_cells_only() {
        let raw =
            |record, cells: &[&str]| RawRecord { record, line: record + 1, fields: cells.iter().copied().collect() };
        let block = Block::from_records(
            &[raw(1, &["a", "b"]), raw(3, &["c"]), raw(4, &["d"]), raw(5, &[])],
            Vec::new(),
            vec![3],
        );
        let views: Vec<(u64, u64, Vec<&str>)> =
            block.records().map(|r| (r.record, r.line, r.iter().collect())).collect();
        assert_eq!(views, vec![(1, 2, vec!["a", "b"]), (3, 4, vec!["c"]), (4, 5, vec!["d"]), (5, 6, vec![])]);
        let third = block.find(3).unwrap();
        // Unbounded, cell 1 of record 3 would be record 4's "d".
        assert_eq!((third.get(0), third.get(1), third.len()), (Some("c"), None, 1));
        assert!(block.find(2).is_none() && block.find(6).is_none());
        assert_eq!(block.find(5).map(|r| r.len()), Some(0));
        assert_eq!(third.to_owned_record().fields, csv::StringRecord::from(vec!["c"]));
    }
}
