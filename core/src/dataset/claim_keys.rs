//! The claims table's text columns that reports group by, as integer keys.
//!
//! The loader stores these columns as dictionaries, one per load: a report's
//! keys are the dictionaries' keys, renumbered across loads (and for the
//! values a report merges, such as null and "" as "Uncategorized"). Made
//! once per loaded claims table and kept by the Dataset.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, DictionaryArray, Int32Array, RecordBatch};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::Int32Type;
use rustc_hash::FxHashMap;

use crate::model::error::{Error, Result};
use crate::model::icd;

/// A key for a null cell.
pub(crate) const NULL_KEY: u32 = u32::MAX;

/// "Uncategorized": what a null or empty service_category reports as.
pub(crate) const UNCATEGORIZED: &str = "Uncategorized";

/// The distinct values of one column, and each row's key into them.
#[derive(Debug, Default)]
pub(crate) struct KeyedColumn {
    pub values: Vec<String>,
    /// One part per claims batch: no copy of the keys, a view of the batch's.
    parts: Vec<KeyedPart>,
}

/// A batch's dictionary keys (shared with the stored table) and what each
/// dictionary value is renumbered to (shared by the batches of one load).
#[derive(Debug)]
struct KeyedPart {
    keys: Int32Array,
    renumber: Arc<Vec<u32>>,
    null_key: u32,
}

/// The keys of one batch's rows.
#[derive(Clone, Copy)]
pub(crate) struct BatchKeys<'a> {
    keys: &'a [i32],
    nulls: Option<&'a NullBuffer>,
    renumber: &'a [u32],
    null_key: u32,
    /// Each row's key as it is (a column keyed row by row, not a dictionary).
    direct: Option<&'a [u32]>,
}

impl<'a> BatchKeys<'a> {
    /// A dictionary array's keys with the key each of its values is renumbered to.
    pub fn of_dictionary(keys: &'a Int32Array, renumber: &'a [u32], null_key: u32) -> Self {
        BatchKeys { keys: keys.values(), nulls: keys.nulls(), renumber, null_key, direct: None }
    }

    /// Keys given row by row.
    pub fn direct(keys: &'a [u32]) -> Self {
        BatchKeys { keys: &[], nulls: None, renumber: &[], null_key: NULL_KEY, direct: Some(keys) }
    }

    pub fn len(&self) -> usize {
        self.direct.map_or(self.keys.len(), <[u32]>::len)
    }

    /// Row `i`'s key (NULL_KEY past the end).
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        if let Some(direct) = self.direct {
            return direct.get(i).copied().unwrap_or(NULL_KEY);
        }
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return self.null_key;
        }
        self.keys.get(i).and_then(|k| self.renumber.get(*k as usize)).copied().unwrap_or(NULL_KEY)
    }
}

/// Distinct values, each keyed in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct Dictionary {
    index: FxHashMap<String, u32>,
    pub values: Vec<String>,
}

impl Dictionary {
    pub fn key(&mut self, value: &str) -> u32 {
        if let Some(k) = self.index.get(value) {
            return *k;
        }
        let k = self.values.len() as u32;
        self.index.insert(value.to_string(), k);
        self.values.push(value.to_string());
        k
    }
}

/// How a report names a category cell: null and "" are "Uncategorized".
pub(crate) fn category_name(value: Option<&str>) -> &str {
    value.filter(|v| !v.is_empty()).unwrap_or(UNCATEGORIZED)
}

impl KeyedColumn {
    /// Named keys without batches (a fold keys its rows as they pass).
    pub fn named(values: Vec<String>) -> Self {
        KeyedColumn { values, parts: Vec::new() }
    }

    /// The keys of batch `b` (an empty view past the last batch).
    pub fn batch(&self, b: usize) -> BatchKeys<'_> {
        match self.parts.get(b) {
            Some(p) => BatchKeys::of_dictionary(&p.keys, &p.renumber, p.null_key),
            None => BatchKeys::direct(&[]),
        }
    }

    pub fn batches(&self) -> usize {
        self.parts.len()
    }
}

