#include "store/dynamodb_update_expression.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "model/widget.h"

namespace wc::store {
namespace {

using nlohmann::json;
using Item = std::map<std::string, std::string>;

model::WidgetRequest update_request(std::vector<model::RequestAttribute> attributes = {}) {
  model::WidgetRequest request;
  request.type = model::RequestType::update;
  request.request_id = "r1";
  request.widget_id = "w1";
  request.owner = "Mary Matthews";
  request.other_attributes = std::move(attributes);
  return request;
}

/// A word of the expression without the ',' that separates actions.
std::string bare(std::string word) {
  if (word.ends_with(',')) word.pop_back();
  return word;
}

/// Applies `expression` to `item` the way DynamoDB would: a deliberately small interpreter of
/// the two clause forms the builder emits, resolving every placeholder through the maps (an
/// unknown placeholder throws).
void apply(const UpdateExpression& expression, Item& item) {
  std::istringstream words(expression.expression);
  std::string word, clause;
  while (words >> word) {
    if (word == "SET" || word == "REMOVE") {
      clause = word;
      continue;
    }
    const std::string name = expression.names.at(bare(word)).get<std::string>();
    if (clause == "SET") {
      std::string equals, value;
      words >> equals >> value;
      ASSERT_EQ(equals, "=") << expression.expression;
      item[name] = expression.values.at(bare(value)).at("S").get<std::string>();
    } else {
      ASSERT_EQ(clause, "REMOVE") << expression.expression;
      item.erase(name);
    }
  }
}

Item as_item(const model::Widget& widget) {
  Item item{{"id", widget.widget_id}, {"owner", widget.owner}};
  if (widget.label) item["label"] = *widget.label;
  if (widget.description) item["description"] = *widget.description;
  for (const auto& [name, value] : widget.other_attributes) item[name] = value;
  return item;
}

model::Widget stored_widget() {
  return model::Widget{"w1",
                       "Sue Smith",
                       "old label",
                       "old description",
                       {{"size", "3"}, {"size-unit", "cm"}, {"colour", "red"}}};
}

/// The item after the update, through the expressions, starting from stored_widget().
Item updated_item(const model::WidgetRequest& request, std::size_t max_bytes = 4096) {
  Item item = as_item(stored_widget());
  for (const UpdateExpression& expression :
       build_update_expressions(update_changes(request), max_bytes)) {
    apply(expression, item);
  }
  return item;
}

Item expected_item(const model::WidgetRequest& request) {
  model::Widget widget = stored_widget();
  model::apply_update(widget, request);
  return as_item(widget);
}

TEST(DynamoDbUpdateExpression, SetsAndRemovesInOneExpressionWithNumberedPlaceholders) {
  model::WidgetRequest request = update_request({{"size-unit", "mm"}, {"colour", ""}});
  request.label = "new";
  const auto expressions = build_update_expressions(update_changes(request));
  ASSERT_EQ(expressions.size(), 1u);
  EXPECT_EQ(expressions[0].expression, "SET #n0 = :v0, #n1 = :v1 REMOVE #n2");
  EXPECT_EQ(expressions[0].names,
            (json{{"#n0", "label"}, {"#n1", "size-unit"}, {"#n2", "colour"}}));
  EXPECT_EQ(expressions[0].values, (json{{":v0", {{"S", "new"}}}, {":v1", {{"S", "mm"}}}}));
}

TEST(DynamoDbUpdateExpression, ReservedAndDashedNamesAppearOnlyAsPlaceholders) {
  const auto request = update_request({{"size", "4"}, {"name", "x"}, {"size-unit", "in"}});
  const auto expressions = build_update_expressions(update_changes(request));
  ASSERT_EQ(expressions.size(), 1u);
  for (const char* name : {"size", "name", "unit"}) {
    EXPECT_EQ(expressions[0].expression.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(updated_item(request), expected_item(request));
}

TEST(DynamoDbUpdateExpression, EmptyLabelAndDescriptionRemoveThem) {
  model::WidgetRequest request = update_request();
  request.label = "";
  request.description = "";
  const Item item = updated_item(request);
  EXPECT_FALSE(item.contains("label"));
  EXPECT_FALSE(item.contains("description"));
  const auto expressions = build_update_expressions(update_changes(request));
  ASSERT_EQ(expressions.size(), 1u);
  EXPECT_EQ(expressions[0].expression, "REMOVE #n0, #n1");
  EXPECT_TRUE(expressions[0].values.empty()) << "DynamoDB refuses unused or empty value maps";
}

TEST(DynamoDbUpdateExpression, NullLabelAndDescriptionLeaveThemUnchanged) {
  const model::WidgetRequest request = update_request({{"colour", "blue"}});
  const Item item = updated_item(request);
  EXPECT_EQ(item.at("label"), "old label");
  EXPECT_EQ(item.at("description"), "old description");
  EXPECT_EQ(item.at("colour"), "blue");
}

TEST(DynamoDbUpdateExpression, EmptyAttributeValueRemovesTheAttribute) {
  const auto request = update_request({{"size-unit", ""}});
  const Item item = updated_item(request);
  EXPECT_FALSE(item.contains("size-unit"));
  EXPECT_EQ(item.at("size"), "3");
}

TEST(DynamoDbUpdateExpression, NullAttributeValueChangesNothing) {
  const auto request = update_request({{"size", std::nullopt}, {"colour", std::nullopt}});
  EXPECT_TRUE(update_changes(request).empty());
  EXPECT_TRUE(build_update_expressions(update_changes(request)).empty());
}

TEST(DynamoDbUpdateExpression, OwnerAndIdAreNeverWritten) {
  model::WidgetRequest request = update_request({{"colour", "green"}});
  request.owner = "Someone Else";
  const Item item = updated_item(request);
  EXPECT_EQ(item.at("owner"), "Sue Smith");
  EXPECT_EQ(item.at("id"), "w1");
  for (const AttributeChange& change : update_changes(request)) {
    EXPECT_NE(change.name, "owner");
    EXPECT_NE(change.name, "id");
  }
}

TEST(DynamoDbUpdateExpression, RepeatedNameTakesItsLastNonNullEntry) {
  EXPECT_EQ(update_changes(update_request({{"a", "1"}, {"a", "2"}})),
            (std::vector<AttributeChange>{{"a", "2"}}));
  EXPECT_EQ(update_changes(update_request({{"a", "1"}, {"a", ""}})),
            (std::vector<AttributeChange>{{"a", std::nullopt}}));
  EXPECT_EQ(update_changes(update_request({{"a", ""}, {"a", "3"}})),
            (std::vector<AttributeChange>{{"a", "3"}}));
  EXPECT_EQ(update_changes(update_request({{"a", "1"}, {"a", std::nullopt}})),
            (std::vector<AttributeChange>{{"a", "1"}}));
}

TEST(DynamoDbUpdateExpression, NamesKeepTheOrderTheyAreFirstMentionedIn) {
  const auto changes = update_changes(update_request({{"b", "1"}, {"a", "2"}, {"b", "3"}}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], (AttributeChange{"b", "3"}));
  EXPECT_EQ(changes[1], (AttributeChange{"a", "2"}));
}

TEST(DynamoDbUpdateExpression, LongUpdateIsSplitIntoExpressionsWithinTheLimit) {
  std::vector<model::RequestAttribute> attributes;
  for (int i = 0; i < 1000; ++i) {
    attributes.push_back({"attr-" + std::to_string(i), i % 3 == 0 ? "" : std::to_string(i)});
  }
  const auto request = update_request(attributes);
  const auto changes = update_changes(request);
  const auto expressions = build_update_expressions(changes);
  ASSERT_GT(expressions.size(), 1u);
  std::set<std::string> named;
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    EXPECT_LE(expressions[i].expression.size(), k_max_expression_bytes);
    for (const auto& [placeholder, name] : expressions[i].names.items()) {
      EXPECT_TRUE(named.insert(name.get<std::string>()).second) << "named twice: " << name;
    }
  }
  EXPECT_EQ(named.size(), changes.size());
  EXPECT_EQ(updated_item(request), expected_item(request));
}

TEST(DynamoDbUpdateExpression, EachSplitExpressionIsFilledAsFarAsTheLimitAllows) {
  std::vector<model::RequestAttribute> attributes;
  for (int i = 0; i < 300; ++i) attributes.push_back({"a" + std::to_string(i), "v"});
  const auto changes = update_changes(update_request(attributes));
  for (std::size_t limit : {40u, 100u, 4096u}) {
    const auto expressions = build_update_expressions(changes, limit);
    for (std::size_t i = 0; i + 1 < expressions.size(); ++i) {
      // One more SET clause would have pushed it over: ", #nK = :vK" with K = its size.
      const std::size_t count = expressions[i].names.size();
      const std::size_t next_clause = 2 + 2 * (2 + std::to_string(count).size()) + 3;
      EXPECT_LE(expressions[i].expression.size(), limit);
      EXPECT_GT(expressions[i].expression.size() + next_clause, limit) << "limit " << limit;
    }
  }
}

TEST(DynamoDbUpdateExpression, RandomUpdatesEndAsTheModelSays) {
  std::mt19937 rng(20210202);
  const std::vector<std::string> names{"size", "size-unit", "colour", "name", "note", "x"};
  const std::vector<std::optional<std::string>> values{std::nullopt, "", "1", "two", "drei"};
  for (int round = 0; round < 500; ++round) {
    std::vector<model::RequestAttribute> attributes;
    const int count = static_cast<int>(rng() % 8);
    for (int i = 0; i < count; ++i) {
      attributes.push_back({names[rng() % names.size()], values[rng() % values.size()]});
    }
    model::WidgetRequest request = update_request(attributes);
    request.label = values[rng() % values.size()];
    request.description = values[rng() % values.size()];
    const std::size_t limit = round % 2 == 0 ? 4096 : 30;  // odd rounds: split expressions
    ASSERT_EQ(updated_item(request, limit), expected_item(request)) << "round " << round;
  }
}

}  // namespace
}  // namespace wc::store
