// postgresql_user: creates, alters or drops a PostgreSQL role with login and grants database and table privileges,
// as community.postgresql's module does, with psql on the host instead of psycopg2. One psql call reads the role's
// pg_authid row (its password verifier included), its privileges and the server settings; whether the password
// changed is decided here by recomputing the verifier, so the password itself is never printed or compared on the
// host. A second psql call runs the statements in one transaction, only when something differs.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "postgresql.h"
#include "provision/core/text.h"
#include "provision/modules/module.h"
#include "schema.h"
#include "util.h"

namespace prov::mod {

namespace {

using pg::quote_ident;
using pg::quote_literal;

// Role attributes and the pg_authid column that holds each.
const std::vector<std::pair<std::string, std::string>> kFlags = {
    {"SUPERUSER", "rolsuper"},     {"CREATEROLE", "rolcreaterole"}, {"CREATEDB", "rolcreatedb"},
    {"INHERIT", "rolinherit"},     {"LOGIN", "rolcanlogin"},        {"REPLICATION", "rolreplication"},
    {"BYPASSRLS", "rolbypassrls"},
};
const std::vector<std::string> kDatabasePrivs = {"CREATE", "CONNECT", "TEMPORARY"};
const std::vector<std::string> kTablePrivs = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                              "TRUNCATE", "REFERENCES", "TRIGGER"};

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// The privileges in their canonical order, for stable statements.
std::vector<std::string> ordered(const std::set<std::string>& privs, const std::vector<std::string>& order) {
  std::vector<std::string> out;
  for (const auto& p : order) {
    if (privs.count(p)) out.push_back(p);
  }
  return out;
}

struct TablePrivs {
  std::string name;  ///< as given: "table" or "schema.table"
  std::set<std::string> privs;
};

struct Privs {
  std::set<std::string> database;  ///< empty: none asked
  bool database_given = false;
  std::vector<TablePrivs> tables;
};

// "CONNECT,CREATE/table1:SELECT/table2:INSERT,UPDATE"; ALL expands, TEMP is TEMPORARY. As in Ansible, a later
// database token replaces an earlier one ("CONNECT/CREATE" means CREATE). Returns the error message, if any, in
// `error`.
Privs parse_privs(const std::string& text, std::string& error) {
  Privs out;
  for (const auto& token : split(text, '/')) {
    size_t colon = token.find(':');
    bool table = colon != std::string::npos;
    std::set<std::string> privs;
    std::vector<std::string> invalid;
    for (const auto& word : split(table ? token.substr(colon + 1) : token, ',')) {
      std::string p = upper(trim(word));
      if (p.empty()) continue;
      const auto& valid = table ? kTablePrivs : kDatabasePrivs;
      if (p == "ALL") {
        privs.insert(valid.begin(), valid.end());
      } else if (!table && (p == "TEMP" || p == "TEMPORARY")) {
        privs.insert("TEMPORARY");
      } else if (std::find(valid.begin(), valid.end(), p) != valid.end()) {
        privs.insert(p);
      } else {
        invalid.push_back(p);
      }
    }
    if (!invalid.empty()) {
      error = std::string("Invalid privs specified for ") + (table ? "table" : "database") + ": " + join(invalid, " ");
      return out;
    }
    if (table) {
      out.tables.push_back({token.substr(0, colon), privs});
    } else {
      out.database = privs;
      out.database_given = true;
    }
  }
  return out;
}

// "schema.table" -> "schema"."table"; a name without a schema stays one identifier (search_path decides).
std::string quote_table(const std::string& name) {
  std::string out;
  for (const auto& part : split(name, '.')) out += (out.empty() ? "" : ".") + quote_ident(part);
  return out;
}

std::pair<std::string, std::string> schema_and_table(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return {"public", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

std::set<std::string> as_set(const Value& list) {
  std::set<std::string> out;
  if (list.is_array()) {
    for (const auto& v : list) out.insert(v.get<std::string>());
  }
  return out;
}

bool intersects(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) { return b.count(x) > 0; });
}

bool missing_any(const std::set<std::string>& wanted, const std::set<std::string>& held) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& x) { return held.count(x) == 0; });
}

