// pip: Python packages in a virtualenv or the system, as Ansible's pip module installs them. For state=present and
// absent with package names, one probe lists what is installed (a virtualenv's metadata files, or `pip list
// --format=freeze`) and the controller compares it with the requirements (PEP 440, pep440.cc): a rerun with nothing
// to do is that one round trip.
// A requirements file of plain requirements (names with version specifiers) that the installed packages already
// satisfy needs no pip run either; other files, latest and forcereinstall run pip every time, and a requirements
// run is changed when the freeze listing before and after differs, as in Ansible.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "pep440.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

struct Options {
  std::string state;
  std::vector<std::string> names;         // as given (the result's name)
  std::vector<std::string> requirements;  // rebuilt from names, version applied
  std::string version;
  std::string requirements_file;
  std::string venv;   // joined with chdir when both are given
  std::string chdir;  // where commands run; /tmp when unset, as Ansible's tempdir
  std::string executable;
  std::string venv_command;
  std::string venv_python;
  bool site_packages = false;
  std::vector<std::string> extra_args;
  std::string umask;
};

// pip's launcher script in a virtualenv whose path has a space quotes that path with double quotes, so a path
// with $, ` or \ would be expanded by sh when bin/pip3 runs; such a virtualenv's pip runs as `python -m pip`.
bool pip_via_python(const Options& o) { return o.venv.find_first_of("$`\"\\") != std::string::npos; }

// Finds pip into $p and defines runpip: the virtualenv's pip3 or pip, an executable, or pip3 on PATH.
std::string find_pip_script(const Options& o) {
  if (pip_via_python(o)) {
    return "p=\"$env/bin/python\"; [ -x \"$p\" ] || { echo @nopip; exit 0; }\n"
           "runpip() { \"$p\" -m pip \"$@\"; }\n";
  }
  std::string s;
  if (!o.venv.empty()) {
    s = "p=\"$env/bin/pip3\"; [ -x \"$p\" ] || p=\"$env/bin/pip\"\n"
        "[ -x \"$p\" ] || { echo @nopip; exit 0; }\n";
  } else if (!o.executable.empty() && o.executable[0] == '/') {
    s = "p=" + shell_quote(o.executable) + "\n";
  } else {
    std::string name = o.executable.empty() ? "pip3" : o.executable;
    s = "p=$(command -v " + shell_quote(name) + ") || { echo @nopip; exit 0; }\n";
  }
  return s + "runpip() { \"$p\" \"$@\"; }\n";
}

std::string preamble(const Options& o) {
  std::string s;
  if (!o.umask.empty()) s += "umask " + o.umask + "\n";
  s += "env=" + shell_quote(o.venv) + "\n";
  s += "cd " + shell_quote(o.chdir) + " || { echo @nochdir; exit 0; }\n";
  return s;
}

// Listing what is installed: `pip list --format=freeze`, or `pip freeze` for a pip too old for it.
constexpr const char* kFreeze =
    "{ PIP_DISABLE_PIP_VERSION_CHECK=1 LANG=C LC_ALL=C runpip list --format=freeze 2>/dev/null || "
    "PIP_DISABLE_PIP_VERSION_CHECK=1 runpip freeze 2>/dev/null; }";

// A virtualenv's packages without starting pip (half a second of imports): its python prints sys.path (a few ms),
// and grep reads the Name and Version headers of each *.dist-info/METADATA and *.egg-info there, which is where
// pip list finds them. A python that fails to start leaves it to pip.
constexpr const char* kVenvListing =
    "if pp=$(\"$env/bin/python\" -c 'import sys; print(\"\\n\".join(p for p in sys.path if p))' 2>/dev/null); then\n"
    "  echo @m; set -- /dev/null\n"
    "  while IFS= read -r d; do [ -d \"$d\" ] && "
    "set -- \"$@\" \"$d\"/*.dist-info/METADATA \"$d\"/*.egg-info/PKG-INFO \"$d\"/*.egg-info; done <<EOF\n"
    "$pp\n"
    "EOF\n"
    "  LC_ALL=C grep -s -m 2 -E '^(Name|Version): ' \"$@\" | sed 's/^/@m /'\n"
    "else\n";

