//! Export folders of Parquet partitions: every golden case written out and
//! read back (loaded, or queried in place) reports as its golden file
//! (lineage aside, which names the Parquet files), and a folder with a
//! partition gone is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimscope::{Dataset, LoadOptions, ParquetExport};
use common::{cases, without_lineage};

#[test]
fn every_golden_case_reports_the_same_from_its_parquet_export() {
    let mut checked = 0;
    for case in &cases() {
        let work = tempfile::tempdir().unwrap();
        let folder = work.path().join("export");
        let summary = case.dataset().export_parquet_dir(&folder).unwrap();
        assert!(!summary.files.is_empty(), "{}", case.name);
        let mut back = Dataset::new();
        back.load_parquet_dir(&folder, &LoadOptions::default()).unwrap();
        let report = back.report(Some(&case.client), &case.period, &case.options()).unwrap();
        let expected = std::fs::read_to_string(&case.expected).unwrap();
        assert_eq!(without_lineage(&report.to_json().unwrap()), without_lineage(&expected), "{}", case.name);
        // Read in place: the grouped queries a cluster runs, with the
        // folders' partition filters, here on DataFusion over the files.
        let in_place = Dataset::over_parquet_dir(&folder).unwrap();
        let report = in_place.report(Some(&case.client), &case.period, &case.options()).unwrap();
        assert_eq!(without_lineage(&report.to_json().unwrap()), without_lineage(&expected), "{} in place", case.name);
        assert_eq!(in_place.clients().unwrap(), case.dataset().clients().unwrap(), "{}: clients", case.name);
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

/// The rows of a table as sorted lines of text (order inside a partition
/// follows reading, which the figures do not depend on).
fn sorted_rows(ds: &Dataset, table: claimscope::Table) -> Vec<String> {
    use claimscope::arrow::util::display::{ArrayFormatter, FormatOptions};
    let mut rows = Vec::new();
    for batch in ds.batches(table) {
        let formats: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default().with_null("NULL")).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(formats.iter().map(|f| f.value(row).to_string()).collect::<Vec<_>>().join("|"));
        }
    }
    rows.sort();
    rows
}

