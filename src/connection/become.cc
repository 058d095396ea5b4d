// sudo and su for every transport. The password goes to stdin, never on a command line; success is proven by a
// marker line the escalated shell prints first, so a refused password is detected instead of waited on.
#include "provision/connection/become.h"

#include "provision/core/random.h"

namespace prov::conn {

namespace {

constexpr std::string_view kMarker = "BECOME-SUCCESS-";
constexpr std::string_view kPromptStart = "[provision-sudo-password-";
constexpr std::string_view kPromptEnd = "]: ";

bool is_identifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The flags as words, each quoted: a flag reaches the host's shell as one argument, never as shell syntax.
// Without `non_interactive` the word "-n" is dropped: with a password, sudo must be allowed to ask for it.
std::string quoted_flags(const std::string& flags, bool non_interactive) {
  std::string out;
  size_t i = 0;
  while (i < flags.size()) {
    size_t end = flags.find_first_of(" \t", i);
    if (end == std::string::npos) end = flags.size();
    std::string word = flags.substr(i, end - i);
    if (!word.empty() && (non_interactive || word != "-n")) out += " " + shell_quote(word);
    i = end + 1;
  }
  return out;
}

void erase_prompts(std::string& err) {
  for (size_t at = err.find(kPromptStart); at != std::string::npos; at = err.find(kPromptStart)) {
    size_t end = err.find(kPromptEnd, at);
    end = end == std::string::npos ? err.size() : end + kPromptEnd.size();
    err.erase(at, end - at);
  }
}

size_t count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = s.find_first_not_of("\r\n ");
  return start == std::string::npos ? std::string() : s.substr(start);
}

}  // namespace

std::string wrap_become_with_key(const std::string& command, const Become& become, const std::string& key) {
  if (!become.enabled) return command;
  std::string inner = "echo " + std::string(kMarker) + key + "; " + command;
  const std::string exe = shell_quote(become.exe.empty() ? become.method : become.exe);
  if (become.method == "sudo") {
    // Ansible's default flags are "-H -S -n"; given flags replace them. -n goes whenever a password is sent.
    std::string cmd = exe + quoted_flags(become.flags.empty() ? "-H -S -n" : become.flags, become.password.empty());
    if (!become.password.empty()) {
      cmd += " -p " + shell_quote(std::string(kPromptStart) + key + std::string(kPromptEnd));
    }
    return cmd + " -u " + shell_quote(become.user) + " -- /bin/sh -c " + shell_quote(inner);
  }
  if (become.method == "su") {
    // -s /bin/sh: the command is POSIX sh whatever the target user's login shell is (even nologin).
    return exe + quoted_flags(become.flags, true) + " -s /bin/sh " + shell_quote(become.user) + " -c " +
           shell_quote(inner);
  }
  throw Error("unsupported become method '" + become.method + "': provision supports sudo and su" +
              did_you_mean(become.method, {"sudo", "su"}));
}

std::string wrap_become(const std::string& command, const Become& become) {
  return wrap_become_with_key(command, become, random_hex(12));
}

PreparedCommand prepare_command(const std::string& command, const RunOptions& options) {
  std::string exports;
  for (const auto& [name, value] : options.env) {
    if (!is_identifier(name)) {
      throw Error("invalid environment variable name '" + name + "': it must be a shell identifier");
    }
    exports += "export " + name + "=" + shell_quote(value) + "; ";
  }
  PreparedCommand prepared;
  prepared.key = random_hex(12);
  // The exports go inside the escalated shell: sudo resets the environment.
  prepared.command = wrap_become_with_key(exports + command, options.become, prepared.key);
  if (options.become.enabled && !options.become.password.empty()) {
    prepared.password_line = options.become.password + "\n";
  }
  return prepared;
}

BecomeWatcher::BecomeWatcher(const Become& become, const std::string& key)
    : become_(become), marker_(std::string(kMarker) + key),
      prompt_(std::string(kPromptStart) + key + std::string(kPromptEnd)) {
  state_ = become.enabled ? State::Waiting : State::Ready;
}

BecomeWatcher::State BecomeWatcher::update(std::string& out, std::string& err) {
  if (state_ != State::Waiting) return state_;
  size_t at = out.find(marker_);
  if (at != std::string::npos) {
    size_t eol = out.find('\n', at);
    if (eol != std::string::npos) {
      out.erase(0, eol + 1);
      erase_prompts(err);
      state_ = State::Ready;
      return state_;
    }
  }
  if (!prompt_seen_) {
    prompt_seen_ = err.find(prompt_) != std::string::npos ||
                   (become_.method == "su" && (err.find("assword") != std::string::npos ||
                                               out.find("assword") != std::string::npos));
  }
  return check_failure(err, false);
}

bool BecomeWatcher::take_password() {
  if (!prompt_seen_ || password_sent_ || state_ != State::Waiting) return false;
  password_sent_ = true;
  return true;
}

BecomeWatcher::State BecomeWatcher::finish(std::string& out, std::string& err) {
  if (update(out, err) != State::Waiting) return state_;
  return check_failure(err, true);
}

BecomeWatcher::State BecomeWatcher::check_failure(const std::string& err, bool ended) {
  const std::string& method = become_.method;
  if (count(err, prompt_) > 1 || err.find("Sorry, try again") != std::string::npos ||
      err.find("incorrect password") != std::string::npos ||
      err.find("Authentication failure") != std::string::npos) {
    // A second prompt means the first answer was refused; su says so directly.
    failure_ = "Incorrect " + method + " password";
  } else if ((prompt_seen_ && become_.password.empty()) ||
             err.find("a password is required") != std::string::npos ||
             err.find("no password was provided") != std::string::npos) {
    failure_ = "Missing " + method + " password";
  } else if (ended) {
    std::string detail = trimmed(err);
    erase_prompts(detail);
    failure_ = "privilege escalation (" + method + " to " + become_.user + ") failed" +
               (detail.empty() ? std::string() : ": " + trimmed(detail));
  } else {
    return state_;
  }
  state_ = State::Failed;
  return state_;
}

}  // namespace prov::conn
