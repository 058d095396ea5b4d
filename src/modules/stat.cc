// stat: everything about one path in a single probe, with Ansible's result keys.
#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod {

namespace {

struct StatArgs {
  std::string path;
  bool follow = false, get_checksum = true, get_mime = true, get_attributes = true;
  std::string checksum_algorithm;

  static void describe(Schema<StatArgs>& s) {
    s.field("path", &StatArgs::path, ArgType::Path).required().aliases({"dest", "name"});
    s.field("follow", &StatArgs::follow).default_value(false);
    s.field("get_checksum", &StatArgs::get_checksum).default_value(true);
    s.field("checksum_algorithm", &StatArgs::checksum_algorithm)
        .default_value("sha1")
        .choices({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
        .aliases({"checksum", "checksum_algo"});
    s.field("get_mime", &StatArgs::get_mime).default_value(true).aliases({"mime", "mime_type", "mime-type"});
    s.field("get_attributes", &StatArgs::get_attributes).default_value(true).aliases({"attr", "attributes"});
  }
};

// Only reads: one probe, and the result built from it.
class StatRun : public Step {
 public:
  StatRun(StatArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_) return std::nullopt;
    return path_probe(args_.path, args_.follow, args_.get_checksum ? args_.checksum_algorithm : "");
  }
  void parse(const conn::CommandResult& read) override {
    info_ = read_path_probe(read, args_.path);
    read_ = true;
  }
  Changes diff(const Plan*) const override { return {false, describe()}; }
  Result apply(Context&, const Changes& changes) override { return changes.result; }

 private:
  Result describe() const {
    const PathInfo& info = info_;
    const std::string& path = args_.path;
    const bool follow = args_.follow;
    Result r = {{"changed", false}};
    if (!info.exists) {
      r["stat"] = {{"exists", false}};
      return r;
    }
    // Followed links describe their target, as os.stat does.
    bool islnk = info.is_link && !(follow && info.type != "link");
    int m = info.mode;
    std::string mode = octal_mode(m, 4);
    Value s = {{"exists", true},
               {"path", path},
               {"mode", mode},
               {"isdir", info.type == "directory"},
               {"ischr", info.type == "char"},
               {"isblk", info.type == "block"},
               {"isreg", info.type == "file"},
               {"isfifo", info.type == "fifo"},
               {"islnk", islnk},
               {"issock", info.type == "socket"},
               {"uid", info.uid},
               {"gid", info.gid},
               {"size", info.size},
               {"inode", info.inode},
               {"dev", info.dev},
               {"nlink", info.nlink},
               {"atime", info.atime},
               {"mtime", info.mtime},
               {"ctime", info.ctime},
               {"blocks", info.blocks},
               {"block_size", info.block_size},
               {"wusr", (m & 0200) != 0},
               {"rusr", (m & 0400) != 0},
               {"xusr", (m & 0100) != 0},
               {"wgrp", (m & 020) != 0},
               {"rgrp", (m & 040) != 0},
               {"xgrp", (m & 010) != 0},
               {"woth", (m & 02) != 0},
               {"roth", (m & 04) != 0},
               {"xoth", (m & 01) != 0},
               {"isuid", (m & 04000) != 0},
               {"isgid", (m & 02000) != 0},
               {"pw_name", info.owner},
               {"gr_name", info.group},
               {"readable", info.readable},
               {"writeable", info.writeable},
               {"executable", info.executable}};
    if (islnk) {
      s["lnk_source"] = info.real_path;
      s["lnk_target"] = info.link_target;
    }
    if (!info.checksum.empty()) s["checksum"] = info.checksum;
    r["stat"] = s;
    return r;
  }

  StatArgs args_;
  PathInfo info_;
  bool read_ = false;
};

}  // namespace

const Module& stat_module() {
  static const TypedModule<StatArgs, StatRun> module("stat");
  return module;
}

}  // namespace prov::mod
