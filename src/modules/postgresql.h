#pragma once
// Shared by postgresql_db and postgresql_user (not a public header): SQL quoting, the login arguments, running
// psql (or pg_dump, pg_restore) on the host as the postgres OS user, and comparing passwords with the stored
// verifier without ever sending the password anywhere.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provision/modules/module.h"
#include "schema.h"

namespace prov::mod::pg {

/// An SQL identifier in double quotes, inner double quotes doubled: a"b -> "a""b". Throws ArgError on a NUL byte,
/// which no identifier can hold.
std::string quote_ident(std::string_view name);
/// An SQL string literal in single quotes, inner single quotes doubled; backslashes stay literal because every
/// script starts with SET standard_conforming_strings = on (never an E'' literal). Throws ArgError on a NUL byte.
std::string quote_literal(std::string_view text);
/// A libpq connection-string value: 'a\'b\\c'.
std::string conninfo_value(std::string_view text);

/// How to reach the server: the connection arguments every postgresql module takes (login_user, login_password,
/// login_host, port, ..., session_role), declared once and included in each module's arguments.
struct Login {
  std::string user;
  std::string password;  ///< sent on stdin, never on a command line
  std::string host;
  std::string unix_socket;
  long long port = 5432;
  std::string ssl_mode;
  std::string ca_cert;
  std::string ssl_cert;
  std::string ssl_key;
  Value connect_params;
  std::string session_role;
  bool trust_input = true;

  static void describe(Schema<Login>& s);
  /// From validated args; throws ArgError where refusal() says no.
  static Login from(const Value& args);
  /// Why these arguments cannot be used ("" when they can): a password with a newline cannot go on stdin.
  std::string refusal() const;
  /// The libpq connection string for database db (no password in it).
  std::string conninfo(const std::string& db) const;
};

/// What one tool run on the host gave.
struct ToolRun {
  bool missing = false;  ///< the tool is not installed on the host
  int rc = 0;
  std::string out;
  std::string err;  ///< with psql's "psql:<stdin>:N: " prefixes removed
};

/// The command that runs `command` (a sh command line built from quoted words) on the host in one round trip: as
/// the task's become when it has one; otherwise, when the connection is root and a postgres OS user exists, as
/// postgres through `su -s /bin/sh -c ... postgres` (peer authentication on the local socket needs the OS user).
/// The password, when there is one, is the first stdin line and reaches the tool as PGPASSWORD; `input` follows on
/// stdin. `tool` is checked with `command -v` first. `prelude` runs before switching user (it may export variables).
Probe tool_command(const Login& login, const std::string& tool, const std::string& command, const std::string& input,
                   const std::string& prelude = {});

/// psql with the flags every module uses (-X -q -A -t -v ON_ERROR_STOP=1) against database db, reading `sql` on
/// stdin. The script is prefixed with SET standard_conforming_strings = on and, when given, SET ROLE.
Probe psql_command(const Login& login, const std::string& db, const std::string& sql);

/// What the host answered to a tool_command or psql_command.
ToolRun tool_answer(const conn::CommandResult& answer);

/// The JSON object a psql read printed on its last line; null when it printed something else.
Value read_json(const ToolRun& read);

/// What makes a psql read unusable, as the task's failure: psql missing, no connection, a failed query, output that
/// is not the JSON asked for (info: read_json's). nullopt: the read can be compared.
std::optional<Result> read_failure(const ToolRun& read, const Value& info);

/// Sends a tool_command or psql_command and reads the answer.
ToolRun run_tool(const Context& ctx, const Probe& command);

/// The first error line of psql's stderr without "ERROR:  ", for messages.
std::string error_text(const std::string& err);
/// True when psql failed to connect (exit status 2).
inline bool connect_failed(const ToolRun& run) { return run.rc == 2; }

/// True when check mode (plan is non-null) should assume PostgreSQL is installed by an earlier task.
bool planned_install(const Plan* plan);

/// The message when psql (or pg_dump, ...) is not on the host.
std::string missing_message(const std::string& tool);

// --- Passwords ------------------------------------------------------------------------------------------------

/// "md5" + md5(password + user): PostgreSQL's md5 verifier.
std::string md5_verifier(const std::string& password, const std::string& user);

/// A parsed SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> verifier (salt and keys decoded).
struct ScramVerifier {
  int iterations = 0;
  std::string salt;
  std::string stored_key;
  std::string server_key;
};
std::optional<ScramVerifier> parse_scram(const std::string& verifier);
/// The verifier PostgreSQL stores for password with this salt and iteration count (the password as given, already
/// normalized).
std::string scram_verifier(const std::string& password, const std::string& salt, int iterations);
/// True when `password` is what produced the SCRAM verifier: StoredKey and ServerKey are recomputed from its salt
/// and iteration count. The password is tried as given and with SASLprep's mappings (non-ASCII spaces to a space,
/// the "mapped to nothing" characters removed); NFKC normalization is not applied.
bool scram_matches(const std::string& stored, const std::string& password);

/// True when the password should be set again, as Ansible decides: an empty password wants no password; a hash
/// given as password (md5..., SCRAM-SHA-256$...) is compared as is, so is an unencrypted one; otherwise the stored
/// verifier (SCRAM or md5) is recomputed from the password. `stored` is null when the role has no password.
bool password_differs(const std::optional<std::string>& stored, const std::string& password, const std::string& user,
                      bool encrypted);

/// What to send as the password literal: ASCII passwords are hashed here the way the server would
/// (password_encryption "md5" or "scram-sha-256", a random salt), so the clear password never reaches the server
/// or its logs; hashes and non-ASCII passwords (whose SASLprep normalization is the server's) are sent as given.
std::string password_to_send(const std::string& password, const std::string& user, bool encrypted,
                             const std::string& password_encryption, int scram_iterations);

/// Base64 (standard alphabet, padded) encode and decode; decode returns nullopt on bad input.
std::string base64_encode(const std::string& data);
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace prov::mod::pg
