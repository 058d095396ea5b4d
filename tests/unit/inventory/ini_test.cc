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
    if (at != std::string::npos) what.replace(at, dir.path().size() + 1, "");  // keep messages path-independent
    return what + (e.hint().empty() ? "" : " | " + e.hint());
  }
  return "no error";
}

const char* kExample = R"(# the example from Ansible's ini plugin documentation, abridged
ungrouped1 x=1
[web]
web[01:03].ex.com
db-[a:c] ansible_port=22 s="hello world" b=True n=None l=[1,2] d={'a':1} f=1.5 o=0644 y=yes q='03#x' hx=0x1F
h4:2222 z=1 # comment
; another comment
[web:vars]
http_port=8080
flag=True
qs="quoted"
c = 1 # comment
word = foo # comment
[stride]
s[1:10:3]
[web:children]
stride
[all:vars]
av=1
)";

}  // namespace

TEST_CASE("INI inventory: groups, ranges, ports and ungrouped hosts") {
  TempDir dir;
  auto inv = load_inventory({dir.write("hosts.ini", kExample)}, "");
  CHECK(names(inv.hosts()) == Names{"ungrouped1", "web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b",
                                    "db-c", "h4", "s1", "s4", "s7", "s10"});
  // Compared with ansible-inventory --list of the same file.
  CHECK(inv.groups() == Value::parse(R"({
    "all": ["ungrouped1", "web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4",
            "s1", "s4", "s7", "s10"],
    "ungrouped": ["ungrouped1"],
    "web": ["web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4", "s1", "s4", "s7", "s10"],
    "stride": ["s1", "s4", "s7", "s10"]})"));
  CHECK(inv.find_group("web")->children == Names{"stride"});
  CHECK(inv.find_group("all")->children == Names{"ungrouped", "web"});
  CHECK(inv.group_names("s4") == Names{"stride", "web"});
  CHECK(inv.group_names("ungrouped1").empty());
}

TEST_CASE("INI inventory: inline values are Python literals, as ansible-inventory shows them") {
  TempDir dir;
  std::string path = dir.write("hosts.ini", kExample);
  auto inv = load_inventory({path}, "");
  Value vars = inv.host_vars("db-b");
  CHECK(vars["inventory_file"] == path);
  CHECK(vars["inventory_dir"] == dir.path());
  vars.erase("inventory_file");
  vars.erase("inventory_dir");
  CHECK(vars == Value::parse(R"({"av": 1, "http_port": 8080, "flag": true, "qs": "quoted", "c": 1,
      "word": "foo # comment", "ansible_port": 22, "s": "hello world", "b": true, "n": null, "l": [1, 2],
      "d": "{a:1}", "f": 1.5, "o": "0644", "y": "yes", "q": "03#x", "hx": 31})"));
  CHECK(inv.host_vars("h4")["ansible_port"] == 2222);
  CHECK(inv.host_vars("h4")["z"] == 1);
  CHECK(inv.host_vars("ungrouped1")["x"] == 1);
  CHECK_FALSE(inv.host_vars("ungrouped1").contains("http_port"));
}

