// logrotate (no Ansible builtin): one file in /etc/logrotate.d per name, rendered on the controller from checked
// options, checked on the host with `logrotate -d` before it replaces the old file, written only when it differs.
#include "logrotate.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "provision/modules/module.h"
#include "schema.h"
#include "text_file.h"
#include "util.h"

namespace prov::mod {

namespace logrotate {

namespace {

enum class Kind { Frequency, Count, Size, Flag, Setting, Script };

struct OptionDef {
  const char* name;
  Kind kind;
  const char* negation;  ///< what false writes for a flag or a setting; nullptr: nothing
};

// The order of this table is the order of the rendered file.
constexpr OptionDef kOptions[] = {
    {"hourly", Kind::Frequency, nullptr},
    {"daily", Kind::Frequency, nullptr},
    {"weekly", Kind::Frequency, nullptr},
    {"monthly", Kind::Frequency, nullptr},
    {"yearly", Kind::Frequency, nullptr},
    {"rotate", Kind::Count, nullptr},
    {"start", Kind::Count, nullptr},
    {"maxage", Kind::Count, nullptr},
    {"minage", Kind::Count, nullptr},
    {"size", Kind::Size, nullptr},
    {"minsize", Kind::Size, nullptr},
    {"maxsize", Kind::Size, nullptr},
    {"missingok", Kind::Flag, "nomissingok"},
    {"notifempty", Kind::Flag, "ifempty"},
    {"ifempty", Kind::Flag, "notifempty"},
    {"compress", Kind::Flag, "nocompress"},
    {"nocompress", Kind::Flag, nullptr},
    {"delaycompress", Kind::Flag, "nodelaycompress"},
    {"copytruncate", Kind::Flag, "nocopytruncate"},
    {"copy", Kind::Flag, "nocopy"},
    {"renamecopy", Kind::Flag, "norenamecopy"},
    {"dateext", Kind::Flag, "nodateext"},
    {"dateyesterday", Kind::Flag, nullptr},
    {"datehourago", Kind::Flag, nullptr},
    {"sharedscripts", Kind::Flag, "nosharedscripts"},
    {"shred", Kind::Flag, "noshred"},
    {"shredcycles", Kind::Count, nullptr},
    {"allowhardlink", Kind::Flag, "noallowhardlink"},
    {"nocreate", Kind::Flag, nullptr},
    {"nomail", Kind::Flag, nullptr},
    {"mailfirst", Kind::Flag, nullptr},
    {"maillast", Kind::Flag, nullptr},
    {"noolddir", Kind::Flag, nullptr},
    {"create", Kind::Setting, "nocreate"},
    {"su", Kind::Setting, nullptr},
    {"dateformat", Kind::Setting, nullptr},
    {"extension", Kind::Setting, nullptr},
    {"addextension", Kind::Setting, nullptr},
    {"compresscmd", Kind::Setting, nullptr},
    {"uncompresscmd", Kind::Setting, nullptr},
    {"compressext", Kind::Setting, nullptr},
    {"compressoptions", Kind::Setting, nullptr},
    {"olddir", Kind::Setting, "noolddir"},
    {"createolddir", Kind::Setting, "nocreateolddir"},
    {"mail", Kind::Setting, "nomail"},
    {"tabooext", Kind::Setting, nullptr},
    {"taboopat", Kind::Setting, nullptr},
    {"firstaction", Kind::Script, nullptr},
    {"prerotate", Kind::Script, nullptr},
    {"postrotate", Kind::Script, nullptr},
    {"lastaction", Kind::Script, nullptr},
    {"preremove", Kind::Script, nullptr},
};

const OptionDef* find_option(const std::string& name) {
  for (const auto& def : kOptions) {
    if (name == def.name) return &def;
  }
  return nullptr;
}

[[noreturn]] void bad_value(const std::string& name, const std::string& wanted, const Value& got) {
  throw ArgError("logrotate option '" + name + "' takes " + wanted + ", got " +
                 (got.is_string() ? "'" + got.get<std::string>() + "'" : got.dump()));
}

std::string one_line(const std::string& name, const Value& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of("\n\r") != std::string::npos) throw ArgError("logrotate option '" + name + "' holds a newline");
  if (s.find_first_of("{}") != std::string::npos) throw ArgError("logrotate option '" + name + "' holds a brace");
  return s;
}

// One option's line(s) in the file, or "" when the option writes nothing (a flag set to false with no negation).
std::string render_option(const OptionDef& def, const Value& v) {
  const std::string name = def.name;
  const std::string indent = "    ";
  switch (def.kind) {
    case Kind::Frequency:
    case Kind::Flag: {
      // weekly takes an optional weekday (0-6, 7 for every 7 days).
      if (name == "weekly" &&
          (v.is_number_integer() || (v.is_string() && std::regex_match(v.get<std::string>(), std::regex("[0-7]"))))) {
        return indent + "weekly " + (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
      }
      std::optional<bool> b = ansible_bool(v);
      if (!b) bad_value(name, "true or false", v);
      if (*b) return indent + name + "\n";
      return def.negation != nullptr ? indent + def.negation + "\n" : "";
    }
    case Kind::Count: {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (!std::regex_match(s, std::regex(name == "rotate" ? "-?[0-9]+" : "[0-9]+"))) bad_value(name, "a number", v);
      return indent + name + " " + s + "\n";
    }
    case Kind::Size: {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (!std::regex_match(s, std::regex("[0-9]+[kKMG]?"))) bad_value(name, "a size such as 100k, 10M or 1G", v);
      return indent + name + " " + s + "\n";
    }
    case Kind::Setting: {
      if (v.is_boolean()) {
        // create and createolddir may stand alone; false turns a setting off where logrotate can.
        bool alone = name == "create" || name == "createolddir";
        if (v.get<bool>() && alone) return indent + name + "\n";
        if (!v.get<bool>() && def.negation != nullptr) return indent + def.negation + "\n";
        bad_value(name, "a value", v);
      }
      if (v.is_null() || v.is_object() || v.is_array()) bad_value(name, "a value", v);
      std::string s = one_line(name, v);
      if (s.empty()) bad_value(name, "a value", v);
      return indent + name + " " + s + "\n";
    }
    case Kind::Script: {
      if (!v.is_string()) bad_value(name, "a shell script", v);
      std::string script = v.get<std::string>();
      while (!script.empty() && (script.back() == '\n' || script.back() == ' ')) script.pop_back();
      if (script.empty()) return "";
      std::string out = indent + name + "\n";
      size_t start = 0;
      while (start <= script.size()) {
        size_t end = script.find('\n', start);
        if (end == std::string::npos) end = script.size();
        std::string line = script.substr(start, end - start);
        std::string trimmed = line;
        trimmed.erase(0, trimmed.find_first_not_of(" \t"));
        trimmed.erase(trimmed.find_last_not_of(" \t\r") + 1);
        // logrotate ends a script at the first line that is only "endscript".
        if (trimmed == "endscript") throw ArgError("logrotate option '" + name + "' holds an endscript line");
        out += line.empty() ? "\n" : indent + indent + line + "\n";
        start = end + 1;
      }
      return out + indent + "endscript\n";
    }
  }
  return "";
}

std::string render_path(const std::string& path) {
  if (path.empty() || path[0] != '/') throw ArgError("logrotate path '" + path + "' must be absolute");
  if (path.find_first_of("\"\n\r{}\\") != std::string::npos) {
    throw ArgError("logrotate path '" + path + "' holds a character logrotate cannot read (\" \\ { } or a newline)");
  }
  if (path.find_first_of(" \t") != std::string::npos) return "\"" + path + "\"";
  return path;
}

}  // namespace

std::vector<std::string> option_names() {
  std::vector<std::string> names;
  for (const auto& def : kOptions) names.emplace_back(def.name);
  return names;
}

std::string render_config(const std::vector<std::string>& paths, const Value& options) {
  if (paths.empty()) throw ArgError("logrotate needs at least one path");
  // Options by name, from a map or from a list of "name value" strings and one-key maps.
  std::map<std::string, Value> given;
  auto add = [&](const std::string& name, const Value& v) {
    if (find_option(name) == nullptr) {
      throw ArgError("unknown logrotate option '" + name + "'" + did_you_mean(name, option_names()));
    }
    if (!given.emplace(name, v).second) throw ArgError("logrotate option '" + name + "' is given twice");
  };
  if (options.is_object()) {
    for (const auto& [name, v] : options.items()) add(name, v);
  } else if (options.is_array()) {
    for (const auto& item : options) {
      if (item.is_object() && item.size() == 1) {
        add(item.begin().key(), item.begin().value());
      } else if (item.is_string()) {
        std::string s = item.get<std::string>();
        size_t space = s.find_first_of(" \t");
        std::string name = s.substr(0, space);
        std::string rest = space == std::string::npos ? "" : s.substr(s.find_first_not_of(" \t", space));
        const OptionDef* def = find_option(name);
        add(name, rest.empty() && def != nullptr && def->kind != Kind::Script && def->kind != Kind::Count &&
                          def->kind != Kind::Size
                      ? Value(true)
                      : Value(rest));
      } else {
        throw ArgError("logrotate options in a list are strings such as 'rotate 7' or one-key maps, got " +
                       item.dump());
      }
    }
  } else if (!options.is_null()) {
    throw ArgError("logrotate options must be a map or a list, got " + options.dump());
  }

  std::string frequency;
  for (const auto& def : kOptions) {
    auto it = given.find(def.name);
    if (def.kind != Kind::Frequency || it == given.end() || ansible_bool(it->second) == std::optional<bool>(false)) {
      continue;
    }
    if (!frequency.empty()) {
      throw ArgError("logrotate options '" + frequency + "' and '" + def.name + "' are both frequencies: choose one");
    }
    frequency = def.name;
  }

  std::string out = "# Written by provision (logrotate module): changes made here are overwritten.\n";
  for (size_t i = 0; i < paths.size(); ++i) out += (i == 0 ? "" : " ") + render_path(paths[i]);
  out += " {\n";
  for (const auto& def : kOptions) {
    auto it = given.find(def.name);
    if (it != given.end()) out += render_option(def, it->second);
  }
  return out + "}\n";
}

}  // namespace logrotate

namespace {

using conn::shell_quote;

// logrotate -d exits 0 on an unknown option and 1 on a log that does not exist yet, so its verdict is read from
// what it prints: errors about the file's lines, a skipped section, or an ignored file.
std::string validate_command(const std::string& logrotate) {
  return "! " + shell_quote(logrotate) +
         " -d -s /dev/null %s 2>&1 | grep -E '^error: ([^ ]+:[0-9]+ |found error|Ignoring)' >&2";
}

// logrotate lives in /usr/sbin, which a plain user's PATH may lack.
constexpr const char* kFindLogrotate =
    "command -v logrotate || { [ -x /usr/sbin/logrotate ] && echo /usr/sbin/logrotate; } || true";

struct LogrotateArgs {
  std::string name;
  std::vector<std::string> path;
  Value options;
  std::string state, conf_dir;
  Value mode;

