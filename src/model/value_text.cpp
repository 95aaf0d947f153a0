#include "model/value_text.h"

#include <fmt/format.h>

namespace wc::model {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// The longest prefix of `text` of at most `max_bytes` that does not split a character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && is_continuation_byte(text[end])) --end;
  return text.substr(0, end);
}

}  // namespace

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  const std::string_view kept = utf8_prefix(text, max_bytes);
  if (kept.size() == text.size()) return std::string(text);
  return std::string(kept) + "...";
}

std::string describe_string(std::string_view text) {
  const std::string_view kept = utf8_prefix(text, k_max_quoted_bytes);
  std::string quoted = nlohmann::json(std::string(kept)).dump();
  if (kept.size() == text.size()) return quoted;
  return fmt::format("{}... ({} bytes)", quoted, text.size());
}

std::string describe_value(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) return describe_string(value.get_ref<const std::string&>());
  return fmt::format("{} {}", value.type_name(), truncate_utf8(value.dump(), k_max_quoted_bytes));
}

}  // namespace wc::model
