#!/usr/bin/env bash
# Builds the Temporal server, its SQL schema tool and the Temporal UI server from the Go module
# proxy (no release page), once per version, into .tools/temporal-server/<version>/bin. Versions
# come from deploy/versions.env, the file docker-compose.yml's image tags follow too. Low
# priority: the build shares the machine's cores with everything else.
#
#   bash scripts/cluster/build-temporal.sh    # last line: the bin directory; module source in ../module-dir
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../deploy/versions.env
source "$root/deploy/versions.env"
target="$root/.tools/temporal-server/$TEMPORAL_SERVER_VERSION"
bin="$target/bin"

if ! command -v go >/dev/null 2>&1; then
  echo "Go is required (apt-get install golang-go): newer toolchains come from the proxy if needed" >&2
  exit 1
fi
# The server's go.mod may ask for a newer Go than the installed one; the proxy serves toolchains.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export CGO_ENABLED=0
mkdir -p "$bin"

# go install names a binary after its package directory (server, sql), hence the renaming.
build_binary() {
  local name="$1" package="$2"
  [[ -x "$bin/$name" ]] && return 0
  echo "Building $name from $package (once; several minutes)" >&2
  local build_directory
  build_directory="$(mktemp -d)"
  GOBIN="$build_directory" nice -n 19 go install -trimpath "$package"
  mv "$build_directory/$(basename "${package%@*}")" "$bin/$name"
  rm -rf "$build_directory"
}

build_binary temporal-server "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION"
build_binary temporal-sql-tool "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
build_binary temporal-ui-server "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION"

# The server's module source holds the versioned schema (setup-schema/update-schema input) and
# the embedded configuration template; the cluster script reads both from there.
if [[ ! -f "$target/module-dir" ]]; then
  module_directory="$(go mod download -json "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$module_directory/schema/postgresql/v12" ]] || { echo "no schema in $module_directory" >&2; exit 1; }
  echo "$module_directory" > "$target/module-dir"
fi
echo "$bin"
