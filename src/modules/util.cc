#include "util.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "file_attrs.h"
#include "mode.h"
#include "path_fact.h"

namespace prov::mod::util {

conn::CommandResult run(const Context& ctx, const std::string& command, const std::string& stdin_data,
                        int timeout_seconds) {
  conn::RunOptions options;
  options.stdin_data = stdin_data;
  options.env = ctx.env;
  options.become = ctx.become;
  options.timeout_seconds = timeout_seconds;
  return ctx.conn->run(command, options);
}

Value lines(const std::string& text) {
  Value out = Value::array();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, end - start));
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return out;
}

std::string timestamp(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm {};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count() % 1000000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  return std::string(buf) + frac;
}

std::string delta(std::chrono::system_clock::duration d) {
  long long us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us < 0) us = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld.%06lld", us / 3600000000LL, us / 60000000LL % 60,
                us / 1000000LL % 60, us % 1000000LL);
  return buf;
}

Result failed(const std::string& msg) { return Value{{"failed", true}, {"msg", msg}, {"changed", false}}; }

std::string str(const Value& args, const std::string& key) {
  const Value* v = find_key(args, key);
  if (v == nullptr || v->is_null()) return {};
  return to_plain_string(*v);
}

bool flag(const Value& args, const std::string& key) {
  const Value* v = find_key(args, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

std::vector<std::string> shlex_split(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) throw ArgError("No closing quotation");
      word += text.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      ++i;
      for (; i < text.size() && text[i] != '"'; ++i) {
        // Inside double quotes a backslash escapes only \ " $ ` and newline, as in sh.
        if (text[i] == '\\' && i + 1 < text.size() && std::string("\\\"$`\n").find(text[i + 1]) != std::string::npos) {
          ++i;
        }
        word += text[i];
      }
      if (i >= text.size()) throw ArgError("No closing quotation");
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) throw ArgError("No escaped character");
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string glob_quote(const std::string& pattern) {
  std::string out, literal;
  auto flush = [&] {
    if (!literal.empty()) out += conn::shell_quote(literal);
    literal.clear();
  };
  for (char c : pattern) {
    if (c == '*' || c == '?' || c == '[' || c == ']') {
      flush();
      out += c;
    } else {
      literal += c;
    }
  }
  flush();
  return out.empty() ? "''" : out;
}

std::string sha1_hex(const std::string& data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string md5_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string find_controller_file(const Context& ctx, const std::string& name) {
  namespace fs = std::filesystem;
  if (!name.empty() && name[0] == '/') return fs::exists(name) ? name : std::string();
  for (const auto& dir : ctx.search_paths) {
    fs::path candidate = fs::path(dir) / name;
    if (fs::exists(candidate)) return candidate.string();
  }
  return {};
}

std::string not_found_message(const Context& ctx, const std::string& src) {
  std::string msg = "Could not find or access '" + src + "'";
  if (!src.empty() && src[0] != '/') {
    msg += "\nSearched in:";
    for (const auto& dir : ctx.search_paths) msg += "\n\t" + dir + "/" + src;
  }
  return msg + " on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, "
               "see the remote_src option";
}

std::string dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string basename(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool is_text(const std::string& data) { return data.find('\0') == std::string::npos; }

using conn::shell_quote;

// Ansible's backup name: dest.<pid>.<YYYY-MM-DD@HH:MM:SS>~, made on the host with cp -p.
std::string backup(const Context& ctx, const std::string& dest) {
  std::string script = "b=" + shell_quote(dest) + ".$$.$(date +%Y-%m-%d@%H:%M:%S)~ && cp -p -- " +
                       shell_quote(dest) + " \"$b\" && printf '%s' \"$b\"";
  conn::CommandResult r = run(ctx, script);
  if (r.rc != 0) throw Error("backup of " + dest + " failed: " + r.err.substr(0, r.err.find('\n')));
  return r.out;
}

// validate=: the new content goes to a temporary file next to dest, the command checks it (%s), then it is
// moved into place; a failing check leaves dest untouched and is returned as Ansible's failed result.
Value validate_then_put(const Context& ctx, const std::string& content, const std::string& dest,
                        const conn::PutOptions& put, const std::string& validate) {
  if (validate.empty()) {
    ctx.conn->put_file(content, dest, put);
    return nullptr;
  }
  if (validate.find("%s") == std::string::npos) return failed("validate must contain %s: " + validate);
  std::string tmp = dirname(dest) + "/.provision-validate-" + sha1_hex(dest + content).substr(0, 12);
  ctx.conn->put_file(content, tmp, put);
  std::string check = validate;
  check.replace(check.find("%s"), 2, shell_quote(tmp));
  conn::CommandResult r = run(ctx, check);
  if (r.rc != 0) {
    run(ctx, "rm -f -- " + shell_quote(tmp));
    Result f = failed("failed to validate");
    f["exit_status"] = r.rc;
    f["stdout"] = r.out;
    f["stderr"] = r.err;
    return f;
  }
  run_or_throw(ctx, "mv -f -- " + shell_quote(tmp) + " " + shell_quote(dest));
  return nullptr;
}

}  // namespace prov::mod::util
