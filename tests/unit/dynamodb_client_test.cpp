#include "aws/dynamodb_client.h"

#include <gtest/gtest.h>

#include "fake_transport.h"

namespace wc::aws {
namespace {

using nlohmann::json;
using testing::FakeTransport;

ServiceConfig config_for(std::string endpoint, std::string region = "us-east-1") {
  ServiceConfig config;
  config.service = "dynamodb";
  config.region = std::move(region);
  config.endpoint_url = std::move(endpoint);
  config.credentials = static_credentials({"AKIDEXAMPLE", "secret", ""});
  return config;
}

RetryPolicy no_wait(int attempts = 6) {
  RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.base_delay = std::chrono::milliseconds{0};
  return policy;
}

std::string error_body(const std::string& code, const std::string& message = "m") {
  return json{{"__type", "com.amazonaws.dynamodb.v20120810#" + code}, {"message", message}}.dump();
}

const json k_key = {{"id", {{"S", "w1"}}}};

// The requests name the table "widgets" and the item of k_key unless a test says otherwise.
PutItemRequest put_request(json item = k_key) {
  PutItemRequest request;
  request.table = "widgets";
  request.item = std::move(item);
  return request;
}

GetItemRequest get_request() {
  GetItemRequest request;
  request.table = "widgets";
  request.key = k_key;
  return request;
}

UpdateItemRequest update_request(std::string expression) {
  UpdateItemRequest request;
  request.table = "widgets";
  request.key = k_key;
  request.update_expression = std::move(expression);
  return request;
}

DeleteItemRequest delete_request() {
  DeleteItemRequest request;
  request.table = "widgets";
  request.key = k_key;
  request.return_old = true;
  return request;
}

WriteRequest put_of(int i) {
  return {WriteRequest::Kind::put, {{"id", {{"S", "w" + std::to_string(i)}}}}};
}

struct DynamoDbClientTest : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  DynamoDbClient client{config_for("http://127.0.0.1:8000/"), transport, no_wait()};

  json sent_body(std::size_t index = 0) {
    auto sent = transport->sent();
    EXPECT_GT(sent.size(), index);
    return sent.size() > index ? json::parse(sent[index].body) : json();
  }
};

TEST_F(DynamoDbClientTest, CallIsASignedPostToTheRootWithTargetAndJsonBody) {
  transport->answer(200, "{}");
  const PutItemRequest put = put_request();
  ASSERT_TRUE(client.put_item(put));
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(sent[0].path, "/");
  EXPECT_EQ(sent[0].header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(sent[0].header("X-Amz-Target"), "DynamoDB_20120810.PutItem");
  EXPECT_NE(sent[0].header("Authorization").find("/us-east-1/dynamodb/aws4_request"),
            std::string::npos);
  EXPECT_EQ(json::parse(sent[0].body), (json{{"TableName", "widgets"}, {"Item", put.item}}));
}

TEST_F(DynamoDbClientTest, AwsEndpointIsTheRegionalOne) {
  DynamoDbClient aws{config_for("", "eu-west-1"), transport, no_wait()};
  DynamoDbClient china{config_for("", "cn-north-1"), transport, no_wait()};
  transport->answer(200, R"({"Table":{"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}})");
  transport->answer(200, R"({"Table":{"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}})");
  ASSERT_TRUE(aws.describe_table("t"));
  ASSERT_TRUE(china.describe_table("t"));
  EXPECT_EQ(transport->sent()[0].endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(transport->sent()[1].endpoint, "https://dynamodb.cn-north-1.amazonaws.com.cn");
}

TEST_F(DynamoDbClientTest, UpdateSendsExpressionsAndLeavesEmptyMapsOut) {
  transport->answer(200, "{}");
  UpdateItemRequest update = update_request("REMOVE #n0");
  update.condition_expression = "attribute_exists(#id)";
  update.maps.names = {{"#n0", "label"}, {"#id", "id"}};
  ASSERT_TRUE(client.update_item(update));
  EXPECT_EQ(sent_body(), (json{{"TableName", "widgets"},
                               {"Key", k_key},
                               {"UpdateExpression", "REMOVE #n0"},
                               {"ConditionExpression", "attribute_exists(#id)"},
                               {"ExpressionAttributeNames", update.maps.names}}));
}

TEST_F(DynamoDbClientTest, ReturnValuesAllOldTellsWhetherAnItemWasThere) {
  const json old = {{"id", {{"S", "w1"}}}, {"owner", {{"S", "Al"}}}};
  transport->answer(200, json{{"Attributes", old}}.dump());
  transport->answer(200, "{}");
  auto replaced = client.delete_item(delete_request());
  auto absent = client.delete_item(delete_request());
  ASSERT_TRUE(replaced && absent);
  EXPECT_EQ(*replaced, std::optional<json>(old));
  EXPECT_EQ(*absent, std::nullopt);
  EXPECT_EQ(sent_body(0).at("ReturnValues"), "ALL_OLD");
}

