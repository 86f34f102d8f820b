"""Compares an engine report (JSON) with the independent reference, field by
field, exact digits. Exit 1 on the first differences (all are listed).

Usage: python3 compare.py REPORT.json DIR PERIOD [--basis B] [--client C] [--hcc-threshold N]
                          [--options JSON] [--contract FILE]
"""
import json
import sys

from report_ref import reference


def walk(ref, got, path, diffs):
    if isinstance(ref, dict):
        if not isinstance(got, dict):
            diffs.append("%s: expected an object, got %r" % (path, got))
            return
        for k, v in ref.items():
            if k == "warning_codes":
                codes = {w["code"] for w in got.get("warnings", [])}
                for c in v:
                    if c not in codes:
                        diffs.append("%s: warning %s missing" % (path, c))
                continue
            if k not in got and not (path == "" and k == "warning_codes"):
                diffs.append("%s.%s: missing" % (path, k))
                continue
            walk(v, got[k], path + "." + k, diffs)
    elif isinstance(ref, list):
        if not isinstance(got, list) or len(got) != len(ref):
            diffs.append("%s: expected %d items, got %r" % (path, len(ref), got if not isinstance(got, list) else len(got)))
            return
        for i, (a, b) in enumerate(zip(ref, got)):
            walk(a, b, "%s[%d]" % (path, i), diffs)
    else:
        if ref != got:
            diffs.append("%s: expected %r, got %r" % (path, ref, got))


def main():
    report_path, rest = sys.argv[1], sys.argv[2:]
    opts = {"basis": "incurred", "client": None, "threshold": "50000.00", "options": "{}", "contract": None}
    names = {"--basis": "basis", "--client": "client", "--hcc-threshold": "threshold", "--options": "options", "--contract": "contract"}
    pos, i = [], 0
    while i < len(rest):
        if rest[i] in names:
            opts[names[rest[i]]] = rest[i + 1]
            i += 2
        else:
            pos.append(rest[i]); i += 1
    got = json.loads(open(report_path).read(), parse_float=str)
    if opts["client"] is None:
        opts["client"] = got["client_id"]
    from decimal import Decimal
    contract = json.load(open(opts["contract"]), parse_float=Decimal) if opts["contract"] else None
    ref = reference(pos[0], pos[1], opts["basis"], opts["client"], opts["threshold"],
                    options=json.loads(opts["options"]), contract=contract)
    diffs = []
    walk(ref, got, "", diffs)
    if diffs:
        print("%s: %d differences from the reference" % (report_path, len(diffs)))
        for d in diffs[:60]:
            print("  " + d)
        sys.exit(1)
    print("%s: matches the reference field by field" % report_path)


if __name__ == "__main__":
    main()
