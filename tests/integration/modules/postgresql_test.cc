// postgresql_db and postgresql_user against a real PostgreSQL 15 (Debian 12's package) on a sandbox host, over
// SSH, as the executor runs them: with become to postgres (sudo) and as root without become (the modules switch to
// the postgres OS user themselves).
#include <catch2/catch.hpp>
#include <sstream>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::conn::shell_quote;
using prov::test::ModuleHost;
using prov::test::ModuleRun;

namespace {

// The host with PostgreSQL installed and running, and md5 allowed on 127.0.0.1 so that md5 and SCRAM verifiers
// can both log in over TCP. Installing takes a few minutes on a fresh host, so it happens once per run.
ModuleHost& pg_host() {
  static ModuleHost host(prov::test::hosts::kPostgres);
  static bool ready = false;
  if (!ready) {
    host.sh(
        "command -v psql >/dev/null || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive "
        "apt-get install -y -q postgresql >/tmp/pg-install.log 2>&1; }");
    host.sh("pg_lsclusters -h | grep -q online || service postgresql start >/dev/null");
    host.sh(
        "sed -i -E 's/^(host +all +all +127.0.0.1\\/32 +)scram-sha-256/\\1md5/' /etc/postgresql/*/main/pg_hba.conf "
        "&& service postgresql reload >/dev/null");
    ready = true;
  }
  return host;
}

ModuleRun as_postgres() {
  ModuleRun how;
  how.become.enabled = true;
  how.become.user = "postgres";
  return how;
}

// Runs SQL on the host as the postgres superuser (not through the modules) and returns psql's unaligned output.
std::string sql(ModuleHost& host, const std::string& query, const std::string& db = "postgres") {
  return host.sh("cd / && printf '%s\\n' " + shell_quote(query) + " | su -s /bin/sh postgres -c " +
                 shell_quote("psql -X -q -A -t -v ON_ERROR_STOP=1 -d " + shell_quote(db)));
}

// An identifier for the test's own SQL.
std::string ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Logs in over TCP with a password, as an application would.
int login(ModuleHost& host, const std::string& user, const std::string& password, const std::string& db = "postgres") {
  return host
      .try_sh("cd / && PGUSER=" + shell_quote(user) + " PGPASSWORD=" + shell_quote(password) +
              " PGDATABASE=" + shell_quote(db) + " psql -X -h 127.0.0.1 -q -A -t -c 'select 1'")
      .rc;
}

// The upper layer without what PostgreSQL writes by itself while it runs (its data folder: checkpoints,
// autovacuum, hint bits, statistics; its log; its socket folder): those change with or without our tasks, so
// check mode is proven unchanged on everything else, and on the server's catalogs by SQL.
std::string listing_without_server(const ModuleHost& host) {
  std::istringstream in(host.upper_listing());
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("var/lib/postgresql", 0) == 0 || line.rfind("var/log/postgresql", 0) == 0 ||
        line.rfind("run/postgresql", 0) == 0 || line.rfind("var/run/postgresql", 0) == 0) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("postgresql_db creates with owner, encoding and template0, reruns unchanged, drops",
          "[postgresql][postgresql_db]") {
  ModuleHost& host = pg_host();
  sql(host, "DROP DATABASE IF EXISTS pv_app");
  sql(host, "DROP ROLE IF EXISTS pv_owner");
  sql(host, "CREATE ROLE pv_owner");
  Value args = {{"name", "pv_app"},        {"owner", "pv_owner"},     {"encoding", "UTF-8"},
                {"template", "template0"}, {"lc_collate", "C.UTF-8"}, {"lc_ctype", "C.UTF-8"}};

  Value created = host.run("postgresql_db", args, as_postgres());
  INFO(created.dump());
  CHECK(created["changed"] == true);
  CHECK(created["db"] == "pv_app");
  CHECK(created["executed_commands"] ==
        Value::array({"CREATE DATABASE \"pv_app\" OWNER \"pv_owner\" TEMPLATE \"template0\" ENCODING 'UTF-8' "
                      "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"}));
  CHECK(sql(host,
            "SELECT pg_get_userbyid(datdba) || ' ' || pg_encoding_to_char(encoding) || ' ' || datcollate "
            "FROM pg_database WHERE datname = 'pv_app'") == "pv_owner UTF8 C.UTF-8");

  Value again = host.run("postgresql_db", args, as_postgres());
  CHECK(again == Value{{"changed", false}, {"db", "pv_app"}, {"executed_commands", Value::array()}});

  Value latin = args;
  latin["encoding"] = "LATIN1";
  Value refused = host.run("postgresql_db", latin, as_postgres());
  CHECK(refused["failed"] == true);
  CHECK(refused["msg"] == "Changing database encoding is not supported. Current encoding: UTF8");
  CHECK(host.check("postgresql_db", latin)["changed"] == true);

  Value limited = host.run("postgresql_db", {{"name", "pv_app"}, {"conn_limit", "7"}}, as_postgres());
  CHECK(limited["executed_commands"] == Value::array({"ALTER DATABASE \"pv_app\" CONNECTION LIMIT 7"}));
  CHECK(sql(host, "SELECT datconnlimit FROM pg_database WHERE datname = 'pv_app'") == "7");

  Value dropped = host.run("postgresql_db", {{"name", "pv_app"}, {"state", "absent"}}, as_postgres());
  CHECK(dropped["changed"] == true);
  CHECK(dropped["executed_commands"] == Value::array({"DROP DATABASE \"pv_app\""}));
  CHECK(sql(host, "SELECT count(*) FROM pg_database WHERE datname = 'pv_app'") == "0");
  CHECK(host.run("postgresql_db", {{"name", "pv_app"}, {"state", "absent"}}, as_postgres())["changed"] == false);
}

TEST_CASE("postgresql_db as root without become switches to the postgres OS user", "[postgresql][postgresql_db]") {
  ModuleHost& host = pg_host();
  sql(host, "DROP DATABASE IF EXISTS pv_rootless");
  Value created = host.run("postgresql_db", {{"name", "pv_rootless"}});
  INFO(created.dump());
  CHECK(created["changed"] == true);
  CHECK(sql(host, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'pv_rootless'") == "postgres");
  CHECK(host.run("postgresql_db", {{"name", "pv_rootless"}})["changed"] == false);
  Value renamed = host.run("postgresql_db", {{"name", "pv_rootless"}, {"state", "rename"}, {"target", "pv_renamed"}});
  CHECK(renamed["executed_commands"] == Value::array({"ALTER DATABASE \"pv_rootless\" RENAME TO \"pv_renamed\""}));
  CHECK(host.run("postgresql_db",
                 {{"name", "pv_rootless"}, {"state", "rename"}, {"target", "pv_renamed"}})["changed"] == false);
  CHECK(host.run("postgresql_db", {{"name", "pv_renamed"}, {"state", "absent"}, {"force", true}})["changed"] == true);
}

TEST_CASE("postgresql_db dumps to files and restores them", "[postgresql][postgresql_db]") {
  ModuleHost& host = pg_host();
  sql(host, "DROP DATABASE IF EXISTS pv_dump");
  sql(host, "DROP DATABASE IF EXISTS pv_copy");
  host.sh("rm -rf /var/lib/postgresql/pv_dump.sql /var/lib/postgresql/pv_dump.sql.gz /var/lib/postgresql/pv.pgc");
  REQUIRE(host.run("postgresql_db", {{"name", "pv_dump"}}, as_postgres())["changed"] == true);
  sql(host, "CREATE TABLE items (id int, label text); INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      "pv_dump");

  Value dumped =
      host.run("postgresql_db", {{"name", "pv_dump"}, {"state", "dump"}, {"target", "/var/lib/postgresql/pv_dump.sql"}},
               as_postgres());
  INFO(dumped.dump());
  CHECK(dumped["changed"] == true);
  CHECK(dumped["rc"] == 0);
  CHECK(host.sh("grep -c 'CREATE TABLE public.items' /var/lib/postgresql/pv_dump.sql") == "1");

  Value zipped = host.run("postgresql_db",
                          {{"name", "pv_dump"}, {"state", "dump"}, {"target", "/var/lib/postgresql/pv_dump.sql.gz"}},
                          as_postgres());
  CHECK(zipped["changed"] == true);
  CHECK(host.sh("zcat /var/lib/postgresql/pv_dump.sql.gz | grep -c 'CREATE TABLE public.items'") == "1");

  // Check mode reports dumps and restores as unchanged and runs nothing, as Ansible's module.
  ModuleRun check = as_postgres();
  check.check = true;
  CHECK(host.run("postgresql_db", {{"name", "pv_dump"}, {"state", "dump"}, {"target", "/var/lib/postgresql/pv.pgc"}},
                 check)["changed"] == false);
  CHECK(host.try_sh("test -e /var/lib/postgresql/pv.pgc").rc != 0);

  sql(host, "DROP TABLE items", "pv_dump");
  Value restored = host.run("postgresql_db",
                            {{"name", "pv_dump"}, {"state", "restore"}, {"target", "/var/lib/postgresql/pv_dump.sql"}},
                            as_postgres());
  CHECK(restored["changed"] == true);
  CHECK(sql(host, "SELECT string_agg(label, ',' ORDER BY id) FROM items", "pv_dump") == "a,b,c");

  // The custom format through pg_restore, into another database; target_opts are options, never shell.
  REQUIRE(host.run("postgresql_db",
                   {{"name", "pv_dump"},
                    {"state", "dump"},
                    {"target", "/var/lib/postgresql/pv.pgc"},
                    {"target_opts", "-t items"}},
                   as_postgres())["changed"] == true);
  REQUIRE(host.run("postgresql_db", {{"name", "pv_copy"}}, as_postgres())["changed"] == true);
  Value custom =
      host.run("postgresql_db", {{"name", "pv_copy"}, {"state", "restore"}, {"target", "/var/lib/postgresql/pv.pgc"}},
               as_postgres());
  INFO(custom.dump());
  CHECK(custom["changed"] == true);
  CHECK(sql(host, "SELECT count(*) FROM items", "pv_copy") == "3");

  Value missing = host.run("postgresql_db",
                           {{"name", "pv_nowhere"}, {"state", "dump"}, {"target", "/var/lib/postgresql/nowhere.sql"}},
                           as_postgres());
  CHECK(missing["failed"] == true);
  CHECK(missing["rc"] != 0);
  CHECK(missing["msg"].get<std::string>().find("database \"pv_nowhere\" does not exist") != std::string::npos);
}

TEST_CASE("postgresql_user passwords: md5 and SCRAM, rerun unchanged, a new password logs in",
          "[postgresql][postgresql_user]") {
  ModuleHost& host = pg_host();
  for (const std::string encryption : {"md5", "scram-sha-256"}) {
    INFO("password_encryption " << encryption);
    const std::string user = "pv_pw_" + std::string(encryption == "md5" ? "md5" : "scram");
    sql(host, "DROP ROLE IF EXISTS " + user);
    ModuleRun how = as_postgres();
    how.env["PGOPTIONS"] = "-c password_encryption=" + encryption;  // Ansible's documented way to choose
    Value args = {{"name", user}, {"password", "first-Secret"}};

    Value created = host.run("postgresql_user", args, how);
    INFO(created.dump());
    CHECK(created["changed"] == true);
    CHECK(created["queries"] == Value::array({"CREATE USER \"" + user + "\" WITH ENCRYPTED PASSWORD %(password)s "}));
    CHECK(created.dump().find("first-Secret") == std::string::npos);
    std::string stored = sql(host, "SELECT rolpassword FROM pg_authid WHERE rolname = '" + user + "'");
    CHECK(stored.rfind(encryption == "md5" ? "md5" : "SCRAM-SHA-256$4096:", 0) == 0);
    CHECK(login(host, user, "first-Secret") == 0);

    Value same = host.run("postgresql_user", args, how);
    CHECK(same == Value{{"user", user}, {"changed", false}, {"queries", Value::array()}});
    // The default (SCRAM) does not make an md5 verifier differ: the password is the same.
    CHECK(host.run("postgresql_user", args, as_postgres())["changed"] == false);

    args["password"] = "second-Secret";
    ModuleRun check = how;
    check.check = true;
    CHECK(host.run("postgresql_user", args, check)["changed"] == true);
    CHECK(sql(host, "SELECT rolpassword FROM pg_authid WHERE rolname = '" + user + "'") == stored);
    Value changed = host.run("postgresql_user", args, how);
    CHECK(changed["changed"] == true);
    CHECK(changed["queries"] == Value::array({"ALTER USER \"" + user + "\" WITH ENCRYPTED PASSWORD %(password)s "}));
    CHECK(login(host, user, "second-Secret") == 0);
    CHECK(login(host, user, "first-Secret") != 0);
    CHECK(host.run("postgresql_user", args, how)["changed"] == false);
  }
}

TEST_CASE("postgresql_user attributes, database and table privileges, expiry, removal",
          "[postgresql][postgresql_user]") {
  ModuleHost& host = pg_host();
  sql(host, "DROP DATABASE IF EXISTS pv_privs");
  sql(host, "DROP ROLE IF EXISTS pv_app_user");
  sql(host, "CREATE DATABASE pv_privs");
  sql(host, "CREATE TABLE pv_table (id int)", "pv_privs");
  Value args = {{"name", "pv_app_user"},
                {"password", "pw"},
                {"role_attr_flags", "CREATEDB,NOSUPERUSER"},
                {"db", "pv_privs"},
                {"priv", "CONNECT/pv_table:SELECT"},
                {"expires", "2031-01-01 00:00:00+00"},
                {"conn_limit", 4}};
  Value created = host.run("postgresql_user", args, as_postgres());
  INFO(created.dump());
  CHECK(created["changed"] == true);
  CHECK(created["queries"] ==
        Value::array({"CREATE USER \"pv_app_user\" WITH ENCRYPTED PASSWORD %(password)s VALID UNTIL %(expires)s "
                      "CONNECTION LIMIT 4 CREATEDB NOSUPERUSER",
                      "GRANT CONNECT ON DATABASE \"pv_privs\" TO \"pv_app_user\"",
                      "GRANT SELECT ON TABLE \"pv_table\" TO \"pv_app_user\""}));
  CHECK(sql(host,
            "SELECT rolcreatedb, rolsuper, rolconnlimit, rolvaliduntil AT TIME ZONE 'UTC' FROM pg_roles "
            "WHERE rolname = 'pv_app_user'") == "t|f|4|2031-01-01 00:00:00");
  CHECK(sql(host,
            "SELECT has_database_privilege('pv_app_user', 'pv_privs', 'CONNECT WITH GRANT OPTION') OR "
            "has_database_privilege('pv_app_user', 'pv_privs', 'CONNECT')") == "t");
  CHECK(sql(host,
            "SELECT has_table_privilege('pv_app_user', 'public.pv_table', 'SELECT'), "
            "has_table_privilege('pv_app_user', 'public.pv_table', 'INSERT')",
            "pv_privs") == "t|f");

  CHECK(host.run("postgresql_user", args, as_postgres())["changed"] == false);

  args["role_attr_flags"] = "NOCREATEDB";
  args["expires"] = "infinity";
  Value altered = host.run("postgresql_user", args, as_postgres());
  CHECK(altered["queries"] ==
        Value::array({"ALTER USER \"pv_app_user\" WITH NOCREATEDB VALID UNTIL %(expires)s CONNECTION LIMIT 4"}));
  CHECK(sql(host, "SELECT rolcreatedb, rolvaliduntil FROM pg_roles WHERE rolname = 'pv_app_user'") == "f|infinity");
  CHECK(host.run("postgresql_user", args, as_postgres())["changed"] == false);

  // Privileges keep the role: it cannot be dropped until they are revoked.
  Value refused = host.run("postgresql_user", {{"name", "pv_app_user"}, {"state", "absent"}}, as_postgres());
  CHECK(refused["failed"] == true);
  CHECK(refused["msg"] == "Unable to remove user");
  Value kept = host.run("postgresql_user", {{"name", "pv_app_user"}, {"state", "absent"}, {"fail_on_user", false}},
                        as_postgres());
  CHECK(kept["changed"] == false);
  CHECK(kept["user_removed"] == false);
  CHECK(sql(host, "SELECT count(*) FROM pg_roles WHERE rolname = 'pv_app_user'") == "1");

  ModuleRun check = as_postgres();
  check.check = true;
  Value predicted = host.run("postgresql_user", {{"name", "pv_app_user"}, {"state", "absent"}}, check);
  CHECK(predicted["user_removed"] == true);
  CHECK(predicted["changed"] == true);

  Value removed = host.run(
      "postgresql_user",
      {{"name", "pv_app_user"}, {"state", "absent"}, {"db", "pv_privs"}, {"priv", "ALL/pv_table:ALL"}}, as_postgres());
  INFO(removed.dump());
  CHECK(removed["user_removed"] == true);
  CHECK(removed["changed"] == true);
  CHECK(sql(host, "SELECT count(*) FROM pg_roles WHERE rolname = 'pv_app_user'") == "0");
  CHECK(host.run("postgresql_user", {{"name", "pv_app_user"}, {"state", "absent"}}, as_postgres()) ==
        Value{{"user", "pv_app_user"}, {"changed", false}, {"queries", Value::array()}});
}

TEST_CASE("postgresql hostile names and passwords stay data", "[postgresql][postgresql_user][postgresql_db]") {
  ModuleHost& host = pg_host();
  const std::string user = "pv'\"; DROP ROLE pv_canary; --\\! touch /tmp/pwned`x`$(id)";
  const std::string db = "pv db\"; DROP DATABASE pv_canary_db; --$$\n\\! touch /tmp/pwned";
  // Not ASCII, so it is sent as an SQL literal (not hashed first): quotes, backslashes, psql variables and a
  // meta-command after a newline must all stay inside it.
  const std::string password =
      "p'w\"\\$$;DROP ROLE pv_canary;$(touch /tmp/pwned) :foo :'foo' \xc3\xbc\n\\! touch /tmp/pwned";
  host.sh("rm -f /tmp/pwned");
  sql(host, "DROP ROLE IF EXISTS pv_canary");
  sql(host, "CREATE ROLE pv_canary");
  sql(host, "DROP DATABASE IF EXISTS pv_canary_db");
  sql(host, "CREATE DATABASE pv_canary_db");
  sql(host, "DROP ROLE IF EXISTS " + ident(user));
  sql(host, "DROP DATABASE IF EXISTS " + ident(db));

  Value made_db = host.run("postgresql_db", {{"name", db}}, as_postgres());
  INFO(made_db.dump());
  CHECK(made_db["changed"] == true);
  Value made_user = host.run("postgresql_user", {{"name", user}, {"password", password}, {"db", db}, {"priv", "ALL"}});
  INFO(made_user.dump());
  CHECK(made_user["changed"] == true);
  CHECK(made_user.dump().find("pv_canary;$(") == std::string::npos);

  CHECK(sql(host, "SELECT count(*) FROM pg_roles WHERE rolname = 'pv_canary'") == "1");
  CHECK(sql(host, "SELECT count(*) FROM pg_database WHERE datname = 'pv_canary_db'") == "1");
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
  CHECK(login(host, user, password, db) == 0);
  CHECK(host.run("postgresql_user", {{"name", user}, {"password", password}, {"db", db}, {"priv", "ALL"}})["changed"] ==
        false);
  CHECK(host.run("postgresql_db", {{"name", db}}, as_postgres())["changed"] == false);

  CHECK(host.run("postgresql_user",
                 {{"name", user}, {"state", "absent"}, {"db", db}, {"priv", "ALL"}})["user_removed"] == true);
  CHECK(host.run("postgresql_db", {{"name", db}, {"state", "absent"}}, as_postgres())["changed"] == true);
  CHECK(sql(host, "SELECT count(*) FROM pg_roles WHERE rolname = 'pv_canary'") == "1");
  CHECK(host.try_sh("test -e /tmp/pwned").rc != 0);
}

TEST_CASE("postgresql check mode changes nothing", "[postgresql][postgresql_user][postgresql_db]") {
  ModuleHost& host = pg_host();
  sql(host, "DROP DATABASE IF EXISTS pv_check");
  sql(host, "DROP ROLE IF EXISTS pv_check_user");
  std::string before = listing_without_server(host);
  ModuleRun check = as_postgres();
  check.check = true;
  Value db = host.run("postgresql_db", {{"name", "pv_check"}, {"encoding", "UTF-8"}}, check);
  CHECK(db == Value{{"changed", true}, {"db", "pv_check"}, {"executed_commands", Value::array()}});
  Value user = host.run("postgresql_user",
                        {{"name", "pv_check_user"}, {"password", "x"}, {"role_attr_flags", "CREATEDB"}}, check);
  CHECK(user["changed"] == true);
  CHECK(user["queries"] ==
        Value::array({"CREATE USER \"pv_check_user\" WITH ENCRYPTED PASSWORD %(password)s CREATEDB"}));
  // Without become too (su to postgres).
  CHECK(host.check("postgresql_user", {{"name", "pv_check_user"}})["changed"] == true);
  CHECK(listing_without_server(host) == before);
  CHECK(sql(host, "SELECT count(*) FROM pg_database WHERE datname = 'pv_check'") == "0");
  CHECK(sql(host, "SELECT count(*) FROM pg_roles WHERE rolname = 'pv_check_user'") == "0");
}

TEST_CASE("postgresql argument errors", "[postgresql][postgresql_user][postgresql_db]") {
  ModuleHost& host = pg_host();
  REQUIRE_THROWS_WITH(
      host.run("postgresql_user", {{"name", "a"}, {"passwrd", "x"}}),
      "Unsupported parameters for (postgresql_user) module: passwrd. Supported parameters include: ca_cert, comment, "
      "conn_limit, connect_params, db, encrypted, expires, fail_on_user, login_host, login_password, "
      "login_unix_socket, "
      "login_user, name, no_password_changes, password, port, priv, role_attr_flags, session_role, ssl_cert, ssl_key, "
      "ssl_mode, state, trust_input (fail_on_role, host, login, login_db, login_port, ssl_rootcert, unix_socket, "
      "user). (did you mean 'password'?)");
  REQUIRE_THROWS_WITH(host.run("postgresql_db", {{"name", "a"}, {"state", "dumped"}}),
                      "value of state must be one of: absent, dump, present, rename, restore, got: dumped");
  REQUIRE_THROWS_WITH(host.run("postgresql_user", {{"name", "a"}, {"conn_limit", "many"}}),
                      "argument 'conn_limit' is of type <class 'str'> and we were unable to convert to int: "
                      "<class 'str'> cannot be converted to an int");
  // Failures the user fixes in the task, found before any SQL runs.
  CHECK(host.run("postgresql_user", {{"name", "a"}, {"role_attr_flags", "CREATEDB,SUPERMAN"}})["msg"] ==
        "Invalid role_attr_flags specified: SUPERMAN");
  CHECK(host.run("postgresql_db", {{"name", "a"}, {"conn_limit", "1; DROP DATABASE postgres"}})["msg"] ==
        "conn_limit must be an integer, got: 1; DROP DATABASE postgres");
}

TEST_CASE("postgresql: a stopped server is a clear failure", "[postgresql][postgresql_db]") {
  ModuleHost& host = pg_host();
  host.sh("service postgresql stop >/dev/null");
  Value r = host.run("postgresql_db", {{"name", "pv_any"}}, as_postgres());
  host.sh("service postgresql start >/dev/null");
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("unable to connect to database: connection to server on socket", 0) == 0);
}

TEST_CASE("postgresql without psql: a failure, or a prediction when check mode plans the install",
          "[postgresql][postgresql_db][postgresql_user]") {
  ModuleHost host = ModuleHost::fresh(prov::test::hosts::kPostgresFresh);
  Value r = host.run("postgresql_db", {{"name", "app"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] ==
        "psql was not found on the host: install PostgreSQL (the postgresql package, or postgresql-client for a remote "
        "server) before this task");
  std::string before = host.upper_listing();
  host.plan().packages.insert("postgresql");
  CHECK(host.check("postgresql_db", {{"name", "app"}})["changed"] == true);
  CHECK(host.check("postgresql_user", {{"name", "app"}, {"password", "x"}})["changed"] == true);
  CHECK(host.check("postgresql_db", {{"name", "app"}, {"state", "absent"}})["changed"] == false);
  CHECK(host.upper_listing() == before);
}
