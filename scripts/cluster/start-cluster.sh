#!/usr/bin/env bash
# `npm run cluster`: a real Temporal cluster on loopback, built from the Go module proxy
# (scripts/cluster/build-temporal.sh), on PostgreSQL from Debian's packages, with Mosquitto for
# devices; everything it keeps lives under --dir. It prints (and writes to <dir>/cluster.env) the
# variables that point `npm run start:api` / `npm run start:worker` at it, the same names
# docker-compose.yml sets. Ctrl-C stops everything it started.
#
#   npm run cluster -- [--dir data/cluster] [--temporal-port 7233] [--ui-port 8233]
#                      [--postgres-port 5433] [--mqtt-port 1883]
#
# Temporal's other services take the ports right above the frontend's (+1 history, +2 matching,
# +3 internal frontend, +6 worker, +10 frontend HTTP) and their membership ports 300 below, as in
# Temporal's own configuration. The Mosquitto service listener is --mqtt-port + 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
directory=data/cluster
temporal_port=7233
ui_port=8233
postgres_port=5433
mqtt_port=1883
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) directory="$2"; shift 2 ;;
    --temporal-port) temporal_port="$2"; shift 2 ;;
    --ui-port) ui_port="$2"; shift 2 ;;
    --postgres-port) postgres_port="$2"; shift 2 ;;
    --mqtt-port) mqtt_port="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

# shellcheck source=postgres-common.sh
source "$root/scripts/cluster/postgres-common.sh"
# shellcheck source=../../deploy/versions.env
source "$root/deploy/versions.env"

mkdir -p "$directory"
directory="$(cd "$directory" && pwd)"
secrets="$directory/secrets"
pgdata="$directory/postgres"
# A private socket directory: local connections trust the socket, so only its owner may reach it.
socket_directory="$directory/postgres-socket"
temporal_directory="$directory/temporal"
ui_directory="$directory/ui"
log_directory="$directory/logs"
mosquitto_directory="$directory/mosquitto"
cli="$root/.tools/venv/bin/temporal"
temporal_address="127.0.0.1:$temporal_port"

log() { printf '[cluster] %s\n' "$*" >&2; }

if [[ -f "$directory/cluster.pid" ]] && kill -0 "$(cat "$directory/cluster.pid")" 2>/dev/null; then
  echo "a cluster already runs from $directory (pid $(cat "$directory/cluster.pid"))" >&2
  exit 1
fi
# Temporal stores membership ports (the frontend port - 300 .. - 294) in a smallint column: a
# frontend port above 33061 makes the server exit at start.
if ((temporal_port < 301 || temporal_port - 300 + 6 > 32767)); then
  echo "--temporal-port must be between 301 and 33061 (its membership ports, 300 below, must fit a smallint)" >&2
  exit 1
fi
# Fail fast rather than after a startup timeout, e.g. when `npm start` holds 7233, 8233 or 1883.
for port in "$temporal_port" $((temporal_port + 1)) $((temporal_port + 2)) $((temporal_port + 6)) \
  $((temporal_port + 10)) "$ui_port" "$postgres_port" "$mqtt_port" $((mqtt_port + 1)); do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use; choose other ports (--help)" >&2
    exit 1
  fi
done
echo $$ > "$directory/cluster.pid"

background_pids=()
stop_everything() {
  trap - INT TERM EXIT
  log "stopping"
  for pid in "${background_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${background_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -s "$mosquitto_directory/mosquitto.pid" ]]; then
    kill -TERM "$(cat "$mosquitto_directory/mosquitto.pid")" 2>/dev/null || true
  fi
  if [[ -f "$pgdata/postmaster.pid" ]]; then
    as_cluster_owner "$(postgres_bin_directory)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -f "$directory/cluster.pid"
  log "stopped"
}
trap stop_everything EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    # A process that exited while starting will not come up: say so now, not after the timeout.
    for pid in "${background_pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && continue
      echo "$what: a process exited while starting; logs in $log_directory" >&2
      exit 1
    done
    sleep 1
  done
  echo "$what did not come up within ${seconds}s; logs in $log_directory" >&2
  exit 1
}