// One statement with the password and expiry shown as Ansible shows them (%(password)s) and the one sent.
struct Statement {
  std::vector<std::string> shown;
  std::vector<std::string> sent;
  void add(const std::string& both) {
    shown.push_back(both);
    sent.push_back(both);
  }
  void add(const std::string& show, const std::string& send) {
    shown.push_back(show);
    sent.push_back(send);
  }
};

struct PostgresqlUserArgs {
  std::string name, state, db, role_attr_flags;
  std::optional<std::string> password, priv, expires, comment;
  bool fail_on_user = true, encrypted = true, no_password_changes = false;
  std::optional<long long> conn_limit;
  pg::Login login;

  static void describe(Schema<PostgresqlUserArgs>& s) {
    using A = PostgresqlUserArgs;
    s.field("name", &A::name).required().aliases({"user"});
    s.field("password", &A::password).no_log();
    s.field("state", &A::state).default_value("present").choices({"absent", "present"});
    s.field("priv", &A::priv);
    s.field("db", &A::db).default_value("").aliases({"login_db"});
    s.field("fail_on_user", &A::fail_on_user).default_value(true).aliases({"fail_on_role"});
    s.field("role_attr_flags", &A::role_attr_flags).default_value("");
    s.field("encrypted", &A::encrypted).default_value(true);
    s.field("no_password_changes", &A::no_password_changes).default_value(false);
    s.field("expires", &A::expires);
    s.field("conn_limit", &A::conn_limit);
    s.field("comment", &A::comment);
    s.include(&A::login);
  }
};

// One psql read (the role, its privileges, the server's settings); the statements that differ run in one
// transaction in a second call. The password literal is made (hashed with a fresh salt) only when it is sent.
class PostgresqlUserRun : public Step {
 public:
  PostgresqlUserRun(PostgresqlUserArgs args, const Context&) : args_(std::move(args)) {
    std::vector<std::string> invalid_flags;
    for (const auto& word : split(args_.role_attr_flags, ',')) {
      std::string flag = upper(word);
      if (flag.empty() || std::find(flags_.begin(), flags_.end(), flag) != flags_.end()) continue;
      std::string bare = flag.compare(0, 2, "NO") == 0 ? flag.substr(2) : flag;
      bool known = std::any_of(kFlags.begin(), kFlags.end(), [&](const auto& f) { return f.first == bare; });
      (known ? flags_ : invalid_flags).push_back(flag);
    }
    if (!invalid_flags.empty()) refusal_ = "Invalid role_attr_flags specified: " + join(invalid_flags, " ");
    if (refusal_.empty() && args_.priv) {
      if (args_.db.empty()) {
        refusal_ = "privileges require a database to be specified";
      } else {
        privs_ = parse_privs(*args_.priv, refusal_);
      }
    }
    if (refusal_.empty() && public_role() && args_.state == "present") {
      if (args_.password)
        refusal_ = "cannot change the password for PUBLIC user";
      else if (!flags_.empty())
        refusal_ = "cannot change the role_attr_flags for PUBLIC user";
    }
    if (refusal_.empty()) refusal_ = args_.login.refusal();
  }

  std::optional<Probe> query() override {
    if (read_ || !refusal_.empty()) return std::nullopt;
    return pg::psql_command(args_.login, login_db(), probe_sql());
  }
  void parse(const conn::CommandResult& read) override {
    read_ = pg::tool_answer(read);
    info_ = pg::read_json(*read_);
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    const std::string& user = args_.name;
    if (!refusal_.empty()) {
      c.result = util::failed(refusal_);
    } else if (read_->missing && pg::planned_install(plan)) {
      // PostgreSQL would be installed by an earlier task: the role cannot exist yet.
      c.changed = args_.state == "present";
      c.result = {{"user", user}, {"changed", c.changed}, {"queries", Value::array()}};
    } else if (std::optional<Result> failed = pg::read_failure(*read_, info_)) {
      c.result = std::move(*failed);
    } else if (args_.state == "absent" && exists()) {
      // A real run revokes and drops (apply); check mode only says the role would go, as Ansible's does.
      c.changed = true;
      if (plan != nullptr)
        c.result = {{"user", user}, {"user_removed", true}, {"changed", true}, {"queries", Value::array()}};
    } else {
      std::vector<Statement> wanted = statements(false);
      c.changed = !wanted.empty();
      c.result = {{"user", user}, {"changed", c.changed}, {"queries", shown(wanted)}};
    }
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    std::vector<Statement> wanted = statements(true);
    if (args_.state == "absent") return drop(ctx, wanted);
    std::string sql = "BEGIN;\n";
    for (const auto& s : wanted) sql += join(s.sent, " ") + ";\n";
    sql += "COMMIT;\n";
    pg::ToolRun applied = pg::run_tool(ctx, pg::psql_command(args_.login, login_db(), sql));
    if (applied.rc != 0) {
      if (!exists())
        return util::failed("Unable to add user with given requirement due to : " + pg::error_text(applied.err));
      return util::failed("Database query failed: " + pg::error_text(applied.err));
    }
    return Result::object();
  }

