#include "provision/core/config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "provision/core/error.h"

using namespace prov;
namespace fs = std::filesystem;

namespace {

/// A scratch folder with a fake home and a working directory, so no real config file is found.
class ConfigDir {
 public:
  ConfigDir() {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("prov-cfg-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root_ / "home");
    fs::create_directories(root_ / "work");
  }
  ~ConfigDir() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string write(const std::string& relative, const std::string& text) const {
    auto full = root_ / relative;
    fs::create_directories(full.parent_path());
    std::ofstream(full) << text;
    return full.string();
  }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }
  std::map<std::string, std::string> env() const { return {{"HOME", path("home")}}; }
  std::string cwd() const { return path("work"); }

 private:
  fs::path root_;
};

}  // namespace

TEST_CASE("config defaults without any file") {
  if (fs::exists("/etc/ansible/ansible.cfg")) return;  // this machine has a system-wide file that would be read
  ConfigDir dir;
  Config c = load_config(dir.env(), dir.cwd());
  CHECK(c.forks == 5);
  CHECK(c.timeout == 10);
  CHECK(c.host_key_checking);
  CHECK_FALSE(c.become);
  CHECK(c.become_user == "root");
  CHECK(c.become_method == "sudo");
  CHECK_FALSE(c.become_ask_pass);
  CHECK(c.remote_user.empty());
  CHECK(c.inventory == std::vector<std::string>{"/etc/ansible/hosts"});
  CHECK(c.roles_path ==
        std::vector<std::string>{dir.path("home/.ansible/roles"), "/usr/share/ansible/roles", "/etc/ansible/roles"});
  CHECK(c.ansible_config_file.empty());
  CHECK(c.provision_config_file.empty());
}

TEST_CASE("ansible.cfg in the working directory is read, with paths relative to it") {
  ConfigDir dir;
  std::string cfg = dir.write("work/ansible.cfg", R"(# comment
[defaults]
inventory = hosts.ini, /abs/other
roles_path = roles:~/shared/roles
Forks: 20
remote_user = deploy ; inline comment
private_key_file = ~/.ssh/id_deploy
host_key_checking = False
timeout = 30
gathering = explicit

[privilege_escalation]
become = yes
become_user = admin
become_method = su
become_ask_pass = on
become_exe = /usr/local/bin/su
become_flags = -s /bin/sh

[ssh_connection]
ssh_args = -o ControlMaster=auto -o Port=2200
ssh_common_args = -o ProxyCommand="ssh -W %h:%p bastion"
ssh_extra_args = -o ServerAliveInterval=5
)");
  Config c = load_config(dir.env(), dir.cwd());
  CHECK(c.ansible_config_file == cfg);
  CHECK(c.inventory == std::vector<std::string>{dir.path("work/hosts.ini"), "/abs/other"});
  CHECK(c.roles_path == std::vector<std::string>{dir.path("work/roles"), dir.path("home/shared/roles")});
  CHECK(c.forks == 20);
  CHECK(c.remote_user == "deploy");
  CHECK(c.private_key_file == dir.path("home/.ssh/id_deploy"));
  CHECK_FALSE(c.host_key_checking);
  CHECK(c.timeout == 30);
  CHECK(c.become);
  CHECK(c.become_user == "admin");
  CHECK(c.become_method == "su");
  CHECK(c.become_ask_pass);
  CHECK(c.become_exe == "/usr/local/bin/su");
  CHECK(c.become_flags == "-s /bin/sh");
  CHECK(c.ssh_args == "-o ControlMaster=auto -o Port=2200");
  CHECK(c.ssh_common_args == "-o ProxyCommand=\"ssh -W %h:%p bastion\"");
  CHECK(c.ssh_extra_args == "-o ServerAliveInterval=5");
  CHECK(c.raw.at("defaults.gathering") == "explicit");
}

TEST_CASE("config search order: ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg; first found wins") {
  ConfigDir dir;
  dir.write("home/.ansible.cfg", "[defaults]\nforks = 3\n");
  auto env = dir.env();
  CHECK(load_config(env, dir.cwd()).forks == 3);
  dir.write("work/ansible.cfg", "[defaults]\nforks = 4\n");
  CHECK(load_config(env, dir.cwd()).forks == 4);
  env["ANSIBLE_CONFIG"] = dir.write("elsewhere/my.cfg", "[defaults]\ntimeout = 7\n");
  Config c = load_config(env, dir.cwd());
  CHECK(c.forks == 5);  // the files are not merged
  CHECK(c.timeout == 7);
  env["ANSIBLE_CONFIG"] = dir.path("elsewhere");  // a folder means its ansible.cfg
  dir.write("elsewhere/ansible.cfg", "[defaults]\ntimeout = 8\n");
  CHECK(load_config(env, dir.cwd()).timeout == 8);
}

