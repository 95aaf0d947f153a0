#include "model/bounded_json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "conformance_data.h"
#include "model/value_text.h"

namespace wc::model {
namespace {

using nlohmann::json;

// --- the reference: nlohmann's DOM parser with a callback ----------------------------------

struct LimitBroken {
  std::string reason;
};

/// Depth limit and duplicate keys the plainest way: a callback on nlohmann's own DOM parser,
/// with a set of the keys of each open object.
class CallbackGuard {
 public:
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    using Event = json::parse_event_t;
    if (event == Event::object_start || event == Event::array_start) {
      if (static_cast<std::size_t>(depth) >= k_max_json_depth) {
        throw LimitBroken{
            fmt::format("nests arrays and objects deeper than {} levels", k_max_json_depth)};
      }
      if (event == Event::object_start) open_objects_.emplace_back();
    } else if (event == Event::object_end) {
      open_objects_.pop_back();
    } else if (event == Event::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects_.back().insert(key).second) {
        throw LimitBroken{fmt::format("has the key {} twice in one object", describe_string(key))};
      }
    }
    return true;
  }

 private:
  std::vector<std::unordered_set<std::string>> open_objects_;
};

std::string short_message(const json::exception& error) {
  std::string_view message = error.what();
  message.remove_prefix(message.find("] ") + 2);
  return truncate_utf8(message, 160);
}

util::Expected<json, std::string> reference_parse(std::string_view text) {
  if (const auto bad = first_invalid_utf8(text)) {
    return util::Unexpected(fmt::format("is not valid UTF-8 (byte 0x{:02X} at offset {})",
                                        static_cast<std::uint8_t>(text[*bad]), *bad));
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return util::Unexpected(fmt::format("has a NUL byte at offset {}", nul));
  }
  try {
    return json::parse(text, CallbackGuard{});
  } catch (const LimitBroken& broken) {
    return util::Unexpected(broken.reason);
  } catch (const json::parse_error& error) {
    return util::Unexpected("is not valid JSON (" + short_message(error) + ")");
  } catch (const json::out_of_range& error) {
    return util::Unexpected("has a number out of range (" + short_message(error) + ")");
  }
}

/// Empty when parse_bounded_json and the reference agree on `text`: both accept it with
/// equal documents, or both refuse it with the same message.
std::string disagreement(std::string_view text) {
  const auto ours = parse_bounded_json(text);
  const auto reference = reference_parse(text);
  const auto show = [](const auto& result) {
    return result ? "accepted " + result->dump() : "refused: " + result.error();
  };
  const bool same = ours.has_value() == reference.has_value() &&
                    (ours ? *ours == *reference : ours.error() == reference.error());
  if (same) return {};
  const std::string quoted =
      json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
  return fmt::format("input {}\n  ours:      {}\n  reference: {}", quoted, show(ours),
                     show(reference));
}

std::vector<std::string> fuzz_corpus() {
  std::vector<std::string> documents;
  const auto corpus = std::filesystem::path(WC_SOURCE_DIR) / "fuzz" / "corpus";
  for (const auto& target : {"fuzz_request_parser", "fuzz_widget_json", "fuzz_dynamodb_item",
                             "fuzz_dynamodb_response", "fuzz_sqs_response"}) {
    for (const auto& entry : std::filesystem::directory_iterator(corpus / target)) {
      documents.push_back(test::read_bytes(entry.path()));
    }
  }
  return documents;
}

/// `text` with one random edit: a byte replaced, inserted or removed, or a piece repeated,
/// mostly with JSON's own punctuation so that the edits reach deep into the parser.
std::string mutate(std::string text, std::mt19937& random) {
  constexpr std::string_view k_bytes = "{}[],:\"\\ 0123456789eE.-+tfnulrsa\x01\xC3\xA9";
  const auto pick = [&](std::size_t size) {
    return std::uniform_int_distribution<std::size_t>(0, size == 0 ? 0 : size - 1)(random);
  };
  const char byte = k_bytes[pick(k_bytes.size())];
  const std::size_t at = pick(text.size() + 1);
  switch (pick(4)) {
    case 0:
      if (at < text.size()) text[at] = byte;
      break;
    case 1:
      text.insert(at, 1, byte);
      break;
    case 2:
      if (at < text.size()) text.erase(at, 1 + pick(8));
      break;
    default: {
      const std::size_t from = pick(text.size() + 1);
      text.insert(at, text.substr(from, pick(40)));
      break;
    }
  }
  return text;
}

// --- the limits -----------------------------------------------------------------------------

TEST(ParseBoundedJson, RefusesANulByteAnywhereEvenAfterACompleteDocument) {
  // nlohmann's lexer takes a NUL for the end of the input: without the check, the garbage
  // after it would never be read.
  const auto after = parse_bounded_json(std::string("{\"a\":1}\0not JSON", 16));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error(), "has a NUL byte at offset 7");
  const auto inside = parse_bounded_json(std::string("{\"a\":\"x\0y\"}", 11));
  ASSERT_FALSE(inside);
  EXPECT_EQ(inside.error(), "has a NUL byte at offset 7");
}

