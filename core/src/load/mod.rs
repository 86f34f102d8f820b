//! Loading a text table into canonical Arrow batches: the row pipeline shared
//! by every table, block by block (on every core where rows are independent).
//! Phase 1 checks every cell of every record; phase 2 reads the file's slash
//! dates in one order for the whole file (blocks with slash dates wait for
//! it); phase 3 builds the arrays from the records that passed. Nothing is
//! dropped without a RowError, and `read = accepted + rejected + moved`.

mod claims;
pub(crate) mod columns;
pub(crate) mod dictionaries;
pub mod mapping;
mod spans;
mod tables;
mod typed_cells;

use std::collections::{BTreeMap, HashMap};

use datafusion::arrow::record_batch::RecordBatch;

use crate::load::mapping::MappingProfile;
use crate::model::cell::echo;
use crate::model::dates::{self, CellDate, SlashEvidence, SlashOrder};
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LoadSummary, RowError};
use crate::model::table::Table;
use crate::source::{
    ArrowBlocks, Block, ChunkFacts, ChunkParser, CsvBlocks, Input, Piece, Record, RecordSource, TypedKind,
};
use columns::{CellError, CellResult, Columns};

/// Strict mode keeps at most this many errors in the failure it returns.
pub const STRICT_ERROR_LIMIT: usize = 100;

/// Options of one load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The mapping profile; None for a file whose headers are canonical.
    pub mapping: Option<MappingProfile>,
    /// Load the good rows and return the rejects instead of failing.
    pub lenient: bool,
    /// client_id for a single-client file that has no client_id column.
    pub client_id: Option<String>,
    /// A column that names each record (a database table's primary key): not
    /// loaded, not reported as unused; a rejected record's error carries its
    /// value as `key`.
    pub row_key: Option<String>,
}

impl LoadOptions {
    /// The options the doors are given: a mapping profile as JSON text
    /// (None for canonical headers), lenient or strict, a client_id for a
    /// file without one.
    pub fn from_mapping_json(
        mapping_json: Option<&str>,
        lenient: bool,
        client_id: Option<String>,
    ) -> Result<LoadOptions> {
        let mapping = mapping_json.map(MappingProfile::from_json).transpose()?;
        Ok(LoadOptions { mapping, lenient, client_id, row_key: None })
    }
}

/// Keys already loaded in a dataset, so duplicates across files are caught.
#[derive(Debug, Default, Clone)]
pub(crate) struct ExistingKeys {
    pub budget_months: HashMap<(String, i32, i32), String>,
    pub enrollment_months: HashMap<(String, i32, i32), String>,
}

/// What a load produced: batches per table (admin rows of a claims file go
/// to admin_fees) and the summary.
pub(crate) struct LoadOutput {
    pub batches: Vec<(Table, RecordBatch)>,
    pub summary: LoadSummary,
    pub keys: ExistingKeys,
}

/// Context a table's rows may need while being checked.
pub(crate) struct RowContext<'a> {
    /// First 8 hex chars of the file's sha256, for generated claim ids.
    pub sha8: &'a str,
    pub source: &'a str,
    pub keys: &'a mut ExistingKeys,
    pub warnings: &'a mut Vec<String>,
    /// The rows only feed a report's fold: columns no report reads (long
    /// descriptions) are checked but not built.
    pub report_only: bool,
}

