#!/usr/bin/python3
# The logrotate module for ansible-playbook, so that this role runs there too: provision has it built in
# (src/modules/logrotate.cc) and ignores this file. Both write the same /etc/logrotate.d/NAME for the same arguments.

DOCUMENTATION = r"""
module: logrotate
short_description: One logrotate configuration in /etc/logrotate.d
description:
  - Writes conf_dir/name for the given paths and options, checked with C(logrotate -d) before it replaces the old
    file, and only when it differs; or removes it.
options:
  name: {description: File name in conf_dir., required: true, type: str}
  path: {description: Log paths or globs., type: list, elements: str, aliases: [paths]}
  options: {description: "A map, or a list of strings such as 'rotate 7' and one-key maps.", type: raw}
  state: {choices: [present, absent], default: present, type: str}
  conf_dir: {default: /etc/logrotate.d, type: path}
  mode: {default: '0644', type: raw}
"""

import os
import re
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule

# name, kind, what false writes; the order is the order of the rendered file (as provision's module).
OPTIONS = [
    ("hourly", "frequency", None), ("daily", "frequency", None), ("weekly", "frequency", None),
    ("monthly", "frequency", None), ("yearly", "frequency", None),
    ("rotate", "count", None), ("start", "count", None), ("maxage", "count", None), ("minage", "count", None),
    ("size", "size", None), ("minsize", "size", None), ("maxsize", "size", None),
    ("missingok", "flag", "nomissingok"), ("notifempty", "flag", "ifempty"), ("ifempty", "flag", "notifempty"),
    ("compress", "flag", "nocompress"), ("nocompress", "flag", None), ("delaycompress", "flag", "nodelaycompress"),
    ("copytruncate", "flag", "nocopytruncate"), ("copy", "flag", "nocopy"), ("renamecopy", "flag", "norenamecopy"),
    ("dateext", "flag", "nodateext"), ("dateyesterday", "flag", None), ("datehourago", "flag", None),
    ("sharedscripts", "flag", "nosharedscripts"), ("shred", "flag", "noshred"), ("shredcycles", "count", None),
    ("allowhardlink", "flag", "noallowhardlink"), ("nocreate", "flag", None), ("nomail", "flag", None),
    ("mailfirst", "flag", None), ("maillast", "flag", None), ("noolddir", "flag", None),
    ("create", "setting", "nocreate"), ("su", "setting", None), ("dateformat", "setting", None),
    ("extension", "setting", None), ("addextension", "setting", None), ("compresscmd", "setting", None),
    ("uncompresscmd", "setting", None), ("compressext", "setting", None), ("compressoptions", "setting", None),
    ("olddir", "setting", "noolddir"), ("createolddir", "setting", "nocreateolddir"), ("mail", "setting", "nomail"),
    ("tabooext", "setting", None), ("taboopat", "setting", None),
    ("firstaction", "script", None), ("prerotate", "script", None), ("postrotate", "script", None),
    ("lastaction", "script", None), ("preremove", "script", None),
]
KIND = {name: kind for name, kind, _ in OPTIONS}
INDENT = "    "


class BadOptions(Exception):
    pass


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.lower()
        if word in ("yes", "true", "on", "y", "1"):
            return True
        if word in ("no", "false", "off", "n", "0"):
            return False
    return None


def bad(name, wanted, value):
    shown = "'%s'" % value if isinstance(value, str) else repr(value)
    raise BadOptions("logrotate option '%s' takes %s, got %s" % (name, wanted, shown))


def render_option(name, kind, negation, value):
    if kind in ("frequency", "flag"):
        if name == "weekly" and not isinstance(value, bool) and re.fullmatch(r"[0-7]", text(value)):
            return "%sweekly %s\n" % (INDENT, text(value))
        flag = as_bool(value)
        if flag is None:
            bad(name, "true or false", value)
        if flag:
            return INDENT + name + "\n"
        return INDENT + negation + "\n" if negation else ""
    if kind == "count":
        if not re.fullmatch(r"-?[0-9]+" if name == "rotate" else r"[0-9]+", text(value)):
            bad(name, "a number", value)
        return "%s%s %s\n" % (INDENT, name, text(value))
    if kind == "size":
        if not re.fullmatch(r"[0-9]+[kKMG]?", text(value)):
            bad(name, "a size such as 100k, 10M or 1G", value)
        return "%s%s %s\n" % (INDENT, name, text(value))
    if kind == "setting":
        if isinstance(value, bool):
            if value and name in ("create", "createolddir"):
                return INDENT + name + "\n"
            if not value and negation:
                return INDENT + negation + "\n"
            bad(name, "a value", value)
        if value is None or isinstance(value, (dict, list)) or text(value) == "":
            bad(name, "a value", value)
        if re.search(r"[\n\r]", text(value)):
            raise BadOptions("logrotate option '%s' holds a newline" % name)
        if re.search(r"[{}]", text(value)):
            raise BadOptions("logrotate option '%s' holds a brace" % name)
        return "%s%s %s\n" % (INDENT, name, text(value))
    if not isinstance(value, str):
        bad(name, "a shell script", value)
    script = value.rstrip("\n ")
    if not script:
        return ""
    out = INDENT + name + "\n"
    for line in script.split("\n"):
        if line.strip(" \t\r") == "endscript":
            raise BadOptions("logrotate option '%s' holds an endscript line" % name)
        out += INDENT * 2 + line + "\n" if line else "\n"
    return out + INDENT + "endscript\n"


