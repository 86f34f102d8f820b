//! CSV -> canonical Arrow (throughput per byte of claims CSV) and the report
//! of the last year on loaded tables, at ~100k, ~1M and ~5M claim lines.
//! `cargo bench -p claimscope-benches` (plans are generated on first use).

// A benchmark that cannot set itself up stops there, like a failed test.
#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use claimscope::tools::generate::PLAN_FILES;
use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
use claimscope_benches::{plan, sizes};

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count().saturating_sub(1)
}

fn csv_to_arrow(c: &mut Criterion) {
    let mut group = c.benchmark_group("csv_to_arrow");
    group.sample_size(10);
    for members in sizes() {
        let dir = plan(members).expect("generate the plan");
        let bytes = std::fs::read(dir.join("claims.csv")).expect("read claims.csv");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("claims", format!("{} lines", lines(&bytes))), &bytes, |b, bytes| {
            b.iter(|| {
                let mut ds = Dataset::new();
                ds.load_csv_bytes(Table::Claims, "claims.csv", bytes, &LoadOptions::default()).expect("load")
            })
        });
    }
    group.finish();
}

fn report(c: &mut Criterion) {
    let mut group = c.benchmark_group("report_loaded");
    group.sample_size(10);
    for members in sizes() {
        let dir = plan(members).expect("generate the plan");
        let mut ds = Dataset::new();
        let mut claim_lines = 0;
        for (table, file) in PLAN_FILES {
            let bytes = std::fs::read(dir.join(file)).expect("read plan file");
            if table == Table::Claims {
                claim_lines = lines(&bytes);
            }
            ds.load_csv_bytes(table, file, &bytes, &LoadOptions::default()).expect("load");
        }
        group.bench_function(BenchmarkId::new("year_2025", format!("{claim_lines} lines")), |b| {
            b.iter(|| ds.report(None, "2025", &ReportOptions::default()).expect("report"))
        });
    }
    group.finish();
}

criterion_group!(benches, csv_to_arrow, report);
criterion_main!(benches);