/// The per-table part of the pipeline.
pub(crate) trait TableRows: Default + Send {
    /// Canonical columns (plus `amount` for claims) this table reads.
    const WANTED: &'static [&'static str];
    /// Rows check keys seen in earlier rows (duplicate months): blocks are
    /// then read one after another, in order.
    const SHARES_KEYS: bool = false;
    /// Columns read in their own type when the source has types (Arrow).
    const TYPED: &'static [(&'static str, TypedKind)] = &[];
    /// Whether rows need the file's sha256 before the file is read through
    /// (generated claim ids).
    fn needs_file_hash(_cols: &Columns) -> bool {
        false
    }
    /// Checks that the columns needed are present.
    fn check_columns(cols: &Columns) -> Result<()>;
    /// Empty rows with room for a block's records.
    fn for_block(_cols: &Columns, _block: &Block, _ctx: &RowContext) -> Self {
        Self::default()
    }
    /// Checks one record and keeps its values; an error rejects it.
    fn push(&mut self, cols: &Columns, rec: &Record, ctx: &mut RowContext) -> CellResult<()>;
    /// The date columns kept so far, in a fixed order.
    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])>;
    /// Checks kept row `i` once its dates are resolved (e.g. an end before
    /// its start); an error rejects it.
    fn check_resolved(&self, _i: usize, _days: &[Vec<i32>]) -> Option<CellError> {
        None
    }
    /// Builds the batches of the kept rows (`keep[i]`), given the resolved
    /// days of each date column; returns the batches and the moved count.
    fn finish(self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)>;
}

/// Takes a claims load's batches on the worker that built them.
pub(crate) trait BatchSink: Sync {
    fn take(&self, batch: &RecordBatch) -> Result<()>;

    /// Whether the sink needs columns no report reads (descriptions).
    fn keeps_every_column(&self) -> bool {
        false
    }
}

/// Whether a load keeps the rows it checked.
#[derive(Clone, Copy)]
pub(crate) enum Rows<'s> {
    Keep,
    /// Only the summary is wanted: each block's arrays are dropped once
    /// counted, so memory holds a few blocks, not the table.
    Count,
    /// The claims table's batches go to the sink as they are made, then are
    /// dropped (rows moved to another table are kept).
    Fold(&'s dyn BatchSink),
}

impl Rows<'_> {
    /// Passes a block's batches on as the mode says; what is left is kept.
    fn route(self, batches: &mut Vec<(Table, RecordBatch)>) -> Result<()> {
        match self {
            Rows::Keep => {}
            Rows::Count => batches.clear(),
            Rows::Fold(sink) => {
                for (_, batch) in batches.iter().filter(|(t, _)| *t == Table::Claims) {
                    sink.take(batch)?;
                }
                batches.retain(|(t, _)| *t != Table::Claims);
            }
        }
        Ok(())
    }
}

/// Loads a CSV input block by block.
pub(crate) fn load_csv(
    table: Table,
    input: Input,
    options: &LoadOptions,
    source: &str,
    keys: &ExistingKeys,
    rows: Rows<'_>,
) -> Result<LoadOutput> {
    let profile = options.mapping.as_ref();
    let delimiter = profile.and_then(|p| p.delimiter.as_deref());
    let encoding = profile.and_then(|p| p.encoding.as_deref());
    let blocks = CsvBlocks::open(input, encoding, delimiter, source)?;
    load_records(table, blocks, options, source, keys, rows)
}

/// Loads Arrow record batches a block at a time.
pub(crate) fn load_arrow(
    table: Table,
    batches: ArrowBlocks,
    options: &LoadOptions,
    source: &str,
    keys: &ExistingKeys,
    rows: Rows<'_>,
) -> Result<LoadOutput> {
    load_records(table, batches, options, source, keys, rows)
}

