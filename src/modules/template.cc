// template: renders a Jinja2 template on the controller and puts the result on the host through the writer copy
// uses, so checksum comparison, backup, validate, mode/owner/group, check and diff mode behave as copy's.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "content_writer.h"
#include "path_fact.h"
#include "provision/modules/module.h"
#include "provision/template/engine.h"
#include "schema.h"
#include "util.h"

namespace prov::mod {

namespace {

constexpr const char* kAnsibleManaged = "Ansible managed";  // ansible-core 2.14's DEFAULT_MANAGED_STR

// The task's variables plus the names Ansible adds for a template (ansible_managed, template_path, ...), which
// win over task variables of the same name as they do in Ansible.
class TemplateVars : public tmpl::Vars {
 public:
  TemplateVars(const tmpl::Vars* task_vars, Value extra) : task_vars_(task_vars), extra_(std::move(extra)) {}
  const Value* find(std::string_view name, bool* data) const override {
    if (data) *data = false;
    if (auto it = extra_.find(name); it != extra_.end()) return &*it;
    return task_vars_ != nullptr ? task_vars_->find(name, data) : nullptr;
  }

 private:
  const tmpl::Vars* task_vars_;
  Value extra_;
};

std::string controller_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

// Ansible's template_uid is the name of the template file's owner, not of the user running the play.
std::string owner_name(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  // getpwuid_r: hosts run templates in parallel threads, and getpwuid's static buffer is shared.
  passwd pw{};
  passwd* found = nullptr;
  std::string buf(16384, '\0');
  if (::getpwuid_r(st.st_uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) return pw.pw_name;
  return std::to_string(st.st_uid);
}

size_t trailing_linefeeds(const std::string& text) {
  size_t n = 0;
  while (n < text.size() && text[text.size() - 1 - n] == '\n') ++n;
  return n;
}

// Marks the end of the top-level template's output so the text Jinja produced can be told apart from the
// trailing newlines the engine adds back; those are re-added here with newline_sequence, counted as Ansible does.
constexpr std::string_view kEndMarker = "\x02provision-template-end\x03";

// Jinja writes every newline of the template as newline_sequence and drops the template's last newline; Ansible
// then pads the output with newline_sequence until it ends in as many '\n' as the template file did (counting
// only '\n', so "\r\n" output gets more padding than the template had, exactly as Ansible does).
std::string apply_newlines(const std::string& jinja_output, const std::string& raw_source,
                           const std::string& sequence) {
  std::string out;
  for (char c : jinja_output) {
    if (c == '\n')
      out += sequence;
    else
      out += c;
  }
  size_t wanted = trailing_linefeeds(raw_source), have = trailing_linefeeds(out);
  for (size_t i = have; i < wanted; ++i) out += sequence;
  return out;
}

// Any \r\n or lone \r becomes \n, as Jinja's lexer reads them.
std::string to_linefeeds(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct TemplateArgs {
  std::string src, dest;
  FileAttributes attrs;
  bool backup = false, force = true;
  std::string validate, newline_sequence;
  bool trim_blocks = true, lstrip_blocks = false;
  std::string output_encoding;
  bool follow = false;

  static void describe(Schema<TemplateArgs>& s) {
    s.field("src", &TemplateArgs::src, ArgType::Path).required();
    s.field("dest", &TemplateArgs::dest, ArgType::Path).required();
    s.include(&TemplateArgs::attrs);
    s.field("backup", &TemplateArgs::backup).default_value(false);
    s.field("force", &TemplateArgs::force).default_value(true);
    s.field("validate", &TemplateArgs::validate);
    s.field("newline_sequence", &TemplateArgs::newline_sequence).default_value("\n").choices({"\n", "\r\n", "\r"});
    s.field("trim_blocks", &TemplateArgs::trim_blocks).default_value(true);
    s.field("lstrip_blocks", &TemplateArgs::lstrip_blocks).default_value(false);
    s.field("output_encoding", &TemplateArgs::output_encoding).default_value("utf-8");
    s.field("follow", &TemplateArgs::follow).default_value(false);
  }
};

// Reads dest, renders on the controller once it is read (a step built only for its first query renders nothing),
// then writes through a ContentWriter as copy does.
class TemplateRun : public Step {
 public:
  TemplateRun(TemplateArgs args, const Context& ctx) : args_(std::move(args)), ctx_(&ctx) {}

  std::optional<Probe> query() override {
    // The writer's first read: dest, a link followed, with its checksum.
    if (!writer_ && failure_.is_null()) return path_probe(args_.dest, true, "sha1");
    return writer_ ? writer_->query() : std::nullopt;
  }

  void parse(const conn::CommandResult& read) override {
    if (!writer_) {
      std::optional<util::FileContent> file = render();
      if (!file) return;
      writer_.emplace(std::move(*file), WriteOptions{args_.attrs, args_.backup, args_.force, args_.validate});
    }
    writer_->parse(read);
  }

  Changes diff(const Plan* plan) const override {
    if (writer_) return writer_->diff(plan);
    Changes c;
    c.result = failure_;
    return c;
  }

  Result apply(Context& ctx, const Changes&) override { return writer_->apply(ctx); }

 private:
  // The rendered file, or nullopt with failure_ set.
  std::optional<util::FileContent> render() {
    const Context& ctx = *ctx_;
    namespace fs = std::filesystem;
    const std::string& src = args_.src;
    const std::string& dest = args_.dest;
    std::string local = util::find_controller_file(ctx, src);
    if (local.empty() || fs::is_directory(local)) return fail(util::not_found_message(ctx, src));
    local = fs::absolute(local).lexically_normal().string();

    std::ifstream in(local, std::ios::binary);
    if (!in) return fail(util::not_found_message(ctx, src));
    std::ostringstream data;
    data << in.rdbuf();
    const std::string raw_source = data.str();
    // Jinja's own handling of the last newline, done here so the end marker can follow it (see kEndMarker).
    std::string source = to_linefeeds(raw_source);
    if (!source.empty() && source.back() == '\n') source.pop_back();
    source += kEndMarker;

    TemplateVars vars(ctx.vars, Value{
                                    {"ansible_managed", kAnsibleManaged},
                                    {"template_host", controller_hostname()},
                                    {"template_path", src},  // as given; the full path is next
                                    {"template_fullpath", local},
                                    {"template_destpath", dest},
                                    {"template_uid", owner_name(local)},
                                    {"template_run_date", util::timestamp(std::chrono::system_clock::now())},
                                });
    tmpl::Options options;
    options.name = local;
    options.trim_blocks = args_.trim_blocks;
    options.lstrip_blocks = args_.lstrip_blocks;
    options.keep_trailing_newline = false;  // as Jinja in Ansible, for included templates too
    options.search_paths.push_back(util::dirname(local));
    options.search_paths.insert(options.search_paths.end(), ctx.search_paths.begin(), ctx.search_paths.end());

    std::string rendered;
    try {
      rendered = tmpl::render(source, vars, options);
    } catch (const tmpl::TemplateError& e) {
      std::string msg = e.loc().known() ? e.loc().str() + ": " + e.message() : e.message();
      // A syntax error quotes the offending line, which on the last line carries the end marker.
      if (size_t at = msg.find(kEndMarker); at != std::string::npos) msg.erase(at, kEndMarker.size());
      return fail(msg);
    }
    util::FileContent file;
    // A child template ({% extends %}) drops text outside its blocks, the marker included: nothing to strip.
    const size_t marker = rendered.rfind(kEndMarker);
    if (marker != std::string::npos && marker + kEndMarker.size() == rendered.size()) rendered.resize(marker);
    file.content = apply_newlines(rendered, raw_source, args_.newline_sequence);
    file.dest = dest;
    file.shown_src = local;
    file.diff_source = local;
    file.src_name = local;
    return file;
  }

  std::optional<util::FileContent> fail(const std::string& msg) {
    failure_ = util::failed(msg);
    return std::nullopt;
  }

  TemplateArgs args_;
  const Context* ctx_;
  std::optional<ContentWriter> writer_;
  Result failure_;
};

class TemplateModule : public TypedModule<TemplateArgs, TemplateRun> {
 public:
  TemplateModule() : TypedModule("template") {}
};

}  // namespace

const Module& template_module() {
  static const TemplateModule module;
  return module;
}

}  // namespace prov::mod
