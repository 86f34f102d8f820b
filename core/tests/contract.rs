//! Stop-loss contracts, eligibility spans, PEPM budgets and privacy on the
//! `tests/golden/contract` fixture, with the working in comments.
//!
//! Claims (claim_id claimant incurred -> paid, total):
//!   K1 M1 2024-11-20 -> 2025-01-10  30000.00
//!   K2 M1 2025-02-10 -> 2025-03-01  45000.00
//!   K3 M1 2025-12-20 -> 2026-03-31  10000.00  (last day of a 12/15 run-out)
//!   K4 M1 2025-12-22 -> 2026-04-01   5000.00  (one day after it)
//!   K5 M2 2025-03-05 -> 2025-03-20  90000.00, K6 M2 2025-04 -> 04  1000.00
//!   K7 M3 300.00, K8 M4 200.00, K9 M5 150.00 (all incurred and paid in 2025)
//! Reimbursements: K2 -> M1 5000.00 paid 2025-04-15; M2 8000.00 paid
//! 2025-05-01; K3 -> M1 1000.00 paid 2026-04-20.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::report::WarningCode;
use claimscope::{Dataset, LoadOptions, ReportOptions, StopLossContract, Table};

fn fixture() -> Dataset {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/contract");
    let mut ds = Dataset::new();
    for (table, file) in [
        (Table::Claims, "claims.csv"),
        (Table::Budgets, "budgets.csv"),
        (Table::Enrollments, "eligibility.csv"),
        (Table::StopLossReimbursements, "stop_loss.csv"),
    ] {
        ds.load_csv_bytes(table, file, &std::fs::read(dir.join(file)).unwrap(), &LoadOptions::default()).unwrap();
    }
    ds
}

fn contract(basis: &str, extra: &str) -> StopLossContract {
    StopLossContract::from_json(&format!(
        r#"{{"start_month": "2025-01", "basis": "{basis}", "specific_deductible": 50000, "lasers": [{{"claimant_id": "M2", "specific_deductible": 80000}}]{extra}}}"#
    ))
    .unwrap()
}

/// (claimant, eligible_total, expected_specific, received, outstanding).
type Position = (String, String, String, String, String);

/// The section's claimant positions, aggregate claims and aggregate ratio.
fn positions(ds: &Dataset, c: StopLossContract) -> (Vec<Position>, String, String) {
    let options = ReportOptions { stop_loss_contract: Some(c), ..ReportOptions::default() };
    let r = ds.report(Some("ACME"), "2025", &options).unwrap();
    let s = r.stop_loss.unwrap();
    let rows = s
        .claimants
        .iter()
        .map(|c| {
            (
                c.claimant_id.clone(),
                c.eligible_total.to_string(),
                c.expected_specific.to_string(),
                c.received.to_string(),
                c.outstanding.to_string(),
            )
        })
        .collect();
    (
        rows,
        s.aggregate.aggregate_claims.to_string(),
        s.aggregate.aggregate_ratio.map(|n| n.to_string()).unwrap_or_default(),
    )
}

fn row(id: &str, eligible: &str, expected: &str, received: &str, outstanding: &str) -> Position {
    (id.into(), eligible.into(), expected.into(), received.into(), outstanding.into())
}

