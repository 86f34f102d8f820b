//! The completion and projection sections on a plan small enough to work
//! by hand (docs/completion.md). Powers of the trend were taken with
//! Python's decimal module at 50 digits and rounded to 10 decimals.
//!
//! Plan (client H): every month from 2024-01 to 2025-04 incurs 1,000.00,
//! paid 600.00 in the month (age 0), 300.00 the next month (age 1) and
//! 100.00 the month after (age 2); 2025-04 pays 660.00 at age 0 instead.
//! 10 members a month through 2025-06, except 12 in 2025-04; a budget of
//! 1,500.00 every month of 2024 and 2025. Valuation: as_of 2025-04-30.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::{Dataset, LoadOptions, ReportOptions, Table};

fn plan() -> Dataset {
    let mut claims =
        String::from("client_id,claim_id,claimant_id,claim_date,paid_date,medical_amount,pharmacy_amount\n");
    let mut enrollment = String::from("client_id,year,month,member_count,employee_count\n");
    let mut budgets = String::from("client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\n");
    let month = |i: i32| (2024 + i / 12, i % 12 + 1);
    for i in 0..16 {
        let first = if i == 15 { "660.00" } else { "600.00" };
        for (age, amount) in [(0, first), (1, "300.00"), (2, "100.00")] {
            let (y, m) = month(i);
            let (py, pm) = month(i + age);
            claims.push_str(&format!("H,C{i}-{age},P{i},{y}-{m:02}-15,{py}-{pm:02}-20,{amount},0.00\n"));
        }
    }
    for i in 0..18 {
        let (y, m) = month(i);
        enrollment.push_str(&format!("H,{y},{m},{},4\n", if i == 15 { 12 } else { 10 }));
    }
    for i in 0..24 {
        let (y, m) = month(i);
        budgets.push_str(&format!("H,{y},{m},1000.00,300.00,200.00,1500.00\n"));
    }
    let mut ds = Dataset::new();
    let options = LoadOptions::default();
    ds.load_csv_bytes(Table::Claims, "claims.csv", claims.as_bytes(), &options).unwrap();
    ds.load_csv_bytes(Table::Enrollments, "enrollment.csv", enrollment.as_bytes(), &options).unwrap();
    ds.load_csv_bytes(Table::Budgets, "budgets.csv", budgets.as_bytes(), &options).unwrap();
    ds
}

fn text<T: std::fmt::Display>(values: impl IntoIterator<Item = T>) -> Vec<String> {
    values.into_iter().map(|v| v.to_string()).collect()
}

