// DynamoDbClient against real DynamoDB implementations: DynamoDB Local
// (WC_DYNAMODB_LOCAL_ENDPOINT) and moto (WC_MOTO_ENDPOINT), both set by scripts/test.sh. Each
// is skipped, saying so, when its variable is not set.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "aws/curl_transport.h"
#include "aws/dynamodb_client.h"
#include "aws/sigv4.h"
#include "live_server.h"

namespace wc::aws {
namespace {

using nlohmann::json;

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string random_suffix() {
  std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng() % 1'000'000'000);
}

json key_of(const std::string& id) { return {{"id", {{"S", id}}}}; }

class DynamoDbClientLive : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string endpoint;
    WC_REQUIRE_LIVE_ENDPOINT(endpoint, GetParam());
    config_.service = "dynamodb";
    config_.region = env_or("AWS_REGION", "us-east-1");
    config_.endpoint_url = endpoint;
    credentials_ = {env_or("AWS_ACCESS_KEY_ID", "test"), env_or("AWS_SECRET_ACCESS_KEY", "test"),
                    ""};
    config_.credentials = static_credentials(credentials_);
    transport_ = std::make_shared<CurlTransport>();
    client_ = std::make_unique<DynamoDbClient>(config_, transport_);
    table_ = "wc-live-" + random_suffix();
    create_table(table_);
  }

  /// DynamoDbClient has no CreateTable (the product never creates tables): sign one by hand.
  void create_table(const std::string& table) {
    HttpRequest request;
    request.method = "POST";
    request.endpoint = config_.endpoint_url;
    request.headers = dynamodb_headers("CreateTable");
    request.body =
        json{{"TableName", table},
             {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
             {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
             {"BillingMode", "PAY_PER_REQUEST"}}
            .dump();
    auto response = transport_->send(
        sign(request, credentials_,
             {config_.region, "dynamodb", std::chrono::system_clock::now(), /*s3_rules=*/false}));
    ASSERT_TRUE(response) << response.error().message;
    ASSERT_EQ(response->status, 200) << response->body;
  }

  std::optional<json> get(const std::string& id) {
    GetItemRequest request;
    request.table = table_;
    request.key = key_of(id);
    auto item = client_->get_item(request);
    EXPECT_TRUE(item) << item.error().describe();
    return item ? *item : std::nullopt;
  }

  Credentials credentials_;
  ServiceConfig config_;
  std::shared_ptr<CurlTransport> transport_;
  std::unique_ptr<DynamoDbClient> client_;
  std::string table_;
};

TEST_P(DynamoDbClientLive, DescribeTableGivesTheStringHashKey) {
  auto table = client_->describe_table(table_);
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(table->name, table_);
  ASSERT_EQ(table->key_schema.size(), 1u);
  EXPECT_EQ(table->key_schema[0].name, "id");
  EXPECT_EQ(table->key_schema[0].key_type, "HASH");
  EXPECT_EQ(table->key_schema[0].attribute_type, "S");
}

TEST_P(DynamoDbClientLive, MissingTableIsResourceNotFound) {
  auto table = client_->describe_table(table_ + "-missing");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, "ResourceNotFoundException");
  EXPECT_FALSE(table.error().retryable);
}

TEST_P(DynamoDbClientLive, ItemRoundTripWithAwkwardNamesAndValues) {
  const json item = {{"id", {{"S", "w/1 \xE2\x9C\x93"}}},
                     {"owner", {{"S", "Sue Smith"}}},
                     {"size-unit", {{"S", "cm"}}},
                     {"size", {{"S", "\"quoted\" \\ \xC3\xA9"}}}};
  PutItemRequest put;
  put.table = table_;
  put.item = item;
  put.return_old = true;
  auto first = client_->put_item(put);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(*first, std::nullopt);
  auto second = client_->put_item(put);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(*second, std::optional<json>(item));
  EXPECT_EQ(get("w/1 \xE2\x9C\x93"), std::optional<json>(item));
}

TEST_P(DynamoDbClientLive, ConditionalUpdateSetsRemovesAndRefusesAMissingItem) {
  PutItemRequest put;
  put.table = table_;
  put.item = {{"id", {{"S", "a"}}}, {"owner", {{"S", "Al"}}}, {"name", {{"S", "old"}}}};
  ASSERT_TRUE(client_->put_item(put));
  UpdateItemRequest update;
  update.table = table_;
  update.key = key_of("a");
  update.update_expression = "SET #n0 = :v0 REMOVE #n1";
  update.condition_expression = "attribute_exists(#id)";
  update.maps.names = {{"#n0", "size-unit"}, {"#n1", "name"}, {"#id", "id"}};
  update.maps.values = {{":v0", {{"S", "mm"}}}};
  ASSERT_TRUE(client_->update_item(update));
  EXPECT_EQ(get("a"),
            std::optional<json>(json{
                {"id", {{"S", "a"}}}, {"owner", {{"S", "Al"}}}, {"size-unit", {{"S", "mm"}}}}));
  update.key = key_of("nobody");
  auto missing = client_->update_item(update);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "ConditionalCheckFailedException");
  EXPECT_EQ(get("nobody"), std::nullopt) << "a failed condition must create nothing";
}

