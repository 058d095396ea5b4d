// Global functions: range, dict, namespace, lookup/query (env, file, template, pipe, first_found, vars, items,
// password).
#include <glob.h>

#include <sys/wait.h>
#include <filesystem>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "eval.h"
#include "lookup_password.h"
#include "pyregex.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

/// The object `namespace()` returns: attributes that {% set ns.x = ... %} may change from inside loops.
class Namespace : public Object {
 public:
  std::string type_name() const override { return "Namespace"; }
  bool getattr(const std::string& name, RV& out) const override {
    auto it = attrs_.find(name);
    if (it == attrs_.end()) return false;
    out = it->second;
    return true;
  }
  bool setattr(const std::string& name, const RV& value) override {
    RV stored = value.is_data() && value.ref ? RV(value.raw()) : value;
    stored.make_shared_box(false);  // ns.items.append(x) changes the list the namespace holds
    attrs_[name] = std::move(stored);
    return true;
  }
  std::string str() const override {
    std::string out = "<Namespace {";
    bool first = true;
    for (const auto& [k, v] : attrs_) {
      if (!first) out += ", ";
      first = false;
      out += "'" + k + "': " + (v.is_data() ? py_repr(v.raw()) : "<object>");
    }
    return out + "}>";
  }

 private:
  std::map<std::string, RV> attrs_;
};

using GlobalFn = RV (*)(Ctx& ctx, Args& args);

class Function : public Object {
 public:
  Function(std::string name, GlobalFn fn) : name_(std::move(name)), fn_(fn) {}
  std::string type_name() const override { return "function"; }
  bool callable() const override { return true; }
  RV call(Ctx& ctx, Args& args) override { return fn_(ctx, args); }
  std::string str() const override { return "<function " + name_ + ">"; }

 private:
  std::string name_;
  GlobalFn fn_;
};

RV g_range(Ctx&, Args& args) {
  std::vector<int64_t> n;
  for (const auto& a : args.pos) n.push_back(as_int(a.val()));
  int64_t start = 0, stop = 0, step = 1;
  if (n.size() == 1) {
    stop = n[0];
  } else if (n.size() >= 2) {
    start = n[0];
    stop = n[1];
    if (n.size() > 2) step = n[2];
  } else {
    fail("range expected at least 1 argument, got 0");
  }
  if (step == 0) fail("range() arg 3 must not be zero");
  Value out = Value::array();
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    out.push_back(i);
    // Jinja's range is lazy; ours is a list, so it is bounded (Jinja's sandbox allows 100000).
    if (out.size() > 1000000) fail("range() too long: more than 1000000 items");
  }
  return out;
}

RV g_dict(Ctx&, Args& args) {
  Value out = Value::object();
  if (!args.pos.empty()) {
    const Value& src = args.pos[0].val();
    if (src.is_object()) {
      out = src;
    } else {
      for (const auto& pair : src) {
        if (!pair.is_array() || pair.size() != 2) fail("dictionary update sequence element has wrong length");
        out[py_str(pair[0])] = pair[1];
      }
    }
  }
  for (const auto& [k, v] : args.kw) out[k] = to_data(v);
  return out;
}

RV g_namespace(Ctx&, Args& args) {
  auto ns = std::make_shared<Namespace>();
  if (!args.pos.empty() && args.pos[0].val().is_object())
    for (const auto& [k, v] : args.pos[0].val().items()) ns->setattr(k, RV(v));
  for (const auto& [k, v] : args.kw) ns->setattr(k, v);
  return RV::object(ns);
}

RV g_undef(Ctx&, Args& args) {
  std::string hint = args.pos.empty() ? "" : rv_str(args.pos[0]);
  return RV::undefined("", hint.empty() ? "Mandatory variable has not been overridden" : hint);
}

RV g_now(Ctx&, Args& args) {
  bool utc = py_truthy(arg_or(args, 0, "utc", false));
  Value fmt = arg_or(args, 1, "fmt", nullptr);
  return Value(now_string(utc, fmt.is_null() ? "" : py_str(fmt)));
}

std::string run_pipe(const std::string& command) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  // A fuzzer would otherwise run whatever shell command it happens to compose.
  fail("lookup_plugin.pipe(" + command + ") is disabled in the fuzzing build");
#endif
  FILE* p = popen(command.c_str(), "r");
  if (!p) fail("lookup_plugin.pipe(" + command + ") could not start");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code != 0) fail("lookup_plugin.pipe(" + command + ") returned " + std::to_string(code));
  return out;
}

// first_found's candidates in order, from its terms as Ansible reads them: a mapping gives files (split on , and ;)
// under each of its paths (split on , : and ;) or the files alone, and may set skip; a list is read term by term; a
// string is a name, unless the call gave files= (and paths=) itself.
struct FirstFound {
  std::vector<std::string> names;
  bool skip = false;
};