/// Loads a table's records; errors name the source (a mapping error, such as
/// a missing column or ambiguous dates, must say which of a report's six
/// files it is in).
fn load_records(
    table: Table,
    records: impl RecordSource,
    options: &LoadOptions,
    source: &str,
    keys: &ExistingKeys,
    rows: Rows<'_>,
) -> Result<LoadOutput> {
    let default_profile = MappingProfile::default();
    let profile = options.mapping.as_ref().unwrap_or(&default_profile);
    if let Some(profile_table) = profile.table {
        if profile_table != table {
            return Err(Error::mapping(format!(
                "the mapping profile is for table {profile_table}, but the file is being loaded as {table}"
            ))
            .naming_source(source));
        }
    }
    let headers = records.headers().to_vec();
    let present = |column: &str| columns::column_present(&headers, profile, column);
    let pepm_budgets = !present("budget_medical")
        && <tables::PepmRates as tables::BudgetShape>::COLUMNS.iter().skip(3).any(|c| present(c));
    let spans = !present("member_count") && (present("member_id") || present("start_date"));
    let load = Load { table, profile, options, source, keys, rows };
    let loaded = match table.model_table() {
        Table::Claims => load.run::<claims::ClaimRows>(records),
        Table::Budgets if pepm_budgets => load.run::<tables::BudgetRows<tables::PepmRates>>(records),
        Table::Budgets => load.run::<tables::BudgetRows<tables::Amounts>>(records),
        Table::Enrollments if spans => load.run::<spans::SpanRows>(records),
        Table::Enrollments => load.run::<tables::EnrollmentRows>(records),
        Table::AdminFees => load.run::<tables::AdminFeeRows>(records),
        Table::Rebates => load.run::<tables::RebateRows>(records),
        Table::StopLossReimbursements => load.run::<tables::StopLossRows>(records),
        Table::EligibilitySpans => load.run::<spans::SpanRows>(records),
        Table::BudgetRates => load.run::<tables::BudgetRows<tables::PepmRates>>(records),
    };
    loaded.map_err(|e| e.naming_source(source))
}

/// One load's fixed inputs.
struct Load<'a> {
    table: Table,
    profile: &'a MappingProfile,
    options: &'a LoadOptions,
    source: &'a str,
    keys: &'a ExistingKeys,
    rows: Rows<'a>,
}

/// What one block became: its batches, or its rows waiting for the file's
/// slash-date order.
enum BlockOutcome<R> {
    Done(BlockDone),
    Pending(PendingBlock<R>),
}

#[derive(Default)]
struct BlockDone {
    batches: Vec<(Table, RecordBatch)>,
    moved: u64,
    errors: Vec<RowError>,
}

struct PendingBlock<R> {
    rows: R,
    /// (record, line) of each kept row.
    origins: Vec<(u64, u64)>,
    /// The block's records, for the values of dates rejected later.
    records: Block,
    errors: Vec<RowError>,
}

/// A block's outcome with what it counted.
struct BlockResult<R> {
    index: usize,
    outcome: BlockOutcome<R>,
    read: u64,
    empty_rows: Vec<u64>,
    warnings: Vec<String>,
    /// The block, read through, for its buffers to be filled again.
    spent: Option<Block>,
    /// Read from a chunk on a worker: see `ChunkFacts`.
    chunk: Option<ChunkFacts>,
}

