"""claimscope against DuckDB, Polars and pandas on the same plan, in one run.

Generates a plan with `claimscope generate` (unless it exists), then times
each tool from cold CSV to the report's figures (summary, monthly table,
service categories, high-cost claimants) of the plan's last year: wall time
and peak RSS of each run (a fresh process, measured by its parent). Before
the timings count, every peer's figures are compared with claimscope's,
digit for digit; a disagreement is printed as a finding.

Usage: python3 benches/peers/compare.py --claimscope BIN [--members 200000]
       [--months 24] [--plan DIR] [--runs 3] [--tools duckdb,polars,pandas]
       [--carrier-columns] [--claims-file claims-typed.parquet]
(--claims-file: every tool reads the claims from that file of the plan; a
.parquet is written by benches/peers/typed_parquet.py when missing.)
Needs duckdb, polars and pandas importable by this Python.
"""

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from figures import from_report  # noqa: E402


def measured(args):
    """Runs one command in a child that reports its own child's peak RSS."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
             "wall = time.perf_counter() - t\n"
             "sys.stderr.write('%d %f %d\\n' % (p.returncode, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
             "sys.stdout.buffer.write(p.stdout)\n")
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True)
    code, wall, rss_kib = out.stderr.decode().strip().splitlines()[-1].split()
    if int(code) != 0:
        raise SystemExit(f"{args[0]} failed ({code}): {out.stderr.decode()}")
    return out.stdout, float(wall), int(rss_kib) * 1024


def plan_files(plan, claims_file):
    files = [("--claims", claims_file), ("--budgets", "budgets.csv"), ("--enrollment", "enrollment.csv"),
             ("--admin-fees", "admin_fees.csv"), ("--rebates", "rebates.csv"), ("--stop-loss", "stop_loss.csv")]
    return [x for flag, name in files if (plan / name).exists() for x in (flag, str(plan / name))]


def first_diff(a, b, path="figures"):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            d = first_diff(a.get(k), b.get(k), f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} rows vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: claimscope {a!r} vs peer {b!r}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claimscope", required=True)
    ap.add_argument("--members", type=int, default=200_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--plan")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tools", default="duckdb,polars,pandas")
    ap.add_argument("--carrier-columns", action="store_true",
                    help="claims lines shaped like a carrier export: procedure and provider columns, long descriptions")
    ap.add_argument("--claims-file", default="claims.csv")
    a = ap.parse_args()
    shape = "-carrier" if a.carrier_columns else ""
    plan = pathlib.Path(a.plan or f"/var/cache/claimscope-bench/plan-{a.members}x{a.months}{shape}")
    if not (plan / "claims.csv").exists():
        t = time.perf_counter()
        subprocess.run([a.claimscope, "generate", "--members", str(a.members), "--months", str(a.months),
                        "--seed", "7", "--out", str(plan), *(["--carrier-columns"] if a.carrier_columns else [])],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"generated {plan} in {time.perf_counter() - t:.1f} s")
    if a.claims_file.endswith(".parquet") and not (plan / a.claims_file).exists():
        subprocess.run([sys.executable, str(HERE / "typed_parquet.py"), str(plan), a.claims_file], check=True)
    lines = sum(1 for _ in open(plan / "claims.csv", "rb")) - 1
    size = (plan / a.claims_file).stat().st_size
    enrollment = [l.split(",") for l in (plan / "enrollment.csv").read_text().splitlines()[1:]]
    year = max(int(r[1]) for r in enrollment)
    print(f"plan: {lines:,} claim lines, {a.claims_file} {size / 2**20:.0f} MiB, report of {year}, {a.runs} runs each (median)")

    cmd = {"claimscope": [a.claimscope, "report", *plan_files(plan, a.claims_file), "--period", str(year),
                          "--format", "json"]}
    for tool in filter(None, a.tools.split(",")):
        cmd[tool] = [sys.executable, str(HERE / f"peer_{tool}.py"), str(plan), str(year), a.claims_file]

    results, figures = {}, {}
    for tool, args in cmd.items():
        walls, rss = [], []
        for _ in range(a.runs):
            out, wall, peak = measured(args)
            walls.append(wall)
            rss.append(peak)
        results[tool] = (statistics.median(walls), max(rss))
        doc = json.loads(out, parse_float=Decimal)
        figures[tool] = from_report(doc) if tool == "claimscope" else doc

    findings = []
    for tool in cmd:
        if tool != "claimscope":
            d = first_diff(figures["claimscope"], figures[tool])
            if d:
                findings.append(f"{tool} disagrees: {d}")
    base = results.get("duckdb", (None,))[0]
    print(f"{'tool':<12}{'wall s':>10}{'peak RSS MiB':>15}{'vs DuckDB':>12}  figures")
    for tool, (wall, peak) in results.items():
        ratio = f"{wall / base:.2f}x" if base else "-"
        agree = "reference" if tool == "claimscope" else ("differ" if any(f.startswith(tool) for f in findings) else "same digits")
        print(f"{tool:<12}{wall:>10.2f}{peak / 2**20:>15.0f}{ratio:>12}  {agree}")
    for f in findings:
        print("finding:", f)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
