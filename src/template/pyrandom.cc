// CPython's init_by_array seeding over std::mt19937 (whose generator is the same MT19937).
#include "pyrandom.h"

#include <openssl/evp.h>

#include <sstream>
#include <vector>

namespace prov::tmpl {

PyRandom::PyRandom(const std::string& seed) {
  // int.from_bytes(text + sha512(text), 'big'), split into 32-bit words from the least significant end.
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(seed.data(), seed.size(), digest, &len, EVP_sha512(), nullptr);
  std::string bytes = seed + std::string(reinterpret_cast<char*>(digest), len);
  size_t first = bytes.find_first_not_of('\0');
  bytes = first == std::string::npos ? "" : bytes.substr(first);
  std::vector<uint32_t> key;
  for (size_t end = bytes.size(); end > 0;) {
    size_t start = end >= 4 ? end - 4 : 0;
    uint32_t w = 0;
    for (size_t i = start; i < end; ++i) w = (w << 8) | static_cast<unsigned char>(bytes[i]);
    key.push_back(w);
    end = start;
  }
  if (key.empty()) key.push_back(0);
  seed_words(key);
}

PyRandom::PyRandom(uint64_t seed) {
  std::vector<uint32_t> key;
  do {
    key.push_back(static_cast<uint32_t>(seed & 0xffffffffu));
    seed >>= 32;
  } while (seed);
  seed_words(key);
}

void PyRandom::seed_words(const std::vector<uint32_t>& key) {
  constexpr size_t n = 624;
  uint32_t mt[n];
  mt[0] = 19650218u;
  for (size_t i = 1; i < n; ++i) mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + static_cast<uint32_t>(i);
  size_t i = 1, j = 0;
  for (size_t k = std::max(n, key.size()); k; --k) {
    mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<uint32_t>(j);
    ++i;
    ++j;
    if (i >= n) {
      mt[0] = mt[n - 1];
      i = 1;
    }
    if (j >= key.size()) j = 0;
  }
  for (size_t k = n - 1; k; --k) {
    mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= n) {
      mt[0] = mt[n - 1];
      i = 1;
    }
  }
  mt[0] = 0x80000000u;
  // std::mt19937 reads its 624 state words from a stream and regenerates before the next output, as CPython does.
  std::stringstream state;
  for (size_t k = 0; k < n; ++k) state << mt[k] << ' ';
  state >> mt_;
}

uint64_t PyRandom::below(uint64_t n) {
  int bits = 0;
  for (uint64_t x = n; x; x >>= 1) ++bits;
  while (true) {
    uint64_t r = static_cast<uint32_t>(mt_()) >> (32 - bits);
    if (r < n) return r;
  }
}

}  // namespace prov::tmpl
