// pip on a real host: small wheels written on the host, installed from a local folder (nothing on the network).
#include <catch2/catch.hpp>

#include "hosts.h"
#include "module_host.h"

using prov::Value;
using prov::test::ModuleHost;

namespace {

const char* kFindLinks = "--no-index --find-links /srv/wheels";

// python3 with venv and pip, and python3-six for the system site packages; installed once.
void ensure_python(ModuleHost& host) {
  if (host.try_sh("python3 -c 'import ensurepip, six' && command -v pip3").rc == 0) return;
  host.sh(
      "apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv "
      "python3-pip python3-six >/dev/null");
}

// Pure-python wheels written as zip files, with a RECORD pip accepts: provdemo 1.0 and 2.0, provother 0.5.
void make_wheels(ModuleHost& host) {
  host.sh(
      "rm -rf /srv/wheels && mkdir -p /srv/wheels && python3 - /srv/wheels provdemo=1.0 provdemo=2.0 "
      "provother=0.5 <<'EOF'\n"
      "import base64, hashlib, sys, zipfile\n"
      "for spec in sys.argv[2:]:\n"
      "    name, version = spec.split('=')\n"
      "    dist = '%s-%s.dist-info' % (name, version)\n"
      "    files = {name + '/__init__.py': 'VERSION = %r\\n' % version,\n"
      "             dist + '/METADATA': 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n' % (name, version),\n"
      "             dist + '/WHEEL': 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\n"
      "Tag: py3-none-any\\n'}\n"
      "    record = ''\n"
      "    for path, text in files.items():\n"
      "        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()\n"
      "        record += '%s,sha256=%s,%d\\n' % (path, digest, len(text.encode()))\n"
      "    files[dist + '/RECORD'] = record + dist + '/RECORD,,\\n'\n"
      "    with zipfile.ZipFile('%s/%s-%s-py3-none-any.whl' % (sys.argv[1], name, version), 'w') as z:\n"
      "        for path, text in files.items():\n"
      "            z.writestr(path, text)\n"
      "EOF");
}

ModuleHost pip_host(bool fresh) {
  ModuleHost host = fresh ? ModuleHost::fresh(prov::test::hosts::kPip) : ModuleHost(prov::test::hosts::kPip);
  ensure_python(host);
  if (host.try_sh("test -f /srv/wheels/provother-0.5-py3-none-any.whl").rc != 0) make_wheels(host);
  return host;
}

std::string version_in(ModuleHost& host, const std::string& venv, const std::string& package) {
  return host.sh(venv + "/bin/python -c 'import " + package + "; print(" + package +
                 ".VERSION)' 2>/dev/null || echo none");
}

}  // namespace

