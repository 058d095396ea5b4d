#pragma once
// The password lookup (lookup('password', 'PATH key=value ...'), with_password).
#include <string>
#include <vector>

#include "runtime.h"

namespace prov::tmpl {

/// One password per term: read from the term's file, or made (random, or from `seed`) and stored there 0600;
/// `encrypt` gives its hash instead. A relative path is relative to `playbook_dir`.
Value password_lookup(const std::vector<Value>& terms, const Args& args, const std::string& playbook_dir);

}  // namespace prov::tmpl
