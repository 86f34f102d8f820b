//! The fuzz targets' bodies (fuzz/ runs them under cargo-fuzz; the stable
//! test `core/tests/fuzz_corpora.rs` replays the committed corpora through
//! the same functions). Each feeds arbitrary bytes to one parser and checks
//! its invariants: no panic, and for loads, counts that add up, strict
//! and lenient modes that agree on what they reject, and a stored table
//! that loads again to the same cells. A broken invariant
//! panics on purpose: that is how a fuzzer reports it.
#![allow(clippy::panic, clippy::unreachable)]

use std::sync::OnceLock;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;

use crate::dataset::Dataset;
use crate::load::mapping::MappingProfile;
use crate::load::LoadOptions;
use crate::model::error::Error;
use crate::model::load_summary::LoadSummary;
use crate::model::table::Table;
use crate::print::PrintOptions;
use crate::reconcile::{reconcile_csv, CsvFile, Options as ReconcileOptions, Rules};
use crate::report::{Report, ReportOptions};
use crate::rules::stop_loss_contract::StopLossContract;

/// A carrier profile the loaders may be given (one of the inputs' shapes).
const PROFILE: &str = r#"{"columns": {"claimant_id": ["Member ID", "claimant_id"], "claim_date": ["Service Date", "claim_date"]}, "blank_as_zero": ["pharmacy_amount"]}"#;

fn counts_add_up(s: &LoadSummary) {
    assert_eq!(s.records_read, s.records_accepted + s.records_rejected + s.records_moved, "{s:?}");
}

/// Loads `data[2..]` into the table `data[0]` names, with a profile when
/// `data[1]` is odd, strictly and leniently.
pub fn load(data: &[u8]) {
    let (Some(table), Some(flags)) = (data.first(), data.get(1)) else { return };
    let table = Table::ALL[*table as usize % Table::ALL.len()];
    let bytes = &data[2..];
    let mapping = (flags % 2 == 1).then(|| MappingProfile::from_json(PROFILE)).and_then(|p| p.ok());
    let mut outcomes = Vec::new();
    for lenient in [false, true] {
        let mut ds = Dataset::new();
        let options = LoadOptions { lenient, mapping: mapping.clone(), ..LoadOptions::default() };
        let outcome = ds.load_csv_bytes(table, "fuzz.csv", bytes, &options);
        match &outcome {
            Ok(s) => counts_add_up(s),
            Err(Error::Input { summary: Some(s), .. }) => counts_add_up(s),
            Err(_) => {}
        }
        // (A report on what loaded is core/tests/never_panics.rs's: here it
        // would cost most of each run.)
        if lenient && outcome.is_ok() {
            round_trips(&ds, table);
        }
        outcomes.push(outcome);
    }
    match (&outcomes[0], &outcomes[1]) {
        // Strict loaded everything: lenient loads the same and rejects nothing.
        (Ok(strict), Ok(lenient)) => {
            assert_eq!(strict.records_accepted, lenient.records_accepted);
            assert_eq!(lenient.records_rejected, 0);
        }
        // Strict refused some records: lenient rejects the same ones.
        (Err(Error::Input { summary: Some(strict), .. }), Ok(lenient)) => {
            assert_eq!(strict.records_rejected, lenient.records_rejected, "{strict:?} {lenient:?}");
            let first: Vec<(u64, &str)> = strict.errors.iter().map(|e| (e.record, e.column.as_str())).collect();
            let all: Vec<(u64, &str)> = lenient.errors.iter().map(|e| (e.record, e.column.as_str())).collect();
            assert!(all.starts_with(&first), "strict {first:?} lenient {all:?}");
        }
        (Ok(s), Err(e)) => unreachable!("lenient failed where strict loaded: {s:?} {e}"),
        _ => {}
    }
}

/// Every cell of `batches` as text, row by row.
fn cells(batches: &[RecordBatch]) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<ArrayRef> = batch.columns().iter().filter_map(|c| cast(c, &DataType::Utf8).ok()).collect();
        assert_eq!(columns.len(), batch.num_columns(), "a stored column cannot be cast to text");
        let text: Vec<&StringArray> = columns.iter().map(|c| c.as_string::<i32>()).collect();
        for row in 0..batch.num_rows() {
            rows.push(text.iter().map(|t| t.is_valid(row).then(|| t.value(row).to_string())).collect());
        }
    }
    rows
}

/// The stored canonical table, given back as a table to load, loads whole
/// and stores the same cells: nothing accepted is changed by a second pass.
fn round_trips(ds: &Dataset, table: Table) {
    let stored = ds.batches(table);
    if stored.is_empty() {
        return;
    }
    let mut again = Dataset::new();
    match again.load_batches(table, "round-trip", stored, &LoadOptions::default()) {
        Ok(s) => assert_eq!((s.records_rejected, s.records_moved), (0, 0), "{s:?}"),
        Err(e) => panic!("the stored {table} table does not load again: {e}"),
    }
    assert_eq!(cells(stored), cells(again.batches(table)), "{table} changed on a second load");
}

