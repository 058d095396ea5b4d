// Play and task keywords that change how the executor runs things, on two local "hosts".
#include <catch2/catch.hpp>

#include "harness.h"

static const char* kTwoHosts = "[group]\nh1 ansible_connection=local\nh2 ansible_connection=local\n";

TEST_CASE("no_log hides values from the output but register keeps them") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - command: echo sekrit-value
      register: out
      no_log: true
    - copy: dest={{ playbook_dir }}/kept content={{ out.stdout }}
)");
  RunResult r = s.provision("site.yml -i hosts -v");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("sekrit-value") == std::string::npos);
  CHECK(r.err.find("sekrit-value") == std::string::npos);
  CHECK(r.out.find("the output has been hidden") != std::string::npos);
  CHECK(s.read("kept") == "sekrit-value");
}

TEST_CASE("run_once runs on the first host and registers the result on all") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - command: echo from {{ inventory_hostname }}
      register: once
      run_once: true
    - copy: dest={{ playbook_dir }}/{{ inventory_hostname }} content={{ once.stdout }}
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("h1") == "from h1");
  CHECK(s.read("h2") == "from h1");
}

TEST_CASE("serial runs the play batch by batch") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  serial: 1
  tasks:
    - {name: step one, debug: {msg: "{{ ansible_play_batch | join(',') }}"}}
    - {name: step two, debug: {msg: two}}
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out);
  CHECK(r.rc == 0);
  // With batches of one, h1 finishes both steps before h2 starts.
  auto h1_two = r.out.find("TASK [step two]");
  auto h2_one = r.out.find("\"msg\": \"h2\"");
  REQUIRE(h1_two != std::string::npos);
  REQUIRE(h2_one != std::string::npos);
  CHECK(h1_two < h2_one);
  // ansible-playbook 2.14 prints the PLAY banner once per batch.
  auto first_play = r.out.find("PLAY [group]");
  auto second_play = r.out.find("PLAY [group]", first_play + 1);
  REQUIRE(second_play != std::string::npos);
  CHECK(h1_two < second_play);
  CHECK(second_play < h2_one);
}

TEST_CASE("any_errors_fatal stops every host; a failed host leaves the play otherwise") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  tasks:
    - command: /bin/false
      when: inventory_hostname == 'h1'
    - copy: dest={{ playbook_dir }}/after-{{ inventory_hostname }} content=x
)");
  RunResult r = s.provision("site.yml -i hosts");
  CHECK(r.rc == 2);
  CHECK_FALSE(s.exists("after-h1"));
  CHECK(s.exists("after-h2"));
  s.write("fatal.yml", R"(
- hosts: group
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - command: /bin/false
      when: inventory_hostname == 'h1'
    - copy: dest={{ playbook_dir }}/fatal-{{ inventory_hostname }} content=x
)");
  RunResult f = s.provision("fatal.yml -i hosts");
  INFO(f.out);
  CHECK(f.rc == 2);
  CHECK_FALSE(s.exists("fatal-h2"));
}

TEST_CASE("the free strategy runs each host through the whole play") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: group
  gather_facts: false
  strategy: free
  tasks:
    - copy: dest={{ playbook_dir }}/free-{{ inventory_hostname }} content=1
    - copy: dest={{ playbook_dir }}/free2-{{ inventory_hostname }} content=2
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out);
  CHECK(r.rc == 0);
  CHECK(s.exists("free2-h1"));
  CHECK(s.exists("free2-h2"));
  CHECK(recap(r.out, "h1") == "ok=2 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0");
}

TEST_CASE("environment, until/retries and delegate_to localhost") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  environment:
    GREETING: hello
  tasks:
    - shell: echo "$GREETING $EXTRA" > {{ playbook_dir }}/env.txt
      environment:
        EXTRA: world
    - shell: n=$(cat {{ playbook_dir }}/count 2>/dev/null || echo 0); echo $((n+1)) > {{ playbook_dir }}/count; cat {{ playbook_dir }}/count
      register: counter
      until: counter.stdout == "3"
      retries: 5
      delay: 0
    - copy: dest={{ playbook_dir }}/delegated content=d
      delegate_to: localhost
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("env.txt") == "hello world\n");
  CHECK(s.read("count") == "3\n");
  CHECK(r.out.find("FAILED - RETRYING: [h1]") != std::string::npos);
  CHECK(r.out.find("changed: [h1 -> localhost]") != std::string::npos);
}

TEST_CASE("--limit and --list-hosts") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", "- hosts: group\n  gather_facts: false\n  tasks: []\n");
  RunResult r = s.provision("site.yml -i hosts --list-hosts --limit 'h*:!h1'");
  CHECK(r.rc == 0);
  CHECK(r.out.find("hosts (1):\n      h2\n") != std::string::npos);
}

TEST_CASE("gather_facts fills ansible_facts and the ansible_ names") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  tasks:
    - copy:
        dest: "{{ playbook_dir }}/facts"
        content: "{{ ansible_facts.system }} {{ ansible_system }} {{ ansible_os_family | length > 0 }}"
)");
  RunResult r = s.provision("site.yml -i hosts");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("TASK [Gathering Facts]") != std::string::npos);
  CHECK(s.read("facts") == "Linux Linux True");
}

