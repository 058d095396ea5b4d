// ansible.cfg and ANSIBLE_* settings as the binary sees them: warnings for what it does not honour, the output
// settings, and a password it cannot ask for.
#include <catch2/catch.hpp>

#include "harness.h"

namespace {

const char* kPlaybook = R"(- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: hello
      debug:
        msg: hi
    - name: never
      debug:
        msg: no
      when: false
)";

}  // namespace

TEST_CASE("a setting provision does not honour is a warning naming it and its place, and the run goes on") {
  Scratch s;
  s.write("site.yml", kPlaybook);
  std::string cfg =
      s.write("my.cfg", "[defaults]\nstdout_calback = yaml\naction_warnings = no\nnocows = 1\ngathering = smart\n");
  RunResult r = s.provision_shell("ANSIBLE_CONFIG=my.cfg ANSIBLE_FORKZ=3 " + std::string(PROVISION_BINARY) +
                                  " -i localhost, site.yml");
  CHECK(r.rc == 0);
  CHECK(unwrapped_warnings(r.err).find(
            "[WARNING]: " + cfg +
            ":2: [defaults] stdout_calback: unknown setting, ignored (did you mean 'stdout_callback'?)\n") !=
        std::string::npos);
  CHECK(unwrapped_warnings(r.err).find("[WARNING]: " + cfg +
                                       ":3: [defaults] action_warnings: not supported by provision, ignored\n") !=
        std::string::npos);
  CHECK(r.err.find("nocows") == std::string::npos);
  CHECK(r.err.find("gathering") == std::string::npos);  // honoured
  CHECK(unwrapped_warnings(r.err).find(
            "[WARNING]: ANSIBLE_FORKZ: unknown setting, ignored (did you mean 'ANSIBLE_FORKS'?)\n") !=
        std::string::npos);
  CHECK(recap(r.out) == "ok=1 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
}

TEST_CASE("display_skipped_hosts and display_ok_hosts hide results and the banners left empty") {
  Scratch s;
  s.write("site.yml", kPlaybook);
  RunResult r = s.provision_shell("ANSIBLE_DISPLAY_SKIPPED_HOSTS=no ANSIBLE_DISPLAY_OK_HOSTS=0 " +
                                  std::string(PROVISION_BINARY) + " -i localhost, site.yml");
  CHECK(r.rc == 0);
  CHECK(r.out.find("TASK [") == std::string::npos);
  CHECK(r.out.find("skipping:") == std::string::npos);
  CHECK(recap(r.out) == "ok=1 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0");
}

TEST_CASE("--output wins over stdout_callback; a callback provision lacks is a warning") {
  Scratch s;
  s.write("site.yml", kPlaybook);
  RunResult minimal =
      s.provision_shell("ANSIBLE_STDOUT_CALLBACK=minimal " + std::string(PROVISION_BINARY) + " -i localhost, site.yml");
  CHECK(minimal.out == "localhost | SUCCESS => {\n    \"msg\": \"hi\"\n}\nlocalhost | SKIPPED\n");
  RunResult human = s.provision_shell("ANSIBLE_STDOUT_CALLBACK=minimal " + std::string(PROVISION_BINARY) +
                                      " --output human -i localhost, site.yml");
  CHECK(human.out.find("PLAY RECAP") != std::string::npos);
  RunResult other = s.provision_shell("ANSIBLE_CALLBACKS_ENABLED=timer,junit " + std::string(PROVISION_BINARY) +
                                      " -i localhost, site.yml");
  CHECK(unwrapped_warnings(other.err).find(
            "[WARNING]: callbacks_enabled: callback 'junit' is not supported by provision, ignored") !=
        std::string::npos);
  CHECK(other.out.find("Playbook run took 0 days, 0 hours, 0 minutes, ") != std::string::npos);
}

TEST_CASE("become_ask_pass without a terminal stops before any host is touched") {
  Scratch s;
  s.write("site.yml",
          "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
          "    - copy: {content: x, dest: '{{ playbook_dir }}/touched'}\n");
  RunResult r = s.provision_shell("ANSIBLE_BECOME_ASK_PASS=true setsid -w " + std::string(PROVISION_BINARY) +
                                  " -i localhost, site.yml");
  CHECK(r.rc == 5);
  CHECK(r.err ==
        "ERROR! cannot ask for the become password (-K, become_ask_pass): no terminal; give it as "
        "ansible_become_password (and unset become_ask_pass)\n");
  CHECK_FALSE(s.exists("touched"));
}

// As ansible-playbook 2.14 (tried on this machine): --flush-cache removes the cached entries of the hosts the
// inventory and --limit select, before the first play; other hosts' entries and files stay.
TEST_CASE("the option --flush-cache empties the jsonfile cache of the selected hosts before the run") {
  Scratch s;
  s.write("ansible.cfg",
          "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = cache\ngathering = explicit\n");
  s.write("inventory", "a ansible_connection=local\nb ansible_connection=local\nc ansible_connection=local\n");
  s.write("site.yml",
          "- hosts: a\n  gather_facts: false\n  tasks:\n    - copy:\n        dest: seen\n"
          "        content: \"{{ hostvars.a.foo | default('gone') }} {{ hostvars.b.foo | default('gone') }}\"\n");
  auto seed = [&] {
    for (const char* host : {"a", "b", "c", "elsewhere"}) s.write(std::string("cache/") + host, "{\"foo\": \"x\"}");
  };
  seed();
  RunResult kept = s.provision("-i inventory site.yml");
  CHECK(kept.rc == 0);
  CHECK(s.read("seen") == "x x");

  RunResult limited = s.provision("-i inventory site.yml --flush-cache -l a,c");
  CHECK(limited.rc == 0);
  CHECK(s.read("seen") == "gone x");
  CHECK_FALSE(s.exists("cache/a"));
  CHECK(s.exists("cache/b"));
  CHECK_FALSE(s.exists("cache/c"));
  CHECK(s.exists("cache/elsewhere"));

  seed();
  RunResult all = s.provision("--flush-cache -i inventory site.yml");
  CHECK(all.rc == 0);
  CHECK(s.read("seen") == "gone gone");
  CHECK_FALSE(s.exists("cache/b"));
  CHECK(s.exists("cache/elsewhere"));
}
