"""Checks every expected golden report against the independent reference.

Each case is a manifest in tests/golden/cases (files by table, the complete
options document, the expected report)."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "..", "golden", "cases")

failed = 0
names = sorted(f for f in os.listdir(CASES_DIR) if f.endswith(".json"))
with tempfile.TemporaryDirectory() as work:
    for name in names:
        case = json.load(open(os.path.join(CASES_DIR, name)))
        # The reference reads a folder of canonical files by their names.
        folders = {os.path.dirname(os.path.normpath(os.path.join(CASES_DIR, f["path"]))) for f in case["files"]}
        assert len(folders) == 1, f"{name}: the reference reads the files of one folder"
        options = dict(case["options"])
        args = [sys.executable, os.path.join(HERE, "compare.py"), os.path.normpath(os.path.join(CASES_DIR, case["expected"])), folders.pop(),
                case["period"], "--basis", options.pop("basis"), "--client", case["client"],
                "--hcc-threshold", options.pop("hcc_threshold")]
        contract = options.pop("stop_loss_contract")
        if contract is not None:
            contract_path = os.path.join(work, name)
            with open(contract_path, "w") as f:
                json.dump(contract, f)
            args += ["--contract", contract_path]
        args += ["--options", json.dumps({k: v for k, v in options.items() if v is not None})]
        result = subprocess.run(args, capture_output=True, text=True)
        print(result.stdout.strip() or result.stderr.strip())
        if result.returncode != 0:
            failed += 1
print("reference: %d passed, %d failed" % (len(names) - failed, failed))
sys.exit(1 if failed else 0)
