#!/usr/bin/env bash
# Runs every test. Where the PostgreSQL server binaries are installed, starts a throwaway
# cluster (initdb + pg_ctl in a temporary folder, on a free port, trust auth, no system
# service) so the PostgreSQL suites run too; it is stopped and removed afterwards.
# ANGUAN_REQUIRE_POSTGRES=1 makes a missing PostgreSQL an error instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin="$d"; done
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

as_pg() {
  # initdb refuses to run as root: run the cluster as the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -n "$pg_bin" ] && [ -z "${ANGUAN_TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/anguan-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; exit 1; }
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $pg_dir -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$pg_dir/server.log"; exit 1; }
  export ANGUAN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL test cluster on port $port"
elif [ -z "${ANGUAN_TEST_POSTGRES_URL:-}" ]; then
  if [ "${ANGUAN_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "PostgreSQL is required (ANGUAN_REQUIRE_POSTGRES=1) but no server binaries were found" >&2
    exit 1
  fi
  echo "PostgreSQL server binaries not found: the PostgreSQL suites will be skipped"
fi

swift build --build-tests
swift test --skip-build --parallel --num-workers 2 "$@"
