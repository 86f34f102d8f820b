#!/usr/bin/env bash
# The CLI, the Python door and the Node door in turn on the same plan (3
# rounds): wall time and peak RSS of the one-call report on files, and
# whether the doors' JSON bytes equal the CLI's.
# Usage: benches/doors_speed.sh CLI_BIN PYTHON NODE_PACKAGE_DIR PLAN_DIR
#   PYTHON: an interpreter with the claimscope wheel installed;
#   NODE_PACKAGE_DIR: bindings-node after `npm run build` (release), or - to skip Node.
set -euo pipefail
cli="$1" python="$2" plan="$4"
node_pkg=-
[ "$3" = - ] || node_pkg="$(cd "$3" && pwd)"
doors="py node"
[ "$node_pkg" != - ] || doors=py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/report.py" <<'PY'
import sys, claimscope
r = claimscope.report_files("2025", "claims.csv", budgets="budgets.csv", enrollment="enrollment.csv",
                            admin_fees="admin_fees.csv", rebates="rebates.csv", stop_loss="stop_loss.csv")
sys.stdout.write(r.to_json())
PY
cat > "$out/report.mjs" <<MJS
import { reportFiles } from '$node_pkg/index.mjs'
const { report } = await reportFiles({ claims: ['claims.csv'], budgets: 'budgets.csv', enrollment: 'enrollment.csv',
  adminFees: 'admin_fees.csv', rebates: 'rebates.csv', stopLoss: 'stop_loss.csv' }, null, '2025', {})
process.stdout.write(report)
MJS
cd "$plan"
for round in 1 2 3; do
  /usr/bin/time -f "cli $round %e s %M KiB" "$cli" report --claims claims.csv --budgets budgets.csv \
    --enrollment enrollment.csv --admin-fees admin_fees.csv --rebates rebates.csv --stop-loss stop_loss.csv \
    --period 2025 --format json > "$out/cli.json" 2> "$out/cli.err" || { cat "$out/cli.err"; exit 1; }
  tail -n 1 "$out/cli.err"
  /usr/bin/time -f "python $round %e s %M KiB" "$python" "$out/report.py" > "$out/py.json" 2> "$out/py.err" \
    || { cat "$out/py.err"; exit 1; }
  tail -n 1 "$out/py.err"
  if [ "$node_pkg" != - ]; then
    /usr/bin/time -f "node $round %e s %M KiB" node "$out/report.mjs" > "$out/node.json" 2> "$out/node.err" \
      || { cat "$out/node.err"; exit 1; }
    tail -n 1 "$out/node.err"
  fi
  for door in $doors; do
    cmp -s "$out/cli.json" "$out/$door.json" && echo "round $round: $door = cli bytes" || echo "round $round: $door DIFFERS"
  done
done
