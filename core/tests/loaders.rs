//! Loaders: a carrier export through its profile equals the clean canonical
//! file; every kind of broken row is rejected with its record, line, column,
//! value and reason; strict and lenient modes; counts always add up.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use claimscope::arrow::array::Array;
use claimscope::arrow::datatypes::DataType;
use claimscope::arrow::util::pretty::pretty_format_batches;
use claimscope::{Dataset, Error, LoadOptions, LoadSummary, MappingProfile, Table};

fn data(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(name);
    std::fs::read(path).unwrap()
}

fn table_text(ds: &Dataset, table: Table) -> String {
    pretty_format_batches(ds.batches(table)).unwrap().to_string()
}

/// A query's result as a pretty-printed table.
fn sql_text(ds: &Dataset, query: &str) -> String {
    pretty_format_batches(&ds.sql(query).unwrap()).unwrap().to_string()
}

fn assert_counts(s: &LoadSummary) {
    assert_eq!(s.records_read, s.records_accepted + s.records_rejected + s.records_moved, "{s:?}");
}

#[test]
fn carrier_export_through_its_profile_equals_the_clean_file() {
    let mut clean = Dataset::new();
    let s =
        clean.load_csv_bytes(Table::Claims, "clean.csv", &data("clean_claims.csv"), &LoadOptions::default()).unwrap();
    assert_eq!((s.records_read, s.records_accepted), (4, 4));

    let profile =
        MappingProfile::from_json(std::str::from_utf8(&data("carrier_claims.profile.json")).unwrap()).unwrap();
    let mut carrier = Dataset::new();
    let options = LoadOptions { mapping: Some(profile), ..LoadOptions::default() };
    let s = carrier.load_csv_bytes(Table::Claims, "carrier.csv", &data("carrier_claims.csv"), &options).unwrap();
    assert_eq!((s.records_read, s.records_accepted, s.records_rejected), (4, 4, 0), "{s:?}");
    assert_eq!(s.encoding, "UTF-8");
    assert_eq!(table_text(&carrier, Table::Claims), table_text(&clean, Table::Claims));
    // Spot checks worked by hand: $1,234.56 -> 1234.56, (12.00) -> -12.00 on
    // the pharmacy side, E11.9 -> E119, 2/3/2025 -> 2025-02-03.
    let rows = carrier.sql("SELECT claim_id, claim_date, icd_code, medical_amount, pharmacy_amount, total_amount FROM claims ORDER BY claim_id").unwrap();
    let text = pretty_format_batches(&rows).unwrap().to_string();
    assert!(
        text.contains("| CL-1     | 2025-01-31 | E119     | 1234.56        | 0.00            | 1234.56      |"),
        "{text}"
    );
    assert!(
        text.contains("| CL-2     | 2025-02-03 | E119     | 0.00           | -12.00          | -12.00       |"),
        "{text}"
    );
}

/// Loads `csv` strictly and returns the only error.
fn only_error(table: Table, csv: &str) -> claimscope::RowError {
    let mut ds = Dataset::new();
    match ds.load_csv_bytes(table, "t.csv", csv.as_bytes(), &LoadOptions::default()) {
        Err(Error::Input { errors, summary: Some(summary), .. }) => {
            assert_counts(&summary);
            assert_eq!(errors.len(), 1, "{errors:?}");
            errors.into_iter().next().unwrap()
        }
        other => panic!("expected one rejected record, got {other:?}"),
    }
}

const CLAIMS_HEADER: &str =
    "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,medical_amount,pharmacy_amount,total_amount\n";
const GOOD_CLAIM: &str = "A,C0,P0,2025-01-01,2025-01-02,medical,10.00,0.00,10.00\n";

