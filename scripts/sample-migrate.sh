#!/usr/bin/env bash
# The migration guide end to end on throwaway servers: a source (PostgreSQL 15, loaded with the
# bundled pagila and its 46k rows) and a target (PostgreSQL 11, the engine of ZNbaseDB 2.x), each
# in its own temporary directory on a free loopback port; `pg2znb migrate` moves the database and
# verifies it with row checksums; both servers are stopped and removed at the end.
# Usage: scripts/sample-migrate.sh [PG2ZNB_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./target/release/pg2znb}

pg15=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")
pg11=${PG2ZNB_PG11_BIN:-}
for d in "${PG2ZNB_PG11_DIR:-}/bin" /opt/pg2znb/postgresql-11/bin "${XDG_CACHE_HOME:-$HOME/.cache}/pg2znb/postgresql-11/bin"; do
    [ -z "$pg11" ] && [ -x "$d/postgres" ] && pg11=$d
done
[ -x "$pg15/postgres" ] && [ -n "$pg11" ] || { echo "sample-migrate: PostgreSQL 15 and 11 are needed: run scripts/deps.sh" >&2; exit 2; }

work=$(mktemp -d /tmp/pg2znb-sample.XXXXXX)
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres: "$work"; as_pg=(runuser -u postgres --); fi
started=()
cleanup() {
    for dir in "${started[@]}"; do "${as_pg[@]}" "$(cat "$dir/bin")/pg_ctl" stop -D "$dir/data" -m fast >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # name bin: starts a server; its port is left in $port
    local dir="$work/$1"
    "${as_pg[@]}" mkdir -p "$dir"
    echo "$2" | "${as_pg[@]}" tee "$dir/bin" >/dev/null
    "${as_pg[@]}" "$2/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C -U postgres --no-sync >/dev/null
    port=$(free_port)
    "${as_pg[@]}" "$2/pg_ctl" start -w -D "$dir/data" -l "$dir/log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
    started+=("$dir")
}

echo "sample-migrate: starting a PostgreSQL 15 source and a PostgreSQL 11 target"
start source "$pg15"
src=$port
start target "$pg11"
tgt=$port
psql -X -q -h 127.0.0.1 -p "$src" -U postgres -c 'CREATE DATABASE pagila' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src" -U postgres -d pagila \
    -f fixtures/pagila/pagila-full-pgdump15.sql >/dev/null
psql -X -q -h 127.0.0.1 -p "$tgt" -U postgres -c 'CREATE DATABASE pagila' >/dev/null
echo "sample-migrate: source loaded with pagila (46k rows); migrating to ZNbaseDB 2.6's engine"
out=out/migrate
rm -rf "$out"
status=0
"$bin" migrate --source "postgresql://postgres@127.0.0.1:$src/pagila" \
    --target "postgresql://postgres@127.0.0.1:$tgt/pagila" -w "$out" --target-version 2.6 || status=$?
echo "sample-migrate: migrate exited $status; its work directory (status.json, schema.sql, compiled/) is $out"
exit "$status"
