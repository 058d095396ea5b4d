// git: a checkout of a repository at a version (HEAD, branch, tag or sha), as Ansible's git module keeps it.
// One probe reads the destination (repository or not, HEAD, branch, remote url, local modifications) and asks the
// remote with one `git ls-remote` what the version points to; a rerun that is already there stops after it. The
// work (clone, or fetch and switch, then submodules) is one more script. Check mode answers from the probe.
#include "git.h"

#include <cctype>
#include <sstream>

#include "builtin.h"
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

struct Options {
  std::string git = "git";
  std::string repo;  // as given
  std::string url;   // repo, with an absolute path written as a file:// url (depth needs a protocol)
  std::string dest;
  std::string version;
  std::string remote;
  std::string refspec;
  std::string reference;
  std::string umask;
  long long depth = 0;
  bool force = false, update = true, clone = true, bare = false, single_branch = false, recursive = true,
       track_submodules = false;
};

// Variables every script starts with; the values only ever reach the shell through these assignments.
std::string preamble(const Options& o) {
  std::string s;
  if (!o.umask.empty()) s += "umask " + o.umask + "\n";
  s += "g=" + shell_quote(o.git) + "; d=" + shell_quote(o.dest) + "; u=" + shell_quote(o.url) +
       "; r=" + shell_quote(o.remote) + "; v=" + shell_quote(o.version) + "\n";
  return s;
}

// With update=no an existing checkout is left as it is, so the remote is asked only when there is none.
std::string probe_script(const Options& o) {
  std::string s = preamble(o);
  s += "if ! command -v \"$g\" >/dev/null 2>&1; then printf '@nogit %s\\n' \"$PATH\"; exit 0; fi\n";
  s += "b=; isrepo=\n";
  if (!o.dest.empty()) {
    s += "[ -d \"$d\" ] && echo @dest\n";
    s += o.bare ? "gd=\"$d\"\n" : "gd=\"$d/.git\"\n";
    // A .git file points to the repository elsewhere (submodules, separate git dirs).
    s += "if [ -f \"$gd\" ]; then gd=$(sed -n 's/^gitdir: //p' \"$gd\"); case $gd in /*) ;; *) gd=\"$d/$gd\";; esac; "
         "fi\n";
    // One git program gives HEAD's commit and branch ("HEAD" when detached); an unborn branch fails it and takes
    // the two separate questions. Branch names hold no spaces, so the words split safely.
    s += "if [ -f \"$gd/config\" ] && cd \"$d\" 2>/dev/null; then\n"
         "  echo @repo; isrepo=1\n"
         "  set -f; set -- $(\"$g\" rev-parse HEAD --abbrev-ref HEAD 2>/dev/null); set +f\n"
         "  if [ $# -eq 2 ]; then h=$1; b=$2; [ \"$b\" = HEAD ] && b=\n"
         "  else h=$(\"$g\" rev-parse --verify -q HEAD 2>/dev/null); "
         "b=$(\"$g\" symbolic-ref -q --short HEAD 2>/dev/null); fi\n"
         "  printf '@head %s\\n' \"$h\"\n"
         "  printf '@branch %s\\n' \"$b\"\n"
         "  if [ -z \"$b\" ]; then b=$(\"$g\" symbolic-ref -q --short \"refs/remotes/$r/HEAD\" 2>/dev/null); "
         "b=${b#\"$r\"/}; fi\n"
         "  printf '@headbranch %s\\n' \"$b\"\n"
         "  printf '@url %s\\n' \"$(\"$g\" config --get \"remote.$r.url\" 2>/dev/null)\"\n";
    // Local modifications leave untracked files out, as Ansible's git does.
    if (!o.bare) s += "  [ -n \"$(\"$g\" status --porcelain --untracked-files=no 2>/dev/null)\" ] && echo @mods\n";
    s += "  [ -f .gitmodules ] && echo @submodules\n";
    s += "fi\n";
  }
  if (!o.update) s += "[ -n \"$isrepo\" ] && exit 0\n";
  s += "ls=$(\"$g\" ls-remote -- \"$u\" HEAD \"refs/heads/$v\" \"refs/tags/$v\" \"refs/tags/$v^{}\" "
       "${b:+\"refs/heads/$b\"} 2>&1)\n"
       "printf '@lsrc %s\\n' \"$?\"\n"
       "IFS='\n'; set -f; for l in $ls; do printf '@ls %s\\n' \"$l\"; done; set +f; unset IFS\n";
  return s;
}

