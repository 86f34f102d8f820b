"""The report's figures written the way an analyst would in Polars (lazy, Decimal money).
Usage: python3 peer_polars.py PLAN_DIR YEAR [CLAIMS_FILE]  (claims.csv, or a .parquet with
Date and Decimal(18,2) columns)"""

import json
import sys

import polars as pl

from figures import THRESHOLD, shape

plan, year = sys.argv[1], int(sys.argv[2])
claims_file = sys.argv[3] if len(sys.argv) > 3 else "claims.csv"
money = {c: pl.Decimal(18, 2) for c in ("medical_amount", "pharmacy_amount", "total_amount")}
if claims_file.endswith(".parquet"):
    scanned = pl.scan_parquet(f"{plan}/{claims_file}")
else:
    scanned = pl.scan_csv(f"{plan}/{claims_file}", schema_overrides={**money, "claim_date": pl.Date})
claims = (
    scanned
    .filter(pl.col("claim_date").dt.year() == year)
    .select(
        pl.col("claimant_id"),
        pl.col("claim_date").dt.strftime("%Y-%m").alias("month"),
        pl.col("service_category").fill_null("Uncategorized").replace("", "Uncategorized").alias("category"),
        pl.col("medical_amount").alias("med"), pl.col("pharmacy_amount").alias("rx"), pl.col("total_amount").alias("tot"),
    )
)
enrollment = pl.scan_csv(f"{plan}/enrollment.csv").filter(pl.col("year") == year)
members = {f"{y:04d}-{m:02d}": n for y, m, n in
           enrollment.group_by("year", "month").agg(pl.col("member_count").sum()).collect().iter_rows()}
sums = [pl.col("med").sum(), pl.col("rx").sum()]
people = pl.col("claimant_id").n_unique()
by_month, total, by_category, by_claimant = pl.collect_all([
    claims.group_by("month").agg(*sums, pl.len(), people),
    claims.select(*sums, pl.len(), people),
    claims.group_by("category").agg(*sums, pl.col("tot").sum(), people, pl.len()),
    claims.group_by("claimant_id").agg(*sums, pl.col("tot").sum(), pl.len()).filter(pl.col("tot") >= THRESHOLD),
])
monthly = [(m, a, b, a + b, n, k, members.get(m, 0)) for m, a, b, n, k in by_month.iter_rows()]
med, rx, n, k = total.row(0)
print(json.dumps(shape((med, rx, med + rx, n, k, sum(members.values())), monthly,
                       list(by_category.iter_rows()), list(by_claimant.iter_rows()))))
