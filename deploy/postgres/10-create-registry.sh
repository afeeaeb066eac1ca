#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d). The
# server's superuser (POSTGRES_USER) owns Temporal's databases, which temporalio/auto-setup creates;
# the registry gets its own login role and database, so the api and worker hold no superuser.
set -euo pipefail
: "${REGISTRY_DB_PASSWORD:?set REGISTRY_DB_PASSWORD}"
registry_user="${REGISTRY_DB_USER:-fleet}"
registry_database="${REGISTRY_DB_NAME:-fleet_registry}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=registry_user="$registry_user" --set=registry_password="$REGISTRY_DB_PASSWORD" \
  --set=registry_database="$registry_database" <<'SQL'
create role :"registry_user" login password :'registry_password';
create database :"registry_database" owner :"registry_user";
SQL
