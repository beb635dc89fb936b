#!/usr/bin/env bash
# Build pg2znb and compile the bundled pagila sample; prints where the output went.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --build-only
cargo build --release --locked
out=out/pagila
./target/release/pg2znb compile fixtures/pagila/pagila-schema-a8bdd3e.sql -o "$out" --force
echo
ls -l "$out"
