#!/usr/bin/env python3
"""Compares two setup outputs key by key: Ansible's (first) and provision's (second).

Each file is JSON: either {"ansible_facts": {...}} as `ansible -m setup` prints it after "host | SUCCESS =>",
or the facts dict itself. Prints one line per missing, extra or different key and exits 1 when one of them is not
excused: volatile keys (clocks, counters, free space) are compared by type and shape only, keys listed in
known_differences.txt are reported but do not fail.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Values that change between two runs a second apart: only their type and shape must agree.
VOLATILE = {
    "ansible_date_time", "ansible_uptime_seconds", "ansible_memfree_mb", "ansible_memory_mb", "ansible_loadavg",
    "ansible_mounts", "ansible_swapfree_mb", "ansible_env",
}
# Lists Ansible builds from Python sets or directory order: compared as sets.
UNORDERED = {
    "ansible_interfaces", "ansible_virtualization_tech_guest", "ansible_virtualization_tech_host",
    "ansible_all_ipv4_addresses", "ansible_all_ipv6_addresses",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("{")
    data = json.loads(text[start:]) if start >= 0 else {}
    return data.get("ansible_facts", data)


def known_differences():
    known = {}
    path = os.path.join(HERE, "known_differences.txt")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, reason = line.partition(" ")
                known[key] = reason.strip()
    return known


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def same(key, a, b):
    if key in VOLATILE:
        if key == "ansible_mounts":
            return {m.get("mount") for m in a} == {m.get("mount") for m in b} and shape(a) == shape(b)
        if key == "ansible_env":
            return isinstance(b, dict)
        return shape(a) == shape(b)
    if key in UNORDERED and isinstance(a, list) and isinstance(b, list):
        return sorted(map(json.dumps, a)) == sorted(map(json.dumps, b))
    return a == b


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py ANSIBLE.json PROVISION.json")
    ansible, provision = load(sys.argv[1]), load(sys.argv[2])
    known = known_differences()
    failures = 0
    for key in sorted(set(ansible) | set(provision)):
        if key not in provision:
            what = "missing"
        elif key not in ansible:
            what = "extra"
        elif not same(key, ansible[key], provision[key]):
            what = "different"
        else:
            continue
        excuse = known.get(key)
        if excuse is None and key.startswith("ansible_") and isinstance(ansible.get(key), dict) and \
                "device" in ansible.get(key, {}):
            excuse = known.get("ansible_<interface>")
        if excuse is not None:
            print(f"known {what}: {key} ({excuse})")
            continue
        failures += 1
        print(f"{what}: {key}")
        if what == "different":
            print(f"  ansible:   {json.dumps(ansible[key], sort_keys=True)[:600]}")
            print(f"  provision: {json.dumps(provision[key], sort_keys=True)[:600]}")
    print(f"{len(ansible)} keys from ansible, {len(provision)} from provision, {failures} unexcused differences")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