#[test]
fn chain_ladder_projection_and_year_end_worked_by_hand() {
    let options =
        ReportOptions::from_json(r#"{"completion": {"as_of": "2025-04-30", "trend": "0.12"}, "project_year": true}"#)
            .unwrap();
    let r = plan().report(Some("H"), "2025-YTD-04", &options).unwrap();
    let c = r.completion.as_ref().unwrap();
    assert_eq!((c.as_of.as_str(), c.valuation_month.as_str()), ("2025-04-30", "2025-04"));
    assert_eq!(c.triangle.incurred.len(), 16);

    // Factors over the latest 12 months: age 0 -> 1: 12 x 900 / 12 x 600 =
    // 1.5; age 1 -> 2: 12 x 1,000 / 12 x 900 = 1.1111111111; later ages 1. To ultimate from age 0: 1.5 x
    // 1.1111111111 = 1.66666666665 -> 1.6666666667 (a tie, away from zero).
    let f: Vec<String> = text(c.factors.iter().take(3).map(|f| f.factor));
    assert_eq!(f, ["1.5000000000", "1.1111111111", "1.0000000000"]);
    assert_eq!(c.factors[0].to_ultimate.to_string(), "1.6666666667");
    assert_eq!(c.factors[0].months_used, 12);

    // The chain ladder: 2025-04 660.00 x 1.6666666667 = 1,100.00;
    // 2025-03 900.00 x 1.1111111111 = 999.99999999 -> 1,000.00.
    let last = &c.months[15];
    let march = &c.months[14];
    assert_eq!((last.month.as_str(), last.age, last.paid.to_string()), ("2025-04", 0, "660.00".into()));
    assert_eq!(last.chain_ladder.to_string(), "1100.00");
    assert_eq!(march.chain_ladder.to_string(), "1000.00");

    // The projection sets the 2 latest months: base 2024-03..2025-02, B =
    // 12,000.00 over N = 120 member months. Trend 12% from the base's
    // middle: March 2025 is 13/24 years past it, April 15/24:
    // 1.12^(13/24) = 1.0633096671, 1.12^(15/24) = 1.0733991923.
    // March: 12,000 x 1.0633096671 x 10 / 120 = 1,063.31 (1063.3096671);
    // April: 12,000 x 1.0733991923 x 12 / 120 = 1,288.08 (1288.07903076).
    assert_eq!(march.projection.map(|p| p.to_string()), Some("1063.31".into()));
    assert_eq!(last.projection.map(|p| p.to_string()), Some("1288.08".into()));
    assert_eq!((march.method.as_str(), last.method.as_str()), ("projection", "projection"));
    assert_eq!(last.ibnr.to_string(), "628.08");
    assert_eq!(last.completed_pmpm.map(|p| p.to_string()), Some("107.34".into()));
    assert_eq!(c.months[13].method, "chain_ladder");
    // Every link ratio of ages 0 and 1 is the same, so Mack's error is ~0.
    assert_eq!(c.totals.std_err.to_string(), "0.00");

    // The period Jan..Apr 2025: paid to date 1,000 + 1,000 + 900 + 660 =
    // 3,560.00; completed 1,000 + 1,000 + 1,063.31 + 1,288.08 = 4,351.39;
    // gross of the loaded rows 1,000 x 3 + 1,060 = 4,060.00, so the
    // adjustment is +291.39: total cost 4,351.39 against a budget of
    // 6,000.00 -> loss ratio 0.7252, variance 1,648.61; / 42 member months
    // -> 103.60 PMPM.
    let p = &c.period;
    assert_eq!(
        text([p.paid, p.ibnr, p.completed_gross_claims, p.completed_total_cost]),
        ["3560.00", "791.39", "4351.39", "4351.39"]
    );
    assert_eq!(p.completed_loss_ratio.map(|x| x.to_string()), Some("0.7252".into()));
    assert_eq!(p.completed_variance.map(|x| x.to_string()), Some("1648.61".into()));
    assert_eq!(p.completed_total_cost_pmpm.map(|x| x.to_string()), Some("103.60".into()));
    // Rows paid after as_of: April's 300 and 100, March's 100.
    assert!(r.notes.iter().any(|n| n == "Completion leaves out 3 claim rows (500.00) paid after 2025-04-30."));

    // Year-end: 8 remaining months from the completed YTD 4,351.39 over 42
    // member months, trended from the YTD's middle (mid-Feb/Mar 2025):
    // May 1.12^(3/24) = 1.0238910687 x 10 members -> 1,060.80;
    // June 1.12^(5/24) = 1.0336065591 x 10 -> 1,070.86; July..December carry
    // April's 12 members forward: 1,297.23, 1,309.54, 1,321.96, 1,334.51,
    // 1,347.17, 1,359.95. Total 4,351.39 + 10,102.02 = 14,453.41 against
    // 18,000.00: loss ratio 0.8030, variance 3,546.59.
    let y = r.projection.as_ref().unwrap();
    let months: Vec<String> = text(y.projected_months.iter().map(|m| m.total_cost.unwrap()));
    assert_eq!(months, ["1060.80", "1070.86", "1297.23", "1309.54", "1321.96", "1334.51", "1347.17", "1359.95"]);
    assert_eq!(y.projected_months[0].members_from, "enrollment");
    assert_eq!(y.projected_months[2].members_from, "carried_forward");
    assert_eq!(y.projected_total_cost.map(|x| x.to_string()), Some("14453.41".into()));
    assert_eq!(y.annual_budget.map(|x| x.to_string()), Some("18000.00".into()));
    assert_eq!(y.projected_loss_ratio.map(|x| x.to_string()), Some("0.8030".into()));
    assert_eq!(y.projected_variance.map(|x| x.to_string()), Some("3546.59".into()));
    assert_eq!((y.months_actual, y.months_projected), (4, 8));
}

#[test]
fn completion_refuses_what_it_cannot_mean() {
    let ds = plan();
    let ask = |json: &str, period: &str| {
        let options = ReportOptions::from_json(json)?;
        ds.report(Some("H"), period, &options)
    };
    let after = ask(r#"{"completion": {"as_of": "2025-02-28"}}"#, "2025-Q1").unwrap_err().to_string();
    assert!(after.contains("after the valuation month 2025-02"), "{after}");
    let paid = ask(r#"{"basis": "paid", "completion": true}"#, "2025-Q1").unwrap_err().to_string();
    assert!(paid.contains("needs the incurred basis"), "{paid}");
    let long = ask(r#"{"project_year": true, "completion": {"as_of": "2025-04-30"}}"#, "2024-01..2025-04")
        .unwrap_err()
        .to_string();
    assert!(long.contains("longer than a plan year"), "{long}");
    let early = ask(r#"{"completion": {"as_of": "2023-12-31"}}"#, "2023-12").unwrap_err().to_string();
    assert!(early.contains("no claims paid by 2023-12-31"), "{early}");
    // A valuation date past the data's last paid month (found by the fuzzer: as_of 7724-02-28
    // asked for a triangle of 5,700 years).
    let far = ask(r#"{"completion": {"as_of": "7724-02-28"}}"#, "2025-Q1").unwrap_err().to_string();
    assert!(
        far.contains("as_of 7724-02-28 is after the month of the latest paid date (2025-06-20); value the claims by 2025-06-30 at the latest"),
        "{far}"
    );
    // Without enough history for the projection's base, the chain ladder stays, with a warning.
    let r = ask(r#"{"completion": {"as_of": "2024-06-30"}}"#, "2024-Q2").unwrap();
    assert_eq!(r.completion.as_ref().unwrap().method, "chain_ladder");
    assert!(r.warnings.iter().any(|w| w.code.as_str() == "completion_projection_unavailable"));
}

#[test]
fn a_stray_old_date_stays_out_of_the_triangle_and_is_counted() {
    // 2010-01 is 180 months before the valuation month 2025-01: left out, and said.
    let claims = "client_id,claim_id,claimant_id,claim_date,paid_date,medical_amount,pharmacy_amount\n\
        H,C1,P1,2010-01-05,2025-01-10,7.00,0.00\nH,C2,P2,2025-01-05,2025-01-10,100.00,0.00\n";
    let mut ds = Dataset::new();
    ds.load_csv_bytes(Table::Claims, "claims.csv", claims.as_bytes(), &LoadOptions::default()).unwrap();
    let options = ReportOptions::from_json(r#"{"completion": true}"#).unwrap();
    let r = ds.report(Some("H"), "2025-01", &options).unwrap();
    let c = r.completion.as_ref().unwrap();
    assert_eq!(c.triangle.incurred, ["2025-01"]);
    assert!(r.notes.iter().any(|n| n
        == "Completion leaves out 1 claim rows (7.00) incurred more than 120 months before the valuation month (complete long since)."));
}
