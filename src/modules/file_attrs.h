#pragma once
// Mode, owner and group of a path: compared with what is wanted, changed only when they differ.
// Shared by file and copy.
#include <string>

#include "path_fact.h"

namespace prov::mod {

/// Runs a command that must succeed; a failure is an Error carrying the first line of its stderr.
void run_or_throw(const Context& ctx, const std::string& command);

/// Brings args' mode/owner/group to `path` (described by info). missing: the path does not exist yet (check
/// mode), so every given attribute counts as a change. no_follow: change a symlink itself (chown -h).
/// Records before/after in diff; in check mode only predicts. Returns whether anything differs.
bool apply_attributes(const Context& ctx, const std::string& path, const PathInfo& info, const Value& args,
                      bool missing, bool no_follow, Value& diff);

/// recurse=yes for directories: brings everything below `path` to args' mode/owner/group.
bool apply_recursive(const Context& ctx, const std::string& path, const Value& args);

/// Adds Ansible's path keys to a result: uid, gid, owner, group, mode, state, size (state absent when missing).
void add_path_info(Result& r, const PathInfo& info, const std::string& state);

}  // namespace prov::mod
