#!/usr/bin/env bash
# Every test of the project: Rust unit, integration and golden tests, the
# CLI's end-to-end tests, and the check of the golden reports against the
# independent Python reference. Run from anywhere: bash tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
python3 tests/reference/check_golden.py
