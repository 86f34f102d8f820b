"""How close claimscope's completion comes to the truth on generated plans.

`claimscope generate` draws each claim's paid date 5-89 days after its
service date (adjustments 10-39 days after that). A plan of 36 months is
generated; its extract is cut at a paid-through date (as_of, 12 months
before the end), completed, and each incurred month's completed claims are
compared with the same month's claims paid through a year later (the truth:
every lag is under 130 days, so those months are then complete). The truth
is summed here from the CSV, apart from the engine.

    python3 benches/completion_accuracy.py --claimscope target/release/claimscope \
        [--members 2000 20000] [--seeds 1 2 3] [--as-of 2025-12-31]

Prints a Markdown table per plan size: the error of the completed latest
months (chain ladder alone, with the default 2-month PMPM projection, and
with the blend) and of the total IBNR.
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile
from collections import defaultdict
from decimal import Decimal


def truth_by_month(claims_path, client):
    totals = defaultdict(Decimal)
    with open(claims_path, newline="") as f:
        for row in csv.DictReader(f):
            if row["client_id"] != client:
                continue
            try:
                amount = Decimal(row["medical_amount"] or "0") + Decimal(row["pharmacy_amount"] or "0")
            except Exception:
                continue  # a deliberately bad row the loader rejects (lenient)
            totals[row["claim_date"][:7]] += amount
    return totals


def completion(binary, plan, as_of, period, projection_months, blend):
    args = [binary, "report", "--lenient", "--period", period, "--completion", "--as-of", as_of,
            "--projection-months", str(projection_months), "--format", "json"] + (["--blend"] if blend else [])
    for flag, name in (("--claims", "claims.csv"), ("--budgets", "budgets.csv"), ("--enrollment", "enrollment.csv"),
                       ("--admin-fees", "admin_fees.csv"), ("--rebates", "rebates.csv"), ("--stop-loss", "stop_loss.csv")):
        args += [flag, os.path.join(plan, name)]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout, parse_float=Decimal)


def pct(x):
    return "%+.1f%%" % (100 * x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claimscope", required=True)
    ap.add_argument("--members", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--as-of", default="2025-12-31")
    args = ap.parse_args()
    valuation = args.as_of[:7]
    year = int(valuation[:4])
    period = "%d-01..%s" % (year, valuation)
    print("as_of %s; truth = the same incurred months paid through %d-12-31\n" % (args.as_of, year + 1))
    for members in args.members:
        print("### %d members, 36 months from %d-01\n" % (members, year - 1))
        print("| seed | method | latest month | 2nd latest | 3rd latest | latest 3 together | IBNR of the year"
              " | mean abs error, latest 3 | latest month's miss / its Mack std error |")
        print("|---|---|---|---|---|---|---|---|---|")
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as plan:
                subprocess.run([args.claimscope, "generate", "--members", str(members), "--months", "36",
                                "--seed", str(seed), "--start", "%d-01" % (year - 1), "--out", plan],
                               check=True, capture_output=True)
                claims = os.path.join(plan, "claims.csv")
                client = next(csv.DictReader(open(claims)))["client_id"]
                truth = truth_by_month(claims, client)
                for label, months, blend in (("chain ladder", 0, False), ("+ PMPM projection (2)", 2, False),
                                             ("+ blend (2)", 2, True)):
                    c = completion(args.claimscope, plan, args.as_of, period, months, blend)["completion"]
                    rows = {m["month"]: m for m in c["months"]}
                    latest = sorted(rows)[-3:][::-1]
                    errors = [rows[m]["completed"] / truth[m] - 1 for m in latest]
                    together = sum(rows[m]["completed"] for m in latest) / sum(truth[m] for m in latest) - 1
                    in_year = [m for m in rows if m.startswith(str(year))]
                    true_ibnr = sum(truth[m] - rows[m]["paid"] for m in in_year)
                    est_ibnr = sum(rows[m]["ibnr"] for m in in_year)
                    mae = sum(abs(e) for e in errors) / len(errors)
                    newest = rows[latest[0]]
                    in_se = (newest["completed"] - truth[latest[0]]) / newest["std_err"] if newest["std_err"] else None
                    print("| %d | %s | %s | %s | %s | %s | %s | %.1f%% | %s |" % (
                        seed, label, pct(errors[0]), pct(errors[1]), pct(errors[2]), pct(together),
                        pct(est_ibnr / true_ibnr - 1), 100 * mae, "%+.2f" % in_se if in_se is not None else "-"))
        print()


if __name__ == "__main__":
    main()
