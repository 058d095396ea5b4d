#!/usr/bin/python3
"""Reads the JSON document a run printed (stdout_callback = json) out of its log, which may hold warnings around
it, and prints either the recap its stats give (`recap`, in the harness's recap form) or its shape (`shape`): the
plays and tasks with their names and paths, each host's status keys and messages, the loop items, the stats.
What differs between any two runs (times, ids) and module-specific keys are left out."""
import json
import sys

KEPT = ("action", "changed", "failed", "skipped", "unreachable", "msg", "rc", "stdout", "item", "skip_reason")


def document(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    try:
        start = lines.index("{")
        end = len(lines) - 1 - lines[::-1].index("}")
    except ValueError:
        return None
    return json.loads("\n".join(lines[start:end + 1]))


def host_shape(result):
    shape = {key: result[key] for key in KEPT if key in result}
    if "results" in result:
        shape["results"] = [{key: item[key] for key in KEPT if key in item} for item in result["results"]]
    return shape


def main():
    mode, path = sys.argv[1], sys.argv[2]
    doc = document(path)
    if doc is None:
        return
    if mode == "recap":
        names = ["ok", "changed", "unreachable", "failures", "skipped", "rescued", "ignored"]
        shown = ["ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"]
        parts = []
        for host, stats in sorted(doc.get("stats", {}).items()):
            parts.append((host, " ".join(f"{s}={stats[n]}" for s, n in zip(shown, names))))
        if len(parts) == 1 and parts[0][0] == "localhost":
            print(parts[0][1])
        elif parts:
            print(" | ".join(f"{h} {c}" for h, c in parts))
        return
    print("top:", sorted(doc))
    for play in doc["plays"]:
        info = play["play"]
        print("play:", info.get("name"), info.get("path"), sorted(info), sorted(info.get("duration", {})))
        for task in play["tasks"]:
            t = task["task"]
            print("  task:", t.get("name"), t.get("path"), sorted(t), sorted(t.get("duration", {})))
            for host, result in sorted(task["hosts"].items()):
                print("    " + host + ":", json.dumps(host_shape(result), sort_keys=True))
    print("stats:", json.dumps(doc.get("stats"), sort_keys=True))


main()