 private:
  bool public_role() const { return args_.name == "PUBLIC"; }
  bool exists() const { return public_role() || !info_["role"].is_null(); }
  std::string login_db() const { return args_.db.empty() ? args_.login.user : args_.db; }

  static Value shown(const std::vector<Statement>& statements) {
    Value queries = Value::array();
    for (const auto& s : statements) queries.push_back(join(s.shown, " "));
    return queries;
  }

  // The statements that bring the role to what is wanted; sending: with the password literal that is sent.
  std::vector<Statement> statements(bool sending) const {
    const std::string& user = args_.name;
    const std::string& db = args_.db;
    const bool present = args_.state == "present";
    std::vector<Statement> out;
    if (present && !exists()) {
      Statement s;
      s.add("CREATE USER " + quote_ident(user));
      if (args_.password && !args_.password->empty()) {
        s.add(args_.encrypted ? "WITH ENCRYPTED" : "WITH UNENCRYPTED");
        s.add("PASSWORD %(password)s", sending ? "PASSWORD " + password_literal() : "");
      }
      if (args_.expires) s.add("VALID UNTIL %(expires)s", "VALID UNTIL " + quote_literal(*args_.expires));
      if (args_.conn_limit) s.add("CONNECTION LIMIT " + std::to_string(*args_.conn_limit));
      s.add(join(flags_, " "));
      out.push_back(s);
    } else if (present && !public_role()) {
      alter(sending, out);
    }
    if (present) {
      // Privileges asked for and not all held are granted (the whole set, as Ansible).
      if (privs_.database_given && !privs_.database.empty()) {
        std::set<std::string> held = exists() ? as_set(info_["db_privs"]) : std::set<std::string>();
        if (missing_any(privs_.database, held)) {
          Statement s;
          s.add("GRANT " + join(ordered(privs_.database, kDatabasePrivs), ", ") + " ON DATABASE " + quote_ident(db) +
                " TO " + grantee(user));
          out.push_back(s);
        }
      }
      for (size_t i = 0; i < privs_.tables.size(); ++i) {
        const auto& t = privs_.tables[i];
        std::set<std::string> held = exists() ? as_set(info_["table_privs"][i]) : std::set<std::string>();
        if (!t.privs.empty() && missing_any(t.privs, held)) {
          Statement s;
          s.add("GRANT " + join(ordered(t.privs, kTablePrivs), ", ") + " ON TABLE " + quote_table(t.name) + " TO " +
                grantee(user));
          out.push_back(s);
        }
      }
      if (args_.comment && !public_role()) {
        const Value& role = info_["role"];
        std::string current = exists() && role["comment"].is_string() ? role["comment"].get<std::string>() : "";
        if (*args_.comment != current) {
          Statement s;
          s.add("COMMENT ON ROLE " + quote_ident(user) + " IS " + quote_literal(*args_.comment));
          out.push_back(s);
        }
      }
    } else if (exists()) {
      if (privs_.database_given && intersects(privs_.database, as_set(info_["db_privs"]))) {
        Statement s;
        s.add("REVOKE " + join(ordered(privs_.database, kDatabasePrivs), ", ") + " ON DATABASE " + quote_ident(db) +
              " FROM " + grantee(user));
        out.push_back(s);
      }
      for (size_t i = 0; i < privs_.tables.size(); ++i) {
        const auto& t = privs_.tables[i];
        if (intersects(t.privs, as_set(info_["table_privs"][i]))) {
          Statement s;
          s.add("REVOKE " + join(ordered(t.privs, kTablePrivs), ", ") + " ON TABLE " + quote_table(t.name) + " FROM " +
                grantee(user));
          out.push_back(s);
        }
      }
    }
    return out;
  }

