// Serialisation and encoding filters: to_json/to_nice_json (as Python's json.dumps), to_yaml/to_nice_yaml,
// from_json/from_yaml, b64encode/b64decode, hash/checksum, password_hash.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "filters.h"
#include "limits.h"
#include "provision/core/yaml.h"
#include "provision/template/yaml_emit.h"
#include "strings.h"

namespace prov::tmpl {

static void json_string(const std::string& s, bool ensure_ascii, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    char buf[16];
    if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c >= 0x80 && ensure_ascii) {
      // Decode one UTF-8 sequence and write it as \uXXXX (a surrogate pair above the BMP).
      unsigned cp;
      size_t n;
      if ((c >> 5) == 6)
        cp = c & 0x1F, n = 1;
      else if ((c >> 4) == 14)
        cp = c & 0x0F, n = 2;
      else
        cp = c & 0x07, n = 3;
      for (size_t k = 0; k < n && i + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

static void dumps(const Value& v, int indent, bool sort_keys, bool ascii, const std::string& item_sep,
                  const std::string& key_sep, int level, std::string& out) {
  auto newline = [&](int lvl) {
    if (indent >= 0) out += "\n" + std::string(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.type()) {
    case Value::value_t::null:
      out += "null";
      return;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Value::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else
        out += py_float_repr(d);
      return;
    }
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      out += py_repr(v);
      return;
    case Value::value_t::string:
      json_string(v.get_ref<const std::string&>(), ascii, out);
      return;
    case Value::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += item_sep;
        first = false;
        newline(level + 1);
        dumps(e, indent, sort_keys, ascii, item_sep, key_sep, level + 1, out);
      }
      newline(level);
      out += "]";
      return;
    }
    case Value::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      std::vector<std::string> keys;
      for (const auto& [k, e] : v.items()) keys.push_back(k);
      if (sort_keys) std::sort(keys.begin(), keys.end());
      out += "{";
      bool first = true;
      for (const auto& k : keys) {
        if (!first) out += item_sep;
        first = false;
        newline(level + 1);
        json_string(k, ascii, out);
        out += key_sep;
        dumps(v.at(k), indent, sort_keys, ascii, item_sep, key_sep, level + 1, out);
      }
      newline(level);
      out += "}";
      return;
    }
    default:
      out += "null";
  }
}

std::string json_dumps(const Value& v, int indent, bool sort_keys, bool ensure_ascii, const std::string& item_sep,
                       const std::string& key_sep) {
  std::string out;
  dumps(v, indent, sort_keys, ensure_ascii, item_sep, key_sep, 0, out);
  return out;
}

namespace {

RV f_to_json(Ctx&, const RV& in, Args& a) {
  Value indent = arg_or(a, 99, "indent", nullptr);
  bool sort_keys = py_truthy(arg_or(a, 99, "sort_keys", false));
  bool ascii = py_truthy(arg_or(a, 99, "ensure_ascii", true));
  int ind = indent.is_null() ? -1 : static_cast<int>(as_int(indent));
  return Value(json_dumps(to_data(in), ind, sort_keys, ascii, ind >= 0 ? "," : ", ", ": "));
}

RV f_to_nice_json(Ctx&, const RV& in, Args& a) {
  int indent = static_cast<int>(as_int(arg_or(a, 0, "indent", 4)));
  bool sort_keys = py_truthy(arg_or(a, 1, "sort_keys", true));
  bool ascii = py_truthy(arg_or(a, 99, "ensure_ascii", true));
  return Value(json_dumps(to_data(in), indent, sort_keys, ascii, ",", ": "));
}

RV f_from_json(Ctx&, const RV& in, Args&) {
  // Python's json gives up on deep nesting (RecursionError) too; a value nested deeper than this could not be
  // copied or printed without running off the stack.
  auto bounded = [](int depth, Value::parse_event_t, Value&) {
    if (depth > limits::kMaxNesting)
      throw std::runtime_error("nested deeper than " + std::to_string(limits::kMaxNesting));
    return true;
  };
  try {
    return Value::parse(rv_str(in), bounded);
  } catch (const std::exception& e) {
    fail(std::string("from_json: ") + e.what());
  }
}

RV f_from_yaml(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (!v.is_string()) return v;
  return yaml::to_value(yaml::load_string(v.get<std::string>(), "<from_yaml>"), "<from_yaml>");
}

RV f_to_yaml(Ctx&, const RV& in, Args& a) {
  YamlStyle style;
  style.indent = static_cast<int>(as_int(arg_or(a, 99, "indent", 2)));
  style.flow_leaves = !a.kwarg("default_flow_style") || a.kwarg("default_flow_style")->val().is_null();
  if (const RV* f = a.kwarg("default_flow_style"); f && py_truthy(f->val())) style.all_flow = true;
  style.sort_keys = py_truthy(arg_or(a, 99, "sort_keys", true));
  return Value(yaml_dump(to_data(in), style));
}

RV f_to_nice_yaml(Ctx&, const RV& in, Args& a) {
  YamlStyle style;
  style.indent = static_cast<int>(as_int(arg_or(a, 0, "indent", 4)));
  style.flow_leaves = false;
  style.sort_keys = py_truthy(arg_or(a, 99, "sort_keys", true));
  return Value(yaml_dump(to_data(in), style));
}

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

RV f_b64encode(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in), out;
  for (size_t i = 0; i < s.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(s[i])) << 16;
    if (i + 1 < s.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8;
    if (i + 2 < s.size()) n |= static_cast<unsigned char>(s[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
    out += i + 2 < s.size() ? kB64[n & 63] : '=';
  }
  return Value(out);
}

RV f_b64decode(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in), out;
  size_t significant = 0;
  for (char c : s)
    if (c != '\n' && c != '\r' && c != ' ') ++significant;
  if (significant % 4 != 0) fail("Incorrect padding");
  uint32_t buf = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    const char* p = std::strchr(kB64, c == '-' ? '+' : c == '_' ? '/' : c);
    if (!p || c == '\0') fail("Incorrect padding or invalid base64 data");
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return Value(out);
}

std::string digest_hex(const std::string& algo, const std::string& data) {
  const EVP_MD* md = EVP_get_digestbyname(algo.c_str());
  if (!md) fail("unsupported hash type " + algo);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", out[i]);
    hex += b;
  }
  return hex;
}

