#include "services.h"

#include <algorithm>

#include "provision/core/text.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs one init-script action with its output in files: a daemon that keeps its inherited stdout open would
// otherwise hold the session until it exits. Sets rc, appends to o and e.
std::string control_function() {
  return "t=$(mktemp -d) || exit 1\n"
         "act() { if command -v service >/dev/null 2>&1; then service \"$n\" \"$@\"; else \"/etc/init.d/$n\" \"$@\"; "
         "fi "
         "</dev/null >\"$t/o\" 2>\"$t/e\"; rc=$?; o=\"$o$(cat \"$t/o\")\"; e=\"$e$(cat \"$t/e\")\"; }\n";
}

}  // namespace

std::string sysv_probe_command(const ProbeRequest& request) {
  const bool pattern = request.pattern, status = request.status;
  std::string s = "n=" + shell_quote(request.name) + "\n";
  if (pattern) s += "IFS= read -r pat\n";
  s += "[ -f \"/etc/init.d/$n\" ] && echo 'I 1'\n"
       "for f in /etc/rc?.d/S??\"$n\"; do [ -e \"$f\" ] && { echo 'S 1'; break; }; done\n"
       "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo 'Y 1'\n";
  if (request.daemon_reload) {
    s += "  x=$(systemctl daemon-reload 2>&1) || { printf 'X failure %s during daemon-reload: %s\\n' \"$?\" \"$x\" | "
         "head -n1; exit 0; }\n";
  }
  if (request.daemon_reexec) {
    s += "  x=$(systemctl daemon-reexec 2>&1) || { printf 'X failure %s during daemon-reexec: %s\\n' \"$?\" \"$x\" | "
         "head -n1; exit 0; }\n";
  }
  s += "  if [ -n \"$n\" ]; then\n"
       "    o=$(systemctl show -- \"$n\" 2>/dev/null); echo \"Q $?\"; printf '%s\\n' \"$o\" | sed 's/^/D /'\n"
       "    e=$(systemctl is-enabled -- \"$n\" 2>/dev/null); echo \"E $?\"; printf 'e %s\\n' \"$e\" | head -n1\n"
       "  fi\n  exit 0\nfi\n"
       "command -v service >/dev/null 2>&1 && echo 'C 1'\n"
       "command -v update-rc.d >/dev/null 2>&1 && echo 'U 1'\n"
       "for f in /etc/rc?.d/K??\"$n\"; do [ -e \"$f\" ] && { echo 'K 1'; break; }; done\n";
  if (pattern) {
    // The pattern came on stdin, so no process shows it in its arguments but the ones it should find.
    s += "ps auxww | { x=0; while IFS= read -r l; do case $l in *\"$pat\"*) x=1 ;; esac; done; echo \"T $x\"; }\n";
  } else if (status) {
    // No temporary file: check mode must leave even /tmp's timestamps alone. A status action starts nothing.
    // Debian's service(8), on a host without systemd, runs the script with a clean environment (env -i keeping the
    // locale, PATH and TERM) from /: done here alike, without the wrapper's own shell and basename runs.
    s += "if [ -f \"/etc/init.d/$n\" ]; then\n"
         "  o=$(if [ -f /etc/debian_version ] && [ -x \"/etc/init.d/$n\" ] && "
         "[ \"$(command -v service)\" = /usr/sbin/service ]; then cd / && exec env -i LANG=\"$LANG\" "
         "LANGUAGE=\"$LANGUAGE\" LC_CTYPE=\"$LC_CTYPE\" LC_NUMERIC=\"$LC_NUMERIC\" LC_TIME=\"$LC_TIME\" "
         "LC_COLLATE=\"$LC_COLLATE\" LC_MONETARY=\"$LC_MONETARY\" LC_MESSAGES=\"$LC_MESSAGES\" LC_PAPER=\"$LC_PAPER\" "
         "LC_NAME=\"$LC_NAME\" LC_ADDRESS=\"$LC_ADDRESS\" LC_TELEPHONE=\"$LC_TELEPHONE\" "
         "LC_MEASUREMENT=\"$LC_MEASUREMENT\" LC_IDENTIFICATION=\"$LC_IDENTIFICATION\" LC_ALL=\"$LC_ALL\" "
         "PATH=\"$PATH\" TERM=\"$TERM\" \"/etc/init.d/$n\" status; "
         "elif command -v service >/dev/null 2>&1; then service \"$n\" status; else \"/etc/init.d/$n\" status; fi "
         "</dev/null 2>/dev/null)\n"
         "  echo \"R $?\"; [ -z \"$o\" ] || printf '%s\\n' \"$o\" | while IFS= read -r l; do printf 'O %s\\n' \"$l\"; "
         "done\nfi\n";
  }
  return s + "exit 0\n";
}

