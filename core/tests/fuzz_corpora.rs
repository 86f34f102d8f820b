//! The fuzzers' corpora (fuzz/corpus/<target>/, seeded from tests/ and
//! grown and minimised by cargo-fuzz) replayed on stable through the same
//! target bodies: every input that once found a crash stays a test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use claimscope::tools::fuzzing;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{target}: no corpus in {}", dir.display());
    for path in inputs {
        // A fuzzer running beside the test may have just replaced the file.
        let Ok(data) = std::fs::read(&path) else { continue };
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn load_corpus() {
    replay("load", fuzzing::load);
}

#[test]
fn mapping_profile_corpus() {
    replay("mapping_profile", fuzzing::mapping_profile);
}

#[test]
fn report_options_corpus() {
    replay("report_options", fuzzing::report_options);
}

#[test]
fn stop_loss_contract_corpus() {
    replay("stop_loss_contract", fuzzing::stop_loss_contract);
}

#[test]
fn period_corpus() {
    replay("period", fuzzing::period);
}

#[test]
fn reconciliation_corpus() {
    replay("reconciliation", fuzzing::reconciliation);
}

#[test]
fn print_corpus() {
    replay("print", fuzzing::print);
}