impl Load<'_> {
    fn run<R: TableRows>(&self, mut records: impl RecordSource) -> Result<LoadOutput> {
        let mut fallbacks = BTreeMap::new();
        if let Some(client) = &self.options.client_id {
            fallbacks.insert("client_id".to_string(), client.clone());
        }
        let cols = Columns::resolve(records.headers(), self.profile, R::WANTED, &fallbacks)?;
        let row_key = self.options.row_key.as_deref();
        let key_at = row_key.and_then(|k| records.headers().iter().position(|h| h == k));
        R::check_columns(&cols)?;
        let mut read = cols.read_headers();
        read.extend(key_at);
        records.plan_columns(&read, &cols.typed_headers(R::TYPED));
        let numbers_rows = R::needs_file_hash(&cols);
        let sha8 =
            if numbers_rows { records.sha256_up_front()?.get(..8).unwrap_or("").to_string() } else { String::new() };
        // The cells of a record with the wrong width, as one value.
        let joiner = match records.delimiter_name().as_str() {
            "tab" => "\t".to_string(),
            other => other.to_string(),
        };
        let workers = if R::SHARES_KEYS { 1 } else { crate::parallel::cores() };

        let block_rows = |(index, mut block): (usize, Block), keys: &mut ExistingKeys| -> Result<BlockResult<R>> {
            let mut warnings = Vec::new();
            let report_only = matches!(self.rows, Rows::Fold(sink) if !sink.keeps_every_column());
            let mut ctx = RowContext { sha8: &sha8, source: self.source, keys, warnings: &mut warnings, report_only };
            let read = (block.len() + block.record_errors.len()) as u64;
            let empty_rows = std::mem::take(&mut block.empty_rows);
            let chunk = block.chunk.take();
            let (mut outcome, spent) = read_block::<R>(&cols, block, &joiner, key_at, &mut ctx)?;
            if let BlockOutcome::Done(done) = &mut outcome {
                self.rows.route(&mut done.batches)?;
            }
            Ok(BlockResult { index, outcome, read, empty_rows, warnings, spent, chunk })
        };
        let mut keys = self.keys.clone();
        let mut results = if workers <= 1 {
            let mut results = Vec::new();
            let mut index = 0;
            while let Some(block) = records.next_block()? {
                let mut result = block_rows((index, block), &mut keys)?;
                if let Some(spent) = result.spent.take() {
                    records.recycle(spent);
                }
                results.push(result);
                index += 1;
            }
            results
        } else {
            // Rows that number themselves (generated claim ids) need the
            // file's record numbers as they are read: then one thread reads records.
            let parser = if numbers_rows { None } else { records.cut_into_chunks() };
            let parse = parser.as_ref().map(|parser| (parser, self.source));
            in_parallel(&mut records, workers, parse, |block| block_rows(block, &mut self.keys.clone()))?
        };
        results.sort_by_key(|r| r.index);
        // A chunk read on a worker numbers its records from 1: shifted by
        // the records before it, and its facts counted into the file's.
        let mut record_offsets = Vec::with_capacity(results.len());
        let mut records_before = 0;
        for result in &mut results {
            let chunk = result.chunk.take();
            record_offsets.push(if chunk.is_some() { records_before } else { 0 });
            if let Some(facts) = chunk {
                records.add_chunk_facts(facts, records_before)?;
            }
            records_before += result.read;
        }

        // One slash-date order for the whole file, from the blocks that have slash dates.
        let mut evidence = SlashEvidence::default();
        let mut names = Vec::new();
        for result in &results {
            if let BlockOutcome::Pending(p) = &result.outcome {
                for (name, cells) in p.rows.date_columns() {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                    for cell in cells {
                        if let CellDate::Slash { first, second, year } = *cell {
                            evidence.observe(first, second, year);
                        }
                    }
                }
            }
        }
        let order =
            if names.is_empty() { None } else { Some(evidence.resolve(&names.join("/")).map_err(Error::mapping)?) };

        let mut warnings: Vec<String> = records.encoding_warning().into_iter().collect();
        let mut unused = cols.unused_headers();
        unused.retain(|h| Some(h.as_str()) != row_key);
        if !unused.is_empty() {
            warnings.push(format!("columns not loaded (no canonical column uses them): {}", unused.join(", ")));
        }
        let empty_rows: Vec<String> = results.iter().flat_map(|r| r.empty_rows.iter().map(u64::to_string)).collect();
        if !empty_rows.is_empty() {
            warnings.push(format!("{} empty rows skipped (lines {})", empty_rows.len(), empty_rows.join(", ")));
        }
        let (mut batches, mut errors, mut read, mut moved) = (Vec::new(), Vec::new(), 0u64, 0u64);
        for (result, record_offset) in results.into_iter().zip(record_offsets) {
            warnings.extend(result.warnings);
            read += result.read;
            let mut done = match result.outcome {
                BlockOutcome::Done(done) => done,
                BlockOutcome::Pending(pending) => {
                    let mut done = finish_block(pending, order, &cols, key_at)?;
                    self.rows.route(&mut done.batches)?;
                    done
                }
            };
            batches.append(&mut done.batches);
            errors.extend(done.errors.into_iter().map(|e| RowError { record: e.record + record_offset, ..e }));
            moved += done.moved;
        }
        let batches = dictionaries::unify(batches)?;
        errors.sort_by_key(|e| e.record);
        let rejected = errors.len() as u64;
        let mut summary = LoadSummary {
            table: self.table.name().to_string(),
            source: self.source.to_string(),
            sha256: records.sha256(),
            records_read: read,
            records_accepted: read.saturating_sub(rejected + moved),
            records_rejected: rejected,
            records_moved: moved,
            encoding: records.encoding().to_string(),
            delimiter: records.delimiter_name(),
            errors,
            warnings,
        };
        if !self.options.lenient && summary.records_rejected > 0 {
            summary.errors.truncate(STRICT_ERROR_LIMIT);
            return Err(Error::Input {
                source_name: self.source.to_string(),
                errors: summary.errors.clone(),
                summary: Some(Box::new(summary)),
            });
        }
        Ok(LoadOutput { batches, summary, keys })
    }
}

