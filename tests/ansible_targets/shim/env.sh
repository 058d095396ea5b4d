# What ansible-test (stable-2.14, test/lib/ansible_test/_internal/ansible_util.py and commands/integration/)
# gives a target, sourced by run.sh for both tools:
#   ansible_test_env WORK TOOL_DIR
# WORK holds integration/ (`inventory` and `targets/`, as ansible-test lays them out), output/ (the target's
# OUTPUT_DIR) and home/; TOOL_DIR, when not empty, comes first in PATH (the shims). The PATH is rebuilt so that
# a user's pyenv or virtualenv cannot change which python or ansible a target sees.
shim_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ansible_test_env() {
  local work=$1 tool_dir=$2
  export PATH="${tool_dir:+$tool_dir:}$shim_dir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  export ANSIBLE_CONFIG=$shim_dir/ansible.cfg      # ansible-test's own ansible.cfg is empty
  export ANSIBLE_FORCE_COLOR=false
  export ANSIBLE_FORCE_HANDLERS=true               # so that cleanup handlers run when a test fails
  export ANSIBLE_HOST_PATTERN_MISMATCH=error
  export ANSIBLE_INVENTORY=/dev/null               # every target names its inventory
  export ANSIBLE_DEPRECATION_WARNINGS=false
  export ANSIBLE_HOST_KEY_CHECKING=false
  export ANSIBLE_RETRY_FILES_ENABLED=false
  export ANSIBLE_LIBRARY=/dev/null
  export ANSIBLE_DEVEL_WARNING=false
  export ANSIBLE_PYTHON_INTERPRETER=/set/ansible_python_interpreter/in/inventory
  export ANSIBLE_PYTHON_MODULE_RLIMIT_NOFILE=1024
  export ANSIBLE_WORKER_SHUTDOWN_POLL_COUNT=100
  export ANSIBLE_WORKER_SHUTDOWN_POLL_DELAY=0.1
  export ANSIBLE_TEST_CI='' ANSIBLE_TEST_COVERAGE=''
  export PAGER=/bin/cat
  export OUTPUT_DIR=$work/output
  export INVENTORY_PATH=$work/integration/inventory
  # Private to this run, not set by ansible-test: Ansible's fact cache, temp files and collections stay here.
  export ANSIBLE_HOME=$work/home
  unset ANSIBLE_ROLES_PATH ANSIBLE_STRATEGY ANSIBLE_STDOUT_CALLBACK ANSIBLE_NOCOLOR NO_COLOR
  # ansible-test's junit callback (ANSIBLE_CALLBACKS_ENABLED=junit) only writes reports; it is left out.
}
