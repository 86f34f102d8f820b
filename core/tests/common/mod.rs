//! What the golden-case tests share: the manifests of tests/golden/cases
//! (one file a case: input files by table, the complete options document,
//! the expected report) and a dataset loaded with a case's files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use claimscope::{Dataset, LoadOptions, ReportOptions, Table};

/// One golden case as its manifest says.
pub struct Case {
    pub name: String,
    pub client: String,
    pub period: String,
    /// (table, path) in load order; each file loads under its bare name.
    pub files: Vec<(Table, PathBuf)>,
    /// The options document as written (amounts as strings).
    pub options_json: String,
    pub expected: PathBuf,
}

impl Case {
    pub fn options(&self) -> ReportOptions {
        ReportOptions::from_json(&self.options_json).unwrap()
    }

    /// The dataset of the case: every file of the manifest.
    pub fn dataset(&self) -> Dataset {
        let mut ds = Dataset::new();
        for (table, path) in &self.files {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            ds.load_csv_bytes(*table, name, &bytes, &LoadOptions::default()).unwrap();
        }
        ds
    }

    pub fn report(&self) -> claimscope::Report {
        self.dataset().report(Some(&self.client), &self.period, &self.options()).unwrap()
    }
}

pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

/// Every case of tests/golden/cases, by name.
pub fn cases() -> Vec<Case> {
    let dir = golden_dir().join("cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let m: serde_json::Value = serde_json::from_str(&text).unwrap();
            let files = m["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (Table::parse(f["table"].as_str().unwrap()).unwrap(), dir.join(f["path"].as_str().unwrap())))
                .collect();
            Case {
                name: path.file_stem().unwrap().to_str().unwrap().to_string(),
                client: m["client"].as_str().unwrap().to_string(),
                period: m["period"].as_str().unwrap().to_string(),
                files,
                options_json: m["options"].to_string(),
                expected: dir.join(m["expected"].as_str().unwrap()),
            }
        })
        .collect()
}

/// A report document without its lineage (which names the files read).
pub fn without_lineage(json: &str) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    value.as_object_mut().unwrap().remove("lineage");
    value
}

/// A generated plan written under `work`, the first `tables` of its files
/// (`generate::PLAN_FILES`) loaded.
pub fn generated_plan(
    work: &Path,
    spec: claimscope::Result<claimscope::tools::generate::PlanSpec>,
    tables: usize,
) -> Dataset {
    let plan = work.join("plan");
    spec.unwrap().write(plan.to_str().unwrap()).unwrap();
    let mut ds = Dataset::new();
    for (table, file) in &claimscope::tools::generate::PLAN_FILES[..tables] {
        ds.load_path(*table, plan.join(file).to_str().unwrap(), &LoadOptions::default()).unwrap();
    }
    ds
}

/// A Dataset reading an export folder in place (`bind`: on a cluster or on
/// this machine) reads only its client's folders and, on the incurred basis,
/// its window's months: every other claims file is overwritten with junk once
/// it is bound, and the report still equals the loaded Dataset's, while a
/// query over the whole table fails on the junk. It refuses loads.
pub fn reads_only_its_partitions(bind: impl Fn(&Path) -> claimscope::Result<Dataset>, place: &str) {
    let work = tempfile::tempdir().unwrap();
    // Three clients, 2021-01..2024-12; CLIENT02's 2024 report reads 2022-01..2024-12. Claims,
    // budgets and enrollment only: a reimbursement naming a claim_id reads the client's every month.
    let spec = claimscope::tools::generate::PlanSpec::new(3_000, 48, 9, 3, "2021-01");
    let ds = generated_plan(work.path(), spec, 3);
    let local = ds.report(Some("CLIENT02"), "2024", &ReportOptions::default()).unwrap().to_json().unwrap();
    let folder = work.path().join("export");
    ds.export_parquet_dir(&folder).unwrap();
    let mut bound = bind(&folder).unwrap();
    let mut spoiled = 0;
    for entry in bound.lineage().iter().filter(|e| e.table == "claims") {
        let path = entry.source.as_str();
        let read = path.contains("client=CLIENT02/") && !path.contains("month=2021-");
        if !read {
            std::fs::write(path, b"not parquet").unwrap();
            spoiled += 1;
        }
    }
    // 12 months of CLIENT02 and 48 of each other client.
    assert!(spoiled >= 12 + 2 * 40, "only {spoiled} files spoiled");
    let report = bound.report(Some("CLIENT02"), "2024", &ReportOptions::default()).unwrap().to_json().unwrap();
    assert_eq!(without_lineage(&report), without_lineage(&local), "{place}");
    let whole = bound.sql("SELECT COUNT(*) FROM claims").map(|_| ()).expect_err("the junk files are read");
    assert!(whole.to_string().to_lowercase().contains("parquet"), "{place}: {whole}");
    // Rows loaded into it would replace the folder's tables: refused.
    let budgets = "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\n\
                   CLIENT02,2024,1,1.00,0.00,0.00,1.00\n";
    let refused = bound
        .load_csv_bytes(Table::Budgets, "more.csv", budgets.as_bytes(), &LoadOptions::default())
        .map(|_| ())
        .expect_err("a Dataset reading a folder in place takes no loads");
    assert!(refused.to_string().contains("in place"), "{place}: {refused}");
}
