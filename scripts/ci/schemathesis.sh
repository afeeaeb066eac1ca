#!/usr/bin/env bash
# Fuzzes the API with schemathesis over its own /openapi.json, as each role, on a throw-away
# embedded stack (`npm start` on free ports, data in a temp dir), and fails on any finding.
#   bash scripts/ci/schemathesis.sh                       # CI: 20 s per role, every check
#   FUZZ_SECONDS=600 FUZZ_SEED=random bash scripts/ci/schemathesis.sh admin   # one role, 10 minutes
# FUZZ_SEED (default 1) fixes what CI generates, so a red run reproduces; `random` explores.
# Roles default to operator, viewer and admin. The user routes are excluded: an admin fuzzer would
# delete the users and change the passwords the next role logs in with.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
seconds="${FUZZ_SECONDS:-20}"
roles=("${@:-operator viewer admin}")
read -r -a roles <<<"${roles[*]}"

bash scripts/install-schemathesis.sh >/dev/null
work=$(mktemp -d)
# As root the embedded registry runs as the postgres user, who must enter the data directory.
chmod 755 "$work"
report_dir="${FUZZ_REPORT_DIR:-$work/reports}"
mkdir -p "$report_dir"

free_ports() { node -e '
  const net = require("node:net");
  const take = () => new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  (async () => { const ports = new Set(); while (ports.size < Number(process.argv[1])) ports.add(await take()); console.log([...ports].join(" ")); })();' "$1"; }
read -r api_port mqtt_port temporal_port ui_port worker_metrics_port registry_port <<<"$(free_ports 6)"

stack_pid=
stop_stack() {
  if [[ -n "$stack_pid" ]] && kill -0 "$stack_pid" 2>/dev/null; then
    kill -TERM -- "-$stack_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$stack_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$stack_pid" 2>/dev/null || true
  fi
  rm -rf "$work/data"
}
trap stop_stack EXIT

# setsid: the stack and its children (Temporal dev server) form one process group to stop.
# WEBHOOK_ALLOW_PRIVATE as in the tests: the documented webhook example receives on loopback.
PORT=$api_port MQTT_PORT=$mqtt_port TEMPORAL_DEV_PORT=$temporal_port TEMPORAL_UI_PORT=$ui_port \
  WORKER_METRICS_PORT=$worker_metrics_port REGISTRY_PORT=$registry_port DATA_DIR="$work/data" LOG_LEVEL=warn TEMPORAL_ADDRESS= MQTT_URL= DATABASE_URL= \
  WEBHOOK_ALLOW_PRIVATE=true \
  setsid node --import tsx scripts/start-embedded.ts >"$work/stack.log" 2>&1 &
stack_pid=$!
api="http://127.0.0.1:$api_port"
for _ in $(seq 1 180); do
  curl -fs -o /dev/null "$api/healthz" && break
  kill -0 "$stack_pid" 2>/dev/null || { cat "$work/stack.log" >&2; echo "the stack exited" >&2; exit 1; }
  sleep 1
done
curl -fs -o /dev/null "$api/healthz" || { tail -50 "$work/stack.log" >&2; echo "the API did not answer within 180 s" >&2; exit 1; }

token_of() {
  node -e '
    const credentials = require(process.argv[1]);
    const user = credentials.users.find((candidate) => candidate.role === process.argv[2]);
    fetch(process.argv[3] + "/api/v1/platform/user/authenticate", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password, token_expiry: 86400 }),
    }).then((answer) => answer.json()).then((body) => console.log(body.session_token));' \
    "$work/data/demo-credentials.json" "$1" "$api"
}

seed_arguments=()
[[ "${FUZZ_SEED:-1}" == random ]] || seed_arguments=(--seed "${FUZZ_SEED:-1}")
# FUZZ_PHASES (e.g. `stateful`) runs some phases only; by default every phase runs.
phase_arguments=()
[[ -z "${FUZZ_PHASES:-}" ]] || phase_arguments=(--phases "$FUZZ_PHASES")

# Every token first: a fuzzer's logins use up the address's login limit (300 per 15 minutes).
declare -A tokens
for role in "${roles[@]}"; do
  tokens[$role]=$(token_of "$role")
  [[ -n "${tokens[$role]}" && "${tokens[$role]}" != undefined ]] || { echo "could not log in as $role" >&2; exit 1; }
done

failed=0
for role in "${roles[@]}"; do
  token=${tokens[$role]}
  echo "==> schemathesis as $role for ${seconds} s"
  # From the temp dir: schemathesis keeps its replay store (.schemathesis/) in the working directory.
  (cd "$work" && "$root/.tools/venv/bin/schemathesis" --config-file "$root/scripts/ci/schemathesis.toml" \
    run "$api/openapi.json" \
    --max-time "$seconds" --workers 1 --request-timeout 20 \
    --exclude-path-regex '^/api/v1/platform/users' \
    --header "Authorization: $token" --no-color "${seed_arguments[@]}" "${phase_arguments[@]}" \
    --report junit --report-junit-path "$report_dir/$role.xml" \
    --generation-database none --generation-allow-x00 false) || failed=1
done
exit "$failed"
