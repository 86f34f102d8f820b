//! Plans for the benchmarks: `claimscope generate` data cached on disk, so
//! every bench run (and the peers script) measures the same bytes.

use std::path::PathBuf;

use claimscope::tools::generate::PlanSpec;

/// Generated plans live here (outside the clone; override with CLAIMSCOPE_BENCH_DIR).
pub fn bench_dir() -> PathBuf {
    std::env::var_os("CLAIMSCOPE_BENCH_DIR").map_or_else(|| PathBuf::from("/var/cache/claimscope-bench"), PathBuf::from)
}

/// The folder of a plan of `members` x 24 months (seed 7), generated on first use.
pub fn plan(members: u32) -> claimscope::Result<PathBuf> {
    let dir = bench_dir().join(format!("plan-{members}x24"));
    if !dir.join("claims.csv").exists() {
        let out = dir.to_string_lossy().to_string();
        PlanSpec::new(members, 24, 7, 1, "2024-01")?.write(&out)?;
    }
    Ok(dir)
}

/// Members for ~100k, ~1M and ~5M claim lines (the generator writes about
/// 0.87 lines a member-month); CLAIMSCOPE_BENCH_MEMBERS overrides the list.
pub fn sizes() -> Vec<u32> {
    match std::env::var("CLAIMSCOPE_BENCH_MEMBERS") {
        Ok(list) => list.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) => vec![5_000, 50_000, 240_000],
    }
}
