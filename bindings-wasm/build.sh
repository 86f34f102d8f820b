#!/usr/bin/env bash
# Builds the browser module without wasm-pack: cargo for wasm32, then the
# wasm-bindgen CLI of the crate's exact version (`--target web`: an ES module
# the page and Node both load). No wasm-opt: Debian's binaryen 108 breaks the
# module's externref table and took 5.5 minutes for a third off the size.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$(cd "$repo" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
bindgen="${WASM_BINDGEN:-wasm-bindgen}"
cd "$repo"
cargo build --target wasm32-unknown-unknown -p claimscope-wasm --profile wasm-release
"$bindgen" --target web --remove-name-section --remove-producers-section --out-dir "$here/pkg" "$target_dir/wasm32-unknown-unknown/wasm-release/claimscope_wasm.wasm"
wasm="$here/pkg/claimscope_wasm_bg.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "claimscope_wasm_bg.wasm: $raw bytes raw, $gz bytes gzipped"
