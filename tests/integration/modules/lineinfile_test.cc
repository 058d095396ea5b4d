// lineinfile and blockinfile on a real Debian host over SSH.
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;
using prov::test::ModuleRun;
namespace hosts = prov::test::hosts;

TEST_CASE("lineinfile: apply, again, check mode, diff, attributes", "[lineinfile]") {
  ModuleHost host = ModuleHost::fresh(hosts::kFiles);
  host.sh("mkdir -p /srv/li && printf 'Port 22\\n#PermitRootLogin yes\\nUsePAM yes' > /srv/li/sshd_config");
  Value args = {{"path", "/srv/li/sshd_config"}, {"regexp", "^#?PermitRootLogin"}, {"line", "PermitRootLogin no"}};

  std::string before = host.upper_listing();
  Value predicted = host.check("lineinfile", args);
  CHECK(predicted["changed"] == true);
  CHECK(predicted["msg"] == "line replaced");
  CHECK(host.upper_listing() == before);

  ModuleRun diff;
  diff.diff = true;
  Value applied = host.run("lineinfile", args, diff);
  CHECK(applied["changed"] == true);
  CHECK(applied["msg"] == "line replaced");
  CHECK(applied["backup"] == "");
  CHECK(applied["diff"][0]["before"] == "Port 22\n#PermitRootLogin yes\nUsePAM yes");
  CHECK(applied["diff"][0]["after"] == "Port 22\nPermitRootLogin no\nUsePAM yes");
  CHECK(applied["diff"][0]["before_header"] == "/srv/li/sshd_config (content)");
  CHECK(applied["diff"][1]["before_header"] == "/srv/li/sshd_config (file attributes)");
  CHECK(host.sh("cat /srv/li/sshd_config") == "Port 22\nPermitRootLogin no\nUsePAM yes");

  std::string settled = host.upper_listing();
  Value again = host.run("lineinfile", args);
  CHECK(again["changed"] == false);
  CHECK(again["msg"] == "");
  CHECK(host.upper_listing() == settled);

  // A line at the end: the last line gets its newline first, as in Ansible.
  Value added = host.run("lineinfile", {{"path", "/srv/li/sshd_config"}, {"line", "X11Forwarding no"}});
  CHECK(added["msg"] == "line added");
  CHECK(host.sh("cat /srv/li/sshd_config; echo END") ==
        "Port 22\nPermitRootLogin no\nUsePAM yes\nX11Forwarding no\nEND");

  Value attrs = args;
  attrs["owner"] = "nobody";
  attrs["group"] = "nogroup";
  attrs["mode"] = "u=rw,g=r,o=";
  Value changed = host.run("lineinfile", attrs);
  CHECK(changed["changed"] == true);
  CHECK(changed["msg"] == "ownership, perms or SE linux context changed");
  CHECK(host.sh("stat -c '%U %G %a' /srv/li/sshd_config") == "nobody nogroup 640");
  CHECK(host.run("lineinfile", attrs)["changed"] == false);

  Value removed = host.run(
      "lineinfile", {{"path", "/srv/li/sshd_config"}, {"regexp", "^Port "}, {"state", "absent"}, {"backup", true}});
  CHECK(removed["changed"] == true);
  CHECK(removed["found"] == 1);
  CHECK(removed["msg"] == "1 line(s) removed");
  std::string backup = removed["backup"].get<std::string>();
  REQUIRE(backup.rfind("/srv/li/sshd_config.", 0) == 0);
  CHECK(host.sh("head -1 " + backup) == "Port 22");
  CHECK(host.sh("head -1 /srv/li/sshd_config") == "PermitRootLogin no");
  CHECK(host.sh("stat -c '%U %G %a' /srv/li/sshd_config") == "nobody nogroup 640");  // kept by the rewrite
}

