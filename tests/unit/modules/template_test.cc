#include <pwd.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "helpers.h"
#include "provision/template/engine.h"

using prov::Value;
using prov::tmpl::ValueVars;
using test::mode_of;
using test::read_file;
using test::Sandbox;
using test::fs::exists;

namespace {

std::string owner_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  const passwd* pw = ::getpwuid(st.st_uid);
  REQUIRE(pw != nullptr);
  return pw->pw_name;
}

// A sandbox with a templates/ folder on its search path.
struct TemplateSandbox : Sandbox {
  TemplateSandbox() {
    test::fs::create_directory(dir / "templates");
    search_paths = {path("templates")};
  }
  std::string add(const std::string& name, const std::string& text) {
    std::ofstream(dir / "templates" / name, std::ios::binary) << text;
    return path("templates/" + name);
  }
  Value render(const std::string& text, const Value& vars = Value::object(), Value args = Value::object()) {
    add("t.j2", text);
    args["src"] = "t.j2";
    args["dest"] = path("out");
    ValueVars v(vars);
    Value r = run("template", args, false, false, &v);
    INFO(r.dump());
    REQUIRE(r["failed"] != true);
    return read_file(path("out"));
  }
};

}  // namespace

TEST_CASE("template renders, then is ok, then reports a changed variable with a diff") {
  TemplateSandbox s;
  const std::string t = s.add("motd.j2", "Hello {{ who }}\n");
  const std::string d = s.path("motd");
  ValueVars world(Value{{"who", "world"}});

  std::string before = s.listing();
  Value r = s.run("template", {{"src", "motd.j2"}, {"dest", d}}, true, false, &world);
  CHECK(r["changed"] == true);
  CHECK(s.listing() == before);  // check mode writes nothing
  CHECK_FALSE(exists(d));

  r = s.run("template", {{"src", "motd.j2"}, {"dest", d}, {"mode", "0640"}}, false, false, &world);
  CHECK(r["changed"] == true);
  CHECK(read_file(d) == "Hello world\n");
  CHECK(mode_of(d) == 0640);
  CHECK(r["dest"] == d);
  CHECK(r["src"] == t);
  CHECK(r["checksum"] == "33ab5639bfd8e7b95eb1d8d0b87781d4ffea4d5d");  // sha1 of "Hello world\n"
  CHECK(r["md5sum"] == "f0ef7081e1539ac00ef5b761b4fb01b3");
  CHECK(r["mode"] == "0640");
  CHECK(r["size"] == 12);
  CHECK(r["state"] == "file");
  CHECK(r.contains("uid"));
  CHECK(r.contains("owner"));
  CHECK_FALSE(r.contains("backup_file"));

  r = s.run("template", {{"src", "motd.j2"}, {"dest", d}, {"mode", "0640"}}, false, true, &world);
  CHECK(r["changed"] == false);
  CHECK_FALSE(r.contains("diff"));

  ValueVars moon(Value{{"who", "moon"}});
  r = s.run("template", {{"src", "motd.j2"}, {"dest", d}}, true, true, &moon);
  CHECK(r["changed"] == true);
  CHECK(read_file(d) == "Hello world\n");  // check mode with diff still writes nothing
  r = s.run("template", {{"src", "motd.j2"}, {"dest", d}}, false, true, &moon);
  CHECK(r["changed"] == true);
  CHECK(r["diff"] ==
        Value{{"before", "Hello world\n"}, {"after", "Hello moon\n"}, {"before_header", d}, {"after_header", t}});
  CHECK(read_file(d) == "Hello moon\n");
  CHECK(mode_of(d) == 0640);  // an existing file keeps its mode
}

TEST_CASE("template mode change alone is a change") {
  TemplateSandbox s;
  s.add("a.j2", "a\n");
  const std::string d = s.path("a");
  CHECK(s.run("template", {{"src", "a.j2"}, {"dest", d}, {"mode", "0600"}})["changed"] == true);
  Value r = s.run("template", {{"src", "a.j2"}, {"dest", d}, {"mode", "u=rw,g=r"}});
  CHECK(r["changed"] == true);
  CHECK(r["mode"] == "0640");
  CHECK(mode_of(d) == 0640);
}