/// Reads blocks (or, given a parser, cuts chunks of whole records) on this
/// thread and checks them on `workers` threads, which also read the chunks'
/// records; the results come back in any order, with their block index.
/// Buffers read through are filled again (fresh buffers for every block,
/// freed on another thread, kept the reading thread zeroing new pages).
fn in_parallel<R: Send>(
    records: &mut impl RecordSource,
    workers: usize,
    parse: Option<(&ChunkParser, &str)>,
    check: impl Fn((usize, Block)) -> Result<BlockResult<R>> + Sync,
) -> Result<Vec<BlockResult<R>>> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Piece)>(workers);
    let receiver = std::sync::Mutex::new(receiver);
    let (give_back, spent) = std::sync::mpsc::channel::<Block>();
    let (give_back_bytes, spent_bytes) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (give_back, give_back_bytes) = (give_back.clone(), give_back_bytes.clone());
                let (receiver, check) = (&receiver, &check);
                scope.spawn(move || {
                    let mut results = Vec::new();
                    // The last block this worker read a chunk into, read through.
                    let mut own_spare: Option<Block> = None;
                    loop {
                        let next = receiver.lock().map_err(|_| Error::engine("a loader thread stopped"))?.recv();
                        let Ok((index, piece)) = next else { return Ok(results) };
                        let block = match (piece, parse) {
                            (Piece::Read(block), _) => block,
                            (Piece::Raw(chunk), Some((parser, source))) => {
                                let (block, bytes) = parser.parse(chunk, own_spare.take(), source)?;
                                // The reader may have finished: then nobody needs them.
                                let _ = give_back_bytes.send(bytes);
                                block
                            }
                            (Piece::Raw(_), None) => {
                                return Err(Error::engine("a chunk of records came without a parser"))
                            }
                        };
                        let mut result = check((index, block))?;
                        if let Some(block) = result.spent.take() {
                            if parse.is_some() {
                                own_spare = Some(block);
                            } else {
                                let _ = give_back.send(block);
                            }
                        }
                        results.push(result);
                    }
                })
            })
            .collect();
        let mut index = 0;
        let mut read_error = None;
        loop {
            while let Ok(block) = spent.try_recv() {
                records.recycle(block);
            }
            while let Ok(bytes) = spent_bytes.try_recv() {
                records.recycle_bytes(bytes);
            }
            match records.next_piece() {
                Ok(Some(piece)) => {
                    // A closed channel means a worker failed; its error is reported below.
                    if sender.send((index, piece)).is_err() {
                        break;
                    }
                    index += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        drop(sender);
        let mut results = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(Ok(part)) => results.extend(part),
                Ok(Err(e)) => return Err(e),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        match read_error {
            Some(e) => Err(e),
            None => Ok(results),
        }
    })
}

