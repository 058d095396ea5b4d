// SHA-crypt (Ulrich Drepper's specification) and MD5-crypt (the $1$ scheme of FreeBSD and glibc) over OpenSSL
// digests; bcrypt through libxcrypt (Debian's libcrypt), whose Blowfish key schedule OpenSSL does not offer.
#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "filters.h"

namespace prov::tmpl {
namespace {

const char kCryptAlphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

/// The digest of `data` repeated `times` times, without building that string (a long password would need its
/// square in memory).
std::string digest_repeated(const EVP_MD* md, const std::string& data, size_t times) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  for (size_t i = 0; i < times; ++i) EVP_DigestUpdate(ctx, data.data(), data.size());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(out), len);
}

/// `length` bytes of `block` repeated.
std::string repeat_to(const std::string& block, size_t length) {
  std::string out;
  while (out.size() + block.size() <= length) out += block;
  return out + block.substr(0, length - out.size());
}

void encode24(std::string& out, unsigned char b2, unsigned char b1, unsigned char b0, int n) {
  unsigned w = (static_cast<unsigned>(b2) << 16) | (static_cast<unsigned>(b1) << 8) | b0;
  for (int i = 0; i < n; ++i) {
    out += kCryptAlphabet[w & 0x3f];
    w >>= 6;
  }
}

}  // namespace

std::string sha_crypt(const std::string& password, const std::string& salt_in, bool sha512, int rounds) {
  const EVP_MD* md = sha512 ? EVP_sha512() : EVP_sha256();
  if (rounds <= 0) rounds = sha512 ? 656000 : 535000;
  rounds = std::clamp(rounds, 1000, 999999999);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  rounds = 1000;  // 656000 rounds take seconds under the sanitizers: every hash would be a reported hang
#endif
  std::string salt = salt_in.substr(0, 16);
  const std::string& p = password;
  std::string b = digest(md, p + salt + p);
  std::string a_in = p + salt + repeat_to(b, p.size());
  for (size_t n = p.size(); n > 0; n >>= 1) a_in += (n & 1) ? b : p;
  std::string a = digest(md, a_in);
  std::string p_seq = repeat_to(digest_repeated(md, p, p.size()), p.size());
  std::string s_seq = repeat_to(digest_repeated(md, salt, 16 + static_cast<unsigned char>(a[0])), salt.size());
  std::string c = a;
  for (int i = 0; i < rounds; ++i) {
    std::string in = (i & 1) ? p_seq : c;
    if (i % 3) in += s_seq;
    if (i % 7) in += p_seq;
    in += (i & 1) ? c : p_seq;
    c = digest(md, in);
  }
  auto u = [&](int i) { return static_cast<unsigned char>(c[static_cast<size_t>(i)]); };
  std::string out = std::string(sha512 ? "$6$" : "$5$") +
                    (rounds == 5000 ? "" : "rounds=" + std::to_string(rounds) + "$") + salt + "$";
  if (sha512) {
    static const int order[21][3] = {{0, 21, 42},  {22, 43, 1},  {44, 2, 23},  {3, 24, 45},  {25, 46, 4},  {47, 5, 26},
                                     {6, 27, 48},  {28, 49, 7},  {50, 8, 29},  {9, 30, 51},  {31, 52, 10}, {53, 11, 32},
                                     {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38},
                                     {18, 39, 60}, {40, 61, 19}, {62, 20, 41}};
    for (const auto& o : order) encode24(out, u(o[0]), u(o[1]), u(o[2]), 4);
    encode24(out, 0, 0, u(63), 2);
  } else {
    static const int order[10][3] = {{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
                                     {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}};
    for (const auto& o : order) encode24(out, u(o[0]), u(o[1]), u(o[2]), 4);
    encode24(out, 0, u(31), u(30), 3);
  }
  return out;
}

std::string md5_crypt(const std::string& password, const std::string& salt_in) {
  const EVP_MD* md = EVP_md5();
  // glibc reads at most 8 salt characters, up to a '$'.
  std::string salt = salt_in.substr(0, std::min<size_t>(8, salt_in.find('$')));
  const std::string& p = password;
  std::string alt = digest(md, p + salt + p);
  std::string ctx = p + "$1$" + salt;
  for (size_t left = p.size(); left > 0; left -= std::min<size_t>(16, left))
    ctx += alt.substr(0, std::min<size_t>(16, left));
  for (size_t n = p.size(); n > 0; n >>= 1) ctx += (n & 1) ? std::string(1, '\0') : p.substr(0, 1);
  std::string f = digest(md, ctx);
  // A thousand rounds, mixing password, salt and the previous digest in an order set by the round number.
  for (int i = 0; i < 1000; ++i) {
    std::string in = (i & 1) ? p : f;
    if (i % 3) in += salt;
    if (i % 7) in += p;
    in += (i & 1) ? f : p;
    f = digest(md, in);
  }
  auto u = [&](int i) { return static_cast<unsigned char>(f[static_cast<size_t>(i)]); };
  std::string out = "$1$" + salt + "$";
  static const int order[5][3] = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
  for (const auto& o : order) encode24(out, u(o[0]), u(o[1]), u(o[2]), 4);
  encode24(out, 0, 0, u(11), 2);
  return out;
}

std::string random_salt(size_t length) {
  std::string out;
  unsigned char buf[64];
  RAND_bytes(buf, static_cast<int>(std::min(length, sizeof buf)));
  for (size_t i = 0; i < length && i < sizeof buf; ++i) out += kCryptAlphabet[buf[i] % 64];
  return out;
}

std::string bcrypt_hash(const std::string& password, std::string salt, int rounds, const std::string& ident) {
  static const std::string kBcrypt64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (salt.size() != 22) throw std::invalid_argument("salt must be exactly 22 characters for bcrypt");
  if (salt.find_first_not_of(kBcrypt64) != std::string::npos) {
    throw std::invalid_argument("invalid characters in bcrypt salt");
  }
  // The last character carries 2 of the salt's 128 bits: passlib clears the 4 unused ones (repair_unused).
  salt.back() = kBcrypt64[kBcrypt64.find(salt.back()) & 0x30];
  if (rounds < 4 || rounds > 31) throw std::invalid_argument("rounds must be between 4 and 31 for bcrypt");
  if (ident != "2a" && ident != "2b" && ident != "2y") throw std::invalid_argument("invalid ident for bcrypt");
  if (password.find('\0') != std::string::npos) throw std::invalid_argument("bcrypt does not allow NUL bytes");
  std::string setting = "$" + ident + "$" + (rounds < 10 ? "0" : "") + std::to_string(rounds) + "$" + salt;
  auto data = std::make_unique<crypt_data>();  // about 32 KiB: kept off the stack
  const char* hashed = crypt_r(password.c_str(), setting.c_str(), data.get());
  if (!hashed || hashed[0] == '*') throw std::invalid_argument("bcrypt failed");
  return hashed;
}

}  // namespace prov::tmpl
