// git: a checkout of a repository at a version (HEAD, branch, tag or sha), as Ansible's git module keeps it.
// One probe reads the destination (repository or not, HEAD, branch, remote url, local modifications) and asks the
// remote with one `git ls-remote` what the version points to; a rerun that is already there stops after it. The
// work (clone, or fetch and switch, then submodules) is one more script (git_scripts.cc). Check mode answers from
// the probe.
#include "git.h"

#include <cctype>
#include <optional>
#include <sstream>

#include "git_scripts.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace git {

Probe parse_probe(const std::string& out) {
  Probe p;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '@') continue;
    size_t space = line.find(' ');
    std::string key = line.substr(1, space == std::string::npos ? std::string::npos : space - 1);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "nogit") {
      p.git_found = false;
      p.path_env = value;
    } else if (key == "dest") {
      p.dest_exists = true;
    } else if (key == "repo") {
      p.is_repo = true;
    } else if (key == "head") {
      p.head = value;
    } else if (key == "branch") {
      p.branch = value;
    } else if (key == "headbranch") {
      p.head_branch = value;
    } else if (key == "url") {
      p.url = value;
    } else if (key == "mods") {
      p.local_mods = true;
    } else if (key == "submodules") {
      p.has_submodules = true;
    } else if (key == "lsrc") {
      p.ls_remote_ran = true;
      p.ls_remote_rc = std::atoi(value.c_str());
    } else if (key == "ls") {
      // "<sha>\t<ref>" for a ref; anything else is a message from git or ssh.
      size_t tab = value.find('\t');
      bool is_ref = tab == 40;
      for (size_t i = 0; is_ref && i < tab; ++i) is_ref = std::isxdigit(static_cast<unsigned char>(value[i])) != 0;
      if (is_ref) {
        p.refs[value.substr(tab + 1)] = value.substr(0, tab);
      } else if (!value.empty()) {
        p.ls_remote_err += (p.ls_remote_err.empty() ? "" : "\n") + value;
      }
    }
  }
  return p;
}

std::string version_kind(const Probe& probe, const std::string& version) {
  if (version == "HEAD") return "HEAD";
  if (probe.refs.count("refs/heads/" + version)) return "branch";
  if (probe.refs.count("refs/tags/" + version)) return "tag";
  return "sha";
}

std::string remote_sha(const Probe& probe, const std::string& version, bool cloning) {
  auto ref = [&](const std::string& name) {
    auto it = probe.refs.find(name);
    return it == probe.refs.end() ? std::string() : it->second;
  };
  std::string kind = version_kind(probe, version);
  if (kind == "HEAD") return cloning ? ref("HEAD") : ref("refs/heads/" + probe.head_branch);
  if (kind == "branch") return ref("refs/heads/" + version);
  if (kind == "tag") {
    std::string peeled = ref("refs/tags/" + version + "^{}");
    return peeled.empty() ? ref("refs/tags/" + version) : peeled;
  }
  return version;
}

bool same_url(const std::string& a, const std::string& b) {
  auto norm = [](std::string u) {
    if (!u.empty() && u[0] == '/') u = "file://" + u;
    while (u.size() > 1 && u.back() == '/') u.pop_back();
    return u;
  };
  return norm(a) == norm(b);
}

}  // namespace git

namespace {

using conn::shell_quote;
using git::detail::clone_script;
using git::detail::Options;
using git::detail::preamble;
using git::detail::probe_script;
using git::detail::update_script;

// What the work script reported.
struct Outcome {
  std::string after;
  bool submodules_changed = false;
  std::string fail_id, fail_arg;
  int fail_rc = 0;
  std::string step_output;  // what the failing step printed
  bool has_diff = false;
  int diff_rc = 0;
  std::string diff;
};

Outcome parse_outcome(const conn::CommandResult& res) {
  Outcome o;
  const std::string& out = res.out;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    std::string line = out.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? out.size() : eol + 1;
    if (line == "@diff") {
      o.has_diff = true;
      o.diff = out.substr(pos);
      if (!o.diff.empty()) o.diff += "\n";  // the command substitution dropped git's last newline
      break;
    }
    if (line.rfind("@after ", 0) == 0) o.after = line.substr(7);
    if (line == "@subchanged") o.submodules_changed = true;
    if (line.rfind("@diffrc ", 0) == 0) o.diff_rc = std::atoi(line.c_str() + 8);
    if (line.rfind("@fail ", 0) == 0) {
      std::istringstream words(line.substr(6));
      words >> o.fail_id >> o.fail_rc;
      std::getline(words >> std::ws, o.fail_arg);
    }
  }
  if (!o.fail_id.empty()) {
    size_t at = res.err.rfind("@step ");
    if (at != std::string::npos) {
      size_t eol = res.err.find('\n', at);
      o.step_output = eol == std::string::npos ? "" : res.err.substr(eol + 1);
    } else {
      o.step_output = res.err;
    }
    while (!o.step_output.empty() && (o.step_output.back() == '\n' || o.step_output.back() == ' ')) {
      o.step_output.pop_back();
    }
  }
  return o;
}

