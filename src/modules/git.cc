// git: a checkout of a repository at a version (HEAD, branch, tag or sha), as Ansible's git module keeps it.
// One probe reads the destination (repository or not, HEAD, branch, remote url, local modifications) and asks the
// remote with one `git ls-remote` what the version points to; a rerun that is already there stops after it. The
// work (clone, or fetch and switch, then submodules) is one more script (git_scripts.cc). Check mode answers from
// the probe.
#include "git.h"

#include <cctype>
#include <sstream>

#include "provision/modules/module.h"
#include "git_scripts.h"
#include "util.h"

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

class GitModule : public Module {
 public:
  GitModule() {
    using util::arg;
    spec_.name = "git";
    spec_.args = {
        arg("repo").required().aliases({"name"}),
        arg("dest", ArgType::Path),
        arg("version").default_value("HEAD"),
        arg("remote").default_value("origin"),
        arg("refspec"),
        arg("reference"),
        arg("force", ArgType::Bool).default_value(false),
        arg("depth", ArgType::Int),
        arg("clone", ArgType::Bool).default_value(true),
        arg("update", ArgType::Bool).default_value(true),
        arg("verify_commit", ArgType::Bool).default_value(false),
        arg("gpg_whitelist", ArgType::List).elements(ArgType::Str).default_value(Value::array()),
        arg("accept_hostkey", ArgType::Bool).default_value(false),
        arg("accept_newhostkey", ArgType::Bool).default_value(false),
        arg("key_file", ArgType::Path),
        arg("ssh_opts"),
        arg("executable", ArgType::Path),
        arg("bare", ArgType::Bool).default_value(false),
        arg("recursive", ArgType::Bool).default_value(true),
        arg("single_branch", ArgType::Bool).default_value(false),
        arg("track_submodules", ArgType::Bool).default_value(false),
        arg("umask", ArgType::Raw),
        arg("archive", ArgType::Path),
        arg("archive_prefix"),
        arg("separate_git_dir", ArgType::Path),
    };
    spec_.mutually_exclusive = {{"separate_git_dir", "bare"}, {"accept_hostkey", "accept_newhostkey"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    Options o;
    o.repo = util::str(args, "repo");
    o.url = !o.repo.empty() && o.repo[0] == '/' ? "file://" + o.repo : o.repo;
    o.dest = util::str(args, "dest");
    o.version = util::str(args, "version");
    o.remote = util::str(args, "remote");
    o.refspec = util::str(args, "refspec");
    o.reference = util::str(args, "reference");
    if (!util::str(args, "executable").empty()) o.git = util::str(args, "executable");
    o.force = util::flag(args, "force");
    o.update = util::flag(args, "update");
    o.clone = util::flag(args, "clone");
    o.bare = util::flag(args, "bare");
    o.single_branch = util::flag(args, "single_branch");
    o.recursive = util::flag(args, "recursive");
    o.track_submodules = util::flag(args, "track_submodules");
    if (const Value* depth = find_key(args, "depth"); depth != nullptr && depth->is_number_integer()) {
      o.depth = depth->get<long long>();
    }

    for (const char* unsupported : {"archive", "separate_git_dir", "archive_prefix"}) {
      if (!util::str(args, unsupported).empty()) {
        return util::failed(std::string("provision's git does not support ") + unsupported + " yet");
      }
    }
    if (util::flag(args, "verify_commit")) return util::failed("provision's git does not support verify_commit yet");
    if (const Value* umask = find_key(args, "umask"); umask != nullptr && !umask->is_null()) {
      if (!umask->is_string()) return util::failed("umask must be defined as a quoted octal integer");
      o.umask = umask->get<std::string>();
      if (o.umask.empty() || o.umask.find_first_not_of("01234567") != std::string::npos) {
        return util::failed("umask must be an octal integer");
      }
    }
    if (o.dest.empty() && o.clone) return util::failed("the destination directory must be specified unless clone=no");
    if (!o.version.empty() && o.version[0] == '-') return util::failed("version must not start with '-': " + o.version);
    if (!o.remote.empty() && o.remote[0] == '-') return util::failed("remote must not start with '-': " + o.remote);

    std::map<std::string, std::string> env = ctx.env;
    env["LANG"] = "C";
    env["LC_ALL"] = "C";
    env["LC_MESSAGES"] = "C";
    env["GIT_SSH_COMMAND"] = ssh_command(args);
    env["GIT_TERMINAL_PROMPT"] = "0";  // an https remote that wants a password fails instead of waiting

    // Reading must not write: git status would otherwise refresh the index (check mode leaves the host as it was).
    std::map<std::string, std::string> probe_env = env;
    probe_env["GIT_OPTIONAL_LOCKS"] = "0";
    conn::CommandResult pr = run(ctx, probe_script(o), probe_env);
    git::Probe probe = git::parse_probe(pr.out);
    if (!probe.git_found) {
      // In check mode an earlier task may have planned to install git: predict a clone instead of failing.
      if (ctx.check_mode && ctx.plan != nullptr && ctx.plan->packages.count("git") && !o.dest.empty()) {
        ctx.plan->paths.insert(o.dest);
        return Value{{"changed", true}, {"before", nullptr}, {"after", nullptr}};
      }
      return util::failed("Failed to find required executable \"" + o.git + "\" in paths: " + probe.path_env);
    }
    if (pr.rc != 0) return util::failed("git probe failed: " + pr.err);

    Result r = {{"changed", false}, {"before", nullptr}};
    std::vector<std::string> warnings;
    const bool cloning = !probe.is_repo;
    const std::string kind = git::version_kind(probe, o.version);
    const bool ls_ok = probe.ls_remote_ran && probe.ls_remote_rc == 0;

    if (cloning) {
      if (ctx.check_mode || !o.clone) {
        if (!ls_ok) return ls_remote_failure(probe, o);
        std::string sha = git::remote_sha(probe, o.version, true);
        if (sha.empty()) return util::failed("Could not determine remote revision for " + o.version);
        r["changed"] = true;
        r["after"] = sha;
        if (ctx.diff_mode) r["diff"] = prepared_diff("", sha, 0, "");
        if (ctx.check_mode && ctx.plan != nullptr && !o.dest.empty()) ctx.plan->paths.insert(o.dest);
        return r;
      }
      Outcome oc = parse_outcome(run(ctx, clone_script(o, kind, warnings), env));
      if (!oc.fail_id.empty()) return failure(oc, o);
      r["changed"] = true;
      r["after"] = oc.after;
      if (oc.submodules_changed) r["submodules_changed"] = true;
      if (ctx.diff_mode) r["diff"] = prepared_diff("", oc.after, 0, "");
      return finish(r, warnings);
    }

    r["before"] = probe.head;
    if (!o.update) {
      r["after"] = probe.head;
      return r;
    }
    if (probe.local_mods) {
      if (!o.force) {
        Result f = util::failed("Local modifications exist in the destination: " + o.dest + " (force=no).");
        f["before"] = probe.head;
        return f;
      }
      r["msg"] = "Local modifications exist in the destination: " + o.dest;
    }
    const bool url_changed = !probe.url.empty() ? !git::same_url(probe.url, o.url) : true;
    r["remote_url_changed"] = url_changed;

    if (ctx.check_mode) {
      if (!ls_ok) return ls_remote_failure(probe, o);
      std::string sha = git::remote_sha(probe, o.version, false);
      if (sha.empty()) return util::failed("Could not determine remote revision for " + o.version);
      // Unlike Ansible, local modifications that force would discard count as a change.
      bool changed = probe.head != sha || url_changed || probe.local_mods;
      r["changed"] = changed;
      r["after"] = sha;
      if (ctx.diff_mode && probe.head != sha) {
        conn::CommandResult d = run(
            ctx, preamble(o) + "cd \"$d\" && \"$g\" diff " + shell_quote(probe.head) + " " + shell_quote(sha) + " 2>&1",
            probe_env);
        r["diff"] = prepared_diff(probe.head, sha, d.rc, d.out);
      }
      return r;
    }

    // Already at the remote's sha, on the right branch, clean: nothing to fetch (Ansible fetches and finds the same).
    if (ls_ok && !probe.local_mods && !url_changed && o.refspec.empty() && !(o.recursive && probe.has_submodules) &&
        !probe.head.empty()) {
      std::string sha = git::remote_sha(probe, o.version, false);
      bool at_sha = kind == "sha" ? probe.head.rfind(o.version, 0) == 0 && o.version.size() >= 7 : probe.head == sha;
      bool on_branch = kind == "HEAD"     ? probe.branch == probe.head_branch && !probe.branch.empty()
                       : kind == "branch" ? probe.branch == o.version
                                          : true;
      if (at_sha && (on_branch || o.bare)) {
        r["after"] = probe.head;
        return r;
      }
    }

    Outcome oc =
        parse_outcome(run(ctx, update_script(o, probe, kind, probe.local_mods, url_changed, ctx.diff_mode), env));
    if (!oc.fail_id.empty()) return failure(oc, o);
    r["after"] = oc.after;
    if (oc.submodules_changed) r["submodules_changed"] = true;
    bool changed = probe.head != oc.after || probe.local_mods || oc.submodules_changed || url_changed;
    r["changed"] = changed;
    if (changed && ctx.diff_mode && oc.has_diff) r["diff"] = prepared_diff(probe.head, oc.after, oc.diff_rc, oc.diff);
    return finish(r, warnings);
  }

 private:
  static conn::CommandResult run(const Context& ctx, const std::string& script,
                                 const std::map<std::string, std::string>& env) {
    conn::RunOptions options;
    options.env = env;
    options.become = ctx.become;
    return ctx.conn->run(script, options);
  }

  // GIT_SSH_COMMAND as Ansible builds it (batch mode, host key and identity options). git hands it to sh, so
  // every word is quoted: ssh_opts is split like a command line and cannot run anything.
  static std::string ssh_command(const Value& args) {
    std::string opts = util::str(args, "ssh_opts");
    auto add_hostkey = [&](const std::string& value) {
      if (opts.find("StrictHostKeyChecking=no") == std::string::npos &&
          opts.find("StrictHostKeyChecking=accept-new") == std::string::npos) {
        opts += " -o StrictHostKeyChecking=" + value;
      }
    };
    if (util::flag(args, "accept_hostkey")) add_hostkey("no");
    if (util::flag(args, "accept_newhostkey")) add_hostkey("accept-new");
    std::vector<std::string> words = util::shlex_split(opts);
    if (opts.find("BatchMode=yes") == std::string::npos) words.insert(words.end(), {"-o", "BatchMode=yes"});
    std::string key = util::str(args, "key_file");
    if (!key.empty()) {
      words.insert(words.end(), {"-i", key});
      if (opts.find("IdentitiesOnly=yes") == std::string::npos) words.insert(words.end(), {"-o", "IdentitiesOnly=yes"});
    }
    std::string command = "ssh";
    for (const auto& w : words) command += " " + shell_quote(w);
    return command;
  }

  static Result ls_remote_failure(const git::Probe& probe, const Options& o) {
    Result f = util::failed(probe.ls_remote_err.empty() ? "Could not determine remote revision for " + o.version
                                                        : probe.ls_remote_err);
    f["rc"] = probe.ls_remote_rc;
    return f;
  }

  static Result failure(const Outcome& oc, const Options& o) {
    Result f = util::failed(failure_message(oc, o));
    f["rc"] = oc.fail_rc;
    f["stderr"] = oc.step_output;
    return f;
  }

  static Result finish(Result r, const std::vector<std::string>& warnings) {
    if (!warnings.empty()) r["warnings"] = warnings;
    return r;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& git_module() {
  static const GitModule module;
  return module;
}

}  // namespace prov::mod
