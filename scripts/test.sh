#!/usr/bin/env bash
# Run every test (unit, snapshot, corpus, and real-PostgreSQL tests).
# Set PG2ZNB_REQUIRE_PG=1 / PG2ZNB_CORPUS=DIR to make a missing server or corpus a failure.
# The last line says which PostgreSQL servers and which corpus the live and corpus tests could
# use (they skip quietly without them, unless required).
set -euo pipefail
cd "$(dirname "$0")/.."

# What tests/support/pg.rs and tests/support/corpus.rs find, in their order.
has_server() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }
server() { # DIR → "15.14 (DIR)"
    local v
    v=$("$1/postgres" --version 2>/dev/null | awk '{print $3}') || v="?"
    echo "$v ($1)"
}
pg15() {
    if [ -n "${PG2ZNB_PG_BIN:-}" ]; then has_server "$PG2ZNB_PG_BIN" && server "$PG2ZNB_PG_BIN"; return 0; fi
    local d
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$d" ] && has_server "$d"; then server "$d"; return 0; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if has_server "$d"; then server "$d"; return 0; fi
    done
}
pg11() {
    if [ -n "${PG2ZNB_PG11_BIN:-}" ]; then has_server "$PG2ZNB_PG11_BIN" && server "$PG2ZNB_PG11_BIN"; return 0; fi
    local d
    for d in ${PG2ZNB_PG11_DIR:+"$PG2ZNB_PG11_DIR/bin"} /opt/pg2znb/postgresql-11/bin \
        "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/pg2znb/postgresql-11/bin"; do
        if has_server "$d"; then server "$d"; return 0; fi
    done
}
summary() {
    local status=$? main old corpus n browser
    main=$(pg15 || true)
    # What tests/report_html.rs finds, in its order.
    browser=${PG2ZNB_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
    old=$(pg11 || true)
    corpus="${PG2ZNB_CORPUS:-../shared/corpus}"
    if [ -d "$corpus" ]; then
        n=$(find "$corpus" -name '*.sql' | wc -l)
        corpus="corpus $corpus ($n .sql files)"
    else
        corpus="no corpus at $corpus (corpus tests skipped)"
    fi
    echo "test.sh: $([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)");" \
        "PostgreSQL main: ${main:-none (live tests skipped)}; PostgreSQL 11: ${old:-none (its tests skipped)};" \
        "$corpus; browser: ${browser:-none (report.html browser checks skipped)};" \
        "PG2ZNB_REQUIRE_PG=${PG2ZNB_REQUIRE_PG:-unset}, PG2ZNB_CORPUS=${PG2ZNB_CORPUS:-unset}"
}
trap summary EXIT
# Killed or interrupted: say so (without these the EXIT trap would see the last finished command's 0).
trap 'exit 143' TERM
trap 'exit 130' INT

bash scripts/deps.sh
cargo test --locked --quiet --all-targets "$@"
cargo test --locked --quiet --doc