TEST_CASE("pip in a new virtualenv: specifiers, rerun, version, latest, absent, check mode", "[pip]") {
  ModuleHost host = pip_host(true);
  host.sh("rm -rf /srv/venv");
  Value args = {{"name", Value::array({"provdemo==1.0"})}, {"virtualenv", "/srv/venv"}, {"extra_args", kFindLinks}};

  std::string before = host.upper_listing();
  Value r = host.check("pip", args);
  CHECK(r["changed"] == true);
  CHECK(host.upper_listing() == before);
  CHECK(host.try_sh("test -e /srv/venv").rc != 0);

  r = host.run("pip", args);
  CHECK(r["changed"] == true);
  CHECK(r["cmd"] ==
        Value::array({"/srv/venv/bin/pip3", "install", "--no-index", "--find-links", "/srv/wheels", "provdemo==1.0"}));
  CHECK(r["name"] == Value::array({"provdemo==1.0"}));
  CHECK(r["version"].is_null());
  CHECK(r["state"] == "present");
  CHECK(r["requirements"].is_null());
  CHECK(r["virtualenv"] == "/srv/venv");
  CHECK(r["stdout"].get<std::string>().find("Successfully installed provdemo-1.0") != std::string::npos);
  CHECK(version_in(host, "/srv/venv", "provdemo") == "1.0");
  CHECK(host.sh("test -f /srv/venv/bin/activate && echo yes") == "yes");

  CHECK(host.run("pip", args)["changed"] == false);
  CHECK(host.run("pip", {{"name", Value::array({"provdemo>=1,<2"})},
                         {"virtualenv", "/srv/venv"},
                         {"extra_args", kFindLinks}})["changed"] == false);
  CHECK(host.run("pip", {{"name", Value::array({"ProvDemo"})}, {"virtualenv", "/srv/venv"}})["changed"] == false);

  // A specifier the installed version misses: check mode predicts, the run upgrades.
  Value up = {{"name", Value::array({"provdemo>=2"})}, {"virtualenv", "/srv/venv"}, {"extra_args", kFindLinks}};
  before = host.upper_listing();
  r = host.check("pip", up);
  CHECK(r["changed"] == true);
  CHECK(r["cmd"] == "/srv/venv/bin/pip3 list --format=freeze");
  CHECK(r["stdout"].get<std::string>().find("provdemo==1.0") != std::string::npos);
  // The listing is read from metadata files, not from pip: it must be pip's own, line for line.
  CHECK(r["stdout"] == host.sh("/srv/venv/bin/pip list --format=freeze 2>/dev/null") + "\n");
  CHECK(host.upper_listing() == before);
  CHECK(host.run("pip", up)["changed"] == true);
  CHECK(version_in(host, "/srv/venv", "provdemo") == "2.0");

  // version= pins one package (a downgrade here).
  Value pinned = {{"name", Value::array({"provdemo"})},
                  {"version", "1.0"},
                  {"virtualenv", "/srv/venv"},
                  {"extra_args", kFindLinks}};
  r = host.run("pip", pinned);
  CHECK(r["changed"] == true);
  CHECK(r["version"] == "1.0");
  CHECK(version_in(host, "/srv/venv", "provdemo") == "1.0");
  CHECK(host.run("pip", pinned)["changed"] == false);

  // latest: pip decides; changed only when it installed something.
  Value latest = {{"name", Value::array({"provdemo"})},
                  {"state", "latest"},
                  {"virtualenv", "/srv/venv"},
                  {"extra_args", kFindLinks}};
  before = host.upper_listing();
  CHECK(host.check("pip", latest)["changed"] == true);
  CHECK(host.upper_listing() == before);
  CHECK(host.run("pip", latest)["changed"] == true);
  CHECK(version_in(host, "/srv/venv", "provdemo") == "2.0");
  CHECK(host.check("pip", latest)["changed"] == false);
  CHECK(host.run("pip", latest)["changed"] == false);

  // forcereinstall always reinstalls.
  CHECK(host.run("pip", {{"name", Value::array({"provdemo"})},
                         {"state", "forcereinstall"},
                         {"virtualenv", "/srv/venv"},
                         {"extra_args", kFindLinks}})["changed"] == true);

  // absent.
  Value absent = {{"name", Value::array({"provdemo"})}, {"state", "absent"}, {"virtualenv", "/srv/venv"}};
  before = host.upper_listing();
  CHECK(host.check("pip", absent)["changed"] == true);
  CHECK(host.upper_listing() == before);
  r = host.run("pip", absent);
  CHECK(r["changed"] == true);
  CHECK(r["cmd"] == Value::array({"/srv/venv/bin/pip3", "uninstall", "-y", "provdemo"}));
  CHECK(version_in(host, "/srv/venv", "provdemo") == "none");
  CHECK(host.run("pip", absent)["changed"] == false);
  CHECK(host.check("pip", absent)["changed"] == false);
}

TEST_CASE("pip requirements file: changed when the freeze listing changes", "[pip]") {
  ModuleHost host = pip_host(false);
  host.sh("rm -rf /srv/rvenv && printf 'provother==0.5\\nprovdemo==2.0\\n' > /srv/req.txt");
  Value args = {{"requirements", "/srv/req.txt"}, {"virtualenv", "/srv/rvenv"}, {"extra_args", kFindLinks}};
  Value r = host.run("pip", args);
  CHECK(r["changed"] == true);
  CHECK(r["requirements"] == "/srv/req.txt");
  CHECK(r["name"].is_null());
  CHECK(version_in(host, "/srv/rvenv", "provother") == "0.5");
  CHECK(version_in(host, "/srv/rvenv", "provdemo") == "2.0");

  // Plain requirements that the virtualenv satisfies: compared on the controller, pip does not run.
  r = host.run("pip", args);
  CHECK(r["changed"] == false);
  CHECK(r["stdout"] == "");
  CHECK(host.check("pip", args)["changed"] == false);
  // A line only pip understands (an option): pip judges, and says so.
  host.sh("printf '# pinned\\nprovother==0.5  # old\\n\\n--prefer-binary\\nprovdemo==2.0\\n' > /srv/req.txt");
  r = host.run("pip", args);
  CHECK(r["changed"] == false);
  CHECK(r["stdout"].get<std::string>().find("Requirement already satisfied") != std::string::npos);
  // A package that went missing is installed again.
  host.sh(
      "printf '# pinned\\nprovother==0.5  # old\\n\\nprovdemo==2.0\\n' > /srv/req.txt; "
      "/srv/rvenv/bin/pip uninstall -y -q provother");
  CHECK(host.run("pip", args)["changed"] == true);
  CHECK(version_in(host, "/srv/rvenv", "provother") == "0.5");
  CHECK(host.run("pip", args)["stdout"] == "");

  host.sh("printf 'provother==0.5\\nprovdemo==1.0\\n' > /srv/req.txt");
  std::string before = host.upper_listing();
  CHECK(host.check("pip", args)["changed"] == true);
  CHECK(host.upper_listing() == before);
  CHECK(host.run("pip", args)["changed"] == true);
  CHECK(version_in(host, "/srv/rvenv", "provdemo") == "1.0");

  // chdir: a relative requirements file and virtualenv are found there.
  r = host.run("pip",
               {{"requirements", "req.txt"}, {"virtualenv", "rvenv"}, {"chdir", "/srv"}, {"extra_args", kFindLinks}});
  CHECK(r["changed"] == false);
  CHECK(r["virtualenv"] == "/srv/rvenv");
}

