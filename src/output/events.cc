// What every sink does unless it says otherwise.
#include <iostream>

#include "provision/output/events.h"
#include "provision/output/text_wrap.h"

namespace prov::out {

// As Ansible's display.banner: after the line the question left open, the question and stars to column 80.
void Sink::step_answered(const std::string& question) {
  std::string text = question;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  const std::size_t width = text_width(text);
  std::cout << '\n' << text << ' ' << std::string(width + 3 < 79 ? 79 - width : 3, '*') << std::endl;
}

void Sink::meta_note(const std::string&) {}

}  // namespace prov::out
