// The password lookup: a random password kept in a file on the controller, made the first time and read back
// after, as Ansible's `password` lookup keeps it (the file holds "password" or "password salt=SALT").
#include <fcntl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "filters.h"
#include "lookup_password.h"
#include "provision/core/text.h"
#include "pyrandom.h"

namespace prov::tmpl {

namespace {

struct PasswordRequest {
  std::string path;
  long long length = 20;
  std::vector<std::string> chars{"ascii_letters", "digits", ".,:-_"};
  std::string encrypt;  ///< "" for the password itself
  std::string ident;
  std::optional<std::string> seed;
};

// Python's string module constants, which `chars` may name.
std::string string_constant(const std::string& name) {
  static const std::string lower = "abcdefghijklmnopqrstuvwxyz", upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           digits = "0123456789", punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
                           whitespace = " \t\n\r\x0b\x0c";
  if (name == "ascii_lowercase") return lower;
  if (name == "ascii_uppercase") return upper;
  if (name == "ascii_letters") return lower + upper;
  if (name == "digits") return digits;
  if (name == "hexdigits") return digits + "abcdefABCDEF";
  if (name == "octdigits") return "01234567";
  if (name == "punctuation") return punctuation;
  if (name == "whitespace") return whitespace;
  if (name == "printable") return digits + lower + upper + punctuation + whitespace;
  return name;
}

// A comma-separated chars value: ",," stands for a comma.
std::vector<std::string> chars_from_text(const std::string& text) {
  std::vector<std::string> out;
  if (text.find(",,") != std::string::npos) out.push_back(",");
  std::string collapsed;
  for (size_t i = 0; i < text.size(); ++i) {
    collapsed += text[i];
    if (text[i] == ',' && i + 1 < text.size() && text[i + 1] == ',') ++i;
  }
  std::string part;
  for (char c : collapsed + ",") {
    if (c != ',') {
      part += c;
    } else if (!part.empty()) {
      out.push_back(part);
      part.clear();
    }
  }
  return out;
}

// Words of `key=value` parameters as Ansible's parse_kv splits them: spaces outside quotes separate, quotes
// around a value are taken off.
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

void set_param(PasswordRequest& r, const std::string& key, const Value& value) {
  if (key == "length") {
    std::optional<long long> n = value.is_number_integer() ? value.get<long long>() : parse_int(trim(py_str(value)));
    if (!n) fail("invalid literal for int() with base 10: '" + py_str(value) + "'");
    r.length = *n;
  } else if (key == "chars") {
    r.chars.clear();
    if (value.is_array()) {
      for (const auto& c : value) r.chars.push_back(py_str(c));
    } else {
      r.chars = chars_from_text(py_str(value));
    }
  } else if (key == "encrypt") {
    r.encrypt = value.is_null() ? "" : py_str(value);
  } else if (key == "ident") {
    r.ident = value.is_null() ? "" : py_str(value);
  } else if (key == "seed") {
    if (!value.is_null()) r.seed = py_str(value);
  } else {
    fail("Unrecognized parameter(s) given to password lookup: " + key);
  }
}

PasswordRequest parse_term(const std::string& term, const Args& args) {
  PasswordRequest r;
  for (const auto& [key, value] : args.kw) {
    if (key != "wantlist" && key != "allow_unsafe" && key != "errors") set_param(r, key, value.val());
  }
  size_t space = term.find(' ');
  r.path = term.substr(0, space);
  if (space == std::string::npos) return r;
  bool params_seen = false;
  for (const auto& word : split_words(term.substr(space + 1))) {
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      if (params_seen) fail("Unrecognized value after key=value parameters given to password lookup");
      r.path += " " + word;  // a path with spaces
      continue;
    }
    params_seen = true;
    set_param(r, word.substr(0, eq), Value(word.substr(eq + 1)));
  }
  return r;
}

// Python's os.path.expanduser and expandvars, then the path made absolute against the playbook's folder.
std::string controller_path(const std::string& given, const std::string& base) {
  const std::string path = expand_user_vars(given);
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base.empty() ? std::filesystem::current_path().string() : base) / p;
  return p.lexically_normal().string();
}

std::string random_password(const PasswordRequest& r) {
  std::string chars;
  for (const auto& spec : r.chars) chars += string_constant(spec);
  std::vector<std::string> pool;
  for (size_t i = 0; i < chars.size();) {  // Python picks code points, not bytes
    size_t n = 1;
    while (i + n < chars.size() && (static_cast<unsigned char>(chars[i + n]) & 0xC0) == 0x80) ++n;
    std::string ch = chars.substr(i, n);
    if (ch != "\"" && ch != "'") pool.push_back(ch);
    i += n;
  }
  if (pool.empty()) fail("Cannot choose from an empty sequence");
  std::string out;
  if (r.seed) {
    PyRandom generator(*r.seed);
    for (long long i = 0; i < r.length; ++i) out += pool[generator.below(pool.size())];
    return out;
  }
  for (long long i = 0; i < r.length; ++i) {
    uint32_t word = 0;
    uint64_t limit = (uint64_t{1} << 32) - ((uint64_t{1} << 32) % pool.size());  // no modulo bias
    do {
      RAND_bytes(reinterpret_cast<unsigned char*>(&word), sizeof word);
    } while (word >= limit);
    out += pool[word % pool.size()];
  }
  return out;
}

