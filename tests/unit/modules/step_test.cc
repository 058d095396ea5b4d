// The module contract: typed arguments derive the spec and bind validated values; execute() drives a step's
// phases and, not the module, stops after diff in check mode, records predictions and attaches the diff.
#include <catch2/catch.hpp>

#include "../../../src/modules/schema.h"
#include "helpers.h"
#include "scripted_host.h"

using prov::Value;
namespace mod = prov::mod;

namespace {

struct Attrs {
  Value mode;
  std::string owner;
  static void describe(mod::Schema<Attrs>& s) {
    s.field("mode", &Attrs::mode);
    s.field("owner", &Attrs::owner);
  }
};

struct CounterArgs {
  std::string path;
  bool force = false;
  long long count = 0;
  std::optional<std::string> label;
  std::vector<std::string> names;
  Attrs attrs;
  static void describe(mod::Schema<CounterArgs>& s) {
    s.field("path", &CounterArgs::path, mod::ArgType::Path).required().aliases({"dest"});
    s.field("force", &CounterArgs::force).default_value(true);
    s.field("count", &CounterArgs::count);
    s.field("label", &CounterArgs::label).choices({"a", "b"});
    s.field("names", &CounterArgs::names);
    s.include(&CounterArgs::attrs);
  }
};

// Reads a line count from the host in two queries (the second depends on the first), wants `count` lines.
struct Calls {
  std::vector<std::string> queries;
  int applied = 0;
};
Calls calls;

mod::Probe read(std::string command) {
  mod::Probe probe;
  probe.command = std::move(command);
  return probe;
}

class CounterRun : public mod::Step {
 public:
  CounterRun(CounterArgs args, const mod::Context&) : args_(std::move(args)) {}
  std::optional<mod::Probe> query() override {
    if (reads_ == 0) return read("test -e " + args_.path + " && echo yes || echo no");
    if (reads_ == 1 && exists_) return read("wc -l < " + args_.path);
    return std::nullopt;
  }
  void parse(const prov::conn::CommandResult& read) override {
    calls.queries.push_back(read.out);
    if (reads_++ == 0) {
      exists_ = read.out == "yes\n";
    } else {
      lines_ = std::stoll(read.out);
    }
  }
  mod::Changes diff(const mod::Plan* plan) const override {
    mod::Changes c;
    c.changed = lines_ != args_.count && !(plan != nullptr && plan->predicted(args_.path));
    c.result = {{"path", args_.path}, {"lines", lines_}};
    c.diff = {{"before", std::to_string(lines_) + "\n"}, {"after", std::to_string(args_.count) + "\n"}};
    c.predicted.add_path(args_.path);
    return c;
  }
  mod::Result apply(mod::Context& ctx, const mod::Changes&) override {
    ++calls.applied;
    ctx.conn->run("seq " + std::to_string(args_.count) + " > " + args_.path, {});
    return {{"lines", args_.count}};
  }

 private:
  CounterArgs args_;
  int reads_ = 0;
  bool exists_ = false;
  long long lines_ = 0;
};

class CounterModule : public mod::TypedModule<CounterArgs, CounterRun> {
 public:
  CounterModule() : TypedModule("counter") {}
};

}  // namespace

TEST_CASE("a typed argument struct gives the spec and binds validated values") {
  CounterModule m;
  const mod::ModuleSpec& spec = m.spec();
  REQUIRE(spec.args.size() == 7);
  CHECK(spec.args[0].name == "path");
  CHECK(spec.args[0].type == mod::ArgType::Path);
  CHECK(spec.args[0].required);
  CHECK(spec.args[0].aliases == std::vector<std::string>{"dest"});
  CHECK(spec.args[1].type == mod::ArgType::Bool);
  CHECK(spec.args[2].type == mod::ArgType::Int);
  CHECK(spec.args[3].type == mod::ArgType::Str);
  CHECK(spec.args[4].type == mod::ArgType::List);
  CHECK(spec.args[5].name == "mode");
  CHECK(spec.args[5].type == mod::ArgType::Raw);
  CHECK(spec.args[6].name == "owner");

  mod::Context ctx;
  ctx.args = mod::validate_args(spec, {{"dest", "/x"}, {"count", "3"}, {"names", "a,b"}, {"mode", "0644"}});
  mod::Schema<CounterArgs> schema;
  CounterArgs::describe(schema);
  CounterArgs a = schema.bind(ctx.args);
  CHECK(a.path == "/x");
  CHECK(a.force);  // the default
  CHECK(a.count == 3);
  CHECK_FALSE(a.label.has_value());
  CHECK(a.names == std::vector<std::string>{"a", "b"});
  CHECK(a.attrs.mode == "0644");
  CHECK(a.attrs.owner.empty());
  CHECK_THROWS_WITH(mod::validate_args(spec, {{"path", "/x"}, {"label", "c"}}),
                    Catch::Contains("value of label must be one of: a, b, got: c"));
}