TEST_P(DynamoDbClientLive, DeleteWithAllOldTellsAMissingItemApart) {
  PutItemRequest put;
  put.table = table_;
  put.item = key_of("d");
  ASSERT_TRUE(client_->put_item(put));
  DeleteItemRequest remove;
  remove.table = table_;
  remove.key = key_of("d");
  remove.return_old = true;
  auto deleted = client_->delete_item(remove);
  auto again = client_->delete_item(remove);
  ASSERT_TRUE(deleted && again);
  EXPECT_EQ(*deleted, std::optional<json>(key_of("d")));
  EXPECT_EQ(*again, std::nullopt);
}

TEST_P(DynamoDbClientLive, ItemOver400KbIsAValidationException) {
  PutItemRequest put;
  put.table = table_;
  put.item = {{"id", {{"S", "big"}}}, {"d", {{"S", std::string(410 * 1024, 'x')}}}};
  auto result = client_->put_item(put);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "ValidationException");
  EXPECT_NE(result.error().message.find("size"), std::string::npos) << result.error().message;
}

TEST_P(DynamoDbClientLive, BatchWriteAppliesEveryWriteAcrossCalls) {
  std::vector<WriteRequest> writes;
  for (int i = 0; i < 60; ++i) {
    writes.push_back(
        {WriteRequest::Kind::put,
         {{"id", {{"S", "b" + std::to_string(i)}}}, {"n", {{"S", std::to_string(i)}}}}});
  }
  auto left = client_->batch_write_item(table_, writes);
  ASSERT_TRUE(left) << left.error().describe();
  EXPECT_TRUE(left->empty());
  for (int i = 0; i < 60; i += 7) EXPECT_TRUE(get("b" + std::to_string(i)).has_value()) << i;
  std::vector<WriteRequest> removals;
  for (int i = 0; i < 30; ++i)
    removals.push_back({WriteRequest::Kind::remove, key_of("b" + std::to_string(i))});
  ASSERT_TRUE(client_->batch_write_item(table_, removals));
  EXPECT_FALSE(get("b0").has_value());
  EXPECT_FALSE(get("b29").has_value());
  EXPECT_TRUE(get("b30").has_value());
}

INSTANTIATE_TEST_SUITE_P(Servers, DynamoDbClientLive,
                         ::testing::Values("WC_DYNAMODB_LOCAL_ENDPOINT", "WC_MOTO_ENDPOINT"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.index == 0 ? "DynamoDbLocal" : "Moto");
                         });

}  // namespace
}  // namespace wc::aws
