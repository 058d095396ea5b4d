# shellcheck shell=bash
# shellcheck disable=SC2154 # the settings come from bench/run.sh
# Generated playbooks and inventories of bench/run.sh. Sourced, never run.

# sandbox_ip, sandbox_vars and sandbox_site_inventory.
# shellcheck source=../../tests/sandbox/lib/inventory.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/sandbox/lib/inventory.sh"

# site.yml's inventory: web1 on sbx1 and es1 on sbx2.
gen_site_inventory() { sandbox_site_inventory "$1" "$2" "$3" 1 2; } # DIR REPO STATE_DIR

# Group `bench`: one name per host number, sbxN; or NAMES names per host (sbxN_1..sbxN_NAMES), each a separate SSH
# session to the same address.
gen_hosts_inventory() { # FILE STATE_DIR NAMES HOST_NUMBERS...
  local file=$1 state=$2 names=$3 n k
  shift 3
  {
    printf '[bench]\n'
    for n in "$@"; do
      if ((names == 1)); then
        printf 'sbx%s ansible_host=%s\n' "$n" "$(sandbox_ip "$n")"
      else
        for ((k = 1; k <= names; k++)); do printf 'sbx%s_%s ansible_host=%s\n' "$n" "$k" "$(sandbox_ip "$n")"; done
      fi
    done
    printf '\n[bench:vars]\n'
    sandbox_vars "$state"
  } >"$file"
}

# COUNT separate, idempotent `file: state=directory` tasks (not a loop) on group `bench`. DIR is the remote
# parent folder; with PER_HOST=1 each inventory name gets its own folder (names sharing a host do not race).
gen_file_tasks() { # FILE COUNT DIR [PER_HOST]
  local file=$1 count=$2 dir=$3 i
  [[ ${4:-0} == 1 ]] && dir="$dir/{{ inventory_hostname }}"
  {
    printf -- '- name: %s file tasks\n  hosts: bench\n  gather_facts: false\n' "$count"
    if ((count == 0)); then
      printf '  tasks: []\n'
    else
      printf '  tasks:\n'
      for ((i = 1; i <= count; i++)); do
        printf '    - name: dir %s\n      file: path=%s/d%s state=directory\n' "$i" "$dir" "$i"
      done
    fi
  } >"$file"
}

# Scenario 5: pb.yml with ROLES roles of TASKS tasks each, a mix of modules (file, copy with templated content,
# template, command with when, lineinfile with tags, debug with a loop, set_fact, a block of two tasks, handlers
# and notify), role defaults and vars. Nothing is run: it is only loaded and listed.
gen_roles_playbook() { # DIR ROLES TASKS
  local dir=$1 roles=$2 tasks=$3 r i n name
  mkdir -p "$dir/roles"
  {
    printf -- '- name: generated\n  hosts: all\n  gather_facts: false\n  vars:\n    base: /srv/gen\n  roles:\n'
    for ((r = 1; r <= roles; r++)); do printf '    - role: role%02d\n' "$r"; done
  } >"$dir/pb.yml"
  for ((r = 1; r <= roles; r++)); do
    name=$(printf 'role%02d' "$r")
    mkdir -p "$dir/roles/$name/"{tasks,defaults,vars,handlers,templates}
    printf -- '---\n%s_enabled: true\n%s_greeting: hello from %s\n%s_items: [a, b, c]\n' \
      "$name" "$name" "$name" "$name" >"$dir/roles/$name/defaults/main.yml"
    printf -- '---\n%s_dir: "{{ base }}/%s"\n' "$name" "$name" >"$dir/roles/$name/vars/main.yml"
    printf '# {{ ansible_managed | default("generated") }}\n{{ %s_greeting }} {{ item | default("") }}\n' \
      "$name" >"$dir/roles/$name/templates/conf.j2"
    printf -- '---\n- name: %s reload\n  command: /bin/true\n' "$name" >"$dir/roles/$name/handlers/main.yml"
    {
      printf -- '---\n'
      # i numbers the entries, n counts tasks (a block holds two) up to TASKS.
      for ((i = 1, n = 0; n < tasks; i++, n++)); do
        ((n + 2 > tasks && i % 8 == 7)) && i=$((i + 1))
        ((i % 8 == 7)) && n=$((n + 1))
        case $((i % 8)) in
          0) printf -- '- name: %s dir %s\n  file:\n    path: "{{ %s_dir }}/d%s"\n    state: directory\n    mode: "0755"\n' \
            "$name" "$i" "$name" "$i" ;;
          1) printf -- '- name: %s copy %s\n  copy:\n    content: "{{ %s_greeting }} %s\\n"\n    dest: "{{ %s_dir }}/c%s"\n  notify: %s reload\n' \
            "$name" "$i" "$name" "$i" "$name" "$i" "$name" ;;
          2) printf -- '- name: %s template %s\n  template:\n    src: conf.j2\n    dest: "{{ %s_dir }}/t%s.conf"\n    mode: "0644"\n' \
            "$name" "$i" "$name" "$i" ;;
          3) printf -- '- name: %s command %s\n  command: echo %s\n  when: %s_enabled | bool and %s > 2\n  changed_when: false\n' \
            "$name" "$i" "$i" "$name" "$i" ;;
          4) printf -- '- name: %s line %s\n  lineinfile:\n    path: "{{ %s_dir }}/lines"\n    line: "entry %s"\n    create: true\n  tags: [%s, lines]\n' \
            "$name" "$i" "$name" "$i" "$name" ;;
          5) printf -- '- name: %s debug %s\n  debug:\n    msg: "{{ item }} %s"\n  loop: "{{ %s_items }}"\n' \
            "$name" "$i" "$i" "$name" ;;
          6) printf -- '- name: %s fact %s\n  set_fact:\n    %s_fact%s: "{{ %s_greeting | upper }}"\n' \
            "$name" "$i" "$name" "$i" "$name" ;;
          7) printf -- '- name: %s block %s\n  block:\n    - name: %s stat %s\n      stat:\n        path: "{{ %s_dir }}/d%s"\n      register: st%s\n    - name: %s show %s\n      debug:\n        var: st%s\n' \
            "$name" "$i" "$name" "$i" "$name" "$i" "$i" "$name" "$i" "$i" ;;
        esac
      done
    } >"$dir/roles/$name/tasks/main.yml"
  done
}
