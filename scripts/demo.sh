#!/usr/bin/env bash
# Installs, builds and runs the deployment (site.yml, docs/deployment.md) on the embedded default: two throwaway
# Debian hosts started on this machine (tests/sandbox), web1 (web server) and es1 (Elasticsearch), with the app and
# the Elasticsearch package served from this machine (tests/deployment/fixtures.sh). Two runs: the first converges
# the hosts, the second shows nothing left to change; then the app answers through nginx.
# KEEP=1 leaves the hosts running afterwards (tests/sandbox/sandbox.sh down ends them). Extra arguments go to
# provision (e.g. --check --diff, -v).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root: the sandbox hosts need network namespaces and mounts" >&2; exit 1; }
scripts/setup.sh build
if [ "${KEEP:-0}" != 1 ]; then trap 'tests/deployment/fixtures.sh stop; tests/sandbox/sandbox.sh down' EXIT; fi
tests/sandbox/sandbox.sh up 2
tests/deployment/fixtures.sh start
echo "==> first run: converge"
build/provision site.yml -i inventory/sandbox "$@"
echo "==> second run: nothing should change"
build/provision site.yml -i inventory/sandbox "$@"
echo "==> the app, through nginx and gunicorn on web1 (10.213.0.11):"
curl -sS --max-time 10 http://10.213.0.11/
echo
echo "==> Elasticsearch on es1's private address (10.213.0.12):"
curl -sS --max-time 10 http://10.213.0.12:9200/
echo
