// wait_for: polls a port or a path ON THE HOST with a POSIX sh loop (no Python there). Ports are probed with
// bash's /dev/tcp when bash exists, else nc -z, else (local ports only) the LISTEN entries of /proc/net/tcp*.
#include "provision/modules/module.h"
#include "schema.h"

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

struct WaitForArgs {
  std::string host;
  std::optional<long long> port;
  std::string path, state;
  long long timeout = 300, delay = 0, sleep = 1, connect_timeout = 5;
  std::string search_regex;
  std::optional<std::string> msg;

  static void describe(Schema<WaitForArgs>& s) {
    s.field("host", &WaitForArgs::host).default_value("127.0.0.1");
    s.field("port", &WaitForArgs::port);
    s.field("path", &WaitForArgs::path, ArgType::Path);
    s.field("state", &WaitForArgs::state)
        .default_value("started")
        .choices({"absent", "drained", "present", "started", "stopped"});
    s.field("timeout", &WaitForArgs::timeout).default_value(300);
    s.field("delay", &WaitForArgs::delay).default_value(0);
    s.field("sleep", &WaitForArgs::sleep).default_value(1);
    s.field("connect_timeout", &WaitForArgs::connect_timeout).default_value(5);
    s.field("search_regex", &WaitForArgs::search_regex);
    s.field("msg", &WaitForArgs::msg);
  }
};

// The shell condition polled on the host and the message when it never holds.
struct WaitCondition {
  std::string condition, failure;
};

// Nothing is read ahead: the wait is the task, and it happens only for real (check mode reports the wait's keys
// without waiting), so diff's result is check mode's and apply's result is the real one in full.
class WaitForRun : public Step {
 public:
  WaitForRun(WaitForArgs args, const Context&) : args_(std::move(args)) {}

  Changes diff(const Plan*) const override {
    if (args_.port && !args_.search_regex.empty()) {
      return {false, util::failed("search_regex with port is not supported by provision")};
    }
    return {true, keys()};
  }

  Result apply(Context& ctx, const Changes&) override {
    const WaitCondition wanted = condition();
    Result r = keys();
    std::string script = "host=" + shell_quote(args_.host) +
                         "; port=" + (args_.port ? std::to_string(*args_.port) : "0") +
                         "; ct=" + std::to_string(args_.connect_timeout) + "; " + kPortCheck;
    script += "start=$(date +%s); sleep " + std::to_string(args_.delay) + "; end=$((start + " +
              std::to_string(args_.timeout) + ")); ";
    script += "while :; do if " + wanted.condition + "; then echo $(( $(date +%s) - start )); exit 0; fi; ";
    script += "if [ \"$(date +%s)\" -ge \"$end\" ]; then echo $(( $(date +%s) - start )); exit 3; fi; ";
    script += "sleep " + std::to_string(args_.sleep) + "; done";
    int limit = static_cast<int>(args_.timeout + args_.delay + args_.connect_timeout + 30);
    conn::CommandResult result = util::run(ctx, script, {}, limit);
    try {
      r["elapsed"] = std::stoll(result.out);
    } catch (const std::exception&) {
      return util::failed("wait_for could not run on the host: " + result.err);
    }
    if (result.rc == 0 && wanted.condition != "false") return r;
    if (wanted.condition == "false" && result.rc == 3) return r;
    r["failed"] = true;
    r["msg"] = args_.msg ? Value(*args_.msg) : Value(wanted.failure);
    return r;
  }

 private:
  WaitCondition condition() const {
    const std::string& path = args_.path;
    const std::string& regex = args_.search_regex;
    const bool want_up = args_.state == "started" || args_.state == "present";
    if (args_.port) {
      std::string target = args_.host + ":" + std::to_string(*args_.port);
      return {want_up ? "up" : "! up",
              want_up ? "Timeout when waiting for " + target : "Timeout when waiting for " + target + " to stop."};
    }
    if (!path.empty()) {
      std::string p = shell_quote(path);
      if (!want_up) return {"[ ! -e " + p + " ]", "Timeout when waiting for " + path + " to be absent."};
      if (regex.empty()) return {"[ -e " + p + " ]", "Timeout when waiting for file " + path};
      return {"grep -Eq -- " + shell_quote(regex) + " " + p + " 2>/dev/null",
              "Timeout when waiting for search string " + regex + " in " + path};
    }
    return {"false", ""};  // nothing to wait for: just sleep for the timeout, as Ansible does
  }

  Result keys() const {
    const std::string& path = args_.path;
    const std::string& regex = args_.search_regex;
    return {{"changed", false},
            {"elapsed", 0},
            {"match_groupdict", Value::object()},
            {"match_groups", Value::array()},
            {"path", path.empty() ? Value() : Value(path)},
            {"port", args_.port ? Value(*args_.port) : Value()},
            {"search_regex", regex.empty() ? Value() : Value(regex)},
            {"state", args_.state}};
  }

  WaitForArgs args_;
};

class WaitForModule : public TypedModule<WaitForArgs, WaitForRun> {
 public:
  WaitForModule() : TypedModule("wait_for") { spec_.mutually_exclusive = {{"port", "path"}}; }
};

}  // namespace

const Module& wait_for_module() {
  static const WaitForModule module;
  return module;
}

}  // namespace prov::mod
