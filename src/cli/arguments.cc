#include "arguments.h"

#include <algorithm>
#include <regex>

namespace prov::cli {

namespace {

constexpr size_t kWidth = 78;       // argparse's width on an 80-column terminal
constexpr size_t kHelpColumn = 24;  // where an option's help starts

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

// Words laid out in lines of at most kWidth columns: the first line goes on from `column`, the others start at
// `indent`.
std::string wrap(const std::vector<std::string>& words, size_t column, size_t indent) {
  std::string out;
  bool line_empty = true;
  for (const auto& word : words) {
    if (!line_empty && column + 1 + word.size() > kWidth) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
  }
  return out;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  size_t at = 0;
  while ((at = text.find_first_not_of(' ', at)) != std::string::npos) {
    size_t end = text.find(' ', at);
    words.push_back(text.substr(at, end - at));
    at = end;
  }
  return words;
}

bool is_negative_number(const std::string& arg) {
  static const std::regex kNegative("^-\\d+$|^-\\d*\\.\\d+$");
  return std::regex_match(arg, kNegative);
}

}  // namespace

ArgumentParser::ArgumentParser(std::string program, std::string description, std::string positional,
                               std::string positional_help)
    : program_(std::move(program)), description_(std::move(description)), positional_(std::move(positional)),
      positional_help_(std::move(positional_help)) {}

void ArgumentParser::add(OptionSpec spec) { options_.push_back(std::move(spec)); }

std::string ArgumentParser::display_name(const OptionSpec& spec) { return join(spec.names, "/"); }

bool ArgumentParser::match_option(const std::string& arg, Match& match) const {
  auto exact = [&](const std::string& name) -> const OptionSpec* {
    for (const auto& spec : options_) {
      if (std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end()) return &spec;
    }
    return nullptr;
  };
  if (arg.size() < 2 || arg[0] != '-') return false;
  if (const OptionSpec* spec = exact(arg)) {
    match = {spec, arg, "", false};
    return true;
  }
  const size_t equals = arg.find('=');
  if (equals != std::string::npos) {
    if (const OptionSpec* spec = exact(arg.substr(0, equals))) {
      match = {spec, arg.substr(0, equals), arg.substr(equals + 1), true};
      return true;
    }
  }
  // Abbreviations: a long option by a prefix of its name; a short option with its value or more flags attached.
  std::vector<Match> found;
  const bool is_long = arg.compare(0, 2, "--") == 0;
  const std::string prefix = is_long ? arg.substr(0, equals) : arg;
  for (const auto& spec : options_) {
    for (const auto& name : spec.names) {
      if (is_long && name.compare(0, 2, "--") == 0 && name.compare(0, prefix.size(), prefix) == 0) {
        found.push_back(
            {&spec, name, equals == std::string::npos ? "" : arg.substr(equals + 1), equals != std::string::npos});
      } else if (!is_long && name == arg.substr(0, 2)) {
        found.push_back({&spec, name, arg.substr(2), true});
      }
    }
  }
  if (found.size() > 1) {
    std::vector<std::string> names;
    for (const auto& m : found) names.push_back(m.name);
    throw UsageError("ambiguous option: " + prefix + " could match " + join(names, ", "));
  }
  if (found.size() == 1) {
    match = found.front();
    return true;
  }
  return false;
}

bool ArgumentParser::looks_like_option(const std::string& arg) const {
  if (arg.size() < 2 || arg[0] != '-') return false;
  Match match;
  if (match_option(arg, match)) return true;
  return !is_negative_number(arg) && arg.find(' ') == std::string::npos;
}

void ArgumentParser::apply(Match match, const std::vector<std::string>& args, const std::vector<char>& kinds,
                           size_t& next) const {
  for (;;) {
    const OptionSpec& spec = *match.spec;
    if (!spec.metavar.empty()) {
      if (match.has_explicit) {
        spec.take(match.explicit_arg);
      } else if (next < args.size() && kinds[next] == 'A') {
        spec.take(args[next++]);
      } else {
        throw UsageError("argument " + display_name(spec) + ": expected one argument");
      }
      return;
    }
    spec.take("");
    if (!match.has_explicit) return;
    // A flag given a value: in a bundle of short flags (-vvv, -Cv) the next letter is the next flag.
    const bool bundled = match.name.compare(0, 2, "--") != 0 && !match.explicit_arg.empty();
    const std::string following = bundled ? "-" + match.explicit_arg.substr(0, 1) : "";
    const OptionSpec* next_flag = nullptr;
    for (const auto& other : options_) {
      if (bundled && std::find(other.names.begin(), other.names.end(), following) != other.names.end()) {
        next_flag = &other;
      }
    }
    if (next_flag == nullptr) {
      throw UsageError("argument " + display_name(spec) + ": ignored explicit argument '" + match.explicit_arg + "'");
    }
    const std::string rest = match.explicit_arg.substr(1);
    match = {next_flag, following, rest, !rest.empty()};
  }
}

std::vector<std::string> ArgumentParser::parse(const std::vector<std::string>& args) const {
  // Every word is classified first, as argparse does: an ambiguous abbreviation is an error wherever it stands.
  std::vector<char> kinds;  // 'O' an option (known or not), 'A' a positional word or value, '-' the "--"
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      kinds.push_back('-');
      kinds.insert(kinds.end(), args.size() - i - 1, 'A');
      break;
    }
    kinds.push_back(looks_like_option(args[i]) ? 'O' : 'A');
  }
  std::vector<std::string> positionals, unrecognized;
  enum class Run { NotYet, Open, Closed } run = Run::NotYet;
  for (size_t i = 0; i < args.size();) {
    const size_t at = i++;
    if (kinds[at] == '-') continue;
    if (kinds[at] == 'A') {
      if (run == Run::Closed) {
        unrecognized.push_back(args[at]);
      } else {
        positionals.push_back(args[at]);
        run = Run::Open;
      }
      continue;
    }
    if (run == Run::Open) run = Run::Closed;
    Match match;
    if (!match_option(args[at], match)) {
      unrecognized.push_back(args[at]);
      continue;
    }
    size_t next = i;
    apply(match, args, kinds, next);
    i = next;
  }
  if (positionals.empty()) throw UsageError("the following arguments are required: " + positional_);
  if (!unrecognized.empty()) throw UsageError("unrecognized arguments: " + join(unrecognized, " "));
  return positionals;
}

