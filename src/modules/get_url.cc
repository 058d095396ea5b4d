// get_url: downloads a URL on the host (with its curl or wget) to a temporary file next to dest, checks the
// checksum, then renames it into place. An existing dest is left alone when force=no (and its checksum matches
// when one is given); with force=yes the download replaces dest only when its content differs.
#include <algorithm>
#include <cctype>
#include <chrono>

#include "download.h"
#include "file_attrs.h"
#include "provision/modules/module.h"
#include "schema.h"
#include "sections.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

const std::vector<std::string> kAlgorithms = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512"};

// The file name Ansible takes from a URL when dest is a folder: the last path component, without the query.
std::string url_filename(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  size_t scheme = path.find("://");
  if (scheme != std::string::npos) {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  std::string name = util::basename(path);
  return name.empty() || name == "/" ? "index.html" : name;
}

// The heads of the "@@name head" lines of a script's output, by name.
std::map<std::string, std::string> markers(const std::string& out) {
  std::map<std::string, std::string> found;
  for (const Section& s : read_sections(out)) found[s.name] = s.head;
  return found;
}

Result fail(Result r, const std::string& msg) {
  r["failed"] = true;
  r["msg"] = msg;
  r["changed"] = false;
  return r;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

long long elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
}

// A download that did not succeed: no tool, a transport error, or an HTTP error status.
Result request_failed(const Result& r, std::map<std::string, std::string>& m, const std::string& err) {
  if (m["rc"] == "127") return fail(r, kNoDownloader);
  int code = 0;
  try {
    code = m["code"].empty() ? 0 : std::stoi(m["code"]);
  } catch (const std::exception&) {
    code = 0;
  }
  if (m["rc"] != "0" || code >= 400) {
    Result f = fail(r, "Request failed");
    f["status_code"] = code == 0 ? Value(-1) : Value(code);
    std::string response = err;
    while (!response.empty() && response.back() == '\n') response.pop_back();
    f["response"] = response.empty() ? "HTTP Error " + std::to_string(code) : response;
    return f;
  }
  return Value::object();
}

struct GetUrlArgs {
  std::string url, dest, checksum;
  FileAttributes attributes;
  bool force = false, validate_certs = true;
  Value headers;
  long long timeout = 10;

  static void describe(Schema<GetUrlArgs>& s) {
    s.field("url", &GetUrlArgs::url).required();
    s.field("dest", &GetUrlArgs::dest, ArgType::Path).required();
    s.field("checksum", &GetUrlArgs::checksum).default_value("");
    s.include(&GetUrlArgs::attributes);
    s.field("force", &GetUrlArgs::force).default_value(false).aliases({"thirsty"});
    s.field("headers", &GetUrlArgs::headers, ArgType::Dict);
    s.field("timeout", &GetUrlArgs::timeout).default_value(10);
    s.field("validate_certs", &GetUrlArgs::validate_certs).default_value(true);
  }
};

// Reads dest (and, when it is a folder, the file named after the URL in it). In check mode, as Ansible, a download
// is only asked of the server (HEAD) and nothing is written; otherwise apply() downloads to a temporary file next
// to dest and renames it into place only when its content differs.
class GetUrlRun : public Step {
 public:
  GetUrlRun(GetUrlArgs args, const Context& ctx)
      : args_(std::move(args)), dest_(args_.dest), asks_server_first_(ctx.check_mode) {
    request_.url = args_.url;
    request_.timeout = static_cast<int>(args_.timeout);
    request_.validate_certs = args_.validate_certs;
    if (args_.headers.is_object()) {
      for (const auto& [name, value] : args_.headers.items())
        request_.headers.emplace_back(name, to_plain_string(value));
    }
    read_checksum_argument();
  }

  std::optional<Probe> query() override {
    if (!refusal_.empty() || head_) return std::nullopt;
    if (!info_) return path_probe(dest_, true, algorithm_);
    if (!asks_server_first_ || !downloads()) return std::nullopt;
    head_started_ = std::chrono::steady_clock::now();
    DownloadRequest head = request_;
    head.head_only = true;
    Probe read = shell_read("if [ ! -d " + shell_quote(util::dirname(dest_)) + " ]; then echo @@nodir; exit 0; fi; " +
                            download_snippet(head, "-") + "echo \"@@rc $rc\"; echo \"@@code $code\"");
    read.stdin_data = download_stdin(head);
    return read;
  }

  void parse(const conn::CommandResult& read) override {
    if (info_) {
      head_ = markers(read.out);
      head_err_ = read.err;
      head_elapsed_ = elapsed_since(head_started_);
      return;
    }
    PathInfo info = read_path_probe(read, dest_);
    if (!in_folder_ && info.exists && info.type == "directory") {
      dest_ += (dest_.back() == '/' ? "" : "/") + url_filename(args_.url);
      in_folder_ = true;
      return;
    }
    info_ = info;
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    Result r = {{"changed", false}, {"checksum_dest", nullptr}, {"checksum_src", nullptr}, {"dest", dest_},
                {"elapsed", 0},     {"url", args_.url}};
    if (!refusal_.empty()) {
      c.result = fail(r, refusal_);
      return c;
    }
    if (!downloads()) {
      // Already there: only its attributes may change.
      Value attribute_diff;
      c.changed = !attribute_commands(dest_, *info_, args_.attributes, false, false, attribute_diff).empty();
      r["changed"] = c.changed;
      r["msg"] = c.changed ? "file already exists but file attributes changed" : "file already exists";
      add_path_info(r, *info_, "file");
      c.result = std::move(r);
      return c;
    }
    c.changed = true;
    if (!head_) {
      c.result = std::move(r);  // apply() downloads and tells whether the content differed
      return c;
    }
    std::map<std::string, std::string> m = *head_;
    r["elapsed"] = head_elapsed_;
    if (m.count("nodir")) {
      c.result = fail(r, "Destination " + util::dirname(dest_) + " does not exist");
      return c;
    }
    bool downloader_planned = plan != nullptr && (plan->packages.count("curl") + plan->packages.count("wget")) > 0;
    if (m["rc"] == "127" && downloader_planned) {
      r["msg"] = "check mode: curl or wget would be installed by an earlier task; the download is not verified";
    } else if (Result f = request_failed(r, m, head_err_); f.contains("failed")) {
      c.result = std::move(f);
      return c;
    } else {
      r["msg"] = "OK";
    }
    r["changed"] = true;
    c.result = std::move(r);
    c.predicted.paths.insert(dest_);
    return c;
  }

  Result apply(Context& ctx, const Changes& changes) override {
    if (!downloads()) {
      Value attribute_diff;
      apply_attribute_commands(ctx, attribute_commands(dest_, *info_, args_.attributes, false, false, attribute_diff));
      Result r = changes.result;
      add_path_info(r, probe_path(ctx, dest_, true), "file");
      return r;
    }
    return download(ctx, changes.result);
  }

 private:
  // The checksum argument, "<algorithm>:<hex digits>"; a malformed one is refused before the host is read.
  void read_checksum_argument() {
    if (args_.checksum.empty()) return;
    size_t colon = args_.checksum.find(':');
    if (colon == std::string::npos) {
      refusal_ = "The checksum parameter has to be in format <algorithm>:<checksum>";
      return;
    }
    algorithm_ = args_.checksum.substr(0, colon);
    std::string rest = args_.checksum.substr(colon + 1);
    if (rest.find("://") != std::string::npos) {
      refusal_ = "a checksum read from a URL is not supported";
      return;
    }
    for (char c : rest) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        wanted_sum_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    if (wanted_sum_.empty() || wanted_sum_.find_first_not_of("0123456789abcdef") != std::string::npos) {
      refusal_ = "The checksum format is invalid";
    } else if (std::find(kAlgorithms.begin(), kAlgorithms.end(), algorithm_) == kAlgorithms.end()) {
      refusal_ = "Unsupported hash algorithm: " + algorithm_;
    }
  }

  bool downloads() const {
    return !(info_->exists && !args_.force && (wanted_sum_.empty() || info_->checksum == wanted_sum_));
  }

  Result download(Context& ctx, Result r) const {
    auto start = std::chrono::steady_clock::now();
    const std::string dir = util::dirname(dest_);
    const std::string q_dest = shell_quote(dest_);
    std::string script =
        "if [ ! -d " + shell_quote(dir) + " ]; then echo @@nodir; exit 0; fi; tmp=$(mktemp " + shell_quote(dir) +
        "/.provision-get_url.XXXXXX) || exit 1; " + download_snippet(request_, "\"$tmp\"") +
        "echo \"@@rc $rc\"; echo \"@@code $code\"; " +
        "if [ $rc -ne 0 ] || [ \"${code:-200}\" -ge 400 ] 2>/dev/null; then rm -f \"$tmp\"; exit 0; fi; "
        "echo \"@@tmp $tmp\"; echo \"@@size $(wc -c < \"$tmp\")\"; "
        "sha1=$(sha1sum < \"$tmp\" | cut -d' ' -f1); echo \"@@sha1 $sha1\"; ";
    if (!wanted_sum_.empty()) {
      script += "sum=$(" + algorithm_ +
                "sum < \"$tmp\" | cut -d' ' -f1); echo \"@@sum $sum\"; if [ \"$sum\" != " + shell_quote(wanted_sum_) +
                " ]; then rm -f \"$tmp\"; exit 0; fi; ";
    }
    script += "if [ -e " + q_dest + " ]; then echo \"@@dest_sha1 $(sha1sum < " + q_dest +
              " | cut -d' ' -f1)\"; fi; "
              "if [ -e " +
              q_dest + " ] && [ \"$(sha1sum < " + q_dest +
              " | cut -d' ' -f1)\" = \"$sha1\" ]; then rm -f \"$tmp\"; else { if [ -e " + q_dest +
              " ]; then chmod --reference=" + q_dest + " \"$tmp\" && chown --reference=" + q_dest +
              " \"$tmp\"; else chmod \"$(printf '%o' $((0666 & ~0$(umask))))\" \"$tmp\"; fi && mv -f \"$tmp\" " +
              q_dest + " && echo @@moved; } || { rm -f \"$tmp\"; exit 1; }; fi; echo \"@@md5 $(md5sum < " + q_dest +
              " | cut -d' ' -f1)\"";
    conn::CommandResult res = util::run(ctx, script, download_stdin(request_));
    auto m = markers(res.out);
    r["elapsed"] = elapsed_since(start);
    if (m.count("nodir")) return fail(r, "Destination " + dir + " does not exist");
    if (Result f = request_failed(r, m, res.err); f.contains("failed")) return f;
    if (m.count("sha1")) r["checksum_src"] = m["sha1"];
    if (m.count("dest_sha1")) r["checksum_dest"] = m["dest_sha1"];
    r["src"] = m["tmp"];
    if (!wanted_sum_.empty() && m["sum"] != wanted_sum_) {
      return fail(r, "The checksum for " + m["tmp"] + " did not match " + wanted_sum_ + "; it was " + m["sum"] + ".");
    }
    if (res.rc != 0) return fail(r, "failed to copy " + m["tmp"] + " to " + dest_ + ": " + first_line(res.err));
    bool moved = m.count("moved") > 0;
    PathInfo info = probe_path(ctx, dest_, true);
    Value attribute_diff;
    std::string attribute_fix = attribute_commands(dest_, info, args_.attributes, false, false, attribute_diff);
    if (!attribute_fix.empty()) {
      apply_attribute_commands(ctx, attribute_fix);
      info = probe_path(ctx, dest_, true);
    }
    r["changed"] = moved || !attribute_fix.empty();
    r["md5sum"] = m["md5"];
    r["msg"] = "OK (" + m["size"] + " bytes)";
    r["status_code"] = std::stoi(m["code"].empty() ? "200" : m["code"]);
    add_path_info(r, info, "file");
    return r;
  }

  GetUrlArgs args_;
  std::string dest_;
  bool asks_server_first_;
  DownloadRequest request_;
  std::string refusal_, algorithm_, wanted_sum_;
  bool in_folder_ = false;
  std::optional<PathInfo> info_;
  std::optional<std::map<std::string, std::string>> head_;
  std::string head_err_;
  std::chrono::steady_clock::time_point head_started_;
  long long head_elapsed_ = 0;
};

}  // namespace

const Module& get_url_module() {
  static const TypedModule<GetUrlArgs, GetUrlRun> module("get_url");
  return module;
}

}  // namespace prov::mod