// The salt size Ansible gives each scheme; 8 for a name it does not know.
size_t salt_size(const std::string& scheme) {
  if (scheme == "sha256_crypt" || scheme == "sha512_crypt") return 16;
  if (scheme == "bcrypt") return 22;
  return 8;
}

bool known_scheme(const std::string& scheme) {
  return scheme == "md5_crypt" || scheme == "sha256_crypt" || scheme == "sha512_crypt";
}

std::string hashed(const std::string& password, const std::string& scheme, const std::string& salt) {
  if (scheme == "md5_crypt") return md5_crypt(password, salt);
  if (scheme == "sha256_crypt" || scheme == "sha512_crypt") {
    if (salt.size() > 16) fail("invalid salt size");
    return sha_crypt(password, salt, scheme == "sha512_crypt", 0);
  }
  fail("crypt.crypt does not support '" + scheme + "' algorithm");
}

// One run's threads take the same file one at a time; other processes are kept out by Ansible's own lock file.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    static std::mutex in_process;
    guard_ = std::unique_lock<std::mutex>(in_process);
    if (path == "/dev/null") return;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(path.data()), path.size(), digest);
    std::string hex;
    for (unsigned char b : digest) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    std::string dir = std::filesystem::path(path).parent_path().string();
    make_private_folder(dir);
    lock_ = dir + "/" + hex + ".ansible_lockfile";
    for (int attempt = 0;; ++attempt) {
      int fd = ::open(lock_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (fd >= 0) {
        ::close(fd);
        return;
      }
      if (errno != EEXIST) fail("password lookup cannot make its lock file " + lock_ + ": " + std::strerror(errno));
      if (attempt == 3) {
        lock_.clear();
        fail(
            "Password lookup cannot get the lock in 7 seconds, abort...This may caused by un-removed lockfileyou "
            "can manually remove it from controller machine at " +
            dir + "/" + hex + ".ansible_lockfile and try again");
      }
      std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
    }
  }
  ~FileLock() {
    if (!lock_.empty()) ::unlink(lock_.c_str());
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  static void make_private_folder(const std::string& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail("password lookup cannot make the folder " + dir + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }

 private:
  std::unique_lock<std::mutex> guard_;
  std::string lock_;
};

// Written through a temporary file renamed into place, 0600 from the start: a secret is never readable by others,
// and a reader never sees half a file.
void write_secret(const std::string& path, const std::string& content) {
  std::string temp = path + ".XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) fail("password lookup cannot write " + path + ": " + std::strerror(errno));
  std::string text = content + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    fail("password lookup cannot write " + path + ": " + reason);
  }
}

std::string one_password(const std::string& term, const Args& args, const std::string& base) {
  PasswordRequest r = parse_term(term, args);
  const std::string path = controller_path(r.path, base);
  const bool discard = path == "/dev/null";
  // An unknown scheme fails before the file is touched. Python's crypt module on Debian 12 gives no bcrypt hash.
  if (!r.encrypt.empty() && !known_scheme(r.encrypt))
    fail("crypt.crypt does not support '" + r.encrypt + "' algorithm");
  FileLock lock(path);
  std::optional<std::string> content;
  if (!discard && std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) fail("password lookup cannot read " + path);
    content = rtrim(text.str(), " \t\n\r\x0b\x0c");
  }
  std::string password, salt;
  bool changed = false;
  if (!content) {
    password = random_password(r);
    changed = true;
  } else {
    password = *content;
    size_t sep = password.rfind(" salt=");
    if (sep != std::string::npos) {
      salt = password.substr(sep + 6);
      password.resize(sep);
      size_t ident_sep = salt.rfind(" ident=");
      if (ident_sep != std::string::npos) salt.resize(ident_sep);
    }
  }
  if (!r.encrypt.empty()) {
    // Ansible rewrites the file whenever encrypt is given (it finds no ident for these schemes).
    if (salt.empty()) salt = random_salt(salt_size(r.encrypt));
    changed = true;
  }
  if (changed && !discard) {
    std::string stored = salt.empty() ? password : password + " salt=" + salt;
    if (!r.ident.empty()) stored += " ident=" + r.ident;
    write_secret(path, stored);
  }
  return r.encrypt.empty() ? password : hashed(password, r.encrypt, salt);
}

}  // namespace

Value password_lookup(const std::vector<Value>& terms, const Args& args, const std::string& playbook_dir) {
  Value out = Value::array();
  for (const auto& term : terms) out.push_back(one_password(py_str(term), args, playbook_dir));
  return out;
}

}  // namespace prov::tmpl
