#include "model/widget_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "conformance_data.h"
#include "model/request.h"
#include "text_assertions.h"

namespace wc::model {
namespace {

using test::contains;

Widget full_widget() {
  return Widget{
      "8123f304", "Mary Matthews", "JWJYY", "THB", {{"width-unit", "cm"}, {"rating", "2.58"}}};
}

/// The document as nlohmann::ordered_json writes it: what the S3 and directory stores held
/// before to_json wrote by hand, and must go on holding to the byte.
std::string nlohmann_dump(const Widget& widget) {
  nlohmann::ordered_json document;
  document["widgetId"] = widget.widget_id;
  document["owner"] = widget.owner;
  if (widget.label) document["label"] = *widget.label;
  if (widget.description) document["description"] = *widget.description;
  if (!widget.other_attributes.empty()) {
    auto& list = document["otherAttributes"] = nlohmann::ordered_json::array();
    for (const auto& [name, value] : widget.other_attributes) {
      list.push_back({{"name", name}, {"value", value}});
    }
  }
  return document.dump();
}

/// Random strings from pieces chosen to exercise every escape: printable ASCII, each control
/// character, quotes, backslashes, 0x7F and UTF-8 of every length.
class TextMaker {
 public:
  explicit TextMaker(unsigned seed) : random_(seed) {}

  std::string text(std::size_t max_pieces) {
    std::string out;
    const std::size_t pieces = pick(max_pieces + 1);
    for (std::size_t i = 0; i < pieces; ++i) out += piece();
    return out;
  }

  std::optional<std::string> maybe_text() {
    if (pick(3) == 0) return std::nullopt;
    return text(12);
  }

  std::size_t pick(std::size_t size) {
    return std::uniform_int_distribution<std::size_t>(0, size - 1)(random_);
  }

 private:
  std::string piece() {
    static const std::vector<std::string> k_pieces{"\"",
                                                   "\\",
                                                   "/",
                                                   "\x7F",
                                                   "\xC3\xA9",
                                                   "\xE2\x82\xAC",
                                                   "\xF0\x9F\x98\x80",
                                                   "\xF4\x8F\xBF\xBF",
                                                   "\xEF\xBF\xBF",
                                                   "\xC2\x80",
                                                   "\\u00e9",
                                                   "</script>"};
    switch (pick(4)) {
      case 0:
        return std::string(1, static_cast<char>(pick(0x20)));  // a control character
      case 1:
        return k_pieces[pick(k_pieces.size())];
      default:
        return std::string(1 + pick(6), static_cast<char>(0x20 + pick(0x5F)));  // printable
    }
  }

  std::mt19937 random_;
};

std::string error_for(std::string_view json) {
  auto widget = widget_from_json(json);
  return widget ? "(accepted)" : widget.error();
}

// --- key ----------------------------------------------------------------------------------

TEST(WidgetKey, ReplacesSpacesWithDashesAndLowerCasesTheOwner) {
  EXPECT_EQ(widget_key("Mary Matthews", "8123f304"), "widgets/mary-matthews/8123f304");
}

TEST(WidgetKey, ReplacesEverySpaceIncludingRepeatedAndOuterOnes) {
  EXPECT_EQ(widget_key(" Ann  LEE ", "w"), "widgets/-ann--lee-/w");
}

TEST(WidgetKey, OwnersDifferingOnlyInCaseShareAKey) {
  EXPECT_EQ(widget_key("MARY MATTHEWS", "w"), widget_key("mary matthews", "w"));
}

TEST(WidgetKey, KeepsTheWidgetIdAsItIs) {
  EXPECT_EQ(widget_key("Sue Smith", "AbC 1.x"), "widgets/sue-smith/AbC 1.x");
}

// --- to_json ------------------------------------------------------------------------------

TEST(ToJson, WritesCompactFieldsInSpecOrder) {
  EXPECT_EQ(
      to_json(full_widget()),
      R"({"widgetId":"8123f304","owner":"Mary Matthews","label":"JWJYY","description":"THB",)"
      R"("otherAttributes":[{"name":"width-unit","value":"cm"},{"name":"rating","value":"2.58"}]})");
}

TEST(ToJson, LeavesOutAbsentPropertiesAndAnEmptyAttributeList) {
  EXPECT_EQ(to_json(Widget{"w", "Sue Smith", std::nullopt, std::nullopt, {}}),
            R"({"widgetId":"w","owner":"Sue Smith"})");
  EXPECT_EQ(to_json(Widget{"w", "Sue Smith", std::nullopt, "D", {}}),
            R"({"widgetId":"w","owner":"Sue Smith","description":"D"})");
}

TEST(ToJson, EscapesQuotesAndControlsAndKeepsUnicodeAsUtf8) {
  EXPECT_EQ(to_json(Widget{"w", "A", "say \"hi\"\n", "Größe", {}}),
            R"({"widgetId":"w","owner":"A","label":"say \"hi\"\n","description":"Größe"})");
}

TEST(ToJson, WritesWhatNlohmannDumpWritesForGeneratedWidgets) {
  TextMaker maker(5250);
  for (int i = 0; i < 5000; ++i) {
    Widget widget{maker.text(6), maker.text(6), maker.maybe_text(), maker.maybe_text(), {}};
    const std::size_t attributes = maker.pick(4) == 0 ? maker.pick(60) : maker.pick(6);
    for (std::size_t k = 0; k < attributes; ++k) {
      widget.other_attributes.emplace_back(maker.text(4), maker.text(8));
    }
    ASSERT_EQ(to_json(widget), nlohmann_dump(widget)) << "widget " << i;
  }
}

TEST(ToJson, WritesWhatNlohmannDumpWritesForEveryConformanceRequest) {
  std::size_t written = 0;
  for (const char* folder : {"hw6-official", "producer-2021"}) {
    const auto dir = test::conformance_dir() / folder;
    ASSERT_TRUE(std::filesystem::exists(dir)) << test::missing_message(dir);
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto request = parse_request(test::read_bytes(entry.path()));
      if (!request) continue;
      const Widget widget = widget_from_create(*request);
      ASSERT_EQ(to_json(widget), nlohmann_dump(widget)) << entry.path();
      ++written;
    }
  }
  EXPECT_GT(written, 200U);
}

