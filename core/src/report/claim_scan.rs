//! One pass over a client's claims for everything the report groups them by:
//! months, claimants, service categories, diagnosis chapters and codes.
//!
//! DataFusion answered these with a dozen grouped queries, and its
//! COUNT(DISTINCT claimant_id) keeps a hash set of strings per group: most of
//! a warm report's time. Here claimant ids are integers, and each claimant
//! keeps the months, categories and codes it has rows in (a bit a month, a
//! short list of the rest), so a claimant counts once in each of its groups
//! and memory grows with claimants and groups, not with claim rows. Sums are
//! i128 cents of the stored Decimal128(18, 2) values: exact, the same digits
//! as SQL SUM.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use datafusion::arrow::array::{Array, Date32Array, Decimal128Array, RecordBatch};
use datafusion::arrow::datatypes::DataType;

use super::claim_figures::{
    most_frequent_terms, primary_code, ClaimFigures, ClaimantTotal, Dimension, GroupSums, Sums,
};
use super::common::to_decimal;
use crate::dataset::claim_keys::{BatchKeys, ClaimKeys, NULL_KEY};
use crate::dataset::Dataset;
use crate::model::error::{Error, Result};
use crate::model::icd;
use crate::model::period::{date_in_month, MonthIndex};
use crate::model::table::{Table, MONEY_PRECISION, MONEY_SCALE};

/// A row outside the period (or a null code) has no group.
const NONE: u32 = NULL_KEY;

/// The client's claims of a window of months (by the basis date), with the
/// breakdowns of a period inside it. Built by `run` from a dataset's stored
/// claims, or folded block by block (`new`, `add`, `merge`, `finish`) while a
/// file is read, without the table ever being kept.
pub(crate) struct ClaimScan {
    keys: Arc<ClaimKeys>,
    first: MonthIndex,
    /// First day of the window and the day after it; the month offset of each day.
    lo: i32,
    hi: i32,
    month_of_day: Vec<u32>,
    in_period: std::ops::RangeInclusive<i32>,
    months: Vec<Sums>,
    /// Indexed by claimant key; claim_count 0 for claimants not in the period.
    claimant_sums: Vec<Sums>,
    category_sums: Vec<Sums>,
    code_sums: Vec<Sums>,
    /// The period's rows without a code (chapter "Unknown").
    no_code_sums: Sums,
    chapters: Vec<&'static str>,
    chapter_sums: Vec<Sums>,
    /// The chapter key of each code key, and of rows without a code.
    code_chapter: Vec<u32>,
    no_code_chapter: u32,
    layman_counts: FxHashMap<(u32, u32), i64>,
    /// The window's months a claimant has rows in: `month_words` bits a claimant.
    month_bits: Vec<u64>,
    month_words: usize,
    /// Per claimant: the categories of its period rows, and the codes (NONE
    /// for rows without one) with their summed totals.
    claimant_categories: Vec<Categories>,
    claimant_codes: Vec<Codes>,
}

/// A claimant's categories and codes: most have a few, kept inline.
type Categories = SmallVec<[u32; 4]>;
type Codes = SmallVec<[CodeTotal; 2]>;

/// A code of a claimant and the summed totals of its rows. The sum is kept
/// as bytes: with an i128's 16-byte alignment an entry took 32 bytes, and a
/// big plan has millions of them (3.6M for 240,000 claimants over 24 months).
#[derive(Debug, Clone, Copy)]
struct CodeTotal {
    code: u32,
    total: [u8; 16],
}

impl CodeTotal {
    fn total(&self) -> i128 {
        i128::from_le_bytes(self.total)
    }
}

/// The keys of one claims batch's rows, column by column.
pub(crate) struct RowKeys<'a> {
    pub client: BatchKeys<'a>,
    pub claimant: BatchKeys<'a>,
    pub category: BatchKeys<'a>,
    pub code: BatchKeys<'a>,
    pub term: BatchKeys<'a>,
}

