// Statements: output, if, for (with the loop object), set, macro/call, include, filter and with blocks.
#include <algorithm>

#include "eval.h"
#include "parser.h"

namespace prov::tmpl {
namespace {

/// `loop` inside a for body. The items are shared by every iteration's loop object.
class LoopObject : public Object {
 public:
  LoopObject(std::shared_ptr<const std::vector<RV>> items, size_t index, const Node& node, int depth)
      : items_(std::move(items)), index_(index), node_(node), depth_(depth) {}
  std::string type_name() const override { return "LoopContext"; }
  bool callable() const override { return node_.recursive; }
  /// loop(children) in a recursive loop renders the loop body again over children, one level deeper.
  RV call(Ctx& ctx, Args& args) override {
    if (args.pos.empty()) fail("loop() takes exactly one argument");
    CallDepth nested(ctx.resolver);
    std::string out;
    ctx.run_loop(node_, args.pos[0], depth_ + 1, out);
    return Value(out);
  }
  bool getattr(const std::string& name, RV& out) const override {
    const auto& items = *items_;
    auto n = static_cast<int64_t>(items.size());
    auto i = static_cast<int64_t>(index_);
    if (name == "index")
      out = Value(i + 1);
    else if (name == "index0")
      out = Value(i);
    else if (name == "revindex")
      out = Value(n - i);
    else if (name == "revindex0")
      out = Value(n - i - 1);
    else if (name == "first")
      out = Value(i == 0);
    else if (name == "last")
      out = Value(i == n - 1);
    else if (name == "length")
      out = Value(n);
    else if (name == "depth")
      out = Value(depth_ + 1);
    else if (name == "depth0")
      out = Value(depth_);
    else if (name == "previtem")
      out = i > 0 ? items[index_ - 1] : RV::undefined("previtem", "there is no previous item");
    else if (name == "nextitem")
      out = i + 1 < n ? items[index_ + 1] : RV::undefined("nextitem", "there is no next item");
    else if (name == "cycle")
      out = RV::object(std::make_shared<Cycle>(index_));
    else if (name == "changed")
      out = RV::object(std::make_shared<Changed>(items_, index_));
    else
      return false;
    return true;
  }

 private:
  struct Cycle : Object {
    explicit Cycle(size_t i) : index(i) {}
    size_t index;
    std::string type_name() const override { return "method"; }
    bool callable() const override { return true; }
    RV call(Ctx&, Args& args) override {
      if (args.pos.empty()) fail("no items for cycling given");
      return args.pos[index % args.pos.size()];
    }
  };
  /// loop.changed(value): true on the first iteration and whenever value differs from the previous call's.
  struct Changed : Object {
    Changed(std::shared_ptr<const std::vector<RV>> items, size_t i) : items_ref(std::move(items)), index(i) {}
    std::shared_ptr<const std::vector<RV>> items_ref;
    size_t index;
    std::string type_name() const override { return "method"; }
    bool callable() const override { return true; }
    RV call(Ctx& ctx, Args& args) override {
      Value now = Value::array();
      for (const auto& a : args.pos) now.push_back(to_data(a));
      auto& last = ctx.loop_changed_last[items_ref.get()];
      bool changed = index == 0 || !py_eq(last, now);
      last = now;
      return Value(changed);
    }
  };
  std::shared_ptr<const std::vector<RV>> items_;
  size_t index_;
  const Node& node_;
  int depth_;
};

/// A {% macro %} or the `caller` of a {% call %} block.
class Macro : public Object, public std::enable_shared_from_this<Macro> {
 public:
  Macro(const std::vector<MacroParam>& params, const Body& body, std::vector<Scope> closure,
        std::shared_ptr<const Template> tmpl, std::string name)
      : params_(params), body_(body), closure_(std::move(closure)), tmpl_(std::move(tmpl)), name_(std::move(name)) {}
  std::string type_name() const override { return "Macro"; }
  bool callable() const override { return true; }
  bool getattr(const std::string& name, RV& out) const override {
    if (name == "name") {
      out = Value(name_);
      return true;
    }
    return false;
  }
  RV call(Ctx& caller_ctx, Args& args) override {
    CallDepth nested(caller_ctx.resolver);
    caller_ctx.resolver.step();
    Ctx ctx(caller_ctx.resolver, tmpl_);
    ctx.scopes = closure_;
    ctx.scopes.emplace_back();
    Scope& frame = ctx.scopes.back();
    // The macro sees itself (for recursion) through the call frame: a closure holding it would be a cycle.
    if (name_ != "caller") frame[name_] = RV::object(shared_from_this());
    Value varargs = Value::array();
    for (size_t i = 0; i < args.pos.size(); ++i) {
      if (i < params_.size())
        frame[params_[i].name] = args.pos[i];
      else
        varargs.push_back(to_data(args.pos[i]));
    }
    Value kwargs = Value::object();
    for (auto& [k, v] : args.kw) {
      const std::string& key = k;  // clang 14 cannot capture a structured binding
      auto it = std::find_if(params_.begin(), params_.end(), [&](const MacroParam& p) { return p.name == key; });
      if (it != params_.end())
        frame[k] = v;
      else if (k == "caller")
        frame["caller"] = v;
      else
        kwargs[k] = to_data(v);
    }
    for (const auto& p : params_) {
      if (frame.count(p.name)) continue;
      frame[p.name] = p.default_value ? ctx.eval(*p.default_value)
                                      : RV::undefined(p.name, "parameter '" + p.name + "' was not provided");
    }
    frame["varargs"] = RV(varargs).with_shape(RV::Shape::Tuple);
    frame["kwargs"] = kwargs;
    std::string out;
    ctx.exec(body_, out);
    return Value(out);
  }

