//! The golden reports of tests/golden, byte for byte, through the Rust API.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
use common::{cases, golden_dir};

#[test]
fn golden_reports_match_byte_for_byte() {
    let update = std::env::var("CLAIMSCOPE_UPDATE_GOLDEN").is_ok();
    let mut checked = 0;
    for case in &cases() {
        let ds = case.dataset();
        let options = case.options();
        let json = ds.report(Some(&case.client), &case.period, &options).unwrap().to_json().unwrap();
        if update {
            std::fs::write(&case.expected, &json).unwrap();
        }
        let expected = std::fs::read_to_string(&case.expected).unwrap_or_default();
        assert!(json == expected, "{}: the report differs from {}", case.name, case.expected.display());
        // The same inputs give the same bytes on a second run.
        assert_eq!(ds.report(Some(&case.client), &case.period, &options).unwrap().to_json().unwrap(), json);
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

/// The claims figures from grouped DataFusion queries (what a cluster runs)
/// instead of the scan of stored rows: the same bytes on every case.
#[test]
fn golden_reports_match_when_claims_figures_are_grouped_queries() {
    let mut checked = 0;
    for case in &cases() {
        let mut ds = case.dataset();
        ds.set_claims_execution(claimscope::dataset::ClaimsExecution::GroupedQueries);
        let json = ds.report(Some(&case.client), &case.period, &case.options()).unwrap().to_json().unwrap();
        let expected = std::fs::read_to_string(&case.expected).unwrap();
        assert!(json == expected, "{}: the grouped-query report differs from {}", case.name, case.expected.display());
        // Every client, asked by query, as the stored tables hold them.
        assert_eq!(ds.clients().unwrap(), case.dataset().clients().unwrap(), "{}: clients by query", case.name);
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

#[test]
fn report_tables_as_arrow_keep_the_json_digits() {
    use claimscope::arrow::util::pretty::pretty_format_batches;
    let ds = claimscope::tools::demo::dataset().unwrap();
    let report = ds.report(None, "2025", &ReportOptions::default()).unwrap();
    let monthly = report.monthly_batch().unwrap();
    assert_eq!(monthly.num_rows(), 12);
    assert_eq!(
        monthly.schema().field_with_name("gross_claims").unwrap().data_type(),
        &arrow::datatypes::DataType::Decimal128(18, 2)
    );
    let text = pretty_format_batches(&[monthly]).unwrap().to_string();
    let jan = &report.monthly[0].figures;
    assert!(text.contains(&jan.gross_claims.to_string()), "{text}");
    let conc = pretty_format_batches(&[report.concentration_batch().unwrap()]).unwrap().to_string();
    assert!(conc.contains(&report.concentration[0].share.unwrap().to_string()), "{conc}");
    for b in [
        report.service_categories_batch().unwrap(),
        report.diagnosis_groups_batch().unwrap(),
        report.top_diagnoses_batch().unwrap(),
        report.high_cost_claimants_batch().unwrap(),
    ] {
        assert!(b.num_rows() > 0);
    }
}

#[test]
fn completion_tables_as_arrow_are_the_sections_rows() {
    use claimscope::arrow::array::{Array, AsArray};
    use claimscope::arrow::datatypes::Decimal128Type;
    let ds = claimscope::tools::demo::dataset().unwrap();
    let plain = ds.report(None, "2025", &ReportOptions::default()).unwrap();
    assert!(plain.table("completion_triangle").unwrap_err().to_string().contains("no completion section"));
    let options = ReportOptions::from_json(r#"{"completion": {"as_of": "2025-10-31"}}"#).unwrap();
    let report = ds.report(None, "2025-YTD-10", &options).unwrap();
    let section = report.completion.as_ref().unwrap();
    // Long form: one row per (incurred month, age) cell of the triangle.
    let cells: usize = section.triangle.total_cells();
    let triangle = report.table("completion_triangle").unwrap();
    assert_eq!(triangle.num_rows(), cells);
    // The cumulative total at each month's latest age is its paid to date.
    let cumulative = triangle.column_by_name("cumulative_total").unwrap().as_primitive::<Decimal128Type>();
    let ages = triangle.column_by_name("age").unwrap().as_primitive::<arrow::datatypes::Int64Type>();
    let mut at = 0;
    for month in &section.months {
        at += month.age;
        assert_eq!(ages.value(at), month.age as i64);
        assert_eq!(cumulative.value(at), month.paid.0.mantissa(), "{}", month.month);
        at += 1;
    }
    let factors = report.table("completion_factors").unwrap();
    assert_eq!(factors.num_rows(), section.factors.len());
    assert_eq!(
        factors.schema().field_with_name("factor").unwrap().data_type(),
        &arrow::datatypes::DataType::Decimal128(18, 10)
    );
    let months = report.table("completion_months").unwrap();
    assert_eq!(months.num_rows(), section.months.len());
    assert_eq!(months.column_by_name("projection").unwrap().null_count(), section.months.len() - 2);
}

#[test]
fn parquet_loads_like_csv() {
    use claimscope::datafusion::parquet::arrow::ArrowWriter;
    let root = golden_dir().join("basic");
    let mut from_csv = Dataset::new();
    from_csv
        .load_csv_bytes(
            Table::Claims,
            "claims",
            &std::fs::read(root.join("claims.csv")).unwrap(),
            &LoadOptions::default(),
        )
        .unwrap();
    let batches = from_csv.batches(Table::Claims).to_vec();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batches[0].schema(), None).unwrap();
    for b in &batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();
    let mut from_parquet = Dataset::new();
    let s = from_parquet.load_parquet_bytes(Table::Claims, "claims", bytes, &LoadOptions::default()).unwrap();
    assert_eq!((s.records_read, s.records_accepted), (13, 13));
    assert_eq!(from_parquet.batches(Table::Claims), &batches[..]);
}

/// The basic case's claims as typed Arrow IPC and Parquet files (dates as
/// date32, amounts as decimal128(18, 2); tests/data/typed/make_typed.py):
/// the golden report, in a Dataset and folded one-shot, with the file's
/// sha256 (as sha256sum prints it) in the lineage.
#[test]
fn typed_ipc_and_parquet_claims_give_the_golden_report() {
    use claimscope::report::OneShotReport;
    use sha2::Digest;
    let case = cases().into_iter().find(|c| c.name == "basic-2025-Q1").unwrap();
    let without_lineage = |json: &str| {
        let mut doc: serde_json::Value = serde_json::from_str(json).unwrap();
        let lineage = doc.as_object_mut().unwrap().remove("lineage").unwrap();
        (doc, lineage)
    };
    let (expected, _) = without_lineage(&std::fs::read_to_string(&case.expected).unwrap());
    let typed = golden_dir().join("../data/typed");
    for name in ["basic-claims.arrow", "basic-claims.parquet"] {
        let path = typed.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let sha = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let options = case.options();
        let mut ds = Dataset::new();
        let mut one = OneShotReport::new(Some(&case.client), &case.period, &options).unwrap();
        let mut files = case.files.clone();
        files.sort_by_key(|(t, _)| *t == Table::Claims);
        for (table, file) in &files {
            let file = if *table == Table::Claims { path.clone() } else { file.clone() };
            let file = file.to_str().unwrap();
            ds.load_path(*table, file, &LoadOptions::default()).unwrap();
            one.load_path(*table, file, &LoadOptions::default()).unwrap();
        }
        for report in [ds.report(Some(&case.client), &case.period, &options).unwrap(), one.finish().unwrap()] {
            let (doc, lineage) = without_lineage(&report.to_json().unwrap());
            assert!(doc == expected, "{name}: the report differs from {}", case.expected.display());
            let claims = lineage.as_array().unwrap().iter().find(|l| l["table"] == "claims").unwrap();
            assert_eq!((claims["sha256"].as_str().unwrap(), claims["accepted"].as_u64()), (sha.as_str(), Some(13)));
        }
    }
}

#[test]
fn one_shot_reports_fold_claims_to_the_golden_bytes() {
    use claimscope::report::OneShotReport;
    let mut checked = 0;
    for case in &cases() {
        let options = case.options();
        if !OneShotReport::supports(&options) {
            continue;
        }
        let mut one = OneShotReport::new(Some(&case.client), &case.period, &options).unwrap();
        // Stop-loss claim ids are looked up while claims are read: claims come last.
        let mut files = case.files.clone();
        files.sort_by_key(|(t, _)| *t == Table::Claims);
        for (table, path) in &files {
            let name = path.file_name().unwrap().to_str().unwrap();
            one.load_csv_bytes(*table, name, &std::fs::read(path).unwrap(), &LoadOptions::default()).unwrap();
        }
        let json = one.finish().unwrap().to_json().unwrap();
        let expected = std::fs::read_to_string(&case.expected).unwrap();
        assert!(json == expected, "{}: the one-shot report differs from {}", case.name, case.expected.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} golden cases ran one-shot");
}

#[test]
fn claims_stored_in_several_batches_report_as_one_batch_does() {
    // The stored path scans batches on every core and merges the scans.
    let mut checked = 0;
    for case in &cases() {
        let whole = case.dataset().report(Some(&case.client), &case.period, &case.options()).unwrap();
        let mut split = Dataset::new();
        for (table, path) in &case.files {
            let text = std::fs::read_to_string(path).unwrap();
            if *table != Table::Claims || text.lines().count() < 4 {
                split.load_csv_bytes(*table, "f", text.as_bytes(), &LoadOptions::default()).unwrap();
                continue;
            }
            // Three loads, rows dealt round-robin: three stored batches.
            let mut lines = text.lines();
            let header = lines.next().unwrap();
            let mut parts = vec![format!("{header}\n"); 3];
            for (i, line) in lines.enumerate() {
                parts[i % 3].push_str(line);
                parts[i % 3].push('\n');
            }
            for (i, part) in parts.iter().enumerate() {
                split
                    .load_csv_bytes(Table::Claims, &format!("part{i}"), part.as_bytes(), &LoadOptions::default())
                    .unwrap();
            }
            assert_eq!(split.batches(Table::Claims).len(), 3, "{}", case.name);
        }
        let parts = split.report(Some(&case.client), &case.period, &case.options()).unwrap();
        // The completion tables need a report asked for completion.
        for table in claimscope::report::TABLE_NAMES.iter().filter(|t| !t.starts_with("completion")) {
            assert_eq!(parts.table(table).unwrap(), whole.table(table).unwrap(), "{}: {table}", case.name);
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

#[test]
fn a_warm_report_reuses_its_claim_scan_until_claims_are_loaded_again() {
    let case = cases().into_iter().find(|c| c.name == "basic-2025-Q1").unwrap();
    let options = case.options();
    let mut ds = case.dataset();
    let cold = ds.report(Some(&case.client), &case.period, &options).unwrap();
    let warm = ds.report(Some(&case.client), &case.period, &options).unwrap();
    assert_eq!(warm.to_json().unwrap(), cold.to_json().unwrap());
    // One more claim: 100.00 of office visits in January 2025 for a new claimant.
    let more = "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,service_type,service_category,icd_code,medical_desc,layman_term,medical_amount,pharmacy_amount,total_amount\nACME,X1,PX,2025-01-15,2025-01-20,medical,Office Visit,Office Visit,J06.9,URI,Cold,100.00,0.00,100.00\n";
    ds.load_csv_bytes(Table::Claims, "more.csv", more.as_bytes(), &LoadOptions::default()).unwrap();
    let after = ds.report(Some(&case.client), &case.period, &options).unwrap();
    let jan = |r: &claimscope::Report| -> rust_decimal::Decimal {
        r.monthly.iter().find(|m| m.month == "2025-01").unwrap().figures.gross_claims.to_string().parse().unwrap()
    };
    assert_eq!(jan(&after) - jan(&cold), "100.00".parse().unwrap());
}
