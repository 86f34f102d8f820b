"""A Dataset holding a plan's tables: load time, peak RSS once loaded, and
the time of a warm report (the second and third on the same Dataset), plus
the time to load the claims from a polars DataFrame and from Parquet, beside
polars' own read_parquet.
Usage: python benches/dataset_memory.py PLAN_DIR [--arrow]"""
import os, resource, sys, time

import claimscope

plan = sys.argv[1]
f = lambda name: os.path.join(plan, name)
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
ds = claimscope.Dataset()
t = time.perf_counter()
for table, name in [("claims", "claims.csv"), ("budgets", "budgets.csv"), ("enrollments", "enrollment.csv"),
                    ("admin_fees", "admin_fees.csv"), ("rebates", "rebates.csv"),
                    ("stop_loss_reimbursements", "stop_loss.csv")]:
    ds.load(table, f(name))
print(f"load CSV: {time.perf_counter() - t:.2f} s, peak RSS {rss()} MiB")
for i in range(3):
    t = time.perf_counter()
    ds.report(None, "2025")
    print(f"report {i + 1}: {time.perf_counter() - t:.3f} s, peak RSS {rss()} MiB")
if "--arrow" in sys.argv:
    import polars as pl
    parquet = f("claims.parquet")
    if not os.path.exists(parquet):
        pl.read_csv(f("claims.csv"), infer_schema=False).write_parquet(parquet)
    t = time.perf_counter()
    frame = pl.read_parquet(parquet)
    print(f"polars read_parquet: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    claimscope.Dataset().load("claims", frame, name="frame")
    print(f"Dataset.load(polars DataFrame of text): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    claimscope.Dataset().load("claims", parquet)
    print(f"Dataset.load(.parquet): {time.perf_counter() - t:.2f} s, peak RSS {rss()} MiB")