SysvProbe parse_sysv_probe(const std::string& out) {
  SysvProbe p;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != ' ') throw Error("unexpected line in the service probe: " + line);
    std::string rest = line.substr(2);
    switch (line[0]) {
      case 'Y': p.systemd = true; break;
      case 'I': p.initscript = true; break;
      case 'C': p.service_cmd = true; break;
      case 'U': p.update_rcd = true; break;
      case 'S': p.start_links = true; break;
      case 'K': p.kill_links = true; break;
      case 'T': p.pattern_found = rest == "1"; break;
      case 'R':
        p.has_status = true;
        p.status_rc = std::stoi(rest);
        break;
      case 'O': p.status_out += rest + "\n"; break;
      case 'Q': p.show_rc = std::stoi(rest); break;
      case 'D': p.show_out += rest + "\n"; break;
      case 'E': p.enabled_rc = std::stoi(rest); break;
      case 'e': p.enabled_out = rest; break;
      case 'X': p.reload_error = rest; break;
      default: throw Error("unexpected line in the service probe: " + line);
    }
  }
  return p;
}

int sysv_running(const std::string& name, int rc, const std::string& out) {
  // LSB: a non-zero status of 1-4 means not running (69 is an older "unavailable").
  if (rc == 1 || rc == 2 || rc == 3 || rc == 4 || rc == 69) return 0;
  if (std::count(out.begin(), out.end(), '\n') <= 1) {
    std::string clean = lower(out);
    std::string lname = lower(name);
    for (size_t at; !lname.empty() && (at = clean.find(lname)) != std::string::npos;) clean.erase(at, lname.size());
    if (contains(clean, "stop")) return 0;
    if (contains(clean, "run")) return contains(clean, "not ") ? 0 : 1;
    if (contains(clean, "start") && !contains(clean, "not ")) return 1;
    if (contains(clean, "could not access pid file") || contains(clean, "is dead and pid file exists") ||
        contains(clean, "dead but subsys locked") || contains(clean, "dead but pid file exists")) {
      return 0;
    }
  }
  return rc == 0 ? 1 : -1;
}

std::map<std::string, std::string> parse_systemctl_show(const std::string& out) {
  std::map<std::string, std::string> parsed;
  std::string key, multi;
  bool in_multi = false;
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (!in_multi) {
      size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      key = line.substr(0, eq);
      std::string value = line.substr(eq + 1);
      std::string lead = trim(value);
      // Only Exec* values in braces are known to span lines.
      if (key.rfind("Exec", 0) == 0 && !lead.empty() && lead[0] == '{' && lead.back() != '}') {
        multi = value;
        in_multi = true;
        continue;
      }
      parsed[key] = trim(value);
    } else {
      multi += "\n" + line;
      std::string trimmed = trim(line);
      if (!trimmed.empty() && trimmed.back() == '}') {
        parsed[key] = trim(multi);
        in_multi = false;
      }
    }
    if (end == out.size()) break;
  }
  return parsed;
}

