//! The golden reports of tests/golden, byte for byte, through the Rust API.

use claimscope::{Basis, Dataset, LoadOptions, ReportOptions, Table};

const FILES: [(Table, &str); 6] = [
    (Table::Claims, "claims.csv"),
    (Table::Budgets, "budgets.csv"),
    (Table::Enrollments, "enrollment.csv"),
    (Table::AdminFees, "admin_fees.csv"),
    (Table::Rebates, "rebates.csv"),
    (Table::StopLossReimbursements, "stop_loss.csv"),
];

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

#[test]
fn golden_reports_match_byte_for_byte() {
    let root = golden_dir();
    let cases: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("cases.json")).unwrap()).unwrap();
    let update = std::env::var("CLAIMSCOPE_UPDATE_GOLDEN").is_ok();
    let mut checked = 0;
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let dir = root.join(case["dir"].as_str().unwrap());
        let mut ds = Dataset::new();
        for (table, file) in FILES {
            let path = dir.join(file);
            if path.exists() {
                let bytes = std::fs::read(&path).unwrap();
                ds.load_csv_bytes(table, file, &bytes, &LoadOptions::default()).unwrap();
            }
        }
        let options = ReportOptions {
            basis: Basis::parse(case["basis"].as_str().unwrap()).unwrap(),
            hcc_threshold: claimscope::money::parse_money_option(case["hcc_threshold"].as_str().unwrap()).unwrap(),
            ..ReportOptions::default()
        };
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
    assert!(checked >= 8, "only {checked} golden cases ran");
}
