// apt_key: puts an OpenPGP key where apt finds it, without apt-key or gpg on the host. The key comes inline (data),
// from a file on the host (file) or a URL fetched by the host (url); one probe reads it together with the keyrings.
// Armored keys are dearmored on the controller; a keyring ending in .asc keeps the armored text (apt >= 2.4 reads
// it). Without keyring the key goes to /etc/apt/trusted.gpg.d/<KEYID>.gpg.
#include "apt_key.h"

#include <algorithm>
#include <sstream>

#include "download.h"
#include "provision/modules/module.h"
#include "schema.h"
#include "sections.h"

namespace prov::mod {

namespace {

using conn::shell_quote;

const char* const kTrustedDir = "/etc/apt/trusted.gpg.d";

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

struct AptKeyArgs {
  std::string id, url, file, data, keyring, keyserver, state;
  bool validate_certs = true;

  static void describe(Schema<AptKeyArgs>& s) {
    s.field("id", &AptKeyArgs::id);
    s.field("url", &AptKeyArgs::url);
    s.field("file", &AptKeyArgs::file, ArgType::Path);
    s.field("data", &AptKeyArgs::data);
    s.field("keyring", &AptKeyArgs::keyring, ArgType::Path);
    s.field("keyserver", &AptKeyArgs::keyserver);
    s.field("state", &AptKeyArgs::state).default_value("present").choices({"absent", "present"});
    s.field("validate_certs", &AptKeyArgs::validate_certs).default_value(true);
  }
};

// What the task would do to the keyrings read: the result, and the keyrings to write or remove.
struct KeyChange {
  Result result;
  bool changed = false;
  std::string failure;
  std::vector<Keyring> rings;  // absent: every keyring, without the key; touched ones marked
  std::vector<bool> touched;
  std::string path, content;  // present: the keyring written
};

class AptKeyRun : public Step {
 public:
  AptKeyRun(AptKeyArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (was_read_ || !refusal().empty()) return std::nullopt;
    return shell_read(probe_command());
  }
  void parse(const conn::CommandResult& read) override {
    read_ = parse_apt_key_probe(read, !args_.keyring.empty());
    download_err_ = read.err;
    was_read_ = true;
  }

  Changes diff(const Plan*) const override {
    Changes c;
    KeyChange change = evaluate();
    if (!change.failure.empty()) {
      c.result = util::failed(change.failure);
      return c;
    }
    c.changed = change.changed;
    c.result = std::move(change.result);
    if (c.changed && args_.state == "present") c.predicted.paths.insert(change.path);
    return c;
  }

  Result apply(Context& ctx, const Changes& changes) override {
    KeyChange change = evaluate();
    conn::PutOptions put;
    put.become = ctx.become;
    if (args_.state == "absent") {
      for (size_t i = 0; i < change.rings.size(); ++i) {
        const Keyring& ring = change.rings[i];
        if (!change.touched[i]) continue;
        if (ring.keys.empty()) {
          conn::CommandResult rm = util::run(ctx, "rm -f -- " + shell_quote(ring.path));
          if (rm.rc != 0) return util::failed("cannot remove " + ring.path + ": " + rm.err);
          continue;
        }
        if (ring.armored) {
          return util::failed("removing one key from the armored keyring " + ring.path +
                              " is not supported: remove the file instead");
        }
        std::string packets;
        for (const auto& k : ring.keys) packets += k.packets;
        ctx.conn->put_file(packets, ring.path, put);
      }
      return changes.result;
    }
    const std::string folder = util::dirname(change.path);
    conn::CommandResult dir = util::run(ctx, "[ -d " + shell_quote(folder) + " ]");
    if (dir.rc != 0) return util::failed("the keyring's folder " + folder + " does not exist");
    put.mode = "0644";
    ctx.conn->put_file(change.content, change.path, put);
    return changes.result;
  }