// Shell functions for the work script: each step announces itself on stderr (the step's output goes there too)
// and a failing step prints "@fail <id> <rc> <arg>" and stops.
constexpr const char* kStepFunctions =
    "step() { printf '@step %s\\n' \"$1\" >&2; }\n"
    "fail() { printf '@fail %s %s %s\\n' \"$1\" \"$2\" \"$3\"; exit 0; }\n";

std::string depth_arg(const Options& o) { return "--depth " + std::to_string(o.depth); }

// Checks out the version after a clone or fetch, as Ansible's git does: a branch is tracked and reset to the
// remote's, a tag or sha is checked out detached, HEAD means the current branch (or the remote's HEAD branch).
std::string switch_script(const Options& o, const std::string& kind) {
  std::string s;
  if (kind == "HEAD") {
    s += "b=$(\"$g\" symbolic-ref -q --short HEAD 2>/dev/null) || b=\n"
         "if [ -z \"$b\" ]; then b=$(\"$g\" symbolic-ref -q --short \"refs/remotes/$r/HEAD\" 2>/dev/null); "
         "b=${b#\"$r\"/}; fi\n"
         "step checkout; \"$g\" checkout --force \"$b\" >&2 || fail checkout_branch $? \"$b\"\n"
         "\"$g\" reset --hard \"$r/$b\" -- >&2 || fail checkout_branch $? \"$b\"\n";
  } else if (kind == "branch") {
    if (o.depth > 0) {
      // A shallow clone has only one branch: fetch the wanted one first.
      s += "if ! \"$g\" show-ref --verify -q \"refs/heads/$v\"; then step fetch_branch; \"$g\" fetch --depth=" +
           std::to_string(o.depth) +
           " \"$r\" \"+refs/heads/$v:refs/heads/$v\" \"+refs/heads/$v:refs/remotes/$r/$v\" >&2 || "
           "fail fetch_branch $?; fi\n";
    }
    s += "step checkout\n"
         "if \"$g\" show-ref --verify -q \"refs/heads/$v\"; then\n"
         "  \"$g\" checkout --force \"$v\" >&2 || fail checkout_branch $? \"$v\"\n"
         "  \"$g\" reset --hard \"$r/$v\" >&2 || fail checkout $?\n"
         "else\n"
         "  \"$g\" checkout --track -b \"$v\" \"$r/$v\" >&2 || fail checkout $?\n"
         "fi\n";
  } else {
    s += "step checkout; \"$g\" checkout --force \"$v\" >&2 || fail checkout $?\n";
  }
  return s;
}

std::string submodule_script(const Options& o) {
  std::string update = "\"$g\" submodule update --init --recursive";
  if (o.track_submodules) update += " --remote";
  if (o.force) update += " --force";
  return "if [ -f .gitmodules ]; then\n"
         "  sb=$(\"$g\" submodule status --recursive 2>/dev/null)\n"
         "  step submodules; \"$g\" submodule sync >&2 && " +
         update +
         " >&2 || fail submodules $?\n"
         "  [ \"$sb\" = \"$(\"$g\" submodule status --recursive 2>/dev/null)\" ] || echo @subchanged\n"
         "fi\n";
}

// The end of every work script: the new HEAD, then (diff mode) the patch from before, which must come last.
std::string finish_script(const std::string& before, bool diff) {
  std::string s = "a=$(\"$g\" rev-parse HEAD 2>/dev/null); printf '@after %s\\n' \"$a\"\n";
  if (diff && !before.empty()) {
    s += "if [ \"$a\" != " + shell_quote(before) + " ]; then dd=$(\"$g\" diff " + shell_quote(before) +
         " \"$a\" 2>&1); printf '@diffrc %s\\n' \"$?\"; echo @diff; printf '%s' \"$dd\"; fi\n";
  }
  return s;
}