TEST_CASE("INI inventory: children may be named before their section") {
  TempDir dir;
  auto inv = load_inventory({dir.write("hosts", R"(
[prod:children]
web
db
[web]
w1
[db]
d1
[db:children]
replicas
[replicas]
r1
)")},
                            "");
  CHECK(inv.groups()["prod"] == Value::parse(R"(["w1", "d1", "r1"])"));
  CHECK(inv.find_group("replicas")->depth == 3);
  CHECK(inv.group_names("r1") == Names{"db", "prod", "replicas"});
  CHECK(inv.find_group("all")->children == Names{"ungrouped", "prod"});
}

TEST_CASE("INI inventory: a host listed before sections and in a group leaves ungrouped") {
  TempDir dir;
  auto inv = load_inventory({dir.write("hosts", "a\nb\n[g]\na\n")}, "");
  CHECK(inv.groups()["ungrouped"] == Value::parse(R"(["b"])"));
  CHECK(inv.groups()["g"] == Value::parse(R"(["a"])"));
}

TEST_CASE("INI inventory errors carry file:line:col") {
  CHECK(load_error("hosts", "[web server]\n") ==
        "hosts:1:1: invalid section header '[web server]' | a section header is [group], [group:vars] or "
        "[group:children], with no spaces");
  // Not a host named "[web": the header is not closed.
  CHECK(load_error("hosts", "w0\n  [web\nw1\n") ==
        "hosts:2:7: expected ']' to close the section header '[web' | a section header is [group], [group:vars] or "
        "[group:children], with no spaces");
  CHECK(load_error("hosts", "[web:vars  # comment\n") ==
        "hosts:1:10: expected ']' to close the section header '[web:vars' | a section header is [group], "
        "[group:vars] or [group:children], with no spaces");
  CHECK(load_error("hosts", "[web]\nw1\n[web:var]\nx=1\n") ==
        "hosts:3:6: section [web:var] has unknown type 'var' (did you mean 'vars'?)");
  CHECK(load_error("hosts", "[web:chidren]\n") ==
        "hosts:1:6: section [web:chidren] has unknown type 'chidren' (did you mean 'children'?)");
  CHECK(load_error("hosts", "[web]\n  web[1:]  x=1\n") ==
        "hosts:2:3: bad host range in 'web[1:]': host range must specify end value");
  CHECK(load_error("hosts", "[web]\nw1 x=1 oops\n") ==
        "hosts:2:8: expected key=value host variable assignment, got: oops");
  CHECK(load_error("hosts", "[web]\nw1\n[web:vars]\njust_a_word\n") ==
        "hosts:4:1: expected key=value, got: just_a_word | [web:vars] holds one variable assignment per line");
  CHECK(load_error("hosts", "[web:children]\na b\n") ==
        "hosts:2:1: expected a group name, got: a b | [web:children] lists one group name per line");
  CHECK(load_error("hosts", "[web:vars]\nx=1\n") ==
        "hosts:1:1: section [web:vars] is for a group that is not defined: web");
  CHECK(load_error("hosts", "[web]\nw1\n[all2:children]\nweb\nnosuch\n") ==
        "hosts:5:1: section [all2:children] includes an undefined group: nosuch");
  CHECK(load_error("hosts", "[web]\nw1 a='open\n") ==
        "hosts:2:1: error parsing host definition 'w1 a='open': No closing quotation");
  CHECK(load_error("hosts", "[web]\nw1:\n") ==
        "hosts:2:1: invalid host pattern 'w1:': a trailing ':' is reserved for a port");
  CHECK(load_error("hosts.ini", "---\nall:\n") ==
        "hosts.ini:1:1: invalid host pattern '---': '---' is normally a sign this is a YAML file | YAML inventories "
        "need a .yml, .yaml or .json extension");
  CHECK(load_error("hosts", "[a:children]\nb\n[b:children]\na\n") ==
        "hosts:4:1: adding group 'a' as a child of 'b' creates a dependency loop");
}

TEST_CASE("INI inventory: address forms and hosts listed under [all]") {
  TempDir dir;
  auto inv =
      load_inventory({dir.write("hosts", "[g]\n10.0.0.[1:3]\n[::1]:2222\nhost-[01:02]:2200 a=b\n[all]\ndirect\n")}, "");
  // As ansible-inventory --list of the same file.
  CHECK(inv.groups() == Value::parse(R"({
    "all": ["direct", "10.0.0.1", "10.0.0.2", "10.0.0.3", "::1", "host-01", "host-02"],
    "ungrouped": ["direct"],
    "g": ["10.0.0.1", "10.0.0.2", "10.0.0.3", "::1", "host-01", "host-02"]})"));
  CHECK(inv.host_vars("::1")["ansible_port"] == 2222);
  CHECK(inv.host_vars("host-02")["ansible_port"] == 2200);
  CHECK(inv.host_vars("host-02")["a"] == "b");
  // ::1 is defined here, so it also answers for localhost.
  CHECK(inv.find_host("localhost")->name == "::1");
}

TEST_CASE("INI inventory: a later port for a known host is ignored; the first localhost-like host wins") {
  TempDir dir;
  auto inv = load_inventory({dir.write("hosts", "[a]\nh:22\n[b]\nh:33 x=1\n127.0.0.1\nlocalhost\n")}, "");
  // As ansible-inventory --host h and ansible '::1' --list-hosts.
  CHECK(inv.host_vars("h")["ansible_port"] == 22);
  CHECK(inv.host_vars("h")["x"] == 1);
  CHECK(inv.match("::1").front()->name == "127.0.0.1");
  CHECK(inv.match("localhost").front()->name == "localhost");  // a defined name is matched as itself
}

TEST_CASE("INI inventory: absurdly long values and lines are clear errors or strings, never a crash") {
  TempDir dir;
  std::string deep(100000, '[');
  Inventory inv =
      load_inventory({dir.write("hosts", "h1 x=" + deep + "\n[web:vars]\ny=" + deep + "\n[web]\nh1\n")}, "");
  CHECK(inv.host_vars("h1")["x"] == deep);
  CHECK(inv.host_vars("h1")["y"] == deep);
  CHECK_FALSE(load_error("hosts2", deep + "\n").empty());
  CHECK_FALSE(load_error("hosts3", "[g:children]\n" + std::string(100000, 'a') + "\n").empty());
}

// Found by fuzz_inventory: an empty quoted host name read past the start of the string.
TEST_CASE("INI inventory: an empty host name is a located error") {
  CHECK(load_error("hosts", "[web]\n'' x=1\n") == "hosts:2:1: invalid host pattern '': a host name cannot be empty");
}
