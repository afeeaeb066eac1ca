#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker compose config` where the plugin
# exists, else Debian's docker-compose (1.29), installed on demand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# The file has no default secrets (compose refuses to run without them); placeholders let the
# structure be checked. They are never used to run anything.
for secret in POSTGRES_PASSWORD REGISTRY_DB_PASSWORD MQTT_SERVICE_PASSWORD; do
  export "$secret=${!secret:-check-only-placeholder}"
done
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  docker-compose -f docker-compose.yml config --quiet
fi
echo "docker-compose.yml is valid"
