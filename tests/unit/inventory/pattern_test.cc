#include <catch2/catch.hpp>

#include "provision/inventory/inventory.h"
#include "temp_dir.h"

using namespace prov;
using namespace prov::inv;
using prov::inv::testing::TempDir;

namespace {

using Names = std::vector<std::string>;

// Expected results below come from `ansible -i <this file> PATTERN --list-hosts` (ansible 2.14).
const char* kHosts = R"(ungh1 x=1
[web]
web[01:03].ex.com
db-[a:c]
h4:2222
[stride]
s[1:10:3]
[web:children]
stride
)";

struct Fixture {
  TempDir dir;
  Inventory inv = load_inventory({dir.write("hosts", kHosts)}, "");

  Names hosts(const std::string& pattern, Names* unmatched = nullptr) const {
    Names out;
    for (const Host* h : inv.match(pattern, unmatched)) out.push_back(h->name);
    return out;
  }
};

const Names kWeb{"web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4", "s1", "s4", "s7", "s10"};

}  // namespace

TEST_CASE("split_host_pattern") {
  CHECK(split_host_pattern("a:b:&c:!d") == Names{"a", "b", "&c", "!d"});
  CHECK(split_host_pattern("a, b,,c") == Names{"a", "b", "c"});
  CHECK(split_host_pattern("a,b:c") == Names{"a", "b:c"});  // commas win; colons are then not separators
  CHECK(split_host_pattern("web[0:2]") == Names{"web[0:2]"});
  CHECK(split_host_pattern("all:!web[0:2]") == Names{"all", "!web[0:2]"});
  CHECK(split_host_pattern("fe80::1") == Names{"fe80::1"});
  CHECK(split_host_pattern("host:22") == Names{"host:22"});
  CHECK(split_host_pattern("~web\\d+:db") == Names{"~web\\d+", "db"});
}

TEST_CASE_METHOD(Fixture, "patterns: names, groups, all and wildcards") {
  CHECK(hosts("all") == Names{"ungh1", "web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4",
                              "s1", "s4", "s7", "s10"});
  CHECK(hosts("*") == hosts("all"));
  CHECK(hosts("web") == kWeb);
  CHECK(hosts("ungrouped") == Names{"ungh1"});
  CHECK(hosts("db-b") == Names{"db-b"});
  CHECK(hosts("web*") == kWeb);
  CHECK(hosts("*.ex.com") == Names{"web01.ex.com", "web02.ex.com", "web03.ex.com"});
  CHECK(hosts("db-?") == Names{"db-a", "db-b", "db-c"});
  CHECK(hosts("db-[ab]") == Names{"db-a", "db-b"});
  CHECK(hosts("~db-[ab]") == Names{"db-a", "db-b"});
  CHECK(hosts("~(web|db)") == kWeb);  // the group web matches first, then hosts
  CHECK(hosts("~web0[12]") == Names{"web01.ex.com", "web02.ex.com"});
}

TEST_CASE_METHOD(Fixture, "patterns: union, intersection and exclusion in Ansible's order") {
  CHECK(hosts("stride:web[0:1]:ungh1") == Names{"s1", "s4", "s7", "s10", "web01.ex.com", "web02.ex.com", "ungh1"});
  CHECK(hosts("web,stride") == kWeb);
  CHECK(hosts("ungh1:web01.ex.com") == Names{"ungh1", "web01.ex.com"});
  CHECK(hosts("stride:&web") == Names{"s1", "s4", "s7", "s10"});
  CHECK(hosts("web:!db-*") == Names{"web01.ex.com", "web02.ex.com", "web03.ex.com", "h4", "s1", "s4", "s7", "s10"});
  CHECK(hosts("web:&stride:!s4") == Names{"s1", "s7", "s10"});
  // Exclusions are applied last wherever they are written; with no plain part, "all" is implied.
  CHECK(hosts("!s4:stride") == Names{"s1", "s7", "s10"});
  CHECK(hosts("&stride") == Names{"s1", "s4", "s7", "s10"});
  CHECK(hosts("!stride") ==
        Names{"ungh1", "web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4"});
  CHECK(hosts("!web:&all") == Names{"ungh1"});
}

