// Filters over text: case, trim, replace, regex_*, split, indent, quote, paths, truncate, comment, urlsplit.
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "filters.h"
#include "pyregex.h"
#include "strings.h"

namespace prov::tmpl {
namespace {

RV f_upper(Ctx&, const RV& in, Args&) { return Value(to_upper(rv_str(in))); }
RV f_lower(Ctx&, const RV& in, Args&) { return Value(to_lower(rv_str(in))); }
RV f_capitalize(Ctx&, const RV& in, Args&) { return Value(capitalize(rv_str(in))); }
// Jinja's title filter starts words only after spaces, '-', and opening brackets (not after "'" or '_').
RV f_title(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in), out;
  bool start = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = std::isspace(u) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
  }
  return Value(out);
}

RV f_trim(Ctx&, const RV& in, Args& a) {
  Value chars = arg_or(a, 0, "chars", nullptr);
  return Value(strip_chars(rv_str(in), chars.is_null() ? " \t\n\r\v\f" : py_str(chars), true, true));
}

RV f_replace(Ctx&, const RV& in, Args& a) {
  Value count = arg_or(a, 2, "count", nullptr);
  return Value(replace_all(rv_str(in), rv_str(arg(a, 0, "old", "replace")), rv_str(arg(a, 1, "new", "replace")),
                           count.is_null() ? -1 : as_int(count)));
}

PyRegex regex_from(const Args& a, size_t pattern_at, const char* who) {
  return compile_regex(rv_str(arg(a, pattern_at, "pattern", who)), py_truthy(arg_or(a, 99, "ignorecase", false)),
                       py_truthy(arg_or(a, 99, "multiline", false)));
}

RV f_regex_replace(Ctx&, const RV& in, Args& a) {
  std::string s = rv_str(in);
  std::string repl = py_str(arg_or(a, 1, "replacement", ""));
  PyRegex rx = compile_regex(rv_str(arg(a, 0, "pattern", "regex_replace")),
                             py_truthy(arg_or(a, 2, "ignorecase", false)), py_truthy(arg_or(a, 3, "multiline", false)));
  int64_t count = as_int(arg_or(a, 99, "count", 0));
  // Python's re.sub: a negative count replaces nothing.
  if (count < 0) return Value(s);
  return Value(rx.sub(s, repl, static_cast<size_t>(count)));
}

// Ansible's regex_search: the whole match, or a list of the groups that \N and \g<name> arguments name.
RV f_regex_search(Ctx&, const RV& in, Args& a) {
  std::string s = rv_str(in);
  std::vector<std::string> refs;
  for (size_t i = 1; i < a.pos.size(); ++i) refs.push_back(rv_str(a.pos[i]));
  std::vector<Value> groups;
  for (const auto& ref : refs) {
    if (ref.rfind("\\g", 0) == 0) {
      // re.match(r'\\g<(\S+)>', arg).group(1): the name is a string, even when it is made of digits.
      size_t close = ref.find('>', 3);
      bool ok = ref.size() > 3 && ref[2] == '<' && close != std::string::npos && close > 3;
      for (size_t k = 3; ok && k < close; ++k) ok = !std::isspace(static_cast<unsigned char>(ref[k]));
      if (!ok) fail("'NoneType' object has no attribute 'group'");
      groups.emplace_back(ref.substr(3, close - 3));
    } else if (ref.rfind("\\", 0) == 0) {
      size_t end = 1;
      while (end < ref.size() && end < 19 && std::isdigit(static_cast<unsigned char>(ref[end]))) ++end;
      if (end == 1) fail("'NoneType' object has no attribute 'group'");
      groups.emplace_back(static_cast<int64_t>(std::stoll(ref.substr(1, end - 1))));
    } else {
      fail("Unknown argument");
    }
  }
  PyRegex rx = regex_from(a, 0, "regex_search");
  RegexMatch m;
  if (!rx.search(s, m)) return Value(nullptr);
  if (groups.empty()) return Value(m.str());
  Value out = Value::array();
  for (const auto& g : groups) {
    int64_t n = g.is_string() ? rx.group_index(g.get<std::string>()) : g.get<int64_t>();
    if (n < 0 || static_cast<size_t>(n) > rx.groups()) fail("no such group");
    // A group that took no part in the match is None, as match.group() gives it.
    out.push_back(m.matched(static_cast<size_t>(n)) ? Value(m.str(static_cast<size_t>(n))) : Value(nullptr));
  }
  return out;
}