TEST_CASE("lineinfile: create in a new folder, missing file, validate", "[lineinfile]") {
  ModuleHost host(hosts::kFiles);
  host.sh("rm -rf /srv/li2");
  Value missing = host.run("lineinfile", {{"path", "/srv/li2/app.conf"}, {"line", "a=1"}});
  CHECK(missing["failed"] == true);
  CHECK(missing["rc"] == 257);
  CHECK(missing["msg"] == "Destination /srv/li2/app.conf does not exist !");

  std::string before = host.upper_listing();
  Value args = {{"path", "/srv/li2/deep/app.conf"}, {"line", "a=1"}, {"create", true}, {"mode", "0600"}};
  Value predicted = host.check("lineinfile", args);
  CHECK(predicted["changed"] == true);
  CHECK(host.upper_listing() == before);

  Value created = host.run("lineinfile", args);
  CHECK(created["changed"] == true);
  CHECK(created["msg"] == "line added and ownership, perms or SE linux context changed");
  CHECK(host.sh("cat /srv/li2/deep/app.conf") == "a=1");
  CHECK(host.sh("stat -c %a /srv/li2/deep/app.conf") == "600");
  CHECK(host.run("lineinfile", args)["changed"] == false);

  Value refused = host.run(
      "lineinfile",
      {{"path", "/srv/li2/deep/app.conf"}, {"line", "b=2"}, {"validate", "sh -c 'echo bad config >&2; exit 3' %s"}});
  CHECK(refused["failed"] == true);
  CHECK(refused["msg"] == "failed to validate: rc:3 error:bad config\n");
  CHECK(host.sh("cat /srv/li2/deep/app.conf") == "a=1");
  CHECK(host.sh("ls -A /srv/li2/deep") == "app.conf");  // no temporary file left behind

  Value dir = host.run("lineinfile", {{"path", "/srv/li2"}, {"line", "x"}});
  CHECK(dir["msg"] == "Path /srv/li2 is a directory !");
}