TEST_CASE_METHOD(Fixture, "patterns: subscripts") {
  CHECK(hosts("web[0]") == Names{"web01.ex.com"});
  CHECK(hosts("web[-1]") == Names{"s10"});
  CHECK(hosts("web[0:0]") == Names{"web01.ex.com"});
  CHECK(hosts("web[1:2]") == Names{"web02.ex.com", "web03.ex.com"});
  CHECK(hosts("web[1:]") == Names(kWeb.begin() + 1, kWeb.end()));
  CHECK(hosts("st*[1:2]") == Names{"s4", "s7"});
  CHECK(hosts("s1[0]") == Names{"s1"});
  CHECK_THROWS_WITH(inv.match("web[20]"), "no hosts matched the subscripted pattern 'web[20]'");
}

TEST_CASE_METHOD(Fixture, "patterns: unknown names match nothing and are reported") {
  Names unmatched;
  CHECK(hosts("nosuch:ungh1", &unmatched) == Names{"ungh1"});
  CHECK(unmatched == Names{"nosuch"});
  unmatched.clear();
  CHECK(hosts("WEB", &unmatched).empty());  // case matters
  CHECK(unmatched == Names{"WEB"});
  unmatched.clear();
  CHECK(hosts("localhost,nosuch", &unmatched) == Names{"localhost"});
  CHECK(unmatched == Names{"nosuch"});
  CHECK_THROWS_WITH(inv.match("~web("), Catch::Matchers::StartsWith("invalid host list pattern '~web(': "));
}

TEST_CASE_METHOD(Fixture, "play hosts restricted by --limit") {
  auto select = [&](Names play, const std::string& limit) {
    Names out;
    for (const Host* h : inv.select(play, limit)) out.push_back(h->name);
    return out;
  };
  CHECK(select({"web"}, "") == kWeb);
  CHECK(select({"web"}, "!stride") ==
        Names{"web01.ex.com", "web02.ex.com", "web03.ex.com", "db-a", "db-b", "db-c", "h4"});
  CHECK(select({"web"}, "s4:ungh1:db-a") == Names{"db-a", "s4"});  // the play's order is kept
  CHECK(select({"stride", "ungh1"}, "all") == Names{"s1", "s4", "s7", "s10", "ungh1"});
  CHECK(select({"web"}, "db-*:s1,ungh1").empty());  // with a comma, "db-*:s1" is one (unknown) name
  std::string file = dir.write("limit.txt", "s7\n\ndb-c\n");
  CHECK(select({"all"}, "@" + file) == Names{"db-c", "s7"});
  CHECK_THROWS_WITH(select({"all"}, "@/nonexistent/limit"), "unable to find limit file /nonexistent/limit");
}

TEST_CASE_METHOD(Fixture, "a --limit's unknown names are told once, by limited(), not by each play's select") {
  Names unmatched;
  CHECK(inv.select({"stride", "nosuch"}, "s1,nolimit", &unmatched).size() == 1);
  CHECK(unmatched == Names{"nosuch"});
  unmatched.clear();
  auto limited = [&](const std::string& limit) {
    Names out;
    for (const Host* h : inv.limited(limit, &unmatched)) out.push_back(h->name);
    return out;
  };
  CHECK(limited("s1,nolimit") == Names{"s1"});
  CHECK(unmatched == Names{"nolimit"});
  CHECK(limited("nolimit").empty());
  // As the pattern all: the implicit localhost, which the limit may name, is not one of the inventory's hosts.
  CHECK(limited("localhost").empty());
  CHECK(limited("").size() == kWeb.size() + 1);
}

TEST_CASE_METHOD(Fixture, "very long patterns are answered, not a stack overflow") {
  std::string name(60000, 'x');
  Names unmatched;
  CHECK(hosts(name, &unmatched).empty());
  CHECK(unmatched == Names{name});
  CHECK_THROWS_WITH(hosts(name + "[1]"), Catch::Contains("no hosts matched the subscripted pattern"));
  CHECK(split_host_pattern("a:" + name + ":b") == Names{"a", name, "b"});
  CHECK_THROWS_WITH(hosts("~" + name), Catch::Contains("longer than 1000 characters"));
  CHECK(hosts("web[99999999999999999999]").empty());  // a subscript too long for a number is part of the name
}
