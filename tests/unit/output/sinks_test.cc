// The formats' text for a few events, compared whole: what Ansible's callbacks print for the same events.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "provision/output/events.h"

using namespace prov;
using namespace prov::out;

namespace {

/// Captures std::cout while alive.
class Captured {
 public:
  Captured() : old_(std::cout.rdbuf(text_.rdbuf())) {}
  ~Captured() { std::cout.rdbuf(old_); }
  std::string text() const { return text_.str(); }

 private:
  std::stringstream text_;
  std::streambuf* old_;
};

HostResult result(Status status, Value value = Value::object(), bool show = false) {
  HostResult r;
  r.host = "web1";
  r.status = status;
  r.result = std::move(value);
  r.show_result = show;
  return r;
}

}  // namespace

TEST_CASE("human: hidden ok and skipped results hold their banner back until a result shows") {
  SinkOptions o;
  o.display_ok_hosts = false;
  o.display_skipped_hosts = false;
  auto sink = make_sink("human", o);
  Captured out;
  sink->task_start("quiet", false, "");
  sink->host_result(result(Status::Ok));
  sink->host_result(result(Status::Skipped));
  sink->task_start("loud", false, "");
  sink->host_result(result(Status::Ok));
  sink->host_result(result(Status::Changed));
  CHECK(out.text() ==
        "\nTASK [loud] ********************************************************************\nchanged: [web1]\n");
}

TEST_CASE("human: colour per line, and the recap's counts painted when not zero") {
  SinkOptions o;
  o.color = true;
  auto sink = make_sink("human", o);
  Captured out;
  sink->host_result(result(Status::Ok, {{"msg", "hi"}}, true));
  HostStats s;
  s.ok = 2;
  s.ignored = 1;
  sink->recap({{"web1", s}});
  CHECK(out.text() ==
        "\033[0;32mok: [web1] => {\033[0m\n\033[0;32m    \"msg\": \"hi\"\033[0m\n\033[0;32m}\033[0m\n"
        "\nPLAY RECAP *********************************************************************\n"
        "\033[0;32mweb1\033[0m                       : \033[0;32mok=2   \033[0m changed=0    unreachable=0    "
        "failed=0    skipped=0    rescued=0    \033[1;35mignored=1   \033[0m\n\n");
}

TEST_CASE("minimal: one entry per task and host, a loop shown once as a whole") {
  auto sink = make_sink("minimal", {});
  Captured out;
  sink->task_start("t", false, "");
  sink->host_result(result(Status::Changed, {{"changed", true}, {"ansible_facts", {{"x", 1}}}}));
  HostResult item = result(Status::Ok, {{"msg", "1"}}, true);
  item.is_item = true;
  sink->host_result(item);
  HostResult whole = result(Status::Skipped, {{"changed", false}, {"skipped", true}});
  whole.loop_end = true;
  sink->host_result(whole);
  sink->host_result(result(Status::Skipped, {{"skipped", true}}));  // the loop's outcome, already shown
  sink->recap({});
  CHECK(out.text() ==
        "web1 | CHANGED => {\n    \"ansible_facts\": {\n        \"x\": 1\n    },\n    \"changed\": true\n}\n"
        "web1 | SKIPPED\n");
}

TEST_CASE("yaml: flags on the status line, the rest as YAML indented by two") {
  auto sink = make_sink("yaml", {});
  Captured out;
  sink->host_result(result(Status::Failed, {{"changed", false}, {"msg", "it broke\nbadly  \n"}, {"rc", 1}}));
  sink->host_result(result(Status::Ok, {{"servers", {{"web", {"a", "b"}}, {"db", {{"port", 5432}}}}}}, true));
  CHECK(out.text() ==
        "fatal: [web1]: FAILED! => changed=false \n  msg: |-\n    it broke\n    badly\n  rc: 1\n"
        "ok: [web1] => \n  servers:\n    db:\n      port: 5432\n    web:\n    - a\n    - b\n");
}

TEST_CASE("retry: the failed and unreachable hosts, sorted, in PLAYBOOK.retry, announced before the recap") {
  auto dir = std::filesystem::temp_directory_path() / "prov-retry-test";
  std::filesystem::remove_all(dir);
  SinkOptions o;
  o.retry_files = true;
  o.retry_files_save_path = (dir / "saved").string();
  auto sink = make_sinks("human", {}, o);
  Captured out;
  sink->playbook_start((dir / "site.yml").string(), "site.yml", 1);
  HostStats failed, fine, down;
  failed.failed = 1;
  down.unreachable = 1;
  sink->recap({{"web2", failed}, {"db", fine}, {"web1", down}});
  std::string file = (dir / "saved" / "site.retry").string();
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  CHECK(content.str() == "web1\nweb2\n");
  CHECK(out.text().rfind("\tto retry, use: --limit @" + file + "\n\nPLAY RECAP ", 0) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the extra reports are known by name; an unknown one makes no sink") {
  CHECK(report_names() == std::vector<std::string>{"profile_tasks", "timer"});
  CHECK(make_sinks("human", {"profile_tasks", "timer"}, {}) != nullptr);
  CHECK(make_sinks("human", {"junit"}, {}) == nullptr);
  CHECK(make_sinks("nope", {}, {}) == nullptr);
}
