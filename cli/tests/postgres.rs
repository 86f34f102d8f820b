//! The host application's PostgreSQL, for real: a throwaway cluster
//! (tests/postgres/cluster.sh, or the server CLAIMSCOPE_TEST_POSTGRES names),
//! a fresh database with the seed schema per scenario, the CLI's load and
//! report against it, and psql to look at what was written.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use pg_server::{psql, Server, CLIENT_A, CLIENT_B, USER_A, USER_B};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_claimscope"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A generated plan whose client id is `client` (the host keys clients by UUID).
fn plan(dir: &Path, client: &str, seed: &str, members: &str) -> PathBuf {
    let out = dir.join(format!("plan-{seed}"));
    let gen =
        run(&["generate", "--members", members, "--months", "18", "--seed", seed, "--out", out.to_str().unwrap()]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace("CLIENT01", client);
        // The seed schema ties a reimbursement to a stored claim: the
        // generator's deliberately unknown claim has no place in it.
        let text: String = text.lines().filter(|l| !l.contains("NO-SUCH-CLAIM")).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, text).unwrap();
    }
    out
}

const FILES: [(&str, &str); 6] = [
    ("claims", "claims.csv"),
    ("budgets", "budgets.csv"),
    ("enrollments", "enrollment.csv"),
    ("admin_fees", "admin_fees.csv"),
    ("rebates", "rebates.csv"),
    ("stop_loss_reimbursements", "stop_loss.csv"),
];

