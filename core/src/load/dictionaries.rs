//! One dictionary per column for a whole load: the loader's workers key each
//! block's text on their own (a dictionary per block); here the blocks'
//! dictionaries are merged once, in row order, so every batch of a load
//! shares one values array and a key means the same value in every batch.
//! Only values some kept row uses enter it (a rejected or moved row's do not).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, DictionaryArray, Int32Array, StringBuilder};
use datafusion::arrow::buffer::ScalarBuffer;
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::arrow::record_batch::RecordBatch;
use rustc_hash::FxHashMap;

use crate::model::error::{Error, Result};
use crate::model::table::Table;

/// Merges the dictionaries of each table's batches (in the order given).
pub(crate) fn unify(batches: Vec<(Table, RecordBatch)>) -> Result<Vec<(Table, RecordBatch)>> {
    let mut tables: Vec<Table> = batches.iter().map(|(t, _)| *t).collect();
    tables.sort();
    tables.dedup();
    let mut out = Vec::with_capacity(batches.len());
    for table in tables {
        let of_table: Vec<RecordBatch> = batches.iter().filter(|(t, _)| *t == table).map(|(_, b)| b.clone()).collect();
        out.extend(unify_batches(of_table)?.into_iter().map(|b| (table, b)));
    }
    Ok(out)
}

fn is_text_dictionary(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Dictionary(key, value) if **key == DataType::Int32 && **value == DataType::Utf8)
}

/// The batches of one table, each dictionary column keyed into one values array.
fn unify_batches(batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
    let Some(schema) = batches.first().map(RecordBatch::schema) else { return Ok(batches) };
    let dictionary_columns: Vec<usize> =
        (0..schema.fields().len()).filter(|c| is_text_dictionary(schema.field(*c).data_type())).collect();
    if dictionary_columns.is_empty() || batches.len() == 1 && only_used_values(&batches[0], &dictionary_columns) {
        return Ok(batches);
    }
    let merge = |c: usize| -> Result<Vec<ArrayRef>> {
        let arrays = batches
            .iter()
            .map(|b| {
                b.column(c)
                    .as_dictionary_opt::<Int32Type>()
                    .ok_or_else(|| Error::engine(format!("column {} is not a text dictionary", schema.field(c).name())))
            })
            .collect::<Result<Vec<_>>>()?;
        merge_column(&arrays)
    };
    // The browser has one thread.
    #[cfg(target_arch = "wasm32")]
    let merged: Vec<Result<Vec<ArrayRef>>> = dictionary_columns.iter().map(|c| merge(*c)).collect();
    #[cfg(not(target_arch = "wasm32"))]
    let merged: Vec<Result<Vec<ArrayRef>>> = std::thread::scope(|s| {
        let handles: Vec<_> = dictionary_columns.iter().map(|c| s.spawn(move || merge(*c))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::engine("merging dictionaries stopped unexpectedly"))))
            .collect()
    });
    let mut columns: Vec<Vec<ArrayRef>> = batches.iter().map(|b| b.columns().to_vec()).collect();
    for (c, arrays) in dictionary_columns.iter().zip(merged) {
        for (batch_columns, array) in columns.iter_mut().zip(arrays?) {
            batch_columns[*c] = array;
        }
    }
    columns.into_iter().map(|cols| Ok(RecordBatch::try_new(schema.clone(), cols)?)).collect()
}

/// Whether every value of every dictionary column is used by some row (a
/// single block's builder makes only used values unless rows were dropped).
fn only_used_values(batch: &RecordBatch, columns: &[usize]) -> bool {
    columns.iter().all(|c| {
        batch.column(*c).as_dictionary_opt::<Int32Type>().is_some_and(|d| {
            let mut used = vec![false; d.values().len()];
            for (i, k) in d.keys().values().iter().enumerate() {
                if d.keys().is_valid(i) {
                    if let Some(u) = used.get_mut(*k as usize) {
                        *u = true;
                    }
                }
            }
            used.iter().all(|u| *u)
        })
    })
}