std::string failure_message(const Outcome& oc, const Options& o) {
  const std::string& out = oc.step_output;
  if (oc.fail_id == "fetch") return "Failed to download remote objects and refs: " + out;
  if (oc.fail_id == "seturl") return "Failed to set a new url " + o.url + " for " + o.remote + ": " + out;
  if (oc.fail_id == "fetch_branch") return "Failed to fetch branch from remote: " + o.version;
  if (oc.fail_id == "checkout_branch") return "Failed to checkout branch " + oc.fail_arg;
  if (oc.fail_id == "checkout") return "Failed to checkout " + o.version;
  if (oc.fail_id == "submodules") return "Failed to init/update submodules: " + out;
  if (oc.fail_id == "cd") return "Failed to enter " + o.dest;
  return out;  // clone, reset, remote, refspec: git's own message, as Ansible's run_command(check_rc) gives it
}

Value prepared_diff(const std::string& before, const std::string& after, int rc, const std::string& text) {
  if (before.empty()) return Value{{"prepared", ">> Newly checked out " + after}};
  if (rc == 0 && !text.empty()) return Value{{"prepared", text}};
  if (rc == 0) return Value{{"prepared", ">> No visual differences between " + before + " and " + after}};
  std::string err = text;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  if (!err.empty()) {
    return Value{{"prepared", ">> Failed to get proper diff between " + before + " and " + after + ":\n>> " + err}};
  }
  return Value{{"prepared", ">> Failed to get proper diff between " + before + " and " + after}};
}

struct GitArgs {
  std::string repo, dest, version, remote, refspec, reference;
  bool force = false;
  std::optional<long long> depth;
  bool clone = true, update = true, verify_commit = false;
  std::vector<std::string> gpg_whitelist;
  bool accept_hostkey = false, accept_newhostkey = false;
  std::string key_file, ssh_opts, executable;
  bool bare = false, recursive = true, single_branch = false, track_submodules = false;
  Value umask;
  std::string archive, archive_prefix, separate_git_dir;

  static void describe(Schema<GitArgs>& s) {
    s.field("repo", &GitArgs::repo).required().aliases({"name"});
    s.field("dest", &GitArgs::dest, ArgType::Path);
    s.field("version", &GitArgs::version).default_value("HEAD");
    s.field("remote", &GitArgs::remote).default_value("origin");
    s.field("refspec", &GitArgs::refspec);
    s.field("reference", &GitArgs::reference);
    s.field("force", &GitArgs::force).default_value(false);
    s.field("depth", &GitArgs::depth);
    s.field("clone", &GitArgs::clone).default_value(true);
    s.field("update", &GitArgs::update).default_value(true);
    s.field("verify_commit", &GitArgs::verify_commit).default_value(false);
    s.field("gpg_whitelist", &GitArgs::gpg_whitelist).elements(ArgType::Str).default_value(Value::array());
    s.field("accept_hostkey", &GitArgs::accept_hostkey).default_value(false);
    s.field("accept_newhostkey", &GitArgs::accept_newhostkey).default_value(false);
    s.field("key_file", &GitArgs::key_file, ArgType::Path);
    s.field("ssh_opts", &GitArgs::ssh_opts);
    s.field("executable", &GitArgs::executable, ArgType::Path);
    s.field("bare", &GitArgs::bare).default_value(false);
    s.field("recursive", &GitArgs::recursive).default_value(true);
    s.field("single_branch", &GitArgs::single_branch).default_value(false);
    s.field("track_submodules", &GitArgs::track_submodules).default_value(false);
    s.field("umask", &GitArgs::umask, ArgType::Raw);
    s.field("archive", &GitArgs::archive, ArgType::Path);
    s.field("archive_prefix", &GitArgs::archive_prefix);
    s.field("separate_git_dir", &GitArgs::separate_git_dir, ArgType::Path);
  }
};

