// ufw (community.general.ufw): firewall state, default policies, logging and rules through the host's ufw.
// One probe reads `ufw status verbose`, the configuration files and the user rules files, and dry-runs the rule;
// one action script runs only the commands whose result differs and reads the state again. As Ansible, `changed`
// is the comparison of the state before and after (plus reloaded/reset, which always change).
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "ufw_quick.h"
#include "ufw_state.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;
using ufw::State;

// The marker between the probe's parts; random so that no rule comment can forge one. One per run, so that the
// quick probe of consecutive ufw tasks is one command, sent once (Module::first_probe).
const std::string& run_marker() {
  static const std::string m = [] {
    std::random_device rd;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text = "@@provision-ufw-";
    for (int i = 0; i < 16; ++i) text += kHex[rd() % 16];
    return text + "@@";
  }();
  return m;
}

// One ufw command: its words, and the line Ansible would report in `commands`.
struct Command {
  std::vector<std::string> words;
  std::string shown;
};

// The rule's words in ufw's long form:
// [route] [delete | insert NUM] ACTION [in|out] [on IF] [in on IF] [out on IF] [log] from ADDR [port P]
// to ADDR [port P] [proto P] [app NAME] [comment TEXT]
Command rule_command(const Value& args, std::optional<long long> insert_to) {
  Command c;
  auto add = [&](std::initializer_list<std::string> words, const std::string& shown) {
    c.words.insert(c.words.end(), words);
    c.shown += " " + shown;
  };
  auto set = [&](const char* key) { return !util::str(args, key).empty(); };
  if (util::flag(args, "route")) add({"route"}, "route");
  if (util::flag(args, "delete")) add({"delete"}, "delete");
  if (insert_to) add({"insert", std::to_string(*insert_to)}, "insert " + std::to_string(*insert_to));
  add({util::str(args, "rule")}, util::str(args, "rule"));
  if (set("direction")) add({util::str(args, "direction")}, util::str(args, "direction"));
  if (set("interface")) add({"on", util::str(args, "interface")}, "on " + util::str(args, "interface"));
  if (set("interface_in"))
    add({"in", "on", util::str(args, "interface_in")}, "in on " + util::str(args, "interface_in"));
  if (set("interface_out")) {
    add({"out", "on", util::str(args, "interface_out")}, "out on " + util::str(args, "interface_out"));
  }
  if (util::flag(args, "log")) add({"log"}, "log");
  const std::pair<const char*, const char*> kParts[] = {
      {"from_ip", "from"}, {"from_port", "port"}, {"to_ip", "to"}, {"to_port", "port"}, {"proto", "proto"}};
  for (const auto& [key, word] : kParts) {
    if (set(key)) add({word, util::str(args, key)}, std::string(word) + " " + util::str(args, key));
  }
  if (set("name")) add({"app", util::str(args, "name")}, "app '" + util::str(args, "name") + "'");
  if (set("comment")) add({"comment", util::str(args, "comment")}, "comment '" + util::str(args, "comment") + "'");
  return c;
}

// Where `insert` lands, as Ansible computes it from `ufw status numbered` (IPv4 rules first, then IPv6; no rules
// are listed while ufw is inactive). nullopt: append (Ansible drops an insert past the last rule).
std::optional<long long> insert_position(const Value& args, const State& st) {
  const Value& insert = args["insert"];
  if (insert.is_null() || util::flag(args, "delete")) return std::nullopt;
  long long n = insert.get<long long>();
  const std::string relative = util::str(args, "insert_relative_to");
  if (relative == "zero" || relative.empty()) return n;
  long long v4 = st.status.active ? static_cast<long long>(st.v4.size()) : 0;
  long long v6 = st.status.active ? static_cast<long long>(st.v6.size()) : 0;
  long long last = v4 + v6;
  long long base = 1;
  if (relative == "last-ipv4")
    base = v4 > 0 ? v4 : 1;
  else if (relative == "first-ipv6")
    base = v4 > 0 ? v4 + 1 : 1;
  else if (relative == "last-ipv6")
    base = v6 > 0 ? last : last + 1;
  long long to = n + base;
  if (to > last) return std::nullopt;
  return to;
}

