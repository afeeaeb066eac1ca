#!/usr/bin/env bash
# Runs every test file (or those given as arguments) with Node's test runner through tsx.
# Test files run one at a time: several start their own Temporal servers and brokers.
# The registry is PostgreSQL: the server DATABASE_URL names, or else one embedded PostgreSQL
# started here for the whole run (throw-away data, fsync off) and stopped at the end, also when a
# test fails or the run is interrupted. Each test makes its own database on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-temporal.sh
# Arguments may name test files or folders; none means the whole suite.
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort)

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

node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
