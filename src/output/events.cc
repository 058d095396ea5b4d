// What every sink does unless it says otherwise.
#include <iostream>

#include "provision/output/events.h"

namespace prov::out {

// As Ansible's display.banner: after the line the question left open, the question and stars to column 80.
void Sink::step_answered(const std::string& question) {
  std::string text = question;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  std::size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  std::cout << '\n' << text << ' ' << std::string(width + 3 < 79 ? 79 - width : 3, '*') << std::endl;
}

}  // namespace prov::out
