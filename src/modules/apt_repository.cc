// apt_repository: adds or removes one source line. One probe reads sources.list and sources.list.d/*.list; a line
// already there (enabled) is left alone, a commented-out copy is enabled, otherwise the line goes into
// sources.list.d/FILENAME.list (named from the URI as Ansible does). Files are written atomically; the package
// lists are refreshed after a change (update_cache, default yes).
#include <algorithm>
#include <sstream>

#include "apt_parse.h"
#include "mode.h"
#include "provision/modules/module.h"
#include "schema.h"
#include "sections.h"
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
  for (const Section& s : read_sections(out)) {
    if (s.name != "file") continue;
    std::string content = s.body;
    if (!content.empty()) content.pop_back();  // the probe added one newline after each file's content
    files.push_back({s.head, content, {}, true});
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

struct AptRepositoryArgs {
  std::string repo, state;
  Value mode;
  bool update_cache = true;
  long long update_cache_retries = 5, update_cache_retry_max_delay = 12;
  bool validate_certs = true;
  std::string filename, codename;
  bool install_python_apt = true;

  static void describe(Schema<AptRepositoryArgs>& s) {
    s.field("repo", &AptRepositoryArgs::repo).required();
    s.field("state", &AptRepositoryArgs::state).default_value("present").choices({"absent", "present"});
    s.field("mode", &AptRepositoryArgs::mode, ArgType::Raw);
    s.field("update_cache", &AptRepositoryArgs::update_cache).default_value(true).aliases({"update-cache"});
    s.field("update_cache_retries", &AptRepositoryArgs::update_cache_retries).default_value(5);
    s.field("update_cache_retry_max_delay", &AptRepositoryArgs::update_cache_retry_max_delay).default_value(12);
    s.field("validate_certs", &AptRepositoryArgs::validate_certs).default_value(true);
    s.field("filename", &AptRepositoryArgs::filename);
    s.field("codename", &AptRepositoryArgs::codename);
    s.field("install_python_apt", &AptRepositoryArgs::install_python_apt).default_value(true);
  }
};

constexpr const char* kReadSources =
    "for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f \"$f\" ] || continue; "
    "echo \"@@file $f\"; cat \"$f\"; echo; echo @@endfile; done; echo @@end";

// The sources files after the edit, and which of them it changed.
struct SourcesEdit {
  std::vector<SourcesFile> files;
  std::vector<size_t> touched;
  bool is_new = false;  // the line goes into a file that does not exist yet
};

// Reads every sources file in one command, edits them on the controller, writes those that changed.
class AptRepositoryRun : public Step {
 public:
  AptRepositoryRun(AptRepositoryArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (!prepared_) prepare();
    if (read_ || !failure_.is_null()) return std::nullopt;
    return shell_read(kReadSources);
  }

  void parse(const conn::CommandResult& read) override {
    read_ = true;
    if (read.out.find("@@end") == std::string::npos) {
      failure_ = util::failed("cannot read the apt sources: " + read.err);
      return;
    }
    files_ = parse_files(read.out);
  }

  Changes diff(const Plan*) const override {
    Changes c;
    if (!failure_.is_null()) {
      c.result = failure_;
      return c;
    }
    SourcesEdit edit = edited();
    c.changed = !edit.touched.empty();
    c.result = {{"changed", c.changed}, {"repo", args_.repo}, {"state", args_.state}};
    if (!c.changed) return c;
    c.diff = Value::array();
    for (size_t i : edit.touched) {
      const SourcesFile& f = edit.files[i];
      std::string after = f.lines.empty() ? "" : render(f);
      c.diff.push_back({{"before", f.content},
                        {"after", after},
                        {"before_header", f.exists ? f.path : "/dev/null"},
                        {"after_header", f.lines.empty() ? "/dev/null" : f.path}});
    }
    // The packages of a new source cannot be seen before a real run fetches its lists.
    if (args_.state == "present") c.predicted.refreshed_indexes.insert("apt");
    if (edit.is_new) c.predicted.paths.insert(target_);
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    SourcesEdit edit = edited();
    for (size_t i : edit.touched) {
      const SourcesFile& f = edit.files[i];
      if (f.lines.empty()) {
        conn::CommandResult rm = util::run(ctx, "rm -f -- " + shell_quote(f.path));
        if (rm.rc != 0) return util::failed("cannot remove " + f.path + ": " + rm.err);
        continue;
      }
      conn::PutOptions put;
      put.become = ctx.become;
      if (!f.exists) {
        int wanted_mode = !args_.mode.is_null() ? resolve_mode(args_.mode, 0644, false) : 0644;
        put.mode = octal_mode(wanted_mode, 4);
      }
      ctx.conn->put_file(render(f), f.path, put);
    }
    if (args_.update_cache) {
      conn::CommandResult up =
          util::run(ctx,
                    "export DEBIAN_FRONTEND=noninteractive LC_ALL=C; i=0; while :; do apt-get update -q >/dev/null && "
                    "exit 0; i=$((i + 1)); [ $i -lt 3 ] || exit 1; sleep 1; done");
      if (up.rc != 0) {
        Result f = util::failed("Failed to update apt cache: " + up.err);
        f["repo"] = args_.repo;
        f["state"] = args_.state;
        return f;
      }
    }
    return Value::object();
  }

 private:
  // The repository line and its file, from the arguments alone; a failure here needs no read.
  void prepare() {
    prepared_ = true;
    const std::string& repo = args_.repo;
    if (repo.rfind("ppa:", 0) == 0) {
      failure_ = util::failed("PPA repositories (ppa:) are only supported on Ubuntu");
      return;
    }
    wanted_ = apt::parse_source_line(repo);
    if (!wanted_.valid || !wanted_.enabled || repo.find('\n') != std::string::npos) {
      failure_ = util::failed("Invalid repository string: " + repo);
      return;
    }
    const std::string& filename = args_.filename;
    if (filename.find('/') != std::string::npos) {
      failure_ = util::failed("filename must not contain '/': " + filename);
      return;
    }
    target_ =
        "/etc/apt/sources.list.d/" + (filename.empty() ? apt::suggest_sources_filename(repo) : filename + ".list");
  }

  SourcesEdit edited() const {
    SourcesEdit edit{files_, {}, false};
    std::vector<SourcesFile>& files = edit.files;
    std::vector<size_t>& touched = edit.touched;
    if (args_.state == "present") {
      bool found = false;
      for (size_t i = 0; i < files.size(); ++i) {
        for (auto& l : files[i].lines) {
          if (!l.valid || l.source != wanted_.source) continue;
          found = true;
          if (!l.enabled) {
            l.enabled = true;
            touched.push_back(i);
          }
        }
      }
      if (!found) {
        auto it = std::find_if(files.begin(), files.end(), [&](const SourcesFile& f) { return f.path == target_; });
        if (it == files.end()) {
          files.push_back({target_, "", {}, false});
          it = files.end() - 1;
          edit.is_new = true;
        }
        apt::SourceLine line = wanted_;
        line.comment.clear();
        line.raw = wanted_.source;
        it->lines.push_back(line);
        touched.push_back(static_cast<size_t>(it - files.begin()));
      }
    } else {
      for (size_t i = 0; i < files.size(); ++i) {
        auto& lines = files[i].lines;
        size_t before = lines.size();
        lines.erase(std::remove_if(lines.begin(), lines.end(),
                                   [&](const apt::SourceLine& l) { return l.valid && l.source == wanted_.source; }),
                    lines.end());
        if (lines.size() != before) touched.push_back(i);
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    return edit;
  }

  AptRepositoryArgs args_;
  bool prepared_ = false, read_ = false;
  Result failure_;
  apt::SourceLine wanted_;
  std::string target_;
  std::vector<SourcesFile> files_;
};

class AptRepositoryModule : public TypedModule<AptRepositoryArgs, AptRepositoryRun> {
 public:
  AptRepositoryModule() : TypedModule("apt_repository") {}
};

}  // namespace

const Module& apt_repository_module() {
  static const AptRepositoryModule module;
  return module;
}

}  // namespace prov::mod
