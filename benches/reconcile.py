#!/usr/bin/env python3
"""Reconciliation benchmark: `claimscope generate-recon` exports of N sales
reconciled with the pos-rewards preset (CSV read, matched, every row
explained, CSV written); prints wall time, peak RSS, precision and recall
against truth.csv. Not a timed test: the numbers go to benches/RESULTS.md.

    python3 benches/reconcile.py --claimscope target/release/claimscope --rows 100000 1000000
"""
import argparse
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "peers"))
from compare import measured  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claimscope", required=True)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", default="/var/cache/claimscope-bench/recon")
    args = ap.parse_args()
    print("| sales | left rows | right rows | wall s | peak RSS MiB | precision | recall |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        out = pathlib.Path(args.dir) / f"{rows}-seed{args.seed}"
        if not (out / "truth.csv").exists():
            subprocess.run([args.claimscope, "generate-recon", "--rows", str(rows), "--seed", str(args.seed), "--out", str(out)],
                           check=True, stdout=subprocess.DEVNULL)
        left, right = out / "pos_transactions.csv", out / "rewards_redemptions.csv"
        cmd = [args.claimscope, "reconcile", "--left", str(left), "--right", str(right), "--preset", "pos-rewards",
               "--format", "csv", "--out", str(out / "result.csv")]
        _, wall, rss = measured(cmd)
        # Precision and recall from a second run (the timed one writes only its result).
        check = subprocess.run(cmd + ["--truth", str(out / "truth.csv")], capture_output=True, text=True, check=True)
        words = check.stderr.split()
        lines = lambda p: sum(1 for _ in open(p, encoding="utf-8")) - 1  # noqa: E731
        print(f"| {rows:,} | {lines(left):,} | {lines(right):,} | {wall:.2f} | {rss / 2**20:.0f} | {words[1]} | {words[3]} |", flush=True)


if __name__ == "__main__":
    main()
