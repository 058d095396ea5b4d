#pragma once
// Mode, owner and group of a path: compared with what is wanted, changed only when they differ.
// Shared by file, copy, template, lineinfile, blockinfile and get_url.
#include <optional>
#include <string>

#include "path_fact.h"
#include "schema.h"

namespace prov::mod {

/// The mode, owner and group arguments, declared once for every module that takes them.
struct FileAttributes {
  Value mode;  ///< null: left alone; an octal number, octal digits or a symbolic mode ("u+rwX")
  std::string owner, group;

  static void describe(Schema<FileAttributes>& s) {
    s.field("mode", &FileAttributes::mode, ArgType::Raw);
    s.field("owner", &FileAttributes::owner);
    s.field("group", &FileAttributes::group);
  }
  bool has_mode() const { return !mode.is_null(); }
  bool any() const { return has_mode() || !owner.empty() || !group.empty(); }
};

/// Runs a command that must succeed; a failure is an Error carrying the first line of its stderr.
void run_or_throw(const Context& ctx, const std::string& command);

/// What differs between `path` (described by info) and the wanted attributes: the commands that bring it in line
/// ("" when nothing differs), with before/after recorded in diff. missing: the path does not exist yet, so every
/// given attribute differs. no_follow: change a symlink itself (chown -h).
std::string attribute_commands(const std::string& path, const PathInfo& info, const FileAttributes& wanted,
                               bool missing, bool no_follow, Value& diff);

/// Runs what attribute_commands found (nothing when it found nothing).
void apply_attribute_commands(const Context& ctx, const std::string& commands);

/// One-phase form for modules not yet written as steps: attribute_commands, run unless in check mode or missing.
/// Returns whether anything differs.
bool apply_attributes(const Context& ctx, const std::string& path, const PathInfo& info, const Value& args,
                      bool missing, bool no_follow, Value& diff);

/// recurse=yes for directories, read: the find that tells whether anything below `path` has another owner, group
/// or (octal) mode; nullopt when no such attribute is wanted.
std::optional<std::string> recursive_difference_query(const std::string& path, const FileAttributes& wanted);

/// That find's answer: something below differs.
bool parse_recursive_difference(const conn::CommandResult& read);

/// Whether that find can miss a change a recursive run would make (a symbolic mode, which it cannot test).
bool recursive_difference_unknown(const FileAttributes& wanted);

/// recurse=yes for directories, act: brings everything below `path` to the wanted attributes. Returns whether
/// anything changed.
bool apply_recursive(const Context& ctx, const std::string& path, const FileAttributes& wanted);

/// Adds Ansible's path keys to a result: uid, gid, owner, group, mode, state, size (state absent when missing).
void add_path_info(Result& r, const PathInfo& info, const std::string& state);

}  // namespace prov::mod
