#!/usr/bin/env bash
# Runs every test file (or those given as arguments) with Node's test runner through tsx.
# Three test files run at a time (TEST_CONCURRENCY): each starts its own Temporal servers, brokers
# and processes on free ports and makes its own database, and most of their time is waiting on
# devices and timers, so three share the two cores (8.7 min here against 19 one at a time).
# The registry is PostgreSQL: the server DATABASE_URL names, or else one embedded PostgreSQL for
# the whole run (scripts/with-test-registry.sh). Each test makes its own database on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-temporal.sh
# Arguments may name test files or folders; none means the whole suite.
# The files that run whole stacks (test/integration, then the workflows on a dev server) take most
# of the time: they start first, so the short files fill the gaps instead of one long file
# finishing alone at the end.
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort |
  awk '{ print (/\/integration\// ? 0 : /\/workflows\// ? 1 : 2) "\t" $0 }' | sort -s -k1,1n | cut -f2)

# A test that hangs fails after 7 minutes (the longest, the fault runs, take about 3) instead of
# holding CI until its own limit.
bash scripts/with-test-registry.sh node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-3}" --test-timeout=420000 \
  --test-reporter=spec "${files[@]}"
