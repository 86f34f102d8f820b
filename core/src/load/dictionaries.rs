//! One dictionary per column for a whole load, in the table's storage
//! schema. The loader's workers key a block's repetitive text on their own (a
//! dictionary per block); a column with nearly a value a row (claimant ids)
//! comes as plain text instead, since keying it per block would hash every
//! cell twice. Here both are keyed once into one values array per column, in
//! row order, so a key means the same value in every batch of a load. Only
//! values some kept row uses enter it (a rejected or moved row's do not).

use std::sync::Arc;

use datafusion::arrow::array::{
    new_empty_array, Array, ArrayRef, AsArray, DictionaryArray, Int32Array, StringArray, StringBuilder,
};
use datafusion::arrow::buffer::ScalarBuffer;
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::model::error::{Error, Result};
use crate::model::table::{is_text_dictionary, Table};

/// Each table's batches (in the order given) in its storage schema.
pub(crate) fn unify(batches: Vec<(Table, RecordBatch)>) -> Result<Vec<(Table, RecordBatch)>> {
    let mut tables: Vec<Table> = batches.iter().map(|(t, _)| *t).collect();
    tables.sort();
    tables.dedup();
    let mut out = Vec::with_capacity(batches.len());
    for table in tables {
        let of_table: Vec<RecordBatch> = batches.iter().filter(|(t, _)| *t == table).map(|(_, b)| b.clone()).collect();
        out.extend(unify_batches(of_table, table.storage_schema())?.into_iter().map(|b| (table, b)));
    }
    Ok(out)
}

/// The batches of one table, each column `storage` stores as a dictionary
/// keyed into one values array.
fn unify_batches(batches: Vec<RecordBatch>, storage: SchemaRef) -> Result<Vec<RecordBatch>> {
    let dictionary_columns: Vec<usize> =
        (0..storage.fields().len()).filter(|c| is_text_dictionary(storage.field(*c).data_type())).collect();
    let Some(first) = batches.first() else { return Ok(batches) };
    let done = batches.len() == 1 && first.schema() == storage && only_used_values(first, &dictionary_columns);
    if dictionary_columns.is_empty() || done {
        return Ok(batches);
    }
    // One column at a time, its old arrays freed before the next column's
    // new ones are made: merged side by side, every old and new key array
    // of a table was in memory at once (measured: a 5M-line load peaked
    // ~40 MiB higher).
    let mut columns: Vec<Vec<ArrayRef>> = batches.into_iter().map(|b| b.columns().to_vec()).collect();
    let taken = new_empty_array(&DataType::Null);
    for &c in &dictionary_columns {
        let arrays: Vec<ArrayRef> =
            columns.iter_mut().map(|cols| std::mem::replace(&mut cols[c], taken.clone())).collect();
        let merged = merge_column(&arrays.iter().collect::<Vec<_>>())
            .map_err(|e| Error::engine(format!("column {}: {e}", storage.field(c).name())))?;
        drop(arrays);
        for (cols, array) in columns.iter_mut().zip(merged) {
            cols[c] = array;
        }
    }
    columns.into_iter().map(|cols| Ok(RecordBatch::try_new(storage.clone(), cols)?)).collect()
}

/// Whether every value of every dictionary column is used by some row (a
/// single block's builder makes only used values unless rows were dropped).
fn only_used_values(batch: &RecordBatch, columns: &[usize]) -> bool {
    columns.iter().all(|c| {
        let used = batch.column(*c).as_dictionary_opt::<Int32Type>().map(used_values);
        used.is_some_and(|u| u.is_ok_and(|u| u.iter().all(|u| *u)))
    })
}

/// Which of a dictionary's values some non-null row uses (a filtered
/// array's dictionary still holds the values of the rows it dropped).
pub(crate) fn used_values(array: &DictionaryArray<Int32Type>) -> Result<Vec<bool>> {
    let mut used = vec![false; array.values().len()];
    let mut mark = |k: i32| match used.get_mut(k as usize) {
        Some(u) => {
            *u = true;
            Ok(())
        }
        None => Err(Error::engine(format!("dictionary key {k} out of range"))),
    };
    let keys = array.keys();
    if keys.null_count() == 0 {
        keys.values().iter().try_for_each(|k| mark(*k))?;
    } else {
        keys.iter().flatten().try_for_each(&mut mark)?;
    }
    Ok(used)
}

/// `work(i)` for each i in 0..n, each on a thread of its own (one after
/// another in the browser, which has one thread).
fn on_threads<T: Send>(n: usize, work: impl Fn(usize) -> Result<T> + Sync) -> Vec<Result<T>> {
    #[cfg(target_arch = "wasm32")]
    return (0..n).map(work).collect();
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|s| {
        let work = &work;
        let handles: Vec<_> = (0..n).map(|i| s.spawn(move || work(i))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::engine("a loader thread stopped unexpectedly"))))
            .collect()
    })
}

