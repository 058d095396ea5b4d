// lineinfile and blockinfile: the pure edits against what ansible-core 2.14 did to the same files
// (tests/fixtures/textedit/cases.json, recorded by generate.py there), then the modules over the local connection.
#include <catch2/catch.hpp>

#include <fstream>

#include "../../../src/modules/text_edit.h"
#include "helpers.h"

using prov::Value;
namespace text = prov::mod::text;

namespace {

Value load_cases() {
  std::ifstream in(std::string(PROVISION_SOURCE_DIR) + "/tests/fixtures/textedit/cases.json");
  REQUIRE(in.good());
  return Value::parse(in);
}

std::optional<std::string> opt(const Value& args, const char* key) {
  if (!args.contains(key)) return std::nullopt;
  return args[key].get<std::string>();
}

text::EditResult apply(const Value& c) {
  const Value& args = c["args"];
  const std::string state = args.value("state", "present");
  if (c["module"] == "lineinfile") {
    text::LineEdit e;
    e.line = opt(args, "line");
    e.regexp = opt(args, "regexp");
    e.search_string = opt(args, "search_string");
    e.insertafter = opt(args, "insertafter");
    e.insertbefore = opt(args, "insertbefore");
    e.backrefs = args.value("backrefs", false);
    e.firstmatch = args.value("firstmatch", false);
    std::string before = c["before"].is_null() ? "" : c["before"].get<std::string>();
    return state == "present" ? text::lineinfile_present(before, e) : text::lineinfile_absent(before, e);
  }
  text::BlockEdit e;
  e.block = args.value("block", "");
  if (args.contains("marker")) e.marker = args["marker"];
  if (args.contains("marker_begin")) e.marker_begin = args["marker_begin"];
  if (args.contains("marker_end")) e.marker_end = args["marker_end"];
  e.insertafter = opt(args, "insertafter");
  e.insertbefore = opt(args, "insertbefore");
  e.present = state == "present";
  std::optional<std::string> before;
  if (!c["before"].is_null()) before = c["before"].get<std::string>();
  return text::blockinfile_edit(before, e);
}

}  // namespace

TEST_CASE("lineinfile and blockinfile edits match ansible-core 2.14", "[lineinfile][blockinfile]") {
  Value cases = load_cases();
  REQUIRE(cases.size() > 70);
  for (const auto& c : cases) {
    INFO(c["module"].get<std::string>() + ": " + c["name"].get<std::string>());
    text::EditResult r = apply(c);
    CHECK(r.content == c["after"].get<std::string>());
    CHECK(r.changed == c["changed"].get<bool>());
    CHECK(r.msg == c["msg"].get<std::string>());
    if (c.contains("found")) CHECK(r.found == c["found"].get<int>());
  }
}

TEST_CASE("LineRegex searches a line as Python's re does", "[lineinfile]") {
  text::LineRegex dollar("b$");
  CHECK(dollar.search("ab\n"));
  CHECK(dollar.search("ab"));
  CHECK_FALSE(dollar.search("ab\n\n"));
  CHECK_FALSE(dollar.search("b\nc"));
  text::LineRegex caret("^b");
  CHECK_FALSE(caret.search("a\nb"));
  text::LineRegex dot("^a.$");
  CHECK(dot.search("ab\n"));
  CHECK(dot.search("a\r\n"));
  CHECK_FALSE(dot.search("a\n\n"));
  CHECK(text::LineRegex("(?s)a.b").search("a\nb"));
  CHECK(text::LineRegex("[.$]").search("$"));
  CHECK_FALSE(text::LineRegex("[.$]").search("x\n"));
  CHECK(text::LineRegex("(?m)^$").search("a\n\nb"));
  CHECK(text::LineRegex("(?m)x$").multiline());
  CHECK_FALSE(text::LineRegex("x$").multiline());
  CHECK_THROWS_WITH(text::LineRegex("(a"), Catch::StartsWith("invalid regular expression '(a': "));
  // Lookbehind works; Python and PCRE2 both want it of fixed width.
  CHECK(text::LineRegex("(?<=a)b").search("ab\n"));
  CHECK_FALSE(text::LineRegex("(?<=a)b").search("cb\n"));
  CHECK_THROWS_WITH(text::LineRegex("(?<=a+)b"), Catch::StartsWith("invalid regular expression '(?<=a+)b': "));
  // Ansible searches bytes with a bytes pattern: \w and (?i) know only ASCII, `.` is one byte.
  CHECK_FALSE(text::LineRegex("^\\w$").search("\xc3\xa9\n"));
  CHECK(text::LineRegex("^..$").search("\xc3\xa9\n"));
  CHECK(text::LineRegex("\\Aa\\Z").search("a"));
  CHECK_FALSE(text::LineRegex("\\Aa\\Z").search("a\n"));
  prov::tmpl::RegexMatch m;
  text::LineRegex backref("^(?P<key>\\w+)=(\\d+)");
  const std::string line = "port=22\n";  // the match views it
  REQUIRE(backref.search(line, &m));
  CHECK(backref.expand("\\g<key> = \\2", m) == "port = 22");
  CHECK_THROWS_WITH(
      backref.expand("\\3", m),
      "invalid backreference in line: invalid replacement '\\3': invalid group reference 3 at position 1");
}

