"""Writes a plan's claims as Parquet with typed columns, as a polars user
would keep them: dates as Date, amounts as Decimal(18, 2), text as text.
Usage: python3 typed_parquet.py PLAN_DIR [NAME]  (default claims-typed.parquet)"""

import sys

import polars as pl

plan = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else "claims-typed.parquet"
frame = pl.read_csv(f"{plan}/claims.csv", infer_schema=False)
money = [c for c in ("medical_amount", "pharmacy_amount", "total_amount") if c in frame.columns]
frame = frame.with_columns(
    [pl.col(c).str.to_date("%Y-%m-%d") for c in ("claim_date", "paid_date") if c in frame.columns]
    + [pl.col(c).cast(pl.Decimal(18, 2)) for c in money]
)
frame.write_parquet(f"{plan}/{name}")