ServiceWork sysv_work(const SysvProbe& probe, const ServiceWanted& wanted, const Plan* plan, Result result,
                      bool systemd_keys) {
  ServiceWork work;
  const std::string& name = wanted.name;
  const std::string& state = wanted.state;
  const std::optional<bool>& enabled = wanted.enabled;
  if (!probe.initscript) {
    // In check mode a package an earlier task would install may bring the service.
    if (plan != nullptr && !plan->packages.empty()) {
      std::string packages;
      for (const auto& p : plan->packages) packages += (packages.empty() ? "" : ", ") + p;
      std::vector<std::string> would;
      if (state == "started" || state == "restarted" || state == "reloaded") would.push_back("start");
      if (enabled.value_or(false)) would.push_back("enable");
      std::string verbs = would.empty() ? "leave alone" : would[0] + (would.size() > 1 ? " and " + would[1] : "");
      work.changes.changed = !would.empty();
      result["changed"] = !would.empty();
      result["msg"] = "Service " + name + " is not installed yet; assumed to come with a pending package (" + packages +
                      "): would " + verbs + " it";
      if (enabled) result["enabled"] = *enabled;
      if (!state.empty()) result["state"] = state == "stopped" ? "stopped" : "started";
      work.changes.result = std::move(result);
      return work;
    }
    work.changes.result = util::failed("Could not find the requested service " + name + ": host");
    return work;
  }
  if (!probe.update_rcd && enabled) {
    work.changes.result =
        util::failed("cannot detect command to enable service " + name + ", typo or init system potentially unknown");
    return work;
  }

  std::string script;
  bool enable_changed = false;
  if (enabled && *enabled != probe.start_links) {
    enable_changed = true;
    // As Ansible: "defaults" first when the service has no links at all, then enable (or disable).
    if (*enabled && !probe.kill_links) script += "update-rc.d \"$n\" defaults || exit $?\n";
    script += std::string("update-rc.d \"$n\" ") + (*enabled ? "enable" : "disable") + " || exit $?\n";
  }
  if (!systemd_keys && enabled) result["enabled"] = *enabled;

  bool state_changed = false;
  std::string action;
  if (!state.empty()) {
    int running = -1;
    if (!wanted.pattern.empty())
      running = probe.pattern_found ? 1 : 0;
    else if (probe.has_status)
      running = sysv_running(name, probe.status_rc, probe.status_out);
    if (running < 0) {
      work.changes.result = util::failed("failed determining service state, possible typo of service name?");
      return work;
    }
    if (state == "started" && running == 0) action = "start";
    if (state == "stopped" && running == 1) action = "stop";
    if (state == "reloaded") action = running == 1 ? "reload" : "start";
    if (state == "restarted") action = "restart";
    state_changed = !action.empty();
  }
  work.changes.changed = enable_changed || state_changed;
  if (systemd_keys) {
    result["changed"] = work.changes.changed;
    result["status"] = Value::object();
    if (enabled) result["enabled"] = *enabled;
  }
  if (!state.empty()) result["state"] = state == "stopped" ? "stopped" : "started";
  if (!systemd_keys) result["changed"] = work.changes.changed;
  // Ansible's service module on init scripts says only this of a state it would change in check mode.
  if (!systemd_keys && plan != nullptr && state_changed)
    result = Value{{"changed", true}, {"msg", "service state changed"}};
  work.changes.result = std::move(result);
  if (!work.changes.changed) return work;

  work.script = "n=" + shell_quote(name) + "\no=''; e=''\n" + script;
  if (state_changed) {
    std::string arguments;
    for (const auto& word : util::shlex_split(wanted.arguments)) arguments += " " + shell_quote(word);
    work.script += control_function();
    if (action == "restart") {
      // As Ansible on init scripts: stop, sleep, start; a failed stop does not matter when the start works.
      work.script += "act stop" + arguments + "; r1=$rc\n";
      if (wanted.sleep && *wanted.sleep > 0) work.script += "sleep " + std::to_string(*wanted.sleep) + "\n";
      work.script += "act start" + arguments + "; [ $rc -eq 0 ] || rc=$((r1 + rc))\n";
    } else {
      work.script += "act " + action + arguments + "\n";
    }
    work.script += "rm -rf \"$t\"\nprintf '%s' \"$o\"; printf '%s' \"$e\" >&2; exit $rc\n";
  }
  return work;
}