TEST_CASE("readlines and splitlines keep their ends", "[lineinfile][blockinfile]") {
  using V = std::vector<std::string>;
  CHECK(text::readlines("") == V{});
  CHECK(text::readlines("a\nb") == V{"a\n", "b"});
  CHECK(text::readlines("a\r\n\n") == V{"a\r\n", "\n"});
  CHECK(text::readlines("a\rb\n") == V{"a\rb\n"});
  CHECK(text::splitlines_keepends("a\rb\r\nc\nd") == V{"a\r", "b\r\n", "c\n", "d"});
}

TEST_CASE("lineinfile module over the local connection", "[lineinfile]") {
  test::Sandbox s;
  const std::string p = s.path("sshd_config");
  { std::ofstream(p) << "Port 22\n#PermitRootLogin yes\n"; }
  Value args = {{"path", p}, {"regexp", "^#?PermitRootLogin"}, {"line", "PermitRootLogin no"}};
  std::string before = s.listing();
  Value r = s.run("lineinfile", args, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "line replaced");
  CHECK(r["diff"][0]["before"] == "Port 22\n#PermitRootLogin yes\n");
  CHECK(r["diff"][0]["after"] == "Port 22\nPermitRootLogin no\n");
  CHECK(r["diff"][0]["before_header"] == p + " (content)");
  CHECK(test::read_file(p) == "Port 22\n#PermitRootLogin yes\n");
  CHECK(s.listing() == before);

  r = s.run("lineinfile", args);
  CHECK(r["changed"] == true);
  CHECK(r["backup"] == "");
  CHECK(test::read_file(p) == "Port 22\nPermitRootLogin no\n");
  r = s.run("lineinfile", args);
  CHECK(r["changed"] == false);
  CHECK(r["msg"] == "");

  Value with_mode = args;
  with_mode["mode"] = "0600";
  r = s.run("lineinfile", with_mode);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "ownership, perms or SE linux context changed");
  CHECK(test::mode_of(p) == 0600);

  r = s.run("lineinfile", {{"path", p}, {"line", "UsePAM yes"}, {"mode", "0640"}, {"backup", true}});
  CHECK(r["msg"] == "line added and ownership, perms or SE linux context changed");
  CHECK(test::mode_of(p) == 0640);
  REQUIRE(r["backup"].get<std::string>().rfind(p + ".", 0) == 0);
  CHECK(test::read_file(r["backup"].get<std::string>()) == "Port 22\nPermitRootLogin no\n");

  r = s.run("lineinfile", {{"path", p}, {"regexp", "^Port"}, {"state", "absent"}});
  CHECK(r["changed"] == true);
  CHECK(r["found"] == 1);
  CHECK(r["msg"] == "1 line(s) removed");
  CHECK(test::read_file(p) == "PermitRootLogin no\nUsePAM yes\n");
}

