"""Seeds fuzz/corpus/<target>/ from the project's own test inputs (golden
files, carrier exports, profiles, options, contracts, labels, reconciliation
cases). Run from anywhere: python3 fuzz/seed_corpora.py"""
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TABLES = ["claims", "budgets", "enrollment", "admin_fees", "rebates", "stop_loss"]


def put(target, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


# load: [table index, flags] + the file's bytes (odd flags: through a profile).
for i, table in enumerate(TABLES):
    for folder in ("basic", "contract"):
        path = os.path.join(ROOT, "tests", "golden", folder, table + ".csv")
        if os.path.exists(path):
            for flags in (0, 1):
                put("load", bytes([i, flags]) + read(path)[:20000])
for name in ("clean_claims.csv", "carrier_claims.csv"):
    put("load", bytes([0, 1]) + read("tests", "data", name)[:20000])

put("mapping_profile", read("tests", "data", "carrier_claims.profile.json"))
put("mapping_profile", b'{"columns": {"claimant_id": "Member ID", "claim_date": "Service Date"}, "date_format": "%m/%d/%Y"}')

cases = os.path.join(ROOT, "tests", "golden", "cases")
for name in sorted(os.listdir(cases)):
    case = json.load(open(os.path.join(cases, name)))
    put("report_options", json.dumps(case["options"]).encode())
    put("period", case["period"].encode())
    if case["options"].get("stop_loss_contract"):
        put("stop_loss_contract", json.dumps(case["options"]["stop_loss_contract"]).encode())
for label in ("2025-03", "2025-Q1", "2025", "2025-YTD", "2025-YTD-06", "R12-2025-06", "2024-11..2025-04", "9999-Q4", "0001"):
    put("period", label.encode())
put("report_options", b'{"completion": {"as_of": "2025-02-28", "projection_months": 1, "blend": true, "tail": "1.05"}, "project_year": true}')

left = read("tests", "reconcile", "pos-small", "left.csv")
right = read("tests", "reconcile", "pos-small", "right.csv")
for preset in (b"pos-rewards", b"stop-loss", b"rebates", b"admin-invoice"):
    put("reconciliation", preset + b"\xff" + left[:8000] + b"\xff" + right[:8000])

for text in ("ACME", "José <b>&amp;</b> \"quoted\" 'x'", "x" * 300, "\u202e\u0000\ufffd emoji \U0001F600"):
    put("print", text.encode("utf-8", "surrogatepass"))
