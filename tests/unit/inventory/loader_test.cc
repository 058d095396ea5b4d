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

}  // namespace

TEST_CASE("a directory source reads its files in sorted order and skips what Ansible skips") {
  TempDir dir;
  dir.write("inv/01-web", "[web]\nw1\n");
  dir.write("inv/02-db.yml", "db:\n  hosts:\n    d1:\n");
  dir.write("inv/skip.ini", "[x]\nignored1\n");
  dir.write("inv/notes.txt", "[x]\nignored2\n");
  dir.write("inv/.hidden", "[x]\nignored3\n");
  dir.write("inv/old~", "[x]\nignored4\n");
  dir.write("inv/sub/hosts", "[sub]\ns1\n");
  dir.write("inv/group_vars/web.yml", "gv: 1\n");
  dir.write("inv/host_vars/w1", "hv: 2\n");
  auto inv = load_inventory({dir.path("inv")}, "");
  // As ansible-inventory -i inv --list.
  CHECK(names(inv.hosts()) == Names{"w1", "d1", "s1"});
  CHECK(inv.find_group("all")->children == Names{"ungrouped", "web", "db", "sub"});
  CHECK(inv.find_group("x") == nullptr);
  CHECK(inv.host_vars("w1")["gv"] == 1);
  CHECK(inv.host_vars("w1")["hv"] == 2);
  CHECK(inv.host_vars("w1")["inventory_dir"] == dir.path("inv"));
}

TEST_CASE("comma-separated host lists and several sources") {
  TempDir dir;
  auto inv = load_inventory({"a1,b2:2222, c3", dir.write("more.ini", "[g]\na1\nz9\n")}, "");
  CHECK(names(inv.hosts()) == Names{"a1", "b2", "c3", "z9"});
  CHECK(inv.groups()["ungrouped"] == Value::parse(R"(["b2", "c3"])"));
  CHECK(inv.host_vars("b2")["ansible_port"] == 2222);
  CHECK(inv.host_vars("a1")["inventory_file"] == nullptr);  // first named by the host list
  auto single = load_inventory({"localhost,"}, "");
  CHECK(names(single.hosts()) == Names{"localhost"});
  CHECK_FALSE(single.find_host("localhost")->implicit);
}

TEST_CASE("a missing inventory source is a warning, as in Ansible, leaving the implicit localhost") {
  auto inv = load_inventory({"/nonexistent/hosts"}, "");
  CHECK(inv.warnings() == Names{"Unable to parse /nonexistent/hosts as an inventory source",
                                "No inventory was parsed, only implicit localhost is available",
                                "provided hosts list is empty, only localhost is available. Note that the implicit "
                                "localhost does not match 'all'"});
  CHECK(inv.match("localhost").size() == 1);
  CHECK(inv.match("all").empty());
  // The default location is skipped silently.
  if (!std::filesystem::exists("/etc/ansible/hosts")) {
    CHECK(load_inventory({"/etc/ansible/hosts"}, "").warnings().size() == 2);
  }
  TempDir dir;
  CHECK(load_inventory({"/nonexistent/hosts", dir.write("h", "w1\n")}, "").warnings() ==
        Names{"Unable to parse /nonexistent/hosts as an inventory source"});
}

TEST_CASE("variable precedence matches ansible-playbook") {
  // The same layout run through ansible-playbook 2.14 printed: web_file inv_gv_all play_gv_all inv_gv_web
  // play_gv_web inline inv_hv play_hv web web aa.
  TempDir dir;
  std::string hosts = dir.write("inv/hosts", R"([all:vars]
k1=all_file
k2=x
[app:children]
web
[app:vars]
k9=app
[web]
web1 k6=inline k7=inline
[web:vars]
k1=web_file
k2=web_file
k9=web
k10=web
[db]
web1
[db:vars]
k10=db
[aa]
web1
[aa:vars]
ansible_group_priority=10
k11=aa
[zz]
web1
[zz:vars]
k11=zz
)");
  dir.write("inv/group_vars/all.yml", "k2: inv_gv_all\nk3: inv_gv_all\n");
  dir.write("play/group_vars/all.yml", "k3: play_gv_all\nk4: play_gv_all\n");
  dir.write("inv/group_vars/web.yml", "k4: inv_gv_web\nk5: inv_gv_web\n");
  dir.write("play/group_vars/web.yml", "k5: play_gv_web\nk6: play_gv_web\n");
  dir.write("inv/host_vars/web1.yml", "k7: inv_hv\nk8: inv_hv\n");
  dir.write("play/host_vars/web1.yml", "k8: play_hv\n");
  auto inv = load_inventory({hosts}, dir.path("play"));
  Value vars = inv.host_vars("web1");
  Value picked = Value::array();
  for (const char* k : {"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"}) picked.push_back(vars[k]);
  CHECK(picked == Value::parse(R"(["web_file", "inv_gv_all", "play_gv_all", "inv_gv_web", "play_gv_web", "inline",
                                   "inv_hv", "play_hv", "web", "web", "aa"])"));
  CHECK(inv.group_names("web1") == Names{"aa", "app", "db", "web", "zz"});
}

