// apt_key: puts an OpenPGP key where apt finds it, without apt-key or gpg on the host. The key comes inline (data),
// from a file on the host (file) or a URL fetched by the host (url); one probe reads it together with the keyrings.
// Armored keys are dearmored on the controller; a keyring ending in .asc keeps the armored text (apt >= 2.4 reads
// it). Without keyring the key goes to /etc/apt/trusted.gpg.d/<KEYID>.gpg.
#include <algorithm>
#include <sstream>

#include "download.h"
#include "openpgp.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

const char* const kTrustedDir = "/etc/apt/trusted.gpg.d";

struct Keyring {
  std::string path;
  std::string content;  // raw bytes
  std::vector<pgp::Key> keys;
  bool armored = false;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Value fingerprints(const std::vector<Keyring>& rings) {
  Value out = Value::array();
  for (const auto& r : rings) {
    for (const auto& k : r.keys) out.push_back(k.fingerprint);
  }
  return out;
}

class AptKeyModule : public Module {
 public:
  AptKeyModule() {
    using util::arg;
    spec_.name = "apt_key";
    spec_.args = {
        arg("id"),
        arg("url"),
        arg("file", ArgType::Path),
        arg("data"),
        arg("keyring", ArgType::Path),
        arg("keyserver"),
        arg("state").default_value("present").choices({"absent", "present"}),
        arg("validate_certs", ArgType::Bool).default_value(true),
    };
    spec_.mutually_exclusive = {{"data", "file", "keyserver", "url"}};
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string id = util::str(args, "id"), url = util::str(args, "url"), file = util::str(args, "file");
    const std::string keyring = util::str(args, "keyring"), state = util::str(args, "state");
    std::string data = util::str(args, "data");
    if (!util::str(args, "keyserver").empty()) {
      return util::failed(
          "keyserver is not supported by provision's apt_key (it needs gpg on the host): download "
          "the key with url= instead");
    }
    if (state == "absent" && id.empty()) return util::failed("id is required when state=absent");
    if (state == "present" && url.empty() && file.empty() && data.empty()) {
      return util::failed("one of url, file or data is required when state=present");
    }

    // The probe: the key (downloaded or read on the host), then each keyring as base64.
    std::string script = "set -u; ";
    DownloadRequest req;
    if (state == "present" && !url.empty()) {
      req.url = url;
      req.apt_helper = true;
      req.validate_certs = util::flag(args, "validate_certs");
      // The key travels as base64; the tool's status comes out of the pipeline on fd 3.
      script += "exec 4>&1; echo @@key; st=$( { { " + download_snippet(req, "-") +
                "echo \"$rc $code\" >&3; } | base64 -w0 >&4; } 3>&1 ); echo; echo \"@@download $st\"; ";
    } else if (state == "present" && !file.empty()) {
      script += "echo @@key; if [ -r " + shell_quote(file) + " ]; then cat -- " + shell_quote(file) +
                " | base64 -w0; echo; echo '@@download 0 200'; else echo '@@download nofile'; fi; ";
    }
    std::string rings = keyring.empty() ? "/etc/apt/trusted.gpg " + std::string(kTrustedDir) + "/*.gpg " +
                                              std::string(kTrustedDir) + "/*.asc"
                                        : shell_quote(keyring);
    script += "for f in " + rings +
              "; do [ -f \"$f\" ] || continue; echo \"@@ring $f\"; base64 -w0 < \"$f\"; "
              "echo; done; echo @@end";
    conn::CommandResult res = util::run(ctx, script, download_stdin(req));
    std::map<std::string, std::string> sec;
    std::vector<Keyring> current;
    {
      std::istringstream in(res.out);
      std::string line, section;
      while (std::getline(in, line)) {
        if (line.rfind("@@ring ", 0) == 0) {
          current.push_back({line.substr(7), "", {}, false});
          section = "ring";
        } else if (line.rfind("@@", 0) == 0) {
          size_t space = line.find(' ');
          section = line.substr(2, space == std::string::npos ? std::string::npos : space - 2);
          sec[section] = space == std::string::npos ? "" : line.substr(space + 1);
          if (section == "key") sec["key"].clear();
        } else if (section == "ring") {
          current.back().content += line;
        } else if (section == "key") {
          sec["key"] += line + "\n";
        }
      }
    }
    if (!sec.count("end")) return util::failed("cannot read the apt keyrings: " + res.err);
    for (auto& ring : current) {
      ring.content = pgp::base64_decode(ring.content);
      try {
        ring.armored = pgp::is_armored(ring.content);
        ring.keys = pgp::parse_keys(ring.armored ? pgp::dearmor(ring.content) : ring.content);
      } catch (const Error& e) {
        if (!keyring.empty()) return util::failed("the keyring " + ring.path + " cannot be read: " + e.what());
        ring.keys.clear();  // apt's own directories may hold other formats; they are not ours to judge
      }
    }
    Value before = fingerprints(current);
    Result r = {{"changed", false}, {"before", before}, {"after", before}};

    if (state == "absent") {
      bool changed = false;
      for (auto& ring : current) {
        auto keep = std::remove_if(ring.keys.begin(), ring.keys.end(),
                                   [&](const pgp::Key& k) { return pgp::id_matches(id, k); });
        if (keep == ring.keys.end()) continue;
        ring.keys.erase(keep, ring.keys.end());
        changed = true;
        if (ctx.check_mode) continue;
        if (ring.keys.empty()) {
          conn::CommandResult rm = util::run(ctx, "rm -f -- " + shell_quote(ring.path));
          if (rm.rc != 0) return util::failed("cannot remove " + ring.path + ": " + rm.err);
        } else {
          std::string packets;
          for (const auto& k : ring.keys) packets += k.packets;
          if (ring.armored) {
            return util::failed("removing one key from the armored keyring " + ring.path +
                                " is not supported: remove the file instead");
          }
          conn::PutOptions put;
          put.become = ctx.become;
          ctx.conn->put_file(packets, ring.path, put);
        }
      }
      r["changed"] = changed;
      r["after"] = fingerprints(current);
      r["id"] = id;
      return r;
    }

    // The new key, binary, and how it is stored.
    if (sec.count("download")) {
      std::istringstream d(sec["download"]);
      std::string rc, code;
      d >> rc >> code;
      if (rc == "nofile") return util::failed("cannot read the key file " + file + " on the host");
      if (rc == "127") return util::failed(std::string("cannot download ") + url + ": " + kNoDownloader);
      if (rc != "0" || (!code.empty() && code >= "400")) {
        std::string err = res.err;
        while (!err.empty() && err.back() == '\n') err.pop_back();
        return util::failed("Failed to download key at " + url + ": " +
                            (code.empty() || code == "000" ? err : "HTTP Error " + code));
      }
      data = sec["key"];
      if (!data.empty()) data.pop_back();  // the newline the probe added after the key
      data = pgp::base64_decode(data);
    }
    std::string binary;
    std::vector<pgp::Key> keys;
    try {
      binary = pgp::is_armored(data) ? pgp::dearmor(data) : data;
      keys = pgp::parse_keys(binary);
    } catch (const Error& e) {
      return util::failed(std::string("the key is not a valid OpenPGP public key: ") + e.what());
    }
    if (keys.empty() || keys.front().fingerprint.empty()) {
      return util::failed("the key is not a version 4 OpenPGP public key");
    }
    const pgp::Key& key = keys.front();
    if (!id.empty() &&
        std::none_of(keys.begin(), keys.end(), [&](const pgp::Key& k) { return pgp::id_matches(id, k); })) {
      return util::failed("the key given has fingerprint " + key.fingerprint + ", which does not match id " + id);
    }
    r["fp"] = key.fingerprint;
    r["id"] = id.empty() ? key.key_id() : id;
    r["key_id"] = key.key_id();
    r["short_id"] = key.short_id();

    auto has = [&](const pgp::Key& k) {
      for (const auto& ring : current) {
        for (const auto& have : ring.keys) {
          if (have.fingerprint == k.fingerprint) return true;
        }
      }
      return false;
    };
    if (std::all_of(keys.begin(), keys.end(), has)) return r;

    std::string path = keyring.empty() ? std::string(kTrustedDir) + "/" + key.key_id() + ".gpg" : keyring;
    std::string content;
    if (ends_with(path, ".asc")) {
      if (!pgp::is_armored(data)) {
        return util::failed("the keyring " + path + " ends in .asc but the key is binary: name the keyring .gpg");
      }
      content = data;  // apt reads an armored key from a .asc file as is
    } else {
      auto it = std::find_if(current.begin(), current.end(), [&](const Keyring& k) { return k.path == path; });
      if (it != current.end()) {
        if (it->armored) return util::failed("the keyring " + path + " holds an armored key: name the keyring .asc");
        content = it->content;
      }
      for (const auto& k : keys) {
        if (!has(k)) content += k.packets;
      }
    }
    r["changed"] = true;
    Value after = before;
    for (const auto& k : keys) {
      if (!has(k)) after.push_back(k.fingerprint);
    }
    r["after"] = after;
    if (ctx.check_mode) {
      if (ctx.plan != nullptr) ctx.plan->paths.insert(path);
      return r;
    }
    conn::CommandResult dir = util::run(ctx, "[ -d " + shell_quote(util::dirname(path)) + " ]");
    if (dir.rc != 0) return util::failed("the keyring's folder " + util::dirname(path) + " does not exist");
    conn::PutOptions put;
    put.mode = "0644";
    put.become = ctx.become;
    ctx.conn->put_file(content, path, put);
    return r;
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

const Module& apt_key_module() {
  static const AptKeyModule module;
  return module;
}

}  // namespace prov::mod
