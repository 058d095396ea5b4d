#include "openpgp.h"

#include <openssl/sha.h>

#include <cctype>
#include <sstream>

#include "provision/core/error.h"

namespace prov::mod::pgp {

namespace {

std::string hex_upper(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

// OpenPGP's CRC-24 (RFC 4880, 6.1).
unsigned long crc24(const std::string& data) {
  unsigned long crc = 0xB704CEL;
  for (unsigned char c : data) {
    crc ^= static_cast<unsigned long>(c) << 16;
    for (int i = 0; i < 8; ++i) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864CFBL;
    }
  }
  return crc & 0xFFFFFFL;
}

}  // namespace

std::string base64_decode(const std::string& text) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    else if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    else
      throw Error(std::string("invalid base64 character '") + c + "'");
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool is_armored(const std::string& data) { return data.find("-----BEGIN PGP ") != std::string::npos; }

std::string dearmor(const std::string& text) {
  std::string binary;
  std::istringstream in(text);
  std::string line;
  enum { kOutside, kHeaders, kBody } state = kOutside;
  std::string body, checksum;
  bool found = false;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (state == kOutside) {
      if (line.rfind("-----BEGIN PGP ", 0) == 0) {
        state = kHeaders;
        body.clear();
        checksum.clear();
      }
    } else if (state == kHeaders) {
      if (line.empty())
        state = kBody;
      else if (line.find(": ") == std::string::npos) {
        state = kBody;  // no headers and no blank line: tolerated as gpg does
        body += line;
      }
    } else if (line.rfind("-----END PGP ", 0) == 0) {
      std::string block = base64_decode(body);
      if (!checksum.empty()) {
        std::string crc = base64_decode(checksum);
        unsigned long want = crc.size() == 3
                                 ? (static_cast<unsigned long>(static_cast<unsigned char>(crc[0])) << 16) |
                                       (static_cast<unsigned long>(static_cast<unsigned char>(crc[1])) << 8) |
                                       static_cast<unsigned long>(static_cast<unsigned char>(crc[2]))
                                 : 0;
        if (want != crc24(block)) throw Error("the armored key's CRC-24 checksum does not match: the key is damaged");
      }
      binary += block;
      found = true;
      state = kOutside;
    } else if (!line.empty() && line[0] == '=') {
      checksum = line.substr(1);
    } else {
      body += line;
    }
  }
  if (state != kOutside) throw Error("the armored key has no END line");
  if (!found) throw Error("no armored OpenPGP block found");
  return binary;
}

std::vector<Key> parse_keys(const std::string& data) {
  std::vector<Key> keys;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t start = pos;
    auto byte = [&](size_t at) -> unsigned long {
      if (at >= data.size()) throw Error("truncated OpenPGP packet");
      return static_cast<unsigned char>(data[at]);
    };
    unsigned long head = byte(pos++);
    if ((head & 0x80) == 0) throw Error("not an OpenPGP keyring (expected a packet header)");
    unsigned long tag = 0, len = 0;
    if (head & 0x40) {
      tag = head & 0x3F;
      unsigned long o1 = byte(pos++);
      if (o1 < 192)
        len = o1;
      else if (o1 < 224)
        len = ((o1 - 192) << 8) + byte(pos++) + 192;
      else if (o1 == 255) {
        len = (byte(pos) << 24) | (byte(pos + 1) << 16) | (byte(pos + 2) << 8) | byte(pos + 3);
        pos += 4;
      } else {
        throw Error("partial-length OpenPGP packets are not supported in keyrings");
      }
    } else {
      tag = (head >> 2) & 0x0F;
      switch (head & 3) {
        case 0: len = byte(pos++); break;
        case 1:
          len = (byte(pos) << 8) | byte(pos + 1);
          pos += 2;
          break;
        case 2:
          len = (byte(pos) << 24) | (byte(pos + 1) << 16) | (byte(pos + 2) << 8) | byte(pos + 3);
          pos += 4;
          break;
        default: len = data.size() - pos; break;
      }
    }
    if (pos + len > data.size()) throw Error("truncated OpenPGP packet");
    std::string body = data.substr(pos, len);
    pos += len;
    if (tag == 6) {
      Key key;
      if (!body.empty() && body[0] == 4) {
        std::string hashed = std::string(1, static_cast<char>(0x99)) + static_cast<char>((len >> 8) & 0xFF) +
                             static_cast<char>(len & 0xFF) + body;
        unsigned char digest[SHA_DIGEST_LENGTH];
        SHA1(reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size(), digest);
        key.fingerprint = hex_upper(digest, sizeof digest);
      }
      keys.push_back(key);
    }
    if (keys.empty()) throw Error("not an OpenPGP keyring (it does not start with a public key)");
    keys.back().packets += data.substr(start, pos - start);
  }
  return keys;
}

bool id_matches(const std::string& id, const Key& key) {
  std::string want;
  for (char c : id) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      want += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (want.rfind("0X", 0) == 0) want = want.substr(2);
  if (want.empty() || want.size() > key.fingerprint.size()) return false;
  return key.fingerprint.compare(key.fingerprint.size() - want.size(), want.size(), want) == 0;
}

}  // namespace prov::mod::pgp
