#include "model/bounded_json.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "model/value_text.h"

namespace wc::model {
namespace {

constexpr std::size_t k_max_parser_message = 160;

/// Length of the UTF-8 sequence starting at text[i], or 0 when it is ill-formed
/// (Unicode Table 3-7: the second byte's range depends on the first byte).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = i + 2; k < i + length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

/// Thrown from the parser callback: nlohmann's parser has no other way to stop early.
struct LimitBroken {
  std::string reason;
};

/// Watches the parse for the two things nlohmann accepts but we do not.
class ParseGuard {
 public:
  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        // `depth` counts the containers already open around this one.
        if (static_cast<std::size_t>(depth) >= k_max_json_depth) {
          throw LimitBroken{
              fmt::format("nests arrays and objects deeper than {} levels", k_max_json_depth)};
        }
        if (event == Event::object_start) open_objects_.emplace_back();
        break;
      case Event::object_end:
        open_objects_.pop_back();
        break;
      case Event::key:
        if (!open_objects_.back().insert(parsed.get<std::string>()).second) {
          throw LimitBroken{fmt::format("has the key {} twice in one object",
                                        describe_string(parsed.get_ref<const std::string&>()))};
        }
        break;
      default:
        break;
    }
    return true;
  }

 private:
  std::vector<std::unordered_set<std::string>> open_objects_;
};

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix, kept short:
/// its "last read" part can quote a megabyte of unterminated string.
std::string parser_message(const nlohmann::json::exception& error) {
  std::string_view message = error.what();
  if (const auto end = message.find("] ");
      message.starts_with("[json.exception.") && end != std::string_view::npos) {
    message.remove_prefix(end + 2);
  }
  return truncate_utf8(message, k_max_parser_message);
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

util::Expected<nlohmann::json, std::string> parse_bounded_json(std::string_view text) {
  if (const auto bad = first_invalid_utf8(text)) {
    return util::Unexpected(fmt::format("is not valid UTF-8 (byte 0x{:02X} at offset {})",
                                        static_cast<std::uint8_t>(text[*bad]), *bad));
  }
  try {
    return nlohmann::json::parse(text, ParseGuard{});
  } catch (const LimitBroken& broken) {
    return util::Unexpected(broken.reason);
  } catch (const nlohmann::json::parse_error& error) {
    return util::Unexpected("is not valid JSON (" + parser_message(error) + ")");
  } catch (const nlohmann::json::out_of_range& error) {
    // Valid JSON grammar, but a number no double can hold ("1e999"): the parser throws this
    // instead of a parse_error, and it must not escape as a crash.
    return util::Unexpected("has a number out of range (" + parser_message(error) + ")");
  }
}

}  // namespace wc::model
