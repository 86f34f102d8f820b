//! The claimscope binary end to end: golden bytes, exit codes, validate and
//! mapping suggest.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_claimscope"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/golden/expected").join(name)).unwrap()
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

const BASIC_FILES: [&str; 12] = [
    "--claims",
    "claims.csv",
    "--budgets",
    "budgets.csv",
    "--enrollment",
    "enrollment.csv",
    "--admin-fees",
    "admin_fees.csv",
    "--rebates",
    "rebates.csv",
    "--stop-loss",
    "stop_loss.csv",
];

#[test]
fn report_from_files_prints_the_golden_bytes() {
    let out = run(bin()
        .current_dir(repo().join("tests/golden/basic"))
        .arg("report")
        .args(BASIC_FILES)
        .args(["--client", "ACME", "--period", "2025-Q1"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), golden("basic-2025-Q1.json"));
}

#[test]
fn demo_report_is_the_sample_golden_and_out_writes_the_same_bytes() {
    let out = run(bin().args(["report", "--demo", "--period", "2025"]));
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), golden("sample-2025.json"));
    let path = std::env::temp_dir().join(format!("claimscope-cli-{}.json", std::process::id()));
    let out = run(bin().args(["report", "--demo", "--period", "2025", "--out"]).arg(&path));
    assert!(out.status.success() && out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), golden("sample-2025.json"));
    let _ = std::fs::remove_file(path);
    let table = run(bin().args(["report", "--demo", "--period", "2025", "--format", "table"]));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("Loss ratio") && text.contains("2025-12"), "{text}");
}

