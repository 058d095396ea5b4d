#pragma once
// Runs modules for real against the local connection inside a private temporary folder.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "provision/connection/local.h"
#include "provision/modules/module.h"

namespace test {

namespace fs = std::filesystem;

struct Sandbox {
  fs::path dir;
  std::unique_ptr<prov::conn::Connection> conn = prov::conn::make_local_connection();
  std::vector<std::string> search_paths;

  Sandbox() {
    std::string tmpl = (fs::temp_directory_path() / "prov-mod-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    conn->connect();
  }
  ~Sandbox() { fs::remove_all(dir); }

  std::string path(const std::string& name) const { return (dir / name).string(); }

  prov::Value run(const std::string& module, prov::Value args, bool check = false, bool diff = false,
                  const prov::tmpl::Vars* vars = nullptr, int verbosity = 0) {
    const prov::mod::Module* m = prov::mod::find_module(module);
    REQUIRE(m != nullptr);
    prov::mod::Context ctx;
    ctx.conn = conn.get();
    ctx.args = prov::mod::validate_args(m->spec(), args);
    ctx.check_mode = check;
    ctx.diff_mode = diff;
    ctx.search_paths = search_paths;
    ctx.vars = vars;
    ctx.verbosity = verbosity;
    return prov::mod::execute(*m, ctx);
  }

  // Every entry below dir with its type and mode: check mode must leave this unchanged.
  std::string listing() const {
    std::string out;
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      auto st = fs::symlink_status(e.path());
      out += e.path().string() + " " + std::to_string(static_cast<int>(st.type())) + " " +
             std::to_string(static_cast<int>(st.permissions())) + "\n";
    }
    return out;
  }
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int mode_of(const fs::path& p) { return static_cast<int>(fs::status(p).permissions() & fs::perms::mask); }

}  // namespace test
