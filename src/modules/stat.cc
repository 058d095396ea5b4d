// stat: everything about one path in a single probe, with Ansible's result keys.
#include "mode.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

class StatModule : public Module {
 public:
  StatModule() {
    using util::arg;
    spec_.name = "stat";
    spec_.args = {
        arg("path", ArgType::Path).required().aliases({"dest", "name"}),
        arg("follow", ArgType::Bool).default_value(false),
        arg("get_checksum", ArgType::Bool).default_value(true),
        arg("checksum_algorithm")
            .default_value("sha1")
            .choices({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
            .aliases({"checksum", "checksum_algo"}),
        arg("get_mime", ArgType::Bool).default_value(true).aliases({"mime", "mime_type", "mime-type"}),
        arg("get_attributes", ArgType::Bool).default_value(true).aliases({"attr", "attributes"}),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const std::string path = util::str(ctx.args, "path");
    const bool follow = util::flag(ctx.args, "follow");
    std::string algorithm = util::flag(ctx.args, "get_checksum") ? util::str(ctx.args, "checksum_algorithm") : "";
    PathInfo info = probe_path(ctx, path, follow, algorithm);
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

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& stat_module() {
  static const StatModule module;
  return module;
}

}  // namespace prov::mod
