// Questions on the controller's terminal (vars_prompt, pause), read from /dev/tty so that stdin and stdout stay
// free for data.
#include "provision/core/terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace prov {

std::optional<std::string> ask_terminal(const std::string& message, bool echo) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (write(fd, message.data(), message.size()) < 0) {
    close(fd);
    return std::nullopt;
  }
  termios old{};
  const bool is_terminal = tcgetattr(fd, &old) == 0;
  if (!echo && is_terminal) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSANOW, &quiet);  // TCSANOW: an answer typed ahead is kept
  }
  std::string line;
  char c = 0;
  ssize_t got = 0;
  while ((got = read(fd, &c, 1)) == 1 && c != '\n') line += c;
  if (!echo && is_terminal) {
    tcsetattr(fd, TCSANOW, &old);
    if (write(fd, "\n", 1) < 0) {}
  }
  close(fd);
  if (got != 1 && line.empty()) return std::nullopt;  // end of input: nobody to ask
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace prov
