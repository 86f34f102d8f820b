"""The report's figures written the way an analyst would in DuckDB SQL.
Usage: python3 peer_duckdb.py PLAN_DIR YEAR [CLAIMS_FILE]  (prints the figures as JSON;
CLAIMS_FILE in PLAN_DIR: claims.csv, or a .parquet with Date and Decimal(18,2) columns)"""

import json
import sys

import duckdb

from figures import THRESHOLD, shape

plan, year = sys.argv[1], int(sys.argv[2])
claims_file = sys.argv[3] if len(sys.argv) > 3 else "claims.csv"
con = duckdb.connect()
money = {c: "DECIMAL(18,2)" for c in ("medical_amount", "pharmacy_amount", "total_amount")}
if claims_file.endswith(".parquet"):
    read_claims = f"read_parquet('{plan}/{claims_file}')"
else:
    read_claims = f"read_csv('{plan}/{claims_file}', header = true, types = {money!r}, dateformat = '%Y-%m-%d')"
con.execute(f"""
    CREATE TEMP VIEW claims AS
    SELECT claimant_id, strftime(claim_date, '%Y-%m') AS month,
           coalesce(nullif(service_category, ''), 'Uncategorized') AS category,
           medical_amount AS med, pharmacy_amount AS rx, total_amount AS tot
    FROM {read_claims}
    WHERE year(claim_date) = {year}""")
members = dict(con.execute(f"""
    SELECT printf('%04d-%02d', year, month), sum(member_count)
    FROM read_csv('{plan}/enrollment.csv', header = true) WHERE year = {year} GROUP BY 1""").fetchall())
monthly = [(m, a, b, g, n, k, members.get(m, 0)) for m, a, b, g, n, k in con.execute("""
    SELECT month, sum(med), sum(rx), sum(med) + sum(rx), count(*), count(DISTINCT claimant_id)
    FROM claims GROUP BY month""").fetchall()]
med, rx, n, k = con.execute("SELECT sum(med), sum(rx), count(*), count(DISTINCT claimant_id) FROM claims").fetchone()
summary = (med, rx, med + rx, n, k, sum(members.values()))
categories = con.execute("""
    SELECT category, sum(med), sum(rx), sum(tot), count(DISTINCT claimant_id), count(*)
    FROM claims GROUP BY category""").fetchall()
claimants = con.execute(f"""
    SELECT claimant_id, sum(med), sum(rx), sum(tot) AS total, count(*)
    FROM claims GROUP BY claimant_id HAVING sum(tot) >= {THRESHOLD}""").fetchall()
print(json.dumps(shape(summary, monthly, categories, claimants)))