/// A mapping profile's JSON, then a small file loaded through it.
pub fn mapping_profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(profile) = MappingProfile::from_json(text) {
        let csv = "Member ID,Service Date,client_id,medical_amount\nP1,2025-01-02,A,1.00\n";
        let options = LoadOptions { mapping: Some(profile), lenient: true, ..LoadOptions::default() };
        if let Ok(s) = Dataset::new().load_csv_bytes(Table::Claims, "f.csv", csv.as_bytes(), &options) {
            counts_add_up(&s);
        }
    }
}

/// A small plan every report-level target reports on.
fn plan() -> &'static Option<Dataset> {
    static PLAN: OnceLock<Option<Dataset>> = OnceLock::new();
    PLAN.get_or_init(|| {
        let mut ds = Dataset::new();
        let claims = "client_id,claim_id,claimant_id,claim_date,paid_date,medical_amount,pharmacy_amount,icd_code\n\
            A,C1,P1,2025-01-10,2025-02-01,60000.00,0.00,E11.9\nA,C2,P2,2025-02-10,2025-02-20,10.00,5.00,\n\
            A,C3,P1,2024-12-10,2025-01-05,-5.00,0.00,Q999\n";
        let enrollment = "client_id,year,month,member_count,employee_count\nA,2025,1,10,4\nA,2025,2,10,4\n";
        let budgets = "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,100.00,10.00,5.00,115.00\n";
        let options = LoadOptions::default();
        let ok = ds.load_csv_bytes(Table::Claims, "c.csv", claims.as_bytes(), &options).is_ok()
            && ds.load_csv_bytes(Table::Enrollments, "e.csv", enrollment.as_bytes(), &options).is_ok()
            && ds.load_csv_bytes(Table::Budgets, "b.csv", budgets.as_bytes(), &options).is_ok();
        ok.then_some(ds)
    })
}

/// Report options' JSON (completion included), then a report with them.
pub fn report_options(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let (Ok(options), Some(ds)) = (ReportOptions::from_json(text), plan()) {
        if let Ok(r) = ds.report(Some("A"), "2025-Q1", &options) {
            let _ = r.to_json();
        }
    }
}

/// A stop-loss contract's JSON, then a report under it.
pub fn stop_loss_contract(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let (Ok(contract), Some(ds)) = (StopLossContract::from_json(text), plan()) {
        let options = ReportOptions { stop_loss_contract: Some(contract), ..ReportOptions::default() };
        let _ = ds.report(Some("A"), "2025", &options);
    }
}

/// A period label, reported on.
pub fn period(data: &[u8]) {
    let Ok(label) = std::str::from_utf8(data) else { return };
    if let Some(ds) = plan() {
        let _ = ds.report(Some("A"), label, &ReportOptions::default());
    }
}

/// Reconciliation: rules JSON (or a preset) and two CSV sides, split at
/// the input's first two 0xFF bytes.
pub fn reconciliation(data: &[u8]) {
    let mut parts = data.splitn(3, |b| *b == 0xFF);
    let (Some(rules), Some(left), Some(right)) = (parts.next(), parts.next(), parts.next()) else { return };
    let rules = match std::str::from_utf8(rules) {
        Ok(text) if text.trim_start().starts_with('{') => Rules::from_json(text),
        Ok(name) => Rules::preset(name.trim()),
        Err(_) => return,
    };
    if let Ok(rules) = rules {
        for lenient in [false, true] {
            let options = ReconcileOptions { lenient, ..ReconcileOptions::default() };
            let left = CsvFile { name: "left.csv", bytes: left };
            let right = CsvFile { name: "right.csv", bytes: right };
            if let Ok(result) = reconcile_csv(left, right, &rules, &options) {
                let _ = result.to_json();
                let _ = result.render("table");
            }
        }
    }
}

/// The printed report with arbitrary text in every string a page shows:
/// the input (lossy UTF-8) becomes the client id, the period label, claimant
/// ids, layman terms and category names.
pub fn print(data: &[u8]) {
    let Some(ds) = plan() else { return };
    let Ok(mut report) = ds.report(Some("A"), "2025-Q1", &ReportOptions::default()) else { return };
    let text = String::from_utf8_lossy(data).into_owned();
    garble(&mut report, &text);
    let options = PrintOptions::default();
    let _ = crate::print::pdf(&report, &options);
    let _ = crate::print::html(&report, &options);
}

fn garble(report: &mut Report, text: &str) {
    report.client_id = text.to_string();
    report.period.label = text.to_string();
    for c in &mut report.high_cost_claimants.claimants {
        c.claimant_id = text.to_string();
        c.layman_term = Some(text.to_string());
    }
    for s in &mut report.service_categories {
        s.name = text.to_string();
    }
    report.notes.push(text.to_string());
}