std::string probe_script(const Options& o) {
  std::string s = preamble(o);
  if (!o.venv.empty()) s += "[ -f \"$env/bin/activate\" ] || { echo @novenv; exit 0; }\n";
  s += find_pip_script(o);
  s += "printf '@pip %s\\n' \"$p\"\n";
  if (o.venv.empty()) {
    s += std::string(kFreeze) + " | sed 's/^/@f /'\n";
  } else {
    s += std::string(kVenvListing) + "  " + kFreeze + " | sed 's/^/@f /'\nfi\n";
  }
  if (!o.requirements_file.empty()) {
    const std::string file = shell_quote(o.requirements_file);
    s += "[ -f " + file + " ] && [ -r " + file + " ] && { echo @r; sed 's/^/@r /' " + file + "; }\n";
  }
  return s;
}

std::string venv_words(const Options& o) {
  std::string command = o.venv_command;
  if (command.empty()) command = (o.venv_python.empty() ? "python3" : o.venv_python) + " -m venv";
  std::vector<std::string> words = util::shlex_split(command);
  if (o.site_packages) words.push_back("--system-site-packages");
  bool is_venv = command.find("-m venv") != std::string::npos || command.find("pyvenv") != std::string::npos;
  if (!is_venv) words.push_back("-p" + (o.venv_python.empty() ? std::string("python3") : o.venv_python));
  std::string out;
  for (const auto& w : words) out += shell_quote(w) + " ";
  return out;
}

// The pip command line after the pip executable, as a list (the result's cmd) of unquoted words.
std::vector<std::string> pip_words(const Options& o) {
  std::vector<std::string> words;
  if (o.state == "present") words = {"install"};
  if (o.state == "absent") words = {"uninstall", "-y"};
  if (o.state == "latest") words = {"install", "-U"};
  if (o.state == "forcereinstall") words = {"install", "-U", "--force-reinstall"};
  words.insert(words.end(), o.extra_args.begin(), o.extra_args.end());
  if (!o.requirements.empty()) {
    words.insert(words.end(), o.requirements.begin(), o.requirements.end());
  } else {
    words.insert(words.end(), {"-r", o.requirements_file});
  }
  return words;
}

// The work: the virtualenv when missing, pip, and the freeze listings around it when the change is judged by them.
// Prints @venv, @pipcmd, @fb/@fa freeze lines, @rc, then @out and pip's (and venv's) stdout, which must come last.
std::string work_script(const Options& o, bool create_venv, bool freeze_around, const std::vector<std::string>& words,
                        bool dry_run) {
  std::string s = preamble(o);
  s += "vo=\n";
  if (create_venv) {
    s += "if [ ! -f \"$env/bin/activate\" ]; then\n"
         "  echo @venv\n"
         "  vo=$(" +
         venv_words(o) +
         "\"$env\") || { rc=$?; echo @venvfail; printf '@rc %s\\n@out\\n%s' \"$rc\" \"$vo\"; "
         "exit 0; }\n"
         "fi\n";
  }
  s += find_pip_script(o);
  s += "printf '@pip %s\\n' \"$p\"\n";
  if (freeze_around) s += std::string(kFreeze) + " | sed 's/^/@fb /'\n";
  std::string args;
  for (const auto& w : words) args += " " + shell_quote(w);
  if (dry_run) args += " --dry-run --no-cache-dir";
  // pip --dry-run still unpacks into temporary folders: on tmpfs, check mode leaves the disk as it was.
  if (dry_run) s += "[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR\n";
  std::string path = o.venv.empty() ? "" : "PATH=\"$env/bin:$PATH\" ";
  s += "po=$(" + path + (dry_run ? "PIP_DISABLE_PIP_VERSION_CHECK=1 " : "") + "runpip" + args + ")\n";
  s += "rc=$?\n";
  if (freeze_around) s += std::string(kFreeze) + " | sed 's/^/@fa /'\n";
  s += "printf '@rc %s\\n@out\\n' \"$rc\"\n"
       "[ -n \"$vo\" ] && printf '%s\\n' \"$vo\"\n"
       "[ -n \"$po\" ] && printf '%s\\n' \"$po\"\n"
       "exit 0\n";
  return s;
}

