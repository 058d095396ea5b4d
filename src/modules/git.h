#pragma once
// The pure parts of the git module (not a public header): what the probe script printed, and which sha the
// remote has for a version. Kept apart so that unit tests can feed them recorded outputs.
#include <map>
#include <set>
#include <string>

namespace prov::mod::git {

/// The state of a destination as the git probe script reports it.
struct Probe {
  bool git_found = true;
  std::string path_env;  ///< the host's PATH when git was not found
  bool dest_exists = false;
  bool is_repo = false;         ///< dest holds a repository (its config file exists)
  std::string head;             ///< sha of HEAD, "" when there is none
  std::string branch;           ///< the checked-out branch, "" when detached
  std::string head_branch;      ///< branch, or the remote's HEAD branch when detached
  std::string url;              ///< the remote's url as configured
  bool local_mods = false;      ///< tracked files modified (untracked files do not count, as in Ansible)
  bool has_submodules = false;  ///< .gitmodules exists
  bool ls_remote_ran = false;
  int ls_remote_rc = 0;
  std::string ls_remote_err;                ///< what ls-remote printed besides refs
  std::map<std::string, std::string> refs;  ///< ls-remote: ref name -> sha
};

/// Parses the probe script's output ("@key value" lines).
Probe parse_probe(const std::string& out);

/// What kind of thing a version names on the remote, judged from ls-remote output: "HEAD", "branch", "tag" or
/// "sha" (anything else is taken for a commit id, as Ansible does).
std::string version_kind(const Probe& probe, const std::string& version);

/// The sha the remote has for version: HEAD (the remote's HEAD when cloning, else the current branch's head),
/// a branch, a tag (peeled when annotated) or the version itself when it is a sha. "" when the remote lacks it.
std::string remote_sha(const Probe& probe, const std::string& version, bool cloning);

/// True when two remote urls name the same repository: equal once a trailing slash is dropped and an absolute path
/// is written as its file:// url.
bool same_url(const std::string& a, const std::string& b);

}  // namespace prov::mod::git
