// apt_repository: adds or removes one source line. One probe reads sources.list and sources.list.d/*.list; a line
// already there (enabled) is left alone, a commented-out copy is enabled, otherwise the line goes into
// sources.list.d/FILENAME.list (named from the URI as Ansible does). Files are written atomically; the package
// lists are refreshed after a change (update_cache, default yes).
#include <algorithm>
#include <sstream>

#include "apt_parse.h"
#include "mode.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

struct SourcesFile {
  std::string path;
  std::string content;
  std::vector<apt::SourceLine> lines;
  bool exists = true;
};

std::vector<SourcesFile> parse_files(const std::string& out) {
  std::vector<SourcesFile> files;
  std::istringstream in(out);
  std::string line;
  SourcesFile* current = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("@@file ", 0) == 0) {
      files.push_back({line.substr(7), "", {}, true});
      current = &files.back();
    } else if (line == "@@endfile") {
      // The probe added one newline after each file's content.
      if (current != nullptr && !current->content.empty()) current->content.pop_back();
      current = nullptr;
    } else if (current != nullptr) {
      current->content += line + "\n";
    }
  }
  for (auto& f : files) {
    std::istringstream lines(f.content);
    for (std::string l; std::getline(lines, l);) f.lines.push_back(apt::parse_source_line(l));
  }
  return files;
}

std::string render(const SourcesFile& f) {
  std::string out;
  for (const auto& l : f.lines) out += apt::render_source_line(l) + "\n";
  return out;
}

class AptRepositoryModule : public Module {
 public:
  AptRepositoryModule() {
    using util::arg;
    spec_.name = "apt_repository";
    spec_.args = {
        arg("repo").required(),
        arg("state").default_value("present").choices({"absent", "present"}),
        arg("mode", ArgType::Raw),
        arg("update_cache", ArgType::Bool).default_value(true).aliases({"update-cache"}),
        arg("update_cache_retries", ArgType::Int).default_value(5),
        arg("update_cache_retry_max_delay", ArgType::Int).default_value(12),
        arg("validate_certs", ArgType::Bool).default_value(true),
        arg("filename"),
        arg("codename"),
        arg("install_python_apt", ArgType::Bool).default_value(true),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string repo = util::str(args, "repo");
    const std::string state = util::str(args, "state");
    if (repo.rfind("ppa:", 0) == 0) return util::failed("PPA repositories (ppa:) are only supported on Ubuntu");
    apt::SourceLine wanted = apt::parse_source_line(repo);
    if (!wanted.valid || !wanted.enabled) return util::failed("Invalid repository string: " + repo);
    if (repo.find('\n') != std::string::npos) return util::failed("Invalid repository string: " + repo);
    std::string filename = util::str(args, "filename");
    if (filename.find('/') != std::string::npos) return util::failed("filename must not contain '/': " + filename);
    const std::string target =
        "/etc/apt/sources.list.d/" + (filename.empty() ? apt::suggest_sources_filename(repo) : filename + ".list");

    conn::CommandResult res =
        util::run(ctx,
                  "for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f \"$f\" ] || continue; "
                  "echo \"@@file $f\"; cat \"$f\"; echo; echo @@endfile; done; echo @@end");
    if (res.out.find("@@end") == std::string::npos) return util::failed("cannot read the apt sources: " + res.err);
    std::vector<SourcesFile> files = parse_files(res.out);

    std::vector<size_t> touched;
    bool is_new = false;
    if (state == "present") {
      bool found = false;
      for (size_t i = 0; i < files.size(); ++i) {
        for (auto& l : files[i].lines) {
          if (!l.valid || l.source != wanted.source) continue;
          found = true;
          if (!l.enabled) {
            l.enabled = true;
            touched.push_back(i);
          }
        }
      }
      if (!found) {
        auto it = std::find_if(files.begin(), files.end(), [&](const SourcesFile& f) { return f.path == target; });
        if (it == files.end()) {
          files.push_back({target, "", {}, false});
          it = files.end() - 1;
          is_new = true;
        }
        apt::SourceLine line = wanted;
        line.comment.clear();
        line.raw = wanted.source;
        it->lines.push_back(line);
        touched.push_back(static_cast<size_t>(it - files.begin()));
      }
    } else {
      for (size_t i = 0; i < files.size(); ++i) {
        auto& lines = files[i].lines;
        size_t before = lines.size();
        lines.erase(std::remove_if(lines.begin(), lines.end(),
                                   [&](const apt::SourceLine& l) { return l.valid && l.source == wanted.source; }),
                    lines.end());
        if (lines.size() != before) touched.push_back(i);
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

    Result r = {{"changed", !touched.empty()}, {"repo", repo}, {"state", state}};
    Value diff = Value::array();
    for (size_t i : touched) {
      const SourcesFile& f = files[i];
      std::string after = f.lines.empty() ? "" : render(f);
      diff.push_back({{"before", f.content},
                      {"after", after},
                      {"before_header", f.exists ? f.path : "/dev/null"},
                      {"after_header", f.lines.empty() ? "/dev/null" : f.path}});
    }
    if (ctx.diff_mode && !touched.empty()) r["diff"] = diff;
    if (touched.empty()) return r;
    if (ctx.check_mode) {
      // The packages of a new source cannot be seen before a real run fetches its lists.
      if (ctx.plan != nullptr && state == "present") ctx.plan->apt_lists_unverified = true;
      if (ctx.plan != nullptr && is_new) ctx.plan->paths.insert(target);
      return r;
    }
    for (size_t i : touched) {
      const SourcesFile& f = files[i];
      if (f.lines.empty()) {
        conn::CommandResult rm = util::run(ctx, "rm -f -- " + shell_quote(f.path));
        if (rm.rc != 0) return util::failed("cannot remove " + f.path + ": " + rm.err);
        continue;
      }
      conn::PutOptions put;
      put.become = ctx.become;
      if (!f.exists) {
        const Value* mode = find_key(args, "mode");
        int wanted_mode = mode != nullptr && !mode->is_null() ? resolve_mode(*mode, 0644, false) : 0644;
        put.mode = octal_mode(wanted_mode, 4);
      }
      ctx.conn->put_file(render(f), f.path, put);
    }
    if (util::flag(args, "update_cache")) {
      conn::CommandResult up =
          util::run(ctx,
                    "export DEBIAN_FRONTEND=noninteractive LC_ALL=C; i=0; while :; do apt-get update -q >/dev/null && "
                    "exit 0; i=$((i + 1)); [ $i -lt 3 ] || exit 1; sleep 1; done");
      if (up.rc != 0) {
        Result f = util::failed("Failed to update apt cache: " + up.err);
        f["repo"] = repo;
        f["state"] = state;
        return f;
      }
    }
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& apt_repository_module() {
  static const AptRepositoryModule module;
  return module;
}

}  // namespace prov::mod
