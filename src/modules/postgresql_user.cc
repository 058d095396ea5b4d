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

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

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

class PostgresqlUserModule : public Module {
 public:
  PostgresqlUserModule() {
    using util::arg;
    spec_.name = "postgresql_user";
    spec_.other_names = {"community.postgresql.postgresql_user"};
    spec_.args = {
        arg("name").required().aliases({"user"}),
        arg("password").no_log(),
        arg("state").default_value("present").choices({"absent", "present"}),
        arg("priv"),
        arg("db").default_value("").aliases({"login_db"}),
        arg("fail_on_user", ArgType::Bool).default_value(true).aliases({"fail_on_role"}),
        arg("role_attr_flags").default_value(""),
        arg("encrypted", ArgType::Bool).default_value(true),
        arg("no_password_changes", ArgType::Bool).default_value(false),
        arg("expires"),
        arg("conn_limit", ArgType::Int),
        arg("comment"),
    };
    for (auto& a : pg::login_args()) spec_.args.push_back(a);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string user = util::str(args, "name");
    const std::string db = util::str(args, "db");
    const std::string state = util::str(args, "state");
    const Value* password_arg = find_key(args, "password");
    const bool has_password = password_arg != nullptr && !password_arg->is_null();
    const std::string password = has_password ? util::str(args, "password") : std::string();
    const Value* expires_arg = find_key(args, "expires");
    const bool has_expires = expires_arg != nullptr && !expires_arg->is_null();
    const std::string expires = util::str(args, "expires");
    const Value* conn_limit_arg = find_key(args, "conn_limit");
    const bool has_conn_limit = conn_limit_arg != nullptr && conn_limit_arg->is_number_integer();
    const Value* comment_arg = find_key(args, "comment");
    const bool has_comment = comment_arg != nullptr && !comment_arg->is_null();
    const bool public_role = user == "PUBLIC";
    pg::Login login = pg::Login::from(args);

    // Arguments first, before any round trip.
    std::vector<std::string> flags;
    std::vector<std::string> invalid_flags;
    for (const auto& word : split(util::str(args, "role_attr_flags"), ',')) {
      std::string flag = upper(word);
      if (flag.empty() || std::find(flags.begin(), flags.end(), flag) != flags.end()) continue;
      std::string bare = flag.compare(0, 2, "NO") == 0 ? flag.substr(2) : flag;
      bool known = std::any_of(kFlags.begin(), kFlags.end(), [&](const auto& f) { return f.first == bare; });
      (known ? flags : invalid_flags).push_back(flag);
    }
    if (!invalid_flags.empty()) return util::failed("Invalid role_attr_flags specified: " + join(invalid_flags, " "));
    const std::string flags_text = join(flags, " ");
    Privs privs;
    const Value* priv_arg = find_key(args, "priv");
    const bool has_privs = priv_arg != nullptr && !priv_arg->is_null();
    if (has_privs) {
      if (db.empty()) return util::failed("privileges require a database to be specified");
      std::string error;
      privs = parse_privs(util::str(args, "priv"), error);
      if (!error.empty()) return util::failed(error);
    }
    if (public_role && state == "present") {
      if (has_password) return util::failed("cannot change the password for PUBLIC user");
      if (!flags.empty()) return util::failed("cannot change the role_attr_flags for PUBLIC user");
    }

    const std::string login_db = db.empty() ? login.user : db;
    const std::string session_role = util::str(args, "session_role");
    pg::ToolRun probe =
        pg::run_psql(ctx, login, login_db, session_role, probe_sql(user, db, privs, has_expires, expires));
    if (probe.missing) {
      if (!pg::planned_install(ctx)) return util::failed(pg::missing_message("psql"));
      // PostgreSQL would be installed by an earlier task: the role cannot exist yet.
      Value r = {{"user", user}, {"changed", state == "present"}, {"queries", Value::array()}};
      return r;
    }
    if (pg::connect_failed(probe)) return util::failed("unable to connect to database: " + pg::error_text(probe.err));
    if (probe.rc != 0) return util::failed("Database query failed: " + pg::error_text(probe.err));
    Value info;
    try {
      Value out_lines = util::lines(probe.out);
      info = Value::parse(out_lines.empty() ? std::string() : out_lines.back().get<std::string>());
    } catch (const std::exception&) {
      return util::failed("Database query failed: unexpected psql output: " + probe.out);
    }
    const Value& role = info["role"];
    const bool exists = public_role || !role.is_null();

    std::vector<Statement> statements;
    Result result = {{"user", user}};
    bool user_removed_check = false;
    if (state == "present") {
      if (!exists) {
        Statement s;
        s.add("CREATE USER " + quote_ident(user));
        if (has_password && !password.empty()) {
          s.add(util::flag(args, "encrypted") ? "WITH ENCRYPTED" : "WITH UNENCRYPTED");
          s.add("PASSWORD %(password)s", ctx.check_mode ? "" : "PASSWORD " + password_literal(args, user, info));
        }
        if (has_expires) s.add("VALID UNTIL %(expires)s", "VALID UNTIL " + quote_literal(expires));
        if (has_conn_limit) s.add("CONNECTION LIMIT " + std::to_string(conn_limit_arg->get<long long>()));
        s.add(flags_text);
        statements.push_back(s);
      } else if (!public_role) {
        alter(ctx, args, user, flags, info, statements);
      }
      // Privileges asked for and not all held are granted (the whole set, as Ansible).
      if (privs.database_given && !privs.database.empty()) {
        std::set<std::string> held = exists ? as_set(info["db_privs"]) : std::set<std::string>();
        if (missing_any(privs.database, held)) {
          Statement s;
          s.add("GRANT " + join(ordered(privs.database, kDatabasePrivs), ", ") + " ON DATABASE " + quote_ident(db) +
                " TO " + grantee(user));
          statements.push_back(s);
        }
      }
      for (size_t i = 0; i < privs.tables.size(); ++i) {
        const auto& t = privs.tables[i];
        std::set<std::string> held = exists ? as_set(info["table_privs"][i]) : std::set<std::string>();
        if (!t.privs.empty() && missing_any(t.privs, held)) {
          Statement s;
          s.add("GRANT " + join(ordered(t.privs, kTablePrivs), ", ") + " ON TABLE " + quote_table(t.name) + " TO " +
                grantee(user));
          statements.push_back(s);
        }
      }
      if (has_comment && !public_role) {
        std::string current = exists && role["comment"].is_string() ? role["comment"].get<std::string>() : "";
        std::string comment = util::str(args, "comment");
        if (comment != current) {
          Statement s;
          s.add("COMMENT ON ROLE " + quote_ident(user) + " IS " + quote_literal(comment));
          statements.push_back(s);
        }
      }
    } else if (exists) {
      if (ctx.check_mode) {
        user_removed_check = true;
      } else {
        if (privs.database_given && intersects(privs.database, as_set(info["db_privs"]))) {
          Statement s;
          s.add("REVOKE " + join(ordered(privs.database, kDatabasePrivs), ", ") + " ON DATABASE " + quote_ident(db) +
                " FROM " + grantee(user));
          statements.push_back(s);
        }
        for (size_t i = 0; i < privs.tables.size(); ++i) {
          const auto& t = privs.tables[i];
          if (intersects(t.privs, as_set(info["table_privs"][i]))) {
            Statement s;
            s.add("REVOKE " + join(ordered(t.privs, kTablePrivs), ", ") + " ON TABLE " + quote_table(t.name) +
                  " FROM " + grantee(user));
            statements.push_back(s);
          }
        }
      }
    }

    Value queries = Value::array();
    for (const auto& s : statements) queries.push_back(join(s.shown, " "));
    if (state == "absent" && exists && ctx.check_mode) {
      result["user_removed"] = user_removed_check;
      result["changed"] = true;
      result["queries"] = queries;
      return result;
    }
    if (state == "absent" && exists) return drop(ctx, login, login_db, session_role, user, statements, result);
    result["changed"] = !statements.empty();
    result["queries"] = queries;
    if (ctx.check_mode || statements.empty()) return result;

    std::string sql = "BEGIN;\n";
    for (const auto& s : statements) sql += join(s.sent, " ") + ";\n";
    sql += "COMMIT;\n";
    pg::ToolRun applied = pg::run_psql(ctx, login, login_db, session_role, sql);
    if (applied.rc != 0) {
      if (!exists)
        return util::failed("Unable to add user with given requirement due to : " + pg::error_text(applied.err));
      return util::failed("Database query failed: " + pg::error_text(applied.err));
    }
    return result;
  }

