#!/bin/sh
# Creates Temporal's two databases and brings their schemas to the version of the server, with
# temporal-sql-tool (setup-schema + update-schema). Idempotent: run before every server start.
# Runs in the admin-tools image (docker-compose.yml, service temporal-schema) and on this machine
# (`npm run cluster`), from the same variables as the server (deploy/temporal/temporal.env):
#   POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD or POSTGRES_PWD_FILE, DBNAME,
#   VISIBILITY_DBNAME, DB (the SQL plugin), SCHEMA_DIR (.../schema/postgresql/v12),
#   SQL_TOOL (default temporal-sql-tool).
set -eu
: "${SCHEMA_DIR:=/etc/temporal/schema/postgresql/v12}"
: "${SQL_TOOL:=temporal-sql-tool}"
if [ -n "${POSTGRES_PWD_FILE:-}" ]; then POSTGRES_PWD="$(cat "$POSTGRES_PWD_FILE")"; fi
# The tool reads its connection from these variables (not flags: the password stays out of ps).
export SQL_PLUGIN="$DB" SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="$DB_PORT" SQL_USER="$POSTGRES_USER" \
  SQL_PASSWORD="$POSTGRES_PWD"

prepare() {
  database="$1" versioned="$2"
  if ! output="$("$SQL_TOOL" --db "$database" create-database 2>&1)"; then
    case "$output" in
      *"already exists"*) ;;
      *) echo "$output" >&2; exit 1 ;;
    esac
  fi
  "$SQL_TOOL" --db "$database" setup-schema -v 0.0
  "$SQL_TOOL" --db "$database" update-schema -d "$versioned"
}

prepare "$DBNAME" "$SCHEMA_DIR/temporal/versioned"
prepare "$VISIBILITY_DBNAME" "$SCHEMA_DIR/visibility/versioned"
echo "Temporal schemas of $DBNAME and $VISIBILITY_DBNAME are current"