 private:
  const std::vector<MacroParam>& params_;
  const Body& body_;
  std::vector<Scope> closure_;
  std::shared_ptr<const Template> tmpl_;
  std::string name_;
};

/// What `{% import 'x' as m %}` binds: the macros and top-level variables of the imported template.
class Module : public Object {
 public:
  explicit Module(Scope names) : names_(std::move(names)) {}
  std::string type_name() const override { return "TemplateModule"; }
  bool getattr(const std::string& name, RV& out) const override {
    auto it = names_.find(name);
    if (it == names_.end()) return false;
    out = it->second;
    return true;
  }

 private:
  Scope names_;
};

void unpack(Scope& scope, const std::vector<std::string>& targets, const RV& item) {
  if (targets.size() == 1) {
    scope[targets[0]] = item;
    return;
  }
  std::vector<RV> parts = iterate(item);
  if (parts.size() < targets.size())
    fail("not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
         std::to_string(parts.size()) + ")");
  if (parts.size() > targets.size())
    fail("too many values to unpack (expected " + std::to_string(targets.size()) + ")");
  for (size_t i = 0; i < targets.size(); ++i) scope[targets[i]] = parts[i];
}

}  // namespace

// A template file's line, or for text from a playbook value the place of its task or play (a line inside the
// value would read as a line of the file).
static SourceLoc statement_loc(const Template& t, int line) {
  return t.in_value ? SourceLoc{t.name, 0, 0} : SourceLoc{t.name, line, 0};
}

void Ctx::exec(const Body& body, std::string& out) {
  std::string dropped;
  for (const auto& n : body) {
    try {
      // After {% extends %}, only the parent's text is output; the child's statements still run.
      exec_node(*n, inh && inh->parent ? dropped : out);
      dropped.clear();
      check_size(out.size(), "rendered text");
    } catch (const UndefinedError& e) {
      // The innermost statement knows the line; outer ones see a located error and pass it on.
      if (e.loc().known() || !tmpl || tmpl->name.empty()) throw;
      throw UndefinedError(e.name(), e.message(), statement_loc(*tmpl, n->line));
    } catch (const TemplateError& e) {
      if (e.loc().known() || !tmpl || tmpl->name.empty()) throw;
      throw TemplateError(e.message(), statement_loc(*tmpl, n->line), e.hint());
    }
  }
}

void Ctx::exec_node(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::Text:
      out += n.text;
      return;
    case Node::Kind::Output: {
      RV v = eval(*n.expr);
      // Ansible's finalize prints None as an empty string.
      if (v.is_data() && v.raw().is_null()) return;
      out += rv_str(v);
      return;
    }
    case Node::Kind::If:
      for (const auto& [cond, body] : n.branches) {
        if (rv_truthy(eval(*cond))) {
          exec(body, out);
          return;
        }
      }
      exec(n.else_body, out);
      return;
    case Node::Kind::For:
      exec_for(n, out);
      return;
    case Node::Kind::Set:
      exec_set(n, out);
      return;
    case Node::Kind::Macro: {
      auto m = std::make_shared<Macro>(n.params, n.body, scopes, tmpl, n.name);
      assign(n.name, RV::object(m));
      return;
    }
    case Node::Kind::CallBlock:
      exec_call_block(n, out);
      return;
    case Node::Kind::Block:
      exec_block(n, out);
      return;
    case Node::Kind::Extends:
      exec_extends(n);
      return;
    case Node::Kind::Include: {
      RV name = eval(*n.expr);
      out += render_file(rv_str(name), n.ignore_missing);
      return;
    }
    case Node::Kind::FilterBlock: {
      std::string inner;
      scopes.emplace_back();
      exec(n.body, inner);
      // The filter chain was parsed with a missing innermost input: feed it the block's output.
      std::vector<const Expr*> chain;
      for (const Expr* e = n.expr.get(); e; e = e->a.get()) chain.push_back(e);
      RV value = Value(inner);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        Args args = eval_args((*it)->args);
        value = filter((*it)->name, value, args);
      }
      scopes.pop_back();
      out += rv_str(value);
      return;
    }
    case Node::Kind::Import: {
      Scope names = import_file(rv_str(eval(*n.expr)));
      if (!n.attr.empty()) {
        assign(n.attr, RV::object(std::make_shared<Module>(std::move(names))));
        return;
      }
      for (const auto& [name, alias] : n.imports) {
        auto it = names.find(name);
        if (it == names.end()) fail("the template does not export the requested name '" + name + "'");
        assign(alias, it->second);
      }
      return;
    }
    case Node::Kind::With: {
      Scope frame;
      for (size_t i = 0; i < n.targets.size(); ++i) frame[n.targets[i]] = eval(*n.with_values[i]);
      scopes.push_back(std::move(frame));
      exec(n.body, out);
      scopes.pop_back();
      return;
    }
  }
}

