// postgresql_db: creates, alters, drops, renames, dumps and restores a PostgreSQL database, as
// community.postgresql's module does, with psql on the host instead of psycopg2. One psql call reads the database's
// row (owner, encoding, locale, connection limit, tablespace); a second one runs only the statements that differ.
#include <string>
#include <vector>

#include "postgresql.h"
#include "provision/modules/module.h"
#include "util.h"

namespace prov::mod {

namespace {

using conn::shell_quote;
using pg::quote_ident;
using pg::quote_literal;

bool is_integer(const std::string& text) {
  size_t start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  return text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos;
}

// Python's os.path.splitext(path)[1]: the last extension of the last component, leading dots not counting.
std::string extension(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  size_t first = base.find_first_not_of('.');
  size_t dot = base.rfind('.');
  if (first == std::string::npos || dot == std::string::npos || dot < first) return {};
  return base.substr(dot);
}

// The words of a user's option string, each quoted for the shell: options, never shell syntax.
std::string quoted_words(const std::string& text) {
  std::string out;
  for (const auto& word : util::shlex_split(text)) out += " " + shell_quote(word);
  return out;
}

Value string_list(const std::vector<std::string>& items) {
  Value list = Value::array();
  for (const auto& item : items) list.push_back(item);
  return list;
}

class PostgresqlDbModule : public Module {
 public:
  PostgresqlDbModule() {
    using util::arg;
    spec_.name = "postgresql_db";
    spec_.other_names = {"community.postgresql.postgresql_db"};
    spec_.args = {
        arg("name").required().aliases({"db"}),
        arg("owner").default_value(""),
        arg("template").default_value(""),
        arg("encoding").default_value(""),
        arg("lc_collate").default_value(""),
        arg("lc_ctype").default_value(""),
        arg("state").default_value("present").choices({"absent", "dump", "present", "rename", "restore"}),
        arg("target", ArgType::Path).default_value(""),
        arg("target_opts").default_value(""),
        arg("maintenance_db").default_value("postgres"),
        arg("conn_limit").default_value(""),
        arg("tablespace", ArgType::Path).default_value(""),
        arg("dump_extra_args"),
        arg("force", ArgType::Bool).default_value(false),
    };
    for (auto& a : pg::login_args()) spec_.args.push_back(a);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result run(Context& ctx) const override {
    const Value& args = ctx.args;
    const std::string name = util::str(args, "name");
    const std::string state = util::str(args, "state");
    const std::string target = util::str(args, "target");
    const std::string maintenance_db = util::str(args, "maintenance_db");
    const std::string conn_limit = util::str(args, "conn_limit");
    pg::Login login = pg::Login::from(args);

    if (state == "rename") {
      if (target.empty())
        return util::failed("The \"target\" option must be defined when the \"rename\" option is used.");
      if (name == target) return util::failed("The \"name/db\" option and the \"target\" option cannot be the same.");
      if (maintenance_db == name) {
        return util::failed("The \"maintenance_db\" option and the \"name/db\" option cannot be the same.");
      }
    }
    if (!conn_limit.empty() && !is_integer(conn_limit)) {
      return util::failed("conn_limit must be an integer, got: " + conn_limit);
    }
    if (state == "dump" || state == "restore") {
      // Ansible reports dump and restore as unchanged in check mode, without touching the host.
      if (ctx.check_mode) return Value{{"changed", false}, {"db", name}, {"executed_commands", Value::array()}};
      return state == "dump" ? dump(ctx, login, name) : restore(ctx, login, name);
    }

    pg::ToolRun probe = pg::run_psql(ctx, login, maintenance_db, util::str(args, "session_role"), probe_sql(args));
    if (probe.missing) {
      if (!pg::planned_install(ctx)) return util::failed(pg::missing_message("psql"));
      // PostgreSQL would be installed by an earlier task: the database cannot exist yet.
      return Value{{"changed", state != "absent"}, {"db", name}, {"executed_commands", Value::array()}};
    }
    if (pg::connect_failed(probe)) return util::failed("unable to connect to database: " + pg::error_text(probe.err));
    if (probe.rc != 0) return util::failed("Database query failed: " + pg::error_text(probe.err));
    Value info;
    try {
      info = Value::parse(util::lines(probe.out).back().get<std::string>());
    } catch (const std::exception&) {
      return util::failed("Database query failed: unexpected psql output: " + probe.out);
    }

    std::vector<std::string> statements;
    bool changed = false;
    const Value& db = info["db"];
    if (state == "absent") {
      if (!db.is_null()) {
        changed = true;
        statements.push_back(drop_sql(name, util::flag(args, "force"), info["version"].get<int>()));
      }
    } else if (state == "rename") {
      bool target_exists = info["target_exists"].get<bool>();
      if (!db.is_null() && target_exists) return util::failed("Both the source and the target databases exist.");
      if (db.is_null() && !target_exists) return util::failed("The source and the target databases do not exist.");
      if (!db.is_null()) {
        changed = true;
        statements.push_back("ALTER DATABASE " + quote_ident(name) + " RENAME TO " + quote_ident(target));
      }
    } else if (db.is_null()) {
      changed = true;
      statements.push_back(create_sql(args));
    } else {
      std::string unsupported = locale_mismatch(args, info);
      if (!unsupported.empty()) {
        // Check mode only says the database does not match, as Ansible's does.
        if (ctx.check_mode) return Value{{"changed", true}, {"db", name}, {"executed_commands", Value::array()}};
        return util::failed(unsupported);
      }
      const std::string owner = util::str(args, "owner");
      const std::string tablespace = util::str(args, "tablespace");
      if (!owner.empty() && owner != db["owner"].get<std::string>()) {
        statements.push_back("ALTER DATABASE " + quote_ident(name) + " OWNER TO " + quote_ident(owner));
      }
      if (!conn_limit.empty() && std::stoll(conn_limit) != db["conn_limit"].get<long long>()) {
        statements.push_back("ALTER DATABASE " + quote_ident(name) + " CONNECTION LIMIT " +
                             std::to_string(std::stoll(conn_limit)));
      }
      if (!tablespace.empty() && tablespace != db["tablespace"].get<std::string>()) {
        statements.push_back("ALTER DATABASE " + quote_ident(name) + " SET TABLESPACE " + quote_ident(tablespace));
      }
      changed = !statements.empty();
    }

    if (ctx.check_mode) return Value{{"changed", changed}, {"db", name}, {"executed_commands", Value::array()}};
    if (!statements.empty()) {
      std::string sql;
      for (const auto& s : statements) sql += s + ";\n";
      pg::ToolRun applied = pg::run_psql(ctx, login, maintenance_db, util::str(args, "session_role"), sql);
      if (applied.rc != 0) return util::failed("Database query failed: " + pg::error_text(applied.err));
    }
    return Value{{"changed", changed}, {"db", name}, {"executed_commands", string_list(statements)}};
  }

 private:
  static std::string probe_sql(const Value& args) {
    const std::string name = util::str(args, "name");
    return "SELECT json_build_object("
           "'db', (SELECT json_build_object('owner', r.rolname, 'encoding', "
           "pg_catalog.pg_encoding_to_char(d.encoding), "
           "'encoding_id', d.encoding, 'lc_collate', d.datcollate, 'lc_ctype', d.datctype, "
           "'conn_limit', d.datconnlimit, 'tablespace', t.spcname) "
           "FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba "
           "JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = " +
           quote_literal(name) + "), 'encoding_id', pg_catalog.pg_char_to_encoding(" +
           quote_literal(util::str(args, "encoding")) +
           "), 'target_exists', EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = " +
           quote_literal(util::str(args, "target")) +
           "), 'version', pg_catalog.current_setting('server_version_num')::int);\n";
  }

  static std::string create_sql(const Value& args) {
    std::string sql = "CREATE DATABASE " + quote_ident(util::str(args, "name"));
    auto ident = [&](const char* key, const char* word) {
      std::string v = util::str(args, key);
      if (!v.empty()) sql += std::string(" ") + word + " " + quote_ident(v);
    };
    auto literal = [&](const char* key, const char* word) {
      std::string v = util::str(args, key);
      if (!v.empty()) sql += std::string(" ") + word + " " + quote_literal(v);
    };
    ident("owner", "OWNER");
    ident("template", "TEMPLATE");
    literal("encoding", "ENCODING");
    literal("lc_collate", "LC_COLLATE");
    literal("lc_ctype", "LC_CTYPE");
    ident("tablespace", "TABLESPACE");
    std::string conn_limit = util::str(args, "conn_limit");
    if (!conn_limit.empty()) sql += " CONNECTION LIMIT " + std::to_string(std::stoll(conn_limit));
    return sql;
  }

  static std::string drop_sql(const std::string& name, bool force, int version) {
    if (!force) return "DROP DATABASE " + quote_ident(name);
    if (version >= 130000) return "DROP DATABASE " + quote_ident(name) + " WITH (FORCE)";
    // Before PostgreSQL 13: refuse new connections, end the open ones, then drop.
    return "UPDATE pg_catalog.pg_database SET datallowconn = false WHERE datname = " + quote_literal(name) +
           "; SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = " +
           quote_literal(name) + " AND pid <> pg_catalog.pg_backend_pid(); DROP DATABASE " + quote_ident(name);
  }

  // Ansible's messages (typo included) when an existing database's encoding or locale differs.
  static std::string locale_mismatch(const Value& args, const Value& info) {
    const Value& db = info["db"];
    if (!util::str(args, "encoding").empty() && info["encoding_id"] != db["encoding_id"]) {
      return "Changing database encoding is not supported. Current encoding: " + db["encoding"].get<std::string>();
    }
    std::string lc_collate = util::str(args, "lc_collate");
    if (!lc_collate.empty() && lc_collate != db["lc_collate"].get<std::string>()) {
      return "Changing LC_COLLATE is not supported. Current LC_COLLATE: " + db["lc_collate"].get<std::string>();
    }
    std::string lc_ctype = util::str(args, "lc_ctype");
    if (!lc_ctype.empty() && lc_ctype != db["lc_ctype"].get<std::string>()) {
      return "Changing LC_CTYPE is not supported.Current LC_CTYPE: " + db["lc_ctype"].get<std::string>();
    }
    return {};
  }

  // The target as the tool sees it: relative to the folder the task runs in, as Ansible's module cwd; the default
  // is <name>.sql there. Exported before switching user so that the tool gets the absolute path.
  static std::string target_prelude(const std::string& target) {
    return "PROV_PG_TARGET=" + shell_quote(target) +
           "; case $PROV_PG_TARGET in /*) ;; *) PROV_PG_TARGET=$PWD/$PROV_PG_TARGET ;; esac; export PROV_PG_TARGET; ";
  }

  static Result tool_result(const pg::ToolRun& run, const std::string& shown) {
    if (run.rc != 0) {
      Result r = util::failed(run.err);
      r["stdout"] = run.out;
      r["rc"] = run.rc;
      r["cmd"] = shown;
      return r;
    }
    return Value{{"changed", true}, {"msg", run.out}, {"stderr", run.err},
                 {"rc", run.rc},    {"cmd", shown},   {"executed_commands", Value::array({shown})}};
  }

  Result dump(const Context& ctx, const pg::Login& login, const std::string& name) const {
    std::string target = util::str(ctx.args, "target");
    if (target.empty()) target = name + ".sql";
    const std::string ext = extension(target);
    std::string flags = " --dbname=" + shell_quote(login.conninfo(name));
    if (ext == ".tar") flags += " --format=t";
    if (ext == ".pgc") flags += " --format=c";
    if (ext == ".dir") flags += " --format=d";
    flags += quoted_words(util::str(ctx.args, "dump_extra_args")) + quoted_words(util::str(ctx.args, "target_opts"));
    std::string compressor = ext == ".gz" ? "gzip" : ext == ".bz2" ? "bzip2" : ext == ".xz" ? "xz" : "";
    std::string command, shown;
    if (!compressor.empty()) {
      // The dump's exit status travels on fd 3: POSIX sh has no pipefail.
      command = "st=$( { { pg_dump" + flags + " 3>&-; echo $? >&3; } | " + compressor +
                " > \"$PROV_PG_TARGET\"; } 3>&1 ); rc=$?; [ \"$st\" = 0 ] || exit \"$st\"; exit \"$rc\"";
      shown = "pg_dump" + flags + " | " + compressor + " > " + shell_quote(target);
    } else if (ext == ".dir") {
      command = "pg_dump" + flags + " -f \"$PROV_PG_TARGET\"";
      shown = "pg_dump" + flags + " -f " + shell_quote(target);
    } else {
      command = "pg_dump" + flags + " > \"$PROV_PG_TARGET\"";
      shown = "pg_dump" + flags + " > " + shell_quote(target);
    }
    pg::ToolRun run = pg::run_tool(ctx, login, "pg_dump", command, {}, target_prelude(target));
    if (run.missing) return util::failed(pg::missing_message("pg_dump"));
    return tool_result(run, shown);
  }

  Result restore(const Context& ctx, const pg::Login& login, const std::string& name) const {
    std::string target = util::str(ctx.args, "target");
    if (target.empty()) target = name + ".sql";
    const std::string ext = extension(target);
    const std::string conninfo = " --dbname=" + shell_quote(login.conninfo(name));
    const std::string opts = quoted_words(util::str(ctx.args, "target_opts"));
    std::string tool = "psql", command, shown;
    if (ext == ".tar" || ext == ".pgc" || ext == ".dir") {
      tool = "pg_restore";
      std::string format = ext == ".tar" ? "Tar" : ext == ".pgc" ? "Custom" : "Directory";
      std::string base = "pg_restore" + conninfo + " --format=" + format + opts;
      command = base + (ext == ".dir" ? " \"$PROV_PG_TARGET\"" : " < \"$PROV_PG_TARGET\"");
      shown = base + (ext == ".dir" ? " " : " < ") + shell_quote(target);
    } else if (ext == ".gz" || ext == ".bz2" || ext == ".xz") {
      std::string cat = ext == ".gz" ? "zcat" : ext == ".bz2" ? "bzcat" : "xzcat";
      std::string base = "psql -X" + conninfo + opts;
      // The decompressor's status comes back on fd 3; psql's output keeps the real stdout through fd 4.
      command = "{ st=$( { { " + cat + " \"$PROV_PG_TARGET\" 3>&-; echo $? >&3; } | " + base +
                " >&4; } 3>&1 ); rc=$?; } 4>&1; [ \"$st\" = 0 ] || exit \"$st\"; exit \"$rc\"";
      shown = cat + " " + shell_quote(target) + " | " + base;
    } else {
      std::string base = "psql -X" + conninfo + opts;
      command = base + " --file=\"$PROV_PG_TARGET\"";
      shown = base + " --file=" + shell_quote(target);
    }
    pg::ToolRun run = pg::run_tool(ctx, login, tool, command, {}, target_prelude(target));
    if (run.missing) return util::failed(pg::missing_message(tool));
    return tool_result(run, shown);
  }

  ModuleSpec spec_;
};

}  // namespace

const Module& postgresql_db_module() {
  static const PostgresqlDbModule module;
  return module;
}

}  // namespace prov::mod
