#!/usr/bin/env bash
# Writes the secrets docker-compose.yml reads (Docker secrets, mounted under /run/secrets) into
# ./secrets, once: existing files are kept. The directory is private (700); the files are
# world-readable so that each container's own user (temporal, nginx, node, mosquitto) can read
# its mount, which exposes them to nobody else on the host.
#
#   bash deploy/generate-secrets.sh [--ui-user admin]    # prints the Temporal UI login once
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ui_user='admin'
[[ "${1:-}" == --ui-user ]] && ui_user="$2"
mkdir -p secrets
chmod 700 secrets

random() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }
write() {
  local name="$1" value="$2"
  [[ -s "secrets/$name" ]] && return 0
  printf '%s\n' "$value" > "secrets/$name"
  chmod 444 "secrets/$name"
  echo "wrote secrets/$name" >&2
}

write postgres-password "$(random)"
write temporal-db-password "$(random)"
write registry-db-password "$(random)"
# The registry's URL embeds its password (URL-safe by construction).
write database-url "postgres://fleet:$(cat secrets/registry-db-password)@postgresql:5432/fleet_registry"
write mqtt-service-password "$(random)"
if [[ ! -s secrets/temporal-ui.htpasswd ]]; then
  ui_password="$(random)"
  # SHA-512 crypt, which nginx checks through the C library's crypt().
  write temporal-ui.htpasswd "$ui_user:$(openssl passwd -6 "$ui_password")"
  echo "Temporal UI login: $ui_user / $ui_password (shown once)"
fi