ServiceWork unit_work(const SysvProbe& probe, const ServiceWanted& wanted, Result result) {
  ServiceWork work;
  const std::string& name = wanted.name;
  if (!probe.reload_error.empty()) {
    work.changes.result = util::failed(probe.reload_error);
    return work;
  }
  if (name.empty()) {
    work.changes.result = std::move(result);
    return work;
  }
  auto fail = [&](Result failure) {
    work.changes.result = std::move(failure);
    return work;
  };

  std::map<std::string, std::string> status;
  if (probe.show_rc == 0) status = parse_systemctl_show(probe.show_out);
  auto has = [&](const char* key) { return status.count(key) > 0; };
  bool is_systemd = has("LoadState") && status["LoadState"] != "not-found";
  const bool is_masked = has("LoadState") && status["LoadState"] == "masked";
  if (is_systemd && !is_masked && has("LoadError") && !status["LoadError"].empty()) {
    return fail(util::failed("Error loading unit file '" + name + "': " + status["LoadError"]));
  }
  static const std::vector<std::string> kEnabledStates = {"enabled",  "enabled-runtime", "linked",   "linked-runtime",
                                                          "masked",   "masked-runtime",  "static",   "indirect",
                                                          "disabled", "generated",       "transient"};
  if (!is_systemd) {
    is_systemd = std::find(kEnabledStates.begin(), kEnabledStates.end(), probe.enabled_out) != kEnabledStates.end();
  }
  const bool found = is_systemd || probe.initscript;
  Value shown = Value::object();
  for (const auto& [key, value] : status) shown[key] = value;
  result["status"] = shown;
  const std::string missing = "Could not find the requested service " + name + ": host";

  std::string systemctl = "systemctl";
  if (wanted.scope != "system" && !wanted.scope.empty()) systemctl += " --" + wanted.scope;
  if (wanted.no_block) systemctl += " --no-block";
  if (wanted.force) systemctl += " --force";
  std::string script;
  auto step = [&](const std::string& action, const std::string& failure, bool with_out) {
    script += "o=$(" + systemctl + " " + action + " -- \"$n\" 2>\"$t\") || { printf '%s' " + shell_quote(failure) +
              (with_out ? " \"$o\"" : "") + " >&2; cat \"$t\" >&2; exit 1; }\n";
  };
  bool changed = false;

  if (wanted.masked && (probe.enabled_out == "masked") != *wanted.masked) {
    changed = true;
    std::string action = *wanted.masked ? "mask" : "unmask";
    // As Ansible: a failed (un)mask of a unit that exists is not an error.
    if (found)
      script += systemctl + " " + action + " -- \"$n\" >/dev/null 2>&1 || :\n";
    else
      step(action, missing, false);
  }
  if (wanted.enabled) {
    if (!found) return fail(util::failed(missing));
    bool current = false;
    if (probe.enabled_rc == 0)
      current = probe.enabled_out != "enabled-runtime";
    else if (probe.enabled_rc == 1) {
      const std::string& out = probe.enabled_out;
      bool says_disabled = out.size() >= 8 && out.compare(out.size() - 8, 8, "disabled") == 0;
      current =
          wanted.scope != "user" && wanted.scope != "global" && probe.initscript && !says_disabled && probe.start_links;
    }
    result["enabled"] = current;
    if (current != *wanted.enabled) {
      changed = true;
      std::string action = *wanted.enabled ? "enable" : "disable";
      step(action, "Unable to " + action + " service " + name + ": ", true);
      result["enabled"] = !current;
    }
  }
  const std::string& state = wanted.state;
  if (!state.empty()) {
    if (!found) return fail(util::failed(missing));
    result["state"] = state;
    if (!has("ActiveState")) {
      Result failure = util::failed("Service is in unknown state");
      failure["status"] = shown;
      return fail(std::move(failure));
    }
    const std::string& active = status["ActiveState"];
    const bool running = active == "active" || active == "activating";
    std::string action;
    if (state == "started" && !running) action = "start";
    if (state == "stopped" && (running || active == "deactivating")) action = "stop";
    if (state == "restarted" || state == "reloaded") {
      action = running ? state.substr(0, state.size() - 2) : "start";
      result["state"] = "started";
    }
    if (!action.empty()) {
      changed = true;
      step(action, "Unable to " + action + " service " + name + ": ", false);
    }
  }
  result["changed"] = changed;
  work.changes.changed = changed;
  work.changes.result = std::move(result);
  if (changed) work.script = "t=$(mktemp) || exit 1\nn=" + shell_quote(name) + "\n" + script + "rm -f \"$t\"\n";
  return work;
}

Result run_service_work(Context& ctx, const ServiceWork& work) {
  conn::CommandResult done = util::run(ctx, work.script);
  if (done.rc != 0) return util::failed(done.err.empty() ? done.out : done.err);
  return Result::object();
}

}  // namespace prov::mod
