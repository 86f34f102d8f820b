//! A one-shot report's claims, folded into the report's sums while the file
//! is read: each block's batch is keyed and added to a partial scan on the
//! loader's worker that built it, then dropped. The claims table is never
//! kept; memory grows with claimants and groups, not with claim lines.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};

use datafusion::arrow::array::{Array, AsArray, DictionaryArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::Int32Type;
use rustc_hash::{FxBuildHasher, FxHashSet};

use super::claim_scan::{ClaimScan, RowKeys};
use crate::dataset::claim_keys::{category_name, dictionary, BatchKeys, ClaimKeys, Dictionary, KeyedColumn, NULL_KEY};
use crate::load::BatchSink;
use crate::model::error::{Error, Result};
use crate::model::icd;
use crate::model::period::MonthIndex;

/// Claimant ids are keyed in this many parts, each behind its own lock, so
/// the workers rarely wait for one another.
const CLAIMANT_PARTS: usize = 64;

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    m.lock().map_err(|_| Error::engine("a loader thread stopped while folding claims"))
}

fn unlock<T>(m: Mutex<T>) -> Result<T> {
    m.into_inner().map_err(|_| Error::engine("a loader thread stopped while folding claims"))
}

/// Sets `flags[k]`, growing the flags as new keys come.
fn mark(flags: &mut Vec<bool>, k: usize) {
    if flags.len() <= k {
        flags.resize(k + 1, false);
    }
    flags[k] = true;
}

/// What the stop-loss reimbursements (loaded before the claims) name: the
/// claims and claimants the links look up.
#[derive(Debug, Default)]
pub(crate) struct StopLossNames {
    pub claim_ids: FxHashSet<String>,
    pub claimant_ids: FxHashSet<String>,
}

/// What one worker folded: its scan, which claimants have a row of the
/// client (any month), and the rows a stop-loss reimbursement names.
struct Partial {
    scan: ClaimScan,
    has_claims: Vec<bool>,
    stop_loss_claims: Vec<(String, u32)>,
}

/// Receives a claims load's batches (`BatchSink`) and folds them.
pub(crate) struct ClaimFold {
    client: Option<String>,
    date_column: &'static str,
    window: (MonthIndex, MonthIndex),
    period: (MonthIndex, MonthIndex),
    stop_loss: StopLossNames,
    clients: Mutex<(Dictionary, Vec<bool>)>,
    categories: Mutex<Dictionary>,
    codes: Mutex<Dictionary>,
    terms: Mutex<Dictionary>,
    claimants: Vec<Mutex<Dictionary>>,
    partials: Mutex<Vec<Partial>>,
}

/// The folded claims, ready for the report.
pub(crate) struct FoldedClaims {
    pub scan: ClaimScan,
    /// Clients with at least one claims row.
    pub clients: Vec<String>,
    /// The claimant ids reimbursements name that have a claims row of the client.
    pub claimants_with_claims: BTreeSet<String>,
    /// Each claim id a reimbursement names: its smallest claimant and the
    /// number of distinct claimants (as the stored path's SQL computes).
    pub stop_loss_claims: BTreeMap<String, (String, i64)>,
}

fn text<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| Error::engine(format!("a claims block has no text column {name}")))
}

/// The key each value of a block's dictionary is renumbered to, and the key
/// of a null cell.
fn renumber(
    array: &DictionaryArray<Int32Type>,
    into: &Mutex<Dictionary>,
    name: impl Fn(Option<&str>) -> Option<&str>,
) -> Result<(Vec<u32>, u32)> {
    let values = array.values().as_string::<i32>();
    let mut d = lock(into)?;
    let mut key = |v: Option<&str>| name(v).map_or(NULL_KEY, |v| d.key(v));
    let keys = (0..values.len()).map(|i| key((!values.is_null(i)).then(|| values.value(i)))).collect();
    let null_key = if array.null_count() > 0 { key(None) } else { NULL_KEY };
    Ok((keys, null_key))
}