// GIT_SSH_COMMAND as Ansible builds it (batch mode, host key and identity options). git hands it to sh, so every
// word is quoted: ssh_opts is split like a command line and cannot run anything.
std::string ssh_command(const GitArgs& args) {
  std::string opts = args.ssh_opts;
  auto add_hostkey = [&](const std::string& value) {
    if (opts.find("StrictHostKeyChecking=no") == std::string::npos &&
        opts.find("StrictHostKeyChecking=accept-new") == std::string::npos) {
      opts += " -o StrictHostKeyChecking=" + value;
    }
  };
  if (args.accept_hostkey) add_hostkey("no");
  if (args.accept_newhostkey) add_hostkey("accept-new");
  std::vector<std::string> words = util::shlex_split(opts);
  if (opts.find("BatchMode=yes") == std::string::npos) words.insert(words.end(), {"-o", "BatchMode=yes"});
  if (!args.key_file.empty()) {
    words.insert(words.end(), {"-i", args.key_file});
    if (opts.find("IdentitiesOnly=yes") == std::string::npos) words.insert(words.end(), {"-o", "IdentitiesOnly=yes"});
  }
  std::string command = "ssh";
  for (const auto& w : words) command += " " + shell_quote(w);
  return command;
}

Result ls_remote_failure(const git::Probe& probe, const Options& o) {
  Result f = util::failed(probe.ls_remote_err.empty() ? "Could not determine remote revision for " + o.version
                                                      : probe.ls_remote_err);
  f["rc"] = probe.ls_remote_rc;
  return f;
}

Result failure(const Outcome& oc, const Options& o) {
  Result f = util::failed(failure_message(oc, o));
  f["rc"] = oc.fail_rc;
  f["stderr"] = oc.step_output;
  return f;
}

Result finish(Result r, const std::vector<std::string>& warnings) {
  if (!warnings.empty()) r["warnings"] = warnings;
  return r;
}

class GitRun : public Step {
 public:
  // A check run with --diff reads the diff between HEAD and the remote's sha; a real one with --diff has the work
  // script print it.
  GitRun(GitArgs args, const Context& ctx) : check_run_(ctx.check_mode), show_diff_(ctx.diff_mode) {
    refusal_ = prepare(args);  // may throw shlex's "No closing quotation": the task's error when it runs
  }

  std::optional<Probe> query() override {
    if (!refusal_.empty()) return std::nullopt;
    // Reading must not write: git status would otherwise refresh the index (check mode leaves the host as it was).
    if (reads_ == 0) return shell_read(exports(true) + probe_script(o_));
    if (reads_ > 1 || !show_diff_ || !check_run_ || !probe_.git_found || probe_rc_ != 0 || !probe_.is_repo) {
      return std::nullopt;
    }
    Result r;
    std::string sha;
    if (!read_decides(r) || !check_decides(sha).is_null() || probe_.head == sha) return std::nullopt;
    return shell_read(exports(true) + preamble(o_) + "cd \"$d\" && \"$g\" diff " + shell_quote(probe_.head) + " " +
                      shell_quote(sha) + " 2>&1");
  }

