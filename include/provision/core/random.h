#pragma once
// Unpredictable tokens: temporary file names, end markers and become markers that a command's output cannot forge.
#include <cstddef>
#include <string>

namespace prov {

/// `bytes` random bytes from /dev/urandom (std::random_device when it cannot be read), as lowercase hex.
std::string random_hex(size_t bytes);

}  // namespace prov