// pip list --format=freeze's text from grep's header lines: "Name==Version" for each file that has both, in the
// order of canonical names, as pip sorts them. A name found twice is the first one's, as Python imports it.
std::string freeze_from_metadata(const std::vector<std::string>& lines) {
  struct Found {
    std::string file, name, version;
  };
  std::vector<Found> found;  // in the order of sys.path
  for (const std::string& line : lines) {
    for (const char* key : {":Name: ", ":Version: "}) {
      size_t at = line.find(key);
      if (at == std::string::npos) continue;
      std::string file = line.substr(0, at), value = line.substr(at + std::strlen(key));
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
      if (found.empty() || found.back().file != file) found.push_back({file, "", ""});
      (key[1] == 'N' ? found.back().name : found.back().version) = value;
      break;
    }
  }
  std::map<std::string, std::string> sorted;
  for (const Found& f : found) {
    if (!f.name.empty() && !f.version.empty())
      sorted.emplace(pep440::canonical_name(f.name), f.name + "==" + f.version);
  }
  std::string out;
  for (const auto& [key, line] : sorted) out += line + "\n";
  return out;
}

struct Reply {
  bool no_venv = false, no_pip = false, no_chdir = false, venv_created = false, venv_failed = false;
  std::string pip;
  std::string freeze, freeze_before, freeze_after;
  bool requirements_read = false;
  std::vector<std::string> requirement_lines;
  bool metadata_read = false;               // the virtualenv's listing came from metadata files, not pip
  std::vector<std::string> metadata_lines;  // "FILE:Name: x" and "FILE:Version: y", as grep prints them
  int rc = 0;
  std::string out;
};

Reply parse_reply(const std::string& text) {
  Reply r;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (line == "@out") {
      r.out = text.substr(pos);
      break;
    }
    if (line == "@novenv") r.no_venv = true;
    if (line == "@nopip") r.no_pip = true;
    if (line == "@nochdir") r.no_chdir = true;
    if (line == "@venv") r.venv_created = true;
    if (line == "@venvfail") r.venv_failed = true;
    if (line.rfind("@pip ", 0) == 0) r.pip = line.substr(5);
    if (line.rfind("@f ", 0) == 0) r.freeze += line.substr(3) + "\n";
    if (line == "@m") r.metadata_read = true;
    if (line.rfind("@m ", 0) == 0) r.metadata_lines.push_back(line.substr(3));
    if (line == "@r") r.requirements_read = true;
    if (line.rfind("@r ", 0) == 0) r.requirement_lines.push_back(line.substr(3));
    if (line.rfind("@fb ", 0) == 0) r.freeze_before += line.substr(4) + "\n";
    if (line.rfind("@fa ", 0) == 0) r.freeze_after += line.substr(4) + "\n";
    if (line.rfind("@rc ", 0) == 0) r.rc = std::atoi(line.c_str() + 4);
  }
  if (r.metadata_read) r.freeze = freeze_from_metadata(r.metadata_lines);
  return r;
}

// The requirements of a file when every line is a plain requirement (or blank, or a comment): options (-r, -e,
// --index-url), URLs, paths, extras and environment markers make pip the only judge, and give nothing.
std::optional<std::vector<pep440::Requirement>> plain_requirements(const std::vector<std::string>& lines) {
  std::vector<pep440::Requirement> reqs;
  for (std::string line : lines) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line.erase(0, start);
    if (line[0] == '-' || line.find_first_of(";@[\\") != std::string::npos) return std::nullopt;
    pep440::Requirement req = pep440::parse_requirement(line);
    if (!req.plain) return std::nullopt;
    reqs.push_back(std::move(req));
  }
  return reqs;
}

// Extra arguments after which pip would act on satisfied requirements too.
bool reinstalls(const std::vector<std::string>& extra_args) {
  for (const auto& word : extra_args) {
    if (word == "-U" || word == "--upgrade" || word == "--force-reinstall" || word == "-I" ||
        word == "--ignore-installed") {
      return true;
    }
  }
  return false;
}

struct PipArgs {
  std::string state;
  std::vector<std::string> names;
  std::string version, requirements, virtualenv;
  bool virtualenv_site_packages = false;
  std::string virtualenv_command, virtualenv_python, extra_args;
  bool editable = false;
  std::string chdir, executable, umask;

