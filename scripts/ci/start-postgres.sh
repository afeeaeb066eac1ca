#!/usr/bin/env bash
# Starts a local PostgreSQL (Debian's package) on 127.0.0.1:5432 for the registry tests, creates
# a login role allowed to create the tests' throw-away databases, and prints the DATABASE_URL.
# Idempotent: run it again and it only checks that everything is up.
set -euo pipefail

role="${PG_TEST_ROLE:-fleet}"
password="${PG_TEST_PASSWORD:-fleet}"
database="${PG_TEST_DATABASE:-fleet}"
port=5432

# shellcheck source=../cluster/postgres-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/postgres-common.sh"
ensure_postgres_installed

version="$(postgres_version)"
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
  as_root pg_createcluster "$version" main --port "$port"
fi
if ! pg_lsclusters -h | awk '$1 == v && $2 == "main" {print $4}' v="$version" | grep -qx online; then
  as_root pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "PostgreSQL did not start on 127.0.0.1:$port" >&2; exit 1; }

psql_postgres() { as_postgres psql -v ON_ERROR_STOP=1 -q -p "$port" -tAc "$1"; }
if [[ "$(psql_postgres "select 1 from pg_roles where rolname = '$role'")" != 1 ]]; then
  psql_postgres "create role \"$role\" login createdb password '$password'"
fi
if [[ "$(psql_postgres "select 1 from pg_database where datname = '$database'")" != 1 ]]; then
  psql_postgres "create database \"$database\" owner \"$role\""
fi

echo "DATABASE_URL=postgres://$role:$password@127.0.0.1:$port/$database"
