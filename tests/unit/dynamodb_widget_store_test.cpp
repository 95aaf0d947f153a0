#include "store/dynamodb_widget_store.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "store/dynamodb_item_limits.h"
#include "store/dynamodb_update_expression.h"

namespace wc::store {
namespace {

using aws::testing::FakeTransport;
using nlohmann::json;

const json k_key = {{"id", {{"S", "w1"}}}};
const json k_stored = {{"id", {{"S", "w1"}}}, {"owner", {{"S", "Sue Smith"}}}};

std::string error_body(const std::string& code, const std::string& message = "m") {
  return json{{"__type", "com.amazonaws.dynamodb.v20120810#" + code}, {"message", message}}.dump();
}

model::WidgetRequest request_of(model::RequestType type,
                                std::vector<model::RequestAttribute> attributes = {}) {
  model::WidgetRequest request;
  request.type = type;
  request.request_id = "r1";
  request.widget_id = "w1";
  request.owner = "Mary Matthews";
  request.other_attributes = std::move(attributes);
  return request;
}

struct DynamoDbStoreTest : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  DynamoDbWidgetStore store{make_client(transport), "widgets"};

  static std::shared_ptr<aws::DynamoDbClient> make_client(std::shared_ptr<FakeTransport> fake) {
    aws::ServiceConfig config{"dynamodb", "us-east-1", "http://127.0.0.1:8000",
                              aws::static_credentials({"a", "b", ""})};
    aws::RetryPolicy policy;
    policy.base_delay = std::chrono::milliseconds{0};
    return std::make_shared<aws::DynamoDbClient>(config, std::move(fake), policy);
  }

  std::vector<std::string> targets() {
    std::vector<std::string> out;
    for (const auto& sent : transport->sent()) out.emplace_back(sent.header("X-Amz-Target"));
    return out;
  }
  json body(std::size_t index = 0) { return json::parse(transport->sent().at(index).body); }
};

TEST_F(DynamoDbStoreTest, DescribesItselfByTable) {
  EXPECT_EQ(store.describe(), "DynamoDB table 'widgets'");
}

TEST_F(DynamoDbStoreTest, CreatePutsTheWholeItemAndReportsCreated) {
  transport->answer(200, "{}");
  auto request = request_of(model::RequestType::create, {{"size-unit", "cm"}, {"gone", ""}});
  request.label = "L";
  auto outcome = store.apply(request);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, Outcome::created);
  EXPECT_EQ(targets(), std::vector<std::string>{"DynamoDB_20120810.PutItem"});
  EXPECT_EQ(body().at("Item"), (json{{"id", {{"S", "w1"}}},
                                     {"owner", {{"S", "Mary Matthews"}}},
                                     {"label", {{"S", "L"}}},
                                     {"size-unit", {{"S", "cm"}}}}));
  EXPECT_EQ(body().at("ReturnValues"), "ALL_OLD");
  EXPECT_FALSE(body().contains("ConditionExpression")) << "a create replaces unconditionally";
}

TEST_F(DynamoDbStoreTest, CreateOverAnOldItemReportsReplaced) {
  transport->answer(200, json{{"Attributes", k_stored}}.dump());
  auto outcome = store.apply(request_of(model::RequestType::create));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, Outcome::replaced);
}

TEST_F(DynamoDbStoreTest, UpdateIsOneConditionalUpdateItemThatLeavesOwnerAlone) {
  transport->answer(200, "{}");
  auto request = request_of(model::RequestType::update, {{"size", "4"}, {"name", ""}});
  request.description = "D";
  auto outcome = store.apply(request);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, Outcome::updated);
  EXPECT_EQ(targets(), std::vector<std::string>{"DynamoDB_20120810.UpdateItem"});
  const json sent = body();
  EXPECT_EQ(sent.at("Key"), k_key);
  EXPECT_EQ(sent.at("UpdateExpression"), "SET #n0 = :v0, #n1 = :v1 REMOVE #n2");
  EXPECT_EQ(sent.at("ConditionExpression"), "attribute_exists(#id)");
  EXPECT_EQ(sent.at("ExpressionAttributeNames"),
            (json{{"#n0", "description"}, {"#n1", "size"}, {"#n2", "name"}, {"#id", "id"}}));
  EXPECT_EQ(sent.at("ExpressionAttributeValues"),
            (json{{":v0", {{"S", "D"}}}, {":v1", {{"S", "4"}}}}));
  EXPECT_EQ(sent.dump().find("Mary Matthews"), std::string::npos) << "owner must not be sent";
}

TEST_F(DynamoDbStoreTest, UpdateOfMissingWidgetIsMissing) {
  transport->answer(400, error_body("ConditionalCheckFailedException"));
  auto outcome = store.apply(request_of(model::RequestType::update, {{"a", "1"}}));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, Outcome::missing);
  EXPECT_EQ(transport->sent().size(), 1u);
}

TEST_F(DynamoDbStoreTest, UpdateThatChangesNothingReadsTheIdToTellMissingApart) {
  transport->answer(200, json{{"Item", {{"id", {{"S", "w1"}}}}}}.dump());
  transport->answer(200, "{}");
  const auto request = request_of(model::RequestType::update, {{"a", std::nullopt}});
  auto existing = store.apply(request);
  auto missing = store.apply(request);
  ASSERT_TRUE(existing && missing);
  EXPECT_EQ(*existing, Outcome::updated);
  EXPECT_EQ(*missing, Outcome::missing);
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"DynamoDB_20120810.GetItem", "DynamoDB_20120810.GetItem"}));
  EXPECT_EQ(body().at("ProjectionExpression"), "#id");
  EXPECT_EQ(body().at("ConsistentRead"), true);
}