  static void describe(Schema<PipArgs>& s) {
    s.field("state", &PipArgs::state)
        .default_value("present")
        .choices({"present", "absent", "latest", "forcereinstall"});
    s.field("name", &PipArgs::names).elements(ArgType::Str);
    s.field("version", &PipArgs::version);
    s.field("requirements", &PipArgs::requirements);
    s.field("virtualenv", &PipArgs::virtualenv, ArgType::Path);
    s.field("virtualenv_site_packages", &PipArgs::virtualenv_site_packages).default_value(false);
    s.field("virtualenv_command", &PipArgs::virtualenv_command, ArgType::Path);
    s.field("virtualenv_python", &PipArgs::virtualenv_python);
    s.field("extra_args", &PipArgs::extra_args);
    s.field("editable", &PipArgs::editable).default_value(false);
    s.field("chdir", &PipArgs::chdir, ArgType::Path);
    s.field("executable", &PipArgs::executable, ArgType::Path);
    s.field("umask", &PipArgs::umask);
  }
};

std::vector<std::string> command_list(const Options& o, const std::string& pip, const std::vector<std::string>& words) {
  std::vector<std::string> cmd = {pip};
  if (pip_via_python(o)) cmd.insert(cmd.end(), {"-m", "pip"});
  cmd.insert(cmd.end(), words.begin(), words.end());
  return cmd;
}

Value nullable(const std::string& s) { return s.empty() ? Value(nullptr) : Value(s); }

Result pip_result(const Options& o, bool changed, const std::vector<std::string>& cmd, const std::string& out,
                  const std::string& err) {
  Value names = o.names.empty() ? Value(nullptr) : Value(o.names);
  return Value{{"changed", changed},
               {"cmd", cmd},
               {"name", names},
               {"version", nullable(o.version)},
               {"state", o.state},
               {"requirements", nullable(o.requirements_file)},
               {"virtualenv", nullable(o.venv)},
               {"stdout", out},
               {"stderr", err}};
}

Result pip_failure(const std::vector<std::string>& cmd, const std::string& out, const std::string& err) {
  std::string msg;
  if (!out.empty()) msg += "stdout: " + out;
  if (!err.empty()) msg += "\n:stderr: " + err;
  Result f = util::failed(msg);
  f["cmd"] = cmd;
  return f;
}

Value setup_failure(const Reply& r, const Options& o) {
  if (r.no_chdir) return util::failed("chdir " + o.chdir + " does not exist or cannot be entered");
  if (!r.no_pip) return nullptr;
  if (!o.venv.empty()) {
    return util::failed("Unable to find pip in the virtualenv, " + o.venv +
                        ", under any of these names: pip3, pip. Make sure pip is present in the virtualenv.");
  }
  std::string name = o.executable.empty() ? "pip3" : o.executable;
  return util::failed("Unable to find any of " + name + " to use.  pip needs to be installed.");
}

class PipRun : public Step {
 public:
  // A check run reads more: the probe always, and pip's own --dry-run where the controller cannot judge.
  PipRun(PipArgs args, const Context& ctx) : check_run_(ctx.check_mode), earlier_(ctx.check_mode ? ctx.plan : nullptr) {
    refusal_ = prepare(args);  // may throw shlex's "No closing quotation": the task's error when it runs
  }