// re.findall: the whole matches, the one group's texts, or a tuple of the groups' texts per match.
RV f_regex_findall(Ctx&, const RV& in, Args& a) {
  std::string s = rv_str(in);
  PyRegex rx = regex_from(a, 0, "regex_findall");
  Value out = Value::array();
  for (const auto& m : rx.find_all(s)) {
    if (rx.groups() == 0) {
      out.push_back(m.str());
    } else if (rx.groups() == 1) {
      out.push_back(m.str(1));
    } else {
      Value row = Value::array();
      for (size_t g = 1; g <= rx.groups(); ++g) row.push_back(m.str(g));
      out.push_back(row);
    }
  }
  if (rx.groups() > 1) return RV(std::move(out)).with_shape(RV::Shape::ListOfTuples);
  return out;
}

RV f_regex_escape(Ctx&, const RV& in, Args&) {
  static const std::string special = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  std::string out;
  for (char c : rv_str(in)) {
    if (special.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return Value(out);
}

RV f_split(Ctx&, const RV& in, Args& a) {
  Value sep = arg_or(a, 0, "sep", nullptr);
  int64_t maxsplit = as_int(arg_or(a, 1, "maxsplit", -1));
  std::string s = rv_str(in);
  auto parts = sep.is_null() ? split_whitespace(s, maxsplit, false) : split_on(s, py_str(sep), maxsplit, false);
  Value out = Value::array();
  for (auto& p : parts) out.push_back(p);
  return out;
}

RV f_indent(Ctx&, const RV& in, Args& a) {
  Value width = arg_or(a, 0, "width", 4);
  bool first = py_truthy(arg_or(a, 1, "first", false));
  bool blank = py_truthy(arg_or(a, 2, "blank", false));
  std::string pad = width.is_string() ? width.get<std::string>() : std::string(as_width(width), ' ');
  auto lines = split_lines(rv_str(in) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n" + ((blank || !lines[i].empty()) ? pad : "");
    out += lines[i];
  }
  if (first) out = pad + out;
  return Value(out);
}

RV f_center(Ctx&, const RV& in, Args& a) {
  return Value(justify(rv_str(in), as_width(arg_or(a, 0, "width", 80)), " ", 'C'));
}

RV f_format(Ctx&, const RV& in, Args& a) {
  if (!a.kw.empty()) {
    // Jinja formats with the keyword arguments as one mapping: "%(a)s" | format(a=1).
    if (!a.pos.empty()) fail("can't handle positional and keyword arguments at the same time");
    Value kw = Value::object();
    for (auto& [k, v] : a.kw) kw[k] = to_data(v);
    return Value(percent_format(rv_str(in), {kw}, &kw));
  }
  std::vector<Value> args;
  for (const auto& p : a.pos) args.push_back(to_data(p));
  return Value(percent_format(rv_str(in), args));
}

RV f_quote(Ctx&, const RV& in, Args&) {
  std::string s = in.is_data() && in.raw().is_null() ? "" : rv_str(in);
  if (s.empty()) return Value("''");
  static const std::string safe = "@%+=:,./-_";
  bool plain = true;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && safe.find(c) == std::string::npos) plain = false;
  if (plain) return Value(s);
  return Value("'" + replace_all(s, "'", "'\"'\"'") + "'");
}

RV f_basename(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in);
  size_t p = s.rfind('/');
  return Value(p == std::string::npos ? s : s.substr(p + 1));
}

RV f_dirname(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in);
  size_t p = s.rfind('/');
  if (p == std::string::npos) return Value("");
  std::string head = s.substr(0, p + 1);
  // os.path.dirname strips trailing slashes unless the head is all slashes.
  if (head.find_first_not_of('/') != std::string::npos)
    while (!head.empty() && head.back() == '/') head.pop_back();
  return Value(head);
}