impl<'a> RowKeys<'a> {
    /// The keys of stored batch `b`'s rows.
    pub(crate) fn of_batch(keys: &'a ClaimKeys, b: usize) -> Self {
        RowKeys {
            client: keys.client.batch(b),
            claimant: keys.claimant.batch(b),
            category: keys.category.batch(b),
            code: keys.code.batch(b),
            term: keys.term.batch(b),
        }
    }
}

fn column<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> Result<&'b T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| Error::engine(format!("the claims table has no column {name} of its canonical type")))
}

/// Stored amounts are Decimal128(18, 2); a grouped query's sums keep the
/// scale with a wider precision.
fn money_column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b Decimal128Array> {
    let array = column::<Decimal128Array>(batch, name)?;
    match array.data_type() {
        DataType::Decimal128(precision, MONEY_SCALE) if *precision >= MONEY_PRECISION => Ok(array),
        other => Err(Error::engine(format!("the claims column {name} is {other}, not the canonical money type"))),
    }
}

fn first_day_number(m: MonthIndex) -> Result<i32> {
    date_in_month(m, 1)
        .map(crate::model::dates::to_days)
        .ok_or_else(|| Error::engine(format!("month {m} is out of the date range")))
}

/// `sums[key]`, growing the vector when a fold meets a new key.
fn slot(sums: &mut Vec<Sums>, key: u32) -> &mut Sums {
    let k = key as usize;
    if k >= sums.len() {
        sums.resize(k + 1, Sums::default());
    }
    &mut sums[k]
}

fn add_sums(into: &mut Vec<Sums>, from: &[Sums]) {
    if into.len() < from.len() {
        into.resize(from.len(), Sums::default());
    }
    for (a, b) in into.iter_mut().zip(from) {
        a.merge(b);
    }
}