  static std::string grantee(const std::string& user) { return user == "PUBLIC" ? "PUBLIC" : quote_ident(user); }

  // The SELECT that reads everything in one psql call. pg_authid (with the password verifier) needs a superuser;
  // otherwise pg_roles answers without it, as Ansible falls back.
  std::string probe_sql() const {
    const std::string& user = args_.name;
    const std::string& db = args_.db;
    const Privs& privs = privs_;
    const bool has_expires = args_.expires.has_value();
    const std::string expires = args_.expires.value_or("");
    auto role_object = [&](const std::string& table, bool with_password) {
      std::string cols;
      for (const auto& [flag, column] : kFlags) cols += "'" + column + "', " + column + ", ";
      cols += "'rolconnlimit', rolconnlimit, ";
      cols += with_password ? "'rolpassword', rolpassword, " : "";
      cols += "'expires_differ', " +
              (has_expires ? "rolvaliduntil IS DISTINCT FROM " + quote_literal(expires) + "::timestamptz" : "NULL") +
              ", ";
      cols += "'comment', pg_catalog.shobj_description(oid, 'pg_authid')";
      return "(SELECT json_build_object(" + cols + ") FROM pg_catalog." + table +
             " WHERE rolname = " + quote_literal(user) + ")";
    };
    std::string grantee_oid = user == "PUBLIC"
                                  ? std::string("0")
                                  : "(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = " + quote_literal(user) + ")";
    std::string common =
        "'version', pg_catalog.current_setting('server_version_num')::int, "
        "'password_encryption', pg_catalog.current_setting('password_encryption'), "
        "'scram_iterations', pg_catalog.current_setting('scram_iterations', true), "
        "'db_privs', (SELECT json_agg(a.privilege_type) FROM pg_catalog.pg_database d, "
        "pg_catalog.aclexplode(d.datacl) a WHERE d.datname = " +
        quote_literal(db) + " AND a.grantee = " + grantee_oid + "), 'table_privs', json_build_array(";
    for (size_t i = 0; i < privs.tables.size(); ++i) {
      auto [schema, table] = schema_and_table(privs.tables[i].name);
      common += std::string(i ? ", " : "") +
                "(SELECT json_agg(privilege_type) FROM information_schema.role_table_grants WHERE grantee = " +
                quote_literal(user) + " AND table_schema = " + quote_literal(schema) +
                " AND table_name = " + quote_literal(table) + ")";
    }
    common += ")";
    return "SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS provision_authid \\gset\n"
           "\\if :provision_authid\n"
           "SELECT json_build_object('authid', true, 'role', " +
           role_object("pg_authid", true) + ", " + common +
           ");\n"
           "\\else\n"
           "SELECT json_build_object('authid', false, 'role', " +
           role_object("pg_roles", false) + ", " + common +
           ");\n"
           "\\endif\n";
  }

  std::string password_literal() const {
    int iterations = 0;
    if (info_["scram_iterations"].is_string())
      iterations = std::atoi(info_["scram_iterations"].get<std::string>().c_str());
    std::string encryption =
        info_["password_encryption"].is_string() ? info_["password_encryption"].get<std::string>() : "";
    return quote_literal(
        pg::password_to_send(args_.password.value_or(""), args_.name, args_.encrypted, encryption, iterations));
  }