impl ClaimFold {
    /// A fold for the report of `client` (None: the data's only client) over
    /// a window of months by `date_column`, with the period inside it.
    pub fn new(
        client: Option<&str>,
        date_column: &'static str,
        window: (MonthIndex, MonthIndex),
        period: (MonthIndex, MonthIndex),
        stop_loss: StopLossNames,
    ) -> Result<ClaimFold> {
        // The window's months must be dates before any block is read.
        ClaimScan::new(window, period)?;
        let mut clients = Dictionary::default();
        // The report's client is key 0, so each block can filter on it.
        if let Some(c) = client {
            clients.key(c);
        }
        Ok(ClaimFold {
            client: client.map(str::to_string),
            date_column,
            window,
            period,
            stop_loss,
            clients: Mutex::new((clients, Vec::new())),
            categories: Mutex::default(),
            codes: Mutex::default(),
            terms: Mutex::default(),
            claimants: (0..CLAIMANT_PARTS).map(|_| Mutex::default()).collect(),
            partials: Mutex::default(),
        })
    }

    /// The key of the report's client, if one was named.
    fn client_key(&self) -> Option<u32> {
        self.client.as_ref().map(|_| 0)
    }

    /// The key of each client a block's dictionary holds; the clients some
    /// row uses are marked seen (a rejected row's client is no client).
    fn client_keys(&self, clients: &DictionaryArray<Int32Type>) -> Result<Vec<u32>> {
        let values = clients.values().as_string::<i32>();
        let used = crate::load::dictionaries::used_values(clients)?;
        let mut guard = lock(&self.clients)?;
        let (d, seen) = &mut *guard;
        let keys: Vec<u32> = (0..values.len()).map(|i| d.key(values.value(i))).collect();
        for (k, _) in keys.iter().zip(used).filter(|(_, used)| *used) {
            mark(seen, *k as usize);
        }
        Ok(keys)
    }

    /// Each row's claimant key (NULL_KEY for rows of another client): cells
    /// are dealt to parts by hash, and each part is locked once a block.
    fn claimant_keys(&self, ids: &StringArray, wanted: impl Fn(usize) -> bool) -> Result<Vec<u32>> {
        let part_of = |v: &str| (FxBuildHasher.hash_one(v) >> 58) as usize % CLAIMANT_PARTS;
        let mut rows_of_part: Vec<Vec<u32>> = vec![Vec::new(); CLAIMANT_PARTS];
        for i in 0..ids.len() {
            if wanted(i) && !ids.is_null(i) {
                rows_of_part[part_of(ids.value(i))].push(i as u32);
            }
        }
        let mut keys = vec![NULL_KEY; ids.len()];
        for (part, rows) in rows_of_part.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            let mut d = lock(&self.claimants[part])?;
            for &i in rows {
                let local = d.key(ids.value(i as usize)) as usize;
                keys[i as usize] = u32::try_from(local * CLAIMANT_PARTS + part)
                    .ok()
                    .filter(|k| *k != NULL_KEY)
                    .ok_or_else(|| Error::engine("more than 2^32 distinct claimant ids"))?;
            }
        }
        Ok(keys)
    }

    /// Merges the workers' partial scans and names every key.
    pub fn finish(self) -> Result<FoldedClaims> {
        let mut partials = unlock(self.partials)?;
        // The first partial is the base the others merge into (merged into
        // an empty scan, its per-claimant lists were in memory twice).
        let mut merged: Option<ClaimScan> = None;
        let mut has_claims: Vec<bool> = Vec::new();
        let mut stop_loss_rows = Vec::new();
        for p in partials.drain(..) {
            match merged.as_mut() {
                Some(scan) => scan.merge(p.scan),
                None => merged = Some(p.scan),
            }
            for (k, _) in p.has_claims.iter().enumerate().filter(|(_, yes)| **yes) {
                mark(&mut has_claims, k);
            }
            stop_loss_rows.extend(p.stop_loss_claims);
        }
        let mut scan = match merged {
            Some(scan) => scan,
            None => ClaimScan::new(self.window, self.period)?,
        };
        let parts: Vec<Dictionary> = self.claimants.into_iter().map(unlock).collect::<Result<_>>()?;
        let longest = parts.iter().map(|d| d.values.len()).max().unwrap_or(0);
        let mut claimant_names = vec![String::new(); longest * CLAIMANT_PARTS];
        for (part, d) in parts.into_iter().enumerate() {
            for (local, v) in d.values.into_iter().enumerate() {
                claimant_names[local * CLAIMANT_PARTS + part] = v;
            }
        }
        let (client_dictionary, seen) = unlock(self.clients)?;
        let mut clients: Vec<String> = client_dictionary
            .values
            .iter()
            .enumerate()
            .filter(|(k, _)| seen.get(*k).copied().unwrap_or(false))
            .map(|(_, c)| c.clone())
            .collect();
        clients.sort();
        let claimants_with_claims = has_claims
            .iter()
            .enumerate()
            .filter(|(_, yes)| **yes)
            .filter_map(|(k, _)| claimant_names.get(k).filter(|name| self.stop_loss.claimant_ids.contains(*name)))
            .cloned()
            .collect();
        let mut stop_loss_claims: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (claim_id, claimant) in stop_loss_rows {
            if let Some(name) = claimant_names.get(claimant as usize) {
                stop_loss_claims.entry(claim_id).or_default().insert(name.clone());
            }
        }
        let stop_loss_claims = stop_loss_claims
            .into_iter()
            .filter_map(|(id, names)| {
                let n = names.len() as i64;
                names.into_iter().next().map(|smallest| (id, (smallest, n)))
            })
            .collect();
        let codes = unlock(self.codes)?.values;
        let keys = ClaimKeys {
            client: KeyedColumn::named(client_dictionary.values),
            claimant: KeyedColumn::named(claimant_names),
            category: KeyedColumn::named(unlock(self.categories)?.values),
            code_chapter: codes.iter().map(|c| icd::chapter_code(Some(c))).collect(),
            code: KeyedColumn::named(codes),
            term: KeyedColumn::named(unlock(self.terms)?.values),
        };
        scan.finish(Arc::new(keys));
        Ok(FoldedClaims { scan, clients, claimants_with_claims, stop_loss_claims })
    }
}