  std::optional<Probe> query() override {
    if (!refusal_.empty()) return std::nullopt;
    if (reads_ == 0 && (compare_on_controller_ || requirements_on_controller_ || check_run_)) {
      return shell_read(probe_script(o_));
    }
    Plan ignored;
    if (reads_ == 1 && check_run_ && decide(earlier_, ignored).is_null()) {
      return shell_read(work_script(o_, false, false, words_, true));
    }
    return std::nullopt;
  }
  void parse(const conn::CommandResult& read) override {
    if (reads_++ == 0) {
      probe_ = parse_reply(read.out);
    } else {
      dry_run_ = read;
    }
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (!refusal_.empty()) {
      c.result = util::failed(refusal_);
      return c;
    }
    c.result = decide(plan, c.predicted);
    if (c.result.is_null()) {
      if (!dry_run_) {
        c.changed = true;  // pip decides, and acts
        c.result = Value::object();
        return c;
      }
      Reply d = parse_reply(dry_run_->out);
      bool changed = d.rc != 0 || d.out.find("Would install") != std::string::npos;
      c.result = Value{
          {"changed", changed}, {"cmd", command_list(o_, d.pip, words_)}, {"stdout", d.out}, {"stderr", dry_run_->err}};
    }
    c.changed = c.result["changed"] == true;
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    const bool freeze_around = !o_.requirements_file.empty() || has_vcs_;
    conn::CommandResult res = util::run(ctx, work_script(o_, !o_.venv.empty(), freeze_around, words_, false));
    Reply w = parse_reply(res.out);
    if (Result f = setup_failure(w, o_); !f.is_null()) return f;
    if (w.venv_failed) {
      std::vector<std::string> venv_cmd = util::shlex_split(venv_words(o_));
      venv_cmd.push_back(o_.venv);
      return pip_failure(venv_cmd, w.out, res.err);
    }
    std::vector<std::string> cmd = command_list(o_, w.pip, words_);
    std::string pip_out = w.out;
    if (w.rc != 0) {
      bool not_installed =
          pip_out.find("not installed") != std::string::npos || res.err.find("not installed") != std::string::npos;
      if (!(w.rc == 1 && o_.state == "absent" && not_installed)) return pip_failure(cmd, pip_out, res.err);
    }
    bool changed;
    if (o_.state == "absent") {
      changed = pip_out.find("Successfully uninstalled") != std::string::npos;
    } else if (freeze_around) {
      changed = w.freeze_before != w.freeze_after;
    } else {
      changed = pip_out.find("Successfully installed") != std::string::npos;
    }
    return pip_result(o_, changed || w.venv_created, cmd, pip_out, res.err);
  }

 private:
  // The options from the arguments; a message when they cannot work together.
  std::string prepare(const PipArgs& args) {
    Options& o = o_;
    o.state = args.state;
    o.names = args.names;
    o.version = args.version;
    o.requirements_file = args.requirements;
    o.chdir = args.chdir;
    o.venv = args.virtualenv;
    if (!o.venv.empty() && !o.chdir.empty() && o.venv[0] != '/') o.venv = o.chdir + "/" + o.venv;
    if (o.chdir.empty()) o.chdir = "/tmp";
    o.executable = args.executable;
    o.venv_command = args.virtualenv_command;
    o.venv_python = args.virtualenv_python;
    o.site_packages = args.virtualenv_site_packages;
    o.umask = args.umask;
    if (!o.umask.empty() && o.umask.find_first_not_of("01234567") != std::string::npos) {
      return "umask must be an octal integer";
    }
    if (o.state == "latest" && !o.version.empty()) return "version is incompatible with state=latest";
    if (!o.venv_python.empty() &&
        (o.venv_command.find("-m venv") != std::string::npos || o.venv_command.find("pyvenv") != std::string::npos)) {
      return "virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command";
    }

    std::vector<pep440::Requirement> reqs;
    if (!o.names.empty()) {
      for (const auto& n : o.names) {
        if (n.find("git+") == 0 || n.find("hg+") == 0 || n.find("svn+") == 0 || n.find("bzr+") == 0) has_vcs_ = true;
      }
      o.requirements = pep440::join_requirements(o.names);
      for (const auto& text : o.requirements) reqs.push_back(pep440::parse_requirement(text));
      if (!o.version.empty()) {
        if (reqs.size() > 1) {
          return "'version' argument is ambiguous when installing multiple package distributions. Please specify "
                 "version restrictions next to each package in 'name' argument.";
        }
        if (reqs[0].plain && !reqs[0].specs.empty()) {
          return "The 'version' argument conflicts with any version specifier provided along with a package name. "
                 "Please keep the version specifier, but remove the 'version' argument.";
        }
        std::string v = o.version.substr(std::min(o.version.find_first_not_of(' '), o.version.size()));
        o.requirements[0] += (std::isdigit(static_cast<unsigned char>(v[0])) ? "==" : " ") + v;
        reqs[0] = pep440::parse_requirement(o.requirements[0]);
      }
    }
    std::string extra = args.extra_args;
    if (args.editable) {
      // As Ansible: -e is added unless extra_args already has it as a word.
      std::vector<std::string> words;
      std::stringstream in(extra);
      for (std::string w; std::getline(in, w, ' ');) words.push_back(w);
      if (std::find(words.begin(), words.end(), "-e") == words.end()) extra = extra.empty() ? "-e" : extra + " -e";
    }
    o.extra_args = util::shlex_split(extra);

    words_ = pip_words(o);
    const bool all_plain = !reqs.empty() && std::all_of(reqs.begin(), reqs.end(), [](auto& r) { return r.plain; });
    compare_on_controller_ = all_plain && (o.state == "present" || o.state == "absent");
    requirements_on_controller_ = !o.requirements_file.empty() && o.state == "present" && !reinstalls(o.extra_args);
    reqs_ = std::move(reqs);
    return "";
  }