TEST_CASE("lineinfile: hostile values stay data", "[lineinfile]") {
  ModuleHost host(hosts::kFiles);
  host.sh("rm -rf /srv/hostile /tmp/pwned*; mkdir -p '/srv/hostile/a b'");
  const std::string path = "/srv/hostile/a b/x;touch /tmp/pwned1;'$(touch /tmp/pwned2)'";
  const std::string line = "v=$(touch /tmp/pwned3) `touch /tmp/pwned4` ' \" ; & | \\";
  Value r = host.run("lineinfile",
                     {{"path", path}, {"line", line}, {"create", true}, {"owner", "root"}, {"validate", "test -f %s"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat \"/srv/hostile/a b/x;touch /tmp/pwned1;'\\$(touch /tmp/pwned2)'\"") == line);
  r = host.run("lineinfile", {{"path", path}, {"regexp", "^v=\\$\\(touch"}, {"line", "$(touch /tmp/pwned5)"}});
  CHECK(r["msg"] == "line replaced");
  CHECK(host.sh("ls /tmp | grep -c pwned || true") == "0");
}

TEST_CASE("lineinfile and blockinfile: check mode follows the plan", "[lineinfile][blockinfile]") {
  ModuleHost host(hosts::kFiles);
  host.sh("rm -rf /srv/planned");
  host.plan().add_tree("/srv/planned");  // a clone or a package would bring what is inside
  std::string before = host.upper_listing();
  Value line = host.check("lineinfile", {{"path", "/srv/planned/app.conf"}, {"line", "a=1"}});
  CHECK(line["changed"] == true);
  CHECK(line["msg"] == "line added");
  CHECK_FALSE(line.contains("failed"));
  Value block = host.check("blockinfile", {{"path", "/srv/planned/other.conf"}, {"block", "a"}});
  CHECK(block["changed"] == true);
  CHECK_FALSE(block.contains("failed"));
  CHECK(host.upper_listing() == before);
  Value unplanned = host.check("lineinfile", {{"path", "/srv/unplanned/app.conf"}, {"line", "a=1"}});
  CHECK(unplanned["failed"] == true);
}

TEST_CASE("blockinfile: apply, again, check mode, diff, remove", "[blockinfile]") {
  ModuleHost host(hosts::kFiles);
  host.sh("rm -rf /srv/bi && mkdir -p /srv/bi && printf '127.0.0.1 localhost\\n::1 localhost' > /srv/bi/hosts");
  Value args = {{"path", "/srv/bi/hosts"},
                {"block", "10.0.0.1 db\n10.0.0.2 web"},
                {"insertbefore", "^::1"},
                {"marker", "# {mark} provision hosts"}};
  std::string before = host.upper_listing();
  Value predicted = host.check("blockinfile", args);
  CHECK(predicted["changed"] == true);
  CHECK(predicted["msg"] == "Block inserted");
  CHECK(host.upper_listing() == before);

  ModuleRun diff;
  diff.diff = true;
  Value applied = host.run("blockinfile", args, diff);
  CHECK(applied["changed"] == true);
  CHECK(applied["diff"][0]["before"] == "127.0.0.1 localhost\n::1 localhost");
  const std::string expected =
      "127.0.0.1 localhost\n# BEGIN provision hosts\n10.0.0.1 db\n10.0.0.2 web\n# END provision hosts\n::1 localhost";
  CHECK(applied["diff"][0]["after"] == expected);
  CHECK(host.sh("cat /srv/bi/hosts") == expected);
  CHECK(host.run("blockinfile", args)["changed"] == false);

  Value changed = args;
  changed["block"] = "10.0.0.3 cache";
  CHECK(host.run("blockinfile", changed)["msg"] == "Block inserted");
  CHECK(host.sh("cat /srv/bi/hosts") ==
        "127.0.0.1 localhost\n# BEGIN provision hosts\n10.0.0.3 cache\n# END provision hosts\n::1 localhost");

  Value removed = host.run(
      "blockinfile",
      {{"path", "/srv/bi/hosts"}, {"marker", "# {mark} provision hosts"}, {"state", "absent"}, {"backup", true}});
  CHECK(removed["changed"] == true);
  CHECK(removed["msg"] == "Block removed");
  CHECK(host.sh("cat /srv/bi/hosts") == "127.0.0.1 localhost\n::1 localhost");
  REQUIRE(removed.contains("backup_file"));
  CHECK(host.sh("grep -c cache " + removed["backup_file"].get<std::string>()) == "1");

  Value created =
      host.run("blockinfile", {{"path", "/srv/bi/new/file"}, {"block", "k=v"}, {"create", true}, {"owner", "nobody"}});
  CHECK(created["msg"] == "File created and ownership, perms or SE linux context changed");
  CHECK(host.sh("stat -c %U /srv/bi/new/file") == "nobody");
  Value missing = host.run("blockinfile", {{"path", "/srv/bi/none"}, {"block", "k=v"}});
  CHECK(missing["msg"] == "Path /srv/bi/none does not exist !");
}

TEST_CASE("blockinfile: hostile values stay data", "[blockinfile]") {
  ModuleHost host(hosts::kFiles);
  host.sh("rm -rf /srv/bih /tmp/pwned*; mkdir -p /srv/bih");
  const std::string block = "$(touch /tmp/pwned1)\n`touch /tmp/pwned2`\n'; touch /tmp/pwned3; '";
  Value r = host.run("blockinfile", {{"path", "/srv/bih/f;touch /tmp/pwned4"},
                                     {"block", block},
                                     {"create", true},
                                     {"marker", "# {mark} $(touch /tmp/pwned5)"}});
  CHECK(r["changed"] == true);
  CHECK(host.sh("cat '/srv/bih/f;touch /tmp/pwned4'") ==
        "# BEGIN $(touch /tmp/pwned5)\n" + block + "\n# END $(touch /tmp/pwned5)");
  CHECK(host.sh("ls /tmp | grep -c pwned || true") == "0");
}