# Generated once, URL-safe (the registry's password goes into DATABASE_URL), mode 600.
secret() {
  local file="$secrets/$1"
  [[ -s "$file" ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file")
  cat "$file"
}

build_binaries() {
  log "Temporal server $TEMPORAL_SERVER_VERSION, UI $TEMPORAL_UI_VERSION (built once from the Go module proxy)"
  bin="$(bash "$root/scripts/cluster/build-temporal.sh" | tail -n 1)"
  module_directory="$(cat "$bin/../module-dir")"
  schema_directory="$module_directory/schema/postgresql/v12"
}

start_postgres() {
  ensure_postgres_installed
  local postgres_bin
  postgres_bin="$(postgres_bin_directory)"
  mkdir -p "$pgdata" "$socket_directory"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$pgdata" "$socket_directory"; fi
  chmod 700 "$pgdata" "$socket_directory"
  if [[ ! -f "$pgdata/PG_VERSION" ]]; then
    log "initialising PostgreSQL $(postgres_version) in $pgdata"
    as_cluster_owner "$postgres_bin/initdb" -D "$pgdata" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 >"$log_directory/initdb.log"
  fi
  log "starting PostgreSQL on 127.0.0.1:$postgres_port"
  # Temporal's four services each keep a connection pool; the default of 100 is too tight.
  as_cluster_owner "$postgres_bin/postgres" -D "$pgdata" -p "$postgres_port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$socket_directory" -c max_connections=300 >>"$log_directory/postgres.log" 2>&1 &
  background_pids+=($!)
  wait_for PostgreSQL 60 "$postgres_bin/pg_isready" -q -h "$socket_directory" -p "$postgres_port"
}

psql_admin() {
  psql -v ON_ERROR_STOP=1 -q -tA -h "$socket_directory" -p "$postgres_port" -U postgres -d postgres "$@"
}

ensure_role() {
  local role="$1" password="$2" attributes="$3"
  if [[ "$(psql_admin -c "select 1 from pg_roles where rolname = '$role'")" != 1 ]]; then
    psql_admin -c "create role \"$role\" $attributes password '$password'"
  fi
}

database_exists() {
  [[ "$(psql_admin -c "select 1 from pg_database where datname = '$1'")" == 1 ]]
}

# Temporal runs (in a subshell, so nothing else inherits them) from the same variables as
# docker-compose.yml's temporal service (deploy/temporal/temporal.env), with loopback addresses
# and this script's ports.
temporal_environment() {
  local membership=$((temporal_port - 300))
  set -a
  # shellcheck source=../../deploy/temporal/temporal.env
  source "$root/deploy/temporal/temporal.env"
  set +a
  export POSTGRES_SEEDS=127.0.0.1 DB_PORT="$postgres_port" BIND_ON_IP=127.0.0.1
  export FRONTEND_GRPC_PORT="$temporal_port" FRONTEND_HTTP_PORT=$((temporal_port + 10))
  export HISTORY_GRPC_PORT=$((temporal_port + 1)) MATCHING_GRPC_PORT=$((temporal_port + 2))
  export INTERNAL_FRONTEND_GRPC_PORT=$((temporal_port + 3)) INTERNAL_FRONTEND_HTTP_PORT=$((temporal_port + 13))
  export WORKER_GRPC_PORT=$((temporal_port + 6))
  export FRONTEND_MEMBERSHIP_PORT="$membership" HISTORY_MEMBERSHIP_PORT=$((membership + 1))
  export MATCHING_MEMBERSHIP_PORT=$((membership + 2)) INTERNAL_FRONTEND_MEMBERSHIP_PORT=$((membership + 3))
  export WORKER_MEMBERSHIP_PORT=$((membership + 6))
  export PROMETHEUS_ENDPOINT="127.0.0.1:$((temporal_port + 767))"
  export DYNAMIC_CONFIG_FILE_PATH="$root/deploy/temporal/dynamicconfig.yaml"
  export POSTGRES_PWD_FILE="$secrets/temporal-db-password"
}

# Temporal's databases are created and versioned by its own schema tool, by the same script as
# docker-compose.yml's one-shot temporal-schema service.
setup_temporal_databases() {
  # Temporal's role may create its own databases, as in docker-compose.yml (deploy/postgres/).
  ensure_role temporal "$(secret temporal-db-password)" 'login createdb'
  log "Temporal schemas (temporal-sql-tool setup-schema + update-schema)"
  (temporal_environment && SCHEMA_DIR="$schema_directory" SQL_TOOL="$bin/temporal-sql-tool" \
    exec sh "$root/deploy/temporal/setup-schema.sh") >>"$log_directory/schema.log" 2>&1 ||
    { echo "schema setup failed; see $log_directory/schema.log" >&2; exit 1; }
}

setup_registry_database() {
  local password
  password="$(secret registry-db-password)"
  ensure_role fleet "$password" login
  database_exists fleet_registry || psql_admin -c 'create database fleet_registry owner fleet'
  (umask 077; echo "postgres://fleet:$password@127.0.0.1:$postgres_port/fleet_registry" > "$secrets/database-url")
}

start_temporal() {
  # The server's own embedded configuration template, rendered from the variables above (the
  # file is kept for reference: it is what the server runs with).
  mkdir -p "$temporal_directory"
  cp "$module_directory/common/config/config_template_embedded.yaml" "$temporal_directory/config.yaml"
  chmod 600 "$temporal_directory/config.yaml"
  log "starting Temporal server on $temporal_address ($(grep '^NUM_HISTORY_SHARDS=' "$root/deploy/temporal/temporal.env"))"
  (temporal_environment && POSTGRES_PWD="$(cat "$POSTGRES_PWD_FILE")" && export POSTGRES_PWD &&
    exec "$bin/temporal-server" --config-file "$temporal_directory/config.yaml" start) \
    >>"$log_directory/temporal.log" 2>&1 &
  background_pids+=($!)
  wait_for "Temporal server" 120 "$cli" operator cluster health --address "$temporal_address"
  if ! "$cli" operator namespace describe --address "$temporal_address" --namespace default >/dev/null 2>&1; then
    "$cli" operator namespace create --address "$temporal_address" --namespace default --retention 72h >/dev/null
  fi
  "$root/node_modules/.bin/tsx" "$root/scripts/cluster/register-search-attributes.ts" \
    --address "$temporal_address" --namespace default
}

start_ui() {
  mkdir -p "$ui_directory/config"
  cat > "$ui_directory/config/cluster.yaml" <<YAML
# Written by scripts/cluster/start-cluster.sh on each start.
temporalGrpcAddress: $temporal_address
host: 127.0.0.1
port: $ui_port
enableUi: true
defaultNamespace: default
cors:
  cookieInsecure: true
YAML
  log "starting Temporal UI on http://127.0.0.1:$ui_port"
  "$bin/temporal-ui-server" --root "$ui_directory" --config config --env cluster start >>"$log_directory/ui.log" 2>&1 &
  background_pids+=($!)
  wait_for "Temporal UI" 60 bash -c "echo > /dev/tcp/127.0.0.1/$ui_port"
}

start_mosquitto() {
  log "starting Mosquitto: devices on 127.0.0.1:$mqtt_port, the service on $((mqtt_port + 1))"
  bash "$root/scripts/ci/start-mosquitto.sh" --dir "$mosquitto_directory" --port "$mqtt_port" \
    >/dev/null 2>>"$log_directory/mosquitto-start.log" ||
    { echo "Mosquitto did not start; see $log_directory/mosquitto-start.log" >&2; exit 1; }
}

write_environment() {
  cat > "$directory/cluster.env" <<ENV
TEMPORAL_ADDRESS=$temporal_address
TEMPORAL_NAMESPACE=default
TEMPORAL_TASK_QUEUE=fleet-actions
TEMPORAL_UI_URL=http://127.0.0.1:$ui_port
DATABASE_URL_FILE=$secrets/database-url
MQTT_URL=mqtt://127.0.0.1:$((mqtt_port + 1))
MQTT_DEVICE_URL=mqtt://127.0.0.1:$mqtt_port
MQTT_SERVICE_USERNAME=${MQTT_SERVICE_USERNAME:-fleet-actions-service}
MQTT_SERVICE_PASSWORD_FILE=$mosquitto_directory/service-password
MOSQUITTO_AUTH_DIR=$mosquitto_directory
SEED_DEMO_ON_START=false
ENV
}

# Device credentials go from the registry to Mosquitto's files, as the mosquitto-sync service of
# docker-compose.yml does: every 5 s until the api has migrated the registry, then every 30 s.
sync_mosquitto_forever() {
  while :; do
    if (set -a && source "$directory/cluster.env" && exec "$root/node_modules/.bin/tsx" \
      "$root/scripts/sync-mosquitto-credentials.ts" --dir "$mosquitto_directory") >>"$log_directory/mosquitto-sync.log" 2>&1; then
      sleep 30
    else
      sleep 5
    fi
  done
}

mkdir -p "$secrets" "$log_directory"
chmod 700 "$secrets"
build_binaries
start_postgres
setup_temporal_databases
setup_registry_database
start_temporal
start_ui
start_mosquitto
write_environment
sync_mosquitto_forever &
background_pids+=($!)

cat <<BANNER

Cluster up (data and logs under $directory). Run the service against it, same variables as
docker-compose.yml (also in $directory/cluster.env):

  set -a; source $directory/cluster.env; set +a
  npm run start:api                      # PORT=3000 by default
  WORKER_ID=1 npm run start:worker       # as many as you like, one per terminal,
  WORKER_ID=2 npm run start:worker       # each with its own WORKER_ID (its broker session)
  npm run seed:demo                      # once: the demo company, 1,000 devices, 3 fleets

$(sed 's/^/  /' "$directory/cluster.env")

Temporal UI: http://127.0.0.1:$ui_port    Ctrl-C stops everything.
BANNER
# Any component exiting ends the cluster (the EXIT trap stops the rest).
wait -n "${background_pids[@]}" || true
log "a component stopped; logs in $log_directory"