TEST_CASE("lineinfile module: missing files, folders, create, validate", "[lineinfile]") {
  test::Sandbox s;
  const std::string p = s.path("sub/dir/new.conf");
  Value r = s.run("lineinfile", {{"path", p}, {"line", "x"}});
  CHECK(r["failed"] == true);
  CHECK(r["rc"] == 257);
  CHECK(r["msg"] == "Destination " + p + " does not exist !");

  r = s.run("lineinfile", {{"path", s.path("")}, {"line", "x"}});
  CHECK(r["msg"] == "Path " + s.path("") + " is a directory !");
  CHECK(r["rc"] == 256);

  r = s.run("lineinfile", {{"path", p}, {"line", "x"}, {"state", "absent"}});
  CHECK(r == Value{{"changed", false}, {"msg", "file not present"}});

  std::string before = s.listing();
  r = s.run("lineinfile", {{"path", p}, {"line", "x"}, {"create", true}}, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["diff"]["after"] == "x\n");  // a new file in check mode: one content diff, as Ansible
  CHECK(s.listing() == before);

  r = s.run("lineinfile", {{"path", p}, {"line", "x"}, {"create", true}});
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "line added");
  CHECK(test::read_file(p) == "x\n");

  r = s.run("lineinfile", {{"path", p}, {"line", "y"}, {"validate", "grep -q nothing-like-this %s"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "failed to validate: rc:1 error:");
  CHECK(test::read_file(p) == "x\n");
  r = s.run("lineinfile", {{"path", p}, {"line", "y"}, {"validate", "grep -q x %s"}});
  CHECK(r["changed"] == true);
  CHECK(test::read_file(p) == "x\ny\n");

  r = s.run("lineinfile", {{"path", p}, {"line", "z"}, {"regexp", "(unclosed"}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().rfind("invalid regular expression '(unclosed': ", 0) == 0);

  r = s.run("lineinfile", {{"path", p}, {"line", "z"}, {"backrefs", true}});
  CHECK(r["msg"] == "regexp is required with backrefs=true");
  r = s.run("lineinfile", {{"path", p}});
  CHECK(r["msg"] == "line is required with state=present");
  r = s.run("lineinfile", {{"path", p}, {"state", "absent"}});
  CHECK(r["msg"] == "one of line, search_string, or regexp is required with state=absent");
}

TEST_CASE("lineinfile follows a symlink and writes its target", "[lineinfile]") {
  test::Sandbox s;
  const std::string target = s.path("real.conf"), link = s.path("link.conf");
  { std::ofstream(target) << "a\n"; }
  test::fs::create_symlink(target, link);
  Value r = s.run("lineinfile", {{"path", link}, {"line", "b"}});
  CHECK(r["changed"] == true);
  CHECK(test::fs::is_symlink(link));
  CHECK(test::read_file(target) == "a\nb\n");
}

TEST_CASE("lineinfile and blockinfile argument errors", "[lineinfile][blockinfile]") {
  using prov::mod::find_module;
  using prov::mod::validate_args;
  const auto& li = find_module("lineinfile")->spec();
  CHECK_THROWS_WITH(validate_args(li, {{"path", "/x"}, {"regexp", "a"}, {"search_string", "b"}}),
                    "parameters are mutually exclusive: regexp|search_string");
  CHECK_THROWS_WITH(validate_args(li, {{"path", "/x"}, {"insertafter", "a"}, {"insertbefore", "b"}}),
                    "parameters are mutually exclusive: insertbefore|insertafter");
  CHECK_THROWS_WITH(validate_args(li, {{"line", "x"}}), "missing required arguments: path");
  CHECK_THROWS_WITH(validate_args(li, {{"path", "/x"}, {"state", "gone"}}),
                    "value of state must be one of: absent, present, got: gone");
  Value aliased = validate_args(li, {{"dest", "/x"}, {"value", "l"}, {"regex", "r"}});
  CHECK(aliased["path"] == "/x");
  CHECK(aliased["line"] == "l");
  CHECK(aliased["regexp"] == "r");
  const auto& bi = find_module("ansible.builtin.blockinfile")->spec();
  Value b = validate_args(bi, {{"name", "/x"}, {"content", "c"}});
  CHECK(b["path"] == "/x");
  CHECK(b["block"] == "c");
  CHECK(b["marker"] == "# {mark} ANSIBLE MANAGED BLOCK");
  CHECK_THROWS_WITH(validate_args(bi, {{"path", "/x"}, {"markers", "m"}}),
                    Catch::StartsWith("Unsupported parameters for (blockinfile) module: markers."));
}

TEST_CASE("blockinfile module over the local connection", "[blockinfile]") {
  test::Sandbox s;
  const std::string p = s.path("hosts");
  { std::ofstream(p) << "127.0.0.1 localhost\n"; }
  Value args = {{"path", p}, {"block", "10.0.0.1 a\n10.0.0.2 b"}};
  std::string before = s.listing();
  Value r = s.run("blockinfile", args, true, true);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "Block inserted");
  CHECK(r["diff"][0]["after"] ==
        "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 a\n10.0.0.2 b\n# END ANSIBLE MANAGED BLOCK\n");
  CHECK(s.listing() == before);

  r = s.run("blockinfile", args);
  CHECK(r["changed"] == true);
  CHECK(test::read_file(p) ==
        "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 a\n10.0.0.2 b\n# END ANSIBLE MANAGED BLOCK\n");
  r = s.run("blockinfile", args);
  CHECK(r == Value{{"changed", false}, {"msg", ""}});

  r = s.run("blockinfile", {{"path", p}, {"state", "absent"}, {"backup", true}});
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "Block removed");
  CHECK(test::read_file(p) == "127.0.0.1 localhost\n");
  REQUIRE(r.contains("backup_file"));
  CHECK(test::read_file(r["backup_file"].get<std::string>()).find("10.0.0.2 b") != std::string::npos);

  r = s.run("blockinfile", {{"path", s.path("nope")}, {"block", "x"}});
  CHECK(r["msg"] == "Path " + s.path("nope") + " does not exist !");
  CHECK(r["rc"] == 257);
  r = s.run("blockinfile", {{"path", s.path("nope")}, {"state", "absent"}, {"create", true}});
  CHECK(r == Value{{"changed", false}, {"msg", "File " + s.path("nope") + " not present"}});
  r = s.run("blockinfile", {{"path", s.path("d/new")}, {"block", "x"}, {"create", true}, {"mode", "0600"}});
  CHECK(r["msg"] == "File created and ownership, perms or SE linux context changed");
  CHECK(test::mode_of(s.path("d/new")) == 0600);
}

