#!/usr/bin/env bash
# Facts parity: on a sandbox host, Ansible's `setup` and provision's `setup` must give the same facts, key by key
# (compare.py: missing, extra and different keys; volatile keys by type and shape; known_differences.txt excuses
# what provision cannot or does not report, each with its reason). See README.md.
#
#   run.sh PROVISION_BIN
# Env: FACTS_HOSTS="1" (sandbox host numbers, each compared on its own); PARITY_KEEP_UP=1 leaves the sandbox up;
# FACTS_KEEP=DIR keeps both outputs there. Needs root; brings the sandbox up and (unless PARITY_KEEP_UP) down.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sandbox="$repo/tests/sandbox/sandbox.sh"
[ $# -ge 1 ] && [ -x "$1" ] || { echo "usage: $0 PROVISION_BIN" >&2; exit 64; }
provision=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
read -r -a hosts <<<"${FACTS_HOSTS:-1}"
command -v ansible >/dev/null || { echo "run.sh: ansible not found" >&2; exit 64; }

work=$(mktemp -d "${TMPDIR:-/tmp}/provision-facts-parity.XXXXXX")
cleanup() {
  rm -rf "$work"
  [ -n "${PARITY_KEEP_UP:-}" ] || "$sandbox" down >/dev/null 2>&1 || echo "run.sh: sandbox down failed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_HOST_KEY_CHECKING=1
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_STDOUT_CALLBACK=json
export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_HOME="$work/ansible-home"

highest=0
for n in "${hosts[@]}"; do [ "$n" -gt "$highest" ] && highest=$n; done
"$sandbox" up "$highest" || exit 1
state_dir=${PROVISION_SANDBOX_DIR:-$repo/.sandbox}
# shellcheck source=../sandbox/lib/inventory.sh
. "$repo/tests/sandbox/lib/inventory.sh"

cat >"$work/setup.yml" <<'YAML'
- hosts: target
  gather_facts: false
  tasks:
    - setup:
YAML

# The facts of the one setup task in a JSON run report (Ansible's json callback and provision's --output json
# have the same plays[].tasks[].hosts[host] layout).
facts_of() { # REPORT OUT
  python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(text[text.index("{"):])
result = doc["plays"][0]["tasks"][0]["hosts"]["target"]
json.dump(result.get("ansible_facts", result), open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
}

failed=0
for n in "${hosts[@]}"; do
  echo "=== sbx$n"
  # Ansible needs Python on the host; provision does not, but both must see the same host.
  fresh_host_for_ansible "$sandbox" "$n" || { echo "sbx$n could not be prepared"; failed=1; continue; }
  { printf '[target]\ntarget ansible_host=%s\n\n[target:vars]\n' "$(sandbox_ip "$n")"; sandbox_vars "$state_dir"; } \
    >"$work/inventory"
  ansible-playbook -i "$work/inventory" "$work/setup.yml" >"$work/ansible.json" 2>"$work/ansible.err" ||
    { echo "ansible-playbook failed:"; tail -n 20 "$work/ansible.err" "$work/ansible.json"; failed=1; continue; }
  "$provision" -i "$work/inventory" --output json "$work/setup.yml" >"$work/provision.json" 2>"$work/provision.err" ||
    { echo "provision failed:"; tail -n 20 "$work/provision.err" "$work/provision.json"; failed=1; continue; }
  facts_of "$work/ansible.json" "$work/ansible-facts.json" && facts_of "$work/provision.json" "$work/provision-facts.json" ||
    { failed=1; continue; }
  if [ -n "${FACTS_KEEP:-}" ]; then
    mkdir -p "$FACTS_KEEP" && cp "$work/ansible-facts.json" "$FACTS_KEEP/sbx$n.ansible.json" &&
      cp "$work/provision-facts.json" "$FACTS_KEEP/sbx$n.provision.json"
  fi
  python3 "$here/compare.py" "$work/ansible-facts.json" "$work/provision-facts.json" || failed=1
done
[ "$failed" = 0 ] && echo "facts parity: passed" || echo "facts parity: FAILED"
exit "$failed"
