#!/usr/bin/env bash
# What every test needs on a fresh Debian machine with the Rust toolchain:
# Debian packages (Python venvs, Node and npm, poppler and Chromium for the
# printed report, PostgreSQL for the host database, clang for the wasm32
# build), the wasm32 target, rustfmt and clippy. Installs what is missing
# (apt-get as root, else through sudo when it needs no password); when it
# cannot, prints the one command that would and fails. tests/run-all.sh runs
# it first; the Python and Rust tools it builds itself live in its cache.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
  echo "cargo and rustup are missing: install the Rust toolchain first (https://rustup.rs)" >&2
  exit 1
fi

packages=()
command -v python3 >/dev/null 2>&1 || packages+=(python3 python3-pip)
python3 -m venv --help >/dev/null 2>&1 || packages+=(python3-venv)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  packages+=(postgresql)
fi
command -v clang >/dev/null 2>&1 || packages+=(clang)

if [ ${#packages[@]} -gt 0 ]; then
  install="apt-get update -qq && apt-get install -y -qq ${packages[*]}"
  echo "== Set-up: installing ${packages[*]}"
  if [ "$(id -u)" = 0 ]; then
    sh -c "$install"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo sh -c "$install"
  else
    echo "The tests need Debian packages this user cannot install; run as root:" >&2
    echo "  sudo sh -c '$install'" >&2
    exit 1
  fi
fi

installed_targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  rustup target add wasm32-unknown-unknown
fi
installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
  grep -q "^$component" <<<"$installed_components" || rustup component add "$component"
done
