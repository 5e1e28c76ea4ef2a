#!/usr/bin/env bash
# Runs every test. Where the PostgreSQL server binaries are installed, starts a throwaway
# cluster (scripts/pg-cluster.sh: a temporary folder, a free port, trust auth, no system
# service) so the PostgreSQL suites run too; it is stopped and removed afterwards.
# ANGUAN_REQUIRE_POSTGRES=1 makes a missing PostgreSQL an error instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/pg-cluster.sh stop "$pg_dir"; return 0; }
trap cleanup EXIT

if [ -z "${ANGUAN_TEST_POSTGRES_URL:-}" ]; then
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    pg_dir=$(mktemp -d /tmp/anguan-pg.XXXXXX)
    ANGUAN_TEST_POSTGRES_URL=$(scripts/pg-cluster.sh start "$pg_dir")
    export ANGUAN_TEST_POSTGRES_URL
    echo "PostgreSQL test cluster: $ANGUAN_TEST_POSTGRES_URL"
  elif [ "${ANGUAN_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "PostgreSQL is required (ANGUAN_REQUIRE_POSTGRES=1) but no server binaries were found" >&2
    exit 1
  else
    echo "PostgreSQL server binaries not found: the PostgreSQL suites will be skipped"
  fi
fi

swift build --build-tests
swift test --skip-build --parallel --num-workers 2 "$@"