TEST_CASE("check mode follows the plan for a file an earlier task creates", "[lineinfile][blockinfile]") {
  test::Sandbox s;
  const prov::mod::Module* m = prov::mod::find_module("lineinfile");
  prov::mod::Plan plan;
  plan.add_path(s.path("later/app.conf"));  // made by an earlier task (in a folder that does not exist yet)
  prov::mod::Context ctx;
  ctx.conn = s.conn.get();
  ctx.check_mode = true;
  ctx.plan = &plan;
  ctx.args = prov::mod::validate_args(m->spec(), {{"path", s.path("later/app.conf")}, {"line", "x"}});
  Value r = prov::mod::execute(*m, ctx);
  CHECK(r["changed"] == true);
  CHECK(r["msg"] == "line added");
  CHECK_FALSE(r.contains("failed"));

  const prov::mod::Module* b = prov::mod::find_module("blockinfile");
  ctx.args = prov::mod::validate_args(b->spec(), {{"path", s.path("later/app.conf")}, {"block", "x"}});
  r = prov::mod::execute(*b, ctx);
  CHECK(r == Value{{"changed", true}, {"msg", "Block inserted"}});

  // Without the plan it is Ansible's failure.
  ctx.plan = nullptr;
  r = prov::mod::execute(*b, ctx);
  CHECK(r["failed"] == true);
}

namespace {
// Counts what a module sends to the host.
class CountingConnection : public prov::conn::Connection {
 public:
  explicit CountingConnection(prov::conn::Connection& inner) : inner_(inner) {}
  void connect() override {}
  prov::conn::CommandResult run(const std::string& command, const prov::conn::RunOptions& options) override {
    ++runs;
    return inner_.run(command, options);
  }
  void put_file(const std::string& content, const std::string& path, const prov::conn::PutOptions& options) override {
    ++puts;
    inner_.put_file(content, path, options);
  }
  std::string fetch_file(const std::string& path, const prov::conn::Become& become) override {
    ++fetches;
    return inner_.fetch_file(path, become);
  }
  void close() override {}
  std::string kind() const override { return "counting"; }
  int runs = 0, puts = 0, fetches = 0;

 private:
  prov::conn::Connection& inner_;
};
}  // namespace

TEST_CASE("a rerun that changes nothing costs one command", "[lineinfile][blockinfile]") {
  test::Sandbox s;
  const std::string p = s.path("app.conf");
  CountingConnection counting(*s.conn);
  auto run = [&](const std::string& module, const Value& args) {
    const prov::mod::Module* m = prov::mod::find_module(module);
    prov::mod::Context ctx;
    ctx.conn = &counting;
    ctx.args = prov::mod::validate_args(m->spec(), args);
    counting.runs = counting.puts = counting.fetches = 0;
    return prov::mod::execute(*m, ctx);
  };
  Value line = {{"path", p}, {"line", "a=1"}, {"create", true}, {"mode", "0640"}};
  CHECK(run("lineinfile", line)["changed"] == true);
  CHECK(counting.puts == 1);
  CHECK(run("lineinfile", line)["changed"] == false);
  CHECK(counting.runs == 1);
  CHECK(counting.puts + counting.fetches == 0);

  Value block = {{"path", p}, {"block", "b=2"}, {"mode", "0640"}};
  CHECK(run("blockinfile", block)["changed"] == true);
  CHECK(run("blockinfile", block)["changed"] == false);
  CHECK(counting.runs == 1);
  CHECK(counting.puts + counting.fetches == 0);
  CHECK(test::read_file(p) == "a=1\n# BEGIN ANSIBLE MANAGED BLOCK\nb=2\n# END ANSIBLE MANAGED BLOCK\n");
}
