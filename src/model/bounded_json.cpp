#include "model/bounded_json.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
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

/// Offset of the first byte at or after `i` that is not ASCII. Eight bytes at a time: a
/// request body is nearly all ASCII, and this check runs over every byte of it.
std::size_t skip_ascii(std::string_view text, std::size_t i) {
  constexpr std::uint64_t k_high_bits = 0x8080808080808080;
  for (; i + sizeof(std::uint64_t) <= text.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, sizeof word);
    if ((word & k_high_bits) != 0) break;
  }
  while (i < text.size() && static_cast<std::uint8_t>(text[i]) < 0x80) ++i;
  return i;
}

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

/// Builds the document from nlohmann's SAX events, as json::parse does inside, and stops the
/// parse at the first event that breaks one of our limits. Events (no std::function, no
/// callback copy of each key) are what make this cheaper than parse() with a callback.
class BoundedDomBuilder {
 public:
  using json = nlohmann::json;

  explicit BoundedDomBuilder(json& root) : root_(root) {
    open_.reserve(k_max_json_depth);  // it never grows past that: one allocation
  }

  bool null() { return add(nullptr); }
  bool boolean(bool value) { return add(value); }
  bool number_integer(json::number_integer_t value) { return add(value); }
  bool number_unsigned(json::number_unsigned_t value) { return add(value); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return add(value);
  }
  bool string(json::string_t& value) { return add(value); }
  bool binary(json::binary_t& value) { return add(std::move(value)); }

  bool start_object(std::size_t /*size*/) { return open(json::value_t::object); }
  bool start_array(std::size_t /*size*/) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  /// The object being built already holds every key read so far in it: inserting is the
  /// duplicate check (O(log n), so 100k keys in one object stay cheap). The key arrives
  /// before its value, so it is inserted with null and its value lands in `slot_`.
  bool key(json::string_t& name) {
    auto& members = *open_.back()->get_ptr<json::object_t*>();
    const auto [member, added] = members.try_emplace(name);
    if (!added) {
      return refuse(fmt::format("has the key {} twice in one object", describe_string(name)));
    }
    slot_ = &member->second;
    return true;
  }

  /// nlohmann reports its own errors here, with the exception it would have thrown.
  template <class Exception>
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/, const Exception& error) {
    if constexpr (std::is_same_v<Exception, json::parse_error>) {
      return refuse("is not valid JSON (" + parser_message(error) + ")");
    } else if constexpr (std::is_same_v<Exception, json::out_of_range>) {
      // Valid JSON grammar, but a number no double can hold ("1e999").
      return refuse("has a number out of range (" + parser_message(error) + ")");
    } else {
      throw error;  // nlohmann's parser reports no other kind
    }
  }

  /// Why the document was refused; empty while it was not.
  const std::string& problem() const { return problem_; }

 private:
  /// Places a value where the parse is: the root, the end of the open array, or the slot
  /// of the key just read.
  template <typename Value>
  json* place(Value&& value) {
    if (open_.empty()) {
      root_ = json(std::forward<Value>(value));
      return &root_;
    }
    if (auto* array = open_.back()->get_ptr<json::array_t*>()) {
      array->emplace_back(std::forward<Value>(value));
      return &array->back();
    }
    *slot_ = json(std::forward<Value>(value));
    return slot_;
  }

  template <typename Value>
  bool add(Value&& value) {
    place(std::forward<Value>(value));
    return true;
  }

  bool open(json::value_t kind) {
    // open_ holds the containers already open around this one.
    if (open_.size() >= k_max_json_depth) {
      return refuse(
          fmt::format("nests arrays and objects deeper than {} levels", k_max_json_depth));
    }
    open_.push_back(place(kind));
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  /// Stops the parse: nlohmann's parser returns as soon as a handler returns false.
  bool refuse(std::string reason) {
    problem_ = std::move(reason);
    return false;
  }

  json& root_;
  std::vector<json*> open_;
  json* slot_ = nullptr;
  std::string problem_;
};

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  for (std::size_t i = skip_ascii(text, 0); i < text.size(); i = skip_ascii(text, i)) {
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
  // nlohmann's lexer reads a NUL as the end of the input, so "{...}\0garbage" would pass
  // with the garbage unchecked. JSON text holds no NUL (in a string it must be escaped).
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return util::Unexpected(fmt::format("has a NUL byte at offset {}", nul));
  }
  nlohmann::json document;
  BoundedDomBuilder builder(document);
  if (!nlohmann::json::sax_parse(text, &builder)) return util::Unexpected(builder.problem());
  return document;
}

}  // namespace wc::model
