#pragma once
// A command-line parser with the rules of Python's argparse, so that provision reads a command line exactly as
// ansible-playbook reads it: options before, between or after the positional words; long names abbreviated when
// the abbreviation is unambiguous; `--name=value`; short flags bundled (`-vvv`, `-Cv`) and a short option's value
// attached (`-ex=1`); `--` ending the options. The positional words are one run: words after an option that
// follows the run are unrecognized, as argparse reports them.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace prov::cli {

/// One option. `take` receives the value (empty for a flag) and throws UsageError for a bad one.
struct OptionSpec {
  std::vector<std::string> names;  ///< "-e", "--extra-vars": all of them name it in messages ("-e/--extra-vars")
  std::string metavar;             ///< empty: a flag, which takes no value
  std::string help;
  std::function<void(const std::string& value)> take;
};

/// A command line that cannot be read. `with_help`: argparse's own errors print the whole help after the message.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message, bool with_help = true)
      : std::runtime_error(message), with_help_(with_help) {}
  bool with_help() const { return with_help_; }

 private:
  bool with_help_;
};

class ArgumentParser {
 public:
  /// `positional`: the name of the positional words ("playbook"), of which at least one is required.
  ArgumentParser(std::string program, std::string description, std::string positional, std::string positional_help);
  void add(OptionSpec spec);
  /// Applies each option's `take` in the order given and returns the positional words. Throws UsageError.
  std::vector<std::string> parse(const std::vector<std::string>& args) const;
  /// "usage: provision [-h] [-v] [-i INVENTORY] ... playbook [playbook ...]", wrapped as argparse wraps it.
  std::string usage() const;
  /// The usage, the description and one entry per option.
  std::string help() const;
  /// What argparse prints for an error, on stderr: the usage, "PROGRAM: error: MESSAGE" and, for argparse's own
  /// errors, the help.
  std::string error_text(const UsageError& error) const;

 private:
  struct Match {
    const OptionSpec* spec = nullptr;
    std::string name;          ///< as matched ("--extra-vars" for "--ext")
    std::string explicit_arg;  ///< after "=", or the rest of a short bundle
    bool has_explicit = false;
  };
  /// The option `arg` names, or none when it is a positional word; throws for an ambiguous abbreviation.
  bool match_option(const std::string& arg, Match& match) const;
  /// Whether `arg` is an option word (known or not) rather than a value or a positional word.
  bool looks_like_option(const std::string& arg) const;
  /// Applies one matched option, taking its value from `args` at `next` when it needs one (a word classified 'A').
  void apply(Match match, const std::vector<std::string>& args, const std::vector<char>& kinds, size_t& next) const;
  static std::string display_name(const OptionSpec& spec);

  std::string program_;
  std::string description_;
  std::string positional_;
  std::string positional_help_;
  std::vector<OptionSpec> options_;
};

}  // namespace prov::cli