TEST(ToJson, ThrowsNlohmannsTypeErrorForAStringThatIsNotUtf8) {
  for (const std::string bad : {"ab\xFF", "\xC3", "x\xE0\x80\x80", "\xED\xA0\x80"}) {
    Widget widget = full_widget();
    widget.other_attributes.emplace_back("n", bad);
    std::string expected;
    try {
      nlohmann_dump(widget);
    } catch (const nlohmann::json::type_error& error) {
      expected = error.what();
    }
    ASSERT_FALSE(expected.empty());
    try {
      to_json(widget);
      ADD_FAILURE() << "to_json accepted " << expected;
    } catch (const nlohmann::json::type_error& error) {
      EXPECT_EQ(error.what(), expected);
    }
  }
}

// --- widget_from_json ---------------------------------------------------------------------

TEST(WidgetFromJson, ReadsBackWhatToJsonWrote) {
  const Widget widget = full_widget();
  auto read = widget_from_json(to_json(widget));
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, widget);
}

TEST(WidgetFromJson, ReadsTheSpecExampleKeepingAttributeOrder) {
  auto read = widget_from_json(
      R"({"widgetId":"8123f304","owner":"Mary Matthews","label":"JWJYY","description":"x",)"
      R"("otherAttributes":[{"name":"width-unit","value":"cm"},{"name":"rating","value":"2.58"}]})");
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(read->other_attributes, (std::vector<std::pair<std::string, std::string>>{
                                        {"width-unit", "cm"}, {"rating", "2.58"}}));
}

TEST(WidgetFromJson, ReadsNullOrEmptyPropertiesAsAbsent) {
  auto read = widget_from_json(
      R"({"widgetId":"w","owner":"A","label":"","description":null,"otherAttributes":)"
      R"([{"name":"a","value":""},{"name":"b","value":null},{"name":"c","value":"3"}]})");
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, (Widget{"w", "A", std::nullopt, std::nullopt, {{"c", "3"}}}));
}

TEST(WidgetFromJson, IgnoresUnknownKeys) {
  auto read = widget_from_json(R"({"widgetId":"w","owner":"A","version":3})");
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, (Widget{"w", "A", std::nullopt, std::nullopt, {}}));
}

TEST(WidgetFromJson, NamesWhatIsWrongWithABrokenDocument) {
  EXPECT_TRUE(contains(error_for("{"), "document is not valid JSON (parse error at line 1"));
  EXPECT_EQ(error_for("[]"), "document must be a JSON object, got array []");
  EXPECT_EQ(error_for(R"({"owner":"A"})"), "field 'widgetId' is missing");
  EXPECT_EQ(error_for(R"({"widgetId":"w","owner":7})"),
            "field 'owner' must be a non-empty string, got number 7");
  EXPECT_EQ(error_for(R"({"widgetId":"","owner":"A"})"),
            R"(field 'widgetId' must be a non-empty string, got "")");
  EXPECT_EQ(error_for(R"({"widgetId":"w","owner":"A","label":1})"),
            "field 'label' must be a string or null, got number 1");
  EXPECT_EQ(error_for(R"({"widgetId":"w","owner":"A","otherAttributes":{}})"),
            "field 'otherAttributes' must be an array, got object {}");
  EXPECT_EQ(error_for(R"({"widgetId":"w","owner":"A","otherAttributes":[{"value":"v"}]})"),
            "field 'otherAttributes[0].name' is missing");
  EXPECT_EQ(error_for(R"({"widgetId":"w","owner":"A","otherAttributes":[3]})"),
            "field 'otherAttributes[0]' must be an object, got number 3");
}

TEST(WidgetFromJson, RefusesDeepNestingAndInvalidUtf8) {
  const std::string deep = R"({"widgetId":"w","owner":"A","x":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  EXPECT_EQ(error_for(deep), "document nests arrays and objects deeper than 64 levels");
  EXPECT_TRUE(contains(error_for("{\"widgetId\":\"\xFF\"}"), "document is not valid UTF-8"));
}

}  // namespace
}  // namespace wc::model
