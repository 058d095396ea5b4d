#pragma once
// A text file edited on the controller: read with its state in one round trip, written back atomically through
// the writer copy uses (backup, validate) only when the content differs, then mode/owner/group. Shared by
// lineinfile, blockinfile and logrotate. Not a public header.
#include <string>

#include "file_attrs.h"
#include "path_fact.h"

namespace prov::mod::text {

/// A file on the host as one probe saw it.
struct RemoteText {
  PathInfo info;           ///< the path, a symlink followed
  bool exists = false;     ///< a regular file (or a link to one) is there
  std::string write_path;  ///< where the content lands: a symlink's target, else the path
  std::string content;     ///< "" when missing
  bool parent_exists = false;
  bool root = false;  ///< the probe ran as root (after become)
  std::string extra;  ///< what the caller's extra script printed
};

/// The command that reads path's state, whether its folder exists, and its content at once; extra_script (sh)
/// runs in the same command and its output lands in `extra`. The same arguments give the same command.
std::string read_text_command(const std::string& path, const std::string& extra_script = {});

/// That command's output. Throws prov::Error when the host could not read the file.
RemoteText parse_read_text(const conn::CommandResult& read, const std::string& path);

/// What writing did.
struct WriteOutcome {
  bool content_changed = false;
  bool attrs_changed = false;
  std::string backup_file;
  Value attr_diff = Value::object();  ///< {before: {...}, after: {...}} for mode/owner/group
  Value failure;                      ///< a failed result (validate refused the content); null otherwise
};

/// How a text file is written: the attributes wanted, backup and validate.
struct TextWriteOptions {
  FileAttributes attrs;
  bool backup = false;
  std::string validate;
};

/// What write_text would do, without doing it (check mode): the content's verdict, and the attributes that differ
/// on a file that exists (Ansible stops before the attributes of a file not there yet).
WriteOutcome predict_text_write(const RemoteText& current, bool changed, const FileAttributes& attrs);

/// Puts `content` at current.write_path when `changed` (the folder is made first when missing), with options'
/// backup and validate; then brings options' mode/owner/group in line. mode_on_write: the new file gets the mode
/// as it lands (a validate command may care); otherwise, as in Ansible, it lands with the old file's mode (or the
/// umask's) and a differing mode counts as an attribute change.
WriteOutcome write_text(const Context& ctx, const RemoteText& current, const std::string& content, bool changed,
                        const TextWriteOptions& options, bool mode_on_write = false);

/// Ansible's "... and ownership, perms or SE linux context changed" message for an attribute change.
std::string with_attrs_message(const std::string& msg, bool content_changed, bool attrs_changed);

/// A refused validate as lineinfile and blockinfile report it: "failed to validate: rc:N error:STDERR".
Result validate_failure(Result failure);

}  // namespace prov::mod::text
