// The git module's shell scripts: the probe of the destination and the remote, and the work script that clones,
// or fetches and switches to the version, then updates submodules.
#include "git_scripts.h"

#include "provision/connection/connection.h"

namespace prov::mod::git::detail {

using conn::shell_quote;

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

namespace {

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

}  // namespace

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

}  // namespace prov::mod::git::detail