  void parse(const conn::CommandResult& read) override {
    if (reads_++ > 0) {
      diff_read_ = read;
      return;
    }
    probe_ = git::parse_probe(read.out);
    probe_rc_ = read.rc;
    probe_err_ = read.err;
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    if (!refusal_.empty()) {
      c.result = util::failed(refusal_);
      return c;
    }
    if (!probe_.git_found) {
      // In check mode an earlier task may have planned to install git: predict a clone instead of failing.
      if (plan != nullptr && plan->packages.count("git") && !o_.dest.empty()) {
        c.predicted.add_tree(o_.dest);
        c.changed = true;
        c.result = Value{{"changed", true}, {"before", nullptr}, {"after", nullptr}};
        return c;
      }
      c.result = util::failed("Failed to find required executable \"" + o_.git + "\" in paths: " + probe_.path_env);
      return c;
    }
    if (probe_rc_ != 0) {
      c.result = util::failed("git probe failed: " + probe_err_);
      return c;
    }
    const bool cloning = !probe_.is_repo;
    if (cloning && !check_run_ && o_.clone) {
      c.changed = true;  // the clone
      return c;
    }
    Result r = {{"changed", false}, {"before", nullptr}};
    if (!cloning && !read_decides(r)) {
      c.result = std::move(r);
      return c;
    }
    std::string sha;
    if (Result f = check_decides(sha); !f.is_null()) {
      c.result = std::move(f);
      return c;
    }
    if (cloning) {
      r["changed"] = true;
      r["after"] = sha;
      c.diff = prepared_diff("", sha, 0, "");
      if (!o_.dest.empty()) c.predicted.add_tree(o_.dest);
      c.changed = check_run_;  // clone=no reports the clone it would make, and makes none
    } else if (check_run_) {
      // Unlike Ansible, local modifications that force would discard count as a change.
      r["changed"] = probe_.head != sha || url_changed() || probe_.local_mods;
      r["after"] = sha;
      if (diff_read_) c.diff = prepared_diff(probe_.head, sha, diff_read_->rc, diff_read_->out);
      c.changed = r["changed"] == true;
    } else if (converged()) {
      r["after"] = probe_.head;
    } else {
      c.changed = true;  // the fetch and switch decide
      return c;
    }
    c.result = std::move(r);
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    std::vector<std::string> warnings;
    const std::string kind = git::version_kind(probe_, o_.version);
    Result r = {{"changed", false}, {"before", nullptr}};
    if (!probe_.is_repo) {
      Outcome oc = parse_outcome(run(ctx, clone_script(o_, kind, warnings)));
      if (!oc.fail_id.empty()) return failure(oc, o_);
      r["changed"] = true;
      r["after"] = oc.after;
      if (oc.submodules_changed) r["submodules_changed"] = true;
      if (show_diff_) r["diff"] = prepared_diff("", oc.after, 0, "");
      return finish(r, warnings);
    }
    read_decides(r);
    const bool url_changed = this->url_changed();
    Outcome oc = parse_outcome(run(ctx, update_script(o_, probe_, kind, probe_.local_mods, url_changed, show_diff_)));
    if (!oc.fail_id.empty()) return failure(oc, o_);
    r["after"] = oc.after;
    if (oc.submodules_changed) r["submodules_changed"] = true;
    bool changed = probe_.head != oc.after || probe_.local_mods || oc.submodules_changed || url_changed;
    r["changed"] = changed;
    if (changed && show_diff_ && oc.has_diff) {
      r["diff"] = prepared_diff(probe_.head, oc.after, oc.diff_rc, oc.diff);
    }
    return finish(r, warnings);
  }