impl ClaimScan {
    /// Reads the claims of `client` whose `date_column` falls in months
    /// `window.0..=window.1`; `period` lies inside the window.
    pub fn run(
        ds: &Dataset,
        client: &str,
        date_column: &str,
        window: (MonthIndex, MonthIndex),
        period: (MonthIndex, MonthIndex),
    ) -> Result<Self> {
        let keys = ds.claim_keys()?;
        let Some(client_key) = keys.client.values.iter().position(|c| c == client).map(|k| k as u32) else {
            let mut scan = ClaimScan::new(window, period)?;
            scan.finish(keys);
            return Ok(scan);
        };
        let batches = ds.batches(Table::Claims);
        // Every `parts`-th batch from `part` on, into a scan of its own.
        let scan_part = |part: usize, parts: usize| -> Result<ClaimScan> {
            let mut scan = ClaimScan::new(window, period)?;
            for (b, batch) in batches.iter().enumerate().skip(part).step_by(parts) {
                let row_keys = RowKeys::of_batch(&keys, b);
                scan.add(batch, date_column, Some(client_key), &row_keys)?;
            }
            Ok(scan)
        };
        let parts = crate::parallel::cores().min(batches.len()).max(1);
        let mut scan = if parts == 1 {
            scan_part(0, 1)?
        } else {
            let scans: Vec<Result<ClaimScan>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..parts).map(|part| scope.spawn(move || scan_part(part, parts))).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::engine("a claims scan thread stopped"))))
                    .collect()
            });
            let mut scans = scans.into_iter();
            let mut scan = scans.next().ok_or_else(|| Error::engine("no claims scan ran"))??;
            for other in scans {
                scan.merge(other?);
            }
            scan
        };
        scan.finish(keys);
        Ok(scan)
    }

    /// An empty scan of a window of months and a period inside it.
    pub fn new(window: (MonthIndex, MonthIndex), period: (MonthIndex, MonthIndex)) -> Result<Self> {
        let (first, last) = window;
        let month_starts: Vec<i32> = (first..=last + 1).map(first_day_number).collect::<Result<_>>()?;
        let (lo, hi) = (month_starts[0], month_starts[month_starts.len() - 1]);
        // The month offset of each day of the window, looked up by day.
        let month_of_day: Vec<u32> =
            month_starts.windows(2).enumerate().flat_map(|(m, w)| (w[0]..w[1]).map(move |_| m as u32)).collect();
        Ok(ClaimScan {
            keys: Arc::new(ClaimKeys::default()),
            first,
            lo,
            hi,
            month_of_day,
            in_period: (period.0 - first)..=(period.1 - first),
            months: vec![Sums::default(); month_starts.len() - 1],
            claimant_sums: Vec::new(),
            category_sums: Vec::new(),
            code_sums: Vec::new(),
            no_code_sums: Sums::default(),
            chapters: Vec::new(),
            chapter_sums: Vec::new(),
            code_chapter: Vec::new(),
            no_code_chapter: NONE,
            layman_counts: FxHashMap::default(),
            month_bits: Vec::new(),
            month_words: (month_starts.len() - 1).div_ceil(64),
            claimant_categories: Vec::new(),
            claimant_codes: Vec::new(),
        })
    }

    /// Adds a claims batch's rows of client key `client` (every row: None).
    pub fn add(&mut self, batch: &RecordBatch, date_column: &str, client: Option<u32>, keys: &RowKeys) -> Result<()> {
        let dates = column::<Date32Array>(batch, date_column)?;
        let (medical, pharmacy, total) = (
            money_column(batch, "medical_amount")?,
            money_column(batch, "pharmacy_amount")?,
            money_column(batch, "total_amount")?,
        );
        let RowKeys { client: clients, claimant: claimants, category: categories, code: codes, term: terms } = *keys;
        if [clients, claimants, categories, codes, terms].iter().any(|k| k.len() != batch.num_rows()) {
            return Err(Error::engine("the claims keys do not match the loaded claims"));
        }
        for i in 0..batch.num_rows() {
            let day = dates.value(i);
            if day < self.lo || day >= self.hi || client.is_some_and(|c| clients.get(i) != c) {
                continue;
            }
            let month = self.month_of_day[(day - self.lo) as usize] as usize;
            let (m, p, t) = (medical.value(i), pharmacy.value(i), total.value(i));
            self.months[month].add_row(m, p, 0);
            let claimant = claimants.get(i);
            if claimant == NULL_KEY {
                return Err(Error::engine("a claims row of the client has no claimant key"));
            }
            self.mark_month(claimant, month);
            if !self.in_period.contains(&(month as i32)) {
                continue;
            }
            slot(&mut self.claimant_sums, claimant).add_row(m, p, t);
            let category = categories.get(i);
            slot(&mut self.category_sums, category).add_row(m, p, t);
            let code = codes.get(i);
            if code == NONE {
                self.no_code_sums.add_row(m, p, t);
            } else {
                slot(&mut self.code_sums, code).add_row(m, p, t);
                let term = terms.get(i);
                if term != NULL_KEY {
                    *self.layman_counts.entry((code, term)).or_default() += 1;
                }
            }
            let c = claimant as usize;
            if c >= self.claimant_categories.len() {
                self.claimant_categories.resize_with(c + 1, Categories::new);
                self.claimant_codes.resize_with(c + 1, Codes::new);
            }
            add_category(&mut self.claimant_categories[c], category);
            add_code_total(&mut self.claimant_codes[c], code, t);
        }
        Ok(())
    }

    fn mark_month(&mut self, claimant: u32, month: usize) {
        let at = claimant as usize * self.month_words + month / 64;
        if at >= self.month_bits.len() {
            self.month_bits.resize(at + 1, 0);
        }
        self.month_bits[at] |= 1 << (month % 64);
    }

    /// The months of claimant `c`, as bits.
    fn months_of(&self, c: usize) -> &[u64] {
        let from = (c * self.month_words).min(self.month_bits.len());
        let to = ((c + 1) * self.month_words).min(self.month_bits.len());
        &self.month_bits[from..to]
    }

    /// Adds another fold of the same window and period (keys from the same dictionaries).
    pub fn merge(&mut self, other: ClaimScan) {
        add_sums(&mut self.months, &other.months);
        add_sums(&mut self.claimant_sums, &other.claimant_sums);
        add_sums(&mut self.category_sums, &other.category_sums);
        add_sums(&mut self.code_sums, &other.code_sums);
        self.no_code_sums.merge(&other.no_code_sums);
        for (k, n) in other.layman_counts {
            *self.layman_counts.entry(k).or_default() += n;
        }
        if self.month_bits.len() < other.month_bits.len() {
            self.month_bits.resize(other.month_bits.len(), 0);
        }
        for (a, b) in self.month_bits.iter_mut().zip(&other.month_bits) {
            *a |= b;
        }
        if self.claimant_categories.len() < other.claimant_categories.len() {
            self.claimant_categories.resize_with(other.claimant_categories.len(), Categories::new);
            self.claimant_codes.resize_with(other.claimant_codes.len(), Codes::new);
        }
        for (c, categories) in other.claimant_categories.into_iter().enumerate() {
            for category in categories {
                add_category(&mut self.claimant_categories[c], category);
            }
        }
        for (c, codes) in other.claimant_codes.into_iter().enumerate() {
            for entry in codes {
                add_code_total(&mut self.claimant_codes[c], entry.code, entry.total());
            }
        }
    }

    /// Names the keys, sums the chapters and counts distinct claimants.
    pub fn finish(&mut self, keys: Arc<ClaimKeys>) {
        let mut chapters: Vec<&'static str> = Vec::new();
        let mut chapter_key = |chapter: &'static str| match chapters.iter().position(|c| *c == chapter) {
            Some(k) => k as u32,
            None => {
                chapters.push(chapter);
                (chapters.len() - 1) as u32
            }
        };
        self.code_chapter = keys.code_chapter.iter().map(|c| chapter_key(c)).collect();
        self.no_code_chapter = chapter_key(icd::chapter_code(None));
        self.claimant_sums.resize(keys.claimant.values.len(), Sums::default());
        self.category_sums.resize(keys.category.values.len(), Sums::default());
        self.code_sums.resize(keys.code.values.len(), Sums::default());
        let mut chapter_sums = vec![Sums::default(); chapters.len()];
        for (code, sums) in self.code_sums.iter().enumerate() {
            chapter_sums[self.code_chapter[code] as usize].merge(sums);
        }
        chapter_sums[self.no_code_chapter as usize].merge(&self.no_code_sums);
        self.chapters = chapters;
        self.chapter_sums = chapter_sums;
        self.keys = keys;
        self.count_claimants();
    }

    /// The chapter keys of a claimant's period rows, each once.
    fn chapters_of(&self, c: usize) -> Vec<u32> {
        let mut chapters: Vec<u32> = Vec::new();
        for CodeTotal { code, .. } in self.claimant_codes.get(c).map_or(&[][..], |codes| codes.as_slice()) {
            let chapter = if *code == NONE { self.no_code_chapter } else { self.code_chapter[*code as usize] };
            if !chapters.contains(&chapter) {
                chapters.push(chapter);
            }
        }
        chapters
    }

    /// Distinct claimants of each month and each period group: each claimant
    /// counts once in every group it has rows in.
    fn count_claimants(&mut self) {
        let mut months = vec![0i64; self.months.len()];
        let mut categories = vec![0i64; self.category_sums.len()];
        let mut chapters = vec![0i64; self.chapter_sums.len()];
        let mut codes = vec![0i64; self.code_sums.len()];
        for c in 0..self.claimant_sums.len() {
            for (w, word) in self.months_of(c).iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    months[w * 64 + bits.trailing_zeros() as usize] += 1;
                    bits &= bits - 1;
                }
            }
            for category in self.claimant_categories.get(c).into_iter().flatten() {
                categories[*category as usize] += 1;
            }
            for entry in self.claimant_codes.get(c).into_iter().flatten().filter(|e| e.code != NONE) {
                codes[entry.code as usize] += 1;
            }
            for chapter in self.chapters_of(c) {
                chapters[chapter as usize] += 1;
            }
        }
        for (sums, counts) in [
            (&mut self.months, months),
            (&mut self.category_sums, categories),
            (&mut self.chapter_sums, chapters),
            (&mut self.code_sums, codes),
        ] {
            for (s, n) in sums.iter_mut().zip(counts) {
                s.claimant_count = n;
            }
        }
    }

    /// Distinct claimants with a row in months `from..=to` of the window.
    fn claimants_in_months(&self, from: MonthIndex, to: MonthIndex) -> i64 {
        let (from, to) = ((from - self.first).max(0), (to - self.first).min(self.months.len() as i32 - 1));
        if from > to {
            return 0;
        }
        // The bits of months from..=to in each word.
        let masks: Vec<u64> = (0..self.month_words)
            .map(|w| {
                let (lo, hi) = (w as i32 * 64, w as i32 * 64 + 63);
                let (a, b) = (from.max(lo), to.min(hi));
                if a > b {
                    0
                } else {
                    let width = (b - a + 1) as u32;
                    let ones = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
                    ones << (a - lo)
                }
            })
            .collect();
        (0..self.claimant_sums.len())
            .filter(|&c| self.months_of(c).iter().zip(&masks).any(|(bits, mask)| bits & mask != 0))
            .count() as i64
    }

    /// Every claimant of the period with its sums.
    pub fn claimants(&self) -> impl Iterator<Item = (u32, &str, &Sums)> + '_ {
        self.keys
            .claimant
            .values
            .iter()
            .zip(&self.claimant_sums)
            .enumerate()
            .filter(|(_, (_, s))| s.claim_count > 0)
            .map(|(k, (id, s))| (k as u32, id.as_str(), s))
    }

    fn names(&self, dimension: Dimension) -> Vec<&str> {
        match dimension {
            Dimension::Category => self.keys.category.values.iter().map(String::as_str).collect(),
            Dimension::Chapter => self.chapters.clone(),
            Dimension::Code => self.keys.code.values.iter().map(String::as_str).collect(),
        }
    }

    /// A claimant's primary code in the period (`claim_figures::primary_code`).
    pub fn primary_code(&self, claimant: u32) -> Option<&str> {
        primary_code(
            self.claimant_codes
                .get(claimant as usize)?
                .iter()
                .filter(|e| e.code != NONE)
                .map(|e| (self.keys.code.values[e.code as usize].as_str(), e.total())),
        )
    }
}

