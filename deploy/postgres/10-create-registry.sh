#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d). Temporal
# and the registry get their own login roles; Temporal's may create its two databases, which the
# temporal-schema service (temporal-sql-tool) creates and versions. The api and worker hold no
# superuser. Passwords come from Docker secrets (deploy/generate-secrets.sh writes them).
set -euo pipefail
temporal_password="$(cat "${TEMPORAL_DB_PASSWORD_FILE:?set TEMPORAL_DB_PASSWORD_FILE}")"
registry_password="$(cat "${REGISTRY_DB_PASSWORD_FILE:?set REGISTRY_DB_PASSWORD_FILE}")"
registry_user="${REGISTRY_DB_USER:-fleet}"
registry_database="${REGISTRY_DB_NAME:-fleet_registry}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=temporal_password="$temporal_password" \
  --set=registry_user="$registry_user" --set=registry_password="$registry_password" \
  --set=registry_database="$registry_database" <<'SQL'
create role temporal login createdb password :'temporal_password';
create role :"registry_user" login password :'registry_password';
create database :"registry_database" owner :"registry_user";
SQL
