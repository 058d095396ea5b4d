// command and shell: run a program on the host. command takes words (no shell features, only $VAR expansion,
// as Ansible's run_command does); shell hands the whole string to /bin/sh or `executable`.
#include <chrono>

#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

constexpr const char* kChdirFailed = "__provision_chdir_failed__";

// One word for sh: literal text single-quoted, $NAME and ${NAME} left to the shell (double-quoted, so no
// splitting or globbing), and a leading ~ or ~/ expanded to $HOME.
std::string quote_word_expanding_vars(const std::string& word) {
  std::string out, literal;
  auto flush = [&] {
    if (!literal.empty()) out += conn::shell_quote(literal);
    literal.clear();
  };
  size_t i = 0;
  if (word == "~" || word.rfind("~/", 0) == 0) {
    out += "\"${HOME}\"";
    i = 1;
  }
  auto is_name_char = [](char c, bool first) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
  };
  while (i < word.size()) {
    if (word[i] == '$' && i + 1 < word.size()) {
      size_t start = i + 1, end = start;
      bool braced = word[start] == '{';
      if (braced) ++start, end = start;
      while (end < word.size() && is_name_char(word[end], end == start)) ++end;
      bool closed = !braced || (end < word.size() && word[end] == '}');
      if (end > start && closed) {
        flush();
        out += "\"${" + word.substr(start, end - start) + "}\"";
        i = end + (braced ? 1 : 0);
        continue;
      }
    }
    literal += word[i++];
  }
  flush();
  return out.empty() ? "''" : out;
}

std::string in_dir(const std::string& chdir, const std::string& command) {
  if (chdir.empty()) return command;
  return "cd -- " + conn::shell_quote(chdir) + " || { echo " + kChdirFailed + " >&2; exit 1; }; " + command;
}

// Exits 0 when any path matches the glob pattern on the host (relative to chdir, as Ansible resolves it).
std::string glob_probe(const std::string& chdir, const std::string& pattern) {
  return in_dir(chdir, "for f in " + util::glob_quote(pattern) +
                           "; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then exit 0; fi; done; exit 1");
}

Probe glob_read(const std::string& chdir, const std::string& pattern) { return shell_read(glob_probe(chdir, pattern)); }

// What command and shell share; argv (command) or executable (shell) follows these.
struct ProgramArgs {
  std::string raw_params, chdir, creates, removes;
  std::optional<std::string> stdin_text;
  bool stdin_add_newline = true, strip_empty_ends = true;

  static void describe(Schema<ProgramArgs>& s) {
    s.field("_raw_params", &ProgramArgs::raw_params).aliases({"cmd"});
    s.field("chdir", &ProgramArgs::chdir, ArgType::Path);
    s.field("creates", &ProgramArgs::creates, ArgType::Path);
    s.field("removes", &ProgramArgs::removes, ArgType::Path);
    s.field("stdin", &ProgramArgs::stdin_text);
    s.field("stdin_add_newline", &ProgramArgs::stdin_add_newline).default_value(true);
    s.field("strip_empty_ends", &ProgramArgs::strip_empty_ends).default_value(true);
  }
};

struct CommandArgs {
  ProgramArgs program;
  std::vector<std::string> argv;

  static void describe(Schema<CommandArgs>& s) {
    s.include(&CommandArgs::program);
    s.field("argv", &CommandArgs::argv);
  }
};

struct ShellArgs {
  ProgramArgs program;
  std::string executable;

  static void describe(Schema<ShellArgs>& s) {
    s.include(&ShellArgs::program);
    s.field("executable", &ShellArgs::executable, ArgType::Path);
  }
};

// The shell text to run and the result's cmd key.
struct Invocation {
  std::string command;
  Value cmd;
};

// Reads whether creates (or else removes) matches; running the program is the change. Check mode reports what
// would happen in words of its own ("Would not run", skipped); a real run's result is apply's, in full.
class ProgramRun : public Step {
 public:
  ProgramRun(CommandArgs args, const Context&) : args_(std::move(args.program)), argv_(std::move(args.argv)) {}
  ProgramRun(ShellArgs args, const Context&)
      : args_(std::move(args.program)), shell_(true), executable_(std::move(args.executable)) {}

  std::optional<Probe> query() override {
    if (argument_problem()) return std::nullopt;
    if (!args_.creates.empty() && !creates_found_) {
      invocation();  // words that do not split fail before the host is read
      return glob_read(args_.chdir, args_.creates);
    }
    if (!args_.removes.empty() && !removes_found_ && !creates_found_.value_or(false)) {
      invocation();
      return glob_read(args_.chdir, args_.removes);
    }
    return std::nullopt;
  }

  void parse(const conn::CommandResult& read) override {
    if (!args_.creates.empty() && !creates_found_) {
      creates_found_ = read.rc == 0;
    } else {
      removes_found_ = read.rc == 0;
    }
  }

