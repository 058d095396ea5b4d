#pragma once
// The built-in modules, one accessor per file; src/modules/registry.cc lists them in its one table.
#include "provision/modules/module.h"

namespace prov::mod {

const Module& command_module();
const Module& shell_module();
const Module& raw_module();
const Module& file_module();
const Module& copy_module();
const Module& template_module();
const Module& stat_module();
const Module& debug_module();
const Module& set_fact_module();
const Module& assert_module();
const Module& fail_module();
const Module& pause_module();
const Module& wait_for_module();
const Module& postgresql_db_module();
const Module& postgresql_user_module();
const Module& user_module();
const Module& group_module();
const Module& service_module();
const Module& systemd_module();
const Module& lineinfile_module();
const Module& blockinfile_module();
const Module& logrotate_module();
const Module& ufw_module();
const Module& git_module();
const Module& pip_module();
const Module& apt_module();
const Module& apt_repository_module();
const Module& apt_key_module();
const Module& get_url_module();

}  // namespace prov::mod
