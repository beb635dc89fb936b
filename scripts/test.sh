#!/usr/bin/env bash
# Run every test (unit, snapshot, corpus, and real-PostgreSQL tests).
# Set PG2ZNB_REQUIRE_PG=1 / PG2ZNB_CORPUS=DIR to make a missing server or corpus a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cargo test --locked --all-targets "$@"
cargo test --locked --doc
