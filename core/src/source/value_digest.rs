//! The sha256 of a table handed over as Arrow batches (no file, no bytes):
//! a digest of its values, the same however the rows are cut into batches.
//! Each column keeps three running hashes — which rows hold a value (one
//! byte a row), the byte length of each text value (u64 little-endian), and
//! the values (text bytes; fixed-width values as their little-endian bytes)
//! — and the digest is the sha256 of every column's name, type and three
//! hashes, in schema order. Columns of other types are hashed as their text.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, GenericStringArray, OffsetSizeTrait};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use sha2::{Digest, Sha256};

struct ColumnDigest {
    name: String,
    data_type: String,
    presence: Sha256,
    lengths: Sha256,
    values: Sha256,
}

/// Running digests of every column of one schema.
pub(crate) struct ValueDigest {
    columns: Vec<ColumnDigest>,
    /// Reused between batches: a column's bytes gathered for one update.
    scratch: Vec<u8>,
}

impl ValueDigest {
    pub fn new(schema: &SchemaRef) -> ValueDigest {
        let columns = schema
            .fields()
            .iter()
            .map(|f| ColumnDigest {
                name: f.name().clone(),
                data_type: f.data_type().to_string(),
                presence: Sha256::new(),
                lengths: Sha256::new(),
                values: Sha256::new(),
            })
            .collect();
        ValueDigest { columns, scratch: Vec::new() }
    }

    /// Adds a batch's rows (of the schema given to `new`).
    pub fn add(&mut self, batch: &RecordBatch) -> Result<(), String> {
        if batch.num_columns() != self.columns.len() {
            return Err("record batches do not share one schema".into());
        }
        for (digest, array) in self.columns.iter_mut().zip(batch.columns()) {
            add_column(digest, array, &mut self.scratch)?;
        }
        Ok(())
    }

    pub fn hex(&self) -> String {
        let mut all = Sha256::new();
        for c in &self.columns {
            all.update(c.name.as_bytes());
            all.update([0x1f]);
            all.update(c.data_type.as_bytes());
            all.update([0x1f]);
            all.update(c.presence.clone().finalize());
            all.update(c.lengths.clone().finalize());
            all.update(c.values.clone().finalize());
        }
        super::hex(&all.finalize())
    }
}

fn add_column(digest: &mut ColumnDigest, array: &ArrayRef, scratch: &mut Vec<u8>) -> Result<(), String> {
    scratch.clear();
    scratch.extend((0..array.len()).map(|i| u8::from(array.is_valid(i))));
    digest.presence.update(&scratch[..]);
    match array.data_type() {
        DataType::Utf8 => add_text(digest, array.as_string::<i32>(), scratch),
        DataType::LargeUtf8 => add_text(digest, array.as_string::<i64>(), scratch),
        DataType::Utf8View => {
            let view = array.as_string_view();
            add_cells(digest, (0..view.len()).map(|i| view.is_valid(i).then(|| view.value(i).as_bytes())), scratch);
        }
        data_type => match data_type.primitive_width() {
            Some(width) if *data_type != DataType::Boolean => add_fixed_width(digest, array, width, scratch),
            _ => {
                let text = cast(array, &DataType::Utf8).map_err(|e| format!("a column cannot be read as text: {e}"))?;
                add_text(digest, text.as_string::<i32>(), scratch);
            }
        },
    }
    Ok(())
}

/// Text whose valid cells are contiguous (no nulls) is hashed in place.
fn add_text<O: OffsetSizeTrait>(digest: &mut ColumnDigest, text: &GenericStringArray<O>, scratch: &mut Vec<u8>) {
    if text.null_count() > 0 {
        add_cells(digest, (0..text.len()).map(|i| text.is_valid(i).then(|| text.value(i).as_bytes())), scratch);
        return;
    }
    let offsets = text.value_offsets();
    scratch.clear();
    for pair in offsets.windows(2) {
        scratch.extend_from_slice(&((pair[1] - pair[0]).as_usize() as u64).to_le_bytes());
    }
    digest.lengths.update(&scratch[..]);
    if let (Some(first), Some(last)) = (offsets.first(), offsets.last()) {
        digest.values.update(&text.value_data()[first.as_usize()..last.as_usize()]);
    }
}

fn add_cells<'a>(digest: &mut ColumnDigest, cells: impl Iterator<Item = Option<&'a [u8]>>, scratch: &mut Vec<u8>) {
    let mut values = Vec::new();
    scratch.clear();
    for cell in cells.flatten() {
        scratch.extend_from_slice(&(cell.len() as u64).to_le_bytes());
        values.extend_from_slice(cell);
    }
    digest.lengths.update(&scratch[..]);
    digest.values.update(&values);
}

/// The values of valid rows, `width` bytes each, as stored (little-endian).
fn add_fixed_width(digest: &mut ColumnDigest, array: &ArrayRef, width: usize, scratch: &mut Vec<u8>) {
    let data = array.to_data();
    let Some(buffer) = data.buffers().first() else { return };
    let start = data.offset() * width;
    let Some(bytes) = buffer.as_slice().get(start..start + data.len() * width) else { return };
    if data.null_count() == 0 {
        digest.values.update(bytes);
        return;
    }
    scratch.clear();
    for (i, value) in bytes.chunks_exact(width).enumerate() {
        if data.is_valid(i) {
            scratch.extend_from_slice(value);
        }
    }
    digest.values.update(&scratch[..]);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, LargeStringArray, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch(names: Vec<Option<&str>>, cents: Vec<Option<i128>>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
        ]));
        let amounts = Decimal128Array::from(cents).with_precision_and_scale(18, 2).unwrap();
        RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(names)), Arc::new(amounts)]).unwrap()
    }

    fn digest_of(batches: &[RecordBatch]) -> String {
        let mut d = ValueDigest::new(&batches[0].schema());
        batches.iter().for_each(|b| d.add(b).unwrap());
        d.hex()
    }

    #[test]
    fn the_digest_is_of_values_not_of_how_they_are_cut_into_batches() {
        let whole = batch(vec![Some("ab"), None, Some("c"), Some("")], vec![Some(100), Some(-5), None, Some(7)]);
        let cut = [whole.slice(0, 1), whole.slice(1, 2), whole.slice(3, 1)];
        assert_eq!(digest_of(std::slice::from_ref(&whole)), digest_of(&cut));
        // A null is not an empty text, and cell bounds count ("ab","c" is not "a","bc").
        let null_as_empty =
            batch(vec![Some("ab"), Some(""), Some("c"), Some("")], vec![Some(100), Some(-5), None, Some(7)]);
        let moved_bound = batch(vec![Some("a"), None, Some("bc"), Some("")], vec![Some(100), Some(-5), None, Some(7)]);
        let other_amount = batch(vec![Some("ab"), None, Some("c"), Some("")], vec![Some(100), Some(-5), None, Some(8)]);
        for other in [null_as_empty, moved_bound, other_amount] {
            assert_ne!(digest_of(std::slice::from_ref(&whole)), digest_of(&[other]));
        }
        // The same text in another Arrow type is another table.
        let large = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("name", DataType::LargeUtf8, true)])),
            vec![Arc::new(LargeStringArray::from(vec![Some("ab")]))],
        )
        .unwrap();
        let small = whole.project(&[0]).unwrap().slice(0, 1);
        assert_ne!(digest_of(&[large]), digest_of(&[small]));
    }
}
