// postgresql_db: creates, alters, drops, renames, dumps and restores a PostgreSQL database, as
// community.postgresql's module does, with psql on the host instead of psycopg2. One psql call reads the database's
// row (owner, encoding, locale, connection limit, tablespace); a second one runs only the statements that differ.
#include <string>
#include <vector>

#include "postgresql.h"
#include "provision/modules/module.h"
#include "schema.h"
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

struct PostgresqlDbArgs {
  std::string name, owner, template_, encoding, lc_collate, lc_ctype, state, target, target_opts, maintenance_db,
      conn_limit, tablespace, dump_extra_args;
  bool force = false;
  pg::Login login;

  static void describe(Schema<PostgresqlDbArgs>& s) {
    using A = PostgresqlDbArgs;
    s.field("name", &A::name).required().aliases({"db"});
    s.field("owner", &A::owner).default_value("");
    s.field("template", &A::template_).default_value("");
    s.field("encoding", &A::encoding).default_value("");
    s.field("lc_collate", &A::lc_collate).default_value("");
    s.field("lc_ctype", &A::lc_ctype).default_value("");
    s.field("state", &A::state).default_value("present").choices({"absent", "dump", "present", "rename", "restore"});
    s.field("target", &A::target, ArgType::Path).default_value("");
    s.field("target_opts", &A::target_opts).default_value("");
    s.field("maintenance_db", &A::maintenance_db).default_value("postgres");
    s.field("conn_limit", &A::conn_limit).default_value("");
    s.field("tablespace", &A::tablespace, ArgType::Path).default_value("");
    s.field("dump_extra_args", &A::dump_extra_args);
    s.field("force", &A::force).default_value(false);
    s.include(&A::login);
  }
};

// One psql read of the database's row; the statements that differ run in a second call. Dump and restore read
// nothing: Ansible reports them as unchanged in check mode, without touching the host.
class PostgresqlDbRun : public Step {
 public:
  PostgresqlDbRun(PostgresqlDbArgs args, const Context&) : args_(std::move(args)) {}

  std::optional<Probe> query() override {
    if (read_ || !refusal().empty() || dumps_or_restores()) return std::nullopt;
    return pg::psql_command(args_.login, args_.maintenance_db, probe_sql());
  }
  void parse(const conn::CommandResult& read) override {
    read_ = pg::tool_answer(read);
    info_ = pg::read_json(*read_);
  }

  Changes diff(const Plan* plan) const override {
    Changes c;
    const std::string& name = args_.name;
    Result unchanged_in_check = {{"changed", false}, {"db", name}, {"executed_commands", Value::array()}};
    if (std::string refused = refusal(); !refused.empty()) {
      c.result = util::failed(refused);
    } else if (dumps_or_restores()) {
      c.changed = true;
      if (plan != nullptr) c.result = unchanged_in_check;
    } else if (read_->missing && pg::planned_install(plan)) {
      // PostgreSQL would be installed by an earlier task: the database cannot exist yet.
      c.changed = args_.state != "absent";
      c.result = {{"changed", c.changed}, {"db", name}, {"executed_commands", Value::array()}};
    } else if (std::optional<Result> failed = pg::read_failure(*read_, info_)) {
      c.result = std::move(*failed);
    } else {
      Work work = statements();
      if (!work.unsupported.empty()) {
        // Check mode only says the database does not match, as Ansible's does.
        c.changed = plan != nullptr;
        c.result = plan != nullptr ? Result{{"changed", true}, {"db", name}, {"executed_commands", Value::array()}}
                                   : util::failed(work.unsupported);
        return c;
      }
      if (!work.failure.empty()) {
        c.result = util::failed(work.failure);
        return c;
      }
      c.changed = work.changed;
      c.result = {{"changed", c.changed},
                  {"db", name},
                  {"executed_commands", plan != nullptr ? Value::array() : string_list(work.statements)}};
    }
    return c;
  }

  Result apply(Context& ctx, const Changes&) override {
    if (args_.state == "dump") return dump(ctx);
    if (args_.state == "restore") return restore(ctx);
    std::string sql;
    for (const auto& statement : statements().statements) sql += statement + ";\n";
    if (sql.empty()) return Result::object();
    pg::ToolRun applied = pg::run_tool(ctx, pg::psql_command(args_.login, args_.maintenance_db, sql));
    if (applied.rc != 0) return util::failed("Database query failed: " + pg::error_text(applied.err));
    return Result::object();
  }

 private:
  struct Work {
    std::vector<std::string> statements;
    bool changed = false;
    std::string failure, unsupported;
  };

  bool dumps_or_restores() const { return args_.state == "dump" || args_.state == "restore"; }

  // What is refused before the host is read.
  std::string refusal() const {
    const std::string& name = args_.name;
    if (args_.state == "rename") {
      if (args_.target.empty()) return "The \"target\" option must be defined when the \"rename\" option is used.";
      if (name == args_.target) return "The \"name/db\" option and the \"target\" option cannot be the same.";
      if (args_.maintenance_db == name)
        return "The \"maintenance_db\" option and the \"name/db\" option cannot be the same.";
    }
    if (!args_.conn_limit.empty() && !is_integer(args_.conn_limit)) {
      return "conn_limit must be an integer, got: " + args_.conn_limit;
    }
    return args_.login.refusal();
  }

