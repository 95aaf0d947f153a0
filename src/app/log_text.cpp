#include "app/log_text.h"

namespace wc::app {

namespace {

bool needs_escape(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

}  // namespace

std::string escape_for_log(std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (!needs_escape(c)) {
      out.push_back(ch);
      continue;
    }
    out.push_back('\\');
    switch (c) {
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.push_back('x');
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 0xf]);
    }
  }
  return out;
}

}  // namespace wc::app
