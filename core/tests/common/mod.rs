//! What the golden-case tests share: the case list of tests/golden and a
//! dataset loaded with each case's files and options.

#![allow(dead_code)]

use claimscope::generate::PLAN_FILES;
use claimscope::{Dataset, LoadOptions, ReportOptions, Table};

/// A generated plan's files, and the eligibility spans some cases add.
pub fn files() -> impl Iterator<Item = (Table, &'static str)> {
    PLAN_FILES.into_iter().chain([(Table::Enrollments, "eligibility.csv")])
}

/// A case's report options: basis and threshold, its `options` object, and
/// its `contract` file (relative to the case folder) as `stop_loss_contract`.
pub fn case_options(case: &serde_json::Value, dir: &std::path::Path) -> ReportOptions {
    let mut doc = serde_json::Map::new();
    doc.insert("basis".into(), case["basis"].clone());
    doc.insert("hcc_threshold".into(), case["hcc_threshold"].clone());
    if let Some(extra) = case.get("options").and_then(|o| o.as_object()) {
        doc.extend(extra.clone());
    }
    let mut text = serde_json::Value::Object(doc).to_string();
    if let Some(file) = case.get("contract").and_then(|c| c.as_str()) {
        // Spliced as text so the contract's numbers keep their exact digits.
        let contract = std::fs::read_to_string(dir.join(file)).unwrap();
        text = format!("{},\"stop_loss_contract\":{}}}", &text[..text.len() - 1], contract.trim());
    }
    ReportOptions::from_json(&text).unwrap()
}

pub fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

/// Every case of cases.json.
pub fn cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(golden_dir().join("cases.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    cases.as_array().unwrap().clone()
}

/// The dataset of a case: each of `files()` present in its folder.
pub fn case_dataset(case: &serde_json::Value) -> Dataset {
    let dir = golden_dir().join(case["dir"].as_str().unwrap());
    let mut ds = Dataset::new();
    for (table, file) in files() {
        let path = dir.join(file);
        if path.exists() {
            let bytes = std::fs::read(&path).unwrap();
            ds.load_csv_bytes(table, file, &bytes, &LoadOptions::default()).unwrap();
        }
    }
    ds
}
