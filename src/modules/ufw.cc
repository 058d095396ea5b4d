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
#include "schema.h"
#include "ufw_quick.h"
#include "ufw_state.h"

namespace prov::mod {

namespace {

using conn::shell_quote;
using ufw::State;

// The marker between the probe's parts; random so that no rule comment can forge one. One per run, so that the
// quick probe of consecutive ufw tasks is one command, sent once (mod::first_query).
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

struct UfwArgs {
  std::string state, policy, logging, direction;
  bool delete_rule = false, route = false;
  std::optional<long long> insert;
  std::string insert_relative_to, rule, interface, interface_in, interface_out;
  bool log = false;
  std::string from_ip, from_port, to_ip, to_port, proto, name, comment;

  static void describe(Schema<UfwArgs>& s) {
    s.field("state", &UfwArgs::state).choices({"enabled", "disabled", "reloaded", "reset"});
    s.field("default", &UfwArgs::policy).aliases({"policy"}).choices({"allow", "deny", "reject"});
    s.field("logging", &UfwArgs::logging).choices({"on", "off", "low", "medium", "high", "full"});
    s.field("direction", &UfwArgs::direction).choices({"in", "incoming", "out", "outgoing", "routed"});
    s.field("delete", &UfwArgs::delete_rule).default_value(false);
    s.field("route", &UfwArgs::route).default_value(false);
    s.field("insert", &UfwArgs::insert);
    s.field("insert_relative_to", &UfwArgs::insert_relative_to)
        .choices({"zero", "first-ipv4", "last-ipv4", "first-ipv6", "last-ipv6"})
        .default_value("zero");
    s.field("rule", &UfwArgs::rule).choices({"allow", "deny", "limit", "reject"});
    s.field("interface", &UfwArgs::interface).aliases({"if"});
    s.field("interface_in", &UfwArgs::interface_in).aliases({"if_in"});
    s.field("interface_out", &UfwArgs::interface_out).aliases({"if_out"});
    s.field("log", &UfwArgs::log).default_value(false);
    s.field("from_ip", &UfwArgs::from_ip).aliases({"from", "src"}).default_value("any");
    s.field("from_port", &UfwArgs::from_port);
    s.field("to_ip", &UfwArgs::to_ip).aliases({"dest", "to"}).default_value("any");
    s.field("to_port", &UfwArgs::to_port).aliases({"port"});
    s.field("proto", &UfwArgs::proto)
        .aliases({"protocol"})
        .choices({"any", "tcp", "udp", "ipv6", "esp", "ah", "gre", "igmp"});
    s.field("name", &UfwArgs::name).aliases({"app"});
    s.field("comment", &UfwArgs::comment);
  }
};

// The rule's words in ufw's long form:
// [route] [delete | insert NUM] ACTION [in|out] [on IF] [in on IF] [out on IF] [log] from ADDR [port P]
// to ADDR [port P] [proto P] [app NAME] [comment TEXT]
Command rule_command(const UfwArgs& args, std::optional<long long> insert_to) {
  Command c;
  auto add = [&](std::initializer_list<std::string> words, const std::string& shown) {
    c.words.insert(c.words.end(), words);
    c.shown += " " + shown;
  };
  if (args.route) add({"route"}, "route");
  if (args.delete_rule) add({"delete"}, "delete");
  if (insert_to) add({"insert", std::to_string(*insert_to)}, "insert " + std::to_string(*insert_to));
  add({args.rule}, args.rule);
  if (!args.direction.empty()) add({args.direction}, args.direction);
  if (!args.interface.empty()) add({"on", args.interface}, "on " + args.interface);
  if (!args.interface_in.empty()) add({"in", "on", args.interface_in}, "in on " + args.interface_in);
  if (!args.interface_out.empty()) add({"out", "on", args.interface_out}, "out on " + args.interface_out);
  if (args.log) add({"log"}, "log");
  const std::pair<const std::string*, const char*> kParts[] = {{&args.from_ip, "from"},
                                                               {&args.from_port, "port"},
                                                               {&args.to_ip, "to"},
                                                               {&args.to_port, "port"},
                                                               {&args.proto, "proto"}};
  for (const auto& [value, word] : kParts) {
    if (!value->empty()) add({word, *value}, std::string(word) + " " + *value);
  }
  if (!args.name.empty()) add({"app", args.name}, "app '" + args.name + "'");
  if (!args.comment.empty()) add({"comment", args.comment}, "comment '" + args.comment + "'");
  return c;
}

// Where `insert` lands, as Ansible computes it from `ufw status numbered` (IPv4 rules first, then IPv6; no rules
// are listed while ufw is inactive). nullopt: append (Ansible drops an insert past the last rule).
std::optional<long long> insert_position(const UfwArgs& args, const State& st) {
  if (!args.insert || args.delete_rule) return std::nullopt;
  long long n = *args.insert;
  const std::string& relative = args.insert_relative_to;
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
std::optional<std::vector<std::string>> plain_rule_tuples(const UfwArgs& args, bool ipv6) {
  for (const std::string* value : {&args.interface, &args.interface_in, &args.interface_out, &args.name}) {
    if (!value->empty()) return std::nullopt;
  }
  if (args.route || args.delete_rule || args.insert) return std::nullopt;
  if (args.from_ip != "any" || args.to_ip != "any") return std::nullopt;
  std::string proto = args.proto;
  if (proto.empty()) proto = "any";
  if (proto != "any" && proto != "tcp" && proto != "udp") return std::nullopt;
  std::string dport = args.to_port, sport = args.from_port;
  if (dport.empty()) dport = "any";
  if (sport.empty()) sport = "any";
  for (const std::string& port : {dport, sport}) {
    if (port != "any" && !port_or_range(port, proto != "any")) return std::nullopt;
  }
  const std::string& comment = args.comment;
  if (comment.find_first_of("'\"\n\r") != std::string::npos) return std::nullopt;
  std::string tail = args.direction == "out" ? " out" : " in";
  if (!comment.empty()) {
    static constexpr char kHex[] = "0123456789abcdef";
    tail += " comment=";
    for (unsigned char c : comment) tail += std::string{kHex[c >> 4], kHex[c & 15]};
  }
  const std::string head = "### tuple ### " + args.rule + (args.log ? "_log " : " ") + proto + " " + dport;
  std::vector<std::string> tuples = {head + " 0.0.0.0/0 " + sport + " 0.0.0.0/0" + tail};
  if (ipv6) tuples.push_back(head + " ::/0 " + sport + " ::/0" + tail);
  return tuples;
}

bool has_tuple(const std::vector<ufw::Tuple>& tuples, const std::string& raw) {
  return std::any_of(tuples.begin(), tuples.end(), [&](const ufw::Tuple& t) { return t.raw == raw; });
}

std::string grep_command(const State& st) {
  return (st.grep.empty() ? std::string("grep") : st.grep) +
         " -h '^### tuple' /lib/ufw/user.rules /lib/ufw/user6.rules /etc/ufw/user.rules /etc/ufw/user6.rules "
         "/var/lib/ufw/user.rules /var/lib/ufw/user6.rules";
}

// A probe's state; output without the marker means the shell itself failed (a refused become), and its stderr says
// why.
State read_probe(const conn::CommandResult& res, const std::string& marker, const char* what) {
  if (res.out.find(marker) == std::string::npos) {
    throw Error(std::string(what) + rtrim(res.err.empty() ? res.out : res.err));
  }
  return ufw::parse_probe(res.out, marker);
}

// What differs, in Ansible's order: state, default, the rule (given when it is needed), logging. After a reset
// everything runs.
std::vector<Command> plan_commands(const UfwArgs& args, const State& st, const std::optional<Command>& rule) {
  const bool reset = args.state == "reset";
  std::vector<Command> todo;
  if (!args.state.empty()) {
    bool needed = reset || args.state == "reloaded" ||
                  (args.state == "enabled" && (!st.status.active || !st.config.enabled)) ||
                  (args.state == "disabled" && (st.status.active || st.config.enabled));
    static const std::map<std::string, std::string> kVerbs = {
        {"enabled", "enable"}, {"disabled", "disable"}, {"reloaded", "reload"}, {"reset", "reset"}};
    if (needed) todo.push_back({{"-f", kVerbs.at(args.state)}, " -f " + kVerbs.at(args.state)});
  }
  if (!args.policy.empty()) {
    const std::string dir = args.direction.empty() ? "incoming" : args.direction;
    auto it = st.config.policy.find(dir);
    if (reset || it == st.config.policy.end() || it->second != args.policy) {
      Command c{{"default", args.policy}, " default " + args.policy};
      if (!args.direction.empty()) {
        c.words.push_back(args.direction);
        c.shown += " " + args.direction;
      }
      todo.push_back(c);
    }
  }
  if (rule) todo.push_back(*rule);
  if (!args.logging.empty()) {
    const std::string& now = st.config.loglevel;
    bool needed = reset || (args.logging == "on" ? now == "off" : now != args.logging);
    if (needed) todo.push_back({{"logging", args.logging}, " logging " + args.logging});
  }
  return todo;
}

// What the full read decided: the result (check mode's, a failure, or a converged host's), or the commands to run.
struct UfwWork {
  Result result;
  std::vector<Command> todo;
  Value commands;
  bool always_changed = false;
};

class UfwRun : public Step {
 public:
  // A check run reports the rule's dry run among the commands and no status message.
  UfwRun(UfwArgs args, const Context& ctx)
      : args_(std::move(args)), check_run_(ctx.check_mode), earlier_(ctx.check_mode ? ctx.plan : nullptr) {
    refusal_ = refusal();
  }

  std::optional<Probe> query() override {
    if (arg_error_ || !refusal_.empty() || converged_) return std::nullopt;
    const std::string& marker = run_marker();
    // A converged host, told without running ufw: the quick probe reads its files and chains, and a plain rule's
    // tuples are looked for in them. Otherwise the full way (ufw status and ufw --dry-run): changes cost one more
    // round trip and no-ops none.
    if (!asked_quick_ && args_.state != "reloaded" && args_.state != "reset") {
      asked_ = asked_quick_ = true;
      return shell_read(ufw::quick_probe_script(marker));
    }
    // One probe; the rule's dry run rides along unless its position depends on the rules found.
    if (!st_) {
      asked_ = false;
      std::optional<Command> rule_cmd;
      if (!args_.rule.empty() && !relative_insert()) rule_cmd = rule_command(args_, insert_position(args_, State{}));
      return shell_read(ufw::probe_script(marker, rule_cmd ? rule_cmd->words : std::vector<std::string>{}));
    }
    if (asked_again_ || args_.rule.empty() || !relative_insert() || planned_ || !missing_path_.empty() ||
        st_->status_rc != 0) {
      return std::nullopt;
    }
    asked_again_ = true;
    return shell_read(ufw::probe_script(marker, rule_command(args_, insert_position(args_, *st_)).words));
  }

  void parse(const conn::CommandResult& read) override {
    const std::string& marker = run_marker();
    if (asked_) {
      asked_ = false;
      if (std::optional<State> st = ufw::parse_quick_probe(read.out, marker)) converged_ = unchanged(*st);
      return;
    }
    if (!st_) {
      st_ = read_probe(read, marker, "cannot read ufw's state: ");
      if (!st_->installed) {
        // Check mode after a task that would install ufw: judge against a fresh install instead of failing.
        if (earlier_ == nullptr || earlier_->packages.count("ufw") == 0) {
          missing_path_ = st_->path;
        } else {
          st_ = ufw::fresh_install_state();
          planned_ = true;
        }
      }
      return;
    }
    State again = read_probe(read, marker, "cannot read ufw's state: ");
    st_->dry_ran = again.dry_ran;
    st_->dry_rc = again.dry_rc;
    st_->dry_out = again.dry_out;
  }

  Changes diff(const Plan*) const override {
    if (arg_error_) throw ArgError("missing parameter(s) required by 'interface': direction");
    Changes c;
    if (!refusal_.empty()) {
      c.result = util::failed(refusal_);
      return c;
    }
    if (converged_) {
      c.result = *converged_;
      return c;
    }
    UfwWork work = evaluate();
    if (work.result.is_null()) {
      c.changed = true;  // the commands run, and the state read after them tells
      return c;
    }
    c.changed = work.result["changed"] == true;
    c.result = std::move(work.result);
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    UfwWork work = evaluate();
    return act(ctx, *st_, work.todo, work.always_changed, work.commands);
  }

 private:
  bool relative_insert() const { return args_.insert && !args_.delete_rule && args_.insert_relative_to != "zero"; }

  std::string refusal() {
    arg_error_ = !args_.interface.empty() && args_.direction.empty();
    if (!args_.policy.empty() && (args_.direction == "in" || args_.direction == "out")) {
      return "For default, direction must be one of \"outgoing\", \"incoming\" and \"routed\", or direction must not "
             "be specified.";
    }
    if (!args_.rule.empty()) {
      if (!args_.direction.empty() && args_.direction != "in" && args_.direction != "out") {
        return "For rules, direction must be one of \"in\" and \"out\", or direction must not be specified.";
      }
      if (!args_.route && !args_.interface_in.empty() && !args_.interface_out.empty()) {
        return "Only route rules can combine interface_in and interface_out";
      }
    }
    return "";
  }

  // The quick probe's answer when nothing would change; nullopt when anything would, or only ufw can tell.
  std::optional<Result> unchanged(const State& st) const {
    std::optional<Command> rule_cmd;
    if (!args_.rule.empty()) {
      std::optional<std::vector<std::string>> tuples = plain_rule_tuples(args_, st.ipv6);
      if (!tuples || !has_tuple(st.v4, (*tuples)[0]) || (tuples->size() > 1 && !has_tuple(st.v6, (*tuples)[1]))) {
        return std::nullopt;
      }
      rule_cmd = rule_command(args_, std::nullopt);
    }
    if (!plan_commands(args_, st, std::nullopt).empty()) return std::nullopt;
    Value commands = Value::array({st.bin + " status verbose", grep_command(st)});
    if (rule_cmd) commands.push_back(st.bin + " --version");
    if (rule_cmd && check_run_) commands.push_back(st.bin + " --dry-run" + rule_cmd->shown);
    Result r = {{"changed", false}, {"commands", commands}};
    if (!check_run_) r["msg"] = rtrim(st.status_text);
    return r;
  }

  UfwWork evaluate() const {
    UfwWork work;
    if (!missing_path_.empty()) {
      work.result = util::failed(missing_message(missing_path_));
      return work;
    }
    const State& st = *st_;
    if (st.status_rc != 0) {
      // As Ansible: ufw's own words (e.g. "ERROR: You need to be root to run this script").
      work.result = util::failed(st.status_text);
      work.result["commands"] = Value::array({st.bin + " status verbose"});
      return work;
    }
    std::optional<Command> rule_cmd;
    if (!args_.rule.empty()) {
      rule_cmd = rule_command(args_, insert_position(args_, relative_insert() ? st : State{}));
    }
    const std::string& bin = st.bin;
    work.commands = Value::array();
    work.commands.push_back(bin + " status verbose");
    work.commands.push_back(grep_command(st));
    if (rule_cmd) work.commands.push_back(bin + " --version");
    if (rule_cmd && st.dry_ran && st.dry_rc != 0) {
      work.commands.push_back(bin + " --dry-run" + rule_cmd->shown);
      work.result = util::failed(st.dry_out);
      work.result["commands"] = work.commands;
      return work;
    }
    const bool reset = args_.state == "reset";
    bool rule_needed = false;
    if (rule_cmd) {
      rule_needed = reset || (planned_ ? !args_.delete_rule : ufw::dry_run_changes(ufw::parse_dry_run(st.dry_out), st));
      if (check_run_ && !planned_) work.commands.push_back(bin + " --dry-run" + rule_cmd->shown);
    }
    work.todo = plan_commands(args_, st, rule_needed ? rule_cmd : std::nullopt);
    work.always_changed = args_.state == "reloaded" || reset;
    Result r = {{"changed", work.always_changed || !work.todo.empty()}};
    if (check_run_) {
      r["commands"] = work.commands;
      work.result = r;
    } else if (work.todo.empty()) {
      r["commands"] = work.commands;
      r["msg"] = rtrim(st.status_text);
      work.result = r;
    }
    return work;
  }

  // Runs the commands in order, stopping at the first failure, then reads the state again: one round trip.
  static Result act(const Context& ctx, const State& before, const std::vector<Command>& todo, bool always_changed,
                    Value commands) {
    const std::string& marker = run_marker();
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
    State after = read_probe(res, marker, "cannot read ufw's state after the change: ");
    for (const Command& c : todo) commands.push_back(before.bin + c.shown);
    commands.push_back(before.bin + " status verbose");
    bool changed = always_changed || before.snapshot() != after.snapshot();
    if (!always_changed) commands.push_back(grep_command(before));
    return {{"changed", changed}, {"commands", commands}, {"msg", rtrim(after.status_text)}};
  }

  UfwArgs args_;
  bool check_run_;
  const Plan* earlier_;
  bool arg_error_ = false;
  std::string refusal_;
  bool asked_ = false, asked_quick_ = false, asked_again_ = false;
  std::optional<Result> converged_;
  std::optional<State> st_;
  bool planned_ = false;
  std::string missing_path_;
};

class UfwModule : public TypedModule<UfwArgs, UfwRun> {
 public:
  UfwModule() : TypedModule("ufw") {
    spec_.other_names = {"community.general.ufw"};
    spec_.mutually_exclusive = {
        {"name", "proto", "logging"}, {"direction", "interface_in"}, {"direction", "interface_out"}};
    spec_.required_one_of = {{"state", "default", "rule", "logging"}};
  }
};

}  // namespace

const Module& ufw_module() {
  static const UfwModule module;
  return module;
}

}  // namespace prov::mod
