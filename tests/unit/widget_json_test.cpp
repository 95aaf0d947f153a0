#include "model/widget_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "text_assertions.h"

namespace wc::model {
namespace {

using test::contains;

Widget full_widget() {
  return Widget{
      "8123f304", "Mary Matthews", "JWJYY", "THB", {{"width-unit", "cm"}, {"rating", "2.58"}}};
}

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