 private:
  std::string refusal() const {
    if (!args_.keyserver.empty()) {
      return "keyserver is not supported by provision's apt_key (it needs gpg on the host): download the key with "
             "url= instead";
    }
    if (args_.state == "absent" && args_.id.empty()) return "id is required when state=absent";
    if (args_.state == "present" && args_.url.empty() && args_.file.empty() && args_.data.empty()) {
      return "one of url, file or data is required when state=present";
    }
    return "";
  }

  // The key (downloaded or read on the host), then each keyring as base64.
  std::string probe_command() const {
    std::string script = "set -u; ";
    if (args_.state == "present" && !args_.url.empty()) {
      // The key travels as base64; the tool's status comes out of the pipeline on fd 3.
      script += "exec 4>&1; echo @@key; st=$( { { " + download_snippet(download_request(), "-") +
                "echo \"$rc $code\" >&3; } | base64 -w0 >&4; } 3>&1 ); echo; echo \"@@download $st\"; ";
    } else if (args_.state == "present" && !args_.file.empty()) {
      script += "echo @@key; if [ -r " + shell_quote(args_.file) + " ]; then cat -- " + shell_quote(args_.file) +
                " | base64 -w0; echo; echo '@@download 0 200'; else echo '@@download nofile'; fi; ";
    }
    std::string rings = args_.keyring.empty() ? "/etc/apt/trusted.gpg " + std::string(kTrustedDir) + "/*.gpg " +
                                                    std::string(kTrustedDir) + "/*.asc"
                                              : shell_quote(args_.keyring);
    return script + "for f in " + rings +
           "; do [ -f \"$f\" ] || continue; echo \"@@ring $f\"; base64 -w0 < \"$f\"; "
           "echo; done; echo @@end";
  }

  DownloadRequest download_request() const {
    DownloadRequest req;
    req.url = args_.url;
    req.apt_helper = true;
    req.validate_certs = args_.validate_certs;
    return req;
  }

  KeyChange evaluate() const {
    KeyChange change;
    if (std::string refused = refusal(); !refused.empty()) {
      change.failure = refused;
      return change;
    }
    if (!read_.failure.empty()) {
      change.failure = read_.failure;
      return change;
    }
    const Value before = fingerprints(read_.rings);
    change.result = {{"changed", false}, {"before", before}, {"after", before}};
    if (args_.state == "absent") {
      remove_key(change);
    } else {
      add_key(change, before);
    }
    return change;
  }

  void remove_key(KeyChange& change) const {
    change.rings = read_.rings;
    for (auto& ring : change.rings) {
      auto keep = std::remove_if(ring.keys.begin(), ring.keys.end(),
                                 [&](const pgp::Key& k) { return pgp::id_matches(args_.id, k); });
      change.touched.push_back(keep != ring.keys.end());
      change.changed = change.changed || change.touched.back();
      ring.keys.erase(keep, ring.keys.end());
    }
    change.result["changed"] = change.changed;
    change.result["after"] = fingerprints(change.rings);
    change.result["id"] = args_.id;
  }

  // The key given, binary, or the reason it cannot be used.
  std::string key_data(std::string& failure) const {
    const auto download = read_.sections.find("download");
    if (download == read_.sections.end()) return args_.data;
    std::istringstream d(download->second);
    std::string rc, code;
    d >> rc >> code;
    if (rc == "nofile") {
      failure = "cannot read the key file " + args_.file + " on the host";
    } else if (rc == "127") {
      failure = std::string("cannot download ") + args_.url + ": " + kNoDownloader;
    } else if (rc != "0" || (!code.empty() && code >= "400")) {
      std::string err = download_err_;
      while (!err.empty() && err.back() == '\n') err.pop_back();
      failure = "Failed to download key at " + args_.url + ": " +
                (code.empty() || code == "000" ? err : "HTTP Error " + code);
    }
    if (!failure.empty()) return "";
    auto key = read_.sections.find("key");
    std::string data = key == read_.sections.end() ? "" : key->second;
    if (!data.empty()) data.pop_back();  // the newline the probe added after the key
    return pgp::base64_decode(data);
  }

