#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "helpers.h"
#include "provision/modules/result_keys.h"
#include "provision/template/engine.h"

using prov::Value;
using test::Sandbox;

TEST_CASE("debug shows msg, var and respects verbosity") {
  Sandbox s;
  prov::tmpl::ValueVars vars(Value{{"x", Value{{"y", Value::array({1, 2})}}}, {"name", "web"}});
  CHECK(s.run("debug", Value::object()) == Value{{"msg", "Hello world!"}, {"changed", false}});
  CHECK(s.run("debug", {{"msg", Value::array({1, "a"})}}) == Value{{"msg", Value::array({1, "a"})}, {"changed", false}});
  CHECK(s.run("debug", {{"var", "x.y"}}, false, false, &vars) == Value{{"x.y", Value::array({1, 2})}, {"changed", false}});
  CHECK(s.run("debug", {{"var", "{{ name }}"}}, false, false, &vars) == Value{{"{{ name }}", "web"}, {"changed", false}});
  CHECK(s.run("debug", {{"var", "nope"}}, false, false, &vars) ==
        Value{{"nope", "VARIABLE IS NOT DEFINED!"}, {"changed", false}});
  CHECK(s.run("debug", {{"msg", "hi"}, {"verbosity", 2}}, false, false, nullptr, 1) ==
        Value{{"skipped_reason", "Verbosity threshold not met."}, {"skipped", true}, {"changed", false}});
  CHECK(s.run("debug", {{"msg", "hi"}, {"verbosity", "2"}}, false, false, nullptr, 2)["msg"] == "hi");
}

TEST_CASE("set_fact returns ansible_facts and converts boolean words") {
  Sandbox s;
  Value r = s.run("set_fact", {{"a", "yes"}, {"b", "text"}, {"c", Value::array({1})}, {"cacheable", true}});
  CHECK(r["ansible_facts"] == Value{{"a", true}, {"b", "text"}, {"c", Value::array({1})}});
  CHECK(r["changed"] == false);
  CHECK(r["_ansible_facts_cacheable"] == true);
  CHECK(s.run("set_fact", {{"bad-name", 1}})["msg"] ==
        "The variable name 'bad-name' is not valid. Variables must start with a letter or underscore character, "
        "and contain only letters, numbers and underscores.");
  CHECK(s.run("set_fact", Value::object())["msg"] ==
        "No key/value pairs provided, at least one is required for this action to succeed");
}

TEST_CASE("assert checks every condition") {
  Sandbox s;
  prov::tmpl::ValueVars vars(Value{{"n", 3}});
  Value r = s.run("assert", {{"that", Value::array({"n > 1", "n < 5"})}}, false, false, &vars);
  CHECK(r["msg"] == "All assertions passed");
  CHECK_FALSE(r.contains("failed"));
  r = s.run("assert", {{"that", "n > 1"}, {"success_msg", "fine"}, {"quiet", true}}, false, false, &vars);
  CHECK(r == Value{{"changed", false}, {"msg", "fine"}});
  r = s.run("assert", {{"that", Value::array({"n > 1", "n > 4"})}, {"fail_msg", "too small"}}, false, false, &vars);
  CHECK(r == Value{{"failed", true}, {"evaluated_to", false}, {"assertion", "n > 4"}, {"msg", "too small"},
                   {"changed", false}});
  r = s.run("assert", {{"that", "n == 1"}}, false, false, &vars);
  CHECK(r["msg"] == "Assertion failed");
}

TEST_CASE("fail and pause") {
  Sandbox s;
  CHECK(s.run("fail", Value::object()) ==
        Value{{"failed", true}, {"msg", "Failed as requested from task"}, {"changed", false}});
  CHECK(s.run("fail", {{"msg", "boom"}})["msg"] == "boom");
  Value r = s.run("pause", {{"seconds", 0.5}});  // cut to 0, and a wait lasts at least a second, as Ansible's
  CHECK(r["changed"] == false);
  CHECK(r["delta"] == 1);
  CHECK(r["stdout"].get<std::string>().rfind("Paused for 1.", 0) == 0);
  if (!isatty(STDIN_FILENO)) {  // CI: nobody to press Enter
    Value quick = s.run("pause", {{"prompt", "Go on?"}});
    CHECK(quick[prov::mod::kShownWarnings] ==
          Value::array({"Not waiting for response to prompt as stdin is not interactive"}));
    CHECK(quick["stdout"] == "Paused for 0.0 minutes");
    CHECK(quick["user_input"] == "");
  }
}

TEST_CASE("wait_for a path on the host") {
  Sandbox s;
  const std::string p = s.path("ready");
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    std::ofstream(p) << "status: up\n";
  });
  Value r = s.run("wait_for", {{"path", p}, {"timeout", 10}, {"search_regex", "status: (up|ok)"}});
  later.join();
  CHECK_FALSE(r.contains("failed"));
  CHECK(r["elapsed"].get<int>() >= 1);
  CHECK(r["state"] == "started");
  r = s.run("wait_for", {{"path", s.path("never")}, {"timeout", 1}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == "Timeout when waiting for file " + s.path("never"));
  r = s.run("wait_for", {{"path", p}, {"state", "absent"}, {"timeout", 1}, {"msg", "still there"}});
  CHECK(r["msg"] == "still there");
  CHECK(s.run("wait_for", {{"path", s.path("never")}, {"state", "absent"}})["changed"] == false);
}

TEST_CASE("wait_for a port on the host") {
  Sandbox s;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 16) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  Value r = s.run("wait_for", {{"port", port}, {"timeout", 5}});
  CHECK_FALSE(r.contains("failed"));
  CHECK(r["port"] == port);
  r = s.run("wait_for", {{"port", port}, {"state", "stopped"}, {"timeout", 1}});
  CHECK(r["msg"] == "Timeout when waiting for 127.0.0.1:" + std::to_string(port) + " to stop.");
  ::close(fd);
  CHECK_FALSE(s.run("wait_for", {{"port", port}, {"state", "stopped"}, {"timeout", 5}}).contains("failed"));
  r = s.run("wait_for", {{"port", port}, {"timeout", 1}});
  CHECK(r["msg"] == "Timeout when waiting for 127.0.0.1:" + std::to_string(port));
}

TEST_CASE("controller actions and wait_for in check mode") {
  Sandbox s;
  CHECK(s.run("debug", {{"msg", "hi"}}, true) == Value{{"msg", "hi"}, {"changed", false}});
  CHECK(s.run("fail", Value::object(), true)["failed"] == true);
  CHECK(s.run("set_fact", {{"a", "no"}}, true)["ansible_facts"] == Value{{"a", false}});
  Value r = s.run("wait_for", {{"path", s.path("never")}, {"timeout", 1}}, true);
  CHECK(r.dump() == Value{{"changed", false},
                          {"elapsed", 0},
                          {"match_groupdict", Value::object()},
                          {"match_groups", Value::array()},
                          {"path", s.path("never")},
                          {"port", nullptr},
                          {"search_regex", nullptr},
                          {"state", "started"}}
                        .dump());
  CHECK(s.run("wait_for", {{"port", 1}, {"search_regex", "x"}}, true)["msg"] ==
        "search_regex with port is not supported by provision");
}
