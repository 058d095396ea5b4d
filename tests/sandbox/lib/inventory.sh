# shellcheck shell=bash
# Inventories for the sandbox hosts, shared by the test scripts and the benchmark (not by sandbox.sh itself).
# Sourced, never run. Addresses follow common.sh's plan: sbxN is 10.213.0.(10+N).

sandbox_ip() { echo "10.213.0.$((10 + $1))"; } # N

# An inventory's connection settings for the sandbox hosts, one per line (absolute paths: runs happen in other
# folders): root over SSH with the sandbox's key, and only the sandbox's known_hosts, strictly checked.
sandbox_vars() { # STATE_DIR
  printf "ansible_user=root\nansible_ssh_private_key_file=%s\n" "$1/id_ed25519"
  printf "ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'\n" "$1/known_hosts"
}

# sbxN started afresh (reset twice at most) with Python for Ansible's modules and the given Debian packages, so
# that Ansible and provision see the same host. Returns non-zero when the host could not be prepared.
fresh_host_for_ansible() { # SANDBOX_SH N [PACKAGE...]
  local sandbox=$1 n=$2
  shift 2
  "$sandbox" reset "sbx$n" >/dev/null 2>&1 || "$sandbox" reset "sbx$n" >/dev/null 2>&1 || return 1
  "$sandbox" exec "sbx$n" sh -c "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends python3 $* >/dev/null"
}

# site.yml's inventory in DIR (DIR/hosts): inventory/sandbox's group_vars, web1 on sbxWEB and es1 on sbxES.
sandbox_site_inventory() { # DIR REPO STATE_DIR WEB ES
  mkdir -p "$1"
  ln -sfn "$2/inventory/sandbox/group_vars" "$1/group_vars"
  {
    printf '[webservers]\nweb1 ansible_host=%s\n\n' "$(sandbox_ip "$4")"
    printf '[elasticsearch]\nes1 ansible_host=%s\n\n' "$(sandbox_ip "$5")"
    printf '[all:vars]\n'
    sandbox_vars "$3"
  } >"$1/hosts"
}