 private:
  static std::string grantee(const std::string& user) { return user == "PUBLIC" ? "PUBLIC" : quote_ident(user); }

  // The SELECT that reads everything in one psql call. pg_authid (with the password verifier) needs a superuser;
  // otherwise pg_roles answers without it, as Ansible falls back.
  static std::string probe_sql(const std::string& user, const std::string& db, const Privs& privs, bool has_expires,
                               const std::string& expires) {
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

  static std::string password_literal(const Value& args, const std::string& user, const Value& info) {
    int iterations = 0;
    if (info["scram_iterations"].is_string())
      iterations = std::atoi(info["scram_iterations"].get<std::string>().c_str());
    std::string encryption =
        info["password_encryption"].is_string() ? info["password_encryption"].get<std::string>() : "";
    return quote_literal(
        pg::password_to_send(util::str(args, "password"), user, util::flag(args, "encrypted"), encryption, iterations));
  }

  // The ALTER USER for an existing role when its password, attributes, expiry or connection limit differ.
  static void alter(const Context& ctx, const Value& args, const std::string& user,
                    const std::vector<std::string>& flags, const Value& info, std::vector<Statement>& statements) {
    const Value& role = info["role"];
    const Value* password_arg = find_key(args, "password");
    const bool has_password = password_arg != nullptr && !password_arg->is_null();
    const std::string password = util::str(args, "password");
    const Value* conn_limit_arg = find_key(args, "conn_limit");
    const bool has_conn_limit = conn_limit_arg != nullptr && conn_limit_arg->is_number_integer();
    const bool has_expires = !role["expires_differ"].is_null();
    const std::string flags_text = join(flags, " ");
    auto flags_differ = [&] {
      for (const auto& flag : flags) {
        bool wanted = flag.compare(0, 2, "NO") != 0;
        std::string bare = wanted ? flag : flag.substr(2);
        for (const auto& [name, column] : kFlags) {
          if (name == bare && role[column].is_boolean() && role[column].get<bool>() != wanted) return true;
        }
      }
      return false;
    };

    if (util::flag(args, "no_password_changes")) {
      // As Ansible: only the attributes are looked at (not expires or conn_limit).
      if (!flags.empty() && flags_differ()) {
        Statement s;
        s.add("ALTER USER " + quote_ident(user));
        s.add("WITH " + flags_text);
        statements.push_back(s);
      }
      return;
    }
    if (!has_password && flags.empty() && !has_expires && !has_conn_limit) return;
    bool password_changing = false;
    if (has_password) {
      if (!info["authid"].get<bool>()) {
        password_changing = true;  // the verifier is unreadable without a superuser: assume it differs
      } else {
        std::optional<std::string> stored;
        if (role["rolpassword"].is_string()) stored = role["rolpassword"].get<std::string>();
        password_changing = pg::password_differs(stored, password, user, util::flag(args, "encrypted"));
      }
    }
    bool expires_changing = has_expires && role["expires_differ"].get<bool>();
    bool conn_limit_changing =
        has_conn_limit && conn_limit_arg->get<long long>() != role["rolconnlimit"].get<long long>();
    if (!password_changing && !flags_differ() && !expires_changing && !conn_limit_changing) return;

    Statement s;
    s.add("ALTER USER " + quote_ident(user));
    if (password_changing) {
      if (!password.empty()) {
        s.add(util::flag(args, "encrypted") ? "WITH ENCRYPTED" : "WITH UNENCRYPTED");
        s.add("PASSWORD %(password)s", ctx.check_mode ? "" : "PASSWORD " + password_literal(args, user, info));
      } else {
        s.add("WITH PASSWORD NULL");
      }
      s.add(flags_text);
    } else if (!flags.empty()) {
      s.add("WITH " + flags_text);
    }
    if (has_expires) s.add("VALID UNTIL %(expires)s", "VALID UNTIL " + quote_literal(util::str(args, "expires")));
    if (has_conn_limit) s.add("CONNECTION LIMIT " + std::to_string(conn_limit_arg->get<long long>()));
    statements.push_back(s);
  }

  // Revokes, then DROP USER in a savepoint: a role that still owns objects stays, which fails the task only with
  // fail_on_user (then nothing at all is changed).
  static Result drop(const Context& ctx, const pg::Login& login, const std::string& login_db,
                     const std::string& session_role, const std::string& user, std::vector<Statement> statements,
                     Result result) {
    const bool fail_on_user = util::flag(ctx.args, "fail_on_user");
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
    pg::ToolRun applied = pg::run_psql(ctx, login, login_db, session_role, sql);
    if (applied.rc != 0) return util::failed("Database query failed: " + pg::error_text(applied.err));
    bool removed = applied.out.find("provision-user-removed") != std::string::npos;
    if (!removed && fail_on_user) return util::failed("Unable to remove user");
    Value queries = Value::array();
    for (const auto& s : statements) queries.push_back(join(s.shown, " "));
    queries.push_back(drop);
    result["user_removed"] = removed;
    result["changed"] = removed || !statements.empty();
    result["queries"] = queries;
    return result;
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& postgresql_user_module() {
  static const PostgresqlUserModule module;
  return module;
}

}  // namespace prov::mod