impl ClaimFigures for ClaimScan {
    fn months(&self) -> Result<Vec<(MonthIndex, Sums)>> {
        let first = self.first;
        let with_claims = self.months.iter().enumerate().filter(|(_, s)| s.claim_count > 0);
        Ok(with_claims.map(|(i, s)| (first + i as i32, s.clone())).collect())
    }

    fn distinct_claimants(&self, from: MonthIndex, to: MonthIndex) -> Result<i64> {
        Ok(self.claimants_in_months(from, to))
    }

    fn claimant_count(&self) -> Result<i64> {
        Ok(self.claimants().count() as i64)
    }

    fn groups(&self, dimension: Dimension) -> Result<Vec<GroupSums>> {
        let sums = match dimension {
            Dimension::Category => &self.category_sums,
            Dimension::Chapter => &self.chapter_sums,
            Dimension::Code => &self.code_sums,
        };
        Ok(self
            .names(dimension)
            .iter()
            .zip(sums)
            .filter(|(_, s)| s.claim_count > 0)
            .map(|(key, sums)| GroupSums { key: key.to_string(), sums: sums.clone() })
            .collect())
    }

    fn distinct_claimants_in(&self, dimension: Dimension, groups: &[&str]) -> Result<i64> {
        let wanted: Vec<bool> = self.names(dimension).iter().map(|n| groups.contains(n)).collect();
        let is_wanted = |g: u32| g != NONE && wanted.get(g as usize).copied().unwrap_or(false);
        Ok((0..self.claimant_sums.len())
            .filter(|&c| match dimension {
                Dimension::Category => self.claimant_categories.get(c).into_iter().flatten().any(|g| is_wanted(*g)),
                Dimension::Code => self.claimant_codes.get(c).into_iter().flatten().any(|e| is_wanted(e.code)),
                Dimension::Chapter => self.chapters_of(c).into_iter().any(is_wanted),
            })
            .count() as i64)
    }