TEST_CASE("vars files: first of name, name.yml, name.yaml, name.json; folders merge sorted") {
  TempDir dir;
  std::string hosts = dir.write("hosts", "[web]\nw1\n[db]\nd1\n");
  dir.write("group_vars/web", "from: bare\n");
  dir.write("group_vars/web.yml", "from: yml\n");  // shadowed by the extension-less file
  dir.write("group_vars/db/10-a.yml", "a: 1\nshared: first\n");
  dir.write("group_vars/db/20-b.json", R"({"b": 2, "shared": "second"})");
  dir.write("group_vars/db/nested/c", "c: 3\n");
  dir.write("group_vars/db/ignored.txt", "x: 1\n");
  dir.write("group_vars/db/.hidden.yml", "x: 1\n");
  dir.write("group_vars/db/empty.yml", "");
  dir.write("host_vars/localhost.yaml", "lv: 1\n");
  auto inv = load_inventory({hosts}, "");
  CHECK(inv.host_vars("w1")["from"] == "bare");
  Value db = inv.host_vars("d1");
  CHECK(db["a"] == 1);
  CHECK(db["b"] == 2);
  CHECK(db["c"] == 3);
  CHECK(db["shared"] == "second");
  CHECK_FALSE(db.contains("x"));
  // The implicit localhost reads host_vars/localhost too.
  CHECK(inv.host_vars("localhost")["lv"] == 1);
}

TEST_CASE("a vars file that is not a mapping is an error with its location") {
  TempDir dir;
  std::string hosts = dir.write("hosts", "[web]\nw1\n");
  dir.write("group_vars/web.yml", "- a\n");
  try {
    load_inventory({hosts}, "");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.loc().str() == dir.path("group_vars/web.yml") + ":1:1");
    CHECK(e.message() == "variables file must hold a mapping of variable names, got a list");
  }
}

TEST_CASE("implicit localhost") {
  TempDir dir;
  std::string hosts = dir.write("hosts", "[web]\nw1\n[all:vars]\nav=1\n");
  dir.write("group_vars/all.yml", "gav: 2\n");
  auto inv = load_inventory({hosts}, "");
  CHECK(inv.match("all").size() == 1);
  const Host* local = inv.find_host("localhost");
  REQUIRE(local != nullptr);
  CHECK(local->implicit);
  CHECK(names(inv.match("localhost")) == Names{"localhost"});
  CHECK(inv.host_vars("localhost") == Value::parse(R"({"av": 1, "gav": 2, "ansible_connection": "local"})"));
  CHECK(inv.group_names("localhost").empty());
  CHECK(inv.groups()["all"] == Value::parse(R"(["w1"])"));
  // A defined localhost name is used for every localhost name, as Ansible does.
  auto defined = load_inventory({dir.write("h2", "127.0.0.1 x=1\n")}, "");
  CHECK(names(defined.match("localhost")) == Names{"127.0.0.1"});
  CHECK_FALSE(defined.find_host("localhost")->implicit);
}

TEST_CASE("unknown hosts in host_vars suggest a close name") {
  TempDir dir;
  auto inv = load_inventory({dir.write("hosts", "[web]\nweb1\n")}, "");
  CHECK_THROWS_WITH(inv.host_vars("wbe1"), "unknown host 'wbe1' (did you mean 'web1'?)");
}

TEST_CASE("group_vars beside later sources win over earlier ones") {
  TempDir dir;
  std::string first = dir.write("one/hosts", "[web]\nw1\n");
  std::string second = dir.write("two/hosts.yml", "web:\n  hosts:\n    w2:\n");
  dir.write("one/group_vars/web.yml", "a: one\nb: one\n");
  dir.write("two/group_vars/web.yml", "a: two\n");
  dir.write("two/host_vars/w1.yml", "c: two\n");
  auto inv = load_inventory({first, second}, "");
  Value vars = inv.host_vars("w1");
  CHECK(vars["a"] == "two");
  CHECK(vars["b"] == "one");
  CHECK(vars["c"] == "two");
  CHECK(vars["inventory_file"] == first);
  CHECK(inv.groups()["web"] == Value::parse(R"(["w1", "w2"])"));
}

TEST_CASE("an executable inventory file is run as a script, as Ansible's script plugin does") {
  TempDir dir;
  std::string script = dir.write("inv.sh", R"(#!/bin/sh
if [ "$1" = "--list" ]; then
  cat <<'JSON'
{"web": {"hosts": ["w1", "w2"], "vars": {"http_port": 80}, "children": ["edge"]},
 "edge": ["e1"],
 "_meta": {"hostvars": {"w1": {"ansible_host": "10.0.0.1"}}}}
JSON
fi
)");
  std::filesystem::permissions(script, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  auto inv = load_inventory({script}, "");
  CHECK(inv.groups()["web"] == Value::parse(R"(["w1", "w2", "e1"])"));
  CHECK(inv.host_vars("w1")["ansible_host"] == "10.0.0.1");
  CHECK(inv.host_vars("e1")["http_port"] == 80);

  // Without _meta, each host is asked for with --host.
  std::string per_host = dir.write("per_host.sh", R"(#!/bin/sh
case "$1" in
  --list) echo '{"db": ["d1"]}' ;;
  --host) echo "{\"who\": \"$2\"}" ;;
esac
)");
  std::filesystem::permissions(per_host, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  CHECK(load_inventory({per_host}, "").host_vars("d1")["who"] == "d1");

  // A failing script is an error; an executable file that is not a program is read as INI.
  std::string failing = dir.write("fail.sh", "#!/bin/sh\necho broken >&2\nexit 3\n");
  std::filesystem::permissions(failing, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  CHECK_THROWS_WITH(load_inventory({failing}, ""),
                    failing + ": inventory script had an execution error (exit code 3): broken\n");
  std::string ini = dir.write("hosts", "[web]\nw9\n");
  std::filesystem::permissions(ini, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  CHECK(load_inventory({ini}, "").groups()["web"] == Value::parse(R"(["w9"])"));
}
