// --step, answered on standard input as ansible-playbook reads it; the expected output is ansible-playbook 2.14's
// for the same playbook and answers on this machine.
#include <catch2/catch.hpp>

#include "harness.h"

namespace {

const char* kPlaybook = R"(- hosts: localhost
  gather_facts: true
  tasks:
    - name: first {{ 1 + 1 }}
      debug: msg=one
    - debug: msg=two
      notify: h
      changed_when: true
  handlers:
    - name: h
      debug: msg=handler
)";

const char* kTwoPlays = R"(- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg=a
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg=b
    - debug: msg=c
)";

}  // namespace

TEST_CASE("--step asks before each task and handler; no skips the task, yes runs it") {
  Scratch s;
  s.write("st.yml", kPlaybook);
  RunResult r = s.provision_shell("printf 'y\\nn\\nyes\\ny\\n' | NO_COLOR=1 " + std::string(PROVISION_BINARY) +
                                  " -i localhost, -c local --step st.yml");
  CHECK(r.rc == 0);
  CHECK(r.out ==
        "\n"
        "PLAY [localhost] ***************************************************************\n"
        "Perform task: TASK: Gathering Facts (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: Gathering Facts (N)o/(y)es/(c)ontinue: *********************\n"
        "\n"
        "TASK [Gathering Facts] *********************************************************\n"
        "ok: [localhost]\n"
        "Perform task: TASK: first {{ 1 + 1 }} (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: first {{ 1 + 1 }} (N)o/(y)es/(c)ontinue: *******************\n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: *******************************\n"
        "\n"
        "TASK [debug] *******************************************************************\n"
        "changed: [localhost] => {\n"
        "    \"msg\": \"two\"\n"
        "}\n"
        "Perform task: HANDLER: h (N)o/(y)es/(c)ontinue: \n"
        "Perform task: HANDLER: h (N)o/(y)es/(c)ontinue: ********************************\n"
        "\n"
        "RUNNING HANDLER [h] ************************************************************\n"
        "ok: [localhost] => {\n"
        "    \"msg\": \"handler\"\n"
        "}\n"
        "\n"
        "PLAY RECAP *********************************************************************\n"
        "localhost                  : ok=3    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    "
        "ignored=0   \n"
        "\n");
}

TEST_CASE("--step: continue stops the questions until the next play") {
  Scratch s;
  s.write("st2.yml", kTwoPlays);
  RunResult r = s.provision_shell("printf 'c\\ny\\nc\\n' | NO_COLOR=1 " + std::string(PROVISION_BINARY) +
                                  " -i localhost, -c local --step st2.yml");
  CHECK(r.rc == 0);
  CHECK(r.out ==
        "\n"
        "PLAY [localhost] ***************************************************************\n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: *******************************\n"
        "\n"
        "TASK [debug] *******************************************************************\n"
        "ok: [localhost] => {\n"
        "    \"msg\": \"a\"\n"
        "}\n"
        "\n"
        "PLAY [localhost] ***************************************************************\n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: *******************************\n"
        "\n"
        "TASK [debug] *******************************************************************\n"
        "ok: [localhost] => {\n"
        "    \"msg\": \"b\"\n"
        "}\n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: \n"
        "Perform task: TASK: debug (N)o/(y)es/(c)ontinue: *******************************\n"
        "\n"
        "TASK [debug] *******************************************************************\n"
        "ok: [localhost] => {\n"
        "    \"msg\": \"c\"\n"
        "}\n"
        "\n"
        "PLAY RECAP *********************************************************************\n"
        "localhost                  : ok=3    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    "
        "ignored=0   \n"
        "\n");
}

TEST_CASE("--step without an answer ends the run") {
  Scratch s;
  s.write("st2.yml", kTwoPlays);
  RunResult r = s.provision_shell("NO_COLOR=1 " + std::string(PROVISION_BINARY) +
                                  " -i localhost, -c local --step st2.yml </dev/null");
  CHECK(r.rc == 1);
  CHECK(r.err.find("ERROR! --step: no answer to \"Perform task: TASK: debug (N)o/(y)es/(c)ontinue: \"") !=
        std::string::npos);
  CHECK(r.out.find("ok: [localhost]") == std::string::npos);
  CHECK(r.out.find("PLAY RECAP") == std::string::npos);
}
