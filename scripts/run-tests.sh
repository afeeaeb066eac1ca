#!/usr/bin/env bash
# Runs every test file (or those given as arguments) with Node's test runner through tsx.
# Three test files run at a time (TEST_CONCURRENCY): each starts its own Temporal servers, brokers
# and processes on free ports and makes its own database, and most of their time is waiting on
# devices and timers, so three share the two cores (8.7 min here against 19 one at a time).
# The registry is PostgreSQL: the server DATABASE_URL names, or else one embedded PostgreSQL for
# the whole run (scripts/with-test-registry.sh). Each test makes its own database on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Both passes below share one registry: without DATABASE_URL, this script runs again inside
# scripts/with-test-registry.sh, which sets it.
[[ -n "${DATABASE_URL:-}" ]] || exec bash scripts/with-test-registry.sh bash "$0" "$@"
bash scripts/install-temporal.sh
# Arguments may name test files or folders; none means the whole suite.
# The files that run whole stacks (test/integration, then the workflows on a dev server) take most
# of the time: they start first, so the short files fill the gaps instead of one long file
# finishing alone at the end.
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort |
  awk '{ print (/\/integration\// ? 0 : /\/workflows\// ? 1 : 2) "\t" $0 }' | sort -s -k1,1n | cut -f2)

# The time-skipping test server jumps its clock whenever it believes the worker idle, so a worker
# slowed down by other files can have its workflow task time out under it (the server then refuses
# the completion: "invalid history builder state for action", and the rollout stalls). Those files
# (their suites say "time-skipping test server") run after the rest, one at a time: seconds each.
alone=()
together=()
for file in "${files[@]}"; do
  if grep -q 'time-skipping test server' "$file"; then alone+=("$file"); else together+=("$file"); fi
done

# A test that hangs fails after 7 minutes (the longest, the fault runs, take about 3) instead of
# holding CI until its own limit.
node_test() {
  node --import tsx --test --test-concurrency="$1" --test-timeout=420000 --test-reporter=spec "${@:2}"
}
status=0
((${#together[@]} == 0)) || node_test "${TEST_CONCURRENCY:-3}" "${together[@]}" || status=$?
((${#alone[@]} == 0)) || node_test 1 "${alone[@]}" || status=$?
exit "$status"