  // The statements that bring the database to what is wanted, from the row read.
  Work statements() const {
    Work work;
    const std::string& name = args_.name;
    const Value& db = info_["db"];
    if (args_.state == "absent") {
      if (!db.is_null()) work.statements.push_back(drop_sql(name, args_.force, info_["version"].get<int>()));
    } else if (args_.state == "rename") {
      bool target_exists = info_["target_exists"].get<bool>();
      if (!db.is_null() && target_exists) work.failure = "Both the source and the target databases exist.";
      if (db.is_null() && !target_exists) work.failure = "The source and the target databases do not exist.";
      if (!db.is_null() && work.failure.empty()) {
        work.statements.push_back("ALTER DATABASE " + quote_ident(name) + " RENAME TO " + quote_ident(args_.target));
      }
    } else if (db.is_null()) {
      work.statements.push_back(create_sql());
    } else {
      work.unsupported = locale_mismatch();
      if (!work.unsupported.empty()) return work;
      if (!args_.owner.empty() && args_.owner != db["owner"].get<std::string>()) {
        work.statements.push_back("ALTER DATABASE " + quote_ident(name) + " OWNER TO " + quote_ident(args_.owner));
      }
      if (!args_.conn_limit.empty() && std::stoll(args_.conn_limit) != db["conn_limit"].get<long long>()) {
        work.statements.push_back("ALTER DATABASE " + quote_ident(name) + " CONNECTION LIMIT " +
                                  std::to_string(std::stoll(args_.conn_limit)));
      }
      if (!args_.tablespace.empty() && args_.tablespace != db["tablespace"].get<std::string>()) {
        work.statements.push_back("ALTER DATABASE " + quote_ident(name) + " SET TABLESPACE " +
                                  quote_ident(args_.tablespace));
      }
    }
    work.changed = !work.statements.empty();
    return work;
  }

  std::string probe_sql() const {
    return "SELECT json_build_object("
           "'db', (SELECT json_build_object('owner', r.rolname, 'encoding', "
           "pg_catalog.pg_encoding_to_char(d.encoding), "
           "'encoding_id', d.encoding, 'lc_collate', d.datcollate, 'lc_ctype', d.datctype, "
           "'conn_limit', d.datconnlimit, 'tablespace', t.spcname) "
           "FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba "
           "JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = " +
           quote_literal(args_.name) + "), 'encoding_id', pg_catalog.pg_char_to_encoding(" +
           quote_literal(args_.encoding) +
           "), 'target_exists', EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = " +
           quote_literal(args_.target) + "), 'version', pg_catalog.current_setting('server_version_num')::int);\n";
  }

  std::string create_sql() const {
    std::string sql = "CREATE DATABASE " + quote_ident(args_.name);
    auto ident = [&](const std::string& value, const char* word) {
      if (!value.empty()) sql += std::string(" ") + word + " " + quote_ident(value);
    };
    auto literal = [&](const std::string& value, const char* word) {
      if (!value.empty()) sql += std::string(" ") + word + " " + quote_literal(value);
    };
    ident(args_.owner, "OWNER");
    ident(args_.template_, "TEMPLATE");
    literal(args_.encoding, "ENCODING");
    literal(args_.lc_collate, "LC_COLLATE");
    literal(args_.lc_ctype, "LC_CTYPE");
    ident(args_.tablespace, "TABLESPACE");
    if (!args_.conn_limit.empty()) sql += " CONNECTION LIMIT " + std::to_string(std::stoll(args_.conn_limit));
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
  std::string locale_mismatch() const {
    const Value& db = info_["db"];
    if (!args_.encoding.empty() && info_["encoding_id"] != db["encoding_id"]) {
      return "Changing database encoding is not supported. Current encoding: " + db["encoding"].get<std::string>();
    }
    const std::string& lc_collate = args_.lc_collate;
    if (!lc_collate.empty() && lc_collate != db["lc_collate"].get<std::string>()) {
      return "Changing LC_COLLATE is not supported. Current LC_COLLATE: " + db["lc_collate"].get<std::string>();
    }
    const std::string& lc_ctype = args_.lc_ctype;
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

  Result dump(const Context& ctx) const {
    const pg::Login& login = args_.login;
    const std::string& name = args_.name;
    std::string target = args_.target;
    if (target.empty()) target = name + ".sql";
    const std::string ext = extension(target);
    std::string flags = " --dbname=" + shell_quote(login.conninfo(name));
    if (ext == ".tar") flags += " --format=t";
    if (ext == ".pgc") flags += " --format=c";
    if (ext == ".dir") flags += " --format=d";
    flags += quoted_words(args_.dump_extra_args) + quoted_words(args_.target_opts);
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
    pg::ToolRun run = pg::run_tool(ctx, pg::tool_command(login, "pg_dump", command, {}, target_prelude(target)));
    if (run.missing) return util::failed(pg::missing_message("pg_dump"));
    return tool_result(run, shown);
  }

  Result restore(const Context& ctx) const {
    const pg::Login& login = args_.login;
    const std::string& name = args_.name;
    std::string target = args_.target;
    if (target.empty()) target = name + ".sql";
    const std::string ext = extension(target);
    const std::string conninfo = " --dbname=" + shell_quote(login.conninfo(name));
    const std::string opts = quoted_words(args_.target_opts);
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
    pg::ToolRun run = pg::run_tool(ctx, pg::tool_command(login, tool, command, {}, target_prelude(target)));
    if (run.missing) return util::failed(pg::missing_message(tool));
    return tool_result(run, shown);
  }

  PostgresqlDbArgs args_;
  std::optional<pg::ToolRun> read_;
  Value info_;
};

class PostgresqlDbModule : public TypedModule<PostgresqlDbArgs, PostgresqlDbRun> {
 public:
  PostgresqlDbModule() : TypedModule("postgresql_db") { spec_.other_names = {"community.postgresql.postgresql_db"}; }
};

}  // namespace

const Module& postgresql_db_module() {
  static const PostgresqlDbModule module;
  return module;
}

}  // namespace prov::mod