 private:
  // The options and the environment git runs in; a message when the arguments cannot work.
  std::string prepare(const GitArgs& args) {
    Options& o = o_;
    o.repo = args.repo;
    o.url = !o.repo.empty() && o.repo[0] == '/' ? "file://" + o.repo : o.repo;
    o.dest = args.dest;
    o.version = args.version;
    o.remote = args.remote;
    o.refspec = args.refspec;
    o.reference = args.reference;
    if (!args.executable.empty()) o.git = args.executable;
    o.force = args.force;
    o.update = args.update;
    o.clone = args.clone;
    o.bare = args.bare;
    o.single_branch = args.single_branch;
    o.recursive = args.recursive;
    o.track_submodules = args.track_submodules;
    if (args.depth) o.depth = *args.depth;

    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"archive", &args.archive},
                                      {"separate_git_dir", &args.separate_git_dir},
                                      {"archive_prefix", &args.archive_prefix}}) {
      if (!value->empty()) return std::string("provision's git does not support ") + name + " yet";
    }
    if (args.verify_commit) return "provision's git does not support verify_commit yet";
    if (!args.umask.is_null()) {
      if (!args.umask.is_string()) return "umask must be defined as a quoted octal integer";
      o.umask = args.umask.get<std::string>();
      if (o.umask.empty() || o.umask.find_first_not_of("01234567") != std::string::npos) {
        return "umask must be an octal integer";
      }
    }
    if (o.dest.empty() && o.clone) return "the destination directory must be specified unless clone=no";
    if (!o.version.empty() && o.version[0] == '-') return "version must not start with '-': " + o.version;
    if (!o.remote.empty() && o.remote[0] == '-') return "remote must not start with '-': " + o.remote;

    env_["LANG"] = "C";
    env_["LC_ALL"] = "C";
    env_["LC_MESSAGES"] = "C";
    env_["GIT_SSH_COMMAND"] = ssh_command(args);
    env_["GIT_TERMINAL_PROMPT"] = "0";  // an https remote that wants a password fails instead of waiting
    return "";
  }

  // git's environment for a read, exported ahead of the command (a read is sent with the task's environment only).
  std::string exports(bool reading) const {
    std::map<std::string, std::string> env = env_;
    if (reading) env["GIT_OPTIONAL_LOCKS"] = "0";
    std::string out;
    for (const auto& [name, value] : env) out += "export " + name + "=" + shell_quote(value) + "; ";
    return out;
  }

  conn::CommandResult run(const Context& ctx, const std::string& script) const {
    conn::RunOptions options;
    options.env = ctx.env;
    for (const auto& [name, value] : env_) options.env[name] = value;
    options.become = ctx.become;
    return ctx.conn->run(script, options);
  }

  bool url_changed() const { return !probe_.url.empty() ? !git::same_url(probe_.url, o_.url) : true; }

  // An existing repository: fills the keys every answer has; false when that answer is already r (no update,
  // or local modifications without force).
  bool read_decides(Result& r) const {
    r["before"] = probe_.head;
    if (!o_.update) {
      r["after"] = probe_.head;
      return false;
    }
    if (probe_.local_mods) {
      if (!o_.force) {
        r = util::failed("Local modifications exist in the destination: " + o_.dest + " (force=no).");
        r["before"] = probe_.head;
        return false;
      }
      r["msg"] = "Local modifications exist in the destination: " + o_.dest;
    }
    r["remote_url_changed"] = url_changed();
    return true;
  }

  // The remote's sha for the version, as check mode and clone=no report it; a failure when it is not known.
  Result check_decides(std::string& sha) const {
    const bool cloning = !probe_.is_repo;
    if (!cloning && !check_run_) return nullptr;
    if (!(probe_.ls_remote_ran && probe_.ls_remote_rc == 0)) return ls_remote_failure(probe_, o_);
    sha = git::remote_sha(probe_, o_.version, cloning);
    if (sha.empty()) return util::failed("Could not determine remote revision for " + o_.version);
    return nullptr;
  }

  // Already at the remote's sha, on the right branch, clean: nothing to fetch (Ansible fetches and finds the same).
  bool converged() const {
    const bool ls_ok = probe_.ls_remote_ran && probe_.ls_remote_rc == 0;
    if (!ls_ok || probe_.local_mods || url_changed() || !o_.refspec.empty() ||
        (o_.recursive && probe_.has_submodules) || probe_.head.empty()) {
      return false;
    }
    const std::string kind = git::version_kind(probe_, o_.version);
    std::string sha = git::remote_sha(probe_, o_.version, false);
    bool at_sha = kind == "sha" ? probe_.head.rfind(o_.version, 0) == 0 && o_.version.size() >= 7 : probe_.head == sha;
    bool on_branch = kind == "HEAD"     ? probe_.branch == probe_.head_branch && !probe_.branch.empty()
                     : kind == "branch" ? probe_.branch == o_.version
                                        : true;
    return at_sha && (on_branch || o_.bare);
  }

  bool check_run_, show_diff_;
  std::string refusal_;
  Options o_;
  std::map<std::string, std::string> env_;
  int reads_ = 0;
  git::Probe probe_;
  int probe_rc_ = 0;
  std::string probe_err_;
  std::optional<conn::CommandResult> diff_read_;
};

class GitModule : public TypedModule<GitArgs, GitRun> {
 public:
  GitModule() : TypedModule("git") {
    spec_.mutually_exclusive = {{"separate_git_dir", "bare"}, {"accept_hostkey", "accept_newhostkey"}};
  }
};

}  // namespace

const Module& git_module() {
  static const GitModule module;
  return module;
}

}  // namespace prov::mod
