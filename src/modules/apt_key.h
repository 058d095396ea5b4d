#pragma once
// apt_key's one read of the host: the key (downloaded or read there) and each keyring, parsed on the controller.
#include <map>
#include <string>
#include <vector>

#include "openpgp.h"
#include "provision/connection/connection.h"

namespace prov::mod {

struct Keyring {
  std::string path;
  std::string content;  ///< raw bytes
  std::vector<pgp::Key> keys;
  bool armored = false;
};

struct AptKeyRead {
  std::map<std::string, std::string> sections;  ///< "@@name value" lines: download status, key (base64), end
  std::vector<Keyring> rings;
  std::string failure;  ///< why the keyrings cannot be used, or ""
};

/// Parses the probe's output. A keyring that is not OpenPGP is a failure when it was named (strict), else it is
/// kept without keys (apt's own folders may hold other formats).
AptKeyRead parse_apt_key_probe(const conn::CommandResult& read, bool strict);

}  // namespace prov::mod
