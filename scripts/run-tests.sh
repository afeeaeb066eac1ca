#!/usr/bin/env bash
# Runs every test file (or those given as arguments) with Node's test runner through tsx.
# Test files run one at a time: several start their own Temporal servers and brokers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-temporal.sh
# Arguments may name test files or folders; none means the whole suite.
mapfile -t files < <(find "${@:-test}" -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