#[test]
fn each_contract_basis_by_hand() {
    let ds = fixture();
    // 12/12: incurred and paid in 2025. M1 has K2 only (K1 incurred 2024,
    // K3/K4 paid 2026): 45000 < 50000, nothing expected, 5000 received ->
    // outstanding -5000. M2 (laser 80000): 91000 -> 11000, received 8000 -> 3000.
    // Eligible 45000 + 91000 + 300 + 200 + 150 = 136650; excess 11000;
    // aggregate claims 125650; attachment 150000 -> 125650 / 150000 = 0.837666.. -> 0.8377.
    let (rows, agg, ratio) = positions(&ds, contract("12/12", r#", "aggregate_attachment": 150000"#));
    assert_eq!(
        rows,
        vec![
            row("M2", "91000.00", "11000.00", "8000.00", "3000.00"),
            row("M1", "45000.00", "0.00", "5000.00", "-5000.00")
        ]
    );
    assert_eq!((agg.as_str(), ratio.as_str()), ("125650.00", "0.8377"));

    // 12/15: paid through 2026-03: K3 (paid 2026-03-31) counts, K4 (2026-04-01)
    // does not. M1 = 45000 + 10000 = 55000 -> 5000, received 5000 -> 0.
    // (K3's reimbursement of 2026-04-20 is outside the paid window.)
    let (rows, agg, _) = positions(&ds, contract("12/15", ""));
    assert_eq!(
        rows,
        vec![
            row("M2", "91000.00", "11000.00", "8000.00", "3000.00"),
            row("M1", "55000.00", "5000.00", "5000.00", "0.00")
        ]
    );
    // 146650 - 16000
    assert_eq!(agg, "130650.00");

    // 15/12: incurred from 2024-10, paid in 2025: K1 (Nov 2024, paid Jan 2025)
    // counts. M1 = 30000 + 45000 = 75000 -> 25000, received 5000 -> 20000.
    let (rows, _, _) = positions(&ds, contract("15/12", ""));
    assert_eq!(rows[0], row("M1", "75000.00", "25000.00", "5000.00", "20000.00"));
    // 24/12 reaches back to 2024-01: the same claims here.
    assert_eq!(positions(&ds, contract("24/12", "")).0, rows);
    // paid: any incurred date, paid in 2025: the same again.
    assert_eq!(positions(&ds, contract("paid", "")).0, rows);
}

#[test]
fn aggregate_attachment_from_a_factor_uses_pepm_budgets_and_span_counts() {
    let ds = fixture();
    // Employees from the spans (any_day): S1 and S2 every month of 2025, S3
    // (M5, 2025-02-15..28) in February: 2 x 12 + 1 = 25 employee months.
    // Expected claims = (10000.00 + 2000.00) x 25 = 300000.00; x 1.25 = 375000.00.
    // 12/15 aggregate claims 130650.00 / 375000.00 = 0.3484.
    let options = ReportOptions {
        stop_loss_contract: Some(contract("12/15", r#", "aggregate_factor": "1.25""#)),
        ..ReportOptions::default()
    };
    let r = ds.report(Some("ACME"), "2025", &options).unwrap();
    let a = r.stop_loss.unwrap().aggregate;
    assert_eq!(a.expected_claims.unwrap().to_string(), "300000.00");
    assert_eq!(a.attachment_point.unwrap().to_string(), "375000.00");
    assert_eq!(a.aggregate_ratio.unwrap().to_string(), "0.3484");
    // February: 3 employees x 12050.00 = 36150.00; budget_pepm = 301250 / 25 = 12050.00.
    assert_eq!(r.monthly[1].figures.total_budget.unwrap().to_string(), "36150.00");
    assert_eq!(r.summary.budget_pepm.unwrap().to_string(), "12050.00");
    // The same contract with a factor but a contract year without budgets (2026): null + warning.
    let late =
        StopLossContract::from_json(r#"{"start_month": "2026-01", "specific_deductible": 1, "aggregate_factor": 1.2}"#)
            .unwrap();
    let r = ds
        .report(Some("ACME"), "2025", &ReportOptions { stop_loss_contract: Some(late), ..ReportOptions::default() })
        .unwrap();
    assert!(r.stop_loss.unwrap().aggregate.attachment_point.is_none());
    assert!(r.warnings.iter().any(|w| w.code == WarningCode::StopLossMissingBudget));
}

#[test]
fn spans_ending_before_they_start_are_rejected_with_the_record() {
    let mut ds = Dataset::new();
    let csv = "client_id,member_id,subscriber_id,start_date,end_date\nA,M1,S1,2025-01-01,2025-12-31\nA,M2,S1,2025-03-01,2025-02-28\nA,M3,S1,03/01/2025,\n";
    let e = ds.load_csv_bytes(Table::Enrollments, "elig.csv", csv.as_bytes(), &LoadOptions::default()).unwrap_err();
    let claimscope::Error::Input { errors, .. } = e else { panic!("{e}") };
    assert_eq!(errors.len(), 2);
    assert_eq!(
        (errors[0].record, errors[0].line, errors[0].column.as_str(), errors[0].value.as_str()),
        (2, 3, "end_date", "2025-02-28")
    );
    assert!(errors[0].reason.contains("before start_date 2025-03-01"), "{}", errors[0].reason);
    assert_eq!((errors[1].record, errors[1].column.as_str()), (3, "end_date"));
    let s = ds
        .load_csv_bytes(
            Table::Enrollments,
            "elig.csv",
            csv.as_bytes(),
            &LoadOptions { lenient: true, ..LoadOptions::default() },
        )
        .unwrap();
    assert_eq!((s.records_read, s.records_accepted, s.records_rejected), (3, 1, 2));
    // A PEPM budget whose total rate disagrees with its components is rejected too.
    let budgets = "client_id,year,month,budget_medical_pepm,budget_pharmacy_pepm,budget_admin_pepm,budget_pepm\nA,2025,1,10.00,2.00,1.00,13.01\n";
    let e = ds.load_csv_bytes(Table::Budgets, "b.csv", budgets.as_bytes(), &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("budget_pepm"), "{e}");
}

#[test]
fn monthly_rows_win_over_spans_with_a_warning() {
    let mut ds = fixture();
    let rows = "client_id,year,month,member_count,employee_count\nACME,2025,1,100,40\n";
    ds.load_csv_bytes(Table::Enrollments, "enrollment.csv", rows.as_bytes(), &LoadOptions::default()).unwrap();
    let r = ds.report(Some("ACME"), "2025-01", &ReportOptions::default()).unwrap();
    assert_eq!(r.summary.sums.member_months, Some(100));
    assert!(r.warnings.iter().any(|w| w.code == WarningCode::EligibilitySpansIgnored));
}

#[test]
fn pseudonyms_are_stable_and_the_key_never_appears() {
    let ds = fixture();
    let mut options = ReportOptions { stop_loss_contract: Some(contract("12/15", "")), ..ReportOptions::default() };
    options.privacy.pseudonymize_key = Some("claimscope-demo-key".into());
    let a = ds.report(Some("ACME"), "2025", &options).unwrap().to_json().unwrap();
    let b = fixture().report(Some("ACME"), "2025", &options).unwrap().to_json().unwrap();
    assert_eq!(a, b);
    assert!(!a.contains("claimscope-demo-key"));
    // HMAC-SHA256("claimscope-demo-key", "M1")[..12], computed with Python's hmac module.
    assert!(a.contains("\"34a3a4f99e68\""));
    assert!(!a.contains("\"M1\"") && !a.contains("\"M2\""));
}

#[test]
fn a_reimbursement_for_a_claimant_without_claims_is_warned() {
    let mut ds = Dataset::new();
    let claims = "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,medical_amount\n\
                  A,C1,P1,2025-01-05,2025-01-20,medical,60000.00\n";
    let stop_loss = "client_id,claim_id,claimant_id,amount,paid_date,carrier\n\
                     A,,P1,5000.00,2025-01-25,Re\nA,,P9,100.00,2025-01-28,Re\n";
    ds.load_csv_bytes(Table::Claims, "claims.csv", claims.as_bytes(), &LoadOptions::default()).unwrap();
    ds.load_csv_bytes(Table::StopLossReimbursements, "sl.csv", stop_loss.as_bytes(), &LoadOptions::default()).unwrap();
    let r = ds.report(Some("A"), "2025-01", &ReportOptions::default()).unwrap();
    let w = r.warnings.iter().find(|w| w.code == WarningCode::StopLossClaimantNotFound).expect("the warning");
    assert_eq!(
        w.message,
        "1 stop-loss reimbursement(s) name a claimant_id that has no claim of the client; credited to their month \
         but to no listed claimant: claimant_id P9 (100.00)"
    );
    assert_eq!(w.months.as_deref(), Some(&["2025-01".to_string()][..]));
    // Still credited to the month: 5000.00 + 100.00.
    assert_eq!(r.summary.sums.stop_loss_reimbursements.to_string(), "5100.00");
    // The claims asked by a query (as on a cluster): the same warning.
    ds.set_claims_execution(claimscope::dataset::ClaimsExecution::GroupedQueries);
    let grouped = ds.report(Some("A"), "2025-01", &ReportOptions::default()).unwrap();
    assert_eq!(grouped.to_json().unwrap(), r.to_json().unwrap());
}
