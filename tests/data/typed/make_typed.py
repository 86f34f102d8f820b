"""Writes tests/golden/basic/claims.csv as typed Arrow IPC and Parquet files,
as a pyarrow user would keep them: dates as date32, amounts as
decimal128(18, 2), text as text. Usage: python3 make_typed.py (needs pyarrow)."""

import os

import pyarrow
import pyarrow.csv
import pyarrow.ipc
import pyarrow.parquet

here = os.path.dirname(os.path.abspath(__file__))
source = os.path.join(here, "..", "..", "golden", "basic", "claims.csv")
money = pyarrow.decimal128(18, 2)
types = {"claim_date": pyarrow.date32(), "paid_date": pyarrow.date32(),
         "medical_amount": money, "pharmacy_amount": money, "total_amount": money}
options = pyarrow.csv.ConvertOptions(column_types=types, strings_can_be_null=False)
table = pyarrow.csv.read_csv(source, convert_options=options)
table = table.cast(pyarrow.schema([pyarrow.field(f.name, types.get(f.name, pyarrow.string())) for f in table.schema]))
with pyarrow.ipc.new_file(os.path.join(here, "basic-claims.arrow"), table.schema) as writer:
    writer.write_table(table)
pyarrow.parquet.write_table(table, os.path.join(here, "basic-claims.parquet"))