  static void describe(Schema<LogrotateArgs>& s) {
    s.field("name", &LogrotateArgs::name).required();
    s.field("path", &LogrotateArgs::path).aliases({"paths"});
    s.field("options", &LogrotateArgs::options, ArgType::Raw);
    s.field("state", &LogrotateArgs::state).default_value("present").choices({"absent", "present"});
    s.field("conf_dir", &LogrotateArgs::conf_dir, ArgType::Path).default_value("/etc/logrotate.d");
    s.field("mode", &LogrotateArgs::mode, ArgType::Raw).default_value("0644");
  }
};

// Renders the file on the controller, reads the one there (and where logrotate is) in one command, compares.
class LogrotateRun : public Step {
 public:
  LogrotateRun(LogrotateArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (!prepared_) prepare();
    if (read_ || !failure_.is_null()) return std::nullopt;
    return shell_read(text::read_text_command(dest_, present() ? kFindLogrotate : ""));
  }

  void parse(const conn::CommandResult& read) override {
    current_ = text::parse_read_text(read, dest_);
    read_ = true;
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (!failure_.is_null()) {
      c.result = failure_;
      return c;
    }
    if (current_.info.exists && current_.info.type != "file") {
      c.result = util::failed(dest_ + " is not a regular file");
      return c;
    }
    c.result = {{"changed", false}, {"dest", dest_}, {"state", present() ? "present" : "absent"}};
    if (!present()) {
      if (!current_.info.exists) return c;
      c.changed = true;
      c.result["changed"] = true;
      c.diff = {{"before", current_.content}, {"after", ""}, {"before_header", dest_}, {"after_header", dest_}};
      return c;
    }
    // In check mode, logrotate (or the folder) that an earlier task would install counts as there.
    const bool planned = plan != nullptr && (plan->packages.count("logrotate") > 0 || plan->predicted(dest_));
    if (logrotate_path().empty() && !planned) {
      c.result = util::failed(
          "logrotate is not installed on the host (no logrotate command in PATH): install the "
          "logrotate package first, e.g. with apt: name=logrotate");
      return c;
    }
    if (!current_.parent_exists && !planned) {
      c.result = util::failed("conf_dir " + conf_dir_ + " does not exist: install logrotate or set conf_dir");
      return c;
    }
    const bool changed = !current_.exists || current_.content != wanted_;
    if (changed) {
      c.diff = {{"before", current_.content}, {"after", wanted_}, {"before_header", dest_}, {"after_header", dest_}};
    }
    if (!current_.exists && !current_.parent_exists) {
      c.changed = true;  // planned: nothing to look at yet
      c.result["changed"] = true;
      c.predicted.paths.insert(dest_);
      return c;
    }
    text::WriteOutcome predicted = text::predict_text_write(current_, changed, write_options().attrs);
    if (changed && !current_.exists) c.predicted.paths.insert(dest_);
    c.changed = changed || predicted.attrs_changed;
    c.result["changed"] = c.changed;
    return c;
  }