void split_into(const Value& v, const char* separators, std::vector<std::string>& out) {
  if (v.is_array()) {
    for (const auto& x : v) split_into(x, separators, out);
    return;
  }
  if (v.is_null()) return;
  std::string text = py_str(v), part;
  for (char c : text + separators[0]) {
    if (std::strchr(separators, c) == nullptr) {
      part += c;
    } else {
      if (!part.empty()) out.push_back(part);
      part.clear();
    }
  }
}

// Python's os.path.join of two parts: an absolute second part stands alone.
std::string join_path(const std::string& dir, const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

void first_found_terms(const std::vector<Value>& terms, const Args& args, FirstFound& search) {
  for (const auto& t : terms) {
    if (t.is_array()) {
      first_found_terms(std::vector<Value>(t.begin(), t.end()), args, search);
      continue;
    }
    std::vector<std::string> files, paths;
    if (t.is_object()) {
      if (auto it = t.find("files"); it != t.end()) split_into(*it, ",;", files);
      if (auto it = t.find("paths"); it != t.end()) split_into(*it, ",:;", paths);
      search.skip = t.contains("skip") && py_truthy(t["skip"]);
    } else {
      if (const RV* f = args.kwarg("files")) split_into(f->val(), ",;", files);
      if (const RV* p = args.kwarg("paths")) split_into(p->val(), ",:;", paths);
      search.skip = py_truthy(arg_or(args, 99, "skip", false));
    }
    if (!paths.empty()) {
      for (const auto& path : paths)
        for (const auto& file : files) search.names.push_back(join_path(path, file));
    } else if (!files.empty()) {
      search.names = files;  // Ansible replaces what earlier terms gave
    } else if (!t.is_object()) {
      search.names.push_back(py_str(t));
    }
  }
}

/// The list a lookup plugin returns for its terms.
Value run_lookup(Ctx& ctx, const std::string& plugin, const std::vector<Value>& terms, const Args& args) {
  const Options& opts = ctx.resolver.options;
  Value out = Value::array();
  std::string name = plugin.substr(plugin.rfind('.') == std::string::npos ? 0 : plugin.rfind('.') + 1);
  if (name == "env") {
    Value dflt = arg_or(args, 99, "default", "");
    for (const auto& t : terms) {
      const char* v = std::getenv(py_str(t).c_str());
      out.push_back(v ? Value(v) : dflt);
    }
  } else if (name == "file") {
    bool rstrip = py_truthy(arg_or(args, 99, "rstrip", true));
    bool lstrip = py_truthy(arg_or(args, 99, "lstrip", false));
    for (const auto& t : terms) {
      std::string path = find_file(py_str(t), opts);
      if (path.empty()) fail("could not locate file in lookup: " + py_str(t));
      std::string content = read_file(path);
      content = strip_chars(content, " \t\n\r\v\f", lstrip, rstrip);
      out.push_back(content);
    }
  } else if (name == "template") {
    // Ansible's templar gives back the trailing newlines a template file ends with.
    const bool keep = ctx.resolver.options.keep_trailing_newline;
    ctx.resolver.options.keep_trailing_newline = true;
    for (const auto& t : terms) out.push_back(ctx.render_file(py_str(t), false));
    ctx.resolver.options.keep_trailing_newline = keep;
  } else if (name == "password") {
    RV dir = ctx.lookup("playbook_dir");
    return password_lookup(terms, args, dir.is_undefined() ? std::string() : rv_str(dir));
  } else if (name == "pipe") {
    for (const auto& t : terms) out.push_back(strip_chars(run_pipe(py_str(t)), " \t\n\r\v\f", false, true));
  } else if (name == "lines") {
    for (const auto& t : terms)
      for (auto& line : split_lines(run_pipe(py_str(t)))) out.push_back(line);
  } else if (name == "fileglob") {
    for (const auto& t : terms) {
      std::string pattern = py_str(t);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
      if (pattern.find('/') != std::string::npos) continue;  // no walking the fuzzing machine's file system
#endif
      // As Ansible's fileglob: a bare pattern globs in the first search folder where it matches a file; one with
      // folders globs only in the first search folder holding those folders (or the absolute folder named).
      std::string folder, file_pattern = pattern;
      if (size_t slash = pattern.rfind('/'); slash != std::string::npos) {
        folder = pattern.substr(0, slash == 0 ? 1 : slash);
        file_pattern = pattern.substr(slash + 1);
      }
      std::vector<std::string> dirs;
      if (folder.empty()) {
        dirs = opts.search_paths;
      } else if (folder[0] == '/') {
        dirs = {folder};
      } else {
        for (const auto& dir : opts.search_paths) {
          if (std::filesystem::exists(dir + "/" + folder)) {
            dirs = {dir + "/" + folder};
            break;
          }
        }
      }
      for (const auto& dir : dirs) {
        glob_t g{};
        std::vector<std::string> files;
        if (glob((dir + "/" + file_pattern).c_str(), 0, nullptr, &g) == 0) {
          for (size_t i = 0; i < g.gl_pathc; ++i) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(g.gl_pathv[i], ec)) files.emplace_back(g.gl_pathv[i]);
          }
        }
        globfree(&g);
        if (files.empty()) continue;
        for (auto& f : files) out.push_back(std::move(f));
        break;
      }
    }
  } else if (name == "first_found") {
    FirstFound search;
    first_found_terms(terms, args, search);
    for (const auto& f : search.names) {
      std::string found = find_file(f, opts);
      if (!found.empty()) {
        out.push_back(found);
        return out;
      }
    }
    if (search.skip) return out;
    fail("No file was found when using first_found.");
  } else if (name == "varnames") {
    for (const auto& t : terms) {
      if (!t.is_string()) fail("Invalid setting identifier, \"" + py_str(t) + "\" is not a string");
      PyRegex re = compile_regex(t.get<std::string>());
      RegexMatch m;
      for (const auto& var : ctx.resolver.vars.names())
        if (re.search(var, m)) out.push_back(var);
    }
  } else if (name == "random_choice") {
    // One term picked at random; none for no terms, as Ansible.
    if (!terms.empty()) {
      std::random_device rd;
      out.push_back(terms[std::uniform_int_distribution<size_t>(0, terms.size() - 1)(rd)]);
    }
  } else if (name == "vars") {
    for (const auto& t : terms) {
      RV v = ctx.lookup(py_str(t));
      if (v.is_undefined()) {
        if (const RV* d = args.kwarg("default")) {
          out.push_back(d->val());
          continue;
        }
        fail("No variable found with this name: " + py_str(t));
      }
      out.push_back(to_data(v));
    }
  } else if (name == "items" || name == "list") {
    for (const auto& t : terms) {
      if (t.is_array() && name == "items") {
        for (const auto& x : t) out.push_back(x);
      } else {
        out.push_back(t);
      }
    }
  } else if (name == "dict") {
    for (const auto& t : terms) {
      if (!t.is_object()) fail("with_dict expects a dict");
      for (const auto& [k, v] : t.items()) out.push_back(Value{{"key", k}, {"value", v}});
    }
  } else if (name == "indexed_items") {
    int64_t i = 0;
    for (const auto& t : terms)
      for (const auto& x : (t.is_array() ? t : Value::array({t}))) out.push_back(Value::array({i++, x}));
  } else {
    std::optional<Value> answered;
    if (opts.lookup_hook) answered = opts.lookup_hook(name, terms);
    if (!answered) fail("lookup plugin (" + plugin + ") not found");
    return *answered;
  }
  return out;
}