// Ansible's fileglob filter: the files (not folders) a glob pattern matches on the controller, sorted (as the
// fileglob lookup lists them here; Python gives the folder's order).
RV f_fileglob(Ctx&, const RV& in, Args&) {
  Value out = Value::array();
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  glob_t found{};
  if (glob(rv_str(in).c_str(), 0, nullptr, &found) == 0) {
    for (std::size_t i = 0; i < found.gl_pathc; ++i) {
      struct stat st {};
      if (stat(found.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) out.push_back(found.gl_pathv[i]);
    }
  }
  globfree(&found);
#else
  (void)in;
#endif
  return out;
}

RV f_expanduser(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in);
  if (s == "~" || s.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    return Value(std::string(home ? home : "") + s.substr(1));
  }
  return Value(s);
}

RV f_splitext(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in);
  size_t slash = s.rfind('/');
  size_t dot = s.rfind('.');
  size_t base = slash == std::string::npos ? 0 : slash + 1;
  while (base < s.size() && s[base] == '.') ++base;  // leading dots belong to the name
  if (dot == std::string::npos || dot < base) return RV(Value::array({s, ""})).with_shape(RV::Shape::Tuple);
  return RV(Value::array({s.substr(0, dot), s.substr(dot)})).with_shape(RV::Shape::Tuple);
}

RV f_path_join(Ctx&, const RV& in, Args&) {
  std::string out;
  for (const auto& part : iterate(in)) {
    std::string p = rv_str(part);
    if (!p.empty() && p[0] == '/')
      out = p;
    else if (out.empty() || out.back() == '/')
      out += p;
    else
      out += "/" + p;
  }
  return Value(out);
}

RV f_wordcount(Ctx&, const RV& in, Args&) {
  std::string s = rv_str(in);
  int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : s) {
    bool w = std::isalnum(c) || c == '_' || c >= 0x80;
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value(n);
}

RV f_truncate(Ctx&, const RV& in, Args& a) {
  if (!in.val().is_string()) fail("object of type '" + py_type(in.val()) + "' has no len()");
  std::string s = rv_str(in);
  // Clamped: a negative or huge length must not wrap around in the arithmetic below.
  auto clamp = [](int64_t n) { return static_cast<size_t>(std::clamp<int64_t>(n, 0, INT32_MAX)); };
  size_t length = clamp(as_int(arg_or(a, 0, "length", 255)));
  bool killwords = py_truthy(arg_or(a, 1, "killwords", false));
  std::string end = py_str(arg_or(a, 2, "end", "..."));
  size_t leeway = clamp(as_int(arg_or(a, 3, "leeway", 5)));
  auto chars = utf8_chars(s);
  if (chars.size() <= length + leeway) return Value(s);
  std::string head;
  size_t keep = length > end.size() ? length - end.size() : 0;
  for (size_t i = 0; i < keep && i < chars.size(); ++i) head += chars[i];
  if (killwords) return Value(head + end);
  size_t sp = head.rfind(' ');
  if (sp != std::string::npos) head = head.substr(0, sp);
  return Value(head + end);
}

RV f_comment(Ctx&, const RV& in, Args& a) {
  std::string style = py_str(arg_or(a, 0, "style", "plain"));
  std::string prefix = "# ", decoration = "# ", beginning, end;
  if (style == "c")
    prefix = decoration = "// ";
  else if (style == "cblock")
    beginning = "/*", decoration = " * ", end = " */", prefix = " * ";
  else if (style == "erlang")
    prefix = decoration = "% ";
  else if (style == "xml")
    beginning = "<!--", decoration = " - ", end = "-->", prefix = " - ";
  if (const RV* d = a.kwarg("decoration")) decoration = rv_str(*d), prefix = rv_str(*d);
  std::string prefix_line =
      strip_chars(style == "plain" || style == "c" || style == "erlang" ? decoration : prefix, " ", false, true);
  std::string out;
  if (!beginning.empty()) out += beginning + "\n";
  out += prefix_line + "\n";
  for (const auto& line : split_lines(rv_str(in))) out += strip_chars(decoration + line, " ", false, true) + "\n";
  out += prefix_line;
  if (!end.empty()) out += "\n" + end;
  return Value(out);
}