TEST_F(DynamoDbStoreTest, UpdateTooLongForOneExpressionIsSentInConditionalParts) {
  std::vector<model::RequestAttribute> attributes;
  for (int i = 0; i < 600; ++i) attributes.push_back({"a" + std::to_string(i), "v"});
  for (int i = 0; i < 10; ++i) transport->answer(200, "{}");
  auto outcome = store.apply(request_of(model::RequestType::update, attributes));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, Outcome::updated);
  const auto sent = transport->sent();
  ASSERT_GT(sent.size(), 1u);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(body(i).at("ConditionExpression"), "attribute_exists(#id)");
    EXPECT_LE(body(i).at("UpdateExpression").get<std::string>().size(), k_max_expression_bytes);
  }
}

TEST_F(DynamoDbStoreTest, DeleteReportsDeletedOrMissingFromTheOldItem) {
  transport->answer(200, json{{"Attributes", k_stored}}.dump());
  transport->answer(200, "{}");
  auto deleted = store.apply(request_of(model::RequestType::remove));
  auto missing = store.apply(request_of(model::RequestType::remove));
  ASSERT_TRUE(deleted && missing);
  EXPECT_EQ(*deleted, Outcome::deleted);
  EXPECT_EQ(*missing, Outcome::missing);
  EXPECT_EQ(body(0).at("ReturnValues"), "ALL_OLD");
  EXPECT_EQ(body(0).at("Key"), k_key);
}

TEST_F(DynamoDbStoreTest, ValidationExceptionFailsThisRequestOnly) {
  transport->answer(400, error_body("ValidationException",
                                    "Item size to update has exceeded the maximum allowed size"));
  auto outcome = store.apply(request_of(model::RequestType::update, {{"a", "1"}}));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, StoreErrorKind::request);
  EXPECT_NE(outcome.error().message.find("Item size to update has exceeded"), std::string::npos);
  EXPECT_NE(outcome.error().message.find("DynamoDB table 'widgets'"), std::string::npos);
}

TEST_F(DynamoDbStoreTest, MissingTableIsFatal) {
  transport->answer(400, error_body("ResourceNotFoundException", "Requested resource not found"));
  auto outcome = store.apply(request_of(model::RequestType::remove));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, StoreErrorKind::fatal);
}

TEST_F(DynamoDbStoreTest, CheckAcceptsATableKeyedByStringId) {
  transport->answer(200, R"({"Table":{"TableName":"widgets","KeySchema":[
      {"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[
      {"AttributeName":"id","AttributeType":"S"}]}})");
  EXPECT_TRUE(store.check());
  EXPECT_EQ(targets(), std::vector<std::string>{"DynamoDB_20120810.DescribeTable"});
}

TEST_F(DynamoDbStoreTest, CheckRefusesAnyOtherKeySchemaNamingTheTable) {
  const char* const schemas[] = {
      R"({"Table":{"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
          "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}]}})",
      R"({"Table":{"KeySchema":[{"AttributeName":"widgetId","KeyType":"HASH"}],
          "AttributeDefinitions":[{"AttributeName":"widgetId","AttributeType":"S"}]}})",
      R"({"Table":{"KeySchema":[{"AttributeName":"id","KeyType":"HASH"},
          {"AttributeName":"owner","KeyType":"RANGE"}],"AttributeDefinitions":[
          {"AttributeName":"id","AttributeType":"S"},{"AttributeName":"owner","AttributeType":"S"}]}})",
  };
  for (const char* schema : schemas) {
    transport->answer(200, schema);
    auto checked = store.check();
    ASSERT_FALSE(checked) << schema;
    EXPECT_EQ(checked.error().kind, StoreErrorKind::fatal);
    EXPECT_NE(checked.error().message.find("DynamoDB table 'widgets'"), std::string::npos);
    EXPECT_NE(checked.error().message.find("'id'"), std::string::npos);
  }
}

TEST_F(DynamoDbStoreTest, CheckOfMissingTableIsFatalAndNamesTheCause) {
  transport->answer(400, error_body("ResourceNotFoundException", "Requested resource not found"));
  auto checked = store.check();
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, StoreErrorKind::fatal);
  EXPECT_NE(checked.error().message.find("'widgets'"), std::string::npos);
  EXPECT_NE(checked.error().message.find("ResourceNotFoundException"), std::string::npos);
}

TEST_F(DynamoDbStoreTest, RejectsCollidingNamesAndOversizedItemsButNotDeletes) {
  EXPECT_TRUE(store.rejection(request_of(model::RequestType::create, {{"owner", "x"}})));
  EXPECT_TRUE(store.rejection(request_of(model::RequestType::update, {{"id", ""}})));
  const std::string big(k_max_item_bytes, 'x');
  EXPECT_TRUE(store.rejection(request_of(model::RequestType::create, {{"big", big}})));
  EXPECT_FALSE(store.rejection(request_of(model::RequestType::create, {{"size", "1"}})));
  EXPECT_FALSE(store.rejection(request_of(model::RequestType::remove, {{"owner", "x"}})));
  EXPECT_TRUE(transport->sent().empty());
}

}  // namespace
}  // namespace wc::store