TEST_F(DynamoDbClientTest, GetItemIsConsistentAndMissingItemIsNullopt) {
  transport->answer(200, "{}");
  auto item = client.get_item(get_request());
  ASSERT_TRUE(item);
  EXPECT_EQ(*item, std::nullopt);
  EXPECT_EQ(sent_body().at("ConsistentRead"), true);
}

TEST_F(DynamoDbClientTest, ConditionFailureComesBackAsItsCodeWithoutRetry) {
  transport->answer(400, error_body("ConditionalCheckFailedException"));
  auto result = client.update_item(update_request("SET #a = :a"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "ConditionalCheckFailedException");
  EXPECT_EQ(result.error().operation, "UpdateItem");
  EXPECT_EQ(result.error().resource, "table 'widgets' item id='w1'");
  EXPECT_EQ(transport->sent().size(), 1u);
}

TEST_F(DynamoDbClientTest, ThrottlingCodesAndServerErrorsAreRetried) {
  for (const char* code :
       {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}) {
    transport->answer(400, error_body(code));
  }
  transport->answer(500, "");
  transport->answer(200, "{}");
  ASSERT_TRUE(client.put_item(put_request()));
  EXPECT_EQ(transport->sent().size(), 5u);
  EXPECT_EQ(client.calls(), 5u);
  EXPECT_EQ(client.retries(), 4u);
}

TEST_F(DynamoDbClientTest, ValidationExceptionIsNotRetried) {
  transport->answer(400, error_body("ValidationException", "Item size has exceeded"));
  auto result = client.put_item(put_request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "ValidationException");
  EXPECT_FALSE(result.error().retryable);
  EXPECT_EQ(transport->sent().size(), 1u);
}

TEST_F(DynamoDbClientTest, AnswerThatIsNotAJsonObjectIsMalformed) {
  transport->answer(200, "not json");
  auto result = client.get_item(get_request());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "MalformedResponse");
}

TEST_F(DynamoDbClientTest, StringThatIsNotUtf8IsRefusedBeforeSending) {
  auto result = client.put_item(put_request({{"id", {{"S", "\xFF"}}}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidArgument");
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(DynamoDbClientTest, BatchWriteSendsAtMost25WritesPerCall) {
  std::vector<WriteRequest> writes;
  for (int i = 0; i < 30; ++i) writes.push_back(put_of(i));
  transport->answer(200, "{}");
  transport->answer(200, R"({"UnprocessedItems":{}})");
  auto left = client.batch_write_item("widgets", writes);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
  ASSERT_EQ(transport->sent().size(), 2u);
  EXPECT_EQ(transport->sent()[0].header("X-Amz-Target"), "DynamoDB_20120810.BatchWriteItem");
  EXPECT_EQ(sent_body(0).at("RequestItems").at("widgets").size(), 25u);
  EXPECT_EQ(sent_body(1).at("RequestItems").at("widgets").size(), 5u);
  EXPECT_EQ(sent_body(1).at("RequestItems").at("widgets")[4], to_wire(put_of(29)));
}

TEST_F(DynamoDbClientTest, BatchWriteResendsOnlyTheUnprocessedWrites) {
  const std::vector<WriteRequest> writes{put_of(1), put_of(2), put_of(3)};
  transport->answer(
      200,
      json{{"UnprocessedItems", {{"widgets", {to_wire(put_of(2)), to_wire(put_of(3))}}}}}.dump());
  transport->answer(200, json{{"UnprocessedItems", {{"widgets", {to_wire(put_of(3))}}}}}.dump());
  transport->answer(200, "{}");
  auto left = client.batch_write_item("widgets", writes);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
  ASSERT_EQ(transport->sent().size(), 3u);
  EXPECT_EQ(sent_body(1).at("RequestItems").at("widgets"),
            (json{to_wire(put_of(2)), to_wire(put_of(3))}));
  EXPECT_EQ(sent_body(2).at("RequestItems").at("widgets"), (json{to_wire(put_of(3))}));
}

TEST_F(DynamoDbClientTest, BatchWriteReturnsWhatStaysUnprocessedAfterItsRounds) {
  DynamoDbClient limited{config_for("http://127.0.0.1:8000"), transport, no_wait(3)};
  const std::string stuck = json{{"UnprocessedItems", {{"widgets", {to_wire(put_of(2))}}}}}.dump();
  for (int i = 0; i < 3; ++i) transport->answer(200, stuck);
  auto left = limited.batch_write_item("widgets", {put_of(1), put_of(2)});
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, (std::vector<WriteRequest>{put_of(2)}));
  EXPECT_EQ(transport->sent().size(), 3u);
}

TEST_F(DynamoDbClientTest, BatchWriteFailureEndsTheBatchWithTheError) {
  transport->answer(400, error_body("ResourceNotFoundException"));
  auto left = client.batch_write_item("widgets", {put_of(1)});
  ASSERT_FALSE(left);
  EXPECT_EQ(left.error().code, "ResourceNotFoundException");
  EXPECT_EQ(left.error().resource, "table 'widgets'");
}

}  // namespace
}  // namespace wc::aws
