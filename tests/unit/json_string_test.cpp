#include "model/json_string.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace wc::model {
namespace {

/// What nlohmann writes for `text`, or nullopt when it throws (not valid UTF-8).
std::optional<std::string> nlohmann_literal(const std::string& text) {
  try {
    return nlohmann::json(text).dump();
  } catch (const nlohmann::json::type_error&) {
    return std::nullopt;
  }
}

std::optional<std::string> our_literal(const std::string& text) {
  std::string out;
  if (!append_json_string(out, text)) return std::nullopt;
  return out;
}

std::string utf8(std::uint32_t code_point) {
  std::string out;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

TEST(JsonString, WritesEveryAsciiByteAsNlohmannDoes) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string text = "a" + std::string(1, static_cast<char>(byte)) + "z";
    EXPECT_EQ(our_literal(text), nlohmann_literal(text)) << "byte " << byte;
  }
  EXPECT_EQ(our_literal(std::string("\x01\x1F\x7F/\"\\\b\f\n\r\t", 11)), R"("\u0001\u001f)"
                                                                         "\x7F"
                                                                         R"(/\"\\\b\f\n\r\t")");
  EXPECT_EQ(our_literal(""), R"("")");
}

TEST(JsonString, CopiesEveryUnicodeScalarValueAsNlohmannDoes) {
  std::string batch;
  for (std::uint32_t code_point = 0x80; code_point <= 0x10FFFF; ++code_point) {
    if (code_point >= 0xD800 && code_point <= 0xDFFF) continue;  // surrogates are not UTF-8
    batch += utf8(code_point);
    if (batch.size() >= 4000 || code_point == 0x10FFFF) {
      ASSERT_EQ(our_literal(batch), nlohmann_literal(batch)) << "up to U+" << code_point;
      ASSERT_EQ(our_literal(batch), "\"" + batch + "\"");
      batch.clear();
    }
  }
}

/// Two to four bytes from `lead` and `second` followed by continuation candidates: every
/// boundary of UTF-8's table (0x7F/0x80, 0xBF/0xC0) and the extremes.
std::vector<std::string> sequences(unsigned lead, unsigned second) {
  static constexpr unsigned k_tails[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  const std::string start{static_cast<char>(lead), static_cast<char>(second)};
  std::vector<std::string> texts{start};
  for (const unsigned third : k_tails) {
    texts.push_back(start + static_cast<char>(third));
    if (lead < 0xF0) continue;  // only a four-byte lead can use a fourth byte
    for (const unsigned fourth : {0x41U, 0x80U, 0xBFU, 0xC0U}) {
      texts.push_back(start + static_cast<char>(third) + static_cast<char>(fourth));
    }
  }
  return texts;
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (const char c : bytes) out += fmt::format("{:02X} ", static_cast<unsigned char>(c));
  return out;
}

TEST(JsonString, RefusesExactlyTheByteSequencesNlohmannRefuses) {
  for (unsigned lead = 0x80; lead <= 0xFF; ++lead) {
    ASSERT_EQ(our_literal(std::string(1, static_cast<char>(lead))), std::nullopt);
    for (unsigned second = 0; second <= 0xFF; ++second) {
      // After a byte that cannot continue the sequence, nothing makes it valid again.
      const bool continues = second >= 0x80 && second <= 0xBF;
      for (const std::string& text :
           continues ? sequences(lead, second) : std::vector{sequences(lead, second)[0]}) {
        ASSERT_EQ(our_literal(text).has_value(), nlohmann_literal(text).has_value()) << hex(text);
      }
    }
  }
}

}  // namespace
}  // namespace wc::model