TEST_CASE("template validate failing keeps the old file") {
  TemplateSandbox s;
  s.add("conf.j2", "{{ setting }}\n");
  const std::string d = s.path("conf");
  std::ofstream(d) << "good\n";
  ValueVars bad(Value{{"setting", "bad"}});
  Value r = s.run("template", {{"src", "conf.j2"}, {"dest", d}, {"validate", "grep good %s && echo fine"}}, false,
                  false, &bad);
  CHECK(r == Value{{"failed", true},
                   {"msg", "failed to validate"},
                   {"changed", false},
                   {"exit_status", 1},
                   {"stdout", ""},
                   {"stderr", ""}});
  CHECK(read_file(d) == "good\n");

  r = s.run("template", {{"src", "conf.j2"}, {"dest", d}, {"validate", "sh -c 'echo checked \"$1\" >&2; false' - %s"}},
            false, false, &bad);
  CHECK(r["failed"] == true);
  CHECK(r["stderr"].get<std::string>().rfind("checked " + s.path(".provision-validate-"), 0) == 0);

  ValueVars good(Value{{"setting", "good again"}});
  r = s.run("template", {{"src", "conf.j2"}, {"dest", d}, {"validate", "grep -q good %s"}}, false, false, &good);
  CHECK(r["changed"] == true);
  CHECK(read_file(d) == "good again\n");
  int entries = 0;
  for ([[maybe_unused]] auto& e : test::fs::directory_iterator(s.dir)) ++entries;
  CHECK(entries == 2);  // templates/ and conf: no temporary file left behind
}

TEST_CASE("template backup keeps the previous content") {
  TemplateSandbox s;
  s.add("b.j2", "new\n");
  const std::string d = s.path("b");
  std::ofstream(d) << "old\n";
  Value r = s.run("template", {{"src", "b.j2"}, {"dest", d}, {"backup", true}});
  CHECK(r["changed"] == true);
  REQUIRE(r.contains("backup_file"));
  const std::string backup = r["backup_file"];
  CHECK(backup.rfind(d + ".", 0) == 0);
  CHECK(backup.back() == '~');
  CHECK(read_file(backup) == "old\n");
  CHECK(read_file(d) == "new\n");
  r = s.run("template", {{"src", "b.j2"}, {"dest", d}, {"backup", true}});
  CHECK(r["changed"] == false);
  CHECK_FALSE(r.contains("backup_file"));
}

TEST_CASE("template force=no leaves an existing file alone") {
  TemplateSandbox s;
  s.add("f.j2", "new\n");
  const std::string d = s.path("f");
  std::ofstream(d) << "old\n";
  CHECK(s.run("template", {{"src", "f.j2"}, {"dest", d}, {"force", false}})["changed"] == false);
  CHECK(read_file(d) == "old\n");
}

TEST_CASE("template into a folder lands under the template's name") {
  TemplateSandbox s;
  s.add("site.conf", "x\n");
  test::fs::create_directory(s.dir / "conf.d");
  Value r = s.run("template", {{"src", "site.conf"}, {"dest", s.path("conf.d")}});
  CHECK(r["dest"] == s.path("conf.d/site.conf"));
  CHECK(read_file(s.path("conf.d/site.conf")) == "x\n");
}

