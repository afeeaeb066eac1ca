#!/usr/bin/env bash
# Starts a local PostgreSQL (Debian's package) on 127.0.0.1:5432 for the registry tests, creates
# a login role allowed to create the tests' throw-away databases, and prints the DATABASE_URL.
# Idempotent: run it again and it only checks that everything is up.
set -euo pipefail

role="${PG_TEST_ROLE:-fleet}"
password="${PG_TEST_PASSWORD:-fleet}"
database="${PG_TEST_DATABASE:-fleet}"
port=5432

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
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
