#pragma once
// Helpers shared by the filter files.
#include <string>

#include "eval.h"

namespace prov::tmpl {

/// item.a.b (dotted path; numeric parts index lists), as Jinja's attribute= arguments read it.
RV attr_path(Ctx& ctx, const RV& item, const std::string& path);

/// Python json.dumps of a value (separators and float format as Python prints them).
std::string json_dumps(const Value& v, int indent, bool sort_keys, bool ensure_ascii, const std::string& item_sep,
                       const std::string& key_sep);

/// SHA-crypt ($6$ for sha512, $5$ for sha256) as passlib writes it: rounds always shown.
std::string sha_crypt(const std::string& password, const std::string& salt, bool sha512, int rounds);

/// A random salt of `length` characters from the crypt alphabet.
std::string random_salt(size_t length);
/// MD5-crypt ($1$): glibc's crypt() with a "$1$salt" setting.
std::string md5_crypt(const std::string& password, const std::string& salt);
/// bcrypt as passlib writes it ($2b$12$ + 22 salt characters + 31 of hash; ident 2a, 2b or 2y), the salt's unused
/// bits cleared as passlib does. Throws std::invalid_argument for a salt, rounds or ident bcrypt refuses.
std::string bcrypt_hash(const std::string& password, std::string salt, int rounds, const std::string& ident);

}  // namespace prov::tmpl
