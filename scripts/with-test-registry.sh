#!/usr/bin/env bash
# Runs a command with DATABASE_URL naming a PostgreSQL server: the one given, or else one embedded
# PostgreSQL started here for the command (throw-away data, fsync off) and stopped at the end,
# also when the command fails or is interrupted. Tests and the history recorder make their own
# databases on it.
#   bash scripts/with-test-registry.sh <command> [arguments...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${DATABASE_URL:-}" ]]; then
  registry_directory="$(mktemp -d)"
  # As root the server runs as the postgres user, who must enter the directory.
  chmod 755 "$registry_directory"
  registry_pid=
  stop_registry() {
    if [[ -n "$registry_pid" ]] && kill -0 "$registry_pid" 2>/dev/null; then
      kill -TERM "$registry_pid" 2>/dev/null || true
      wait "$registry_pid" 2>/dev/null || true
    fi
    rm -rf "$registry_directory"
  }
  trap stop_registry EXIT
  DATA_DIR="$registry_directory" REGISTRY_PORT=0 REGISTRY_FSYNC=off LOG_LEVEL=warn \
    node --import tsx scripts/embedded/registry-process.ts >"$registry_directory/registry.out" &
  registry_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^DATABASE_URL=' "$registry_directory/registry.out" && break
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.1
  done
  DATABASE_URL="$(sed -n 's/^DATABASE_URL=//p' "$registry_directory/registry.out")"
  if [[ -z "$DATABASE_URL" ]]; then
    echo "The test registry (embedded PostgreSQL) did not start within 60 s:" >&2
    cat "$registry_directory/registry.out" >&2
    exit 1
  fi
  export DATABASE_URL
fi

"$@"