RV f_urlsplit(Ctx&, const RV& in, Args& a) {
  std::string s = rv_str(in);
  Value parts = Value::object();
  std::string rest = s, scheme, netloc, query, fragment;
  size_t colon = rest.find(':');
  if (colon != std::string::npos && colon > 0 &&
      rest.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") >= colon) {
    scheme = to_lower(rest.substr(0, colon));
    rest = rest.substr(colon + 1);
  }
  if (rest.rfind("//", 0) == 0) {
    size_t end = rest.find_first_of("/?#", 2);
    netloc = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    rest = end == std::string::npos ? "" : rest.substr(end);
  }
  if (size_t h = rest.find('#'); h != std::string::npos) fragment = rest.substr(h + 1), rest = rest.substr(0, h);
  if (size_t q = rest.find('?'); q != std::string::npos) query = rest.substr(q + 1), rest = rest.substr(0, q);
  std::string userinfo, hostport = netloc;
  if (size_t at = netloc.rfind('@'); at != std::string::npos)
    userinfo = netloc.substr(0, at), hostport = netloc.substr(at + 1);
  Value username = nullptr, password = nullptr, hostname = nullptr, port = nullptr;
  if (!userinfo.empty()) {
    size_t c = userinfo.find(':');
    username = userinfo.substr(0, c);
    if (c != std::string::npos) password = userinfo.substr(c + 1);
  }
  size_t pc = hostport.rfind(':');
  std::string host = hostport;
  if (pc != std::string::npos && hostport.find(']', pc) == std::string::npos) {
    host = hostport.substr(0, pc);
    std::string p = hostport.substr(pc + 1);
    if (!p.empty()) {
      if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
        fail("Port could not be cast to integer value as '" + p + "'");
      port = std::stoll(p);
    }
  }
  if (!host.empty()) hostname = to_lower(host);
  parts["fragment"] = fragment;
  parts["hostname"] = hostname;
  parts["netloc"] = netloc;
  parts["password"] = password;
  parts["path"] = rest;
  parts["port"] = port;
  parts["query"] = query;
  parts["scheme"] = scheme;
  parts["username"] = username;
  Value which = arg_or(a, 0, "query", "");
  if (py_truthy(which)) {
    std::string w = py_str(which);
    if (!parts.contains(w)) fail("urlsplit: unknown URL component: " + w);
    return parts[w];
  }
  return parts;
}

std::string url_quote(const std::string& s, const std::string& safe, bool plus_spaces) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' ||
        safe.find(static_cast<char>(c)) != std::string::npos) {
      out += static_cast<char>(c);
    } else if (c == ' ' && plus_spaces) {
      out += '+';
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

RV f_urlencode(Ctx&, const RV& in, Args&) {
  const Value& v = in.val();
  if (v.is_string()) return Value(url_quote(v.get<std::string>(), "/", false));
  std::string out;
  auto add = [&](const Value& k, const Value& x) {
    if (!out.empty()) out += "&";
    out += url_quote(py_str(k), "", true) + "=" + url_quote(py_str(x), "", true);
  };
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) add(Value(k), x);
  } else if (v.is_array()) {
    for (const auto& pair : v) {
      if (!pair.is_array() || pair.size() != 2) fail("urlencode: a list must hold (key, value) pairs");
      add(pair[0], pair[1]);
    }
  } else {
    return Value(url_quote(py_str(v), "/", false));
  }
  return Value(out);
}

}  // namespace

void register_text_filters(FilterTable& t) {
  t["upper"] = f_upper;
  t["lower"] = f_lower;
  t["capitalize"] = f_capitalize;
  t["title"] = f_title;
  t["trim"] = f_trim;
  t["replace"] = f_replace;
  t["regex_replace"] = f_regex_replace;
  t["regex_search"] = f_regex_search;
  t["regex_findall"] = f_regex_findall;
  t["regex_escape"] = f_regex_escape;
  t["split"] = f_split;
  t["indent"] = f_indent;
  t["center"] = f_center;
  t["format"] = f_format;
  t["quote"] = f_quote;
  t["basename"] = f_basename;
  t["dirname"] = f_dirname;
  t["fileglob"] = f_fileglob;
  t["expanduser"] = f_expanduser;
  t["splitext"] = f_splitext;
  t["path_join"] = f_path_join;
  t["wordcount"] = f_wordcount;
  t["truncate"] = f_truncate;
  t["comment"] = f_comment;
  t["urlsplit"] = f_urlsplit;
  t["urlencode"] = f_urlencode;
}

}  // namespace prov::tmpl
