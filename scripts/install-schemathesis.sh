#!/usr/bin/env bash
# Installs the pinned schemathesis (OpenAPI fuzzer, scripts/ci/schemathesis.sh) from PyPI into the
# project-local venv that install-temporal.sh makes; a stamp skips the work when it is there.
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
stamp="$venv/.schemathesis-$SCHEMATHESIS_VERSION"

bash "$root/scripts/install-temporal.sh"
if [[ -f "$stamp" && -x "$venv/bin/schemathesis" ]]; then
  exit 0
fi

echo "Installing schemathesis $SCHEMATHESIS_VERSION into .tools/venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
"$venv/bin/schemathesis" --version
touch "$stamp"
