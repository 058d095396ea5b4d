#pragma once
// The git module's shell scripts (git_scripts.cc): the probe, and the work that clones or fetches and switches.
#include <string>
#include <vector>

#include "git.h"

namespace prov::mod::git::detail {

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

std::string preamble(const Options& o);
std::string probe_script(const Options& o);
std::string clone_script(const Options& o, const std::string& kind, std::vector<std::string>& warnings);
std::string update_script(const Options& o, const git::Probe& probe, const std::string& kind, bool reset, bool set_url,
                          bool diff);

}  // namespace prov::mod::git::detail
