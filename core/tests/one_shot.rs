//! A one-shot report folds its claims while they are read: the same report
//! as a Dataset's, for the named client only, with the figures worked by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::report::OneShotReport;
use claimscope::{Dataset, LoadOptions, ReportOptions, Table};

/// Client A in 2025-01..02 (claim dates): claims 2, 3, 4, 5 = 20.00 + 5.50 +
/// 100.00 + 1.00 = 126.50 for claimants P1 and P2. Claim 1 is December's,
/// claim 6 March's, claim 7 client B's (and B's P1 is not A's P1).
const CLAIMS: &str = include_str!("data/two_clients_claims.csv");

/// Claim 4 links to P2 (40.00); claim 7 is B's, so for A it matches no claim
/// (15.00, credited to February but to no claimant); P9 has no claim (5.00).
const STOP_LOSS: &str = "\
client_id,claim_id,claimant_id,paid_date,amount
A,4,,2025-02-10,40.00
A,7,,2025-02-11,15.00
A,,P9,2025-01-12,5.00
";

fn one_shot(label: &str, client: Option<&str>) -> claimscope::Result<claimscope::Report> {
    let mut one = OneShotReport::new(client, label, &ReportOptions::default())?;
    one.load_csv_bytes(Table::StopLossReimbursements, "stop_loss.csv", STOP_LOSS.as_bytes(), &LoadOptions::default())?;
    one.load_csv_bytes(Table::Claims, "claims.csv", CLAIMS.as_bytes(), &LoadOptions::default())?;
    one.finish()
}

fn stored(label: &str) -> String {
    let mut ds = Dataset::new();
    ds.load_csv_bytes(Table::Claims, "claims.csv", CLAIMS.as_bytes(), &LoadOptions::default()).unwrap();
    ds.load_csv_bytes(Table::StopLossReimbursements, "stop_loss.csv", STOP_LOSS.as_bytes(), &LoadOptions::default())
        .unwrap();
    ds.report(Some("A"), label, &ReportOptions::default()).unwrap().to_json().unwrap()
}

#[test]
fn the_named_clients_claims_are_folded_to_the_hand_worked_figures() {
    let report = one_shot("2025-01..2025-02", Some("A")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    let s = &doc["summary"];
    assert_eq!((s["gross_claims"].to_string(), s["claim_count"].as_i64()), ("126.5".into(), Some(4)));
    assert_eq!(s["claimant_count"], 2);
    // 40.00 (claim 4) + 15.00 (unmatched claim 7) + 5.00 (P9).
    assert_eq!(s["stop_loss_reimbursements"].to_string(), "60.0");
    let codes: Vec<&str> = doc["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"stop_loss_claim_not_found"), "{codes:?}");
    assert!(codes.contains(&"stop_loss_claimant_not_found"), "{codes:?}");
    for label in ["2025-01..2025-02", "2025-YTD", "2025", "R12-2025-02"] {
        assert_eq!(one_shot(label, Some("A")).unwrap().to_json().unwrap(), stored(label), "{label}");
    }
}

#[test]
fn without_a_client_the_data_must_hold_one() {
    let e = one_shot("2025-01", None).unwrap_err().to_string();
    assert!(e.contains("the data holds several clients (A, B); choose one"), "{e}");
    let e = one_shot("2025-01", Some("C")).unwrap_err().to_string();
    assert!(e.contains("client 'C' has no rows in the loaded data; clients found: A, B"), "{e}");
}

#[test]
fn what_a_fold_cannot_do_is_refused_with_a_reason() {
    let completion = ReportOptions::from_json(r#"{"completion": true}"#).unwrap();
    assert!(!OneShotReport::supports(&completion));
    let e = OneShotReport::new(None, "2025", &completion).err().unwrap().to_string();
    assert!(e.contains("cannot fold claims for completion"), "{e}");
    let mut one = OneShotReport::new(Some("A"), "2025", &ReportOptions::default()).unwrap();
    one.load_csv_bytes(Table::Claims, "claims.csv", CLAIMS.as_bytes(), &LoadOptions::default()).unwrap();
    let e = one
        .load_csv_bytes(Table::StopLossReimbursements, "s.csv", STOP_LOSS.as_bytes(), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("reads stop-loss reimbursements before claims"), "{e}");
}
