// The pure parts shared by file, copy and template: what differs in mode/owner/group (and the commands to fix
// it), the find that predicts a recursive change, and the content writer's reads and verdicts, on probe output
// captured from a host.
#include <catch2/catch.hpp>

#include "../../../src/modules/content_writer.h"
#include "../../../src/modules/file_attrs.h"
#include "../../../src/modules/text_file.h"
#include "helpers.h"

using prov::Value;
namespace mod = prov::mod;

namespace {

std::string fixture(const std::string& name) {
  return test::read_file(std::string(PROVISION_SOURCE_DIR) + "/tests/unit/modules/fixtures/files/" + name);
}

prov::conn::CommandResult output(const std::string& out, int rc = 0) {
  prov::conn::CommandResult r;
  r.out = out;
  r.rc = rc;
  return r;
}

mod::FileAttributes attributes(Value mode, std::string owner = {}, std::string group = {}) {
  mod::FileAttributes a;
  a.mode = std::move(mode);
  a.owner = std::move(owner);
  a.group = std::move(group);
  return a;
}

}  // namespace

TEST_CASE("attribute_commands: only what differs, with its diff") {
  mod::PathInfo info = mod::parse_path_probe(fixture("probe_hello.txt"), "/etc/app.conf");
  Value diff = {{"before", Value::object()}, {"after", Value::object()}};
  CHECK(mod::attribute_commands("/etc/app.conf", info, attributes("0640", "root", "root"), false, false, diff).empty());
  CHECK(diff == Value{{"before", Value::object()}, {"after", Value::object()}});

  std::string commands =
      mod::attribute_commands("/etc/app.conf", info, attributes("0600", "deploy", "0"), false, true, diff);
  CHECK(commands == "chown -h -- deploy /etc/app.conf && chmod 600 -- /etc/app.conf && ");
  CHECK(diff ==
        Value{{"before", {{"owner", "root"}, {"mode", "0640"}}}, {"after", {{"owner", "deploy"}, {"mode", "0600"}}}});

  // Missing (check mode before creating): every attribute given differs, and there is no before.
  Value missing = Value::object();
  CHECK(mod::attribute_commands("/new", mod::PathInfo{}, attributes(Value(), "root"), true, false, missing) ==
        "chown -- root /new && ");
  CHECK(missing == Value{{"after", {{"owner", "root"}}}});
}

TEST_CASE("recursive attributes: the find that predicts, and what it cannot") {
  CHECK(mod::recursive_difference_query("/srv/a b", attributes("0750", "www-data")) ==
        "find '/srv/a b' -mindepth 1 \\( ! -user www-data -o ! -perm 0750 \\) -print -quit");
  CHECK(mod::recursive_difference_query("/srv", attributes(488)) ==
        "find /srv -mindepth 1 \\( ! -perm 750 \\) -print -quit");
  CHECK_FALSE(mod::recursive_difference_query("/srv", attributes("u+rwX")));
  CHECK(mod::recursive_difference_unknown(attributes("u+rwX", "root")));
  CHECK_FALSE(mod::recursive_difference_unknown(attributes("0644", "root")));
  CHECK(mod::parse_recursive_difference(output("/srv/x\n")));
  CHECK_FALSE(mod::parse_recursive_difference(output("")));
  CHECK_FALSE(mod::parse_recursive_difference(output("", 1)));
}

TEST_CASE("content writer: reads dest, then what a write needs; converged content needs one read") {
  prov::mod::util::FileContent file;
  file.content = "hello\n";
  file.dest = "/etc/app.conf";
  file.shown_src = "dynamically generated";
  file.diff_source = "dynamically generated";
  mod::WriteOptions options;
  options.attrs = attributes("0640");

  mod::ContentWriter same(file, options);
  CHECK(same.query()->command == mod::path_probe("/etc/app.conf", true, "sha1").command);
  same.parse(output(fixture("probe_hello.txt")));
  CHECK_FALSE(same.query());
  mod::Changes c = same.diff(nullptr);
  CHECK_FALSE(c.changed);
  CHECK(c.result["checksum"] == "f572d396fae9206628714fb2ce00f72e94f2258f");
  CHECK(c.result["mode"] == "0640");

  file.content = "bye\n";
  mod::ContentWriter other(file, options);
  other.parse(output(fixture("probe_hello.txt")));
  CHECK(other.query()->command == "cat -- /etc/app.conf");  // the text replaced, for --diff
  other.parse(output("hello\n"));
  CHECK_FALSE(other.query());
  c = other.diff(nullptr);
  CHECK(c.changed);
  CHECK(c.diff == Value{{"before", "hello\n"},
                        {"after", "bye\n"},
                        {"before_header", "/etc/app.conf"},
                        {"after_header", "dynamically generated"}});
}