    fn layman_terms(&self) -> Result<BTreeMap<String, String>> {
        let (codes, terms) = (&self.keys.code.values, &self.keys.term.values);
        Ok(most_frequent_terms(
            self.layman_counts
                .iter()
                .map(|((code, term), n)| (codes[*code as usize].as_str(), terms[*term as usize].as_str(), *n)),
        ))
    }

    fn claimants_reaching(&self, threshold: Decimal) -> Result<Vec<ClaimantTotal>> {
        let mut out = Vec::new();
        for (key, id, sums) in self.claimants() {
            let total = to_decimal(sums.total)?;
            if total >= threshold {
                out.push(ClaimantTotal {
                    claimant_id: id.to_string(),
                    medical: to_decimal(sums.medical)?,
                    pharmacy: to_decimal(sums.pharmacy)?,
                    total,
                    claim_count: sums.claim_count,
                    primary_code: self.primary_code(key).map(str::to_string),
                });
            }
        }
        Ok(out)
    }

    fn top_totals(&self, ks: &[i64]) -> Result<Vec<Decimal>> {
        let mut totals: Vec<i128> = self.claimants().map(|(_, _, s)| s.total).collect();
        totals.sort_unstable_by(|a, b| b.cmp(a));
        ks.iter().map(|&k| to_decimal(totals.iter().take(usize::try_from(k).unwrap_or(0)).sum())).collect()
    }
}