def render_path(path):
    if not path.startswith("/"):
        raise BadOptions("logrotate path '%s' must be absolute" % path)
    if re.search(r'["\n\r{}\\]', path):
        raise BadOptions("logrotate path '%s' holds a character logrotate cannot read (\" \\ { } or a newline)" % path)
    return '"%s"' % path if re.search(r"[ \t]", path) else path


def render_config(paths, options):
    given = {}

    def add(name, value):
        if name not in KIND:
            raise BadOptions("unknown logrotate option '%s'" % name)
        if name in given:
            raise BadOptions("logrotate option '%s' is given twice" % name)
        given[name] = value

    if isinstance(options, dict):
        for name, value in options.items():
            add(name, value)
    elif isinstance(options, list):
        for item in options:
            if isinstance(item, dict) and len(item) == 1:
                (name, value), = item.items()
                add(name, value)
            elif isinstance(item, str):
                name, _, rest = item.partition(" ")
                rest = rest.strip(" \t")
                alone = not rest and KIND.get(name) not in ("script", "count", "size")
                add(name, True if alone else rest)
            else:
                raise BadOptions("logrotate options in a list are strings such as 'rotate 7' or one-key maps, "
                                 "got %r" % (item,))
    elif options is not None:
        raise BadOptions("logrotate options must be a map or a list, got %r" % (options,))

    frequencies = [n for n, k, _ in OPTIONS if k == "frequency" and n in given and as_bool(given[n]) is not False]
    if len(frequencies) > 1:
        raise BadOptions("logrotate options '%s' and '%s' are both frequencies: choose one" % tuple(frequencies[:2]))
    out = "# Written by provision (logrotate module): changes made here are overwritten.\n"
    out += " ".join(render_path(p) for p in paths) + " {\n"
    for name, kind, negation in OPTIONS:
        if name in given:
            out += render_option(name, kind, negation, given[name])
    return out + "}\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            path=dict(type="list", elements="str", aliases=["paths"]),
            options=dict(type="raw"),
            state=dict(type="str", default="present", choices=["absent", "present"]),
            conf_dir=dict(type="path", default="/etc/logrotate.d"),
            mode=dict(type="raw", default="0644"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    name = p["name"]
    if not name or name.startswith(".") or "/" in name:
        module.fail_json(msg="name must be a file name without '/' that does not start with '.', got '%s'" % name)
    dest = os.path.join(p["conf_dir"], name)
    result = dict(changed=False, dest=dest, state=p["state"])
    current = None
    if os.path.lexists(dest):
        if not os.path.isfile(dest):
            module.fail_json(msg=dest + " is not a regular file", **result)
        with open(dest, encoding="utf-8") as f:
            current = f.read()

    if p["state"] == "absent":
        if current is not None:
            result["changed"] = True
            if module._diff:
                result["diff"] = dict(before=current, after="", before_header=dest, after_header=dest)
            if not module.check_mode:
                os.unlink(dest)
        module.exit_json(**result)

    if not p["path"]:
        module.fail_json(msg="path is required with state=present", **result)
    try:
        wanted = render_config(p["path"], p["options"])
    except BadOptions as e:
        module.fail_json(msg=str(e), **result)
    logrotate = module.get_bin_path("logrotate", opt_dirs=["/usr/sbin"])
    if not logrotate:
        module.fail_json(msg="logrotate is not installed on the host (no logrotate command in PATH): install the "
                             "logrotate package first, e.g. with apt: name=logrotate", **result)
    if not os.path.isdir(p["conf_dir"]):
        module.fail_json(msg="conf_dir %s does not exist: install logrotate or set conf_dir" % p["conf_dir"], **result)

    changed = current != wanted
    if changed and module._diff:
        result["diff"] = dict(before=current or "", after=wanted, before_header=dest, after_header=dest)
    if changed and not module.check_mode:
        fd, tmp = tempfile.mkstemp(prefix=".provision-validate-", dir=p["conf_dir"])
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(wanted)
            # logrotate -d exits 0 on an unknown option and 1 on a log that does not exist yet: read what it says.
            check = subprocess.run([logrotate, "-d", "-s", "/dev/null", tmp], capture_output=True, text=True)
            said = "\n".join(line.replace(tmp, dest) for line in (check.stdout + check.stderr).splitlines()
                             if re.match(r"^error: ([^ ]+:[0-9]+ |found error|Ignoring)", line))
            if said:
                module.fail_json(msg="logrotate rejected the configuration for %s, which was left unchanged:\n%s"
                                     % (dest, said), stderr=said, **result)
            module.atomic_move(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    mode = p["mode"]
    attrs_changed = False
    if os.path.exists(dest):
        file_args = module.load_file_common_arguments(dict(path=dest, mode=mode))
        attrs_changed = module.set_fs_attributes_if_different(file_args, False)
    result["changed"] = changed or attrs_changed
    module.exit_json(**result)


if __name__ == "__main__":
    main()