#[test]
fn every_kind_of_broken_row_is_rejected_with_its_record_column_value_and_reason() {
    // (table, header, bad row, column, value, reason fragment). The bad row is
    // record 2 on line 3 (a good row comes first).
    let cases: &[(Table, &str, &str, &str, &str, &str)] = &[
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-13-01,,medical,1.00,0.00,1.00", "claim_date", "2025-13-01", "month 13"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-02-30,,medical,1.00,0.00,1.00", "claim_date", "2025-02-30", "day 30"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,,,medical,1.00,0.00,1.00", "claim_date", "", "blank"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,yesterday,medical,1.00,0.00,1.00", "paid_date", "yesterday", "not a date"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,12.3.4,0.00,1.00", "medical_amount", "12.3.4", "not an amount"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,12.345,0.00,12.345", "medical_amount", "12.345", "more than 2 decimals"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,100.00,0.00,100.01", "total_amount", "100.01", "differs"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,dental,1.00,0.00,1.00", "claim_type", "dental", "not a claim type"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,,2025-01-05,,medical,1.00,0.00,1.00", "claimant_id", "", "blank"),
        (Table::Claims, CLAIMS_HEADER, ",C1,P1,2025-01-05,,medical,1.00,0.00,1.00", "client_id", "", "blank"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,,0.00,1.00", "medical_amount", "", "blank"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,99999999999999999.00,0.00,1.00", "medical_amount", "99999999999999999.00", "too large"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,1.00", "record", "A,C1,P1,2025-01-05,,medical,1.00", "has 7 fields; the header has 9"),
        (Table::Claims, CLAIMS_HEADER, "A,C1,P1,2025-01-05,,medical,$1,00.00,0.00,1.00", "record", "A,C1,P1,2025-01-05,,medical,$1,00.00,0.00,1.00", "has 10 fields"),
        (Table::Budgets, "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,1.00,1.00,1.00,3.00\n", "A,2025,13,1.00,1.00,1.00,3.00", "month", "13", "out of range"),
        (Table::Budgets, "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,1.00,1.00,1.00,3.00\n", "A,2025,1,2.00,2.00,2.00,6.00", "month", "1", "duplicates the budget month"),
        (Table::Budgets, "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,1.00,1.00,1.00,3.00\n", "A,2025,2,1.00,1.00,1.00,3.01", "total_budget", "3.01", "differs"),
        (Table::Budgets, "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget\nA,2025,1,1.00,1.00,1.00,3.00\n", "A,25,2,1.00,1.00,1.00,3.00", "year", "25", "4-digit year"),
        (Table::Enrollments, "client_id,year,month,member_count,employee_count\nA,2025,1,10,4\n", "A,2025,2,-3,1", "member_count", "-3", "out of range"),
        (Table::Enrollments, "client_id,year,month,member_count,employee_count\nA,2025,1,10,4\n", "A,2025,2,12.5,4", "member_count", "12.5", "not a whole number"),
        (Table::Enrollments, "client_id,year,month,member_count,employee_count\nA,2025,1,10,4\n", "A,2025,1,11,4", "month", "1", "duplicates the enrollment month"),
        (Table::Enrollments, "client_id,year,month,member_count,employee_count\nA,2025,1,10,4\n", "A,2025,00,11,4", "month", "00", "out of range"),
        (Table::Rebates, "client_id,period,amount,rebate_type\nA,2025-Q1,1.00,pharmacy\n", "A,2025-Q5,1.00,pharmacy", "period", "2025-Q5", "not a rebate period"),
        (Table::Rebates, "client_id,period,amount,rebate_type\nA,2025-Q1,1.00,pharmacy\n", "A,2025-Q2,1.00,dental", "rebate_type", "dental", "not a rebate type"),
        (Table::StopLossReimbursements, "client_id,claim_id,claimant_id,amount,paid_date,carrier\nA,C1,,1.00,2025-01-01,X\n", "A,,,1.00,2025-01-01,X", "claim_id", "", "both blank"),
        (Table::StopLossReimbursements, "client_id,claim_id,claimant_id,amount,paid_date,carrier\nA,C1,,1.00,2025-01-01,X\n", "A,C2,,1.00,,X", "paid_date", "", "blank"),
        (Table::AdminFees, "client_id,year,month,amount,fee_type\nA,2025,1,1.00,TPA\n", "A,2025,2,abc,TPA", "amount", "abc", "not an amount"),
    ];
    assert!(cases.len() >= 20);
    for (table, header, bad, column, value, reason) in cases {
        let header_and_good =
            if *table == Table::Claims { format!("{header}{GOOD_CLAIM}") } else { header.to_string() };
        let csv = format!("{header_and_good}{bad}\n");
        let e = only_error(*table, &csv);
        assert_eq!((e.record, e.line), (2, 3), "{bad}: {e}");
        assert_eq!(e.column, *column, "{bad}: {e}");
        assert_eq!(e.value, *value, "{bad}: {e}");
        assert!(e.reason.contains(reason), "{bad}: '{}' lacks '{reason}'", e.reason);
        // The message puts record and column first.
        assert!(e.to_string().starts_with(&format!("record 2 (line 3), column {column}:")), "{e}");
    }
}

#[test]
fn strict_fails_with_the_errors_and_lenient_loads_the_good_rows() {
    let csv = format!("{CLAIMS_HEADER}{GOOD_CLAIM}A,C1,P1,2025-13-01,,medical,1.00,0.00,1.00\nA,C2,P2,2025-01-03,,medical,2.00,0.00,2.00\nA,C3,P3,2025-01-04,,medical,x,0.00,2.00\n");
    let mut strict = Dataset::new();
    match strict.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()) {
        Err(Error::Input { errors, summary: Some(s), .. }) => {
            assert_eq!(errors.iter().map(|e| e.record).collect::<Vec<_>>(), vec![2, 4]);
            assert_eq!((s.records_read, s.records_accepted, s.records_rejected), (4, 2, 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(strict.batches(Table::Claims).len(), 0, "a failed strict load loads nothing");

    let mut lenient = Dataset::new();
    let s = lenient
        .load_csv_bytes(
            Table::Claims,
            "t.csv",
            csv.as_bytes(),
            &LoadOptions { lenient: true, ..LoadOptions::default() },
        )
        .unwrap();
    assert_eq!((s.records_read, s.records_accepted, s.records_rejected), (4, 2, 2));
    let n: usize = lenient.batches(Table::Claims).iter().map(|b| b.num_rows()).sum();
    assert_eq!(n, 2);
}

#[test]
fn strict_mode_keeps_the_first_100_errors() {
    let mut csv = String::from(CLAIMS_HEADER);
    for i in 0..250 {
        csv.push_str(&format!("A,C{i},P1,2025-01-05,,medical,bad,0.00,1.00\n"));
    }
    let mut ds = Dataset::new();
    match ds.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()) {
        Err(Error::Input { errors, summary: Some(s), .. }) => {
            assert_eq!(errors.len(), 100);
            assert_eq!((errors[0].record, errors[99].record), (1, 100));
            assert_eq!((s.records_read, s.records_rejected), (250, 250));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_required_column_names_the_column_the_headers_and_the_closest() {
    let csv = "client_id,claim_id,claimant,claim_date,medical_amount\nA,C1,P1,2025-01-01,1.00\n";
    let mut ds = Dataset::new();
    let e = ds.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Mapping { .. }));
    // The file is named first: a report reads six.
    assert!(msg.starts_with("t.csv: required column claimant_id is missing"), "{msg}");
    assert!(msg.contains("'client_id', 'claim_id', 'claimant', 'claim_date', 'medical_amount'"), "{msg}");
    assert!(msg.contains("closest: 'claimant'"), "{msg}");
}

#[test]
fn an_ambiguous_date_column_asks_for_a_format() {
    let csv = "client_id,claimant_id,claim_date,medical_amount\nA,P1,03/04/2025,1.00\nA,P2,05/06/2025,1.00\n";
    let mut ds = Dataset::new();
    let e = ds.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("date_format"), "{e}");
    // With the format given, it loads as day-first.
    let profile = MappingProfile { date_format: Some("%d/%m/%Y".into()), ..MappingProfile::default() };
    let s = ds
        .load_csv_bytes(
            Table::Claims,
            "t.csv",
            csv.as_bytes(),
            &LoadOptions { mapping: Some(profile), ..LoadOptions::default() },
        )
        .unwrap();
    assert_eq!(s.records_accepted, 2);
    let rows = sql_text(&ds, "SELECT claim_date FROM claims ORDER BY claim_date");
    assert!(rows.contains("2025-04-03") && rows.contains("2025-06-05"), "{rows}");
}

#[test]
fn admin_rows_move_to_admin_fees_and_are_counted() {
    let csv = "client_id,claimant_id,claim_date,claim_type,service_type,amount\nA,P1,2025-03-15,medical,,100.00\nA,P1,2025-03-20,admin,TPA,25.00\nA,P2,2025-04-01,Pharmacy,,7.50\n";
    let mut ds = Dataset::new();
    let s = ds.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!((s.records_read, s.records_accepted, s.records_moved), (3, 2, 1));
    let fees = sql_text(&ds, "SELECT client_id, year, month, amount, fee_type FROM admin_fees");
    assert!(fees.contains("| A         | 2025 | 3     | 25.00  | TPA      |"), "{fees}");
    let claims = sql_text(
        &ds,
        "SELECT claimant_id, medical_amount, pharmacy_amount, claim_type FROM claims ORDER BY claimant_id",
    );
    assert!(claims.contains("| P2          | 0.00           | 7.50            | pharmacy   |"), "{claims}");
}

#[test]
fn claim_type_is_derived_and_claim_id_generated_when_absent() {
    let csv = "client_id,claimant_id,claim_date,medical_amount,pharmacy_amount\nA,P1,2025-03-15,0.00,5.00\nA,P2,2025-03-15,0.00,0.00\n";
    let mut ds = Dataset::new();
    let s = ds.load_csv_bytes(Table::Claims, "t.csv", csv.as_bytes(), &LoadOptions::default()).unwrap();
    let rows = sql_text(&ds, "SELECT claim_id, claim_type, paid_date FROM claims ORDER BY claimant_id");
    let sha8 = &s.sha256[..8];
    assert!(rows.contains(&format!("| {sha8}-1 | pharmacy   | 2025-03-15 |")), "{rows}");
    assert!(rows.contains(&format!("| {sha8}-2 | medical    | 2025-03-15 |")), "{rows}");
}

#[test]
fn windows_1252_semicolons_and_quoted_newlines() {
    // "Jos\xe9" is Windows-1252 for José; the quoted field spans two lines.
    let bytes = b"client_id;claimant_id;claim_date;service_type;medical_amount\r\nA;P1;2025-01-05;\"Visit; Jos\xe9\r\nfollow-up\";1.234,56\r\nA;P2;2025-01-06;x;2.00\r\n";
    let mut ds = Dataset::new();
    let e = ds.load_csv_bytes(Table::Claims, "t.csv", bytes, &LoadOptions::default()).unwrap_err();
    // 1.234,56 is a European amount: rejected, never reinterpreted.
    match e {
        Error::Input { errors, summary: Some(s), .. } => {
            assert_eq!((s.encoding.as_str(), s.delimiter.as_str()), ("windows-1252", ";"));
            assert_eq!((errors[0].record, errors[0].line, errors[0].column.as_str()), (1, 2, "medical_amount"));
        }
        other => panic!("{other:?}"),
    }
    let fixed = b"client_id;claimant_id;claim_date;service_type;medical_amount\r\nA;P1;2025-01-05;\"Visit; Jos\xe9\r\nfollow-up\";1234.56\r\nA;P2;2025-01-06;x;2.00\r\n";
    let s = ds.load_csv_bytes(Table::Claims, "t.csv", fixed, &LoadOptions::default()).unwrap();
    assert_eq!(s.records_accepted, 2);
    let rows = sql_text(&ds, "SELECT service_type FROM claims WHERE claimant_id = 'P1'");
    assert!(rows.contains("Visit; José"), "{rows}");
}

#[test]
fn arrow_batches_load_through_the_same_checks() {
    use claimscope::arrow::array::{ArrayRef, Float64Array, StringArray};
    use claimscope::arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    let batch = RecordBatch::try_from_iter(vec![
        ("client_id", Arc::new(StringArray::from(vec!["A", "A"])) as ArrayRef),
        ("claimant_id", Arc::new(StringArray::from(vec!["P1", "P2"])) as ArrayRef),
        ("claim_date", Arc::new(StringArray::from(vec!["2025-01-05", "2025-01-06"])) as ArrayRef),
        ("medical_amount", Arc::new(Float64Array::from(vec![10.5, 0.125])) as ArrayRef),
    ])
    .unwrap();
    let mut ds = Dataset::new();
    let s = ds
        .load_batches(Table::Claims, "frame", &[batch], &LoadOptions { lenient: true, ..LoadOptions::default() })
        .unwrap();
    // 0.125 has three decimals: rejected, not rounded.
    assert_eq!((s.records_accepted, s.records_rejected), (1, 1));
    assert_eq!((s.errors[0].column.as_str(), s.errors[0].value.as_str()), ("medical_amount", "0.125"));
}

/// Claims handed over typed (timestamps, Date32, decimals of scale 4 and 2,
/// whole numbers, large and view text) are read in their own types: the rows
/// kept equal the CSV of the same values, and each rejected cell is named
/// with its value as Arrow writes it and the reason a text cell would get.
#[test]
fn typed_arrow_columns_are_read_in_their_own_types() {
    use claimscope::arrow::array::{
        ArrayRef, Date32Array, Decimal128Array, Int64Array, LargeStringArray, StringArray, StringViewArray,
        TimestampMicrosecondArray,
    };
    use claimscope::arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    // Days from 1970-01-01: 2025-01-05 is 20093, 1850-01-01 is -43829.
    let day = |d: i64| d * 86_400_000_000;
    let claim_dates =
        vec![day(20093), day(20094), day(20095) + 12 * 3_600_000_000, day(-43829), day(20093), day(20093), day(20093)];
    let decimal = |v: Vec<Option<i128>>, p: u8, s: i8| Decimal128Array::from(v).with_precision_and_scale(p, s).unwrap();
    let batch = RecordBatch::try_from_iter(vec![
        ("client_id", Arc::new(StringArray::from(vec!["A"; 7])) as ArrayRef),
        ("claimant_id", Arc::new(LargeStringArray::from(vec!["P1", "P2", "P3", "P4", "P5", "P6", "P7"])) as ArrayRef),
        ("claim_date", Arc::new(TimestampMicrosecondArray::from(claim_dates)) as ArrayRef),
        ("paid_date", Arc::new(Date32Array::from(vec![Some(20108), None, None, None, None, None, None])) as ArrayRef),
        (
            "service_type",
            Arc::new(StringViewArray::from(vec![Some("Office"), None, None, None, None, None, None])) as ArrayRef,
        ),
        (
            "medical_amount",
            Arc::new(decimal(vec![Some(105_000), Some(0), Some(1), Some(1), Some(1_250), None, Some(10_000)], 12, 4))
                as ArrayRef,
        ),
        ("pharmacy_amount", Arc::new(Int64Array::from(vec![0, 3, 0, 0, 0, 0, 1])) as ArrayRef),
        (
            "total_amount",
            Arc::new(decimal(vec![Some(1_050), Some(300), None, None, None, None, Some(250)], 18, 2)) as ArrayRef,
        ),
    ])
    .unwrap();
    let lenient = LoadOptions { lenient: true, ..LoadOptions::default() };
    let mut typed = Dataset::new();
    let s = typed.load_batches(Table::Claims, "frame", std::slice::from_ref(&batch), &lenient).unwrap();
    let rejected: Vec<(u64, &str, &str)> =
        s.errors.iter().map(|e| (e.record, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(
        rejected,
        [
            (3, "claim_date", "2025-01-07T12:00:00"),
            (4, "claim_date", "1850-01-01T00:00:00"),
            (5, "medical_amount", "0.1250"),
            (6, "medical_amount", ""),
            (7, "total_amount", "2.50"),
        ]
    );
    let reasons: Vec<&str> = s.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(reasons[0].contains("has a time of day"), "{}", reasons[0]);
    assert_eq!(reasons[1], "is in year 1850; dates from 1900 to 2999 are read");
    assert!(reasons[2].starts_with("has more than 2 decimals"), "{}", reasons[2]);
    assert_eq!(reasons[3], "is blank; an amount is required");
    assert_eq!(reasons[4], "differs from medical_amount + pharmacy_amount = 2.00");
    assert_eq!((s.records_read, s.records_accepted, s.records_rejected), (7, 2, 5));

    let mut text = Dataset::new();
    let csv = "client_id,claimant_id,claim_date,paid_date,service_type,medical_amount,pharmacy_amount,total_amount\n\
               A,P1,2025-01-05,2025-01-20,Office,10.50,0,10.50\n\
               A,P2,2025-01-06,,,0.00,3,3.00\n";
    text.load_csv_bytes(Table::Claims, "claims.csv", csv.as_bytes(), &lenient).unwrap();
    let rows = "SELECT claimant_id, claim_date, paid_date, claim_type, service_type, medical_amount, \
                pharmacy_amount, total_amount FROM claims ORDER BY claimant_id";
    assert_eq!(sql_text(&typed, rows), sql_text(&text, rows));
    assert!(sql_text(&typed, rows).contains("| P2          | 2025-01-06 | 2025-01-06 | pharmacy"));

    // The same batch as a Parquet file: the same rejects, and the file's sha256.
    use claimscope::datafusion::parquet::arrow::ArrowWriter;
    use sha2::Digest;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let sha = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let from_file = Dataset::new().load_parquet_bytes(Table::Claims, "claims.parquet", bytes, &lenient).unwrap();
    assert_eq!((from_file.errors, from_file.sha256), (s.errors.clone(), sha));
}

#[test]
fn a_client_option_fills_files_without_a_client_column_only() {
    let options = LoadOptions { client_id: Some("ACME".into()), ..LoadOptions::default() };
    let mut ds = Dataset::new();
    ds.load_csv_bytes(Table::Claims, "a.csv", b"claimant_id,claim_date,medical_amount\nP1,2025-01-05,1.00\n", &options)
        .unwrap();
    ds.load_csv_bytes(
        Table::Claims,
        "b.csv",
        b"client_id,claimant_id,claim_date,medical_amount\nBETA,P2,2025-01-05,2.00\n",
        &options,
    )
    .unwrap();
    assert_eq!(ds.clients().unwrap(), vec!["ACME".to_string(), "BETA".to_string()]);
    let e = Dataset::new()
        .load_csv_bytes(
            Table::Claims,
            "c.csv",
            b"claimant_id,claim_date,medical_amount\nP1,2025-01-05,1.00\n",
            &LoadOptions::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("required column client_id is missing"), "{e}");
}

/// A file of many read blocks (over 4 MiB), loaded from a path on every
/// core: counts, the rejects' record numbers and lines, the admin rows moved,
/// slash dates met only in the last block, and the sums, all worked out from
/// how the file was written.
#[test]
fn a_file_of_many_blocks_loads_like_one() {
    let rows = 130_000u64;
    let mut csv = String::from(CLAIMS_HEADER);
    let (mut medical_cents, mut bad, mut admin) = (0i64, Vec::new(), 0u64);
    for i in 1..=rows {
        let cents = (i % 9_973) as i64 + 100;
        // Every 7,001st row has a bad amount; every 5,003rd is an admin row;
        // the last 10 rows write their dates month-first with slashes
        // (12/25 proves the order: there is no month 25).
        let amount = if i % 7_001 == 0 { "12.3.4".to_string() } else { format!("{}.{:02}", cents / 100, cents % 100) };
        let claim_type = if i % 5_003 == 0 { "admin" } else { "medical" };
        let date = if i > rows - 10 { "12/25/2025".to_string() } else { format!("2025-{:02}-15", i % 12 + 1) };
        csv.push_str(&format!("C1,CL-{i},M-{},{date},{date},{claim_type},{amount},0.00,{amount}\n", i % 1_000));
        if i % 7_001 == 0 {
            bad.push(i);
        } else if claim_type == "admin" {
            admin += 1;
        } else {
            medical_cents += cents;
        }
    }
    assert!(csv.len() > 8 << 20, "the file must span several blocks");
    let path = std::env::temp_dir().join(format!("claimscope-many-blocks-{}.csv", std::process::id()));
    std::fs::write(&path, &csv).unwrap();
    let mut ds = Dataset::new();
    let options = LoadOptions { lenient: true, ..LoadOptions::default() };
    let s = ds.load_path(Table::Claims, path.to_str().unwrap(), &options).unwrap();
    // Validating keeps no rows and says the same, rejects, moves and slash dates included.
    let checked = claimscope::validate_path(Table::Claims, path.to_str().unwrap(), &options).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(checked, s);
    assert_counts(&s);
    assert_eq!((s.records_read, s.records_rejected, s.records_moved), (rows, bad.len() as u64, admin));
    let rejected: Vec<(u64, u64)> = s.errors.iter().map(|e| (e.record, e.line)).collect();
    assert_eq!(rejected, bad.iter().map(|&r| (r, r + 1)).collect::<Vec<_>>());
    assert_eq!(s.errors[0].column, "medical_amount");
    let total = sql_text(&ds, "SELECT CAST(SUM(medical_amount) AS VARCHAR) AS s, COUNT(*) AS n FROM claims");
    let expected = format!("{}.{:02}", medical_cents / 100, medical_cents % 100);
    assert!(
        total.contains(&expected) && total.contains(&(rows - bad.len() as u64 - admin).to_string()),
        "{total} vs {expected}"
    );
    // Rows keep the file's order; the slash dates read month-first.
    let last = sql_text(&ds, "SELECT claim_id, claim_date FROM claims ORDER BY claim_date DESC, claim_id LIMIT 1");
    assert!(last.contains("2025-12-25"), "{last}");
    let ids: Vec<String> = ds
        .batches(Table::Claims)
        .iter()
        .flat_map(|b| {
            let a = b
                .column_by_name("claim_id")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .unwrap()
                .clone();
            (0..a.len()).map(move |i| a.value(i).to_string()).collect::<Vec<_>>()
        })
        .collect();
    let numbers: Vec<u64> = ids.iter().map(|id| id[3..].parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "claims keep the file's order");
}

/// Claims store their repetitive text as dictionaries; what `sql` hands out
/// is data-model.md's utf8, and rows of two loads group as one.
#[test]
fn claims_text_is_stored_as_dictionaries_and_handed_out_as_utf8() {
    let header = "client_id,claimant_id,claim_date,service_category,total_amount\n";
    let mut ds = Dataset::new();
    let lenient = LoadOptions { lenient: true, ..LoadOptions::default() };
    let first = format!("{header}C1,P1,2025-01-05,Lab,10.00\nC1,P2,2025-01-06,,5.00\nCX,P7,2025-13-01,ER,1.00\n");
    let s = ds.load_csv_bytes(Table::Claims, "a.csv", first.as_bytes(), &lenient).unwrap();
    assert_eq!((s.records_accepted, s.records_rejected), (2, 1));
    let second = format!("{header}C1,P2,2025-02-01,Lab,1.00\nC2,P9,2025-02-01,ER,7.00\n");
    ds.load_csv_bytes(Table::Claims, "b.csv", second.as_bytes(), &LoadOptions::default()).unwrap();

    let stored = ds.batches(Table::Claims)[0].schema();
    assert!(matches!(stored.field_with_name("claimant_id").unwrap().data_type(), DataType::Dictionary(..)));
    let (schema, _) = ds.sql_table("SELECT * FROM claims").unwrap();
    assert_eq!(schema.as_ref(), Table::Claims.schema().as_ref());
    let (schema, _) = ds.sql_table("SELECT claimant_id, service_category FROM claims GROUP BY 1, 2").unwrap();
    assert!(schema.fields().iter().all(|f| f.data_type() == &DataType::Utf8), "{schema:?}");

    let sums = sql_text(&ds, "SELECT claimant_id, SUM(total_amount) AS s FROM claims GROUP BY 1 ORDER BY 1");
    for row in ["| P1          | 10.00 |", "| P2          | 6.00  |", "| P9          | 7.00  |"] {
        assert!(sums.contains(row), "{sums}");
    }
    // CX was only in the rejected row: no client.
    assert_eq!(ds.clients().unwrap(), ["C1", "C2"]);
    let blank = sql_text(&ds, "SELECT COUNT(*) AS n FROM claims WHERE service_category IS NULL");
    assert!(blank.contains("| 1 |"), "{blank}");
}

/// A file that is UTF-8 for its first records and Windows-1252 on a later
/// one (an export edited in two tools): each record keeps its own text, so
/// "José" written both ways is one claimant, and the load says which records
/// were read as Windows-1252. It used to re-read the whole file as
/// Windows-1252, turning the UTF-8 records' "é" into "Ã©".
#[test]
fn a_file_mixing_utf8_and_windows_1252_keeps_every_records_text() {
    let mut csv = CLAIMS_HEADER.as_bytes().to_vec();
    for i in 1..=14 {
        csv.extend_from_slice(
            format!("C1,CL-{i},M-Jos\u{e9},2025-01-02,2025-01-02,medical,1.00,0.00,1.00\n").as_bytes(),
        );
    }
    csv.extend_from_slice(b"C1,CL-15,M-Jos\xE9,2025-01-02,2025-01-02,medical,2.00,0.00,2.00\n");
    let path = std::env::temp_dir().join(format!("claimscope-late-1252-{}.csv", std::process::id()));
    std::fs::write(&path, &csv).unwrap();
    for from_path in [true, false] {
        let mut ds = Dataset::new();
        let s = if from_path {
            ds.load_path(Table::Claims, path.to_str().unwrap(), &LoadOptions::default()).unwrap()
        } else {
            ds.load_csv_bytes(Table::Claims, "mixed.csv", &csv, &LoadOptions::default()).unwrap()
        };
        assert_eq!((s.encoding.as_str(), s.records_read, s.records_accepted), ("UTF-8 and windows-1252", 15, 15));
        assert_eq!(
            s.warnings,
            ["mixed encodings: 1 record is not valid UTF-8, read as Windows-1252: record 15 (line 16); the other 14 non-ASCII records are UTF-8"]
        );
        let ids = sql_text(&ds, "SELECT DISTINCT claimant_id FROM claims");
        assert!(ids.contains("M-José") && !ids.contains('Ã'), "{ids}");
        assert_eq!(ds.report(None, "2025-01", &Default::default()).unwrap().summary.sums.claimant_count, 1);
    }
    std::fs::remove_file(&path).ok();
}

/// The mapping error of loading `csv` as claims through `profile`.
fn mapping_error(profile: &str, csv: &str) -> String {
    let run = || -> claimscope::Result<LoadSummary> {
        let options = LoadOptions { mapping: Some(MappingProfile::from_json(profile)?), ..LoadOptions::default() };
        Dataset::new().load_csv_bytes(Table::Claims, "c.csv", csv.as_bytes(), &options)
    };
    match run() {
        Err(Error::Mapping { message }) => message,
        other => panic!("expected a mapping error, got {other:?}"),
    }
}

#[test]
fn a_profile_that_would_lose_or_mix_columns_is_refused() {
    let csv = "client_id,claimant_id,Incurred,Paid Date,Dx,medical_amount\nA,P1,2025-01-02,2025-02-01,E119,1.00\n";
    // An empty list of headers (it used to panic).
    assert_eq!(
        mapping_error(r#"{"columns": {"icd_code": []}}"#, csv),
        "mapping profile is not valid: columns.icd_code is an empty list; name at least one header"
    );
    // A misspelt column would be ignored and every diagnosis lost.
    assert_eq!(
        mapping_error(r#"{"columns": {"claim_date": "Incurred", "icd_cde": "Dx"}}"#, csv),
        "c.csv: the profile's columns names 'icd_cde', which is not a column of this table; its columns are 'client_id', \
         'claim_id', 'claimant_id', 'claim_date', 'paid_date', 'claim_type', 'service_type', 'service_category', \
         'icd_code', 'medical_desc', 'layman_term', 'amount', 'medical_amount', 'pharmacy_amount', 'total_amount'; \
         closest: 'icd_code'"
    );
    // Two columns from one header would copy the paid date into the claim date.
    assert_eq!(
        mapping_error(r#"{"columns": {"claim_date": "Paid Date", "paid_date": "Paid Date"}}"#, csv),
        "c.csv: columns claim_date and paid_date both read header 'Paid Date'; map each column to its own header"
    );
    // A constant client_id must not move the file's own clients into one.
    assert_eq!(
        mapping_error(r#"{"columns": {"claim_date": "Incurred"}, "constants": {"client_id": "B"}}"#, csv),
        "c.csv: the profile's constants give client_id = 'B', but the file has its own client_id column (header \
         'client_id'); drop the constant or the column"
    );
    // The same profile without the mistakes loads.
    let ok = r#"{"columns": {"claim_date": "Incurred", "paid_date": "Paid Date", "icd_code": ["Dx"]}}"#;
    let options = LoadOptions { mapping: Some(MappingProfile::from_json(ok).unwrap()), ..LoadOptions::default() };
    let s = Dataset::new().load_csv_bytes(Table::Claims, "c.csv", csv.as_bytes(), &options).unwrap();
    assert_eq!((s.records_read, s.records_accepted), (1, 1));
}

#[test]
fn derived_sums_past_the_money_range_are_rejected() {
    // Each amount fits Decimal(18, 2); their sum needs 17 digits before the point.
    let e = only_error(
        Table::Claims,
        &format!("{CLAIMS_HEADER}{GOOD_CLAIM}A,C1,P1,2025-01-01,2025-01-02,medical,9999999999999999.99,9999999999999999.99,\n"),
    );
    assert_eq!((e.record, e.line, e.column.as_str(), e.value.as_str()), (2, 3, "total_amount", "19999999999999999.98"));
    assert_eq!(
        e.reason,
        "(medical_amount + pharmacy_amount) is too large for a money column (at most 16 digits before the decimal point)"
    );
    let e = only_error(
        Table::Budgets,
        "client_id,year,month,budget_medical,budget_pharmacy,budget_admin\nA,2025,1,1.00,1.00,1.00\n\
         A,2025,2,9999999999999999.99,1.00,0.01\n",
    );
    assert_eq!((e.record, e.column.as_str(), e.value.as_str()), (2, "total_budget", "10000000000000001.00"));
    assert!(e.reason.starts_with("(budget_medical + budget_pharmacy + budget_admin) is too large"), "{}", e.reason);
}

#[test]
fn dates_in_year_0_or_1_and_5_digit_years_are_rejected() {
    let e = only_error(
        Table::Claims,
        &format!("{CLAIMS_HEADER}{GOOD_CLAIM}A,C1,P1,0001-01-01,2025-01-02,medical,1.00,0.00,1.00\n"),
    );
    assert_eq!((e.record, e.column.as_str(), e.value.as_str()), (2, "claim_date", "0001-01-01"));
    assert_eq!(e.reason, "is in year 1; dates from 1900 to 2999 are read");
    let e = only_error(
        Table::Budgets,
        "client_id,year,month,budget_medical,budget_pharmacy,budget_admin\nA,2025,1,1.00,1.00,1.00\nA,02024,2,1.00,1.00,1.00\n",
    );
    assert_eq!(
        (e.record, e.column.as_str(), e.value.as_str(), e.reason.as_str()),
        (2, "year", "02024", "is not a 4-digit year")
    );
}

/// A claims file loaded as two files reports like the whole file: each load
/// has dictionaries of its own, and the report's keys are renumbered across
/// them (the same claimant, category or code in both halves is one group).
#[test]
fn claims_loaded_in_two_files_report_like_one() {
    let dir = std::env::temp_dir().join(format!("claimscope-two-loads-{}", std::process::id()));
    let out = dir.to_str().unwrap().to_string();
    claimscope::tools::generate::PlanSpec::new(400, 24, 11, 1, "2024-01").unwrap().write(&out).unwrap();
    let claims = std::fs::read_to_string(dir.join("claims.csv")).unwrap();
    let (header, rows) = claims.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    let half = rows.len() / 2;
    let first = format!("{header}\n{}\n", rows[..half].join("\n"));
    let second = format!("{header}\n{}\n", rows[half..].join("\n"));
    let load_others = |ds: &mut Dataset| {
        for (table, name) in [
            (Table::Budgets, "budgets.csv"),
            (Table::Enrollments, "enrollment.csv"),
            (Table::AdminFees, "admin_fees.csv"),
            (Table::Rebates, "rebates.csv"),
            (Table::StopLossReimbursements, "stop_loss.csv"),
        ] {
            ds.load_path(table, dir.join(name).to_str().unwrap(), &LoadOptions::default()).unwrap();
        }
    };
    let mut whole = Dataset::new();
    whole.load_csv_bytes(Table::Claims, "claims.csv", claims.as_bytes(), &LoadOptions::default()).unwrap();
    load_others(&mut whole);
    let mut split = Dataset::new();
    split.load_csv_bytes(Table::Claims, "first.csv", first.as_bytes(), &LoadOptions::default()).unwrap();
    split.load_csv_bytes(Table::Claims, "second.csv", second.as_bytes(), &LoadOptions::default()).unwrap();
    load_others(&mut split);
    std::fs::remove_dir_all(&dir).ok();
    let report = |ds: &Dataset| {
        let json = ds.report(None, "2025", &claimscope::ReportOptions::default()).unwrap().to_json().unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        doc.as_object_mut().unwrap().remove("lineage");
        doc
    };
    let (one, two) = (report(&whole), report(&split));
    for grouped in ["service_categories", "diagnosis_groups", "top_diagnoses"] {
        assert!(one[grouped].as_array().is_some_and(|a| a.len() > 2), "{grouped}: {}", one[grouped]);
    }
    assert_eq!(one, two);
}

/// The file-level error of loading `bytes` as claims.
fn file_error(bytes: &[u8], options: &LoadOptions) -> String {
    match Dataset::new().load_csv_bytes(Table::Claims, "f.csv", bytes, options) {
        Err(e) => e.to_string(),
        Ok(s) => panic!("expected an error, got {s:?}"),
    }
}

#[test]
fn lone_cr_line_endings_count_as_lines() {
    // Old Mac line endings: record 2 starts on line 3 (the header is line 1).
    let cr = "client_id,claimant_id,claim_date,medical_amount\rA,P1,2025-01-02,1.00\rA,P2,2025-01-02,x\rA,P3,2025-01-03,2.00\r";
    let e = only_error(Table::Claims, cr);
    assert_eq!((e.record, e.line, e.column.as_str(), e.value.as_str()), (2, 3, "medical_amount", "x"));
    // Mixed CRLF and CR: lines 1-3 end CRLF, line 4 CR, the bad record is on line 5.
    let mixed = "client_id,claimant_id,claim_date,medical_amount\r\nA,P1,2025-01-02,1.00\r\nA,P2,2025-01-02,1.00\rA,P3,2025-01-03,2.00\rA,P4,2025-01-03,y\r\n";
    let e = only_error(Table::Claims, mixed);
    assert_eq!((e.record, e.line, e.value.as_str()), (4, 5, "y"));
}

#[test]
fn an_unclosed_quote_is_named_and_says_what_it_swallowed() {
    let csv = "client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,\"P2,2025-01-02,2.00\nA,P3,2025-01-03,3.00\nA,P4,2025-01-03,3.00\n";
    let e = only_error(Table::Claims, csv);
    assert_eq!((e.record, e.line), (2, 3));
    assert_eq!(
        e.reason,
        "has an unclosed quote: a field opens with '\"' and no closing '\"' follows, so the rest of the file (lines 3 to 5) was read as this one record"
    );
    // A quote inside an unquoted field is text, not an open quote.
    let mut ds = Dataset::new();
    let ok = "client_id,claimant_id,claim_date,medical_amount,service_type\nA,P1,2025-01-02,1.00,12\" brace\n";
    assert_eq!(
        ds.load_csv_bytes(Table::Claims, "q.csv", ok.as_bytes(), &LoadOptions::default()).unwrap().records_accepted,
        1
    );
}

#[test]
fn a_nul_byte_in_a_field_is_rejected_naming_the_field() {
    let e = only_error(Table::Claims, "client_id,claimant_id,claim_date,medical_amount\nA,P\u{0}1,2025-01-02,1.00\n");
    assert_eq!((e.record, e.line, e.column.as_str()), (1, 2, "record"));
    assert_eq!(e.reason, "has a NUL byte (\\0) in field 2 (claimant_id); no text field may hold one");
}

#[test]
fn utf16_without_a_byte_order_mark_gets_a_hint_and_loads_when_declared() {
    let text = "client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\n";
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(
        file_error(&utf16, &LoadOptions::default()),
        "f.csv: cannot be loaded\nthe header cannot be read: it looks like UTF-16 text without a byte-order mark (every other byte is 0); save the file as UTF-8, or declare \"encoding\": \"utf-16le\" (or \"utf-16be\") in a mapping profile"
    );
    let declared = LoadOptions {
        mapping: Some(MappingProfile::from_json(r#"{"encoding": "utf-16le"}"#).unwrap()),
        ..LoadOptions::default()
    };
    let s = Dataset::new().load_csv_bytes(Table::Claims, "f.csv", &utf16, &declared).unwrap();
    assert_eq!((s.records_accepted, s.encoding.as_str()), (1, "UTF-16LE"));
}

#[test]
fn huge_values_are_echoed_cut_and_a_one_line_10_mb_file_fails_fast() {
    // A 5 MB amount: the error shows its first 200 characters and how many more.
    let csv = format!("client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,{}\n", "9".repeat(5_000_000));
    let e = only_error(Table::Claims, &csv);
    assert_eq!(e.value, format!("{}… (4999800 more characters)", "9".repeat(200)));
    // A 10 MB file of one line is one huge header: the message stays short.
    let one_line = "x".repeat(10_000_000);
    let message = file_error(one_line.as_bytes(), &LoadOptions::default());
    assert!(
        message.starts_with("f.csv: required column client_id is missing; headers found: 'xxx"),
        "{}",
        &message[..100]
    );
    assert!(message.contains("… (9999800 more characters)'; closest: 'none'"));
    assert!(message.len() < 1_000, "{} bytes", message.len());
}

#[test]
fn a_row_key_column_names_rejected_records_and_is_not_loaded() {
    let csv = "line_id,client_id,claimant_id,claim_date,medical_amount\n\
               L1,A,P1,2025-01-02,1.00\n\
               L2,A,P2,2025-02-30,2.00\n\
               L3,A,P3,1/2/2025,3.00\n\
               L4,A,P4,13/2/2025,4.00\n\
               L5,A,P5,1/13/2025,5.00\n\
               L6,A,P6,2/14/2025,6.00\n";
    let options = LoadOptions { lenient: true, row_key: Some("line_id".into()), ..LoadOptions::default() };
    let s = Dataset::new().load_csv_bytes(Table::Claims, "k.csv", csv.as_bytes(), &options).unwrap();
    // L2: no such day (rejected as read); the slash dates are month-first by
    // two records to one, so L4 (13/2) is rejected once they are resolved.
    let named: Vec<(u64, Option<&str>)> = s.errors.iter().map(|e| (e.record, e.key.as_deref())).collect();
    assert_eq!(named, vec![(2, Some("L2")), (4, Some("L4"))]);
    assert!(s.warnings.iter().all(|w| !w.contains("line_id")), "{:?}", s.warnings);
    let plain = Dataset::new()
        .load_csv_bytes(
            Table::Claims,
            "k.csv",
            csv.as_bytes(),
            &LoadOptions { lenient: true, ..LoadOptions::default() },
        )
        .unwrap();
    assert_eq!(plain.errors[0].key, None);
    assert!(plain.warnings.iter().any(|w| w.contains("columns not loaded") && w.contains("line_id")));
}