TEST_CASE("template failures read like Ansible's") {
  TemplateSandbox s;
  Value r = s.run("template", {{"src", "missing.j2"}, {"dest", s.path("x")}});
  CHECK(r == Value{{"failed", true},
                   {"msg", "Could not find or access 'missing.j2'\nSearched in:\n\t" + s.path("templates") +
                               "/missing.j2 on the Ansible Controller.\nIf you are using a module and expect the "
                               "file to exist on the remote, see the remote_src option"},
                   {"changed", false}});

  std::string t = s.add("bad.j2", "line one\n{{ x }\n");
  r = s.run("template", {{"src", "bad.j2"}, {"dest", s.path("x")}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == t + ":2:6: template error while templating string: unexpected '}'\n  " + t + ":2:6: {{ x }");
  CHECK_FALSE(exists(s.path("x")));

  const std::string u = s.add("undef.j2", "a\nb\n{{ nope }}\n");
  r = s.run("template", {{"src", "undef.j2"}, {"dest", s.path("x")}});
  CHECK(r["failed"] == true);
  CHECK(r["msg"] == u + ":3: 'nope' is undefined");
  CHECK_FALSE(exists(s.path("x")));

  r = s.run("template", {{"src", "/no/such.j2"}, {"dest", s.path("x")}});
  CHECK(r["msg"] ==
        "Could not find or access '/no/such.j2' on the Ansible Controller.\nIf you are using a module "
        "and expect the file to exist on the remote, see the remote_src option");

  CHECK_THROWS_AS(s.run("template", {{"dest", s.path("x")}}), prov::mod::ArgError);
}

TEST_CASE("template whitespace: trim_blocks on, lstrip_blocks off, trailing newlines kept as Ansible does") {
  TemplateSandbox s;
  Value x{{"x", true}};
  CHECK(s.render("{% if x %}\nA\n{% endif %}\n", x) == "A\n");
  CHECK(s.render("{% if x %}\nA{% endif %}\n", x) == "A\n");  // Ansible restores the template's last newline
  CHECK(s.render("a\n\n\n") == "a\n\n\n");
  CHECK(s.render("a") == "a");
  CHECK(s.render("{% if x %}\nA\n{% endif %}\n", x, {{"trim_blocks", false}}) == "\nA\n");
  CHECK(s.render("  {% if x %}\nA\n  {% endif %}\n", x) == "  A\n  \n");
  CHECK(s.render("  {% if x %}\nA\n  {% endif %}\n", x, {{"lstrip_blocks", true}}) == "A\n");
}

TEST_CASE("template newline_sequence rewrites line endings as Ansible does") {
  TemplateSandbox s;
  CHECK(s.render("a\r\nb\n", {}, {{"newline_sequence", "\r\n"}}) == "a\r\nb\r\n");
  // Ansible counts only '\n' when restoring trailing newlines, so it pads \r\n output beyond the template's.
  CHECK(s.render("a\n\n\n", {}, {{"newline_sequence", "\r\n"}}) == "a\r\n\r\n\r\n\r\n");
  CHECK(s.render("a\nb", {}, {{"newline_sequence", "\r"}}) == "a\rb");
}

TEST_CASE("template variables: ansible_managed and template_*") {
  TemplateSandbox s;
  const std::string t = s.add("t.j2", "");
  CHECK(s.render("# {{ ansible_managed }}\n") == "# Ansible managed\n");
  CHECK(s.render("{{ template_path }}|{{ template_fullpath }}|{{ template_destpath }}") ==
        "t.j2|" + t + "|" + s.path("out"));
  CHECK(s.render("{{ template_host | length > 0 }}") == "True");
  CHECK(s.render("{{ template_uid }}") == owner_of(t));  // the template file's owner, as in Ansible
  CHECK(s.render("{{ template_run_date[:2] }}") == "20");
  // Template variables win over task variables of the same name; other names come from the task.
  CHECK(s.render("{{ ansible_managed }} {{ other }}", Value{{"ansible_managed", "mine"}, {"other", 1}}) ==
        "Ansible managed 1");
}

TEST_CASE("template includes from its own folder") {
  TemplateSandbox s;
  s.add("part.j2", "part {{ n }}\n");
  // Jinja drops the included file's last newline too (checked against ansible-playbook 2.14).
  CHECK(s.render("{% include 'part.j2' %}end\n", Value{{"n", 3}}) == "part 3end\n");
}
