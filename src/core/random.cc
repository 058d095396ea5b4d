#include "provision/core/random.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <vector>

namespace prov {

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> data(bytes);
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  bool filled = fd >= 0 && ::read(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  if (fd >= 0) ::close(fd);
  if (!filled) {
    std::random_device rd;
    for (auto& b : data) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes * 2);
  for (unsigned char b : data) {
    text += kHex[b >> 4];
    text += kHex[b & 15];
  }
  return text;
}

}  // namespace prov
