//! Reconciliation against values worked out by hand: each rule part at its
//! boundary, one-to-one choice and tie-breaking, the presets, counts that
//! always add up, and precision / recall on generated exports.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::reconcile::{self, CsvFile, Options, Reconciliation, Rules};
use claimscope::tools::generate_recon as generate;
use proptest::prelude::*;

fn run(left: &str, right: &str, rules: &Rules) -> Reconciliation {
    try_run(left, right, rules, false).unwrap()
}

fn try_run(left: &str, right: &str, rules: &Rules, lenient: bool) -> claimscope::Result<Reconciliation> {
    reconcile::reconcile_csv(
        CsvFile { name: "left.csv", bytes: left.as_bytes() },
        CsvFile { name: "right.csv", bytes: right.as_bytes() },
        rules,
        &Options { lenient, ..Options::default() },
    )
}

fn rules(json: &str) -> Rules {
    Rules::from_json(json).unwrap()
}

/// (left record, right record) of each matched pair.
fn pairs(r: &Reconciliation) -> Vec<(u64, u64)> {
    r.matched.iter().map(|m| (m.left.record, m.right.record)).collect()
}

fn unmatched(list: &[reconcile::Unmatched]) -> Vec<u64> {
    list.iter().map(|u| u.row.record).collect()
}

/// A reconciliation manifest of tests/reconcile/cases, and its folder.
fn manifest(name: &str) -> (serde_json::Value, std::path::PathBuf) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reconcile/cases");
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
    (serde_json::from_str(&text).unwrap(), dir)
}

#[test]
fn pos_small_by_hand_and_its_golden_json() {
    let (case, dir) = manifest("pos-small");
    let read = |key: &str| std::fs::read_to_string(dir.join(case[key].as_str().unwrap())).unwrap();
    let r = run(&read("left"), &read("right"), &Rules::preset(case["preset"].as_str().unwrap()).unwrap());
    // T1 / R1: a day later (1 - 1/6), 3.20 less of 0.50 + 3% of 100.00 = 3.50
    // allowed (1 - 3.20/7.00), Jon a nickname of Jonathan in the licensed
    // table (0.95) weighing 4: (0.833333 + 0.542857 + 4 x 0.95) / 6 = 0.862698.
    // T2 / R2: same day, 7.55 less of 8.00 allowed: (1 + 0.528125 + 4 x 1) / 6 = 0.921354.
    assert_eq!(pairs(&r), vec![(1, 1), (2, 2)]);
    assert_eq!(r.matched[0].score, 0.8627);
    assert_eq!(r.matched[1].score, 0.9214);
    assert_eq!(r.matched[0].amount_difference.unwrap().to_string(), "-3.20");
    assert_eq!(r.matched[0].date_difference_days, Some(1));
    assert_eq!(r.matched[0].left.id.as_deref(), Some("T1"));
    // T3 / R3 are 8 days apart (tolerance 2): both unmatched, each the other's near miss.
    assert_eq!(unmatched(&r.unmatched_left), vec![3]);
    assert_eq!(unmatched(&r.unmatched_right), vec![3]);
    let why = &r.unmatched_left[0].why;
    assert!(why.starts_with("closest right record 3: date: right is 8 days later"), "{why}");
    assert_eq!(r.unmatched_right[0].near_miss.as_ref().unwrap().row.id.as_deref(), Some("T3"));
    let a = r.summary.amounts.as_ref().unwrap();
    assert_eq!(
        [a.matched_left, a.matched_right, a.difference, a.unmatched_left, a.unmatched_right].map(|d| d.to_string()),
        ["350.00", "339.25", "-10.75", "40.00", "38.54"]
    );
    assert_eq!(r.summary.match_rate_left.unwrap().to_string(), "0.6667");
    assert_eq!(r.summary.by_month.len(), 1);
    assert_eq!(r.summary.by_month[0].month, "2025-03");

    let expected = dir.join(case["expected"].as_str().unwrap());
    let json = r.to_json().unwrap();
    if std::env::var_os("CLAIMSCOPE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected, &json).unwrap();
    }
    assert_eq!(json, std::fs::read_to_string(expected).unwrap(), "tests/reconcile/pos-small/expected.json");
}