  void add_key(KeyChange& change, const Value& before) const {
    const std::string data = key_data(change.failure);
    if (!change.failure.empty()) return;
    std::vector<pgp::Key> keys;
    try {
      keys = pgp::parse_keys(pgp::is_armored(data) ? pgp::dearmor(data) : data);
    } catch (const Error& e) {
      change.failure = std::string("the key is not a valid OpenPGP public key: ") + e.what();
      return;
    }
    if (keys.empty() || keys.front().fingerprint.empty()) {
      change.failure = "the key is not a version 4 OpenPGP public key";
      return;
    }
    const pgp::Key& key = keys.front();
    const std::string& id = args_.id;
    if (!id.empty() &&
        std::none_of(keys.begin(), keys.end(), [&](const pgp::Key& k) { return pgp::id_matches(id, k); })) {
      change.failure = "the key given has fingerprint " + key.fingerprint + ", which does not match id " + id;
      return;
    }
    Result& r = change.result;
    r["fp"] = key.fingerprint;
    r["id"] = id.empty() ? key.key_id() : id;
    r["key_id"] = key.key_id();
    r["short_id"] = key.short_id();

    auto has = [&](const pgp::Key& k) {
      for (const auto& ring : read_.rings) {
        for (const auto& have : ring.keys) {
          if (have.fingerprint == k.fingerprint) return true;
        }
      }
      return false;
    };
    if (std::all_of(keys.begin(), keys.end(), has)) return;

    change.path = args_.keyring.empty() ? std::string(kTrustedDir) + "/" + key.key_id() + ".gpg" : args_.keyring;
    if (ends_with(change.path, ".asc")) {
      if (!pgp::is_armored(data)) {
        change.failure = "the keyring " + change.path + " ends in .asc but the key is binary: name the keyring .gpg";
        return;
      }
      change.content = data;  // apt reads an armored key from a .asc file as is
    } else {
      auto it =
          std::find_if(read_.rings.begin(), read_.rings.end(), [&](const Keyring& k) { return k.path == change.path; });
      if (it != read_.rings.end()) {
        if (it->armored) {
          change.failure = "the keyring " + change.path + " holds an armored key: name the keyring .asc";
          return;
        }
        change.content = it->content;
      }
      for (const auto& k : keys) {
        if (!has(k)) change.content += k.packets;
      }
    }
    change.changed = true;
    r["changed"] = true;
    Value after = before;
    for (const auto& k : keys) {
      if (!has(k)) after.push_back(k.fingerprint);
    }
    r["after"] = after;
  }

  AptKeyArgs args_;
  AptKeyRead read_;
  std::string download_err_;
  bool was_read_ = false;
};

class AptKeyModule : public TypedModule<AptKeyArgs, AptKeyRun> {
 public:
  AptKeyModule() : TypedModule("apt_key") { spec_.mutually_exclusive = {{"data", "file", "keyserver", "url"}}; }
};

}  // namespace

AptKeyRead parse_apt_key_probe(const conn::CommandResult& read, bool strict) {
  AptKeyRead parsed;
  for (const Section& s : read_sections(read.out)) {
    if (s.name == "ring") {
      std::string base64 = s.body;
      base64.erase(std::remove(base64.begin(), base64.end(), '\n'), base64.end());
      parsed.rings.push_back({s.head, base64, {}, false});
    } else {
      parsed.sections[s.name] = s.name == "key" ? s.body : s.head;
    }
  }
  if (!parsed.sections.count("end")) {
    parsed.failure = "cannot read the apt keyrings: " + read.err;
    return parsed;
  }
  for (auto& ring : parsed.rings) {
    ring.content = pgp::base64_decode(ring.content);
    try {
      ring.armored = pgp::is_armored(ring.content);
      ring.keys = pgp::parse_keys(ring.armored ? pgp::dearmor(ring.content) : ring.content);
    } catch (const Error& e) {
      if (strict) {
        parsed.failure = "the keyring " + ring.path + " cannot be read: " + e.what();
        return parsed;
      }
      ring.keys.clear();  // apt's own directories may hold other formats; they are not ours to judge
    }
  }
  return parsed;
}

const Module& apt_key_module() {
  static const AptKeyModule module;
  return module;
}

}  // namespace prov::mod