TEST_CASE("provision.cfg wins over ansible.cfg, and the environment over both") {
  ConfigDir dir;
  dir.write("work/ansible.cfg", "[defaults]\nforks = 4\ntimeout = 11\nremote_user = a\n");
  std::string pcfg = dir.write("home/.provision.cfg", "[defaults]\nforks = 6\n[privilege_escalation]\nbecome=true\n");
  auto env = dir.env();
  Config c = load_config(env, dir.cwd());
  CHECK(c.provision_config_file == pcfg);
  CHECK(c.forks == 6);
  CHECK(c.timeout == 11);
  CHECK(c.become);
  env["PROVISION_CONFIG"] = dir.write("p.cfg", "[defaults]\nforks = 9\n");
  CHECK(load_config(env, dir.cwd()).forks == 9);
  env["ANSIBLE_FORKS"] = "12";
  env["ANSIBLE_REMOTE_USER"] = "envuser";
  env["ANSIBLE_BECOME"] = "False";
  env["ANSIBLE_BECOME_USER"] = "ops";
  env["ANSIBLE_BECOME_METHOD"] = "doas";
  env["ANSIBLE_BECOME_ASK_PASS"] = "1";
  env["ANSIBLE_HOST_KEY_CHECKING"] = "no";
  env["ANSIBLE_TIMEOUT"] = "3";
  env["ANSIBLE_INVENTORY"] = "inv/a,/b";
  env["ANSIBLE_ROLES_PATH"] = "/r1:r2";
  env["ANSIBLE_PRIVATE_KEY_FILE"] = "~/k";
  c = load_config(env, dir.cwd());
  CHECK(c.forks == 12);
  CHECK(c.remote_user == "envuser");
  CHECK_FALSE(c.become);
  CHECK(c.become_user == "ops");
  CHECK(c.become_method == "doas");
  CHECK(c.become_ask_pass);
  CHECK_FALSE(c.host_key_checking);
  CHECK(c.timeout == 3);
  CHECK(c.inventory == std::vector<std::string>{dir.path("work/inv/a"), "/b"});
  CHECK(c.roles_path == std::vector<std::string>{"/r1", dir.path("work/r2")});
  CHECK(c.private_key_file == dir.path("home/k"));
}

TEST_CASE("bad config values and syntax are errors with file:line") {
  ConfigDir dir;
  auto error_of = [&](const std::string& text) {
    std::string cfg = dir.write("work/ansible.cfg", text);
    try {
      load_config(dir.env(), dir.cwd());
    } catch (const Error& e) {
      std::string what = e.what();
      if (what.rfind(cfg, 0) == 0) what.replace(0, cfg.size(), "ansible.cfg");
      return what;
    }
    return std::string("no error");
  };
  CHECK(error_of("[defaults]\nforks = many\n") == "ansible.cfg:2: invalid value 'many' for forks: expected an integer");
  CHECK(error_of("[defaults]\n\nforks = 0\n") ==
        "ansible.cfg:3: invalid value '0' for forks: expected an integer of at least 1");
  CHECK(error_of("[defaults]\nhost_key_checking = maybe\n") ==
        "ansible.cfg:2: invalid value 'maybe' for host_key_checking: expected a boolean (true/false, yes/no, on/off, "
        "1/0)");
  CHECK(error_of("forks = 3\n") == "ansible.cfg:1:1: setting 'forks' appears before any [section] header");
  CHECK(error_of("[defaults\n") == "ansible.cfg:1:1: invalid section header '[defaults'");
  CHECK(error_of("[defaults]\njust words\n") == "ansible.cfg:2:1: expected 'key = value', got 'just words'");
  CHECK(error_of("[defaults]\nforks=1\nforks=2\n") ==
        "ansible.cfg:3:1: option 'forks' in section [defaults] is already set on line 2");
  auto env = dir.env();
  env["ANSIBLE_TIMEOUT"] = "soon";
  dir.write("work/ansible.cfg", "[defaults]\n");
  CHECK_THROWS_WITH(load_config(env, dir.cwd()), "invalid value 'soon' for ANSIBLE_TIMEOUT: expected an integer");
}

TEST_CASE("indented lines continue a value") {
  ConfigDir dir;
  dir.write("work/ansible.cfg", "[defaults]\nroles_path = /a:\n   /b\n");
  Config c = load_config(dir.env(), dir.cwd());
  // Ansible joins continuation lines with a newline; path lists then hold the pieces as written.
  CHECK(c.raw.at("defaults.roles_path") == "/a:\n/b");
}

