#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (`docker compose config` where the plugin
# exists, else Debian's docker-compose, installed on demand), and fails when the versions drift:
# compose's images, the from-source cluster (scripts/cluster/build-temporal.sh) and the dev stack's
# pinned Temporal CLI (scripts/install-temporal.sh) must all run what deploy/versions.env says.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../../deploy/versions.env
source deploy/versions.env

fail() { echo "version drift: $*" >&2; exit 1; }

cli_pin="$(sed -n 's/^TEMPORAL_CLI_VERSION="\(.*\)"$/\1/p' scripts/install-temporal.sh)"
[[ "$cli_pin" == "$TEMPORAL_CLI_VERSION" ]] ||
  fail "scripts/install-temporal.sh pins CLI $cli_pin, deploy/versions.env says $TEMPORAL_CLI_VERSION"
# The CLI's dev server and UI are what `npm start` runs: they must be the versions deployed.
if [[ -x .tools/venv/bin/temporal ]]; then
  bundled="$(.tools/venv/bin/temporal --version)"
  [[ "$bundled" == *"Server $TEMPORAL_SERVER_VERSION,"* ]] ||
    fail "dev CLI reports '$bundled', deploy/versions.env says server $TEMPORAL_SERVER_VERSION"
  [[ "$bundled" == *"UI $TEMPORAL_UI_VERSION)"* ]] ||
    fail "dev CLI reports '$bundled', deploy/versions.env says UI $TEMPORAL_UI_VERSION"
else
  echo "note: .tools/venv/bin/temporal absent (npm install not run); dev CLI versions not compared" >&2
fi
[[ "$TEMPORAL_ADMIN_TOOLS_TAG" == "$TEMPORAL_SERVER_VERSION"* ]] ||
  fail "admin-tools $TEMPORAL_ADMIN_TOOLS_TAG is not of server release $TEMPORAL_SERVER_VERSION"
# shellcheck disable=SC2016 # the literal line of the script
grep -q 'source "$root/deploy/versions.env"' scripts/cluster/build-temporal.sh ||
  fail "scripts/cluster/build-temporal.sh no longer reads deploy/versions.env"

# Compose reads secrets from ./secrets; placeholders let the structure be checked when they are
# absent. They are never used to run anything and are removed afterwards.
placeholders=()
for secret in postgres-password temporal-db-password registry-db-password database-url \
  mqtt-service-password temporal-ui.htpasswd; do
  if [[ ! -e "secrets/$secret" ]]; then
    mkdir -p secrets
    echo check-only-placeholder > "secrets/$secret"
    placeholders+=("secrets/$secret")
  fi
done
trap 'rm -f "${placeholders[@]}"; rmdir secrets 2>/dev/null || true' EXIT

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi
resolved="$("${compose[@]}" --env-file deploy/versions.env -f docker-compose.yml config)"
for image in "temporalio/server:$TEMPORAL_SERVER_VERSION" "temporalio/ui:$TEMPORAL_UI_VERSION" \
  "temporalio/admin-tools:$TEMPORAL_ADMIN_TOOLS_TAG"; do
  grep -q "image: $image\$" <<<"$resolved" || fail "docker-compose.yml does not run $image"
done
if grep -q 'temporalio/auto-setup' <<<"$resolved"; then
  fail "docker-compose.yml uses the auto-setup image; the schema belongs to temporal-sql-tool"
fi
echo "docker-compose.yml is valid; Temporal $TEMPORAL_SERVER_VERSION / UI $TEMPORAL_UI_VERSION everywhere"
