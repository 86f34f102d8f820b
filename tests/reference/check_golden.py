"""Checks every expected golden report against the independent reference."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden")

failed = 0
cases = json.load(open(os.path.join(GOLDEN, "cases.json")))
for case in cases:
    expected = os.path.join(GOLDEN, "expected", case["name"] + ".json")
    args = [sys.executable, os.path.join(HERE, "compare.py"), expected, os.path.join(GOLDEN, case["dir"]), case["period"],
            "--basis", case["basis"], "--client", case["client"], "--hcc-threshold", case["hcc_threshold"],
            "--options", json.dumps(case.get("options", {}))]
    if "contract" in case:
        args += ["--contract", os.path.join(GOLDEN, case["dir"], case["contract"])]
    result = subprocess.run(args, capture_output=True, text=True)
    print(result.stdout.strip())
    if result.returncode != 0:
        failed += 1
print("reference: %d passed, %d failed" % (len(cases) - failed, failed))
sys.exit(1 if failed else 0)