TEST_CASE("a config file in a world-writable working directory is ignored, as Ansible does") {
  if (fs::exists("/etc/ansible/ansible.cfg")) return;
  ConfigDir dir;
  dir.write("work/ansible.cfg", "[defaults]\nforks = 4\n");
  fs::permissions(dir.cwd(), fs::perms::others_write, fs::perm_options::add);
  Config c = load_config(dir.env(), dir.cwd());
  CHECK(c.forks == 5);
  CHECK(c.ansible_config_file.empty());
}

TEST_CASE("config reads the output settings") {
  ConfigDir dir;
  dir.write("work/ansible.cfg",
            "[defaults]\nstdout_callback = community.general.yaml\ncallbacks_enabled = ansible.posix.profile_tasks, "
            "timer\ndisplay_skipped_hosts = no\ndisplay_ok_hosts = false\nforce_color = 1\nnocolor = true\n"
            "retry_files_enabled = yes\nretry_files_save_path = retries\ncollections_path = a:/b\n");
  Config c = load_config(dir.env(), dir.cwd());
  CHECK(c.stdout_callback == "yaml");
  CHECK(c.callbacks_enabled == std::vector<std::string>{"profile_tasks", "timer"});
  CHECK_FALSE(c.display_skipped_hosts);
  CHECK_FALSE(c.display_ok_hosts);
  CHECK(c.force_color);
  CHECK(c.nocolor);
  CHECK(c.retry_files_enabled);
  CHECK(c.retry_files_save_path == dir.path("work/retries"));
  CHECK(c.collections_path == std::vector<std::string>{dir.path("work/a"), "/b"});
  CHECK(c.warnings.empty());
}

TEST_CASE("config: NO_COLOR turns colour off with any value but an empty one") {
  ConfigDir dir;
  auto env = dir.env();
  env["NO_COLOR"] = "anything";
  CHECK(load_config(env, dir.cwd()).nocolor);
  env["NO_COLOR"] = "";
  CHECK_FALSE(load_config(env, dir.cwd()).nocolor);
  env["NO_COLOR"] = "0";
  CHECK_FALSE(load_config(env, dir.cwd()).nocolor);
}

TEST_CASE("config: an unknown stdout callback is an error with its place") {
  ConfigDir dir;
  std::string path = dir.write("work/ansible.cfg", "[defaults]\nstdout_callback = minimall\n");
  try {
    load_config(dir.env(), dir.cwd());
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.message() ==
          "invalid callback for stdout specified: 'minimall' in stdout_callback (did you mean "
          "'minimal'?)");
    CHECK(e.loc().file == path);
    CHECK(e.loc().line == 2);
  }
}

TEST_CASE("config warns about settings it does not honour, with their place") {
  ConfigDir dir;
  std::string path = dir.write("work/ansible.cfg",
                               "[defaults]\nstdout_calback = yaml\naction_warnings = no\nnocows = 1\n\n"
                               "[ssh_connection]\npipelining = true\nscp_if_ssh = true\n\n[no_such]\na = 1\nb = 2\n");
  auto env = dir.env();
  env["ANSIBLE_STDOUT_CALBACK"] = "yaml";
  env["ANSIBLE_GATHERING"] = "explicit";  // honoured (the fact settings): no warning
  env["ANSIBLE_LOCALHOST_WARNING"] = "0";
  env["PROFILE_TASKS_SORT_ORDER"] = "none";
  Config c = load_config(env, dir.cwd());
  CHECK(c.warnings == std::vector<std::string>{
                          path + ":2: [defaults] stdout_calback: unknown setting, ignored (did you mean "
                                 "'stdout_callback'?)",
                          path + ":3: [defaults] action_warnings: not supported by provision, ignored",
                          path + ":8: [ssh_connection] scp_if_ssh: not supported by provision, ignored",
                          path + ":11: unknown section [no_such], ignored",
                          "ANSIBLE_STDOUT_CALBACK: unknown setting, ignored (did you mean 'ANSIBLE_STDOUT_CALLBACK'?)",
                          "PROFILE_TASKS_SORT_ORDER: not supported by provision, ignored",
                      });
}

TEST_CASE("config: the settings table knows ansible-core's settings") {
  CHECK(setting_use("defaults.forks", "") == SettingUse::Honoured);
  CHECK(setting_use("", "ANSIBLE_FORKS") == SettingUse::Honoured);
  CHECK(setting_use("defaults.nocows", "") == SettingUse::Harmless);
  CHECK(setting_use("defaults.gathering", "") == SettingUse::Honoured);
  CHECK(setting_use("defaults.fact_caching_prefix", "") == SettingUse::Honoured);
  CHECK(setting_use("defaults.cache_plugins", "") == SettingUse::Warned);
  CHECK(setting_use("defaults.no_such_thing", "") == std::nullopt);
  CHECK(setting_use("", "ANSIBLE_NO_SUCH_THING") == std::nullopt);
}
