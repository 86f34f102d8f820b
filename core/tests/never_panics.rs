//! Random and mutated bytes fed to every loader: never a panic, and the
//! counts of every summary add up (read = accepted + rejected + moved).

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::report::OneShotReport;
use claimscope::{Dataset, Error, LoadOptions, LoadSummary, Table};
use proptest::prelude::*;

const SEED_FILES: [(Table, &str); 6] = [
    (Table::Claims, include_str!("../../tests/golden/basic/claims.csv")),
    (Table::Budgets, include_str!("../../tests/golden/basic/budgets.csv")),
    (Table::Enrollments, include_str!("../../tests/golden/basic/enrollment.csv")),
    (Table::AdminFees, include_str!("../../tests/golden/basic/admin_fees.csv")),
    (Table::Rebates, include_str!("../../tests/golden/basic/rebates.csv")),
    (Table::StopLossReimbursements, include_str!("../../tests/golden/basic/stop_loss.csv")),
];

fn check(s: &LoadSummary) {
    assert_eq!(s.records_read, s.records_accepted + s.records_rejected + s.records_moved, "{s:?}");
}

fn load_both_modes(table: Table, bytes: &[u8]) {
    for lenient in [false, true] {
        let mut ds = Dataset::new();
        match ds.load_csv_bytes(table, "fuzz.csv", bytes, &LoadOptions { lenient, ..LoadOptions::default() }) {
            Ok(s) => {
                check(&s);
                let rows: usize = ds.batches(table).iter().map(|b| b.num_rows()).sum();
                let moved: usize = if table == Table::Claims {
                    ds.batches(Table::AdminFees).iter().map(|b| b.num_rows()).sum()
                } else {
                    0
                };
                assert_eq!((rows + moved) as u64, s.records_accepted + s.records_moved);
                // A report on whatever loaded must not panic either.
                if let Ok(clients) = ds.clients() {
                    let completed = claimscope::ReportOptions::from_json(
                        r#"{"completion": {"projection_months": 1, "blend": true, "tail": "1.05"}, "project_year": true}"#,
                    )
                    .unwrap();
                    for c in clients.iter().take(2) {
                        let stored = ds.report(Some(c), "2025", &Default::default());
                        let _ = ds.report(Some(c), "2025-Q1", &completed);
                        if table == Table::Claims {
                            same_report_folded(bytes, lenient, c, stored);
                        }
                    }
                }
            }
            Err(Error::Input { summary: Some(s), .. }) => check(&s),
            Err(_) => {}
        }
    }
}

/// The one-shot report (claims folded while read) of the same bytes is the
/// stored report, byte for byte, or fails where it fails.
fn same_report_folded(bytes: &[u8], lenient: bool, client: &str, stored: claimscope::Result<claimscope::Report>) {
    let options = LoadOptions { lenient, ..LoadOptions::default() };
    let mut one = OneShotReport::new(Some(client), "2025", &Default::default()).unwrap();
    let folded = one.load_csv_bytes(Table::Claims, "fuzz.csv", bytes, &options).and_then(|_| one.finish());
    match (stored, folded) {
        (Ok(a), Ok(b)) => assert_eq!(a.to_json().unwrap(), b.to_json().unwrap()),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("stored {:?} but folded {:?}", a.map(|_| "a report"), b.map(|_| "a report")),
    }
}

/// A mutation: at a position, delete some bytes and insert others.
fn mutate(base: &str, edits: &[(usize, usize, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for (at, delete, insert) in edits {
        let at = at % (bytes.len() + 1);
        let end = (at + delete).min(bytes.len());
        bytes.splice(at..end, insert.iter().copied());
    }
    bytes
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b','),
        Just(b'"'),
        Just(b'\n'),
        Just(b'\r'),
        Just(b';'),
        Just(b'\t'),
        Just(b'-'),
        Just(b'.'),
        Just(b'('),
        Just(b'$'),
        Just(b'/'),
        Just(0xEF),
        Just(0xBB),
        Just(0xBF),
        Just(0xE9),
        Just(0xFF),
        Just(0),
        any::<u8>(),
        (b'0'..=b'9'),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(table in 0usize..6, bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        load_both_modes(SEED_FILES[table].0, &bytes);
    }

    #[test]
    fn mutated_csv_never_panics(
        table in 0usize..6,
        edits in proptest::collection::vec((any::<usize>(), 0usize..4, proptest::collection::vec(interesting_byte(), 0..4)), 1..6),
    ) {
        let (t, base) = SEED_FILES[table];
        load_both_modes(t, &mutate(base, &edits));
    }
}
