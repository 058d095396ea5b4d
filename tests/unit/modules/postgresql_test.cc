// postgresql_db and postgresql_user without a server: SQL quoting, password verifiers checked against fixtures
// that PostgreSQL itself produced, and the modules against a scripted connection (what they send, what they make
// of psql's answers).
#include <catch2/catch.hpp>
#include <deque>
#include <fstream>

#include "../../../src/modules/postgresql.h"
#include "provision/modules/module.h"
#include "scripted_host.h"

using prov::Value;
namespace pg = prov::mod::pg;

namespace {

Value fixture() {
  std::ifstream in(std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/postgresql/verifiers.json");
  REQUIRE(in.good());
  return Value::parse(in);
}

using ScriptedConnection = test::ScriptedHost;

Value run_module(ScriptedConnection& conn, const std::string& module, const Value& args, bool check = false,
                 prov::mod::Plan* plan = nullptr) {
  return test::run_module(module, conn, args, {check, false, plan});
}

prov::conn::CommandResult ok(const std::string& out) { return {0, out, "", false}; }

}  // namespace

TEST_CASE("postgresql quoting: identifiers, literals, connection values", "[postgresql]") {
  CHECK(pg::quote_ident("plain") == "\"plain\"");
  CHECK(pg::quote_ident("a\"b") == "\"a\"\"b\"");
  CHECK(pg::quote_ident("x\"; DROP ROLE y; --") == "\"x\"\"; DROP ROLE y; --\"");
  CHECK(pg::quote_ident("") == "\"\"");
  CHECK(pg::quote_literal("it's") == "'it''s'");
  // Backslashes stay as they are: the scripts run with standard_conforming_strings on, never E'' literals.
  CHECK(pg::quote_literal("a\\'b$$c") == "'a\\''b$$c'");
  CHECK(pg::quote_literal("line\nbreak") == "'line\nbreak'");
  CHECK(pg::conninfo_value("db name's\\x") == "'db name\\'s\\\\x'");
  REQUIRE_THROWS_WITH(pg::quote_ident(std::string("a\0b", 3)), "an SQL identifier must not contain a NUL byte");
  REQUIRE_THROWS_WITH(pg::quote_literal(std::string("a\0b", 3)), "an SQL string must not contain a NUL byte");
}

TEST_CASE("postgresql connection strings", "[postgresql]") {
  Value args = {{"login_user", "postgres"},
                {"login_password", ""},
                {"login_host", ""},
                {"login_unix_socket", "/run/pg sock"},
                {"port", 5433},
                {"ssl_mode", "prefer"},
                {"connect_params", {{"connect_timeout", "5"}}}};
  pg::Login login = pg::Login::from(args);
  CHECK(login.conninfo("a'b") == "dbname='a\\'b' user='postgres' port=5433 host='/run/pg sock' connect_timeout='5'");
  args["login_host"] = "10.0.0.5";
  args["ssl_mode"] = "require";
  CHECK(pg::Login::from(args).conninfo("x") ==
        "dbname='x' user='postgres' port=5433 host='10.0.0.5' sslmode='require' connect_timeout='5'");
  args["connect_params"] = {{"bad key", "1"}};
  REQUIRE_THROWS_WITH(pg::Login::from(args).conninfo("x"),
                      "connect_params: 'bad key' is not a libpq connection parameter name");
  args["login_password"] = "two\nlines";
  REQUIRE_THROWS_WITH(pg::Login::from(args), "login_password must not contain a newline");
}

TEST_CASE("postgresql verifiers made by PostgreSQL match their passwords", "[postgresql]") {
  const Value cases = fixture()["cases"];
  for (const auto& c : cases) {
    const std::string user = c["user"], password = c["password"], verifier = c["verifier"];
    INFO(user << ": " << c["note"].get<std::string>());
    CHECK_FALSE(pg::password_differs(verifier, password, user, true));
    CHECK(pg::password_differs(verifier, password + "x", user, true));
    CHECK(pg::password_differs(verifier, "", user, true));
    if (auto scram = pg::parse_scram(verifier)) {
      CHECK(scram->iterations == 4096);
      CHECK(scram->salt.size() == 16);
      CHECK(pg::scram_matches(verifier, password));
      CHECK_FALSE(pg::scram_matches(verifier, "Pencil"));
    } else {
      CHECK(pg::md5_verifier(password, user) == verifier);
    }
  }
}

TEST_CASE("postgresql SCRAM verifier recomputed from its salt is PostgreSQL's", "[postgresql]") {
  const std::string stored =
      "SCRAM-SHA-256$4096:iZnZHc3RhDFVUtAHBY5KAA==$b8B49DKkTJmPBCNs7nOL6GrPJAVLni5dMwYbb75wnbs=:"
      "pG5FEDOabEzaIefBwlL1it2vq8lV5kbmp+HTTLcpZCk=";
  auto v = pg::parse_scram(stored);
  REQUIRE(v);
  CHECK(pg::scram_verifier("pencil", v->salt, v->iterations) == stored);
  // A ServerKey that matches with a wrong StoredKey is not a match.
  std::string tampered = stored;
  tampered.replace(tampered.find("b8B4"), 4, "c8B4");
  CHECK_FALSE(pg::scram_matches(tampered, "pencil"));
}

TEST_CASE("postgresql password comparison follows Ansible's rules", "[postgresql]") {
  const std::string md5 = pg::md5_verifier("pencil", "alice");
  CHECK(md5 == "md5ee69efad287c7423caf0b3229d71f567");
  CHECK_FALSE(pg::password_differs(md5, "pencil", "alice", true));
  CHECK(pg::password_differs(md5, "pencil", "bob", true));     // the user name is part of the hash
  CHECK_FALSE(pg::password_differs(md5, md5, "alice", true));  // a hash given as password is compared as is
  CHECK(pg::password_differs(std::nullopt, "pencil", "alice", true));
  CHECK_FALSE(pg::password_differs(std::nullopt, "", "alice", true));  // no password wanted, none there
  CHECK(pg::password_differs(md5, "", "alice", true));
  CHECK_FALSE(pg::password_differs(std::string("plain"), "plain", "alice", false));
  CHECK(pg::password_differs(std::string("garbage$"), "pencil", "alice", true));
  CHECK_FALSE(pg::parse_scram("SCRAM-SHA-256$x:AAAA$AAAA:AAAA"));
  CHECK_FALSE(pg::parse_scram("SCRAM-SHA-256$4096:!!!!$AAAA:AAAA"));
  CHECK_FALSE(pg::parse_scram("SCRAM-SHA-256$4096:AAAA"));
}

TEST_CASE("postgresql passwords are hashed before they are sent", "[postgresql]") {
  std::string scram = pg::password_to_send("s3cret", "alice", true, "scram-sha-256", 4096);
  REQUIRE(pg::parse_scram(scram));
  CHECK(pg::scram_matches(scram, "s3cret"));
  CHECK(scram.find("s3cret") == std::string::npos);
  CHECK(pg::password_to_send("s3cret", "alice", true, "scram-sha-256", 4096) != scram);  // a fresh salt each time
  CHECK(pg::password_to_send("s3cret", "alice", true, "md5", 0) == pg::md5_verifier("s3cret", "alice"));
  // Already hashed, unencrypted, or non-ASCII (SASLprep is the server's): sent as given.
  CHECK(pg::password_to_send(scram, "alice", true, "md5", 0) == scram);
  CHECK(pg::password_to_send("s3cret", "alice", false, "scram-sha-256", 4096) == "s3cret");
  CHECK(pg::password_to_send("p\xc3\xa4ss", "alice", true, "scram-sha-256", 4096) == "p\xc3\xa4ss");
  CHECK(pg::base64_decode(pg::base64_encode("ab")) == std::string("ab"));
  CHECK(pg::base64_decode(pg::base64_encode("abc")) == std::string("abc"));
  CHECK(pg::base64_decode(pg::base64_encode("abcd")) == std::string("abcd"));
  CHECK_FALSE(pg::base64_decode("abc"));
}

TEST_CASE("postgresql_user sends SQL on stdin and keeps the password out of commands and results", "[postgresql]") {
  ScriptedConnection conn;
  const std::string probe =
      R"({"authid" : true, "role" : null, "version" : 150020, "password_encryption" : "scram-sha-256", )"
      R"("scram_iterations" : null, "db_privs" : null, "table_privs" : []})";
  conn.answers = {ok(probe + "\n"), ok("")};
  Value r =
      run_module(conn, "postgresql_user",
                 {{"name", "o'brien\"x"}, {"password", "Secr3t'pw"}, {"role_attr_flags", "createdb,NOSUPERUSER"}});
  CHECK(r["changed"] == true);
  CHECK(r["user"] == "o'brien\"x");
  CHECK(r["queries"] ==
        Value::array({"CREATE USER \"o'brien\"\"x\" WITH ENCRYPTED PASSWORD %(password)s CREATEDB NOSUPERUSER"}));
  REQUIRE(conn.commands.size() == 2);
  for (const auto& command : conn.commands) CHECK(command.find("Secr3t") == std::string::npos);
  CHECK(conn.inputs[0].find("SET standard_conforming_strings = on;\n") == 0);
  CHECK(conn.inputs[0].find("WHERE rolname = 'o''brien\"x'") != std::string::npos);
  // The apply step: one transaction, the password hashed here (never in clear), the name quoted.
  CHECK(conn.inputs[1].find("BEGIN;\nCREATE USER \"o'brien\"\"x\" WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:") !=
        std::string::npos);
  CHECK(conn.inputs[1].find("Secr3t") == std::string::npos);
  CHECK(r.dump().find("Secr3t") == std::string::npos);
}

TEST_CASE("postgresql_user: unchanged password, changed attributes", "[postgresql]") {
  ScriptedConnection conn;
  const std::string role =
      R"({"rolsuper" : false, "rolcreaterole" : false, "rolcreatedb" : false, "rolinherit" : true, )"
      R"("rolcanlogin" : true, "rolreplication" : false, "rolbypassrls" : false, "rolconnlimit" : -1, )"
      R"("rolpassword" : "md579f7f8a38348daaeb35c2fc6c7e5b9ff", "expires_differ" : null, "comment" : null})";
  const std::string probe = R"({"authid" : true, "role" : )" + role +
                            R"(, "version" : 150020, "password_encryption" : "md5", "scram_iterations" : null, )"
                            R"("db_privs" : ["CONNECT"], "table_privs" : []})";
  conn.answers = {ok(probe + "\n")};
  Value same = run_module(conn, "postgresql_user", {{"name", "fixture_md5"}, {"password", "pencil"}});
  CHECK(same == Value{{"user", "fixture_md5"}, {"changed", false}, {"queries", Value::array()}});

  conn.answers = {ok(probe + "\n")};
  Value check = run_module(conn, "postgresql_user",
                           {{"name", "fixture_md5"},
                            {"password", "pencil"},
                            {"role_attr_flags", "CREATEDB"},
                            {"db", "app"},
                            {"priv", "CONNECT,CREATE"}},
                           true);
  CHECK(check["changed"] == true);
  CHECK(check["queries"] == Value::array({"ALTER USER \"fixture_md5\" WITH CREATEDB",
                                          "GRANT CREATE, CONNECT ON DATABASE \"app\" TO \"fixture_md5\""}));
  CHECK(conn.commands.size() == 2);  // check mode: the probe only
}

TEST_CASE("postgresql modules: argument errors", "[postgresql]") {
  ScriptedConnection conn;
  REQUIRE_THROWS_WITH(run_module(conn, "postgresql_user", {{"name", "a"}, {"pasword", "x"}}),
                      Catch::Contains("Unsupported parameters for (postgresql_user) module: pasword"));
  REQUIRE_THROWS_WITH(run_module(conn, "postgresql_db", Value::object()), "missing required arguments: name");
  REQUIRE_THROWS_WITH(run_module(conn, "postgresql_db", {{"name", "a"}, {"state", "gone"}}),
                      "value of state must be one of: absent, dump, present, rename, restore, got: gone");
  CHECK(run_module(conn, "postgresql_user", {{"name", "a"}, {"role_attr_flags", "CREATEDB,FLY"}})["msg"] ==
        "Invalid role_attr_flags specified: FLY");
  CHECK(run_module(conn, "postgresql_user", {{"name", "a"}, {"priv", "CONNECT"}})["msg"] ==
        "privileges require a database to be specified");
  CHECK(run_module(conn, "postgresql_user", {{"name", "a"}, {"db", "d"}, {"priv", "CONNECT/t:FLY"}})["msg"] ==
        "Invalid privs specified for table: FLY");
  CHECK(run_module(conn, "postgresql_db", {{"name", "a"}, {"conn_limit", "10; DROP"}})["msg"] ==
        "conn_limit must be an integer, got: 10; DROP");
  CHECK(run_module(conn, "postgresql_db", {{"name", "a"}, {"state", "rename"}})["msg"] ==
        "The \"target\" option must be defined when the \"rename\" option is used.");
  CHECK(conn.commands.empty());
}

TEST_CASE("postgresql modules: psql missing fails, unless check mode plans an install", "[postgresql]") {
  ScriptedConnection conn;
  conn.answers = {ok("PROVISION-PG-TOOL-MISSING\n")};
  Value r = run_module(conn, "postgresql_db", {{"name", "app"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "psql was not found on the host: install PostgreSQL (the postgresql package, or postgresql-client for a remote "
        "server) before this task");
  prov::mod::Plan plan;
  conn.answers = {ok("PROVISION-PG-TOOL-MISSING\n")};
  CHECK(run_module(conn, "postgresql_db", {{"name", "app"}}, true, &plan)["failed"] == true);
  plan.packages.insert("postgresql");
  conn.answers = {ok("PROVISION-PG-TOOL-MISSING\n")};
  CHECK(run_module(conn, "postgresql_db", {{"name", "app"}}, true, &plan) ==
        Value{{"changed", true}, {"db", "app"}, {"executed_commands", Value::array()}});
  conn.answers = {ok("PROVISION-PG-TOOL-MISSING\n")};
  CHECK(run_module(conn, "postgresql_user", {{"name", "app"}}, true, &plan) ==
        Value{{"user", "app"}, {"changed", true}, {"queries", Value::array()}});
}

TEST_CASE("postgresql_db: the probe decides, statements only for differences", "[postgresql]") {
  ScriptedConnection conn;
  const std::string probe =
      R"({"db" : {"owner" : "postgres", "encoding" : "UTF8", "encoding_id" : 6, "lc_collate" : "C.UTF-8", )"
      R"("lc_ctype" : "C.UTF-8", "conn_limit" : -1, "tablespace" : "pg_default"}, "encoding_id" : 6, )"
      R"("target_exists" : false, "version" : 150020})";
  conn.answers = {ok(probe + "\n")};
  CHECK(run_module(conn, "postgresql_db", {{"name", "app"}, {"encoding", "UTF-8"}}) ==
        Value{{"changed", false}, {"db", "app"}, {"executed_commands", Value::array()}});
  conn.answers = {ok(probe + "\n"), ok("")};
  Value r = run_module(conn, "postgresql_db", {{"name", "app"}, {"owner", "bob\"x"}, {"conn_limit", "5"}});
  CHECK(r["executed_commands"] ==
        Value::array({"ALTER DATABASE \"app\" OWNER TO \"bob\"\"x\"", "ALTER DATABASE \"app\" CONNECTION LIMIT 5"}));
  CHECK(conn.inputs.back().find("ALTER DATABASE \"app\" OWNER TO \"bob\"\"x\";\n") != std::string::npos);
  conn.answers = {ok(probe + "\n")};
  CHECK(run_module(conn, "postgresql_db", {{"name", "app"}, {"lc_collate", "de_DE.UTF-8"}})["msg"] ==
        "Changing LC_COLLATE is not supported. Current LC_COLLATE: C.UTF-8");
  conn.answers = {{2, "", "psql: error: connection to server on socket \"/run/x\" failed: No such file\n", false}};
  CHECK(run_module(conn, "postgresql_db", {{"name", "app"}})["msg"] ==
        "unable to connect to database: connection to server on socket \"/run/x\" failed: No such file");
}

TEST_CASE("postgresql argument error message, whole", "[postgresql]") {
  ScriptedConnection conn;
  REQUIRE_THROWS_WITH(
      run_module(conn, "postgresql_user", {{"name", "a"}, {"passwrd", "x"}}),
      "Unsupported parameters for (postgresql_user) module: passwrd. Supported parameters include: ca_cert, comment, "
      "conn_limit, connect_params, db, encrypted, expires, fail_on_user, login_host, login_password, "
      "login_unix_socket, "
      "login_user, name, no_password_changes, password, port, priv, role_attr_flags, session_role, ssl_cert, ssl_key, "
      "ssl_mode, state, trust_input (fail_on_role, host, login, login_db, login_port, ssl_rootcert, unix_socket, "
      "user). (did you mean 'password'?)");
}

TEST_CASE("postgresql modules answer to their collection names", "[postgresql]") {
  CHECK(prov::mod::find_module("community.postgresql.postgresql_db") == prov::mod::find_module("postgresql_db"));
  CHECK(prov::mod::find_module("community.postgresql.postgresql_user") == prov::mod::find_module("postgresql_user"));
}