/// Integer keys of the claims columns a report groups by.
#[derive(Debug, Default)]
pub(crate) struct ClaimKeys {
    pub client: KeyedColumn,
    pub claimant: KeyedColumn,
    /// service_category with null and "" as "Uncategorized".
    pub category: KeyedColumn,
    /// icd_code; NULL_KEY for null.
    pub code: KeyedColumn,
    /// The chapter range code of each code value.
    pub code_chapter: Vec<&'static str>,
    /// layman_term; NULL_KEY for null.
    pub term: KeyedColumn,
}

/// A claims column as the text dictionary it is stored as.
pub(crate) fn dictionary<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b DictionaryArray<Int32Type>> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_dictionary_opt::<Int32Type>())
        .filter(|d| d.values().as_string_opt::<i32>().is_some())
        .ok_or_else(|| Error::engine(format!("the claims table has no text dictionary column {name}")))
}

/// Keys of one column over every batch, from the batches' dictionaries: a
/// value is hashed once per dictionary (a load shares one), not once a row.
/// `value` names a dictionary value or a null cell (None: the null key). A
/// `required` column must hold no null (its key would index nothing).
fn key_column(
    batches: &[RecordBatch],
    name: &str,
    required: bool,
    value: impl Fn(Option<&str>) -> Option<&str>,
) -> Result<KeyedColumn> {
    let mut distinct = Dictionary::default();
    let mut key_of = |v: Option<&str>| match value(v) {
        None => NULL_KEY,
        Some(v) => distinct.key(v),
    };
    let mut parts = Vec::with_capacity(batches.len());
    // The new key of each dictionary value, for the dictionary last seen.
    let mut last: Option<(ArrayRef, Arc<Vec<u32>>)> = None;
    for batch in batches {
        let array = dictionary(batch, name)?;
        if required && array.null_count() > 0 {
            return Err(Error::engine(format!("the claims column {name} holds nulls; it is required")));
        }
        let same = last.as_ref().is_some_and(|(v, _)| Arc::ptr_eq(v, array.values()));
        if !same {
            let texts = array.values().as_string::<i32>();
            let renumber = (0..texts.len()).map(|i| key_of((!texts.is_null(i)).then(|| texts.value(i)))).collect();
            last = Some((array.values().clone(), Arc::new(renumber)));
        }
        let renumber = last.as_ref().map(|(_, r)| r.clone()).unwrap_or_default();
        let null_key = if array.null_count() > 0 { key_of(None) } else { NULL_KEY };
        parts.push(KeyedPart { keys: array.keys().clone(), renumber, null_key });
    }
    Ok(KeyedColumn { values: distinct.values, parts })
}

impl ClaimKeys {
    /// Keys every batch of the claims table; the claimant column (the
    /// costly one) on a thread of its own.
    pub fn build(batches: &[RecordBatch]) -> Result<Arc<ClaimKeys>> {
        let others = || {
            let client = key_column(batches, "client_id", true, |v| v)?;
            let category = key_column(batches, "service_category", false, |v| Some(category_name(v)))?;
            let code = key_column(batches, "icd_code", false, |v| v)?;
            let term = key_column(batches, "layman_term", false, |v| v)?;
            Ok::<_, Error>((client, category, code, term))
        };
        let claimants = || key_column(batches, "claimant_id", true, |v| v);
        // The browser has one thread.
        #[cfg(target_arch = "wasm32")]
        let (claimant, others) = (claimants(), others());
        #[cfg(not(target_arch = "wasm32"))]
        let (claimant, others) = std::thread::scope(|s| {
            let claimant = s.spawn(claimants);
            let others = others();
            (claimant.join().unwrap_or_else(|_| Err(Error::engine("keying claimant ids stopped unexpectedly"))), others)
        });
        let (claimant, (client, category, code, term)) = (claimant?, others?);
        let code_chapter = code.values.iter().map(|c| icd::chapter_code(Some(c))).collect();
        Ok(Arc::new(ClaimKeys { client, claimant, category, code, code_chapter, term }))
    }
}