TEST_CASE("content writer: a missing dest in a missing folder fails, unless an earlier task makes it") {
  prov::mod::util::FileContent file;
  file.content = "x";
  file.dest = "/srv/new/app.env";
  mod::ContentWriter writer(file, {});
  writer.parse(output(fixture("probe_absent.txt")));
  CHECK(writer.query()->command == "[ -d /srv/new ]");
  writer.parse(output("", 1));
  CHECK_FALSE(writer.query());
  CHECK(writer.diff(nullptr).result ==
        Value{{"failed", true}, {"msg", "Destination directory /srv/new does not exist"}, {"changed", false}});
  mod::Plan plan;
  plan.add_path("/srv/new");
  mod::Changes c = writer.diff(&plan);
  CHECK(c.changed);
  CHECK(c.predicted.paths.count("/srv/new/app.env") == 1);
  CHECK(c.result["size"] == 1);
}

TEST_CASE("content writer: a folder as dest takes the source's name") {
  prov::mod::util::FileContent file;
  file.content = "x";
  file.dest = "/srv";
  file.src_name = "files/app.conf";
  mod::ContentWriter writer(file, {});
  writer.parse(output(fixture("probe_dir.txt")));
  CHECK(writer.query()->command == mod::path_probe_command("/srv/app.conf", true, "sha1"));
  file.src_name.clear();
  mod::ContentWriter inline_content(file, {});
  inline_content.parse(output(fixture("probe_dir.txt")));
  CHECK_FALSE(inline_content.query());
  CHECK(inline_content.diff(nullptr).result["msg"] == "can not use content with a dir as dest");
}

TEST_CASE("a text file read in one command: same command for the same path, parsed into its parts") {
  const std::string command = prov::mod::text::read_text_command("/etc/app.conf", "command -v logrotate");
  CHECK(command == prov::mod::text::read_text_command("/etc/app.conf", "command -v logrotate"));
  // The section mark the command prints, found from the command itself.
  const size_t at = command.find("--provision-");
  const std::string mark = command.substr(at, command.find("--", at + 12) + 2 - at);
  prov::mod::text::RemoteText t = prov::mod::text::parse_read_text(
      output(fixture("probe_hello.txt") + mark + "\nd\n0\n/usr/sbin/logrotate\n" + mark + "\nhello\n"),
      "/etc/app.conf");
  CHECK(t.exists);
  CHECK(t.parent_exists);
  CHECK(t.root);
  CHECK(t.extra == "/usr/sbin/logrotate\n");
  CHECK(t.content == "hello\n");
  CHECK(t.write_path == "/etc/app.conf");

  prov::mod::text::WriteOutcome same = prov::mod::text::predict_text_write(t, false, attributes("0640", "root"));
  CHECK_FALSE(same.attrs_changed);
  prov::mod::text::WriteOutcome other = prov::mod::text::predict_text_write(t, true, attributes("0600"));
  CHECK(other.content_changed);
  CHECK(other.attrs_changed);
  CHECK(other.attr_diff == Value{{"before", {{"mode", "0640"}}}, {"after", {{"mode", "0600"}}}});
}

TEST_CASE("file as a step: reads, then decides without the host") {
  const mod::Module* file = mod::find_module("file");
  REQUIRE(file != nullptr);
  mod::Context ctx;
  ctx.args = mod::validate_args(file->spec(), {{"path", "/srv"}, {"state", "directory"}, {"mode", "0750"}});
  std::unique_ptr<mod::Step> step = file->start(ctx);
  CHECK(step->query()->command == mod::path_probe("/srv", true, "").command);
  step->parse(output(fixture("probe_dir.txt")));
  CHECK_FALSE(step->query());
  mod::Changes c = step->diff(nullptr);
  CHECK(c.changed);
  CHECK(c.result["changed"] == true);
  CHECK(c.result["mode"] == "0755");  // what is there: the result of a check-mode run
  CHECK(c.diff ==
        Value{{"before", {{"path", "/srv"}, {"mode", "0755"}}}, {"after", {{"path", "/srv"}, {"mode", "0750"}}}});

  // recurse with a symbolic mode: find cannot tell, so a real run acts and reports; check mode predicts from owner.
  ctx.args = mod::validate_args(
      file->spec(),
      {{"path", "/srv"}, {"state", "directory"}, {"mode", "u+rwX"}, {"owner", "deploy"}, {"recurse", true}});
  step = file->start(ctx);
  step->parse(output(fixture("probe_dir.txt")));
  CHECK(step->query()->command == "find /srv -mindepth 1 \\( ! -user deploy \\) -print -quit");
  step->parse(output(""));
  CHECK_FALSE(step->query());
  c = step->diff(nullptr);
  CHECK(c.changed);
  CHECK(c.result["changed"] == false);
  CHECK(c.diff.is_null());
}