#[test]
fn date_tolerance_is_inclusive() {
    let r = rules(r#"{"date": {"left": "d", "right": "d", "tolerance_days": 2}, "min_score": 0}"#);
    let out = run("d\n2025-01-10\n2025-02-10\n", "d\n2025-01-12\n2025-02-13\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    // 2 days of tolerance 2: 1 - 2/6.
    assert_eq!(out.matched[0].score, 0.6667);
    assert!(out.unmatched_left[0].why.contains("right is 3 days later"), "{}", out.unmatched_left[0].why);
}

#[test]
fn amount_tolerance_is_exact_to_the_cent() {
    let r = rules(r#"{"amount": {"left": "a", "right": "a", "tolerance": "1.00"}, "min_score": 0}"#);
    // 100.00 / 101.00 is exactly the allowance; 200.00 / 201.01 is a cent over.
    let out = run("a\n100.00\n200.00\n", "a\n101.00\n201.01\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(out.matched[0].score, 0.5);
    let why = &out.unmatched_left[0].why;
    assert!(why.contains("right is 1.01 more (200.00 / 201.01; allowed 1.00 (1.00))"), "{why}");
}

#[test]
fn keys_compare_normalised_and_digits_only() {
    let r =
        rules(r#"{"keys": [{"left": "name", "right": "name"}, {"left": "id", "right": "id", "digits_only": true}]}"#);
    let out = run("name,id\n  ACME   Corp ,000123\nAcme,9\n", "name,id\nacme corp,ID-123\nacme,8\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(out.matched[0].score, 1.0);
    assert_eq!(out.unmatched_left[0].why, "no right row has the same key");
}

#[test]
fn pairs_are_chosen_best_score_first_one_to_one() {
    // L1-R1 0.9, L1-R2 0.55, L2-R1 0.95, L2-R2 0.7 (1 - diff / 2.00):
    // L2 takes R1 first, then L1 takes R2 although R1 was its best.
    let r = rules(r#"{"amount": {"left": "a", "right": "a", "tolerance": "1.00"}, "min_score": 0.5}"#);
    let out = run("a\n100.00\n100.30\n", "a\n100.20\n100.90\n", &r);
    assert_eq!(pairs(&out), vec![(1, 2), (2, 1)]);
    assert_eq!(out.matched.iter().map(|m| m.score).collect::<Vec<_>>(), vec![0.55, 0.95]);
}

#[test]
fn ties_go_to_the_earlier_left_row_then_the_earlier_right_row() {
    let r = rules(r#"{"keys": [{"left": "k", "right": "k"}], "amount": {"left": "a", "right": "a"}}"#);
    let out = run("k,a\nx,5.00\nx,5.00\n", "k,a\nx,5.00\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    let why = &out.unmatched_left[0].why;
    assert_eq!(why, "its best match was taken: right record 1 is matched to left record 1 with score 1, the same score; ties go to the earlier row (a duplicate?)");
    let out = run("k,a\nx,5.00\n", "k,a\nx,5.00\nx,5.00\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(unmatched(&out.unmatched_right), vec![2]);
}

#[test]
fn a_name_needs_every_word_close() {
    let r = rules(r#"{"fuzzy": [{"left": "n", "right": "n", "min_similarity": 0.85}]}"#);
    let out = run("n\nJon Smith\nAustin King\n", "n\n\"SMITH, JONATHAN\"\n\"HILL, AUSTIN\"\n", &r);
    assert_eq!(pairs(&out), vec![(1, 1)]);
    let why = &out.unmatched_left[0].why;
    assert!(why.contains("fuzzy: 'Austin King' ~ 'HILL, AUSTIN' as 'austin king' ~ 'austin hill'"), "{why}");
}

#[test]
fn stop_loss_preset_explains_a_partial_reimbursement() {
    let left = "claimant_id,expected_amount\nC1,\"60,000.00\"\nC2,12500.00\nC3,5000.00\n";
    let right = "claimant_id,amount,paid_date,carrier\nC1,60000.00,2025-03-01,Acme Re\nc2,10000.00,2025-03-02,Acme Re\nC4,3000.00,2025-03-02,Acme Re\n";
    let out = run(left, right, &Rules::preset("stop-loss").unwrap());
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(unmatched(&out.unmatched_left), vec![2, 3]);
    assert_eq!(unmatched(&out.unmatched_right), vec![2, 3]);
    let why = &out.unmatched_left[0].why;
    assert!(why.contains("amount: right is 2500.00 less (12500.00 / 10000.00; allowed 1.00 (1.00))"), "{why}");
    assert_eq!(out.unmatched_left[1].why, "no right row has the same key");
    let a = out.summary.amounts.unwrap();
    assert_eq!((a.unmatched_left.to_string(), a.unmatched_right.to_string()), ("17500.00".into(), "13000.00".into()));
}

#[test]
fn admin_invoice_preset_multiplies_rate_by_employees() {
    let left = "year,month,pepm_rate,employee_count\n2025,1,42.50,120\n2025,2,42.50,121\n";
    let right = "year,month,billed\n2025,01,5100.00\n2025,02,5185.00\n";
    let out = run(left, right, &Rules::preset("admin-invoice").unwrap());
    // 42.50 x 120 = 5100.00 matches; 42.50 x 121 = 5142.50 is 42.50 under the bill.
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(out.unmatched_left[0].row.amount.unwrap().to_string(), "5142.50");
    assert!(out.unmatched_left[0].why.contains("right is 42.50 more"), "{}", out.unmatched_left[0].why);
}

#[test]
fn rebates_preset_matches_by_period_and_type() {
    let left = "period,rebate_type,expected_amount\n2025-Q1,pharmacy,1000.00\n2025-Q1,medical,50.00\n";
    let right = "client_id,period,amount,rebate_type\nA,2025-q1,999.50,Pharmacy\n";
    let out = run(left, right, &Rules::preset("rebates").unwrap());
    assert_eq!(pairs(&out), vec![(1, 1)]);
    assert_eq!(out.matched[0].amount_difference.unwrap().to_string(), "-0.50");
}

#[test]
fn unreadable_rows_fail_strict_and_are_rejected_lenient() {
    let r = rules(r#"{"date": {"left": "d", "right": "d"}}"#);
    let e = try_run("d\n2025-01-01\n2025-02-30\n", "d\n2025-01-01\n", &r, false).err().unwrap().to_string();
    assert!(e.contains("left.csv: 1 of 2 records rejected"), "{e}");
    assert!(e.contains("record 2 (line 3), column d: '2025-02-30'"), "{e}");
    let out = try_run("d\n2025-01-01\n2025-02-30\n", "d\n2025-01-01\n", &r, true).unwrap();
    assert_eq!((out.summary.matched, out.summary.rejected_left, out.summary.left_records), (1, 1, 2));
    let e = try_run("x\n1\n", "d\n2025-01-01\n", &r, false).err().unwrap().to_string();
    assert!(e.contains("left file: the date column is missing"), "{e}");
}

#[test]
fn generated_exports_match_with_precision_and_recall_of_at_least_0_995() {
    let dir = std::env::temp_dir().join(format!("claimscope-recon-{}", std::process::id()));
    let dir_text = dir.to_string_lossy().to_string();
    generate::write(20_000, 3, &dir_text).unwrap();
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let (left, right) = (read(generate::LEFT_FILE), read(generate::RIGHT_FILE));
    let out = reconcile::reconcile_csv(
        CsvFile { name: "l", bytes: &left },
        CsvFile { name: "r", bytes: &right },
        &Rules::preset("pos-rewards").unwrap(),
        &Options::default(),
    )
    .unwrap();
    let e = reconcile::evaluate(&out, &read(generate::TRUTH_FILE), generate::TRUTH_FILE).unwrap();
    println!(
        "20,000 sales: precision {} recall {} ({} correct of {} matched, {} true pairs)",
        e.precision, e.recall, e.correct, e.matched, e.true_pairs
    );
    let s = &out.summary;
    assert_eq!(s.left_records, s.matched + s.unmatched_left + s.rejected_left);
    assert_eq!(s.right_records, s.matched + s.unmatched_right + s.rejected_right);
    assert!(e.precision >= "0.995".parse().unwrap() && e.recall >= "0.995".parse().unwrap(), "{e:?}");
    let _ = std::fs::remove_dir_all(dir);
}

fn table(rows: &[(u8, u16, u8)]) -> String {
    let names = ["Ann Lee", "LEE, ANN", "Bob Stone", "Robert Stone", "Maria Garcia", ""];
    let mut out = String::from("d,a,n\n");
    for (day, cents, name) in rows {
        out.push_str(&format!(
            "2025-01-{:02},{}.{:02},\"{}\"\n",
            day % 28 + 1,
            cents / 100,
            cents % 100,
            names[*name as usize % names.len()]
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every row is in exactly one class, whatever the rows and tolerances.
    #[test]
    fn every_row_ends_in_exactly_one_class(
        left in prop::collection::vec((0u8..28, 0u16..500, 0u8..6), 0..40),
        right in prop::collection::vec((0u8..28, 0u16..500, 0u8..6), 0..40),
        days in 0u32..4,
        tolerance in 0u16..300,
        min_score in 0.0f64..1.0,
    ) {
        let json = format!(
            r#"{{"date": {{"left": "d", "right": "d", "tolerance_days": {days}}}, "amount": {{"left": "a", "right": "a", "tolerance": "{}.{:02}"}}, "fuzzy": [{{"left": "n", "right": "n", "min_similarity": 0.8}}], "min_score": {min_score}}}"#,
            tolerance / 100, tolerance % 100
        );
        let out = run(&table(&left), &table(&right), &rules(&json));
        let mut seen_left: Vec<u64> = out.matched.iter().map(|m| m.left.record).chain(unmatched(&out.unmatched_left)).collect();
        let mut seen_right: Vec<u64> = out.matched.iter().map(|m| m.right.record).chain(unmatched(&out.unmatched_right)).collect();
        seen_left.sort_unstable();
        seen_right.sort_unstable();
        prop_assert_eq!(seen_left, (1..=left.len() as u64).collect::<Vec<_>>());
        prop_assert_eq!(seen_right, (1..=right.len() as u64).collect::<Vec<_>>());
        prop_assert!(out.matched.iter().all(|m| m.score >= (min_score * 10_000.0).round() / 10_000.0 - 1e-9));
        prop_assert!(out.unmatched_left.iter().chain(&out.unmatched_right).all(|u| !u.why.is_empty()));
    }
}

#[test]
fn an_ambiguous_date_column_asks_for_its_format() {
    let r = rules(r#"{"date": {"left": "d", "right": "d"}}"#);
    let e = try_run("d\n2025-03-01\n", "d\n03/02/2025\n", &r, false).err().unwrap().to_string();
    assert!(
        e.starts_with("right file: column d: every date fits both month-first and day-first (e.g. '03/02/2025')"),
        "{e}"
    );
    assert!(e.contains("set \"right_format\" in the rules' date to \"%m/%d/%Y\" or \"%d/%m/%Y\""), "{e}");
    let r = rules(r#"{"date": {"left": "d", "right": "d", "right_format": "%d/%m/%Y"}}"#);
    assert_eq!(pairs(&run("d\n2025-02-03\n", "d\n03/02/2025\n", &r)), vec![(1, 1)]);
}

#[test]
fn a_truth_file_is_read_by_the_rules_id_columns_or_its_first_two_and_scored_by_hand() {
    let r = rules(r#"{"id": {"left": "txn", "right": "rid"}, "keys": [{"left": "k", "right": "k"}]}"#);
    // Keys a, b, c, d match one-to-one: (T1,R1) (T2,R2) (T3,R9) (T4,R4).
    let out = run("txn,k\nT1,a\nT2,b\nT3,c\nT4,d\nT5,e\n", "rid,k\nR1,a\nR2,b\nR9,c\nR4,d\nR5,f\n", &r);
    assert_eq!(out.matched.len(), 4);
    // By hand: 5 true pairs; (T1,R1) (T2,R2) (T4,R4) listed, (T3,R9) not:
    // precision 3/4, recall 3/5, F1 = 2*3*3 / (3*4 + 3*5) = 18/27.
    let named = "redemption,txn,rid\nx,T1,R1\nx,T2,R2\nx,T3,R3\nx,T4,R4\nx,T5,R5\n";
    let e = reconcile::evaluate(&out, named.as_bytes(), "truth.csv").unwrap();
    assert_eq!((e.left_column.as_str(), e.right_column.as_str()), ("txn", "rid"));
    assert_eq!((e.true_pairs, e.matched, e.correct), (5, 4, 3));
    assert_eq!(
        (e.precision.to_string(), e.recall.to_string(), e.f1.to_string()),
        ("0.7500".into(), "0.6000".into(), "0.6667".into())
    );
    // Columns named otherwise (the report that found "0 true pairs"): the first two.
    let other = "txn_id,redemption_id\nT1,R1\nT2,R2\nT3,R3\nT4,R4\nT5,R5\n";
    let e2 = reconcile::evaluate(&out, other.as_bytes(), "truth.csv").unwrap();
    assert_eq!((e2.left_column.as_str(), e2.true_pairs, e2.correct, e2.recall), ("txn_id", 5, 3, e.recall));
    // A kind column: a matched duplicate is correct but is no pair to find.
    let kinds = "transaction_id,redemption_id,kind\nT1,R1,pair\nT2,R2,pair\nT3,R9,duplicate_right\n";
    let e3 = reconcile::evaluate(&out, kinds.as_bytes(), "truth.csv").unwrap();
    assert_eq!(
        (e3.true_pairs, e3.correct, e3.precision.to_string(), e3.recall.to_string()),
        (2, 3, "0.7500".into(), "1.0000".into())
    );
    // One column, no rows, a blank id, an unknown kind: errors that say what was expected.
    let fails = |truth: &str| reconcile::evaluate(&out, truth.as_bytes(), "truth.csv").unwrap_err().to_string();
    let one = fails("txn_id\nT1\n");
    assert!(one.contains("needs two id columns: the rules' txn and rid") && one.contains("txn_id"), "{one}");
    assert!(fails("txn,rid\n").contains("lists no pairs"));
    assert!(fails("txn,rid\nT1,\n").contains("line 2: a blank id"));
    assert!(fails("txn,rid,kind\nT1,R1,maybe\n").contains("kind 'maybe'"));
}
