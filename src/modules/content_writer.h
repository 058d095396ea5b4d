#pragma once
// util::write_file_content in phases, for modules written as steps (copy, template): reads dest, compares its
// checksum and attributes with what is wanted, and writes only when they differ.
#include <optional>
#include <string>

#include "file_attrs.h"
#include "util.h"

namespace prov::mod {

/// The arguments that decide how content is written (copy's and template's of the same names).
struct WriteOptions {
  FileAttributes attrs;
  bool backup = false, force = true;
  std::string validate;
  bool read_before = true;  ///< false: no text diff wanted, so the text replaced is not read
};

/// One file's content brought to dest, in the phases of a Step (its owner forwards them).
class ContentWriter {
 public:
  ContentWriter(util::FileContent file, WriteOptions options);

  /// The reads, in order: dest (a link followed, with its sha1), dest/basename(src) when dest is a folder, whether
  /// a missing dest's folder exists, and the text there now when it would be replaced (for --diff).
  std::optional<Probe> query() const;
  void parse(const conn::CommandResult& read);
  Changes diff(const Plan* plan) const;
  /// Writes (backup and validate first, as asked), then brings mode/owner/group in line. Copy's result keys.
  Result apply(const Context& ctx) const;

  /// All phases at once, for a module's apply that writes a file: reads, compares, and writes when it differs.
  static Result write(const Context& ctx, util::FileContent file, WriteOptions options);

 private:
  enum class Read { Dest, InFolder, Folder, Before, Done };
  void next_read();
  Result head() const;
  Value text_diff() const;

  util::FileContent file_;
  WriteOptions options_;
  std::string checksum_;
  Read next_ = Read::Dest;
  PathInfo info_;
  bool dest_is_folder_ = false;  // dest is a folder and the content has no name to take there
  bool folder_exists_ = true;
  std::optional<std::string> before_;
};

}  // namespace prov::mod
