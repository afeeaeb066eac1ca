#!/usr/bin/env bash
# Runs every test file (or those given as arguments) with Node's test runner through tsx.
# Test files run one at a time: several start their own Temporal servers and brokers.
# The registry is PostgreSQL: the server DATABASE_URL names, or else one embedded PostgreSQL for
# the whole run (scripts/with-test-registry.sh). Each test makes its own database on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-temporal.sh
# Arguments may name test files or folders; none means the whole suite.
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort)

# A test that hangs fails after 7 minutes (the longest, the fault runs, take about 3) instead of
# holding CI until its own limit.
bash scripts/with-test-registry.sh node --import tsx --test --test-concurrency=1 --test-timeout=420000 \
  --test-reporter=spec "${files[@]}"
