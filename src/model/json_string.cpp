#include "model/json_string.h"

#include <cstddef>

#include "model/bounded_json.h"

namespace wc::model {
namespace {

// What to escape follows nlohmann's serializer (dump_escaped in
// nlohmann/detail/output/serializer.hpp, dump() without ensure_ascii): 0x7F and UTF-8
// sequences are copied, so only bytes below 0x80 are ever escaped. json_string_test holds
// this file to nlohmann's output.

bool needs_escape(unsigned char byte) { return byte < 0x20 || byte == '"' || byte == '\\'; }

/// The two-character escape of `byte`, or an empty view when it has none.
std::string_view short_escape(unsigned char byte) {
  switch (byte) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return {};
  }
}

/// Appends the escape of a byte needs_escape() picked: its short form, else "\u00xx" with
/// lower-case hex digits (nlohmann's "\\u%04x").
void append_escaped(std::string& out, unsigned char byte) {
  if (const std::string_view escape = short_escape(byte); !escape.empty()) {
    out += escape;
    return;
  }
  constexpr std::string_view k_hex = "0123456789abcdef";
  const char escape[] = {'\\', 'u', '0', '0', k_hex[byte >> 4], k_hex[byte & 0xF]};
  out.append(escape, sizeof escape);
}

}  // namespace

bool append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet appended, all copied as they are
  bool ascii = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    ascii = ascii && byte < 0x80;
    if (!needs_escape(byte)) continue;
    out.append(text.data() + run, i - run);
    append_escaped(out, byte);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
  return ascii || !first_invalid_utf8(text);
}

}  // namespace wc::model