/// Adds a category to a claimant's list, once.
fn add_category(categories: &mut Categories, category: u32) {
    if !categories.contains(&category) {
        categories.push(category);
    }
}

/// Adds a row's total to its code in a claimant's list.
fn add_code_total(codes: &mut Codes, code: u32, total: i128) {
    match codes.iter_mut().find(|e| e.code == code) {
        Some(e) => e.total = (e.total() + total).to_le_bytes(),
        None => codes.push(CodeTotal { code, total: total.to_le_bytes() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::period::month_index;
    use crate::LoadOptions;

    /// The claims columns (the figures of both executions are worked by
    /// hand in claim_figures' test; these are the scan's own cases).
    const HEADER: &str = "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,service_category,icd_code,layman_term,medical_amount,pharmacy_amount,total_amount";

    #[test]
    fn a_second_claims_load_is_keyed_again() {
        let mut ds = Dataset::new();
        let header = HEADER;
        let jan = month_index(2025, 1);
        let one = format!("{header}\nA,1,P1,2025-01-02,2025-01-02,medical,Office,,,1.00,0.00,1.00\n");
        let two = format!("{header}\nA,2,P9,2025-01-03,2025-01-03,medical,Lab,,,2.00,0.00,2.00\n");
        ds.load_csv_bytes(Table::Claims, "one.csv", one.as_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(ClaimScan::run(&ds, "A", "claim_date", (jan, jan), (jan, jan)).unwrap().claimants().count(), 1);
        ds.load_csv_bytes(Table::Claims, "two.csv", two.as_bytes(), &LoadOptions::default()).unwrap();
        let s = ClaimScan::run(&ds, "A", "claim_date", (jan, jan), (jan, jan)).unwrap();
        let ids: Vec<&str> = s.claimants().map(|(_, id, _)| id).collect();
        assert_eq!(ids, ["P1", "P9"]);
        assert_eq!(s.groups(Dimension::Category).unwrap().len(), 2);
    }

    #[test]
    fn a_window_longer_than_64_months_counts_claimants_in_every_word() {
        // 2018-01..2025-12 is 96 months: offsets 0..63 in the first word, 64..95 in the second.
        let header = HEADER;
        let rows = [
            "A,1,P1,2018-02-01,2018-02-01,medical,Office,,,1.00,0.00,1.00", // offset 1
            "A,2,P1,2024-09-10,2024-09-10,medical,Office,,,2.00,0.00,2.00", // offset 80
            "A,3,P2,2023-04-30,2023-04-30,medical,Office,,,4.00,0.00,4.00", // offset 63
            "A,4,P3,2023-05-01,2023-05-01,medical,Lab,I10,,8.00,0.00,8.00", // offset 64
            "A,5,P3,2025-12-31,2025-12-31,medical,Lab,I10,,16.00,0.00,16.00", // offset 95
        ];
        let csv = format!("{header}\n{}\n", rows.join("\n"));
        let mut ds = Dataset::new();
        ds.load_csv_bytes(Table::Claims, "long.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
        let (first, last) = (month_index(2018, 1), month_index(2025, 12));
        let s = ClaimScan::run(&ds, "A", "claim_date", (first, last), (month_index(2020, 1), last)).unwrap();
        let counted: Vec<(i32, i64)> = s
            .months()
            .unwrap()
            .into_iter()
            .filter(|(_, m)| m.claim_count > 0)
            .map(|(m, x)| (m - first, x.claimant_count))
            .collect();
        assert_eq!(counted, vec![(1, 1), (63, 1), (64, 1), (80, 1), (95, 1)]);
        assert_eq!(s.distinct_claimants(first, last).unwrap(), 3);
        // Offsets 63..64 straddle the two words: P2 and P3.
        assert_eq!(s.distinct_claimants(month_index(2023, 4), month_index(2023, 5)).unwrap(), 2);
        assert_eq!(s.distinct_claimants(month_index(2023, 5), month_index(2025, 12)).unwrap(), 2);
        assert_eq!(s.distinct_claimants(month_index(2018, 3), month_index(2023, 3)).unwrap(), 0);
        // The period (from 2020-01): P1 (2.00), P2 (4.00), P3 (24.00, code I10).
        let claimants: Vec<(&str, i128)> = s.claimants().map(|(_, id, c)| (id, c.total)).collect();
        assert_eq!(claimants, vec![("P1", 200), ("P2", 400), ("P3", 2400)]);
        assert_eq!(s.distinct_claimants_in(Dimension::Chapter, &["Unknown"]).unwrap(), 2);
        assert_eq!(s.distinct_claimants_in(Dimension::Category, &["Lab", "Office"]).unwrap(), 3);
    }

    #[test]
    fn keys_are_kept_across_a_load_of_another_table() {
        let mut ds = Dataset::new();
        let claims = format!("{HEADER}\nA,1,P1,2025-01-02,2025-01-02,medical,Office,,,1.00,0.00,1.00\n");
        ds.load_csv_bytes(Table::Claims, "claims.csv", claims.as_bytes(), &LoadOptions::default()).unwrap();
        let before = ds.claim_keys().unwrap();
        let budgets = "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,1.00,0.00,0.00,1.00\n";
        ds.load_csv_bytes(Table::Budgets, "budgets.csv", budgets.as_bytes(), &LoadOptions::default()).unwrap();
        assert!(Arc::ptr_eq(&before, &ds.claim_keys().unwrap()));
    }
}