  // The ALTER USER for an existing role when its password, attributes, expiry or connection limit differ.
  void alter(bool sending, std::vector<Statement>& statements) const {
    const std::string& user = args_.name;
    const Value& role = info_["role"];
    const bool has_password = args_.password.has_value();
    const std::string password = args_.password.value_or("");
    const bool has_expires = !role["expires_differ"].is_null();
    const std::string flags_text = join(flags_, " ");
    auto flags_differ = [&] {
      for (const auto& flag : flags_) {
        bool wanted = flag.compare(0, 2, "NO") != 0;
        std::string bare = wanted ? flag : flag.substr(2);
        for (const auto& [name, column] : kFlags) {
          if (name == bare && role[column].is_boolean() && role[column].get<bool>() != wanted) return true;
        }
      }
      return false;
    };

    if (args_.no_password_changes) {
      // As Ansible: only the attributes are looked at (not expires or conn_limit).
      if (!flags_.empty() && flags_differ()) {
        Statement s;
        s.add("ALTER USER " + quote_ident(user));
        s.add("WITH " + flags_text);
        statements.push_back(s);
      }
      return;
    }
    if (!has_password && flags_.empty() && !has_expires && !args_.conn_limit) return;
    bool password_changing = false;
    if (has_password) {
      if (!info_["authid"].get<bool>()) {
        password_changing = true;  // the verifier is unreadable without a superuser: assume it differs
      } else {
        std::optional<std::string> stored;
        if (role["rolpassword"].is_string()) stored = role["rolpassword"].get<std::string>();
        password_changing = pg::password_differs(stored, password, user, args_.encrypted);
      }
    }
    bool expires_changing = has_expires && role["expires_differ"].get<bool>();
    bool conn_limit_changing = args_.conn_limit && *args_.conn_limit != role["rolconnlimit"].get<long long>();
    if (!password_changing && !flags_differ() && !expires_changing && !conn_limit_changing) return;

    Statement s;
    s.add("ALTER USER " + quote_ident(user));
    if (password_changing) {
      if (!password.empty()) {
        s.add(args_.encrypted ? "WITH ENCRYPTED" : "WITH UNENCRYPTED");
        s.add("PASSWORD %(password)s", sending ? "PASSWORD " + password_literal() : "");
      } else {
        s.add("WITH PASSWORD NULL");
      }
      s.add(flags_text);
    } else if (!flags_.empty()) {
      s.add("WITH " + flags_text);
    }
    if (has_expires) s.add("VALID UNTIL %(expires)s", "VALID UNTIL " + quote_literal(args_.expires.value_or("")));
    if (args_.conn_limit) s.add("CONNECTION LIMIT " + std::to_string(*args_.conn_limit));
    statements.push_back(s);
  }

  // Revokes, then DROP USER in a savepoint: a role that still owns objects stays, which fails the task only with
  // fail_on_user (then nothing at all is changed).
  Result drop(const Context& ctx, const std::vector<Statement>& statements) const {
    const std::string& user = args_.name;
    const bool fail_on_user = args_.fail_on_user;
    std::string sql = "BEGIN;\n";
    for (const auto& s : statements) sql += join(s.sent, " ") + ";\n";
    const std::string drop = "DROP USER " + quote_ident(user);
    sql +=
        "SAVEPOINT provision_drop_user;\n"
        "\\set ON_ERROR_STOP 0\n" +
        drop +
        ";\n"
        "\\set ON_ERROR_STOP 1\n"
        "\\if :ERROR\n"
        "ROLLBACK TO SAVEPOINT provision_drop_user;\n"
        "SELECT 'provision-user-kept';\n" +
        std::string(fail_on_user ? "ROLLBACK;\n" : "COMMIT;\n") +
        "\\else\n"
        "SELECT 'provision-user-removed';\n"
        "COMMIT;\n"
        "\\endif\n";
    pg::ToolRun applied = pg::run_tool(ctx, pg::psql_command(args_.login, login_db(), sql));
    if (applied.rc != 0) return util::failed("Database query failed: " + pg::error_text(applied.err));
    bool removed = applied.out.find("provision-user-removed") != std::string::npos;
    if (!removed && fail_on_user) return util::failed("Unable to remove user");
    Value queries = shown(statements);
    queries.push_back(drop);
    Result result = {{"user", user}};
    result["user_removed"] = removed;
    result["changed"] = removed || !statements.empty();
    result["queries"] = queries;
    return result;
  }

  PostgresqlUserArgs args_;
  std::vector<std::string> flags_;
  Privs privs_;
  std::string refusal_;
  std::optional<pg::ToolRun> read_;
  Value info_;
};

class PostgresqlUserModule : public TypedModule<PostgresqlUserArgs, PostgresqlUserRun> {
 public:
  PostgresqlUserModule() : TypedModule("postgresql_user") {
    spec_.other_names = {"community.postgresql.postgresql_user"};
  }
};

}  // namespace

const Module& postgresql_user_module() {
  static const PostgresqlUserModule module;
  return module;
}

}  // namespace prov::mod
