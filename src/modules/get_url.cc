// get_url: downloads a URL on the host (with its curl or wget) to a temporary file next to dest, checks the
// checksum, then renames it into place. An existing dest is left alone when force=no (and its checksum matches
// when one is given); with force=yes the download replaces dest only when its content differs.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>

#include "download.h"
#include "file_attrs.h"
#include "provision/modules/module.h"
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

// "key value" lines marked with "@@" in a script's output.
std::map<std::string, std::string> markers(const std::string& out) {
  std::map<std::string, std::string> found;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("@@", 0) != 0) continue;
    size_t space = line.find(' ');
    found[line.substr(2, space == std::string::npos ? std::string::npos : space - 2)] =
        space == std::string::npos ? "" : line.substr(space + 1);
  }
  return found;
}

class GetUrlModule : public Module {
 public:
  GetUrlModule() {
    using util::arg;
    spec_.name = "get_url";
    spec_.args = {
        arg("url").required(),
        arg("dest", ArgType::Path).required(),
        arg("checksum").default_value(""),
        arg("mode", ArgType::Raw),
        arg("owner"),
        arg("group"),
        arg("force", ArgType::Bool).default_value(false).aliases({"thirsty"}),
        arg("headers", ArgType::Dict),
        arg("timeout", ArgType::Int).default_value(10),
        arg("validate_certs", ArgType::Bool).default_value(true),
    };
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string url = util::str(args, "url");
    std::string dest = util::str(args, "dest");
    bool force = util::flag(args, "force");
    Result r = {
        {"changed", false}, {"checksum_dest", nullptr}, {"checksum_src", nullptr}, {"dest", dest}, {"elapsed", 0},
        {"url", url}};

    std::string algorithm, wanted;
    const std::string checksum = util::str(args, "checksum");
    if (!checksum.empty()) {
      size_t colon = checksum.find(':');
      if (colon == std::string::npos) {
        return fail(r, "The checksum parameter has to be in format <algorithm>:<checksum>");
      }
      algorithm = checksum.substr(0, colon);
      std::string rest = checksum.substr(colon + 1);
      if (rest.find("://") != std::string::npos) return fail(r, "a checksum read from a URL is not supported");
      for (char c : rest) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
          wanted += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      if (wanted.empty() || wanted.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return fail(r, "The checksum format is invalid");
      }
      if (std::find(kAlgorithms.begin(), kAlgorithms.end(), algorithm) == kAlgorithms.end()) {
        return fail(r, "Unsupported hash algorithm: " + algorithm);
      }
    }

    DownloadRequest req;
    req.url = url;
    req.timeout = static_cast<int>(args["timeout"].get<long long>());
    req.validate_certs = util::flag(args, "validate_certs");
    if (const Value* h = find_key(args, "headers"); h != nullptr && h->is_object()) {
      for (const auto& [name, value] : h->items()) req.headers.emplace_back(name, to_plain_string(value));
    }

    PathInfo info = probe_path(ctx, dest, true, algorithm);
    if (info.exists && info.type == "directory") {
      dest += (dest.back() == '/' ? "" : "/") + url_filename(url);
      r["dest"] = dest;
      info = probe_path(ctx, dest, true, algorithm);
    }
    if (info.exists && !force && (wanted.empty() || info.checksum == wanted)) {
      // Already there: only its attributes may change.
      Value diff;
      r["changed"] = apply_attributes(ctx, dest, info, args, false, false, diff);
      r["msg"] = r["changed"].get<bool>() ? "file already exists but file attributes changed" : "file already exists";
      if (r["changed"].get<bool>() && !ctx.check_mode) info = probe_path(ctx, dest, true);
      add_path_info(r, info, "file");
      return r;
    }
    if (info.exists && !wanted.empty() && info.checksum != wanted) force = true;

    auto start = std::chrono::steady_clock::now();
    std::string dir = util::dirname(dest);
    if (ctx.check_mode) {
      // As Ansible: only ask the server (HEAD); nothing is written on the host.
      req.head_only = true;
      std::string script = "if [ ! -d " + shell_quote(dir) + " ]; then echo @@nodir; exit 0; fi; " +
                           download_snippet(req, "-") + "echo \"@@rc $rc\"; echo \"@@code $code\"";
      conn::CommandResult res = util::run(ctx, script, download_stdin(req));
      auto m = markers(res.out);
      r["elapsed"] = elapsed(start);
      if (m.count("nodir")) return fail(r, "Destination " + dir + " does not exist");
      if (m["rc"] == "127" && downloader_planned(ctx)) {
        r["msg"] = "check mode: curl or wget would be installed by an earlier task; the download is not verified";
      } else if (Result f = request_failed(r, m, res.err); f.contains("failed")) {
        return f;
      } else {
        r["msg"] = "OK";
      }
      r["changed"] = true;
      if (ctx.plan != nullptr) ctx.plan->paths.insert(dest);
      return r;
    }

    const std::string q_dest = shell_quote(dest);
    std::string script =
        "if [ ! -d " + shell_quote(dir) + " ]; then echo @@nodir; exit 0; fi; tmp=$(mktemp " + shell_quote(dir) +
        "/.provision-get_url.XXXXXX) || exit 1; " + download_snippet(req, "\"$tmp\"") +
        "echo \"@@rc $rc\"; echo \"@@code $code\"; " +
        "if [ $rc -ne 0 ] || [ \"${code:-200}\" -ge 400 ] 2>/dev/null; then rm -f \"$tmp\"; exit 0; fi; "
        "echo \"@@tmp $tmp\"; echo \"@@size $(wc -c < \"$tmp\")\"; "
        "sha1=$(sha1sum < \"$tmp\" | cut -d' ' -f1); echo \"@@sha1 $sha1\"; ";
    if (!wanted.empty()) {
      script += "sum=$(" + algorithm +
                "sum < \"$tmp\" | cut -d' ' -f1); echo \"@@sum $sum\"; if [ \"$sum\" != " + shell_quote(wanted) +
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
    conn::CommandResult res = util::run(ctx, script, download_stdin(req));
    auto m = markers(res.out);
    r["elapsed"] = elapsed(start);
    if (m.count("nodir")) return fail(r, "Destination " + dir + " does not exist");
    if (Result f = request_failed(r, m, res.err); f.contains("failed")) return f;
    if (m.count("sha1")) r["checksum_src"] = m["sha1"];
    if (m.count("dest_sha1")) r["checksum_dest"] = m["dest_sha1"];
    r["src"] = m["tmp"];
    if (!wanted.empty() && m["sum"] != wanted) {
      return fail(r, "The checksum for " + m["tmp"] + " did not match " + wanted + "; it was " + m["sum"] + ".");
    }
    if (res.rc != 0) return fail(r, "failed to copy " + m["tmp"] + " to " + dest + ": " + first_line(res.err));
    bool moved = m.count("moved") > 0;
    info = probe_path(ctx, dest, true);
    Value diff;
    bool attrs = apply_attributes(ctx, dest, info, args, false, false, diff);
    if (attrs) info = probe_path(ctx, dest, true);
    r["changed"] = moved || attrs;
    r["md5sum"] = m["md5"];
    r["msg"] = "OK (" + m["size"] + " bytes)";
    r["status_code"] = std::stoi(m["code"].empty() ? "200" : m["code"]);
    add_path_info(r, info, "file");
    return r;
  }

 private:
  static bool downloader_planned(const Context& ctx) {
    return ctx.plan != nullptr && (ctx.plan->packages.count("curl") > 0 || ctx.plan->packages.count("wget") > 0);
  }

  static Result fail(Result r, const std::string& msg) {
    r["failed"] = true;
    r["msg"] = msg;
    r["changed"] = false;
    return r;
  }

  static std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line;
  }

  static long long elapsed(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  }

  // A download that did not succeed: no tool, a transport error, or an HTTP error status.
  static Result request_failed(const Result& r, std::map<std::string, std::string>& m, const std::string& err) {
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

  ModuleSpec spec_;
};

}  // namespace

const Module& get_url_module() {
  static const GetUrlModule module;
  return module;
}

}  // namespace prov::mod