TEST_CASE("-vvv logs commands and timings on stderr, but not those of no_log tasks") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - command: echo visible-marker
    - command: echo hidden-marker
      no_log: true
)");
  RunResult r = s.provision("site.yml -i hosts -vvv");
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.err.find("visible-marker") != std::string::npos);
  CHECK(r.err.find("hidden-marker") == std::string::npos);
  CHECK(r.err.find("done in") != std::string::npos);
  CHECK(r.out.find("hidden-marker") == std::string::npos);
}

TEST_CASE("-vvv shows a no_log argument (user's password) as Ansible does, never its value", "[user]") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - user:
        name: provision-no-such-user-xyz
        password: "$6$secret-hash-marker"
)");
  RunResult r = s.provision("site.yml -i hosts -vvv --check");  // check mode: the account is only read
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(r.err.find("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER") != std::string::npos);
  CHECK(r.err.find("secret-hash-marker") == std::string::npos);
  CHECK(r.out.find("secret-hash-marker") == std::string::npos);
}

TEST_CASE("Ctrl-C stops the run, prints the recap so far and exits 99") {
  Scratch s;
  s.write("hosts", kTwoHosts);
  s.write("site.yml", R"(
- hosts: h1
  gather_facts: false
  tasks:
    - copy: dest={{ playbook_dir }}/before content=x
    - pause: seconds=3
    - copy: dest={{ playbook_dir }}/after content=x
)");
  // The shell sends SIGINT to provision once the pause has started (not after a fixed time: on a loaded machine
  // provision may not have reached it, or even installed its handler).
  std::string inner = std::string(PROVISION_BINARY) + " site.yml -i hosts > run.out 2>&1";
  RunResult r = s.provision_shell("(exec " + inner + ") & pid=$!; n=0; until grep -q 'TASK \\[pause' run.out; do " +
                                  "sleep 0.1; n=$((n+1)); [ $n -lt 600 ] || break; done; kill -INT $pid; wait $pid; " +
                                  "rc=$?; cat run.out; exit $rc");
  INFO(r.out << r.err);
  CHECK(r.rc == 99);
  CHECK(s.exists("before"));
  CHECK_FALSE(s.exists("after"));
  CHECK(r.out.find("PLAY RECAP") != std::string::npos);
}

TEST_CASE("vars_prompt asks on a terminal: confirm until both agree, the default for an empty answer") {
  Scratch s;
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  vars_prompt:
    - {name: who, prompt: Who, private: false}
    - {name: pw, prompt: Password, confirm: true}
    - {name: color, prompt: Color, default: blue}
    - {name: given, prompt: Given}
  tasks:
    - copy: dest={{ playbook_dir }}/answers content="{{ who }}|{{ pw }}|{{ color }}|{{ given }}"
)");
  // script(1) gives provision a terminal; the answers are typed ahead on it. `given` comes from -e: not asked.
  std::string inner = std::string(PROVISION_BINARY) + " site.yml -i localhost, -c local -e given=extra";
  RunResult r = s.provision_shell("printf 'alice\\ns3cret\\nwrong\\ns3cret\\ns3cret\\n\\n' | script -qec '" + inner +
                                  "' /dev/null");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("answers") == "alice|s3cret|blue|extra");
  CHECK(r.out.find("Who: ") != std::string::npos);
  CHECK(r.out.find("confirm Password: ") != std::string::npos);
  CHECK(r.out.find("***** VALUES ENTERED DO NOT MATCH ****") != std::string::npos);
  CHECK(r.out.find("Color [blue]: ") != std::string::npos);
  CHECK(r.out.find("Given") == std::string::npos);
}

TEST_CASE("pause without seconds waits for Enter on a terminal and keeps what was typed") {
  Scratch s;
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - name: ask for the code
      pause:
        prompt: Code
      register: typed
    - name: hidden
      pause:
        echo: false
      register: hidden
    - copy: dest={{ playbook_dir }}/typed content="{{ typed.user_input }}|{{ hidden.user_input }}|{{ typed.stdout }}"
)");
  std::string inner = std::string(PROVISION_BINARY) + " site.yml -i localhost, -c local";
  RunResult r = s.provision_shell("printf 'abc\\nsecret\\n' | script -qec '" + inner + "' /dev/null");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("typed") == "abc|secret|Paused for 0.0 minutes");
  CHECK(r.out.find("[ask for the code]\r\nCode:") != std::string::npos);
  CHECK(r.out.find("[hidden]\r\nPress enter to continue, Ctrl+C to interrupt (output is hidden):") !=
        std::string::npos);
}

TEST_CASE("vars_prompt without a terminal takes the defaults and says so") {
  Scratch s;
  s.write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  vars_prompt:
    - {name: color, prompt: Color, default: blue}
    - {name: nothing}
  tasks:
    - copy: dest={{ playbook_dir }}/answers content="{{ color }}|{{ nothing }}"
)");
  RunResult r = s.provision("site.yml -i localhost, -c local");
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
  CHECK(s.read("answers") == "blue|None");
  CHECK(r.err.find("Not prompting as we are not in interactive mode") != std::string::npos);
}