  Result apply(Context& ctx, const Changes& changes) override {
    Result r = changes.result;
    if (!present()) {
      conn::CommandResult rm = util::run(ctx, "rm -f -- " + shell_quote(dest_));
      if (rm.rc != 0) return util::failed("cannot remove " + dest_ + ": " + rm.err.substr(0, rm.err.find('\n')));
      return r;
    }
    const bool changed = !current_.exists || current_.content != wanted_;
    text::WriteOutcome wrote = text::write_text(ctx, current_, wanted_, changed, write_options(), true);
    if (!wrote.failure.is_null()) return refused(wrote.failure, dest_);
    r["changed"] = changed || wrote.attrs_changed;
    return r;
  }

 private:
  bool present() const { return args_.state == "present"; }
  std::string logrotate_path() const { return current_.extra.substr(0, current_.extra.find('\n')); }

  text::TextWriteOptions write_options() const {
    text::TextWriteOptions options;
    options.attrs.mode = args_.mode.is_null() ? Value("0644") : args_.mode;
    options.validate = validate_command(logrotate_path());
    return options;
  }

  // The file's place and wanted text, from the arguments alone; a failure here needs no read.
  void prepare() {
    prepared_ = true;
    const std::string& name = args_.name;
    if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos) {
      failure_ = util::failed("name must be a file name without '/' that does not start with '.', got '" + name + "'");
      return;
    }
    conf_dir_ = args_.conf_dir;
    while (conf_dir_.size() > 1 && conf_dir_.back() == '/') conf_dir_.pop_back();
    dest_ = conf_dir_ + "/" + name;
    if (!present()) return;
    if (args_.path.empty()) {
      failure_ = util::failed("path is required with state=present");
      return;
    }
    try {
      wanted_ = logrotate::render_config(args_.path, args_.options);
    } catch (const ArgError& e) {
      failure_ = util::failed(e.what());
    }
  }

  // What logrotate said, with the temporary file's name replaced by the file it was checked for.
  static Result refused(Result failure, const std::string& dest) {
    if (failure.value("msg", "") != "failed to validate") return failure;
    std::string said = failure.value("stderr", "");
    static const std::regex tmp_name("[^ :]*/\\.provision-validate-[0-9a-f]+");
    said = std::regex_replace(said, tmp_name, dest);
    while (!said.empty() && said.back() == '\n') said.pop_back();
    Result r =
        util::failed("logrotate rejected the configuration for " + dest + ", which was left unchanged:\n" + said);
    r["stderr"] = said;
    return r;
  }

  LogrotateArgs args_;
  bool prepared_ = false, read_ = false;
  Result failure_;
  std::string conf_dir_, dest_, wanted_;
  text::RemoteText current_;
};

class LogrotateModule : public TypedModule<LogrotateArgs, LogrotateRun> {
 public:
  LogrotateModule() : TypedModule("logrotate") {}
};

}  // namespace

const Module& logrotate_module() {
  static const LogrotateModule module;
  return module;
}

}  // namespace prov::mod