/// One column's keys into the values of a whole load, values in the order
/// of their first row.
#[derive(Default)]
struct LoadDictionary<'a> {
    index: FxHashMap<&'a str, i32>,
    values: StringBuilder,
}

impl<'a> LoadDictionary<'a> {
    fn key(&mut self, value: &'a str) -> Result<i32> {
        if let Some(k) = self.index.get(value) {
            return Ok(*k);
        }
        let next = i32::try_from(self.index.len()).map_err(|_| Error::engine("more than 2^31 distinct values"))?;
        self.index.insert(value, next);
        self.values.append_value(value);
        Ok(next)
    }

    /// A block's dictionary: each value some row uses is looked up once, in
    /// the block's dictionary order; the keys are then renumbered in a pass.
    fn keys_of_dictionary(&mut self, array: &'a DictionaryArray<Int32Type>) -> Result<Int32Array> {
        let old_values =
            array.values().as_string_opt::<i32>().ok_or_else(|| Error::engine("a dictionary's values are not utf8"))?;
        let old_keys = array.keys();
        let used = used_values(array)?;
        let mut remap: Vec<i32> = vec![0; old_values.len()];
        for (v, slot) in remap.iter_mut().enumerate() {
            if used[v] {
                *slot = self.key(old_values.value(v))?;
            }
        }
        // A null slot's key may be anything: it maps to 0 under its null bit.
        let keys: Vec<i32> = old_keys.values().iter().map(|k| remap.get(*k as usize).copied().unwrap_or(0)).collect();
        Ok(Int32Array::new(ScalarBuffer::from(keys), old_keys.nulls().cloned()))
    }

    /// A block's plain text: every cell looked up.
    fn keys_of_text(&mut self, array: &'a StringArray) -> Result<Int32Array> {
        let mut keys = Vec::with_capacity(array.len());
        for i in 0..array.len() {
            keys.push(if array.is_null(i) { 0 } else { self.key(array.value(i))? });
        }
        Ok(Int32Array::new(ScalarBuffer::from(keys), array.nulls().cloned()))
    }
}

/// One column's arrays (block dictionaries or plain text) keyed into one
/// values array.
fn merge_column(arrays: &[&ArrayRef]) -> Result<Vec<ArrayRef>> {
    let texts: Option<Vec<&StringArray>> = arrays.iter().map(|a| a.as_string_opt::<i32>()).collect();
    if let Some(texts) = texts.filter(|t| !t.is_empty()) {
        return merge_texts(&texts);
    }
    let mut dictionary = LoadDictionary::default();
    let mut keys_of_arrays = Vec::with_capacity(arrays.len());
    for array in arrays {
        let keys = if let Some(d) = array.as_dictionary_opt::<Int32Type>() {
            dictionary.keys_of_dictionary(d)?
        } else if let Some(text) = array.as_string_opt::<i32>() {
            dictionary.keys_of_text(text)?
        } else {
            return Err(Error::engine(format!("{} is neither text nor a dictionary of text", array.data_type())));
        };
        keys_of_arrays.push(keys);
    }
    let values: ArrayRef = Arc::new(dictionary.values.finish());
    dictionaries_of(keys_of_arrays, values)
}

fn dictionaries_of(keys_of_arrays: Vec<Int32Array>, values: ArrayRef) -> Result<Vec<ArrayRef>> {
    keys_of_arrays
        .into_iter()
        .map(|keys| Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values.clone())?) as ArrayRef))
        .collect()
}

