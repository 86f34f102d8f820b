#!/usr/bin/env bash
# Builds the Apache DataFusion Ballista 55.0 scheduler and executor binaries
# into DIR/bin (default: the claimscope cache's ballista folder) with their
# own lock files. Each resolves its own DataFusion features, so DataFusion is
# compiled twice: 59 minutes on 2 cores here (benches/RESULTS.md, session 17),
# which is why tests/run-all.sh runs the cluster test only once they exist.
set -euo pipefail
cache="${CLAIMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/claimscope}"
dir="${1:-$cache/ballista}"
mkdir -p "$dir"
for crate in ballista-scheduler ballista-executor; do
  if [ ! -x "$dir/bin/$crate" ]; then
    CARGO_TARGET_DIR="$dir/target" cargo install --locked -q --root "$dir" "$crate@55.0.0"
  fi
done
rm -rf "$dir/target"
echo "$dir/bin"
