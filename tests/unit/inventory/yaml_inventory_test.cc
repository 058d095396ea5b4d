#include <catch2/catch.hpp>

#include "provision/inventory/inventory.h"
#include "temp_dir.h"

using namespace prov;
using namespace prov::inv;
using prov::inv::testing::TempDir;

namespace {

using Names = std::vector<std::string>;

Names names(const std::vector<const Host*>& hosts) {
  Names out;
  for (const Host* h : hosts) out.push_back(h->name);
  return out;
}

std::string load_error(const std::string& file, const std::string& text) {
  TempDir dir;
  std::string path = dir.write(file, text);
  try {
    load_inventory({path}, "");
  } catch (const Error& e) {
    std::string what = e.what();
    auto at = what.find(dir.path());
    if (at != std::string::npos) what.replace(at, dir.path().size() + 1, "");
    return what + (e.hint().empty() ? "" : " | " + e.hint());
  }
  return "no error";
}

const char* kYaml = R"(all:
  hosts:
    top1:
  vars:
    av: 1
  children:
    web:
      hosts:
        web[1:2]:
          p: 1
        "web3:2222":
      children:
        inner:
          hosts: i1
    db:
      hosts:
        db1: {x: yes}
ungrouped:
  hosts:
    lone:
)";

}  // namespace

TEST_CASE("YAML inventory: nested groups, ranges, ports, as ansible-inventory --list shows") {
  TempDir dir;
  auto inv = load_inventory({dir.write("inv.yml", kYaml)}, "");
  CHECK(inv.groups() == Value::parse(R"({
    "all": ["top1", "lone", "web1", "web2", "web3", "db1", "i1"],
    "ungrouped": ["lone", "top1"],
    "web": ["web1", "web2", "web3", "i1"],
    "inner": ["i1"],
    "db": ["db1"]})"));
  CHECK(inv.find_group("all")->children == Names{"ungrouped", "web", "db"});
  CHECK(names(inv.match("all")) == Names{"top1", "lone", "web1", "web2", "web3", "db1", "i1"});
  CHECK(inv.host_vars("web3")["ansible_port"] == 2222);
  CHECK(inv.host_vars("web2")["p"] == 1);
  CHECK(inv.host_vars("db1")["x"] == true);  // YAML 1.1 booleans
  CHECK(inv.host_vars("i1")["av"] == 1);
  CHECK(inv.group_names("i1") == Names{"inner", "web"});
}

TEST_CASE("JSON inventories and extension-less YAML files are YAML") {
  TempDir dir;
  auto json = load_inventory({dir.write("inv.json", R"({"web": {"hosts": {"w1": {"n": 1}}}})")}, "");
  CHECK(json.host_vars("w1")["n"] == 1);
  auto bare = load_inventory({dir.write("hosts", "web:\n  hosts:\n    w2:\n")}, "");
  CHECK(bare.groups()["web"] == Value::parse(R"(["w2"])"));
  // An extension-less file that is not a YAML mapping is INI.
  auto ini = load_inventory({dir.write("other", "w3 a=1\n")}, "");
  CHECK(ini.host_vars("w3")["a"] == 1);
}

TEST_CASE("YAML inventory errors") {
  CHECK(load_error("inv.yml", "all:\n  host:\n    a:\n") ==
        "inv.yml:2:3: unknown key 'host' in group 'all' (did you mean 'hosts'?) | a group holds only 'hosts', "
        "'vars' and 'children'");
  CHECK(load_error("inv.yml", "web:\n  hosts:\n    - a\n    - b\n") ==
        "inv.yml:3:5: 'hosts' of group 'web' must be a mapping, got a list | write each entry as a key ending in ':'");
  CHECK(load_error("inv.yml", "web:\n  hosts:\n    42:\n") ==
        "inv.yml:3:5: host pattern 42 must be a string | enclose numbers in quotation marks");
  CHECK(load_error("inv.yml", "- a\n") == "inv.yml:1:1: YAML inventory must be a mapping of group names, got a list");
  CHECK(load_error("inv.yml", "") == "inv.yml: YAML inventory is empty");
  CHECK(load_error("inv.yml", "web: [a]\n") ==
        "inv.yml:1:6: group 'web' must be a mapping of hosts, vars and children, got a list");
  CHECK(load_error("inv.yml", "web:\n  hosts:\n    a: [1]\n") ==
        "inv.yml:3:8: variables of host 'a' must be a mapping, got a list");
  CHECK(load_error("inv.yml", "web:\n  hosts:\n    w[3:1:0]:\n") ==
        "inv.yml:3:5: bad host range in 'w[3:1:0]': host range step must be a positive number");
  CHECK(load_error("inv.yml", "plugin: aws_ec2\n") ==
        "inv.yml:1:1: inventory plugin configuration files are not supported | list hosts and groups directly "
        "(all: hosts: ...)");
}
