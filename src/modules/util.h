#pragma once
// Helpers shared by the modules in this folder (not a public header).
#include <chrono>
#include <string>
#include <vector>

#include "provision/modules/module.h"

namespace prov::mod::util {

/// Builds one ArgSpec readably: arg("path", ArgType::Path).required().aliases({"dest", "name"}).
class arg {
 public:
  explicit arg(std::string name, ArgType type = ArgType::Str) {
    spec_.name = std::move(name);
    spec_.type = type;
  }
  arg& required() { spec_.required = true; return *this; }
  arg& default_value(Value v) { spec_.default_value = std::move(v); return *this; }
  arg& choices(std::vector<std::string> c) { spec_.choices = std::move(c); return *this; }
  arg& aliases(std::vector<std::string> a) { spec_.aliases = std::move(a); return *this; }
  arg& elements(ArgType t) { spec_.elements = t; return *this; }
  arg& no_log() { spec_.no_log = true; return *this; }
  arg& keeps_null() {
    spec_.keeps_null = true;
    return *this;
  }
  operator ArgSpec() const { return spec_; }  // NOLINT: meant to convert implicitly in spec tables

 private:
  ArgSpec spec_;
};

/// Runs a command on the host with the task's become and environment.
conn::CommandResult run(const Context& ctx, const std::string& command, const std::string& stdin_data = {},
                        int timeout_seconds = 0);

/// Python's str.splitlines() as a list Value (stdout_lines, stderr_lines).
Value lines(const std::string& text);

/// Local time as Python prints a datetime: "2026-11-27 22:40:01.123456".
std::string timestamp(std::chrono::system_clock::time_point when);
/// A timedelta as Python prints it: "0:00:01.234567".
std::string delta(std::chrono::system_clock::duration d);

/// {"failed": true, "msg": msg, "changed": false}
Result failed(const std::string& msg);

/// The string value of args[key], or "" when unset.
std::string str(const Value& args, const std::string& key);
/// The bool value of args[key] (validated), false when unset.
bool flag(const Value& args, const std::string& key);

/// POSIX shlex.split: quotes and backslashes; throws ArgError("No closing quotation") when unbalanced.
std::vector<std::string> shlex_split(const std::string& text);

/// Quotes a pattern for sh leaving only the glob characters * ? [ ] active (creates=, removes=).
std::string glob_quote(const std::string& pattern);

/// Hex SHA-1 of data (what sha1sum prints).
std::string sha1_hex(const std::string& data);
/// Hex MD5 of data (copy's md5sum key).
std::string md5_hex(const std::string& data);

/// Finds a controller file: absolute as is, otherwise the first search path holding it; "" when none does.
std::string find_controller_file(const Context& ctx, const std::string& name);

/// Ansible's "Could not find or access 'src'" for a controller file, with the search paths tried when src is
/// relative.
std::string not_found_message(const Context& ctx, const std::string& src);

/// The folder part of a path ("." when none).
std::string dirname(const std::string& path);
/// The last component of a path, ignoring a trailing slash.
std::string basename(const std::string& path);

/// True when the bytes look like text (no NUL, valid enough for a diff).
bool is_text(const std::string& data);

/// One file's wanted content, as copy and template put it on the host (ContentWriter, content_writer.h).
struct FileContent {
  std::string content;
  std::string dest;
  std::string shown_src;     ///< the result's src key
  std::string diff_source;   ///< the diff's after_header
  std::string src_name;      ///< a dest folder gets dest/basename(src_name); "" for inline content
  bool in_tree = false;      ///< its folder is made with it (a folder copy): whether it exists is not read
};

/// Ansible's default max_diff_size: larger files get no text diff.
constexpr size_t kMaxDiffBytes = 104448;

/// Copies dest to Ansible's backup name, dest.<pid>.<YYYY-MM-DD@HH:MM:SS>~, on the host; returns that name.
std::string backup(const Context& ctx, const std::string& dest);

/// Puts content at dest; with a validate command (holding %s), first at a temporary file next to dest that the
/// command checks, then moved into place. A refused check leaves dest untouched and is Ansible's failed result;
/// null otherwise.
Value validate_then_put(const Context& ctx, const std::string& content, const std::string& dest,
                        const conn::PutOptions& put, const std::string& validate);

}  // namespace prov::mod::util
