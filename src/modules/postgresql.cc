#include "postgresql.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdint>
#include <stdexcept>

#include "provision/core/text.h"
#include "util.h"

namespace prov::mod::pg {

namespace {

using conn::shell_quote;

constexpr std::string_view kMissingMarker = "PROVISION-PG-TOOL-MISSING";

void reject_nul(std::string_view text, const char* what) {
  if (text.find('\0') != std::string_view::npos) throw ArgError(std::string(what) + " must not contain a NUL byte");
}

// Removes psql's "psql:<stdin>:12: " line prefixes (non-interactive input) so messages read like the server's.
std::string strip_psql_prefixes(const std::string& err) {
  static constexpr std::string_view kPrefix = "psql:<stdin>:";
  std::string out;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    std::string line = err.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
    if (line.compare(0, kPrefix.size(), kPrefix) == 0) {
      size_t colon = line.find(": ", kPrefix.size());
      if (colon != std::string::npos) line = line.substr(colon + 2);
    }
    out += line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string hmac_sha256(const std::string& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string sha256(const std::string& data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

bool is_ascii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Decodes UTF-8 into code points; false when the bytes are not valid UTF-8.
bool decode_utf8(const std::string& text, std::vector<uint32_t>& out) {
  for (size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    int extra = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= text.size()) return false;
    uint32_t cp = extra == 0 ? b : b & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
      if ((c >> 6) != 2) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

void encode_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// RFC 3454 C.1.2: non-ASCII spaces, which SASLprep maps to U+0020.
bool non_ascii_space(uint32_t cp) {
  return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

// RFC 3454 B.1: characters SASLprep removes.
bool mapped_to_nothing(uint32_t cp) {
  return cp == 0xad || cp == 0x34f || cp == 0x1806 || (cp >= 0x180b && cp <= 0x180d) ||
         (cp >= 0x200c && cp <= 0x200d) || cp == 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff;
}

// The password with SASLprep's mapping step applied, or nullopt when it changes nothing or is not UTF-8.
std::optional<std::string> saslprep_mapped(const std::string& password) {
  if (is_ascii(password)) return std::nullopt;
  std::vector<uint32_t> cps;
  if (!decode_utf8(password, cps)) return std::nullopt;
  std::string out;
  for (uint32_t cp : cps) {
    if (non_ascii_space(cp)) {
      out += ' ';
    } else if (!mapped_to_nothing(cp)) {
      encode_utf8(cp, out);
    }
  }
  if (out == password) return std::nullopt;
  return out;
}

bool looks_like_md5(const std::string& password) {
  if (password.size() != 35 || password.compare(0, 3, "md5") != 0) return false;
  return password.find_first_not_of("0123456789abcdef", 3) == std::string::npos;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw Error("could not get random bytes for a SCRAM salt");
  }
  return out;
}

}  // namespace

std::string quote_ident(std::string_view name) {
  reject_nul(name, "an SQL identifier");
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  reject_nul(text, "an SQL string");
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string conninfo_value(std::string_view text) {
  reject_nul(text, "a connection parameter");
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

void Login::describe(Schema<Login>& s) {
  s.field("login_user", &Login::user).default_value("postgres").aliases({"login"});
  s.field("login_password", &Login::password).default_value("").no_log();
  s.field("login_host", &Login::host).default_value("").aliases({"host"});
  s.field("login_unix_socket", &Login::unix_socket).default_value("").aliases({"unix_socket"});
  s.field("port", &Login::port).default_value(5432).aliases({"login_port"});
  s.field("ssl_mode", &Login::ssl_mode)
      .default_value("prefer")
      .choices({"allow", "disable", "prefer", "require", "verify-ca", "verify-full"});
  s.field("ca_cert", &Login::ca_cert).aliases({"ssl_rootcert"});
  s.field("ssl_cert", &Login::ssl_cert, ArgType::Path);
  s.field("ssl_key", &Login::ssl_key, ArgType::Path);
  s.field("connect_params", &Login::connect_params, ArgType::Dict).default_value(Value::object());
  s.field("session_role", &Login::session_role);
  s.field("trust_input", &Login::trust_input).default_value(true);
}

Login Login::from(const Value& args) {
  Schema<Login> schema;
  describe(schema);
  Login login = schema.bind(args);
  if (std::string refused = login.refusal(); !refused.empty()) throw ArgError(refused);
  return login;
}

std::string Login::refusal() const {
  return password.find('\n') == std::string::npos ? "" : "login_password must not contain a newline";
}

std::string Login::conninfo(const std::string& db) const {
  std::string info = "dbname=" + conninfo_value(db);
  if (!user.empty()) info += " user=" + conninfo_value(user);
  info += " port=" + std::to_string(port);
  // As Ansible: a socket folder counts when no host (or localhost) is given.
  if (!unix_socket.empty() && (host.empty() || host == "localhost")) {
    info += " host=" + conninfo_value(unix_socket);
  } else if (!host.empty()) {
    info += " host=" + conninfo_value(host);
  }
  if (!ssl_mode.empty() && ssl_mode != "prefer") info += " sslmode=" + conninfo_value(ssl_mode);
  if (!ca_cert.empty()) info += " sslrootcert=" + conninfo_value(ca_cert);
  if (!ssl_cert.empty()) info += " sslcert=" + conninfo_value(ssl_cert);
  if (!ssl_key.empty()) info += " sslkey=" + conninfo_value(ssl_key);
  if (connect_params.is_object()) {
    for (const auto& [key, value] : connect_params.items()) {
      bool word = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
      if (!word) throw ArgError("connect_params: '" + key + "' is not a libpq connection parameter name");
      info += " " + key + "=" + conninfo_value(to_plain_string(value));
    }
  }
  return info;
}

Probe tool_command(const Login& login, const std::string& tool, const std::string& command, const std::string& input,
                   const std::string& prelude) {
  std::string inner = "cd / || exit 1; ";
  Probe probe;
  if (!login.password.empty()) {
    // The password is the first stdin line: neither the command line nor the exported environment of the
    // outer shell (visible in ps through `export` words) ever holds it.
    inner += "IFS= read -r PGPASSWORD || exit 1; export PGPASSWORD; ";
    probe.stdin_data = login.password + "\n";
  }
  inner += command;
  probe.stdin_data += input;
  probe.command = "command -v " + shell_quote(tool) + " >/dev/null 2>&1 || { echo " + std::string(kMissingMarker) +
                  "; exit 0; }; PGCLIENTENCODING=UTF8; export PGCLIENTENCODING; " + prelude +
                  "prov_inner=" + shell_quote(inner) +
                  "; if [ \"$(id -u)\" = 0 ] && id postgres >/dev/null 2>&1; then exec su -s /bin/sh -c "
                  "\"$prov_inner\" postgres; fi; exec /bin/sh -c \"$prov_inner\"";
  return probe;
}

ToolRun tool_answer(const conn::CommandResult& answer) {
  ToolRun run;
  if (answer.rc == 0 && trim(answer.out) == kMissingMarker) {
    run.missing = true;
    return run;
  }
  run.rc = answer.rc;
  run.out = answer.out;
  run.err = strip_psql_prefixes(answer.err);
  return run;
}

Value read_json(const ToolRun& read) {
  if (read.missing || read.rc != 0) return Value();
  Value out_lines = util::lines(read.out);
  try {
    return out_lines.empty() ? Value() : Value::parse(out_lines.back().get<std::string>());
  } catch (const std::exception&) {
    return Value();
  }
}

std::optional<Result> read_failure(const ToolRun& read, const Value& info) {
  if (read.missing) return util::failed(missing_message("psql"));
  if (connect_failed(read)) return util::failed("unable to connect to database: " + error_text(read.err));
  if (read.rc != 0) return util::failed("Database query failed: " + error_text(read.err));
  if (info.is_null()) return util::failed("Database query failed: unexpected psql output: " + read.out);
  return std::nullopt;
}

ToolRun run_tool(const Context& ctx, const Probe& command) {
  return tool_answer(util::run(ctx, command.command, command.stdin_data));
}

// Debian's psql is pg_wrapper, a Perl program (about 100 ms to start on a small host) that runs the newest installed
// psql, pointed at the default cluster. With the port and database always in the connection string, the newest psql
// started directly connects where Ansible's psycopg2 does (libpq's default socket folder); PGSYSCONFDIR is set as the
// wrapper sets it, for service files. Any other psql first in PATH is used as it is.
constexpr const char* kFindPsql =
    "prov_psql=psql; if [ /usr/bin/psql -ef /usr/share/postgresql-common/pg_wrapper ] && "
    "[ \"$(command -v psql)\" = /usr/bin/psql ]; then prov_v=0; for prov_b in /usr/lib/postgresql/*/bin/psql; do "
    "prov_m=${prov_b#/usr/lib/postgresql/}; prov_m=${prov_m%%[!0-9]*}; [ -n \"$prov_m\" ] && [ -x \"$prov_b\" ] && "
    "[ \"$prov_m\" -ge \"$prov_v\" ] && { prov_v=$prov_m; prov_psql=$prov_b; }; done; "
    "PGSYSCONFDIR=${PGSYSCONFDIR:-/etc/postgresql-common}; export PGSYSCONFDIR; fi; ";

Probe psql_command(const Login& login, const std::string& db, const std::string& sql) {
  std::string script = "SET standard_conforming_strings = on;\n";
  if (!login.session_role.empty()) script += "SET ROLE " + quote_ident(login.session_role) + ";\n";
  script += sql;
  std::string command =
      std::string(kFindPsql) + "\"$prov_psql\" -X -q -A -t -v ON_ERROR_STOP=1 -d " + shell_quote(login.conninfo(db));
  return tool_command(login, "psql", command, script);
}

std::string error_text(const std::string& err) {
  std::string text = trim(err);
  size_t at = text.find("ERROR:  ");
  if (at != std::string::npos) {
    text = text.substr(at + 8);
    size_t eol = text.find('\n');
    return eol == std::string::npos ? text : text.substr(0, eol);
  }
  static constexpr std::string_view kPsql = "psql: error: ";
  if (text.compare(0, kPsql.size(), kPsql) == 0) text = text.substr(kPsql.size());
  return text;
}

bool planned_install(const Plan* plan) { return plan != nullptr && !plan->packages.empty(); }

std::string missing_message(const std::string& tool) {
  return tool + " was not found on the host: install PostgreSQL (the postgresql package, or postgresql-client for " +
         "a remote server) before this task";
}

// --- Passwords ------------------------------------------------------------------------------------------------

std::string md5_verifier(const std::string& password, const std::string& user) {
  return "md5" + util::md5_hex(password + user);
}

std::string base64_encode(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  if (text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
      std::string::npos) {
    return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : text.back() == '=' ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::optional<ScramVerifier> parse_scram(const std::string& verifier) {
  static constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (verifier.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  std::string rest = verifier.substr(kPrefix.size());
  size_t colon1 = rest.find(':');
  size_t dollar = rest.find('$', colon1 == std::string::npos ? 0 : colon1);
  size_t colon2 = rest.find(':', dollar == std::string::npos ? 0 : dollar);
  if (colon1 == std::string::npos || dollar == std::string::npos || colon2 == std::string::npos) return std::nullopt;
  std::string iterations = rest.substr(0, colon1);
  if (iterations.empty() || iterations.size() > 9 || iterations.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  auto salt = base64_decode(rest.substr(colon1 + 1, dollar - colon1 - 1));
  auto stored = base64_decode(rest.substr(dollar + 1, colon2 - dollar - 1));
  auto server = base64_decode(rest.substr(colon2 + 1));
  if (!salt || !stored || !server) return std::nullopt;
  ScramVerifier v;
  v.iterations = std::stoi(iterations);
  if (v.iterations <= 0) return std::nullopt;
  v.salt = *salt;
  v.stored_key = *stored;
  v.server_key = *server;
  return v;
}

std::string scram_verifier(const std::string& password, const std::string& salt, int iterations) {
  unsigned char salted[SHA256_DIGEST_LENGTH];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), sizeof salted, salted);
  std::string key(reinterpret_cast<const char*>(salted), sizeof salted);
  std::string stored_key = sha256(hmac_sha256(key, "Client Key"));
  std::string server_key = hmac_sha256(key, "Server Key");
  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + base64_encode(salt) + "$" + base64_encode(stored_key) +
         ":" + base64_encode(server_key);
}

bool scram_matches(const std::string& stored, const std::string& password) {
  auto v = parse_scram(stored);
  if (!v) return false;
  auto same = [&](const std::string& candidate) {
    auto mine = parse_scram(scram_verifier(candidate, v->salt, v->iterations));
    return mine && mine->stored_key == v->stored_key && mine->server_key == v->server_key;
  };
  if (same(password)) return true;
  auto mapped = saslprep_mapped(password);
  return mapped && same(*mapped);
}

bool password_differs(const std::optional<std::string>& stored, const std::string& password, const std::string& user,
                      bool encrypted) {
  if (password.empty()) return stored.has_value();
  if (parse_scram(password)) return !stored || *stored != password;
  if (stored && parse_scram(*stored)) return !scram_matches(*stored, password);
  if (looks_like_md5(password) || !encrypted) return !stored || *stored != password;
  return !stored || *stored != md5_verifier(password, user);
}

std::string password_to_send(const std::string& password, const std::string& user, bool encrypted,
                             const std::string& password_encryption, int scram_iterations) {
  if (!encrypted || parse_scram(password) || looks_like_md5(password) || !is_ascii(password)) return password;
  if (password_encryption == "md5") return md5_verifier(password, user);
  if (password_encryption == "scram-sha-256") {
    return scram_verifier(password, random_bytes(16), scram_iterations > 0 ? scram_iterations : 4096);
  }
  return password;
}

}  // namespace prov::mod::pg
