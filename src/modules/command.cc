// command and shell: run a program on the host. command takes words (no shell features, only $VAR expansion,
// as Ansible's run_command does); shell hands the whole string to /bin/sh or `executable`.
#include <chrono>

#include "provision/modules/module.h"
#include "util.h"

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

bool glob_matches(const Context& ctx, const std::string& chdir, const std::string& pattern) {
  return util::run(ctx, glob_probe(chdir, pattern)).rc == 0;
}

class CommandModule : public Module {
 public:
  explicit CommandModule(bool shell) : shell_(shell) {
    spec_.name = shell ? "shell" : "command";
    spec_.free_form = true;
    using util::arg;
    spec_.args = {
        arg("_raw_params").aliases({"cmd"}),
        arg("chdir", ArgType::Path),
        arg("creates", ArgType::Path),
        arg("removes", ArgType::Path),
        arg("stdin"),
        arg("stdin_add_newline", ArgType::Bool).default_value(true),
        arg("strip_empty_ends", ArgType::Bool).default_value(true),
    };
    if (shell) {
      spec_.args.push_back(arg("executable", ArgType::Path));
    } else {
      spec_.args.push_back(arg("argv", ArgType::List));
    }
  }

  const ModuleSpec& spec() const override { return spec_; }

  // With creates (or else removes), the first command only looks for the path.
  std::optional<Probe> first_probe(const Context& ctx) const override {
    const std::string chdir = util::str(ctx.args, "chdir");
    for (const char* key : {"creates", "removes"}) {
      std::string pattern = util::str(ctx.args, key);
      if (!pattern.empty()) return Probe{glob_probe(chdir, pattern), nullptr, ""};
    }
    return std::nullopt;
  }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    Result r = {{"changed", false}, {"stdout", ""},   {"stderr", ""},     {"rc", nullptr}, {"cmd", nullptr},
                {"start", nullptr}, {"end", nullptr}, {"delta", nullptr}, {"msg", ""}};
    std::string raw = util::str(args, "_raw_params");
    const Value* argv = find_key(args, "argv");
    bool has_argv = argv != nullptr && argv->is_array() && !argv->empty();
    if (raw.find_first_not_of(" \t\n") == std::string::npos && !has_argv) {
      return fail_with(r, 256, "no command given");
    }
    if (!raw.empty() && has_argv) return fail_with(r, 256, "only command or argv can be given, not both");

    std::string command;
    if (shell_) {
      r["cmd"] = raw;
      std::string executable = util::str(args, "executable");
      command = executable.empty() ? raw : conn::shell_quote(executable) + " -c " + conn::shell_quote(raw);
    } else {
      std::vector<std::string> words;
      if (has_argv) {
        for (const auto& w : *argv) words.push_back(to_plain_string(w));
      } else {
        words = util::shlex_split(raw);
      }
      r["cmd"] = words;
      for (const auto& w : words) command += (command.empty() ? "" : " ") + quote_word_expanding_vars(w);
    }

    std::string chdir = util::str(args, "chdir");
    std::string shoulda = ctx.check_mode ? "Would" : "Did";
    std::string creates = util::str(args, "creates"), removes = util::str(args, "removes");
    if (!creates.empty() && glob_matches(ctx, chdir, creates)) {
      r["msg"] = shoulda + " not run command since '" + creates + "' exists";
      r["stdout"] = "skipped, since " + creates + " exists";
      r["rc"] = 0;
    } else if (!removes.empty() && !glob_matches(ctx, chdir, removes)) {
      r["msg"] = shoulda + " not run command since '" + removes + "' does not exist";
      r["stdout"] = "skipped, since " + removes + " does not exist";
      r["rc"] = 0;
    }
    if (!r["msg"].get<std::string>().empty()) return with_lines(r);

    r["changed"] = true;
    if (ctx.check_mode) {
      r["rc"] = 0;
      r["msg"] = "Command would have run if not in check mode";
      if (creates.empty() && removes.empty()) {
        r["skipped"] = true;
        r["changed"] = false;
      }
      return with_lines(r);
    }

    std::string stdin_data;
    if (const Value* in = find_key(args, "stdin"); in != nullptr && !in->is_null()) {
      stdin_data = in->get<std::string>() + (util::flag(args, "stdin_add_newline") ? "\n" : "");
    }
    auto start = std::chrono::system_clock::now();
    conn::CommandResult result = util::run(ctx, in_dir(chdir, command), stdin_data);
    auto end = std::chrono::system_clock::now();
    if (!chdir.empty() && result.rc == 1 && result.err.find(kChdirFailed) != std::string::npos) {
      r["changed"] = false;
      std::string why = result.err.substr(0, result.err.find('\n'));
      return fail_with(r, nullptr, "Unable to change directory before execution: " + why);
    }
    r["rc"] = result.rc;
    r["stdout"] = result.out;
    r["stderr"] = result.err;
    if (util::flag(args, "strip_empty_ends")) {
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

  bool shell_;
  ModuleSpec spec_;
};

}  // namespace

const Module& command_module() {
  static const CommandModule module(false);
  return module;
}

const Module& shell_module() {
  static const CommandModule module(true);
  return module;
}

}  // namespace prov::mod
