#!/usr/bin/env bash
# Builds the package with @napi-rs/cli, packs it, installs the tarball into
# an empty project as a user would, and runs the tests and tsc against it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$here"
CLAIMSCOPE_NODE_SKIP_BUILD=1 npm install --no-audit --no-fund --loglevel=error
if [ -n "${CLAIMSCOPE_DOOR_FEATURES:-}" ]; then
  # The same build with the door's cargo features (e.g. cluster).
  npx napi build --platform --js index.js --dts index.d.ts --features "$CLAIMSCOPE_DOOR_FEATURES"
  node scripts/append-types.js
else
  npm run build --silent
fi
rm -f claimscope-*.tgz
tarball="$here/$(npm pack --silent | tail -n 1)"
project=$(mktemp -d)
trap 'rm -rf "$project"; rm -f "$tarball"' EXIT
cd "$project"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" typescript@5 @types/node@20
cp -r "$here/test" "$project/test"
CLAIMSCOPE_REPO="$repo" NODE_PATH="$project/node_modules" node --test test/
npx tsc -p test/tsconfig.json
echo "node door: tsc --noEmit passed"