/// Phase 1 for one block: every cell of every record checked; the block is
/// finished at once unless it has slash dates, which wait for the file's order.
fn read_block<R: TableRows>(
    cols: &Columns,
    mut block: Block,
    joiner: &str,
    key_at: Option<usize>,
    ctx: &mut RowContext,
) -> Result<(BlockOutcome<R>, Option<Block>)> {
    let mut rows = R::for_block(cols, &block, ctx);
    let mut origins: Vec<(u64, u64)> = Vec::new();
    let mut errors: Vec<RowError> = std::mem::take(&mut block.record_errors)
        .into_iter()
        .map(|e| RowError {
            record: e.record,
            line: e.line,
            column: "record".into(),
            value: String::new(),
            reason: e.reason,
            key: None,
        })
        .collect();
    let width = cols.headers.len();
    for rec in block.records() {
        if rec.len() != width {
            errors.push(RowError {
                record: rec.record,
                line: rec.line,
                column: "record".into(),
                value: echo(&rec.iter().collect::<Vec<_>>().join(joiner)),
                reason: format!("has {} fields; the header has {width}", rec.len()),
                key: row_key_of(&rec, key_at),
            });
            continue;
        }
        match rows.push(cols, &rec, ctx) {
            Ok(()) => origins.push((rec.record, rec.line)),
            Err(e) => errors.push(RowError { key: row_key_of(&rec, key_at), ..row_error(&rec, e) }),
        }
    }
    let has_slash = rows.date_columns().iter().any(|(_, c)| c.iter().any(|d| matches!(d, CellDate::Slash { .. })));
    if has_slash {
        Ok((BlockOutcome::Pending(PendingBlock { rows, origins, records: block, errors }), None))
    } else {
        let pending = PendingBlock { rows, origins, records: Block::default(), errors };
        let mut done = finish_block(pending, None, cols, None)?;
        // Rows rejected once their dates were resolved: named from the block.
        if key_at.is_some() {
            for e in done.errors.iter_mut().filter(|e| e.key.is_none()) {
                e.key = block.find(e.record).and_then(|r| row_key_of(&r, key_at));
            }
        }
        Ok((BlockOutcome::Done(done), Some(block)))
    }
}

/// Phases 2 and 3 for one block: dates resolved in the file's order, checks
/// that need them, then the arrays of the rows that passed.
fn finish_block<R: TableRows>(
    block: PendingBlock<R>,
    order: Option<SlashOrder>,
    cols: &Columns,
    key_at: Option<usize>,
) -> Result<BlockDone> {
    let PendingBlock { rows, origins, records, mut errors } = block;
    let mut keep = vec![true; origins.len()];
    let mut days_columns = Vec::new();
    for (column, cells) in rows.date_columns() {
        let mut days = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let day = match (*cell, order) {
                (CellDate::Exact(d), _) => Ok(d),
                (CellDate::Slash { first, second, year }, Some(order)) => {
                    dates::resolve_slash(first, second, year, order)
                }
                (CellDate::Slash { .. }, None) => Ok(0),
            };
            match day {
                Ok(d) => days.push(d),
                Err(reason) => {
                    days.push(0);
                    if keep[i] {
                        keep[i] = false;
                        let (record, line) = origins[i];
                        let value = records
                            .find(record)
                            .and_then(|r| cols.raw(&r, column).map(str::to_string))
                            .unwrap_or_default();
                        errors.push(RowError { record, line, column: column.to_string(), value, reason, key: None });
                    }
                }
            }
        }
        days_columns.push(days);
    }
    for (i, &(record, line)) in origins.iter().enumerate() {
        if keep[i] {
            if let Some(e) = rows.check_resolved(i, &days_columns) {
                keep[i] = false;
                errors.push(RowError { record, line, column: e.column, value: e.value, reason: e.reason, key: None });
            }
        }
    }
    if key_at.is_some() {
        for e in errors.iter_mut().filter(|e| e.key.is_none()) {
            e.key = records.find(e.record).and_then(|r| row_key_of(&r, key_at));
        }
    }
    let (batches, moved) = rows.finish(days_columns, &keep)?;
    Ok(BlockDone { batches, moved, errors })
}

/// The record's value of the row-key column (`LoadOptions::row_key`).
fn row_key_of(rec: &Record, key_at: Option<usize>) -> Option<String> {
    key_at.and_then(|i| rec.get(i)).map(echo)
}

fn row_error(rec: &Record, e: CellError) -> RowError {
    RowError {
        record: rec.record,
        line: rec.line,
        column: e.column,
        value: echo(&e.value),
        reason: e.reason,
        key: None,
    }
}