#[test]
fn exit_codes_say_whose_fault_it_is() {
    let bad_period = run(bin().args(["report", "--demo", "--period", "2025-13"]));
    assert_eq!(bad_period.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_period.stderr).contains("'2025-13'"));
    let unknown_client = run(bin().args(["report", "--demo", "--period", "2025", "--client", "NOPE"]));
    assert_eq!(unknown_client.status.code(), Some(2));
    let bad_flag = run(bin().args(["report", "--demo", "--period", "2025", "--basis", "cash"]));
    assert_eq!(bad_flag.status.code(), Some(2));

    let dir = std::env::temp_dir().join(format!("claimscope-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("claims.csv"),
        "client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,P2,2025-02-30,2.00\n",
    )
    .unwrap();
    let bad_data = run(bin().current_dir(&dir).args(["report", "--claims", "claims.csv", "--period", "2025"]));
    assert_eq!(bad_data.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&bad_data.stderr).to_string();
    assert!(stderr.contains("claims.csv: record 2 (line 3), column claim_date: '2025-02-30'"), "{stderr}");
    let validate = run(bin().current_dir(&dir).args(["validate", "--table", "claims", "claims.csv"]));
    assert_eq!(validate.status.code(), Some(3));
    let lenient = run(bin().current_dir(&dir).args(["validate", "--table", "claims", "claims.csv", "--lenient"]));
    assert_eq!(lenient.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&lenient.stdout).unwrap();
    assert_eq!(
        (summary["records_read"].as_u64(), summary["records_accepted"].as_u64(), summary["records_rejected"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_suggested_profile_loads_the_carrier_export() {
    let carrier = repo().join("tests/data/carrier_claims.csv");
    let out = run(bin().arg("mapping").arg("suggest").arg(&carrier));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let profile = std::env::temp_dir().join(format!("claimscope-profile-{}.json", std::process::id()));
    std::fs::write(&profile, &out.stdout).unwrap();
    let validate = run(bin().args(["validate", "--table", "claims"]).arg(&carrier).arg("--mapping").arg(&profile));
    assert!(
        validate.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&validate.stdout).unwrap();
    assert_eq!(summary["records_accepted"].as_u64(), Some(4));
    let _ = std::fs::remove_file(profile);
}

/// Drops what names a file (its name and sha256) from a report document.
fn without_sources(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(map) => {
            map.remove("source");
            map.remove("sha256");
            for item in map.values_mut() {
                *item = without_sources(item.take());
            }
        }
        serde_json::Value::Array(items) => {
            for item in items.iter_mut() {
                *item = without_sources(item.take());
            }
        }
        _ => {}
    }
    v
}

/// Three carrier-style exports of the sample plan (tests/mapping/make_exports.py:
/// their own headers, date orders, amount forms and type codes) go through
/// `mapping suggest DIR` with no edits: the profiles are the ones written by
/// hand in each expected.json, and the report through them is the sample's.
#[test]
fn mapping_suggest_dir_takes_three_carrier_exports_to_the_report_with_no_edits() {
    let sample: serde_json::Value =
        serde_json::from_slice(&run(bin().args(["report", "--demo", "--period", "2025"])).stdout).unwrap();
    for export in ["carrier-a", "carrier-b", "carrier-c"] {
        let source = repo().join("tests/mapping").join(export);
        let dir = std::env::temp_dir().join(format!("claimscope-{export}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let expected: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(source.join("expected.json")).unwrap()).unwrap();
        for file in expected.keys() {
            std::fs::copy(source.join(file), dir.join(file)).unwrap();
        }
        let out = run(bin().args(["mapping", "suggest"]).arg(&dir));
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success() && said.contains("nothing left to decide"), "{export}: {said}");
        let mut files = vec![];
        for (file, want) in &expected {
            let stem = Path::new(file).file_stem().unwrap().to_string_lossy().to_string();
            let got: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("mapping").join(format!("{stem}.json"))).unwrap())
                    .unwrap();
            for field in
                ["table", "columns", "date_format", "value_maps", "delimiter", "blank_as_zero", "needs_decision"]
            {
                assert_eq!(got.get(field), want.get(field), "{export}/{file}: {field}");
            }
            let option = match want["table"].as_str().unwrap() {
                "claims" => "--claims",
                "budgets" => "--budgets",
                "enrollments" => "--enrollment",
                "admin_fees" => "--admin-fees",
                "rebates" => "--rebates",
                _ => "--stop-loss",
            };
            files.push(option.to_string());
            files.push(dir.join(file).to_string_lossy().to_string());
        }
        let report =
            run(bin().arg("report").args(&files).arg("--mapping").arg(dir.join("mapping")).args(["--period", "2025"]));
        assert!(report.status.success(), "{export}: {}", String::from_utf8_lossy(&report.stderr));
        let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        assert_eq!(
            without_sources(report),
            without_sources(sample.clone()),
            "{export}: the report differs from the sample's"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn generate_is_deterministic_per_seed() {
    let base = std::env::temp_dir().join(format!("claimscope-gen-{}", std::process::id()));
    let (a, b) = (base.join("a"), base.join("b"));
    for dir in [&a, &b] {
        let out = run(bin()
            .args(["generate", "--members", "60", "--months", "13", "--seed", "3", "--clients", "2", "--out"])
            .arg(dir));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for f in ["claims.csv", "budgets.csv", "enrollment.csv", "admin_fees.csv", "rebates.csv", "stop_loss.csv"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    // The generated plan loads strictly and reports for each client.
    let out =
        run(bin().current_dir(&a).arg("report").args(BASIC_FILES).args(["--client", "CLIENT02", "--period", "2024"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn contract_spans_and_privacy_flags_print_the_golden_bytes() {
    let dir = repo().join("tests/golden/contract");
    let key_file = std::env::temp_dir().join(format!("claimscope-key-{}", std::process::id()));
    std::fs::write(&key_file, "claimscope-demo-key\n").unwrap();
    // The case's contract, from its manifest, as the file the flag reads.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/golden/cases/contract-2025-privacy.json")).unwrap(),
    )
    .unwrap();
    let contract_file = std::env::temp_dir().join(format!("claimscope-contract-{}.json", std::process::id()));
    std::fs::write(&contract_file, manifest["options"]["stop_loss_contract"].to_string()).unwrap();
    let out = run(bin()
        .current_dir(&dir)
        .args([
            "report",
            "--claims",
            "claims.csv",
            "--budgets",
            "budgets.csv",
            "--stop-loss",
            "stop_loss.csv",
            "--eligibility",
            "eligibility.csv",
            "--client",
            "ACME",
            "--period",
            "2025",
            "--eligibility-counting",
            "mid_month",
            "--min-cell",
            "2",
            "--employer-facing",
            "--pseudonymize-key-file",
        ])
        .arg(&key_file)
        .arg("--stop-loss-contract")
        .arg(&contract_file));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), golden("contract-2025-privacy.json"));
    let _ = std::fs::remove_file(&key_file);
    let _ = std::fs::remove_file(&contract_file);
    // A bad contract is a bad argument (exit 2) naming the file.
    let bad = run(bin().current_dir(&dir).args([
        "report",
        "--claims",
        "claims.csv",
        "--period",
        "2025",
        "--stop-loss-contract",
        "claims.csv",
    ]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("claims.csv: stop-loss contract"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn html_and_pdf_are_the_cores_bytes_on_stdout_and_in_files() {
    let report = claimscope::tools::demo::dataset().unwrap().report(None, "2025", &Default::default()).unwrap();
    let options = claimscope::print::PrintOptions::default();
    let pdf = run(bin().args(["report", "--demo", "--period", "2025", "--format", "pdf"]));
    assert!(pdf.status.success(), "{}", String::from_utf8_lossy(&pdf.stderr));
    assert_eq!(pdf.stdout, claimscope::print::pdf(&report, &options).unwrap());
    let path = std::env::temp_dir().join(format!("claimscope-cli-{}.html", std::process::id()));
    let html = run(bin().args(["report", "--demo", "--period", "2025", "--format", "html", "--out"]).arg(&path));
    assert!(html.status.success() && html.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), claimscope::print::html(&report, &options).unwrap());
    let _ = std::fs::remove_file(path);
    let a4 = run(bin().args([
        "report",
        "--demo",
        "--period",
        "2025",
        "--format",
        "pdf",
        "--paper",
        "a4",
        "--run-date",
        "2026-01-15",
    ]));
    let a4_options = claimscope::print::PrintOptions::new("a4", Some("2026-01-15".into())).unwrap();
    assert_eq!(a4.stdout, claimscope::print::pdf(&report, &a4_options).unwrap());
    let bad = run(bin().args(["report", "--demo", "--period", "2025", "--format", "pdf", "--paper", "legal"]));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn reconcile_prints_the_golden_json_and_csv_table_forms() {
    let cases = repo().join("tests/reconcile/cases");
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cases.join("pos-small.json")).unwrap()).unwrap();
    let path = |key: &str| cases.join(case[key].as_str().unwrap());
    let dir = path("left").parent().unwrap().to_path_buf();
    let reconcile = |extra: &[&str]| {
        run(bin()
            .current_dir(&dir)
            .args(["reconcile", "--left", "left.csv", "--right", "right.csv", "--preset"])
            .arg(case["preset"].as_str().unwrap())
            .args(extra))
    };
    let out = reconcile(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), std::fs::read_to_string(path("expected")).unwrap());
    let csv = String::from_utf8(reconcile(&["--format", "csv"]).stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("class,left_record,left_id,left_date,left_amount,right_record"));
    assert!(
        lines[1].starts_with("matched,1,T1,2025-03-01,100.00,1,R1,2025-03-02,96.80,0.8627,-3.20,1,"),
        "{}",
        lines[1]
    );
    // The near miss: date failed (0), 1.46 less of 2 x (0.50 + 3% of 40.00)
    // = 3.40 (1 - 1.46/3.40), the same name (1, weight 4): 4.570588 / 6.
    assert!(
        lines[3]
            .starts_with("unmatched_left,3,T3,2025-03-05,40.00,3,R3,2025-03-13,38.54,0.7618,,,closest right record 3"),
        "{}",
        lines[3]
    );
    let table = String::from_utf8(reconcile(&["--format", "table"]).stdout).unwrap();
    assert!(
        table.contains("matched pairs               2") && table.contains("record 3 T3: closest right record 3"),
        "{table}"
    );
    // Rules file and preset are exclusive; an unknown preset is a bad argument.
    assert_eq!(reconcile(&["--rules", "x.json"]).status.code(), Some(2));
    let out = run(bin().current_dir(&dir).args([
        "reconcile",
        "--left",
        "left.csv",
        "--right",
        "right.csv",
        "--preset",
        "payroll",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use one of stop-loss, rebates, admin-invoice, pos-rewards"));
}

/// Every manifest of tests/reconcile/cases (a preset or a rules file) gives
/// its golden JSON; a probabilistic case's model written by --model-out and
/// given back by --model gives the same bytes.
#[test]
fn reconcile_prints_every_golden_case_and_reuses_a_trained_model() {
    let cases = repo().join("tests/reconcile/cases");
    let mut seen = 0;
    for entry in std::fs::read_dir(&cases).unwrap() {
        let manifest = entry.unwrap().path();
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        let path = |key: &str| cases.join(case[key].as_str().unwrap());
        // Run beside the files: the result names its sources as given.
        let dir = path("left").parent().unwrap().to_path_buf();
        let mut command = bin();
        command.current_dir(&dir).args(["reconcile", "--left", "left.csv", "--right", "right.csv"]);
        match case["preset"].as_str() {
            Some(preset) => command.args(["--preset", preset]),
            None => command.arg("--rules").arg(path("rules")),
        };
        let expected = std::fs::read_to_string(path("expected")).unwrap();
        let model = std::env::temp_dir().join(format!("claimscope-model-{}-{seen}.json", std::process::id()));
        let probabilistic = expected.contains("\"mode\": \"probabilistic\"");
        if probabilistic {
            command.arg("--model-out").arg(&model);
        }
        let out = run(&mut command);
        assert!(out.status.success(), "{}: {}", manifest.display(), String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected, "{}", manifest.display());
        if probabilistic {
            let again = run(bin()
                .current_dir(&dir)
                .args(["reconcile", "--left", "left.csv", "--right", "right.csv"])
                .arg("--rules")
                .arg(path("rules"))
                .arg("--model")
                .arg(&model));
            assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
            assert_eq!(String::from_utf8(again.stdout).unwrap(), expected, "{} with --model", manifest.display());
            let _ = std::fs::remove_file(&model);
        }
        seen += 1;
    }
    assert!(seen >= 2, "tests/reconcile/cases has {seen} manifests");
}

#[test]
fn reconcile_mapping_renames_headers_and_bad_rows_exit_3() {
    let dir = std::env::temp_dir().join(format!("claimscope-recon-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("l.csv"), "Claimant,Expected\nC1,100.00\nC2,oops\n").unwrap();
    std::fs::write(dir.join("r.csv"), "claimant_id,amount\nC1,100.00\n").unwrap();
    std::fs::write(dir.join("m.json"), r#"{"left": {"Claimant": "claimant_id", "Expected": "expected_amount"}}"#)
        .unwrap();
    let base = [
        "reconcile",
        "--left",
        "l.csv",
        "--right",
        "r.csv",
        "--preset",
        "stop-loss",
        "--mapping",
        "m.json",
        "--format",
        "table",
    ];
    let out = run(bin().current_dir(&dir).args(base));
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("l.csv: record 2 (line 3), column expected_amount: 'oops'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(bin().current_dir(&dir).args(base).arg("--lenient"));
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("matched pairs               1") && table.contains("rejected left               1"),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn generate_recon_writes_exports_that_reconcile_with_high_precision() {
    let dir = std::env::temp_dir().join(format!("claimscope-genrecon-{}", std::process::id()));
    let out = run(bin().args(["generate-recon", "--rows", "2000", "--seed", "9", "--out"]).arg(&dir));
    assert!(out.status.success());
    let out = run(bin().current_dir(&dir).args([
        "reconcile",
        "--left",
        "pos_transactions.csv",
        "--right",
        "rewards_redemptions.csv",
        "--preset",
        "pos-rewards",
        "--truth",
        "truth.csv",
        "--format",
        "csv",
        "--out",
        "out.csv",
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let precision: f64 = stderr.split_whitespace().nth(1).unwrap().parse().unwrap();
    let recall: f64 = stderr.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(precision >= 0.99 && recall >= 0.99, "{stderr}");
    // One CSV line per matched pair, unmatched row and rejected row.
    let lines = std::fs::read_to_string(dir.join("out.csv")).unwrap().lines().count();
    let rows = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap().lines().count() - 1;
    let matched =
        std::fs::read_to_string(dir.join("out.csv")).unwrap().lines().filter(|l| l.starts_with("matched,")).count();
    assert_eq!(lines - 1, rows("pos_transactions.csv") + rows("rewards_redemptions.csv") - matched);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn negative_thresholds_and_years_out_of_range_are_bad_arguments() {
    for (args, said) in [
        (&["--hcc-threshold=-1"][..], "report options: hcc_threshold '-1.00' is negative; give 0 or more"),
        (&["--specific-deductible=-5"][..], "report options: specific_deductible '-5.00' is negative; give 0 or more"),
    ] {
        let out = run(bin().args(["report", "--demo", "--period", "2025"]).args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(said), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for label in ["0001", "9999-Q4", "R12-0000-01"] {
        let out = run(bin().args(["report", "--demo", "--period", label]));
        assert_eq!(out.status.code(), Some(2), "{label}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("is outside the years a report covers (1000 to 9000)"), "{label}: {stderr}");
    }
}

#[test]
fn report_prints_load_warnings_on_stderr() {
    // A column no canonical column reads and an empty row: `report` says both. (Two
    // spellings of one column are an error now: tests/bad-inputs/equivalent-headers.json.)
    let dir = std::env::temp_dir().join(format!("claimscope-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let claims = dir.join("claims.csv");
    std::fs::write(
        &claims,
        "client_id,Claimant_ID,Plan Notes,claim_date,medical_amount\nA,P1,P9,2025-01-02,10.00\n,,,,\nA,P2,P8,2025-01-03,5.00\n",
    )
    .unwrap();
    let out = run(bin().args(["report", "--period", "2025-01", "--claims"]).arg(&claims));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let path = claims.display();
    assert!(
        stderr.contains(&format!("{path}: warning: columns not loaded (no canonical column uses them): Plan Notes")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{path}: warning: 1 empty rows skipped (lines 3)")), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_claims_file_twice_is_said_on_stderr() {
    let dir = repo().join("tests/golden/basic");
    let out = run(bin().current_dir(&dir).args([
        "report",
        "--claims",
        "claims.csv",
        "--claims",
        "claims.csv",
        "--client",
        "ACME",
        "--period",
        "2025-Q1",
    ]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("claims.csv: warning: the same bytes (sha256 "), "{stderr}");
    assert!(stderr.contains(") were already loaded into claims as claims.csv; their rows now count twice"), "{stderr}");
}

#[test]
fn the_same_claims_file_twice_is_a_report_warning_and_doubles_the_figures() {
    // Two lines worth 100.25 + 20.50 = 120.75; given twice they count twice (241.50),
    // and the report document says why (the load summary already did on stderr).
    let dir = std::env::temp_dir().join(format!("claimscope-twice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("twice.csv"),
        "client_id,claimant_id,claim_date,medical_amount,pharmacy_amount\nA,P1,2025-01-02,100.25,0\nA,P2,2025-01-03,0,20.50\n",
    )
    .unwrap();
    std::fs::write(dir.join("other.csv"), "client_id,claimant_id,claim_date,medical_amount\nA,P3,2025-01-04,1.00\n")
        .unwrap();
    let args = ["report", "--period", "2025-01", "--format", "json", "--claims", "twice.csv", "--claims", "other.csv"];
    let out = run(bin().current_dir(&dir).args(args).args(["--claims", "twice.csv"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["gross_claims"].to_string(), "242.5");
    assert_eq!(report["summary"]["claim_count"], 5);
    let twice: Vec<&serde_json::Value> =
        report["warnings"].as_array().unwrap().iter().filter(|w| w["code"] == "source_loaded_twice").collect();
    assert_eq!(twice.len(), 1, "{}", report["warnings"]);
    let message = twice[0]["message"].as_str().unwrap();
    // The digest as coreutils' sha256sum gives it for twice.csv's bytes.
    assert_eq!(
        message,
        "claims: the same bytes (sha256 d795aab8a8766e7bec8d776abbae52d211be5893ea20510e3f290b1744a85360) were loaded 2 times (twice.csv, twice.csv); their rows count 2 times in every figure"
    );
    // Loaded once each: no such warning.
    let once = run(bin().current_dir(&dir).args(args));
    let report: serde_json::Value = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(report["summary"]["gross_claims"].to_string(), "121.75");
    assert!(!report["warnings"].to_string().contains("source_loaded_twice"), "{}", report["warnings"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `export --parquet FOLDER` of tests/golden/basic; its summary.
fn export_basic(folder: &Path) -> serde_json::Value {
    let out = run(bin()
        .current_dir(repo().join("tests/golden/basic"))
        .args(["export", "--parquet"])
        .arg(folder)
        .args(BASIC_FILES));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A report without its lineage (which names the files read).
fn without_lineage(mut report: serde_json::Value) -> serde_json::Value {
    report.as_object_mut().unwrap().remove("lineage");
    report
}

#[test]
fn a_plan_exported_as_parquet_reports_the_golden_figures() {
    let dir = std::env::temp_dir().join(format!("claimscope-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let summary = export_basic(&dir);
    // tests/golden/basic/claims.csv: a header and 13 claim lines of two clients, ACME and OTHER.
    assert_eq!(summary["tables"]["claims"], 13);
    let paths: Vec<&str> = summary["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"claims/client=OTHER/month=2025-01/part-0.parquet"), "{paths:?}");
    assert!(paths.contains(&"rebates/client=ACME/part-0.parquet"), "{paths:?}");
    let out = run(bin().arg("report").arg("--parquet").arg(&dir).args(["--client", "ACME", "--period", "2025-Q1"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let from_parquet: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&golden("basic-2025-Q1.json")).unwrap();
    // The lineage names the Parquet files instead of the CSV files.
    assert_eq!(without_lineage(from_parquet), without_lineage(expected));
    let _ = std::fs::remove_dir_all(dir);
}

/// `report --cluster` on the loopback cluster of tests/run-all.sh
/// (CLAIMSCOPE_TEST_BALLISTA=df://host:port) over a plan exported with
/// `export --parquet`: the golden report, lineage aside.
#[cfg(feature = "cluster")]
#[test]
fn report_on_a_loopback_cluster_prints_the_golden_figures() {
    let Ok(url) = std::env::var("CLAIMSCOPE_TEST_BALLISTA") else {
        eprintln!("SKIPPED: no CLAIMSCOPE_TEST_BALLISTA (tests/ballista/cluster.sh starts a cluster)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    export_basic(&plan);
    let out = run(bin()
        .args(["report", "--cluster", &url, "--parquet"])
        .arg(&plan)
        .args(["--client", "ACME", "--period", "2025-Q1"]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let on_cluster: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&golden("basic-2025-Q1.json")).unwrap();
    assert_eq!(without_lineage(on_cluster), without_lineage(expected));
}

/// Without the cluster feature, --cluster says how to build one that has it.
#[cfg(not(feature = "cluster"))]
#[test]
fn cluster_without_the_feature_says_how_to_build_it() {
    let dir = std::env::temp_dir().join(format!("claimscope-no-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(run(bin().args(["export", "--demo", "--parquet"]).arg(&dir)).status.success());
    let out =
        run(bin().args(["report", "--cluster", "df://127.0.0.1:50050", "--period", "2025", "--parquet"]).arg(&dir));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features cluster"));
    let _ = std::fs::remove_dir_all(dir);
}