  Changes diff(const Plan* plan) const override {
    const bool predicting = plan != nullptr;  // check mode
    Result r = empty_result();
    if (std::optional<std::string> problem = argument_problem()) return {false, fail_with(r, 256, *problem)};
    r["cmd"] = invocation().cmd;
    if (std::optional<Result> skipped = not_run(r, predicting ? "Would" : "Did")) return {false, *skipped};
    if (!predicting) return {true, Value::object()};
    r["changed"] = true;
    r["rc"] = 0;
    r["msg"] = "Command would have run if not in check mode";
    if (args_.creates.empty() && args_.removes.empty()) {
      r["skipped"] = true;
      r["changed"] = false;
    }
    return {true, with_lines(r)};
  }

  Result apply(Context& ctx, const Changes&) override {
    Result r = empty_result();
    Invocation invoked = invocation();
    r["cmd"] = invoked.cmd;
    r["changed"] = true;
    std::string stdin_data;
    if (args_.stdin_text) stdin_data = *args_.stdin_text + (args_.stdin_add_newline ? "\n" : "");
    auto start = std::chrono::system_clock::now();
    conn::CommandResult result = util::run(ctx, in_dir(args_.chdir, invoked.command), stdin_data);
    auto end = std::chrono::system_clock::now();
    if (!args_.chdir.empty() && result.rc == 1 && result.err.find(kChdirFailed) != std::string::npos) {
      r["changed"] = false;
      std::string why = result.err.substr(0, result.err.find('\n'));
      return fail_with(r, nullptr, "Unable to change directory before execution: " + why);
    }
    r["rc"] = result.rc;
    r["stdout"] = result.out;
    r["stderr"] = result.err;
    if (args_.strip_empty_ends) {
      r["stdout"] = rstrip_newlines(result.out);
      r["stderr"] = rstrip_newlines(result.err);
    }
    r["start"] = util::timestamp(start);
    r["end"] = util::timestamp(end);
    r["delta"] = util::delta(end - start);
    if (result.timed_out) r["msg"] = "command timed out";
    if (result.rc != 0) {
      r["failed"] = true;
      if (!result.timed_out) r["msg"] = "non-zero return code";
    }
    return with_lines(r);
  }

 private:
  static Result empty_result() {
    return {{"changed", false}, {"stdout", ""},   {"stderr", ""},     {"rc", nullptr}, {"cmd", nullptr},
            {"start", nullptr}, {"end", nullptr}, {"delta", nullptr}, {"msg", ""}};
  }

  std::optional<std::string> argument_problem() const {
    const bool has_argv = !argv_.empty();
    if (args_.raw_params.find_first_not_of(" \t\n") == std::string::npos && !has_argv) return "no command given";
    if (!args_.raw_params.empty() && has_argv) return "only command or argv can be given, not both";
    return std::nullopt;
  }

  // Throws ArgError("No closing quotation") for words that do not split.
  Invocation invocation() const {
    if (shell_) {
      const std::string& raw = args_.raw_params;
      return {executable_.empty() ? raw : conn::shell_quote(executable_) + " -c " + conn::shell_quote(raw), raw};
    }
    std::vector<std::string> words = argv_.empty() ? util::shlex_split(args_.raw_params) : argv_;
    std::string command;
    for (const auto& w : words) command += (command.empty() ? "" : " ") + quote_word_expanding_vars(w);
    return {command, words};
  }

  // The result when creates or removes decide that the program does not run; shoulda is "Would" or "Did".
  std::optional<Result> not_run(Result r, const std::string& shoulda) const {
    if (creates_found_.value_or(false)) {
      r["msg"] = shoulda + " not run command since '" + args_.creates + "' exists";
      r["stdout"] = "skipped, since " + args_.creates + " exists";
    } else if (removes_found_ && !*removes_found_) {
      r["msg"] = shoulda + " not run command since '" + args_.removes + "' does not exist";
      r["stdout"] = "skipped, since " + args_.removes + " does not exist";
    } else {
      return std::nullopt;
    }
    r["rc"] = 0;
    return with_lines(r);
  }

  static std::string rstrip_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  static Result with_lines(Result r) {
    r["stdout_lines"] = util::lines(r["stdout"].get<std::string>());
    r["stderr_lines"] = util::lines(r["stderr"].get<std::string>());
    return r;
  }
  static Result fail_with(Result r, Value rc, const std::string& msg) {
    r["rc"] = std::move(rc);
    r["msg"] = msg;
    r["failed"] = true;
    return with_lines(r);
  }

  ProgramArgs args_;
  std::vector<std::string> argv_;
  bool shell_ = false;
  std::string executable_;
  std::optional<bool> creates_found_, removes_found_;  // set once read
};

class CommandModule : public TypedModule<CommandArgs, ProgramRun> {
 public:
  CommandModule() : TypedModule("command") { spec_.free_form = true; }
};

class ShellModule : public TypedModule<ShellArgs, ProgramRun> {
 public:
  ShellModule() : TypedModule("shell") { spec_.free_form = true; }
};

}  // namespace

const Module& command_module() {
  static const CommandModule module;
  return module;
}

const Module& shell_module() {
  static const ShellModule module;
  return module;
}

}  // namespace prov::mod
