#pragma once
// Just enough OpenPGP for apt keyrings, on the controller so the host needs no gpg: ASCII armor to binary, and
// the public keys of a binary keyring with their fingerprints.
#include <string>
#include <vector>

namespace prov::mod::pgp {

/// Standard base64 (whitespace ignored); throws prov::Error on a bad character.
std::string base64_decode(const std::string& text);

/// True when data holds an ASCII-armored block ("-----BEGIN PGP ...").
bool is_armored(const std::string& data);

/// The binary packets of every armored block in text; throws prov::Error when a block is malformed or its CRC-24
/// does not match.
std::string dearmor(const std::string& text);

struct Key {
  std::string fingerprint;  ///< upper-case hex (v4: 40 digits)
  std::string packets;      ///< the key's packets: the public key up to the next public key
  std::string key_id() const { return fingerprint.size() >= 16 ? fingerprint.substr(fingerprint.size() - 16) : ""; }
  std::string short_id() const { return fingerprint.size() >= 8 ? fingerprint.substr(fingerprint.size() - 8) : ""; }
};

/// The public keys of a binary keyring; throws prov::Error when the data is not OpenPGP packets.
std::vector<Key> parse_keys(const std::string& binary);

/// True when an id given by a user ("0xD88E42B4", a long id or a fingerprint, any case, spaces ignored) names key.
bool id_matches(const std::string& id, const Key& key);

}  // namespace prov::mod::pgp
