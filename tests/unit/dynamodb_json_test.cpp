#include "aws/dynamodb_json.h"

#include <gtest/gtest.h>

namespace wc::aws {
namespace {

using nlohmann::json;

HttpResponse answer(long status, std::string body, Headers headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

TEST(DynamoDbJson, HeadersNameTheJson10ProtocolAndTheOperation) {
  const Headers headers = dynamodb_headers("UpdateItem");
  EXPECT_EQ(headers, (Headers{{"Content-Type", "application/x-amz-json-1.0"},
                              {"X-Amz-Target", "DynamoDB_20120810.UpdateItem"}}));
}

TEST(DynamoDbJson, ErrorCodeIsThePartOfTypeAfterTheHash) {
  // DynamoDB Local's form: capital "Message".
  const ServiceError error = parse_dynamodb_error(
      answer(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                  R"("Message":"The conditional request failed"})"));
  EXPECT_EQ(error.code, "ConditionalCheckFailedException");
  EXPECT_EQ(error.message, "The conditional request failed");
}

TEST(DynamoDbJson, ErrorMessageMayBeLowerCase) {
  // moto's and AWS's form for most errors.
  const ServiceError error = parse_dynamodb_error(
      answer(400, R"({"__type": "com.amazon.coral.validate#ValidationException", )"
                  R"("message": "Item size has exceeded the maximum allowed size"})"));
  EXPECT_EQ(error.code, "ValidationException");
  EXPECT_EQ(error.message, "Item size has exceeded the maximum allowed size");
}

TEST(DynamoDbJson, TypeWithoutNamespaceIsTheCodeItself) {
  EXPECT_EQ(parse_dynamodb_error(answer(400, R"({"__type":"ThrottlingException"})")).code,
            "ThrottlingException");
}

TEST(DynamoDbJson, ErrorTypeHeaderIsTheFallbackWithoutItsSuffix) {
  const ServiceError error = parse_dynamodb_error(answer(
      400, "", {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}}));
  EXPECT_EQ(error.code, "ResourceNotFoundException");
}

TEST(DynamoDbJson, BodyThatIsNotAnErrorDocumentBecomesUnknownErrorWithAnExcerpt) {
  const ServiceError error =
      parse_dynamodb_error(answer(500, "<html>\n  <h1>Internal   Server Error</h1></html>"));
  EXPECT_EQ(error.code, "UnknownError");
  EXPECT_EQ(error.message, "<html> <h1>Internal Server Error</h1></html>");
  const ServiceError cut = parse_dynamodb_error(answer(502, std::string(5000, 'x')));
  EXPECT_LE(cut.message.size(), 200u);
}

TEST(DynamoDbJson, TableDescriptionJoinsKeySchemaWithAttributeTypes) {
  const json body = json::parse(R"({"Table": {
      "TableName": "widgets", "TableStatus": "ACTIVE",
      "AttributeDefinitions": [{"AttributeName": "sk", "AttributeType": "N"},
                               {"AttributeName": "id", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"}]}})");
  auto table = parse_table_description(body);
  ASSERT_TRUE(table) << table.error();
  EXPECT_EQ(table->name, "widgets");
  EXPECT_EQ(table->status, "ACTIVE");
  ASSERT_EQ(table->key_schema.size(), 2u);
  EXPECT_EQ(table->key_schema[0].name, "id");
  EXPECT_EQ(table->key_schema[0].key_type, "HASH");
  EXPECT_EQ(table->key_schema[0].attribute_type, "S");
  EXPECT_EQ(table->key_schema[1].attribute_type, "N");
}

TEST(DynamoDbJson, TableDescriptionWithoutTableOrKeySchemaIsAnError) {
  EXPECT_FALSE(parse_table_description(json::object()));
  EXPECT_FALSE(parse_table_description(json::parse(R"({"Table": {"TableName": "t"}})")));
}

TEST(DynamoDbJson, WritesHaveTheirWireForm) {
  const json item = {{"id", {{"S", "a"}}}, {"owner", {{"S", "Al"}}}};
  EXPECT_EQ(to_wire({WriteRequest::Kind::put, item}), (json{{"PutRequest", {{"Item", item}}}}));
  const json key = {{"id", {{"S", "a"}}}};
  EXPECT_EQ(to_wire({WriteRequest::Kind::remove, key}), (json{{"DeleteRequest", {{"Key", key}}}}));
}

TEST(DynamoDbJson, UnprocessedItemsOfTheTableAreReadBackAsWrites) {
  const json item = {{"id", {{"S", "a"}}}};
  const json key = {{"id", {{"S", "b"}}}};
  const json body = {
      {"UnprocessedItems",
       {{"widgets",
         {to_wire({WriteRequest::Kind::put, item}), to_wire({WriteRequest::Kind::remove, key})}},
        {"other", {to_wire({WriteRequest::Kind::put, key})}}}}};
  auto writes = parse_unprocessed_items(body, "widgets");
  ASSERT_TRUE(writes) << writes.error();
  EXPECT_EQ(*writes, (std::vector<WriteRequest>{{WriteRequest::Kind::put, item},
                                                {WriteRequest::Kind::remove, key}}));
  EXPECT_TRUE(
      parse_unprocessed_items(json{{"UnprocessedItems", json::object()}}, "widgets")->empty());
  EXPECT_FALSE(parse_unprocessed_items(
      json{{"UnprocessedItems", {{"widgets", {json{{"Bogus", 1}}}}}}}, "widgets"));
}

}  // namespace
}  // namespace wc::aws