TEST(ParseBoundedJson, AcceptsNestingOfExactlyTheLimit) {
  const std::string deep = std::string(k_max_json_depth, '[') + std::string(k_max_json_depth, ']');
  EXPECT_TRUE(parse_bounded_json(deep));
  EXPECT_EQ(parse_bounded_json("[" + deep + "]").error(),
            "nests arrays and objects deeper than 64 levels");
}

TEST(ParseBoundedJson, RefusesARepeatedKeyEvenWhenOneIsWrittenWithEscapes) {
  EXPECT_EQ(parse_bounded_json(R"({"a":1,"b":{"a":2},"\u0061":3})").error(),
            R"(has the key "a" twice in one object)");
  EXPECT_EQ(parse_bounded_json(R"({"":1,"":2})").error(), R"(has the key "" twice in one object)");
}

TEST(ParseBoundedJson, RefusesARepeatedKeyBeforeReadingItsValue) {
  EXPECT_EQ(parse_bounded_json(R"({"a":1,"a":)").error(), R"(has the key "a" twice in one object)");
}

TEST(ParseBoundedJson, ReadsEveryKindOfValueIntoTheDocument) {
  const auto document = parse_bounded_json(
      R"({"s":"x\n","i":-3,"u":18446744073709551615,"f":2.5,"t":true,"n":null,"a":[[],{}]})");
  ASSERT_TRUE(document) << document.error();
  EXPECT_EQ(*document, json::parse(R"({"s":"x\n","i":-3,"u":18446744073709551615,"f":2.5,)"
                                   R"("t":true,"n":null,"a":[[],{}]})"));
  EXPECT_TRUE((*document)["u"].is_number_unsigned());
  EXPECT_TRUE((*document)["i"].is_number_integer());
}

TEST(ParseBoundedJson, ManyKeysInOneObjectAreAcceptedWhenDistinct) {
  std::string body = "{";
  for (int i = 0; i < 100000; ++i) body += fmt::format("{}\"k{}\":{}", i == 0 ? "" : ",", i, i);
  body += "}";
  const auto document = parse_bounded_json(body);
  ASSERT_TRUE(document) << document.error();
  EXPECT_EQ(document->size(), 100000U);
  EXPECT_EQ(parse_bounded_json(body.substr(0, body.size() - 1) + R"(,"k99999":0})").error(),
            R"(has the key "k99999" twice in one object)");
}

TEST(FirstInvalidUtf8, FindsTheFirstBadByteAtAnyOffsetAmongAsciiAndUtf8) {
  for (std::size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    if (at >= 2) text.replace(at - 2, 2, "\xC3\xA9");  // a valid character just before it
    text[at] = '\xFF';
    EXPECT_EQ(first_invalid_utf8(text), at) << at;
    EXPECT_EQ(first_invalid_utf8(text.substr(0, at)), std::nullopt) << at;
  }
  EXPECT_EQ(first_invalid_utf8(std::string(17, 'x') + "\xE2\x82"), 17U);  // cut short at the end
}

// --- agreement with the reference ---------------------------------------------------------

TEST(ParseBoundedJson, AgreesWithTheCallbackParserOnHandWrittenEdgeCases) {
  // One line per kind of input, so:
  // clang-format off
  const std::vector<std::string> cases{
      "", " ", "{", "}", "[", "[1,]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",     // incomplete
      "{} x", "{}{}", "tru", "nul", "/* c */ {}", "\xEF\xBB\xBF{}",             // around a value
      "[1e999]", "[-1e999]", "1E400", "[1e308]", "-0", "0.0e-999",        // numbers
      "18446744073709551616", "[true,false,null]",                        // more numbers
      "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u00e9\"", "\"a\x01" "b\"",  // escapes
      "\"\xC3\xA9\"", "\"\xFF\"", "\"\xE0\x80\x80\"",                          // UTF-8
      "{\"a\":{\"a\":{}}}", "{\"a\":[{\"b\":1,\"b\":2}],\"a\":3}",             // repeated keys
      "{\"a\":1,\"a\":1e999}", "{\"a\":1e999,\"a\":1}",                        // which comes first
      "[" + std::string(70, '{') + "]", std::string(65, '[') + "1e999",     // depth
      "{\"x\":\"" + std::string(2000, 'y'),                                  // a long last read
      std::string("{}\0x", 4), std::string("[\"a\0b\"]", 7), std::string(1, '\0')};  // NUL
  // clang-format on
  for (const auto& text : cases) EXPECT_EQ(disagreement(text), "");
}

TEST(ParseBoundedJson, AgreesWithTheCallbackParserOnTheFuzzCorpusAndItsMutations) {
  std::mt19937 random(20240601);
  std::size_t checked = 0;
  for (const std::string& document : fuzz_corpus()) {
    ASSERT_EQ(disagreement(document), "");
    std::string mutated = document;
    for (int i = 0; i < 300; ++i) {
      mutated = i % 10 == 0 ? mutate(document, random) : mutate(std::move(mutated), random);
      ASSERT_EQ(disagreement(mutated), "");
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000U);
}

}  // namespace
}  // namespace wc::model
