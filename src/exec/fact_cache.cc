// The jsonfile fact cache: read and written on the controller only.
#include "fact_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "provision/core/error.h"
#include "provision/core/text.h"

namespace prov::facts {

namespace {

// Python's json sorts keys by code point; nlohmann::json (std::map) sorts by bytes, which is the same for UTF-8.
nlohmann::json sorted(const Value& value) { return nlohmann::json::parse(value.dump()); }

void write_python_json(std::ostringstream& out, const nlohmann::json& v, int depth) {
  const std::string pad(static_cast<std::size_t>(depth + 1) * 4, ' '), close(static_cast<std::size_t>(depth) * 4, ' ');
  if (v.is_object() && !v.empty()) {
    out << "{\n";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out << (first ? "" : ",\n") << pad << nlohmann::json(it.key()).dump(-1, ' ', true) << ": ";
      write_python_json(out, it.value(), depth + 1);
      first = false;
    }
    out << "\n" << close << "}";
  } else if (v.is_array() && !v.empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& item : v) {
      out << (first ? "" : ",\n") << pad;
      write_python_json(out, item, depth + 1);
      first = false;
    }
    out << "\n" << close << "]";
  } else {
    out << v.dump(-1, ' ', true);
  }
}

}  // namespace

std::string python_json_dump(const Value& value) {
  std::ostringstream out;
  write_python_json(out, sorted(value), 0);
  return out.str();
}

JsonFileCache::JsonFileCache(std::string folder, long long timeout, std::string prefix)
    : folder_(expand_user_vars(folder)), timeout_(timeout), prefix_(std::move(prefix)) {}

std::optional<Value> JsonFileCache::load(const std::string& host) const {
  const std::string path = file_of(host);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (timeout_ != 0 && std::time(nullptr) - st.st_mtime > timeout_) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Value::parse(text.str());
  } catch (const std::exception&) {
    throw Error("The cache file " + path + " was corrupt, or did not otherwise contain valid data.");
  }
}

void JsonFileCache::prepare() const {
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
}

void JsonFileCache::store(const std::string& host, const Value& entry) const {
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
  if (ec)
    throw Error("error in 'jsonfile' cache plugin while trying to create cache dir " + folder_ + " : " + ec.message());
  std::string temp = folder_ + "/.tmp" + prefix_ + host + "XXXXXX";
  int fd = ::mkstemp(temp.data());  // mode 0600, as Python's tempfile.mkstemp
  if (fd < 0)
    throw Error("error in 'jsonfile' cache plugin while trying to write to '" + folder_ +
                "' : " + std::strerror(errno));
  const std::string text = python_json_dump(entry);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  const std::string path = file_of(host);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw Error("error in 'jsonfile' cache plugin while trying to write to '" + path + "' : " + reason);
  }
}

void JsonFileCache::remove(const std::string& host) const {
  const std::string path = file_of(host);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error("error in 'jsonfile' cache plugin while trying to remove '" + path + "' : " + std::strerror(errno));
  }
}

}  // namespace prov::facts