TEST_CASE("execute reads, compares and applies; check mode stops after diff") {
  test::Sandbox s;
  CounterModule m;
  const std::string path = s.path("lines");
  mod::Plan plan;
  mod::Context ctx;
  ctx.conn = s.conn.get();
  ctx.plan = &plan;
  ctx.args = mod::validate_args(m.spec(), {{"path", path}, {"count", 2}});

  calls = {};
  ctx.check_mode = true;
  ctx.diff_mode = true;
  Value r = mod::execute(m, ctx);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["after"] == "2\n");
  CHECK(calls.applied == 0);
  CHECK(calls.queries == std::vector<std::string>{"no\n"});  // no second read: nothing to count
  CHECK_FALSE(test::fs::exists(path));
  CHECK(plan.paths.count(path) == 1);  // predicted for later tasks
  CHECK(mod::first_query(m, ctx)->command == "test -e " + path + " && echo yes || echo no");

  calls = {};
  ctx.check_mode = false;
  ctx.diff_mode = false;
  r = mod::execute(m, ctx);
  CHECK(r == Value{{"lines", 2}, {"path", path}, {"changed", true}});  // apply's keys first, then diff's result
  CHECK(calls.applied == 1);
  CHECK(test::read_file(path) == "1\n2\n");

  calls = {};
  r = mod::execute(m, ctx);
  CHECK(r == Value{{"path", path}, {"lines", 2}, {"changed", false}});
  CHECK(calls.queries == std::vector<std::string>{"yes\n", "2\n"});
  CHECK(calls.applied == 0);
}

namespace {

struct NoArgs {
  static void describe(mod::Schema<NoArgs>&) {}
};

// Something to run: check mode words its result itself (as command's "skipped"), told by the plan diff gets; a
// real run's result is apply's, which fails when asked to.
bool fail_apply = false;
bool say_nothing = false;

class WordedRun : public mod::Step {
 public:
  WordedRun(NoArgs, const mod::Context&) {}
  mod::Changes diff(const mod::Plan* plan) const override {
    if (plan == nullptr) return {true, {{"cmd", "run"}}};
    return {true, {{"changed", false}, {"skipped", true}, {"msg", "would run"}}};
  }
  mod::Result apply(mod::Context&, const mod::Changes&) override {
    if (fail_apply) return {{"failed", true}, {"msg", "refused"}};
    if (say_nothing) return {};  // null: the result is diff's keys
    return {{"changed", true}, {"rc", 0}};
  }
};

class WordedModule : public mod::TypedModule<NoArgs, WordedRun> {
 public:
  WordedModule() : TypedModule("worded") {}
};

}  // namespace

TEST_CASE("diff is given a plan exactly in check mode; a failed apply reports only its own keys") {
  WordedModule m;
  mod::Context ctx;  // no plan kept by the caller: diff still learns it is check mode
  ctx.args = Value::object();
  ctx.check_mode = true;
  CHECK(mod::execute(m, ctx) == Value{{"changed", false}, {"skipped", true}, {"msg", "would run"}});
  ctx.check_mode = false;
  CHECK(mod::execute(m, ctx) == Value{{"changed", true}, {"rc", 0}, {"cmd", "run"}});
  fail_apply = true;
  CHECK(mod::execute(m, ctx) == Value{{"failed", true}, {"msg", "refused"}, {"changed", false}});
  fail_apply = false;
  say_nothing = true;
  CHECK(mod::execute(m, ctx) == Value{{"cmd", "run"}, {"changed", true}});
  say_nothing = false;
}

namespace {
// The worked example of docs/ARCHITECTURE.md ("how to add a module"), verbatim: it must compile and work.
using namespace prov::mod;  // NOLINT: as inside the modules' namespace
namespace conn = prov::conn;
namespace util = prov::mod::util;
struct MarkerArgs {
  std::string path, line;
  static void describe(Schema<MarkerArgs>& s) {
    s.field("path", &MarkerArgs::path, ArgType::Path).required().aliases({"dest"});
    s.field("line", &MarkerArgs::line).required();
  }
};

class MarkerRun : public Step {
 public:
  MarkerRun(MarkerArgs args, const Context&) : args_(std::move(args)) {}
  std::optional<Probe> query() override {  // one read: is the line there?
    if (read_) return std::nullopt;
    return shell_read("grep -qxF -- " + conn::shell_quote(args_.line) + " " + conn::shell_quote(args_.path));
  }
  void parse(const conn::CommandResult& r) override {
    present_ = r.rc == 0;
    read_ = true;
  }
  Changes diff(const Plan*) const override {
    Changes c;
    c.changed = !present_;
    c.result = {{"path", args_.path}};
    return c;
  }
  Result apply(Context& ctx, const Changes&) override {
    util::run(ctx, "printf '%s\\n' " + conn::shell_quote(args_.line) + " >> " + conn::shell_quote(args_.path));
    return Result::object();
  }

