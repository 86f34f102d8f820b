//! The bad-input catalogue (tests/bad-inputs/*.json, one case a file) run
//! through the binary: each file loaded by `validate`, each period label and
//! stop-loss contract given to `report --demo`; the exit code and the error
//! text on stderr are the case's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A case's file bytes: `UTF16LE:` in front means the rest, as UTF-16LE.
fn file_bytes(text: &str) -> Vec<u8> {
    match text.strip_prefix("UTF16LE:") {
        Some(rest) => rest.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        None => text.as_bytes().to_vec(),
    }
}

#[test]
fn every_bad_input_gets_its_exit_code_and_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-inputs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 60, "only {} cases", paths.len());
    let work = std::env::temp_dir().join(format!("claimscope-bad-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut failures = Vec::new();
    for path in &paths {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimscope"));
        match case["kind"].as_str().unwrap() {
            "file" => {
                let input = work.join(format!("{name}.csv"));
                std::fs::write(&input, file_bytes(case["file"].as_str().unwrap())).unwrap();
                cmd.args(["validate", "--table", case["table"].as_str().unwrap()]).arg(&input);
                if !case["profile"].is_null() {
                    let profile = work.join(format!("{name}.profile.json"));
                    std::fs::write(&profile, case["profile"].to_string()).unwrap();
                    cmd.arg("--mapping").arg(&profile);
                }
            }
            "period" => {
                cmd.args(["report", "--demo", "--period", case["label"].as_str().unwrap()]);
            }
            "contract" => {
                let contract = work.join(format!("{name}.contract.json"));
                std::fs::write(&contract, case["contract"].to_string()).unwrap();
                cmd.args(["report", "--demo", "--period", "2025", "--stop-loss-contract"]).arg(&contract);
            }
            other => panic!("{name}: unknown kind {other}"),
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let (exit, error) = (case["expect"]["exit"].as_i64().unwrap(), case["expect"]["error"].as_str().unwrap());
        if i64::from(out.status.code().unwrap_or(-1)) != exit || !stderr.contains(error) {
            failures
                .push(format!("{name}: exit {:?} (want {exit}); stderr {stderr:?}; want {error:?}", out.status.code()));
        }
    }
    std::fs::remove_dir_all(&work).ok();
    assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), paths.len(), failures.join("\n"));
}
