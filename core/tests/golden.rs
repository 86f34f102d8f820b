//! The golden reports of tests/golden, byte for byte, through the Rust API.

mod common;

use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
use common::{case_dataset, case_options, cases, golden_dir};

#[test]
fn golden_reports_match_byte_for_byte() {
    let root = golden_dir();
    let update = std::env::var("CLAIMSCOPE_UPDATE_GOLDEN").is_ok();
    let mut checked = 0;
    for case in &cases() {
        let name = case["name"].as_str().unwrap();
        let dir = root.join(case["dir"].as_str().unwrap());
        let ds = case_dataset(case);
        let options = case_options(case, &dir);
        let report = ds.report(case["client"].as_str(), case["period"].as_str().unwrap(), &options).unwrap();
        let json = report.to_json().unwrap();
        let expected_path = root.join("expected").join(format!("{name}.json"));
        if update {
            std::fs::write(&expected_path, &json).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        assert!(json == expected, "{name}: the report differs from {}", expected_path.display());
        // The same inputs give the same bytes on a second run.
        assert_eq!(ds.report(case["client"].as_str(), case["period"].as_str().unwrap(), &options).unwrap().to_json().unwrap(), json);
        checked += 1;
    }
    assert!(checked >= 11, "only {checked} golden cases ran");
}

#[test]
fn report_tables_as_arrow_keep_the_json_digits() {
    use claimscope::arrow::util::pretty::pretty_format_batches;
    let ds = claimscope::demo::dataset().unwrap();
    let report = ds.report(None, "2025", &ReportOptions::default()).unwrap();
    let monthly = report.monthly_batch().unwrap();
    assert_eq!(monthly.num_rows(), 12);
    assert_eq!(monthly.schema().field_with_name("gross_claims").unwrap().data_type(), &claimscope::arrow::datatypes::DataType::Decimal128(18, 2));
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
fn parquet_loads_like_csv() {
    use claimscope::datafusion::parquet::arrow::ArrowWriter;
    let root = golden_dir().join("basic");
    let mut from_csv = Dataset::new();
    from_csv.load_csv_bytes(Table::Claims, "claims", &std::fs::read(root.join("claims.csv")).unwrap(), &LoadOptions::default()).unwrap();
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