// Ansible's get_bin_path message: the host's PATH plus the sbin folders it adds.
std::string missing_message(const std::string& path) {
  std::string paths = path;
  for (const char* sbin : {"/sbin", "/usr/sbin", "/usr/local/sbin"}) {
    if ((":" + path + ":").find(std::string(":") + sbin + ":") == std::string::npos) {
      paths += (paths.empty() ? "" : ":") + std::string(sbin);
    }
  }
  return "Failed to find required executable \"ufw\" in paths: " + paths;
}

bool port_or_range(const std::string& p, bool range_ok) {
  auto number = [](const std::string& n) {
    return !n.empty() && n.size() <= 5 && n[0] != '0' && n.find_first_not_of("0123456789") == std::string::npos &&
           std::stoi(n) <= 65535;
  };
  size_t colon = p.find(':');
  if (colon == std::string::npos) return number(p);
  return range_ok && number(p.substr(0, colon)) && number(p.substr(colon + 1));
}

// The user.rules tuples ufw stores for a plain rule (ports, protocol, direction, log, comment; any address), IPv4
// and, when ufw uses IPv6, IPv6: what the quick path looks for. nullopt for everything else (addresses,
// interfaces, apps, routes, insert, delete), which ufw itself judges.
std::optional<std::vector<std::string>> plain_rule_tuples(const Value& args, bool ipv6) {
  for (const char* key : {"interface", "interface_in", "interface_out", "name"}) {
    if (!util::str(args, key).empty()) return std::nullopt;
  }
  if (util::flag(args, "route") || util::flag(args, "delete") || !args["insert"].is_null()) return std::nullopt;
  if (util::str(args, "from_ip") != "any" || util::str(args, "to_ip") != "any") return std::nullopt;
  std::string proto = util::str(args, "proto");
  if (proto.empty()) proto = "any";
  if (proto != "any" && proto != "tcp" && proto != "udp") return std::nullopt;
  std::string dport = util::str(args, "to_port"), sport = util::str(args, "from_port");
  if (dport.empty()) dport = "any";
  if (sport.empty()) sport = "any";
  for (const std::string& port : {dport, sport}) {
    if (port != "any" && !port_or_range(port, proto != "any")) return std::nullopt;
  }
  const std::string comment = util::str(args, "comment");
  if (comment.find_first_of("'\"\n\r") != std::string::npos) return std::nullopt;
  std::string tail = util::str(args, "direction") == "out" ? " out" : " in";
  if (!comment.empty()) {
    static constexpr char kHex[] = "0123456789abcdef";
    tail += " comment=";
    for (unsigned char c : comment) tail += std::string{kHex[c >> 4], kHex[c & 15]};
  }
  const std::string head =
      "### tuple ### " + util::str(args, "rule") + (util::flag(args, "log") ? "_log " : " ") + proto + " " + dport;
  std::vector<std::string> tuples = {head + " 0.0.0.0/0 " + sport + " 0.0.0.0/0" + tail};
  if (ipv6) tuples.push_back(head + " ::/0 " + sport + " ::/0" + tail);
  return tuples;
}

bool has_tuple(const std::vector<ufw::Tuple>& tuples, const std::string& raw) {
  return std::any_of(tuples.begin(), tuples.end(), [&](const ufw::Tuple& t) { return t.raw == raw; });
}

