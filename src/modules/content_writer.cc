#include "content_writer.h"

#include "mode.h"

namespace prov::mod {

using conn::shell_quote;

ContentWriter::ContentWriter(util::FileContent file, WriteOptions options)
    : file_(std::move(file)), options_(std::move(options)), checksum_(util::sha1_hex(file_.content)) {}

std::optional<Probe> ContentWriter::query() const {
  switch (next_) {
    // The probe follows a symlinked dest so its content is what is compared.
    case Read::Dest: return path_probe(file_.dest, true, "sha1");
    case Read::InFolder: return shell_read(path_probe_command(file_.dest, true, "sha1"));
    case Read::Folder: return shell_read("[ -d " + shell_quote(util::dirname(file_.dest)) + " ]");
    case Read::Before: return shell_read("cat -- " + shell_quote(file_.dest));
    case Read::Done: break;
  }
  return std::nullopt;
}

void ContentWriter::parse(const conn::CommandResult& read) {
  switch (next_) {
    case Read::Dest:
    case Read::InFolder:
      info_ = read_path_probe(read, file_.dest);
      if (next_ == Read::Dest && info_.exists && info_.type == "directory") {
        if (file_.src_name.empty()) {
          dest_is_folder_ = true;
          next_ = Read::Done;
          return;
        }
        file_.dest += "/" + util::basename(file_.src_name);
        next_ = Read::InFolder;
        return;
      }
      break;
    case Read::Folder: folder_exists_ = read.rc == 0; break;
    // Unreadable now (a write replaces it all the same): no text diff.
    case Read::Before:
      if (read.rc == 0) before_ = read.out;
      break;
    case Read::Done: return;
  }
  next_read();
}

// What follows the read of dest: its folder when it is missing, or its text when it would be replaced.
void ContentWriter::next_read() {
  const bool replaced = info_.exists && info_.checksum != checksum_ && options_.force;
  if (next_ < Read::Folder && !file_.in_tree && !info_.exists) {
    next_ = Read::Folder;
  } else if (next_ < Read::Before && replaced && options_.read_before &&
             info_.size <= static_cast<long long>(util::kMaxDiffBytes) && util::is_text(file_.content) &&
             file_.content.size() <= util::kMaxDiffBytes) {
    next_ = Read::Before;
  } else {
    next_ = Read::Done;
  }
}

Result ContentWriter::head() const {
  return {{"changed", false},
          {"dest", file_.dest},
          {"src", file_.shown_src},
          {"checksum", checksum_},
          {"md5sum", util::md5_hex(file_.content)}};
}

Value ContentWriter::text_diff() const {
  const std::string before = info_.exists ? before_.value_or(std::string(1, '\0')) : std::string();
  if (!util::is_text(before) || !util::is_text(file_.content) || file_.content.size() > util::kMaxDiffBytes) {
    return nullptr;
  }
  return {
      {"before", before}, {"after", file_.content}, {"before_header", file_.dest}, {"after_header", file_.diff_source}};
}

Changes ContentWriter::diff(const Plan* plan) const {
  Changes c;
  if (dest_is_folder_) {
    c.result = util::failed("can not use content with a dir as dest");
    return c;
  }
  const std::string folder = util::dirname(file_.dest);
  // In check mode the folder may be one that an earlier task would have created: the file would be written.
  if (!folder_exists_ && !(plan != nullptr && plan->predicted(folder))) {
    c.result = util::failed("Destination directory " + folder + " does not exist");
    return c;
  }
  c.result = head();
  if (info_.exists && !options_.force) {
    // force=no: an existing file is left alone entirely.
    add_path_info(c.result, info_, "file");
    return c;
  }
  const bool content_differs = !info_.exists || info_.checksum != checksum_;
  Value attrs_diff = {{"before", {{"path", file_.dest}}}, {"after", {{"path", file_.dest}}}};
  const bool attrs_changed =
      !attribute_commands(file_.dest, info_, options_.attrs, !info_.exists, false, attrs_diff).empty();
  c.changed = content_differs || attrs_changed;
  c.result["changed"] = c.changed;
  if (!info_.exists) c.predicted.add_path(file_.dest);
  add_path_info(c.result, info_, "file");
  if (!info_.exists) c.result.erase("state");
  c.result["size"] = info_.exists ? Value(info_.size) : Value(file_.content.size());
  if (c.changed) {
    Value text = content_differs ? text_diff() : Value();
    if (text.is_null())
      c.diff = attrs_diff;
    else if (attrs_changed)
      c.diff = Value::array({text, attrs_diff});
    else
      c.diff = text;
  }
  return c;
}

Result ContentWriter::apply(const Context& ctx) const {
  Result r = head();
  r["changed"] = true;
  PathInfo info = info_;
  const bool content_differs = !info.exists || info.checksum != checksum_;
  Value text;
  if (content_differs) {
    text = text_diff();
    std::string backup_file;
    if (info.exists && options_.backup) backup_file = util::backup(ctx, file_.dest);
    conn::PutOptions put;
    if (options_.attrs.has_mode()) {
      // A symbolic mode applies to what is there now, or to a new file's usual 0644.
      int wanted = resolve_mode(options_.attrs.mode, info.exists ? info.mode : 0644, false);
      put.mode = octal_mode(wanted, 4);
    }
    put.owner = options_.attrs.owner;
    put.group = options_.attrs.group;
    put.become = ctx.become;
    Value refused = util::validate_then_put(ctx, file_.content, file_.dest, put, options_.validate);
    if (!refused.is_null()) return refused;  // as Ansible, a backup already made stays
    if (!backup_file.empty()) r["backup_file"] = backup_file;
    info = probe_path(ctx, file_.dest, true);
  }
  Value attrs_diff = {{"before", {{"path", file_.dest}}}, {"after", {{"path", file_.dest}}}};
  const std::string attrs = attribute_commands(file_.dest, info, options_.attrs, !info.exists, false, attrs_diff);
  if (info.exists) apply_attribute_commands(ctx, attrs);
  if (!attrs.empty()) info = probe_path(ctx, file_.dest, true);
  add_path_info(r, info, "file");
  if (!info.exists) r.erase("state");
  r["size"] = info.exists ? Value(info.size) : Value(file_.content.size());
  if (text.is_null())
    r["diff"] = attrs_diff;
  else if (!attrs.empty())
    r["diff"] = Value::array({text, attrs_diff});
  else
    r["diff"] = text;
  return r;
}

Result ContentWriter::write(const Context& ctx, util::FileContent file, WriteOptions options) {
  ContentWriter writer(std::move(file), std::move(options));
  while (std::optional<Probe> read = writer.query()) writer.parse(util::run(ctx, read->command));
  Changes changes = writer.diff(nullptr);
  if (!changes.changed || changes.result.contains("failed")) return changes.result;
  return writer.apply(ctx);
}

}  // namespace prov::mod
