#!/usr/bin/env bash
# Installs, builds and runs the demo: sandbox Debian hosts started on this machine (tests/sandbox), provisioned
# over SSH twice: the first run converges them, the second shows nothing left to change.
# KEEP=1 leaves the hosts running afterwards (tests/sandbox/sandbox.sh down ends them).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root: the sandbox hosts need network namespaces and mounts" >&2; exit 1; }
scripts/setup.sh build
if [ "${KEEP:-0}" != 1 ]; then trap 'tests/sandbox/sandbox.sh down' EXIT; fi
tests/sandbox/sandbox.sh up "${HOSTS:-2}"
inventory="$(tests/sandbox/sandbox.sh inventory)"
echo "==> first run: converge"
build/provision demo/site.yml -i "$inventory" "$@"
echo "==> second run: nothing should change"
build/provision demo/site.yml -i "$inventory" "$@"