  // The result when what was read decides it (a converged rerun, a failure, check mode's answer without pip's dry
  // run); null when pip must run (a real run) or be asked (its dry run, in check mode).
  Result decide(const Plan* plan, Plan& predicted) const {
    const Options& o = o_;
    const Reply& probe = probe_;
    if (reads_ > 0) {
      // In check mode pip (or its virtualenv) may be what an earlier task planned to install.
      if (plan != nullptr && (probe.no_pip || probe.no_venv) &&
          (plan->packages.count("python3-pip") || plan->packages.count("python3-venv"))) {
        if (!o.venv.empty()) predicted.add_tree(o.venv);
        return Value{{"changed", true}};
      }
      if (Result f = setup_failure(probe, o); !f.is_null()) return f;
      // Everything waits for the virtualenv: Ansible's check mode says only that it would change.
      if (probe.no_venv && check_run_) {
        predicted.add_tree(o.venv);
        return Value{{"changed", true}};
      }
    }
    if (requirements_on_controller_ && !probe.no_venv && probe.requirements_read) {
      if (auto file_reqs = plain_requirements(probe.requirement_lines)) {
        std::map<std::string, std::string> installed = pep440::parse_freeze(probe.freeze);
        const bool satisfied = std::all_of(file_reqs->begin(), file_reqs->end(), [&](const pep440::Requirement& r) {
          auto it = installed.find(r.name);
          return it != installed.end() && r.satisfied_by(it->second);
        });
        if (satisfied) return pip_result(o, false, command_list(o, probe.pip, words_), "", "");
      }
    }
    if (compare_on_controller_ && !probe.no_venv) {
      std::map<std::string, std::string> installed = pep440::parse_freeze(probe.freeze);
      bool needed = false;
      for (const auto& req : reqs_) {
        auto it = installed.find(req.name);
        bool present = it != installed.end() && (o.state == "absent" || req.satisfied_by(it->second));
        if (o.state == "present" ? !present : present) needed = true;
      }
      if (check_run_) {
        std::string list_cmd = probe.pip + (pip_via_python(o) ? " -m pip" : "") + " list --format=freeze";
        return Value{{"changed", needed}, {"cmd", list_cmd}, {"stdout", probe.freeze}, {"stderr", ""}};
      }
      if (!needed) return pip_result(o, false, command_list(o, probe.pip, words_), "", "");
    } else if (check_run_ && o.state == "forcereinstall") {
      return Value{{"changed", true}};  // as Ansible's check mode
    }
    return nullptr;
  }

  bool check_run_;
  const Plan* earlier_;
  std::string refusal_;
  Options o_;
  std::vector<pep440::Requirement> reqs_;
  std::vector<std::string> words_;
  bool has_vcs_ = false, compare_on_controller_ = false, requirements_on_controller_ = false;
  int reads_ = 0;
  Reply probe_;
  std::optional<conn::CommandResult> dry_run_;
};

class PipModule : public TypedModule<PipArgs, PipRun> {
 public:
  PipModule() : TypedModule("pip") {
    spec_.required_one_of = {{"name", "requirements"}};
    spec_.mutually_exclusive = {{"name", "requirements"}, {"executable", "virtualenv"}};
  }
};

}  // namespace

const Module& pip_module() {
  static const PipModule module;
  return module;
}

}  // namespace prov::mod
