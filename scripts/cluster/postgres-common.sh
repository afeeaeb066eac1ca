# shellcheck shell=bash
# Sourced by scripts/ci/start-postgres.sh and scripts/cluster/start-cluster.sh: Debian's
# PostgreSQL, installed on demand, and running commands as the right operating-system user.

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# PostgreSQL refuses to run as root; any other user may own a private cluster.
as_cluster_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres_installed() {
  if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  fi
}

postgres_version() {
  ls /usr/lib/postgresql | sort -V | tail -n 1
}

postgres_bin_directory() {
  echo "/usr/lib/postgresql/$(postgres_version)/bin"
}
