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
