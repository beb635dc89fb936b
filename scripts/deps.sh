#!/usr/bin/env bash
# What the build and tests need beyond the Rust toolchain: libclang (pg_query's bindgen), OpenSSL's
# headers and pkg-config (openssl-sys, for verify's TLS) and a PostgreSQL server (integration tests
# start their own throwaway one). Installs them with apt when run as root, otherwise says what to
# install.
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