class UfwModule : public Module {
 public:
  UfwModule() {
    using util::arg;
    spec_.name = "ufw";
    spec_.other_names = {"community.general.ufw"};
    spec_.args = {
        arg("state").choices({"enabled", "disabled", "reloaded", "reset"}),
        arg("default").aliases({"policy"}).choices({"allow", "deny", "reject"}),
        arg("logging").choices({"on", "off", "low", "medium", "high", "full"}),
        arg("direction").choices({"in", "incoming", "out", "outgoing", "routed"}),
        arg("delete", ArgType::Bool).default_value(false),
        arg("route", ArgType::Bool).default_value(false),
        arg("insert", ArgType::Int),
        arg("insert_relative_to")
            .choices({"zero", "first-ipv4", "last-ipv4", "first-ipv6", "last-ipv6"})
            .default_value("zero"),
        arg("rule").choices({"allow", "deny", "limit", "reject"}),
        arg("interface").aliases({"if"}),
        arg("interface_in").aliases({"if_in"}),
        arg("interface_out").aliases({"if_out"}),
        arg("log", ArgType::Bool).default_value(false),
        arg("from_ip").aliases({"from", "src"}).default_value("any"),
        arg("from_port"),
        arg("to_ip").aliases({"dest", "to"}).default_value("any"),
        arg("to_port").aliases({"port"}),
        arg("proto").aliases({"protocol"}).choices({"any", "tcp", "udp", "ipv6", "esp", "ah", "gre", "igmp"}),
        arg("name").aliases({"app"}),
        arg("comment"),
    };
    spec_.mutually_exclusive = {
        {"name", "proto", "logging"}, {"direction", "interface_in"}, {"direction", "interface_out"}};
    spec_.required_one_of = {{"state", "default", "rule", "logging"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  std::optional<Probe> first_probe(const Context& ctx) const override {
    const std::string state = util::str(ctx.args, "state");
    if (state == "reloaded" || state == "reset") return std::nullopt;
    return Probe{ufw::quick_probe_script(run_marker()), nullptr, ""};
  }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    if (!util::str(args, "interface").empty() && util::str(args, "direction").empty()) {
      throw ArgError("missing parameter(s) required by 'interface': direction");
    }
    const std::string state = util::str(args, "state");
    const std::string policy = util::str(args, "default");
    const std::string rule = util::str(args, "rule");
    const std::string logging = util::str(args, "logging");
    const std::string direction = util::str(args, "direction");
    if (!policy.empty() && (direction == "in" || direction == "out")) {
      return util::failed(
          "For default, direction must be one of \"outgoing\", \"incoming\" and \"routed\", or direction must not be "
          "specified.");
    }
    if (!rule.empty()) {
      if (!direction.empty() && direction != "in" && direction != "out") {
        return util::failed(
            "For rules, direction must be one of \"in\" and \"out\", or direction must not be specified.");
      }
      if (!util::flag(args, "route") && !util::str(args, "interface_in").empty() &&
          !util::str(args, "interface_out").empty()) {
        return util::failed("Only route rules can combine interface_in and interface_out");
      }
    }

    const std::string& marker = run_marker();
    if (std::optional<Result> done = unchanged(ctx, marker)) return *done;

    // One probe; the rule's dry run rides along unless its position depends on the rules found.
    const bool relative_insert =
        !args["insert"].is_null() && !util::flag(args, "delete") && util::str(args, "insert_relative_to") != "zero";
    std::optional<Command> rule_cmd;
    if (!rule.empty() && !relative_insert) rule_cmd = rule_command(args, insert_position(args, State{}));
    State st = probe(ctx, marker, rule_cmd ? rule_cmd->words : std::vector<std::string>{});
    bool planned = false;
    if (!st.installed) {
      // Check mode after a task that would install ufw: judge against a fresh install instead of failing.
      if (!(ctx.check_mode && ctx.plan != nullptr && ctx.plan->packages.count("ufw"))) {
        return util::failed(missing_message(st.path));
      }
      st = ufw::fresh_install_state();
      planned = true;
    }
    if (st.status_rc != 0) {
      // As Ansible: ufw's own words (e.g. "ERROR: You need to be root to run this script").
      Result r = util::failed(st.status_text);
      r["commands"] = Value::array({st.bin + " status verbose"});
      return r;
    }
    if (!rule.empty() && relative_insert) {
      rule_cmd = rule_command(args, insert_position(args, st));
      if (!planned) {
        State again = probe(ctx, marker, rule_cmd->words);
        st.dry_ran = again.dry_ran;
        st.dry_rc = again.dry_rc;
        st.dry_out = again.dry_out;
      }
    }

    const std::string bin = st.bin;
    Value commands = Value::array();
    commands.push_back(bin + " status verbose");
    commands.push_back(grep_command(st));
    if (rule_cmd) commands.push_back(bin + " --version");
    if (rule_cmd && st.dry_ran && st.dry_rc != 0) {
      commands.push_back(bin + " --dry-run" + rule_cmd->shown);
      Result r = util::failed(st.dry_out);
      r["commands"] = commands;
      return r;
    }

    const bool reset = state == "reset";
    bool rule_needed = false;
    if (rule_cmd) {
      rule_needed =
          reset || (planned ? !util::flag(args, "delete") : ufw::dry_run_changes(ufw::parse_dry_run(st.dry_out), st));
      if (ctx.check_mode && !planned) commands.push_back(bin + " --dry-run" + rule_cmd->shown);
    }
    std::vector<Command> todo = plan(args, st, rule_needed ? rule_cmd : std::nullopt);
    const bool always_changed = state == "reloaded" || reset;
    Result r = {{"changed", always_changed || !todo.empty()}};
    if (ctx.check_mode) {
      r["commands"] = commands;
      return r;
    }
    if (todo.empty()) {
      r["commands"] = commands;
      r["msg"] = rtrim(st.status_text);
      return r;
    }
    return act(ctx, marker, st, todo, always_changed, commands);
  }

 private:
  // What differs, in Ansible's order: state, default, the rule (given when it is needed), logging. After a reset
  // everything runs.
  static std::vector<Command> plan(const Value& args, const State& st, const std::optional<Command>& rule) {
    const std::string state = util::str(args, "state");
    const std::string policy = util::str(args, "default");
    const std::string logging = util::str(args, "logging");
    const std::string direction = util::str(args, "direction");
    const bool reset = state == "reset";
    std::vector<Command> todo;
    if (!state.empty()) {
      bool needed = reset || state == "reloaded" || (state == "enabled" && (!st.status.active || !st.config.enabled)) ||
                    (state == "disabled" && (st.status.active || st.config.enabled));
      static const std::map<std::string, std::string> kVerbs = {
          {"enabled", "enable"}, {"disabled", "disable"}, {"reloaded", "reload"}, {"reset", "reset"}};
      if (needed) todo.push_back({{"-f", kVerbs.at(state)}, " -f " + kVerbs.at(state)});
    }
    if (!policy.empty()) {
      const std::string dir = direction.empty() ? "incoming" : direction;
      auto it = st.config.policy.find(dir);
      if (reset || it == st.config.policy.end() || it->second != policy) {
        Command c{{"default", policy}, " default " + policy};
        if (!direction.empty()) {
          c.words.push_back(direction);
          c.shown += " " + direction;
        }
        todo.push_back(c);
      }
    }
    if (rule) todo.push_back(*rule);
    if (!logging.empty()) {
      const std::string& now = st.config.loglevel;
      bool needed = reset || (logging == "on" ? now == "off" : now != logging);
      if (needed) todo.push_back({{"logging", logging}, " logging " + logging});
    }
    return todo;
  }

  // A converged host, told without running ufw: the quick probe reads its files and chains, and a plain rule's
  // tuples are looked for in them. nullopt when anything would change or only ufw can tell; then the module takes
  // the full way (ufw status and ufw --dry-run), so changes cost one more round trip and no-ops none.
  static std::optional<Result> unchanged(const Context& ctx, const std::string& marker) {
    const Value& args = ctx.args;
    const std::string state = util::str(args, "state");
    if (state == "reloaded" || state == "reset") return std::nullopt;
    conn::CommandResult res = util::run(ctx, ufw::quick_probe_script(marker));
    std::optional<State> st = ufw::parse_quick_probe(res.out, marker);
    if (!st) return std::nullopt;
    std::optional<Command> rule_cmd;
    if (!util::str(args, "rule").empty()) {
      std::optional<std::vector<std::string>> tuples = plain_rule_tuples(args, st->ipv6);
      if (!tuples || !has_tuple(st->v4, (*tuples)[0]) || (tuples->size() > 1 && !has_tuple(st->v6, (*tuples)[1]))) {
        return std::nullopt;
      }
      rule_cmd = rule_command(args, std::nullopt);
    }
    if (!plan(args, *st, std::nullopt).empty()) return std::nullopt;
    Value commands = Value::array({st->bin + " status verbose", grep_command(*st)});
    if (rule_cmd) commands.push_back(st->bin + " --version");
    if (rule_cmd && ctx.check_mode) commands.push_back(st->bin + " --dry-run" + rule_cmd->shown);
    Result r = {{"changed", false}, {"commands", commands}};
    if (!ctx.check_mode) r["msg"] = rtrim(st->status_text);
    return r;
  }

  static std::string grep_command(const State& st) {
    return (st.grep.empty() ? std::string("grep") : st.grep) +
           " -h '^### tuple' /lib/ufw/user.rules /lib/ufw/user6.rules /etc/ufw/user.rules /etc/ufw/user6.rules "
           "/var/lib/ufw/user.rules /var/lib/ufw/user6.rules";
  }

  static State probe(const Context& ctx, const std::string& marker, const std::vector<std::string>& dry_run) {
    conn::CommandResult res = util::run(ctx, ufw::probe_script(marker, dry_run));
    // Output without the marker: the shell itself failed (a refused become); its stderr says why.
    if (res.out.find(marker) == std::string::npos) {
      throw Error("cannot read ufw's state: " + rtrim(res.err.empty() ? res.out : res.err));
    }
    return ufw::parse_probe(res.out, marker);
  }

  // Runs the commands in order, stopping at the first failure, then reads the state again: one round trip.
  static Result act(const Context& ctx, const std::string& marker, const State& before,
                    const std::vector<Command>& todo, bool always_changed, Value commands) {
    std::string script =
        "LC_ALL=C; LANG=C; export LC_ALL LANG; M=" + shell_quote(marker) + "; u=" + shell_quote(before.bin) + "\n";
    // The trailing x keeps the output's last newlines, which the command substitution would strip.
    script +=
        "run() { i=$1; shift; o=$(\"$@\" 2>&1; r=$?; echo x; exit $r); r=$?; "
        "if [ $r -ne 0 ]; then printf '%s fail %s %s\\n%s' \"$M\" \"$i\" \"$r\" \"${o%x}\"; exit 0; fi; }\n";
    for (size_t i = 0; i < todo.size(); ++i) {
      const Command& c = todo[i];
      script += "run " + std::to_string(i) + " \"$u\"";
      for (const auto& w : c.words) script += " " + shell_quote(w);
      script += "\n";
    }
    script += "printf '%s bin\\n%s\\n%s\\n' \"$M\" \"$u\" " + shell_quote(before.grep) + "\n";
    script += ufw::state_part_script();
    script += "printf '\\n%s end\\n' \"$M\"\n";
    conn::CommandResult res = util::run(ctx, script);

    const std::string fail_head = marker + " fail ";
    if (res.out.compare(0, fail_head.size(), fail_head) == 0) {
      // As Ansible, the commands run up to the failing one.
      size_t failed_at = std::strtoul(res.out.c_str() + fail_head.size(), nullptr, 10);
      for (size_t i = 0; i <= failed_at && i < todo.size(); ++i) commands.push_back(before.bin + todo[i].shown);
      size_t eol = res.out.find('\n');
      Result r = util::failed(eol == std::string::npos ? "" : res.out.substr(eol + 1));
      r["commands"] = commands;
      return r;
    }
    if (res.out.find(marker) == std::string::npos) {
      throw Error("cannot read ufw's state after the change: " + rtrim(res.err.empty() ? res.out : res.err));
    }
    State after = ufw::parse_probe(res.out, marker);
    for (const Command& c : todo) commands.push_back(before.bin + c.shown);
    commands.push_back(before.bin + " status verbose");
    bool changed = always_changed || before.snapshot() != after.snapshot();
    if (!always_changed) commands.push_back(grep_command(before));
    return {{"changed", changed}, {"commands", commands}, {"msg", rtrim(after.status_text)}};
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& ufw_module() {
  static const UfwModule module;
  return module;
}

}  // namespace prov::mod