std::string ArgumentParser::usage() const {
  std::vector<std::string> items;
  for (const auto& spec : options_) {
    items.push_back("[" + spec.names.front() + (spec.metavar.empty() ? "" : " " + spec.metavar) + "]");
  }
  items.push_back(positional_);
  items.push_back("[" + positional_ + " ...]");
  const std::string first = "usage: " + program_ + " ";
  return first + wrap(items, first.size(), first.size()) + "\n";
}

std::string ArgumentParser::help() const {
  std::string out = usage() + "\n" + wrap(words_of(description_), 0, 0) + "\n\npositional arguments:\n";
  auto entry = [&](const std::string& invocation, const std::string& text) {
    out += "  " + invocation;
    if (invocation.size() + 2 < kHelpColumn - 1) {
      out += std::string(kHelpColumn - 2 - invocation.size(), ' ');
    } else {
      out += "\n" + std::string(kHelpColumn, ' ');
    }
    out += wrap(words_of(text), kHelpColumn, kHelpColumn) + "\n";
  };
  entry(positional_, positional_help_);
  out += "\noptions:\n";
  for (const auto& spec : options_) {
    std::vector<std::string> forms;
    for (const auto& name : spec.names) forms.push_back(name + (spec.metavar.empty() ? "" : " " + spec.metavar));
    entry(join(forms, ", "), spec.help);
  }
  return out;
}

std::string ArgumentParser::error_text(const UsageError& error) const {
  std::string out = usage() + program_ + ": error: " + error.what() + "\n";
  if (error.with_help()) out += " \n" + help();
  return out;
}

}  // namespace prov::cli