std::string clone_script(const Options& o, const std::string& kind, std::vector<std::string>& warnings) {
  std::string args = o.bare ? " --bare" : " --origin " + shell_quote(o.remote);
  const bool branch_or_tag = kind == "branch" || kind == "tag";
  if (o.depth > 0) {
    if (o.version == "HEAD" || !o.refspec.empty()) {
      args += " " + depth_arg(o);
    } else if (branch_or_tag) {
      args += " " + depth_arg(o) + " --branch \"$v\"";
    } else {
      warnings.push_back(
          "Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination "
          "with refspec.");
    }
  }
  if (!o.reference.empty()) args += " --reference " + shell_quote(o.reference);
  if (o.single_branch) {
    args += " --single-branch";
    if (branch_or_tag) args += " --branch \"$v\"";
  }
  std::string s = preamble(o) + kStepFunctions;
  s += "mkdir -p -- \"$(dirname -- \"$d\")\" 2>/dev/null\n";
  s += "step clone; \"$g\" clone" + args + " -- \"$u\" \"$d\" >&2 || fail clone $?\n";
  s += "cd \"$d\" || fail cd 1\n";
  if (o.bare && o.remote != "origin") s += "step remote; \"$g\" remote add \"$r\" \"$u\" >&2 || fail remote $?\n";
  if (!o.refspec.empty()) {
    s += "step refspec; \"$g\" fetch" + (o.depth > 0 ? " " + depth_arg(o) : std::string()) + " \"$r\" " +
         shell_quote(o.refspec) + " >&2 || fail refspec $?\n";
  }
  if (!o.bare) s += switch_script(o, kind);
  if (o.recursive && !o.bare) s += submodule_script(o);
  return s + finish_script("", false);
}

std::string update_script(const Options& o, const git::Probe& probe, const std::string& kind, bool reset, bool set_url,
                          bool diff) {
  std::string s = preamble(o) + kStepFunctions;
  s += "cd \"$d\" || fail cd 1\n";
  if (reset) s += "step reset; \"$g\" reset --hard HEAD >&2 || fail reset $?\n";
  if (set_url) {
    s += "step seturl; { \"$g\" remote set-url \"$r\" \"$u\" 2>/dev/null || \"$g\" remote add \"$r\" \"$u\"; } >&2 "
         "|| fail seturl $?\n";
  }
  // As Ansible: with depth, fetch only the refs the version needs; otherwise everything and the tags.
  std::vector<std::string> refspecs;
  if (o.depth > 0) {
    if (!o.refspec.empty()) {
      refspecs.push_back(shell_quote(o.refspec));
    } else if (kind == "HEAD") {
      if (!probe.head_branch.empty()) refspecs.push_back(shell_quote(probe.head_branch));
    } else if (kind == "branch") {
      if (probe.head_branch != o.version) refspecs.push_back("\"+refs/heads/$v:refs/heads/$v\"");
      refspecs.push_back("\"+refs/heads/$v:refs/remotes/$r/$v\"");
    } else if (kind == "tag") {
      refspecs.push_back("\"+refs/tags/$v:refs/tags/$v\"");
    }
  }
  std::string fetch = "\"$g\" fetch";
  if (o.depth > 0 && !refspecs.empty()) {
    fetch += " " + depth_arg(o);
  } else {
    refspecs.clear();
    if (o.bare) {
      refspecs = {"'+refs/heads/*:refs/heads/*'", "'+refs/tags/*:refs/tags/*'"};
    } else {
      fetch += " --tags";
    }
    if (!o.refspec.empty()) refspecs.push_back(shell_quote(o.refspec));
  }
  if (o.force) fetch += " --force";
  fetch += " \"$r\"";
  for (const auto& spec : refspecs) fetch += " " + spec;
  s += "step fetch; " + fetch + " >&2 || fail fetch $?\n";
  if (!o.bare) s += switch_script(o, kind);
  if (o.recursive && !o.bare) s += submodule_script(o);
  return s + finish_script(probe.head, diff);
}

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