RV f_hash(Ctx&, const RV& in, Args& a) {
  return Value(digest_hex(py_str(arg_or(a, 0, "hashtype", "sha1")), rv_str(in)));
}
RV f_checksum(Ctx&, const RV& in, Args&) { return Value(digest_hex("sha1", rv_str(in))); }
RV f_md5(Ctx&, const RV& in, Args&) { return Value(digest_hex("md5", rv_str(in))); }
RV f_sha1(Ctx&, const RV& in, Args&) { return Value(digest_hex("sha1", rv_str(in))); }

RV f_password_hash(Ctx&, const RV& in, Args& a) {
  std::string scheme = py_str(arg_or(a, 0, "hashtype", "sha512"));
  Value salt = arg_or(a, 1, "salt", nullptr);
  Value salt_size = arg_or(a, 2, "salt_size", nullptr);
  Value rounds = arg_or(a, 3, "rounds", nullptr);
  Value ident = arg_or(a, 4, "ident", nullptr);
  // bcrypt as passlib makes it (Debian's ansible-core recommends python3-passlib; without it, crypt gives "*0").
  if (scheme == "blowfish" || scheme == "bcrypt") {
    if (!salt_size.is_null() && as_int(salt_size) != 22) {
      fail("Could not hash the secret.. bcrypt: salt_size (" + py_str(salt_size) + ") must be exactly 22");
    }
    try {
      return Value(bcrypt_hash(rv_str(in), salt.is_null() ? random_salt(22) : py_str(salt),
                               rounds.is_null() ? 12 : static_cast<int>(as_int(rounds)),
                               ident.is_null() ? "2b" : py_str(ident)));
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
  }
  // The other schemes Python's crypt module offers on Debian 12, written as passlib writes them.
  bool md5 = scheme == "md5" || scheme == "md5_crypt";
  bool sha512 = scheme == "sha512" || scheme == "sha512_crypt";
  if (!md5 && !sha512 && scheme != "sha256" && scheme != "sha256_crypt")
    fail("crypt.crypt does not support '" + scheme + "' algorithm");
  size_t salt_max = md5 ? 8 : 16;
  size_t size = salt_size.is_null() ? salt_max : static_cast<size_t>(std::max<long long>(1, as_int(salt_size)));
  std::string s = salt.is_null() ? random_salt(std::min(size, salt_max)) : py_str(salt);
  if (s.size() > salt_max) fail("invalid salt size");
  if (s.find_first_not_of("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != std::string::npos)
    fail("invalid characters in salt");
  // Ansible puts rounds into the setting for MD5 too, where crypt reads "rounds=N" as the salt.
  if (md5) return Value(md5_crypt(rv_str(in), rounds.is_null() ? s : "rounds=" + py_str(rounds) + "$" + s));
  return Value(sha_crypt(rv_str(in), s, sha512, rounds.is_null() ? 0 : static_cast<int>(as_int(rounds))));
}

}  // namespace

void register_format_filters(FilterTable& t) {
  t["to_json"] = f_to_json;
  t["to_nice_json"] = f_to_nice_json;
  t["from_json"] = f_from_json;
  t["to_yaml"] = f_to_yaml;
  t["to_nice_yaml"] = f_to_nice_yaml;
  t["from_yaml"] = f_from_yaml;
  t["b64encode"] = f_b64encode;
  t["b64decode"] = f_b64decode;
  t["hash"] = f_hash;
  t["checksum"] = f_checksum;
  t["md5"] = f_md5;
  t["sha1"] = f_sha1;
  t["password_hash"] = f_password_hash;
}

}  // namespace prov::tmpl
