#!/bin/sh
# Entry point of the mosquitto service. Mosquitto writes a pid file only as a daemon, and the
# mosquitto-sync service (sharing this PID namespace) signals the pid named in
# /mosquitto/auth/mosquitto.pid after each export, so this wrapper records it. Until the first
# export the auth files are empty: nobody gets in, which is the safe default.
set -eu
auth=/mosquitto/auth
mkdir -p "$auth"
for file in devices.passwd devices.acl service.passwd service.acl; do
  [ -e "$auth/$file" ] || : > "$auth/$file"
done
# The sync runs as the mosquitto user (1883) so that it may signal the broker and own the files.
chown -R 1883:1883 "$auth" /mosquitto/data
chmod 700 "$auth"
mosquitto -c /mosquitto/config/mosquitto.conf &
broker=$!
echo "$broker" > "$auth/mosquitto.pid"
trap 'kill -TERM "$broker"; wait "$broker"; exit 0' TERM INT
wait "$broker"
