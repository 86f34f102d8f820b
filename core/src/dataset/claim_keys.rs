//! The claims table's text columns that reports group by, as integer keys.
//!
//! Interning 4M claimant ids costs a hash-table lookup a row (cache misses on
//! a 200k-entry table); done once per loaded claims table and kept by the
//! Dataset, every later report groups integers.

use std::sync::Arc;

use datafusion::arrow::array::{Array, RecordBatch, StringArray};
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
    /// One key vector per claims batch.
    pub keys: Vec<Vec<u32>>,
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

fn strings<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| Error::engine(format!("the claims table has no text column {name}")))
}

/// Keys of one column over every batch; `value` names a cell (None: null
/// key). A `required` column must hold no null (its key would index nothing).
fn key_column(
    batches: &[RecordBatch],
    name: &str,
    required: bool,
    value: impl Fn(&StringArray, usize) -> Option<&str>,
) -> Result<KeyedColumn> {
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    let mut values: Vec<&str> = Vec::new();
    let mut keys = Vec::with_capacity(batches.len());
    for batch in batches {
        let array = strings(batch, name)?;
        if required && array.null_count() > 0 {
            return Err(Error::engine(format!("the claims column {name} holds nulls; it is required")));
        }
        let batch_keys = (0..array.len())
            .map(|i| match value(array, i) {
                None => NULL_KEY,
                Some(v) => *index.entry(v).or_insert_with(|| {
                    values.push(v);
                    (values.len() - 1) as u32
                }),
            })
            .collect();
        keys.push(batch_keys);
    }
    Ok(KeyedColumn { values: values.into_iter().map(str::to_string).collect(), keys })
}

fn cell(array: &StringArray, i: usize) -> Option<&str> {
    (!array.is_null(i)).then(|| array.value(i))
}

impl ClaimKeys {
    /// Keys every batch of the claims table; the claimant column (the
    /// costly one) on a thread of its own.
    pub fn build(batches: &[RecordBatch]) -> Result<Arc<ClaimKeys>> {
        let others = || {
            let client = key_column(batches, "client_id", true, cell)?;
            let category = key_column(batches, "service_category", false, |a, i| {
                Some(cell(a, i).filter(|v| !v.is_empty()).unwrap_or(UNCATEGORIZED))
            })?;
            let code = key_column(batches, "icd_code", false, cell)?;
            let term = key_column(batches, "layman_term", false, cell)?;
            Ok::<_, Error>((client, category, code, term))
        };
        let claimants = || key_column(batches, "claimant_id", true, cell);
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
