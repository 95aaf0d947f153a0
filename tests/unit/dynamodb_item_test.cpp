#include "model/dynamodb_item.h"

#include <gtest/gtest.h>

#include "text_assertions.h"

namespace wc::model {
namespace {

using nlohmann::json;
using test::contains;

WidgetRequest request_with_attribute(RequestType type, std::string name,
                                     std::optional<std::string> value) {
  WidgetRequest request;
  request.type = type;
  request.request_id = "r1";
  request.widget_id = "w1";
  request.owner = "Mary Matthews";
  request.other_attributes = {{"size", "1"}, {std::move(name), std::move(value)}};
  return request;
}

std::string error_for(const json& item) {
  auto widget = widget_from_dynamodb_item(item);
  return widget ? "(accepted)" : widget.error();
}

// --- collisions ---------------------------------------------------------------------------

TEST(DynamodbCollision, RejectsEachNameTheItemUsesForItself) {
  for (const char* name : {"id", "owner", "label", "description", "widgetId"}) {
    for (RequestType type : {RequestType::create, RequestType::update}) {
      auto collision = dynamodb_collision(request_with_attribute(type, name, "x"));
      ASSERT_TRUE(collision) << name;
      EXPECT_TRUE(contains(collision->reason, std::string("attribute name '") + name + "'"));
    }
  }
}

TEST(DynamodbCollision, ExplainsTheCollision) {
  auto collision = dynamodb_collision(request_with_attribute(RequestType::create, "owner", "x"));
  ASSERT_TRUE(collision);
  EXPECT_EQ(collision->reason,
            "attribute name 'owner' collides with the item's own attribute; the DynamoDB store "
            "cannot hold it");
}

TEST(DynamodbCollision, RejectsACollidingNameWhateverItsValue) {
  // An update with "" would otherwise remove the item's own owner attribute.
  EXPECT_TRUE(dynamodb_collision(request_with_attribute(RequestType::update, "owner", "")));
  EXPECT_TRUE(
      dynamodb_collision(request_with_attribute(RequestType::update, "label", std::nullopt)));
}

TEST(DynamodbCollision, AcceptsOrdinaryAndLookAlikeNames) {
  for (const char* name : {"size", "ID", "Owner", "id ", "widgetid"}) {
    EXPECT_FALSE(dynamodb_collision(request_with_attribute(RequestType::create, name, "x")))
        << name;
  }
}

TEST(DynamodbCollision, NeverRejectsADeleteWhichStoresNothing) {
  EXPECT_FALSE(dynamodb_collision(request_with_attribute(RequestType::remove, "owner", "x")));
}

// --- item layout --------------------------------------------------------------------------

TEST(ToDynamodbItem, PutsEveryPropertyAndAttributeTopLevelAsString) {
  const Widget widget{"w1", "Mary Matthews", "L", "D", {{"size", "22"}, {"color", "red"}}};
  EXPECT_EQ(to_dynamodb_item(widget), json::parse(R"({"id":{"S":"w1"},"owner":{"S":"Mary Matthews"},
      "label":{"S":"L"},"description":{"S":"D"},"size":{"S":"22"},"color":{"S":"red"}})"));
}

TEST(ToDynamodbItem, LeavesOutAbsentLabelAndDescription) {
  EXPECT_EQ(to_dynamodb_item(Widget{"w1", "A", std::nullopt, std::nullopt, {}}),
            json::parse(R"({"id":{"S":"w1"},"owner":{"S":"A"}})"));
}

TEST(WidgetFromDynamodbItem, ReadsBackWithAttributesSortedByName) {
  const Widget widget{"w1", "A", "L", std::nullopt, {{"zeta", "1"}, {"Alpha", "2"}, {"beta", "3"}}};
  auto read = widget_from_dynamodb_item(to_dynamodb_item(widget));
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read,
            (Widget{"w1", "A", "L", std::nullopt, {{"Alpha", "2"}, {"beta", "3"}, {"zeta", "1"}}}));
}

TEST(WidgetFromDynamodbItem, NamesWhatIsWrongWithABrokenItem) {
  EXPECT_EQ(error_for(json::parse(R"({"owner":{"S":"A"}})")), "item has no 'id'");
  EXPECT_EQ(error_for(json::parse(R"({"id":{"S":"w"}})")), "item has no 'owner'");
  EXPECT_EQ(error_for(json::parse(R"({"id":{"S":"w"},"owner":{"S":"A"},"size":{"N":"3"}})")),
            R"(attribute 'size' must be a non-empty string (S), got object {"N":"3"})");
  EXPECT_EQ(error_for(json::parse(R"({"id":{"S":""},"owner":{"S":"A"}})")),
            R"(attribute 'id' must be a non-empty string (S), got object {"S":""})");
  EXPECT_EQ(error_for(json::parse(R"({"id":{"S":"w"},"owner":{"S":"A"},"widgetId":{"S":"w"}})")),
            "item has a 'widgetId' attribute; the id is 'id'");
  EXPECT_EQ(error_for(json::array()), "item must be a JSON object, got array []");
}

}  // namespace
}  // namespace wc::model
