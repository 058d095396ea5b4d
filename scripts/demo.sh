#!/usr/bin/env bash
# Installs, builds and runs the demo: the deployment playbook on the embedded default hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/provision demo/site.yml -i demo/inventory "$@"
