#!/usr/bin/env bash
# Starts a Mosquitto broker (Debian's package) enforcing the device rules with its own password
# and ACL files, as a daemon on loopback. Idempotent: installs the package if missing and leaves
# a running broker in the same directory alone.
#
#   bash scripts/ci/start-mosquitto.sh [--dir data/mosquitto] [--port 1884]
#
# Two listeners: devices on --port (client id forced to the username, so no device can take over
# another's persistent session) and the service on --port + 1 (several service instances, each
# with its own client id). Device credentials come from the registry through
# `npm run sync:mosquitto` (scripts/sync-mosquitto-credentials.ts), which rewrites the files and
# sends SIGHUP. The service password is read from <dir>/service-password (generated if absent).
set -euo pipefail

directory=data/mosquitto
port=1884
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) directory="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
service_port=$((port + 1))
service_username="${MQTT_SERVICE_USERNAME:-fleet-actions-service}"

if ! command -v mosquitto >/dev/null 2>&1 && [[ ! -x /usr/sbin/mosquitto ]]; then
  as_root=()
  [[ $(id -u) -ne 0 ]] && as_root=(sudo)
  "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq mosquitto mosquitto-clients >/dev/null
fi
mosquitto_binary="$(command -v mosquitto || echo /usr/sbin/mosquitto)"

mkdir -p "$directory"
directory="$(cd "$directory" && pwd)"
chmod 700 "$directory"

print_urls() {
  echo "MQTT_URL=mqtt://127.0.0.1:${service_port}"
  echo "MQTT_DEVICE_URL=mqtt://127.0.0.1:${port}"
  echo "MQTT_SERVICE_USERNAME=${service_username}"
  echo "MQTT_SERVICE_PASSWORD_FILE=${directory}/service-password"
}

if [[ -f "$directory/mosquitto.pid" ]] && kill -0 "$(cat "$directory/mosquitto.pid")" 2>/dev/null; then
  print_urls
  exit 0
fi

if [[ ! -s "$directory/service-password" ]]; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' > "$directory/service-password")
fi
: > "$directory/service.passwd"
chmod 600 "$directory/service.passwd"
mosquitto_passwd -b "$directory/service.passwd" "$service_username" "$(cat "$directory/service-password")"
printf 'user %s\ntopic readwrite fleet/#\n' "$service_username" > "$directory/service.acl"
touch "$directory/devices.passwd" "$directory/devices.acl"

cat > "$directory/mosquitto.conf" <<CONF
# Written by scripts/ci/start-mosquitto.sh
user $(id -un)
pid_file ${directory}/mosquitto.pid
persistence true
persistence_location ${directory}/
log_dest file ${directory}/mosquitto.log
per_listener_settings true
# The service's one connection receives every device's acks: a small per-client queue would
# drop acks in a burst (each lost ack leaves an activity waiting until its deadline).
max_queued_messages 100000
max_inflight_messages 1000
persistent_client_expiration 7d
# Device messages are at most 64 KiB (contracts/device-protocol.schema.ts maximumMessageBytes):
# larger payloads are dropped, and a packet over 1 MiB disconnects its sender before it is read.
message_size_limit 65536
max_packet_size 1048576

listener ${port} 127.0.0.1
allow_anonymous false
use_username_as_clientid true
password_file ${directory}/devices.passwd
acl_file ${directory}/devices.acl

listener ${service_port} 127.0.0.1
allow_anonymous false
password_file ${directory}/service.passwd
acl_file ${directory}/service.acl
CONF

rm -f "$directory/mosquitto.pid"
"$mosquitto_binary" -c "$directory/mosquitto.conf" -d
for _ in $(seq 1 50); do
  if [[ -s "$directory/mosquitto.pid" ]] && (echo > "/dev/tcp/127.0.0.1/${service_port}") 2>/dev/null; then
    print_urls
    exit 0
  fi
  sleep 0.1
done
echo "mosquitto did not start; see ${directory}/mosquitto.log" >&2
exit 1