#[test]
fn claims_streamed_from_their_files_make_the_same_export() {
    let mut checked = 0;
    for case in &cases() {
        let work = tempfile::tempdir().unwrap();
        let (streamed, kept) = (work.path().join("streamed"), work.path().join("kept"));
        let mut export = ParquetExport::new(&streamed).unwrap();
        for (table, path) in &case.files {
            export.load_path(*table, path.to_str().unwrap(), &LoadOptions::default()).unwrap();
        }
        let summary = export.finish().unwrap();
        let expected_summary = case.dataset().export_parquet_dir(&kept).unwrap();
        assert_eq!(summary.tables, expected_summary.tables, "{}", case.name);
        let paths = |s: &claimscope::dataset::parquet_dir::ExportSummary| {
            s.files.iter().map(|f| (f.path.clone(), f.rows)).collect::<Vec<_>>()
        };
        assert_eq!(paths(&summary), paths(&expected_summary), "{}", case.name);
        let (mut a, mut b) = (Dataset::new(), Dataset::new());
        a.load_parquet_dir(&streamed, &LoadOptions::default()).unwrap();
        b.load_parquet_dir(&kept, &LoadOptions::default()).unwrap();
        for table in claimscope::Table::STORED {
            assert_eq!(sorted_rows(&a, table), sorted_rows(&b, table), "{} {}", case.name, table.name());
        }
        let report = a.report(Some(&case.client), &case.period, &case.options()).unwrap();
        let expected = std::fs::read_to_string(&case.expected).unwrap();
        assert_eq!(without_lineage(&report.to_json().unwrap()), without_lineage(&expected), "{}", case.name);
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

#[test]
fn a_streamed_export_keeps_the_descriptions() {
    // tests/golden/basic/claims.csv has a medical_desc column; a report's fold drops it, an export must not.
    let basic = common::golden_dir().join("basic/claims.csv");
    let work = tempfile::tempdir().unwrap();
    let mut export = ParquetExport::new(work.path()).unwrap();
    export.load_path(claimscope::Table::Claims, basic.to_str().unwrap(), &LoadOptions::default()).unwrap();
    export.finish().unwrap();
    let mut back = Dataset::new();
    back.load_parquet_dir(work.path(), &LoadOptions::default()).unwrap();
    let descriptions: usize = back
        .batches(claimscope::Table::Claims)
        .iter()
        .map(|b| {
            let c = b.column_by_name("medical_desc").unwrap();
            c.len() - c.null_count()
        })
        .sum();
    let text = std::fs::read_to_string(&basic).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "medical_desc").unwrap();
    let in_file = text.lines().skip(1).filter(|l| !l.split(',').nth(at).unwrap_or("").is_empty()).count();
    assert!(in_file > 0);
    assert_eq!(descriptions, in_file);
}

#[test]
fn partitions_follow_client_and_incurred_month_with_the_storage_types() {
    use claimscope::arrow::datatypes::DataType;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let ds = claimscope::tools::demo::dataset().unwrap();
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("plan");
    let summary = ds.export_parquet_dir(&folder).unwrap();
    // The sample plan: one client, claims incurred in 24 months (2024-2025).
    let claims: Vec<_> = summary.files.iter().filter(|f| f.table == "claims").collect();
    assert_eq!(claims.len(), 24);
    assert_eq!(claims[0].path, "claims/client=CLIENT01/month=2024-01/part-0.parquet");
    assert_eq!(claims.iter().map(|f| f.rows).sum::<u64>(), summary.tables["claims"]);
    let file = std::fs::File::open(folder.join(&claims[0].path)).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    for batch in reader {
        let batch = batch.unwrap();
        let schema = batch.schema();
        assert_eq!(schema.field_with_name("total_amount").unwrap().data_type(), &DataType::Decimal128(18, 2));
        assert!(matches!(schema.field_with_name("service_category").unwrap().data_type(), DataType::Dictionary(..)));
        assert_eq!(schema.field_with_name("claim_date").unwrap().data_type(), &DataType::Date32);
    }
    // An export never lands in a folder that holds files already.
    let again = ds.export_parquet_dir(&folder).unwrap_err().to_string();
    assert!(again.contains("not empty"), "{again}");
}

#[test]
fn a_missing_partition_is_an_error_naming_the_table() {
    let ds = claimscope::tools::demo::dataset().unwrap();
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("plan");
    let summary = ds.export_parquet_dir(&folder).unwrap();
    let gone = summary.files.iter().find(|f| f.table == "claims").unwrap();
    std::fs::remove_file(folder.join(&gone.path)).unwrap();
    let message = Dataset::new().load_parquet_dir(&folder, &LoadOptions::default()).unwrap_err().to_string();
    let expected = format!(
        "{} rows of claims read from 23 files, the manifest says {}",
        summary.tables["claims"] - gone.rows,
        summary.tables["claims"]
    );
    assert!(message.contains(&expected), "{message}");
}

/// A claims file whose last row is bad (strict mode) fails after its first
/// blocks went to partition files: the export is refused and leaves no
/// files behind, whether its folder was made by the export or was empty.
#[test]
fn a_failed_streamed_export_leaves_no_files() {
    let header = "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,medical_amount\n";
    let mut csv = String::from(header);
    // ~9 MB: past two of the loader's 4 MiB blocks before the bad row.
    for i in 0..150_000 {
        csv.push_str(&format!(
            "A,C{i},M{},2025-{:02}-15,2025-{:02}-20,medical,{}.25\n",
            i % 997,
            i % 12 + 1,
            i % 12 + 1,
            i % 500
        ));
    }
    csv.push_str("A,BAD,M1,2025-01-15,2025-01-20,medical,twelve\n");
    let work = tempfile::tempdir().unwrap();
    let claims = work.path().join("claims.csv");
    std::fs::write(&claims, &csv).unwrap();
    let empty = work.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (folder, existed) in [(work.path().join("made"), false), (empty, true)] {
        let mut export = ParquetExport::new(&folder).unwrap();
        let failed = export.load_path(claimscope::Table::Claims, claims.to_str().unwrap(), &LoadOptions::default());
        let message = failed.map(|_| ()).expect_err("the bad amount fails a strict load").to_string();
        assert!(message.contains("twelve"), "{message}");
        let written = std::fs::read_dir(folder.join("claims")).map(|d| d.count()).unwrap_or(0);
        assert!(written > 0, "the first blocks were written before the bad row");
        let refused = export.finish().map(|_| ()).expect_err("an export holding part of a file").to_string();
        assert!(refused.contains("incomplete") && refused.contains("claims.csv"), "{refused}");
        assert_eq!(folder.exists(), existed);
        if existed {
            assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
        }
    }
    // A load that fails before any row (a missing column) spoils nothing.
    let folder = work.path().join("fine");
    let mut export = ParquetExport::new(&folder).unwrap();
    let no_amounts = work.path().join("no_amounts.csv");
    std::fs::write(&no_amounts, "client_id,claim_id,claimant_id,claim_date\nA,1,M1,2025-01-15\n").unwrap();
    assert!(export
        .load_path(claimscope::Table::Claims, no_amounts.to_str().unwrap(), &LoadOptions::default())
        .is_err());
    let small = work.path().join("small.csv");
    std::fs::write(&small, format!("{header}A,1,M1,2025-01-15,2025-01-20,medical,10.00\n")).unwrap();
    export.load_path(claimscope::Table::Claims, small.to_str().unwrap(), &LoadOptions::default()).unwrap();
    assert_eq!(export.finish().unwrap().tables.get("claims"), Some(&1));
}

/// Read in place on this machine, a report reads only its client's and
/// window's folders, as on a cluster.
#[test]
fn a_report_in_place_reads_only_its_clients_and_windows_partitions() {
    common::reads_only_its_partitions(Dataset::over_parquet_dir, "in place");
}
