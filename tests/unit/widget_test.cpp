#include "model/widget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "conformance_data.h"

namespace wc::model {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

RequestAttribute attribute(std::string name, std::optional<std::string> value) {
  return {std::move(name), std::move(value)};
}

WidgetRequest request(RequestType type, std::vector<RequestAttribute> attributes = {}) {
  WidgetRequest result;
  result.type = type;
  result.request_id = "r1";
  result.widget_id = "w1";
  result.owner = "Mary Matthews";
  result.other_attributes = std::move(attributes);
  return result;
}

Widget stored() {
  return Widget{"w1", "Mary Matthews", "LBL", "DESC", {{"a", "1"}, {"b", "2"}, {"c", "3"}}};
}

// --- create -------------------------------------------------------------------------------

TEST(WidgetFromCreate, TakesEveryPropertyOfTheRequest) {
  WidgetRequest create =
      request(RequestType::create, {attribute("size", "22"), attribute("color", "red")});
  create.label = "L";
  create.description = "D";
  EXPECT_EQ(widget_from_create(create),
            (Widget{"w1", "Mary Matthews", "L", "D", {{"size", "22"}, {"color", "red"}}}));
}

TEST(WidgetFromCreate, LeavesAnEmptyOrNullLabelAndDescriptionAbsent) {
  WidgetRequest create = request(RequestType::create);
  create.label = "";
  create.description = std::nullopt;
  const Widget widget = widget_from_create(create);
  EXPECT_FALSE(widget.label);
  EXPECT_FALSE(widget.description);
}

TEST(WidgetFromCreate, LeavesOutAttributesWithAnEmptyOrNullValue) {
  const Widget widget = widget_from_create(
      request(RequestType::create, {attribute("a", "1"), attribute("b", ""),
                                    attribute("c", std::nullopt), attribute("d", "4")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"a", "1"}, {"d", "4"}}));
}

TEST(WidgetFromCreate, RepeatedNameTakesTheLastValueInTheFirstPosition) {
  const Widget widget = widget_from_create(request(
      RequestType::create, {attribute("a", "1"), attribute("b", "2"), attribute("a", "3")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"a", "3"}, {"b", "2"}}));
}

TEST(WidgetFromCreate, RepeatedNameWhoseLastValueIsEmptyOrNullIsAbsent) {
  const Widget emptied = widget_from_create(
      request(RequestType::create, {attribute("a", "1"), attribute("b", "2"), attribute("a", "")}));
  EXPECT_EQ(emptied.other_attributes, (Attributes{{"b", "2"}}));
  const Widget nulled = widget_from_create(
      request(RequestType::create, {attribute("a", "1"), attribute("a", std::nullopt)}));
  EXPECT_TRUE(nulled.other_attributes.empty());
}

// --- update: label and description --------------------------------------------------------

TEST(ApplyUpdate, AbsentOrNullLabelAndDescriptionAreUnchanged) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update));
  EXPECT_EQ(widget, stored());
}

TEST(ApplyUpdate, UpdateWithEmptyLabelRemovesIt) {
  Widget widget = stored();
  WidgetRequest update = request(RequestType::update);
  update.label = "";
  apply_update(widget, update);
  EXPECT_FALSE(widget.label);
  EXPECT_EQ(widget.description, "DESC");
}

TEST(ApplyUpdate, UpdateWithEmptyDescriptionRemovesIt) {
  Widget widget = stored();
  WidgetRequest update = request(RequestType::update);
  update.description = "";
  apply_update(widget, update);
  EXPECT_FALSE(widget.description);
  EXPECT_EQ(widget.label, "LBL");
}

TEST(ApplyUpdate, UpdateWithValuesSetsLabelAndDescription) {
  Widget widget = stored();
  widget.description.reset();
  WidgetRequest update = request(RequestType::update);
  update.label = "NEW";
  update.description = "ADDED";
  apply_update(widget, update);
  EXPECT_EQ(widget.label, "NEW");
  EXPECT_EQ(widget.description, "ADDED");
}

// --- update: other attributes -------------------------------------------------------------

TEST(ApplyUpdate, AttributeWithNullValueIsUnchanged) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("b", std::nullopt)}));
  EXPECT_EQ(widget.other_attributes, stored().other_attributes);
}

TEST(ApplyUpdate, AttributeWithEmptyValueIsRemoved) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("b", "")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"a", "1"}, {"c", "3"}}));
}

TEST(ApplyUpdate, RemovingAnAttributeThatIsNotThereChangesNothing) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("zz", "")}));
  EXPECT_EQ(widget, stored());
}

TEST(ApplyUpdate, ExistingAttributeIsSetInPlaceAndNewOneAppended) {
  Widget widget = stored();
  apply_update(widget,
               request(RequestType::update, {attribute("new", "N"), attribute("b", "TWO")}));
  EXPECT_EQ(widget.other_attributes,
            (Attributes{{"a", "1"}, {"b", "TWO"}, {"c", "3"}, {"new", "N"}}));
}

TEST(ApplyUpdate, AttributesTheRequestDoesNotMentionAreKept) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("d", "4")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
}

TEST(ApplyUpdate, RepeatedNameInOneRequestLastEntryWins) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("b", "X"), attribute("d", "4"),
                                                     attribute("b", "Y"), attribute("d", "")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"a", "1"}, {"b", "Y"}, {"c", "3"}}));
}

