#!/usr/bin/python3
"""Differential suite of task values: every value of cases.py is put where playbooks put values (set_fact,
debug msg, copy content, when, loop, with_items) in one generated playbook; what ansible-playbook 2.14 made of
each is stored in expected.json, and provision must make the same (types included: 1 is not 1.0 nor True).

    run.py PROVISION_BIN     run provision, compare with expected.json (exit 1 on any difference)
    run.py --update          run ansible-playbook and rewrite expected.json
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import CONDITIONS, KNOWN, LOOPS, TEMPLATE_CASES, TYPED, VARS  # noqa: E402

VALUES = TYPED + TEMPLATE_CASES


def tasks():
    """(id, what it holds, task) for every case, in playbook order."""
    out = []
    for i, value in enumerate(VALUES):
        out.append((f"v{i} set_fact", value, {"set_fact": {"v": value}}))
        out.append((f"v{i} debug", value, {"debug": {"msg": value}}))
        if i < len(TYPED):  # copy writes what debug shows, except for values that are not text
            out.append((f"v{i} copy", value, {"copy": {"content": value, "dest": "{{ out }}/v%d" % i}}))
    for i, condition in enumerate(CONDITIONS):
        out.append((f"c{i} when", condition, {"debug": {"msg": "ran"}, "when": condition}))
    for i, items in enumerate(LOOPS):
        # Each item comes back as JSON text (which both tools keep as text), so that its type is seen as it was.
        out.append((f"l{i} loop", items, {"debug": {"msg": "{{ item | to_json }}"}, "loop": items}))
        out.append((f"l{i} with_items", items, {"debug": {"msg": "{{ item | to_json }}"}, "with_items": items}))
    return out


def playbook():
    body = []
    for name, _, task in tasks():
        body.append(dict({"name": name}, **task, ignore_errors=True))
    return [{"name": "task values", "hosts": "localhost", "gather_facts": False, "vars": VARS, "tasks": body}]


def outcome(name, result, out_dir):
    """What one task made, as data: {"ok": value}, {"failed": true} or {"skipped": true}."""
    status = result.get("status")
    if result.get("failed") is True or status in ("failed", "unreachable") or result.get("unreachable"):
        return {"failed": True}
    if result.get("skipped") is True or status == "skipped":
        return {"skipped": True}
    kind = name.split(" ", 1)[1]
    if kind == "set_fact":
        return {"ok": result.get("ansible_facts", {}).get("v")}
    if kind == "debug":
        return {"ok": result.get("msg")}
    if kind == "copy":
        with open(os.path.join(out_dir, name.split(" ", 1)[0]), encoding="utf-8", errors="surrogateescape") as f:
            return {"ok": f.read()}
    if kind == "when":
        return {"ok": "ran"}
    items = []
    # Ansible's json callback lists item results under "results", provision's --output json under "items".
    for r in result.get("results", result.get("items", [])):
        skipped = r.get("skipped") or r.get("status") == "skipped"
        items.append({"skipped": True} if skipped else json.loads(r["msg"]) if "msg" in r else {"no msg": True})
    return {"ok": items}


def run(command, work):
    """Runs a tool on the playbook in work; returns {task id: outcome}."""
    out_dir = os.path.join(work, "out")
    os.makedirs(out_dir, exist_ok=True)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_HOME=os.path.join(work, "ansible-home"), ANSIBLE_LOCAL_TEMP=os.path.join(work, "tmp"),
               ANSIBLE_PYTHON_INTERPRETER="auto_silent", ANSIBLE_DEPRECATION_WARNINGS="0")
    proc = subprocess.run(command + ["-i", "localhost,", "-c", "local", "-e", "out=" + out_dir, "playbook.yml"],
                          cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    try:
        report = json.loads(proc.stdout.decode("utf-8"))
    except ValueError:
        sys.exit("%s printed no JSON document (exit %d):\n%s" % (command[0], proc.returncode,
                                                                  proc.stderr.decode("utf-8", "replace")[-3000:]))
    found = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            name = task["task"]["name"]
            result = task["hosts"].get("localhost")
            if result is not None:
                found[name] = outcome(name, result, out_dir)
    return found


def canonical(value):
    """JSON text that tells 1, 1.0 and true apart (keys sorted: Ansible's json callback sorts them)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def main():
    args = sys.argv[1:]
    update = args == ["--update"]
    if not update and len(args) != 1:
        sys.exit(__doc__)
    expected_path = os.path.join(HERE, "expected.json")
    with tempfile.TemporaryDirectory(prefix="provision-task-values.") as work:
        with open(os.path.join(work, "playbook.yml"), "w", encoding="utf-8") as f:
            yaml.safe_dump(playbook(), f, allow_unicode=True, sort_keys=False, width=1000)
        command = ["ansible-playbook"] if update else [os.path.abspath(args[0]), "--output", "json"]
        found = run(command, work)
    cases = tasks()
    if update:
        records = [{"id": name, "value": value, "result": found.get(name, {"missing": True})}
                   for name, value, _ in cases]
        with open(expected_path, "w", encoding="utf-8") as f:
            f.write("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n")
        print("wrote %d cases to %s" % (len(records), expected_path))
        return 0
    with open(expected_path, encoding="utf-8") as f:
        expected = {r["id"]: r for r in json.load(f)}
    differences = known = 0
    for name, value, _ in cases:
        want = expected.get(name)
        if want is None:
            print("no expectation for %s (run --update)" % name)
            differences += 1
            continue
        got = found.get(name, {"missing": True})
        if canonical(want["result"]) != canonical(got):
            reason = KNOWN.get(value) if isinstance(value, str) else None
            if reason:
                known += 1
            else:
                differences += 1
            print("%s %s: %s\n    ansible-playbook %s\n    provision        %s"
                  % ("KNOWN" if reason else "DIFF", name, json.dumps(value, ensure_ascii=False),
                     canonical(want["result"]), canonical(got)) + ("\n    why: " + reason if reason else ""))
    print("%d passed, %d failed, %d known differences" % (len(cases) - differences - known, differences, known))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
