#!/usr/bin/env bash
# Two claimscope binaries in turn on the same plans (3 rounds): wall time,
# user CPU and peak RSS of `report`, and whether their JSON bytes agree.
# Usage: benches/before_after.sh BEFORE_BIN AFTER_BIN PLAN_DIR...
set -euo pipefail
before="$1" after="$2"
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for plan in "$@"; do
  for round in 1 2 3; do
    for v in before after; do
      bin=${!v}
      (cd "$plan" && /usr/bin/time -f "$(basename "$plan") $v %e s %U user %M KiB" "$bin" report \
        --claims claims.csv --budgets budgets.csv --enrollment enrollment.csv --admin-fees admin_fees.csv \
        --rebates rebates.csv --stop-loss stop_loss.csv --period 2025 --format json \
        > "$out/$v.json" 2> "$out/$v.err") || { cat "$out/$v.err"; exit 1; }
      tail -n 1 "$out/$v.err"
    done
    cmp -s "$out/before.json" "$out/after.json" && echo "round $round: same bytes" || echo "round $round: DIFFERENT"
  done
done