void Ctx::exec_for(const Node& n, std::string& out) { run_loop(n, eval(*n.expr), 0, out); }

void Ctx::run_loop(const Node& n, const RV& seq, int depth, std::string& out) {
  std::vector<RV> all = iterate(seq);
  auto items = std::make_shared<std::vector<RV>>();
  if (n.cond) {
    // `for x in xs if cond`: the condition sees the loop variable; loop.* counts only the kept items.
    for (auto& item : all) {
      resolver.step();
      scopes.emplace_back();
      unpack(scopes.back(), n.targets, item);
      bool keep = rv_truthy(eval(*n.cond));
      scopes.pop_back();
      if (keep) items->push_back(std::move(item));
    }
  } else {
    *items = std::move(all);
  }
  if (items->empty()) {
    exec(n.else_body, out);
    return;
  }
  std::shared_ptr<const std::vector<RV>> shared = items;
  for (size_t i = 0; i < shared->size(); ++i) {
    resolver.step();
    scopes.emplace_back();
    unpack(scopes.back(), n.targets, (*shared)[i]);
    scopes.back()["loop"] = RV::object(std::make_shared<LoopObject>(shared, i, n, depth));
    exec(n.body, out);
    scopes.pop_back();
  }
}

void Ctx::exec_set(const Node& n, std::string& out) {
  (void)out;
  RV value;
  if (n.expr) {
    value = eval(*n.expr);
  } else {
    std::string inner;
    exec(n.body, inner);
    value = Value(inner);
    if (n.cond) {
      std::vector<const Expr*> chain;
      for (const Expr* e = n.cond.get(); e; e = e->a.get()) chain.push_back(e);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        Args args = eval_args((*it)->args);
        value = filter((*it)->name, value, args);
      }
    }
  }
  if (!n.attr.empty()) {
    RV target = lookup(n.targets[0]);
    if (!target.is_object() || !target.obj->setattr(n.attr, value))
      fail("cannot assign attribute on non-namespace object");
    return;
  }
  if (n.targets.size() == 1) {
    assign(n.targets[0], value);
    return;
  }
  unpack(scopes.back(), n.targets, value);
}

void Ctx::exec_call_block(const Node& n, std::string& out) {
  auto caller = std::make_shared<Macro>(n.params, n.body, scopes, tmpl, "caller");
  RV callee = eval(*n.expr->a);
  Args args = eval_args(n.expr->args);
  args.kw.emplace_back("caller", RV::object(caller));
  out += rv_str(call(callee, args));
}

std::shared_ptr<const Template> parse_template_file(const std::string& path, const Options& options) {
  Options opts = options;
  opts.name = path;
  opts.in_value = false;
  opts.escape_backslashes = false;
  std::string source = read_file(path);
  if (!opts.keep_trailing_newline && !source.empty() && source.back() == '\n') source.pop_back();
  return parse_template(source, opts);
}

Scope Ctx::import_file(const std::string& name) {
  CallDepth nested(resolver);
  std::string path = find_file(name, resolver.options);
  if (path.empty()) throw TemplateError("the template file " + name + " could not be found for the import");
  auto t = parse_template_file(path, resolver.options);
  // Imports see no variables of the importing template, as in Jinja.
  Ctx inner(resolver, t);
  std::string ignored;
  inner.exec(t->body, ignored);
  // Values may point into the imported template's tree; macros keep that tree alive, plain values must own data.
  Scope names = inner.scopes.front();
  for (auto& [key, value] : names) {
    if (value.ref) {
      RV owned(value.raw());
      owned.shape = value.shape;
      value = owned;
    }
  }
  return names;
}

std::string Ctx::render_file(const std::string& name, bool ignore_missing) {
  CallDepth nested(resolver);
  std::string path = find_file(name, resolver.options);
  if (path.empty()) {
    if (ignore_missing) return "";
    throw TemplateError("the template file " + name + " could not be found for the lookup");
  }
  auto t = parse_template_file(path, resolver.options);
  Ctx inner(resolver, t);
  inner.scopes = scopes;
  inner.scopes.emplace_back();
  std::string out;
  inner.render_template(out);
  return out;
}

}  // namespace prov::tmpl