TEST_CASE("pip with system site packages, the system pip, and failures", "[pip]") {
  ModuleHost host = pip_host(false);
  host.sh("rm -rf /srv/svenv /srv/nsvenv");
  // python3-six is a Debian package: a venv with the system site packages sees it and has nothing to install.
  Value site = {{"name", Value::array({"six"})},
                {"virtualenv", "/srv/svenv"},
                {"virtualenv_site_packages", true},
                {"extra_args", kFindLinks}};
  Value r = host.run("pip", site);
  CHECK(r["changed"] == true);  // the virtualenv was created
  CHECK(host.sh("/srv/svenv/bin/python -c 'import six; print(six.__file__)'").find("/usr/lib/python3") == 0);
  CHECK(host.run("pip", site)["changed"] == false);
  // The system's packages are in the listing too, with the virtualenv's own pip and setuptools first.
  Value listed = host.check("pip", {{"name", Value::array({"six>=99"})}, {"virtualenv", "/srv/svenv"}});
  CHECK(listed["changed"] == true);
  CHECK(listed["stdout"].get<std::string>().find("six==") != std::string::npos);
  CHECK(listed["stdout"] == host.sh("/srv/svenv/bin/pip list --format=freeze 2>/dev/null") + "\n");

  // Without them six has to come from the index, and there is none.
  r = host.run("pip", {{"name", Value::array({"six"})}, {"virtualenv", "/srv/nsvenv"}, {"extra_args", kFindLinks}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"].get<std::string>().find("No matching distribution found for six") != std::string::npos);
  CHECK(r["cmd"][0] == "/srv/nsvenv/bin/pip3");

  // The system's pip3: six is there already, so nothing runs (an install would meet PEP 668's refusal).
  r = host.run("pip", {{"name", Value::array({"six"})}});
  CHECK(r["changed"] == false);
  CHECK(r["cmd"][0] == "/usr/bin/pip3");

  r = host.run(
      "pip",
      {{"name", Value::array({"provdemo"})}, {"virtualenv", "/srv/nsvenv"}, {"state", "latest"}, {"version", "1.0"}});
  CHECK(r["msg"] == "version is incompatible with state=latest");
  r = host.run("pip",
               {{"name", Value::array({"provdemo", "provother"})}, {"virtualenv", "/srv/nsvenv"}, {"version", "1.0"}});
  CHECK(r["msg"] ==
        "'version' argument is ambiguous when installing multiple package distributions. Please specify version "
        "restrictions next to each package in 'name' argument.");
  r = host.run("pip", {{"name", Value::array({"provdemo"})},
                       {"virtualenv_command", "python3 -m venv"},
                       {"virtualenv_python", "python3"},
                       {"virtualenv", "/srv/x"}});
  CHECK(r["msg"] == "virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command");
  REQUIRE_THROWS_WITH(host.run("pip", {{"name", "a"}, {"requirements", "/r"}}),
                      "parameters are mutually exclusive: name|requirements");
  REQUIRE_THROWS_WITH(host.run("pip", {{"state", "present"}}), "one of the following is required: name, requirements");
  REQUIRE_THROWS_WITH(host.run("pip", {{"name", "a"}, {"state", "newest"}}),
                      "value of state must be one of: present, absent, latest, forcereinstall, got: newest");
}

TEST_CASE("pip with hostile values runs no shell", "[pip]") {
  ModuleHost host = pip_host(false);
  host.sh("rm -rf /tmp/pwned* '/srv/v x'*");
  Value r = host.run("pip", {{"name", Value::array({"provdemo; touch /tmp/pwned1"})},
                             {"virtualenv", "/srv/venv"},
                             {"extra_args", kFindLinks}});
  CHECK(r["failed"] == true);
  r = host.run("pip", {{"name", Value::array({"provother"})},
                       {"virtualenv", "/srv/v x$(touch /tmp/pwned2)`touch /tmp/pwned3`"},
                       {"extra_args", std::string(kFindLinks) + " '$(touch /tmp/pwned4)'"}});
  CHECK(r["failed"] == true);
  r = host.run("pip", {{"name", Value::array({"provother"})},
                       {"virtualenv", "/srv/v x;$(touch /tmp/pwned5)"},
                       {"extra_args", kFindLinks},
                       {"chdir", "/tmp"}});
  CHECK(r["changed"] == true);
  CHECK(version_in(host, "'/srv/v x;$(touch /tmp/pwned5)'", "provother") == "0.5");
  CHECK(host.sh("ls /tmp | grep -c pwned || true") == "0");
}