/// Plain text arrays (nearly a value a row: each cell a lookup in a large
/// table, mostly cache misses) keyed on every core: cells are dealt to
/// parts by their hash, each part keys its own values, and a part's keys
/// follow the values of the parts before it.
fn merge_texts(texts: &[&StringArray]) -> Result<Vec<ArrayRef>> {
    let parts = crate::parallel::cores().clamp(1, 4);
    let part_of = |v: &str| (FxBuildHasher.hash_one(v) >> 60) as usize % parts;
    // One part's dictionary and, per array, each cell's key in it (OTHER for another part's cell).
    const OTHER: i32 = -1;
    let key_part = |p: usize| -> Result<(LoadDictionary<'_>, Vec<Vec<i32>>)> {
        let mut dictionary = LoadDictionary::default();
        let mut keys_of_arrays = Vec::with_capacity(texts.len());
        for text in texts {
            let mut keys = Vec::with_capacity(text.len());
            for i in 0..text.len() {
                let key = match text.is_null(i).then_some(0) {
                    Some(null) => null,
                    None if part_of(text.value(i)) == p => dictionary.key(text.value(i))?,
                    None => OTHER,
                };
                keys.push(key);
            }
            keys_of_arrays.push(keys);
        }
        Ok((dictionary, keys_of_arrays))
    };
    let keyed = on_threads(parts, key_part);
    let mut keyed = keyed.into_iter().collect::<Result<Vec<_>>>()?;
    let mut values = StringBuilder::new();
    let (mut offsets, mut count) = (Vec::with_capacity(parts), 0i32);
    for (dictionary, _) in keyed.iter_mut() {
        offsets.push(count);
        let part_values = dictionary.values.finish();
        count = i32::try_from(part_values.len())
            .ok()
            .and_then(|n| count.checked_add(n))
            .ok_or_else(|| Error::engine("more than 2^31 distinct values"))?;
        for v in part_values.iter().flatten() {
            values.append_value(v);
        }
    }
    // Part 0's keys (its offset is 0) become the keys, the other parts' written over its OTHER cells.
    let (first, rest) = keyed.split_first_mut().ok_or_else(|| Error::engine("no part keyed the text"))?;
    let mut keys_of_arrays = Vec::with_capacity(texts.len());
    for (a, text) in texts.iter().enumerate() {
        let mut keys = std::mem::take(&mut first.1[a]);
        for (p, (_, part_keys)) in rest.iter_mut().enumerate() {
            for (key, part_key) in keys.iter_mut().zip(&part_keys[a]) {
                if *part_key != OTHER {
                    *key = offsets[p + 1] + *part_key;
                }
            }
            part_keys[a] = Vec::new();
        }
        keys_of_arrays.push(Int32Array::new(ScalarBuffer::from(keys), text.nulls().cloned()));
    }
    dictionaries_of(keys_of_arrays, Arc::new(values.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::compute::filter_record_batch;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

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
        let field = |t: DataType| Arc::new(Schema::new(vec![Field::new("c", t, true)]));
        let storage = field(DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)));
        // Plain text (as claimant ids come) and block dictionaries merge alike.
        let plain: ArrayRef = Arc::new(StringArray::from(vec![Some("x"), None, Some("y"), Some("x")]));
        let a = RecordBatch::try_new(field(DataType::Utf8), vec![plain]).unwrap();
        let b = RecordBatch::try_new(storage.clone(), vec![dictionary(&[Some("z"), Some("y")])]).unwrap();
        // A dictionary value no row uses (its row was filtered out) stays out.
        let filtered = filter_record_batch(
            &RecordBatch::try_new(storage.clone(), vec![dictionary(&[Some("gone"), Some("z")])]).unwrap(),
            &vec![false, true].into(),
        )
        .unwrap();
        let out = unify_batches(vec![a, b, filtered], storage.clone()).unwrap();
        assert_eq!(out.len(), 3);
        let first = out[0].column(0);
        let values = first.as_dictionary::<Int32Type>().values().clone();
        let values: Vec<&str> = values.as_string::<i32>().iter().flatten().collect();
        assert_eq!(values, ["x", "y", "z"]);
        for batch in &out {
            assert_eq!(batch.schema(), storage);
            assert!(Arc::ptr_eq(
                batch.column(0).as_dictionary::<Int32Type>().values(),
                first.as_dictionary::<Int32Type>().values()
            ));
        }
        let s = |v: &str| Some(v.to_string());
        assert_eq!(texts(first), [s("x"), None, s("y"), s("x")]);
        assert_eq!(texts(out[1].column(0)), [s("z"), s("y")]);
        assert_eq!(texts(out[2].column(0)), [s("z")]);
    }

    #[test]
    fn plain_text_keyed_in_parts_keeps_every_cell_and_each_value_once() {
        let cell = |i: usize| (i % 7 != 3).then(|| format!("M-{}", (i * 7_919) % 1_000));
        let a: ArrayRef = Arc::new((0..3_000).map(cell).collect::<StringArray>());
        let b: ArrayRef = Arc::new((3_000..5_000).map(cell).collect::<StringArray>());
        let out = merge_column(&[&a, &b]).unwrap();
        let mut decoded = texts(&out[0]);
        decoded.extend(texts(&out[1]));
        assert_eq!(decoded, (0..5_000).map(cell).collect::<Vec<_>>());
        let values = out[0].as_dictionary::<Int32Type>().values().clone();
        let mut distinct: Vec<&str> = values.as_string::<i32>().iter().flatten().collect();
        let n = distinct.len();
        distinct.sort();
        distinct.dedup();
        assert_eq!((n, distinct.len()), (1_000, 1_000));
    }
}
