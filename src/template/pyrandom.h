#pragma once
// Python's random.Random (Mersenne Twister with Python's seeding), so `random(seed=...)` and
// `shuffle(seed=...)` pick what Ansible picks for the same seed.
#include <cstdint>
#include <random>
#include <string>

namespace prov::tmpl {

class PyRandom {
 public:
  /// Seeds as random.Random(str) does (version 2: the text followed by its SHA-512).
  explicit PyRandom(const std::string& seed);
  /// Seeds as random.Random(int) does.
  explicit PyRandom(uint64_t seed);
  /// random.Random._randbelow(n), for 0 < n <= 2**32.
  uint64_t below(uint64_t n);

 private:
  void seed_words(const std::vector<uint32_t>& key);
  std::mt19937 mt_;
};

}  // namespace prov::tmpl
