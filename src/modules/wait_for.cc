// wait_for: polls a port or a path ON THE HOST with a POSIX sh loop (no Python there). Ports are probed with
// bash's /dev/tcp when bash exists, else nc -z, else (local ports only) the LISTEN entries of /proc/net/tcp*.
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

// Shell function `up`: true when something accepts connections on $host:$port.
constexpr const char* kPortCheck =
    "up() { "
    "if command -v bash >/dev/null 2>&1; then "
    "if command -v timeout >/dev/null 2>&1; then "
    "timeout \"$ct\" bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$host\" \"$port\" 2>/dev/null; "
    "else bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$host\" \"$port\" 2>/dev/null; fi; "
    "elif command -v nc >/dev/null 2>&1; then nc -z -w \"$ct\" \"$host\" \"$port\" >/dev/null 2>&1; "
    "else grep -Eq \":$(printf '%04X' \"$port\") [0-9A-F]+:0000 0A \" /proc/net/tcp /proc/net/tcp6 2>/dev/null; "
    "fi; }; ";

class WaitForModule : public Module {
 public:
  WaitForModule() {
    using util::arg;
    spec_.name = "wait_for";
    spec_.args = {
        arg("host").default_value("127.0.0.1"),
        arg("port", ArgType::Int),
        arg("path", ArgType::Path),
        arg("state").default_value("started").choices({"absent", "drained", "present", "started", "stopped"}),
        arg("timeout", ArgType::Int).default_value(300),
        arg("delay", ArgType::Int).default_value(0),
        arg("sleep", ArgType::Int).default_value(1),
        arg("connect_timeout", ArgType::Int).default_value(5),
        arg("search_regex"),
        arg("msg"),
    };
    spec_.mutually_exclusive = {{"port", "path"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string host = util::str(args, "host"), path = util::str(args, "path");
    const std::string state = util::str(args, "state"), regex = util::str(args, "search_regex");
    const bool has_port = !args["port"].is_null();
    const long long timeout = args["timeout"].get<long long>(), delay = args["delay"].get<long long>();
    const bool want_up = state == "started" || state == "present";

    std::string condition, failure;
    if (has_port) {
      std::string target = host + ":" + std::to_string(args["port"].get<long long>());
      condition = want_up ? "up" : "! up";
      failure = want_up ? "Timeout when waiting for " + target : "Timeout when waiting for " + target + " to stop.";
      if (!regex.empty()) return util::failed("search_regex with port is not supported by provision");
    } else if (!path.empty()) {
      std::string p = shell_quote(path);
      if (want_up) {
        condition = regex.empty() ? "[ -e " + p + " ]" : "grep -Eq -- " + shell_quote(regex) + " " + p + " 2>/dev/null";
        failure = regex.empty() ? "Timeout when waiting for file " + path
                                : "Timeout when waiting for search string " + regex + " in " + path;
      } else {
        condition = "[ ! -e " + p + " ]";
        failure = "Timeout when waiting for " + path + " to be absent.";
      }
    } else {
      condition = "false";  // nothing to wait for: just sleep for the timeout, as Ansible does
    }

    Result r = {{"changed", false}, {"elapsed", 0}, {"match_groupdict", Value::object()},
                {"match_groups", Value::array()}, {"path", path.empty() ? Value() : Value(path)},
                {"port", args["port"]}, {"search_regex", regex.empty() ? Value() : Value(regex)},
                {"state", state}};
    if (ctx.check_mode) return r;

    std::string script = "host=" + shell_quote(host) + "; port=" +
                         (has_port ? std::to_string(args["port"].get<long long>()) : "0") +
                         "; ct=" + std::to_string(args["connect_timeout"].get<long long>()) + "; " + kPortCheck +
                         "start=$(date +%s); sleep " + std::to_string(delay) +
                         "; end=$((start + " + std::to_string(timeout) + ")); "
                         "while :; do if " + condition + "; then echo $(( $(date +%s) - start )); exit 0; fi; "
                         "if [ \"$(date +%s)\" -ge \"$end\" ]; then echo $(( $(date +%s) - start )); exit 3; fi; "
                         "sleep " + std::to_string(args["sleep"].get<long long>()) + "; done";
    int limit = static_cast<int>(timeout + delay + args["connect_timeout"].get<long long>() + 30);
    conn::CommandResult result = util::run(ctx, script, {}, limit);
    try {
      r["elapsed"] = std::stoll(result.out);
    } catch (const std::exception&) {
      return util::failed("wait_for could not run on the host: " + result.err);
    }
    if (result.rc == 0 && condition != "false") return r;
    if (condition == "false" && result.rc == 3) return r;
    r["failed"] = true;
    r["msg"] = args["msg"].is_null() ? Value(failure) : args["msg"];
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& wait_for_module() {
  static const WaitForModule module;
  return module;
}

}  // namespace prov::mod