 private:
  MarkerArgs args_;
  bool present_ = false, read_ = false;
};

class MarkerModule : public TypedModule<MarkerArgs, MarkerRun> {
 public:
  MarkerModule() : TypedModule("marker") {}
};
}  // namespace

TEST_CASE("the worked example of ARCHITECTURE.md keeps its line, predicts in check mode, then converges") {
  test::Sandbox s;
  MarkerModule m;
  const std::string path = s.path("conf");
  std::ofstream(path) << "a\n";
  mod::Context ctx;
  ctx.conn = s.conn.get();
  ctx.args = mod::validate_args(m.spec(), {{"dest", path}, {"line", "b c"}});
  ctx.check_mode = true;
  CHECK(mod::execute(m, ctx) == Value{{"path", path}, {"changed", true}});
  CHECK(test::read_file(path) == "a\n");
  ctx.check_mode = false;
  CHECK(mod::execute(m, ctx) == Value{{"path", path}, {"changed", true}});
  CHECK(test::read_file(path) == "a\nb c\n");
  CHECK(mod::execute(m, ctx) == Value{{"path", path}, {"changed", false}});
}

namespace {
// Reads a whole file (fetched, not run), would remove an account from it; refuses to start without a name.
struct RemoverArgs {
  std::string name;
  static void describe(mod::Schema<RemoverArgs>& s) { s.field("name", &RemoverArgs::name); }
};

class RemoverRun : public mod::Step {
 public:
  RemoverRun(RemoverArgs args, const mod::Context&) : args_(std::move(args)) {
    if (args_.name.empty()) throw prov::Error("a name is needed");
  }
  std::optional<mod::Probe> query() override {
    if (read_) return std::nullopt;
    mod::Probe whole_file;
    whole_file.fetched_path = "/etc/passwd";
    return whole_file;
  }
  void parse(const prov::conn::CommandResult& read) override {
    present_ = read.out.find(args_.name + ":") != std::string::npos;
    read_ = true;
  }
  mod::Changes diff(const mod::Plan* plan) const override {
    mod::Changes c;
    c.changed = present_ || (plan != nullptr && plan->users.count(args_.name) > 0);
    c.removed.users.insert(args_.name);
    return c;
  }
  mod::Result apply(mod::Context&, const mod::Changes&) override { return {{"removed", args_.name}}; }

 private:
  RemoverArgs args_;
  bool read_ = false, present_ = false;
};

class RemoverModule : public mod::TypedModule<RemoverArgs, RemoverRun> {
 public:
  RemoverModule() : TypedModule("remover") {}
};
}  // namespace

TEST_CASE("a whole-file read is fetched and never sent ahead; a removal leaves the plan; a step that cannot start") {
  RemoverModule m;
  test::ScriptedHost host;
  host.files["/etc/passwd"] = "root:x:0:0::/root:/bin/sh\n";
  mod::Plan plan;
  plan.users = {"app", "web"};
  mod::Context ctx;
  ctx.conn = &host;
  ctx.args = mod::validate_args(m.spec(), {{"name", "app"}});
  ctx.check_mode = true;
  ctx.plan = &plan;
  CHECK_FALSE(mod::first_query(m, ctx).has_value());
  CHECK(mod::execute(m, ctx) == Value{{"changed", true}});
  CHECK(plan.users == std::set<std::string>{"web"});
  CHECK(host.fetched == std::vector<std::string>{"/etc/passwd"});
  CHECK(host.commands.empty());

  ctx.check_mode = false;
  ctx.args = mod::validate_args(m.spec(), {{"name", "root"}});
  CHECK(mod::execute(m, ctx) == Value{{"removed", "root"}, {"changed", true}});

  // A step whose arguments it refuses at start is no first query: the error is the task's, when it runs.
  ctx.args = mod::validate_args(m.spec(), Value::object());
  CHECK_FALSE(mod::first_query(m, ctx).has_value());
  CHECK_THROWS_WITH(mod::execute(m, ctx), "a name is needed");
}