std::vector<Value> lookup_terms(Args& args) {
  std::vector<Value> terms;
  for (size_t i = 1; i < args.pos.size(); ++i) terms.push_back(args.pos[i].val());
  return terms;
}

/// What a lookup returns is data unless the call says allow_unsafe=True (Ansible's rule): the render that made
/// it is marked, so it is never templated again.
Value marked_lookup(Ctx& ctx, const std::string& plugin, Args& args) {
  if (ctx.resolver.options.disable_lookups) fail("lookups are disabled here: lookup_plugin." + plugin);
  Value ran = run_lookup(ctx, plugin, lookup_terms(args), args);
  if (!ran.empty() && !py_truthy(arg_or(args, 99, "allow_unsafe", false))) ctx.resolver.read_data = true;
  return ran;
}

RV g_lookup(Ctx& ctx, Args& args) {
  std::string plugin = rv_str(arg(args, 0, "name", "lookup"));
  Value ran = marked_lookup(ctx, plugin, args);
  if (py_truthy(arg_or(args, 99, "wantlist", false))) return ran;
  // Ansible joins string results with commas; a lone non-string result is returned as it is.
  bool all_strings = std::all_of(ran.begin(), ran.end(), [](const Value& v) { return v.is_string(); });
  if (all_strings) {
    std::string joined;
    for (size_t i = 0; i < ran.size(); ++i) joined += (i ? "," : "") + ran[i].get<std::string>();
    return Value(joined);
  }
  if (ran.size() == 1) return ran[0];
  return ran;
}

RV g_query(Ctx& ctx, Args& args) {
  std::string plugin = rv_str(arg(args, 0, "name", "query"));
  return marked_lookup(ctx, plugin, args);
}

}  // namespace

Value query(const std::string& plugin, const std::vector<Value>& terms, const Vars& vars, const Options& options) {
  if (options.disable_lookups) throw TemplateError("lookups are disabled here: lookup_plugin." + plugin);
  Resolver resolver(vars, options);
  Ctx ctx(resolver, nullptr);
  Args none;
  return run_lookup(ctx, plugin, terms, none);
}

bool find_global(const std::string& name, RV& out) {
  static const std::map<std::string, GlobalFn> table = {
      {"range", g_range}, {"dict", g_dict}, {"namespace", g_namespace}, {"lookup", g_lookup},
      {"query", g_query}, {"q", g_query},   {"undef", g_undef},         {"now", g_now},
  };
  auto it = table.find(name);
  if (it == table.end()) return false;
  out = RV::object(std::make_shared<Function>(name, it->second));
  return true;
}

}  // namespace prov::tmpl