TEST(ApplyUpdate, RemovedThenReAddedAttributeMovesToTheEnd) {
  Widget widget = stored();
  apply_update(widget, request(RequestType::update, {attribute("a", ""), attribute("a", "9")}));
  EXPECT_EQ(widget.other_attributes, (Attributes{{"b", "2"}, {"c", "3"}, {"a", "9"}}));
}

TEST(ApplyUpdate, NeverChangesWidgetIdOrOwner) {
  Widget widget = stored();
  WidgetRequest update = request(RequestType::update);
  update.widget_id = "other";
  update.owner = "Sue Smith";
  apply_update(widget, update);
  EXPECT_EQ(widget.widget_id, "w1");
  EXPECT_EQ(widget.owner, "Mary Matthews");
}

// --- many attributes ----------------------------------------------------------------------

/// SPEC §4 read literally, one entry at a time with a search each: the rules that
/// widget_from_create and apply_update must follow however many attributes there are.
void reference_set(Attributes& attributes, const std::string& name, const std::string& value) {
  const auto existing =
      std::find_if(attributes.begin(), attributes.end(),
                   [&](const auto& attribute) { return attribute.first == name; });
  if (value.empty()) {
    if (existing != attributes.end()) attributes.erase(existing);
  } else if (existing != attributes.end()) {
    existing->second = value;
  } else {
    attributes.emplace_back(name, value);
  }
}

/// `count` entries over `names` distinct names: values, "" and nulls, so names are set,
/// repeated, removed and added again in every order.
std::vector<RequestAttribute> random_entries(std::mt19937& random, std::size_t count,
                                             std::size_t names) {
  std::vector<RequestAttribute> entries;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = "n" + std::to_string(random() % names);
    switch (random() % 5) {
      case 0:
        entries.push_back(attribute(name, ""));
        break;
      case 1:
        entries.push_back(attribute(name, std::nullopt));
        break;
      default:
        entries.push_back(attribute(name, std::to_string(random() % 1000)));
    }
  }
  return entries;
}

TEST(WidgetRules, ManyAttributesFollowTheSameRulesAsFew) {
  std::mt19937 random(4);
  for (int round = 0; round < 400; ++round) {
    const std::size_t names = 1 + random() % 60;  // on both sides of the search/index switch
    const WidgetRequest create =
        request(RequestType::create, random_entries(random, random() % 120, names));
    Attributes expected;
    for (const auto& entry : create.other_attributes) {
      reference_set(expected, entry.name, entry.value.value_or(""));
    }
    Widget widget = widget_from_create(create);
    ASSERT_EQ(widget.other_attributes, expected) << "create, round " << round;

    const WidgetRequest update =
        request(RequestType::update, random_entries(random, random() % 120, names));
    for (const auto& entry : update.other_attributes) {
      if (entry.value) reference_set(expected, entry.name, *entry.value);
    }
    apply_update(widget, update);
    ASSERT_EQ(widget.other_attributes, expected) << "update, round " << round;
  }
}

TEST(WidgetRules, ThirtyThousandDistinctAttributesAreCreatedAndUpdated) {
  std::vector<RequestAttribute> entries;
  for (int i = 0; i < 30000; ++i) entries.push_back(attribute("a" + std::to_string(i), "x"));
  Widget widget = widget_from_create(request(RequestType::create, entries));
  ASSERT_EQ(widget.other_attributes.size(), 30000U);
  entries.front().value = "";
  entries.back().value = "y";
  entries.push_back(attribute("a0", "z"));
  apply_update(widget, request(RequestType::update, entries));
  ASSERT_EQ(widget.other_attributes.size(), 30000U);
  EXPECT_EQ(widget.other_attributes.front(), (std::pair<std::string, std::string>{"a1", "x"}));
  EXPECT_EQ(widget.other_attributes[29998], (std::pair<std::string, std::string>{"a29999", "y"}));
  EXPECT_EQ(widget.other_attributes.back(), (std::pair<std::string, std::string>{"a0", "z"}));
}

// --- the fixtures, parsed ----------------------------------------------------------------

WidgetRequest fixture(const std::string& name) {
  const auto path = test::conformance_dir() / "fixtures" / name;
  EXPECT_TRUE(std::filesystem::exists(path)) << test::missing_message(path);
  auto parsed = parse_request(test::read_bytes(path));
  EXPECT_TRUE(parsed) << name << ": " << (parsed ? "" : parsed.error().reason);
  return parsed ? *parsed : WidgetRequest{};
}

TEST(WidgetRules, GoodUpdateFixtureAppliedToGoodCreateFixture) {
  Widget widget = widget_from_create(fixture("good_create_widget_request.json"));
  apply_update(widget, fixture("good_update_widget_request.json"));
  EXPECT_EQ(widget.widget_id, "0d3f9f0b-d5e2-4f5b-840c-167aeda7e339");
  EXPECT_EQ(widget.owner, "John Jones");  // the update says Henry Hops: owner never changes
  EXPECT_EQ(widget.label, "OZYLYLJ");
  EXPECT_EQ(widget.other_attributes, (Attributes{{"size", "22"},
                                                 {"size-unit", "cm"},
                                                 {"height", "31"},
                                                 {"height-unit", "cm"},
                                                 {"price", "25.35"},
                                                 {"note", "CREGARL"},
                                                 {"width", "818"},
                                                 {"width-unit", "cm"},
                                                 {"rating", "4.618845"},
                                                 {"vendor", "KBHLOWWFBNULVVPVHZM"}}));
}

}  // namespace
}  // namespace wc::model