/// One column's arrays keyed into one values array, values in the order of
/// their first row.
fn merge_column(arrays: &[&DictionaryArray<Int32Type>]) -> Result<Vec<ArrayRef>> {
    let mut index: FxHashMap<&str, i32> = FxHashMap::default();
    let mut values = StringBuilder::new();
    let mut keys_of_arrays = Vec::with_capacity(arrays.len());
    for array in arrays {
        let old_values =
            array.values().as_string_opt::<i32>().ok_or_else(|| Error::engine("a dictionary's values are not utf8"))?;
        // The new key of each old key, made at its first use.
        let mut remap: Vec<i32> = vec![-1; old_values.len()];
        let old_keys = array.keys();
        let mut keys = Vec::with_capacity(old_keys.len());
        for (i, old) in old_keys.values().iter().enumerate() {
            if old_keys.is_null(i) {
                keys.push(0);
                continue;
            }
            let slot = remap
                .get_mut(*old as usize)
                .ok_or_else(|| Error::engine(format!("dictionary key {old} is out of range")))?;
            if *slot < 0 {
                let value = old_values.value(*old as usize);
                let next = i32::try_from(index.len())
                    .map_err(|_| Error::engine("a column holds more than 2^31 distinct values"))?;
                *slot = *index.entry(value).or_insert_with(|| {
                    values.append_value(value);
                    next
                });
            }
            keys.push(*slot);
        }
        keys_of_arrays.push(Int32Array::new(ScalarBuffer::from(keys), old_keys.nulls().cloned()));
    }
    let values: ArrayRef = Arc::new(values.finish());
    keys_of_arrays
        .into_iter()
        .map(|keys| Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values.clone())?) as ArrayRef))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::compute::filter_record_batch;
    use datafusion::arrow::datatypes::{Field, Schema};

    fn dictionary(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(values.iter().copied().collect::<DictionaryArray<Int32Type>>())
    }

    fn texts(array: &ArrayRef) -> Vec<Option<String>> {
        let d = array.as_dictionary::<Int32Type>();
        let v = d.values().as_any().downcast_ref::<StringArray>().unwrap();
        d.keys().iter().map(|k| k.map(|k| v.value(k as usize).to_string())).collect()
    }

    #[test]
    fn batches_share_one_dictionary_in_first_use_order() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "c",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        )]));
        let a =
            RecordBatch::try_new(schema.clone(), vec![dictionary(&[Some("x"), None, Some("y"), Some("x")])]).unwrap();
        let b = RecordBatch::try_new(schema.clone(), vec![dictionary(&[Some("z"), Some("y")])]).unwrap();
        // A dictionary value no row uses (its row was filtered out) stays out.
        let filtered = filter_record_batch(
            &RecordBatch::try_new(schema, vec![dictionary(&[Some("gone"), Some("z")])]).unwrap(),
            &vec![false, true].into(),
        )
        .unwrap();
        let out = unify(vec![(Table::Claims, a), (Table::Claims, b), (Table::Claims, filtered)]).unwrap();
        assert_eq!(out.len(), 3);
        let first = out[0].1.column(0);
        let values = first.as_dictionary::<Int32Type>().values().clone();
        let values: Vec<&str> = values.as_string::<i32>().iter().flatten().collect();
        assert_eq!(values, ["x", "y", "z"]);
        for (_, batch) in &out {
            assert!(Arc::ptr_eq(
                batch.column(0).as_dictionary::<Int32Type>().values(),
                first.as_dictionary::<Int32Type>().values()
            ));
        }
        let s = |v: &str| Some(v.to_string());
        assert_eq!(texts(first), [s("x"), None, s("y"), s("x")]);
        assert_eq!(texts(out[1].1.column(0)), [s("z"), s("y")]);
        assert_eq!(texts(out[2].1.column(0)), [s("z")]);
    }
}