fn upload(url: &str, client: &str, table: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["load", "--postgres", url, "--client", client, "--table", table, file.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn upload_plan(url: &str, client: &str, dir: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for (table, file) in FILES {
        let out = upload(url, client, table, &dir.join(file), &[]);
        assert!(out.status.success(), "{table}: {}", stderr(&out));
        if table == "claims" {
            // The seed schema keeps no paid date: the upload says how many it drops.
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let lost = reader.records().map(|r| r.unwrap()).filter(|r| r[3] != r[4]).count();
            let said = format!("{lost} claims rows have a paid_date that the host table claims has no column for");
            assert!(lost > 0 && stderr(&out).contains(&said), "{said}: {}", stderr(&out));
        }
        let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        ids.push(outcome["upload_id"].as_str().unwrap().to_string());
    }
    ids
}

fn csv_report(dir: &Path, client: &str, period: &str) -> serde_json::Value {
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let out = run(&[
        "report",
        "--claims",
        &p("claims.csv"),
        "--budgets",
        &p("budgets.csv"),
        "--enrollment",
        &p("enrollment.csv"),
        "--admin-fees",
        &p("admin_fees.csv"),
        "--rebates",
        &p("rebates.csv"),
        "--stop-loss",
        &p("stop_loss.csv"),
        "--client",
        client,
        "--period",
        period,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn pg_report(url: &str, client: &str, period: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["report", "--postgres", url, "--client", client, "--period", period];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
}

fn without_lineage(mut report: serde_json::Value) -> serde_json::Value {
    report.as_object_mut().unwrap().remove("lineage");
    report
}

#[test]
fn the_host_database_end_to_end() {
    let server = Server::start("cli");
    let work_dir = tempdir();
    let work = work_dir.path();

    // A plan loaded from CSV into PostgreSQL reports as the CSV files do.
    let url = server.database("cs_round_trip");
    let plan_a = plan(work, CLIENT_A, "3", "300");
    let uploads = upload_plan(&url, CLIENT_A, &plan_a);
    for period in ["2025-YTD", "2024-Q4", "R12-2025-06"] {
        let (from_pg, _) = pg_report(&url, CLIENT_A, period, &[]);
        assert_eq!(
            without_lineage(from_pg.clone()),
            without_lineage(csv_report(&plan_a, CLIENT_A, period)),
            "{period}"
        );
        // Lineage names the uploads each table's rows came from.
        let lineage = from_pg["lineage"].as_array().unwrap();
        assert_eq!(lineage.len(), 6);
        for (entry, id) in lineage.iter().zip(&uploads) {
            assert!(entry["source"].as_str().unwrap().ends_with(&format!("(uploads {id})")), "{entry}");
        }
    }
    // Every upload is recorded with its hash, size and count; every run too.
    let claims_hash = sha256_hex(&plan_a.join("claims.csv"));
    let claims_rows = std::fs::read_to_string(plan_a.join("claims.csv")).unwrap().lines().count() - 1;
    assert_eq!(
        psql(&url, "SELECT file_name, file_hash, status, record_count, error_log IS NULL FROM uploads WHERE source_type = 'claims'"),
        format!("claims.csv|{claims_hash}|completed|{claims_rows}|t")
    );
    let runs = psql(&url, "SELECT count(*), min(period_covered), min(cardinality(source_uploads)) FROM report_runs");
    assert_eq!(runs, "3|2024-Q4|6");
    let ytd = csv_report(&plan_a, CLIENT_A, "2025-YTD");
    let stats = psql(&url, "SELECT stats_json->>'gross_claims' FROM report_runs WHERE period_covered = '2025-YTD'");
    assert_eq!(stats, ytd["summary"]["gross_claims"].to_string());
    assert_eq!(psql(&url, "SELECT run_by FROM report_runs LIMIT 1"), USER_A);

    // The same file again is refused (exit 3), nothing written; --replace swaps it.
    let before = psql(&url, "SELECT count(*) FROM budgets");
    let again = upload(&url, CLIENT_A, "budgets", &plan_a.join("budgets.csv"), &[]);
    assert_eq!(again.status.code(), Some(3), "{}", stderr(&again));
    assert!(stderr(&again).contains("already loaded for client"), "{}", stderr(&again));
    assert!(stderr(&again).contains("--replace"), "{}", stderr(&again));
    assert_eq!(psql(&url, "SELECT count(*) FROM budgets"), before);
    let replaced = upload(&url, CLIENT_A, "budgets", &plan_a.join("budgets.csv"), &["--replace"]);
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    let outcome: serde_json::Value = serde_json::from_slice(&replaced.stdout).unwrap();
    assert_eq!(outcome["replaced"].as_str(), Some(uploads[1].as_str()));
    assert_eq!(psql(&url, "SELECT count(*) FROM budgets"), before);
    assert_eq!(psql(&url, "SELECT count(*) FROM uploads WHERE source_type = 'budgets'"), "1");
    let (after, _) = pg_report(&url, CLIENT_A, "2025-YTD", &[]);
    assert_eq!(after["summary"], ytd["summary"]);

    // A strict failure writes nothing: not a row, not an uploads row.
    let bad = work.join("bad-claims.csv");
    let mut text = std::fs::read_to_string(plan_a.join("claims.csv")).unwrap().replace(CLIENT_A, CLIENT_B);
    text.push_str(&format!("{CLIENT_B},X-1,M-9,2025-13-01,,medical,Office,Outpatient,J20.9,,,10.00,0.00,10.00\n"));
    std::fs::write(&bad, text).unwrap();
    let failed = upload(&url, CLIENT_B, "claims", &bad, &[]);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("column claim_date: '2025-13-01'"), "{}", stderr(&failed));
    assert_eq!(psql(&url, &format!("SELECT count(*) FROM claims WHERE client_id = '{CLIENT_B}'")), "0");
    assert_eq!(psql(&url, &format!("SELECT count(*) FROM uploads WHERE client_id = '{CLIENT_B}'")), "0");

    // A value the host column cannot hold is a rejected row, never truncated.
    let long = work.join("long-claims.csv");
    let header = std::fs::read_to_string(plan_a.join("claims.csv")).unwrap().lines().next().unwrap().to_string();
    let service = "S".repeat(101);
    std::fs::write(
        &long,
        format!("{header}\n{CLIENT_B},L-1,M-1,2025-01-05,,medical,{service},Outpatient,J20.9,,,10.00,0.00,10.00\n"),
    )
    .unwrap();
    let refused = upload(&url, CLIENT_B, "claims", &long, &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused)
            .contains("101 characters exceed the 100 of VARCHAR(100) of the host column claims.service_type"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(psql(&url, &format!("SELECT count(*) FROM uploads WHERE client_id = '{CLIENT_B}'")), "0");

    // Two clients sharing claimant numbers (and claim ids) stay apart.
    let plan_b = plan(&work.join("b"), CLIENT_B, "4", "200");
    upload_plan(&url, CLIENT_B, &plan_b);
    let (a, _) = pg_report(&url, CLIENT_A, "2025-YTD", &[]);
    let (b, _) = pg_report(&url, CLIENT_B, "2025-YTD", &["--run-by", USER_B]);
    assert_eq!(a["summary"], ytd["summary"]);
    assert_eq!(without_lineage(b), without_lineage(csv_report(&plan_b, CLIENT_B, "2025-YTD")));

    // Ids that try SQL injection are refused before any query; tables intact.
    for id in ["x'; DROP TABLE claims; --", "11111111-1111-4111-8111-111111111111' OR '1'='1", ""] {
        let out = run(&["report", "--postgres", &url, "--client", id, "--period", "2025-YTD"]);
        assert_eq!(out.status.code(), Some(2), "{id}: {}", stderr(&out));
        assert!(stderr(&out).contains("is not a UUID"), "{}", stderr(&out));
    }
    assert!(psql(&url, "SELECT count(*) FROM claims").parse::<u64>().unwrap() > 0);

    // Mapping profiles are saved under a name and read back by it.
    let profile = work.join("profile.json");
    std::fs::write(&profile, r#"{"table": "rebates", "columns": {"amount": "Rebate $"}}"#).unwrap();
    let rebates = work.join("rebates.csv");
    std::fs::write(&rebates, format!("client_id,period,Rebate $,rebate_type\n{CLIENT_B},2025-Q2,100.00,pharmacy\n"))
        .unwrap();
    let saved =
        upload(&url, CLIENT_B, "rebates", &rebates, &["--mapping", profile.to_str().unwrap(), "--profile-name", "PBM"]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert_eq!(
        psql(&url, "SELECT source_name, mapping_json->'columns'->>'amount' FROM mapping_profiles"),
        "PBM|Rebate $"
    );
    std::fs::write(&rebates, format!("client_id,period,Rebate $,rebate_type\n{CLIENT_B},2025-Q3,50.00,pharmacy\n"))
        .unwrap();
    let reused = upload(&url, CLIENT_B, "rebates", &rebates, &["--profile-name", "PBM"]);
    assert!(reused.status.success(), "{}", stderr(&reused));
    let missing = upload(&url, CLIENT_B, "rebates", &rebates, &["--profile-name", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("has no mapping profile named 'nope'"), "{}", stderr(&missing));

    // Bad rows in the database are rejected like a file's, naming the key.
    psql(&url, &format!("UPDATE claims SET total_amount = total_amount + 1 WHERE claim_id = (SELECT min(claim_id::text)::uuid FROM claims WHERE client_id = '{CLIENT_A}')"));
    let key = psql(&url, &format!("SELECT min(claim_id::text) FROM claims WHERE client_id = '{CLIENT_A}'"));
    let out = run(&["report", "--postgres", &url, "--client", CLIENT_A, "--period", "2025-YTD"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("(claims.claim_id {key}), column total_amount")), "{}", stderr(&out));

    failures(&server, &url, &plan_a);
}

/// Wrong password, no server, missing table or column, a dropped
/// connection: exit 4 with the reason, and nothing written.
fn failures(server: &Server, url: &str, plan_a: &Path) {
    let wrong = url.replace("password=claimscope-test-password", "password=wrong");
    let out = run(&["report", "--postgres", &wrong, "--client", CLIENT_A, "--period", "2025-YTD"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("password authentication failed"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("wrong"), "the password is never echoed: {}", stderr(&out));

    let nowhere = "host=/nonexistent-claimscope-socket port=5432 user=x password=y dbname=z";
    let out = run(&["report", "--postgres", nowhere, "--client", CLIENT_A, "--period", "2025-YTD"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot connect to PostgreSQL at /nonexistent-claimscope-socket:5432/z"),
        "{}",
        stderr(&out)
    );

    let bare = server.database("cs_missing");
    psql(&bare, "DROP TABLE rebates");
    let out = run(&["report", "--postgres", &bare, "--client", CLIENT_A, "--period", "2025-YTD"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("table rebates does not exist"), "{}", stderr(&out));
    psql(&bare, "ALTER TABLE claims DROP COLUMN layman_term");
    let out = upload(&bare, CLIENT_A, "claims", &plan_a.join("claims.csv"), &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("table claims has no column 'layman_term'"), "{}", stderr(&out));
    assert_eq!(psql(&bare, "SELECT count(*) FROM uploads"), "0");

    // The server drops the connection in the middle of a big upload.
    let big_dir = tempdir();
    let big = plan(big_dir.path(), CLIENT_A, "9", "20000");
    let fresh = server.database("cs_killed");
    let upload_args = ["load", "--postgres", &fresh, "--client", CLIENT_A, "--table", "claims"];
    let (out, killed) = killed_midway(server, &upload_args, &big.join("claims.csv"), "COPY \"claims\"%");
    assert!(killed, "the upload's COPY was never seen");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("PostgreSQL at"), "{}", stderr(&out));
    assert_eq!(psql(&fresh, "SELECT count(*) FROM claims"), "0");
    assert_eq!(psql(&fresh, "SELECT count(*) FROM uploads"), "0");

    // ... and in the middle of a read: an error, never a report of part of the rows.
    let loaded = upload(&fresh, CLIENT_A, "claims", &big.join("claims.csv"), &[]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    let report_args = ["report", "--postgres", &fresh, "--client", CLIENT_A, "--period"];
    let (out, killed) = killed_midway(server, &report_args, Path::new("2025-YTD"), "COPY (SELECT%");
    assert!(killed, "the report's COPY was never seen");
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no report from part of the rows");
    assert!(stderr(&out).contains("reading table claims"), "{}", stderr(&out));
    assert_eq!(psql(&fresh, "SELECT count(*) FROM report_runs"), "0");
}

/// Runs the CLI and, once the server shows its COPY (`like`), has the server
/// end that connection; returns the CLI's output and whether it was ended.
fn killed_midway(server: &Server, args: &[&str], last: &Path, like: &str) -> (Output, bool) {
    let child = bin().args(args).arg(last).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    let mut killed = false;
    while started.elapsed() < Duration::from_secs(120) && !killed {
        let n = psql(
            &server.conninfo,
            &format!(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                  WHERE application_name = 'claimscope' AND query LIKE '{like}'"
            ),
        );
        killed = n != "0";
        std::thread::sleep(Duration::from_millis(5));
    }
    (child.wait_with_output().unwrap(), killed)
}

/// A work folder removed when dropped, even when an assertion fails first.
fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("claimscope-pg-test-").tempdir().unwrap()
}

/// coreutils' sha256sum: an independent digest of the file.
fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}