impl BatchSink for ClaimFold {
    fn take(&self, batch: &RecordBatch) -> Result<()> {
        let clients = dictionary(batch, "client_id")?;
        let client_keys = self.client_keys(clients)?;
        let client_of = BatchKeys::of_dictionary(clients.keys(), &client_keys, NULL_KEY);
        let target = self.client_key();
        let of_client = |i: usize| target.is_none_or(|t| client_of.get(i) == t);
        let ids = text(batch, "claimant_id")?;
        let claimant_keys = self.claimant_keys(ids, of_client)?;
        let categories = dictionary(batch, "service_category")?;
        let codes = dictionary(batch, "icd_code")?;
        let terms = dictionary(batch, "layman_term")?;
        let (category_keys, category_null) = renumber(categories, &self.categories, |v| Some(category_name(v)))?;
        let (code_keys, code_null) = renumber(codes, &self.codes, |v| v)?;
        let (term_keys, term_null) = renumber(terms, &self.terms, |v| v)?;
        let row_keys = RowKeys {
            client: client_of,
            claimant: BatchKeys::direct(&claimant_keys),
            category: BatchKeys::of_dictionary(categories.keys(), &category_keys, category_null),
            code: BatchKeys::of_dictionary(codes.keys(), &code_keys, code_null),
            term: BatchKeys::of_dictionary(terms.keys(), &term_keys, term_null),
        };
        let taken = lock(&self.partials)?.pop();
        let mut partial = match taken {
            Some(p) => p,
            None => Partial {
                scan: ClaimScan::new(self.window, self.period)?,
                has_claims: Vec::new(),
                stop_loss_claims: Vec::new(),
            },
        };
        partial.scan.add(batch, self.date_column, target, &row_keys)?;
        for &k in claimant_keys.iter().filter(|k| **k != NULL_KEY) {
            mark(&mut partial.has_claims, k as usize);
        }
        if !self.stop_loss.claim_ids.is_empty() {
            let claim_ids = text(batch, "claim_id")?;
            for (i, &claimant) in claimant_keys.iter().enumerate() {
                if claimant != NULL_KEY
                    && !claim_ids.is_null(i)
                    && self.stop_loss.claim_ids.contains(claim_ids.value(i))
                {
                    partial.stop_loss_claims.push((claim_ids.value(i).to_string(), claimant));
                }
            }
        }
        lock(&self.partials)?.push(partial);
        Ok(())
    }
}