/// The values of `v` whose `keep` flag is set.
pub(crate) fn kept<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| x).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEADER: &str = "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,service_type,service_category,icd_code,medical_desc,layman_term,medical_amount,pharmacy_amount,total_amount";

    /// 200 claim rows with problems at known records: row i is record i.
    fn messy_claims() -> Vec<u8> {
        let mut out = format!("{HEADER}\n").into_bytes();
        for i in 1..=200u32 {
            let date = match i {
                150 => "13/02/2025".to_string(),
                151 => "02/03/2025".to_string(),
                _ => format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
            };
            let desc = match i {
                10 => "Café".to_string(),
                120 => "\"two\nlines\"".to_string(),
                _ => "Office".to_string(),
            };
            let amount = if i == 37 { "12.3.4".to_string() } else { format!("{i}.00") };
            let line = match i {
                80 => format!("ACME,CL-{i},M-{i}"),
                190 => ",,,,,,,,,,,,,".to_string(),
                200 => format!("ACME,CL-{i},M-1,{date},{date},medical,x,x,E119,\"open,y,{amount},0.00,{amount}"),
                _ => format!("ACME,CL-{i},M-{},{date},{date},medical,x,x,E119,{desc},y,{amount},0.00,{amount}", i % 9),
            };
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
            if i == 175 {
                // 0xE9 alone: a Windows-1252 'é' in a file that is otherwise UTF-8.
                out.extend_from_slice(
                    b"ACME,CL-175b,M-1,2025-01-01,2025-01-01,medical,x,x,E119,Caf\xE9,y,1.00,0.00,1.00\n",
                );
            }
        }
        out
    }

    fn load_cut(bytes: &[u8], block_bytes: usize) -> LoadOutput {
        let blocks =
            CsvBlocks::open_with_block_bytes(Input::Bytes(bytes), None, None, "claims.csv", block_bytes).unwrap();
        let options = LoadOptions { lenient: true, ..Default::default() };
        load_records(Table::Claims, blocks, &options, "claims.csv", &ExistingKeys::default(), Rows::Keep).unwrap()
    }

    #[test]
    fn chunks_read_on_workers_load_as_one_block_does() {
        let bytes = messy_claims();
        let whole = load_cut(&bytes, 1 << 20);
        // Worked out by hand: the row after 175 is an extra record (176),
        // the blank row 190 is not one, and row 120 takes two lines: row 200
        // is record 200 on line 203.
        let rejected: Vec<(u64, u64, &str)> =
            whole.summary.errors.iter().map(|e| (e.record, e.line, e.column.as_str())).collect();
        assert_eq!(rejected, [(37, 38, "medical_amount"), (80, 81, "record"), (200, 203, "record")]);
        assert_eq!((whole.summary.records_read, whole.summary.records_rejected), (200, 3));
        assert_eq!(whole.summary.encoding, "UTF-8 and windows-1252");
        assert!(
            whole.summary.warnings.iter().any(|w| w.contains("record 176 (line 178)")),
            "{:?}",
            whole.summary.warnings
        );
        assert!(whole.summary.warnings.iter().any(|w| w.contains("empty rows skipped (lines 193)")));
        let claims = |out: &LoadOutput| -> Vec<RecordBatch> {
            out.batches.iter().filter(|(t, _)| *t == Table::Claims).map(|(_, b)| b.clone()).collect()
        };
        let whole_rows = arrow::compute::concat_batches(&claims(&whole)[0].schema(), &claims(&whole)).unwrap();
        assert_eq!(whole_rows.num_rows(), 197);
        for block_bytes in [64, 97, 500, 4096] {
            let cut = load_cut(&bytes, block_bytes);
            assert_eq!(cut.summary, whole.summary, "blocks of {block_bytes} bytes");
            let cut_rows = arrow::compute::concat_batches(&whole_rows.schema(), &claims(&cut)).unwrap();
            assert_eq!(cut_rows, whole_rows, "blocks of {block_bytes} bytes");
        }
    }
}
