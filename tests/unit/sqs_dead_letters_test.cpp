// Dead letters as SQS messages: the original bytes as the body, the record as attributes,
// what happens to bytes SQS cannot carry or that do not fit, and the FIFO ids.

#include "store/sqs_dead_letters.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/encoding.h"
#include "fake_transport.h"

namespace wc::store {
namespace {

using Json = nlohmann::json;

DeadLetter letter(std::string body, std::string key = "m-1") {
  return DeadLetter{"SQS queue 'requests'",
                    std::move(key),
                    std::move(body),
                    "field 'owner' is missing",
                    1,
                    std::chrono::system_clock::time_point{}};
}

constexpr std::size_t k_max = 256 * 1024;

std::string attribute(const aws::SqsSendEntry& entry, const std::string& name) {
  auto found = entry.attributes.find(name);
  return found == entry.attributes.end() ? std::string("<absent>") : found->second.value;
}

TEST(SqsDeadLetterMessage, BodyIsTheOriginalBytesAndTheRecordRidesAlong) {
  auto entry = dead_letter_message(letter(R"({"type":"create"})"), false, k_max);
  EXPECT_EQ(entry.body, R"({"type":"create"})");
  EXPECT_EQ(attribute(entry, "sourceKey"), "m-1");
  EXPECT_EQ(attribute(entry, "reason"), "field 'owner' is missing");
  EXPECT_EQ(attribute(entry, "attempts"), "1");
  EXPECT_EQ(entry.attributes.at("attempts").data_type, "Number");
  Json record = Json::parse(attribute(entry, "deadLetterRecord"));
  EXPECT_EQ(record["sourceKey"], "m-1");
  EXPECT_EQ(record["source"], "SQS queue 'requests'");
  EXPECT_EQ(record["bytes"], 17);
  EXPECT_EQ(attribute(entry, "bodyEncoding"), "<absent>");
  EXPECT_EQ(attribute(entry, "truncated"), "<absent>");
  EXPECT_TRUE(entry.group_id.empty());
  EXPECT_TRUE(entry.deduplication_id.empty());
}

TEST(SqsDeadLetterMessage, BytesSqsCannotCarryGoBase64) {
  const std::string bytes("\x00\xFF{not json", 11);
  auto entry = dead_letter_message(letter(bytes), false, k_max);
  EXPECT_EQ(entry.body, aws::base64(bytes));
  EXPECT_EQ(attribute(entry, "bodyEncoding"), "base64");
  EXPECT_TRUE(aws::is_valid_sqs_text(entry.body));
}

TEST(SqsDeadLetterMessage, EmptyBodyIsMarkedSinceSqsRefusesEmptyMessages) {
  auto entry = dead_letter_message(letter(""), false, k_max);
  EXPECT_FALSE(entry.body.empty());
  EXPECT_EQ(attribute(entry, "bodyEncoding"), "empty");
}

TEST(SqsDeadLetterMessage, OversizedBodyIsCutToFitAndMarked) {
  const std::string big(300 * 1024, 'x');
  auto entry = dead_letter_message(letter(big), false, k_max);
  std::size_t size = entry.body.size();
  for (const auto& [name, value] : entry.attributes) {
    size += name.size() + value.data_type.size() + value.value.size();
  }
  EXPECT_LE(size, k_max);
  EXPECT_GT(entry.body.size(), 200u * 1024);
  EXPECT_EQ(attribute(entry, "truncated"), "true");
  EXPECT_EQ(Json::parse(attribute(entry, "deadLetterRecord"))["bytes"], big.size());
}

TEST(SqsDeadLetterMessage, CutNeverSplitsAUtf8Character) {
  std::string body;
  while (body.size() < 2000) body += "\xE2\x9C\x93";  // ✓, three bytes
  auto entry = dead_letter_message(letter(body), false, 1500);
  EXPECT_TRUE(aws::is_valid_sqs_text(entry.body));
  EXPECT_EQ(attribute(entry, "truncated"), "true");
}

TEST(SqsDeadLetterMessage, AttributeValuesAreMadeValidText) {
  auto entry = dead_letter_message(letter("x", std::string("key\x01\xFF", 5)), false, k_max);
  EXPECT_TRUE(aws::is_valid_sqs_text(attribute(entry, "sourceKey")));
  EXPECT_TRUE(aws::is_valid_sqs_text(attribute(entry, "deadLetterRecord")));
}

TEST(SqsDeadLetterMessage, FifoGroupsByWidgetAndDeduplicatesTheSameLetter) {
  auto entry = dead_letter_message(letter(R"({"widgetId":"w-1","owner":"!"})"), true, k_max);
  EXPECT_EQ(entry.group_id, "w-1");
  EXPECT_EQ(entry.deduplication_id.size(), 64u);
  auto again = dead_letter_message(letter(R"({"widgetId":"w-1","owner":"!"})"), true, k_max);
  EXPECT_EQ(again.deduplication_id, entry.deduplication_id);
  auto other = dead_letter_message(letter(R"({"widgetId":"w-1","owner":"!"})", "m-2"), true, k_max);
  EXPECT_NE(other.deduplication_id, entry.deduplication_id);
}

TEST(SqsDeadLetterMessage, FifoGroupFallsBackWhenThereIsNoUsableWidgetId) {
  EXPECT_EQ(dead_letter_message(letter("not json"), true, k_max).group_id, "no-widget-id");
  EXPECT_EQ(dead_letter_message(letter(R"({"widgetId":"has space"})"), true, k_max).group_id,
            "no-widget-id");
  EXPECT_EQ(dead_letter_message(letter(R"({"widgetId":7})"), true, k_max).group_id, "no-widget-id");
}

TEST(SqsDeadLetters, KeepResolvesTheQueueAndSendsOneMessage) {
  auto transport = std::make_shared<aws::testing::FakeTransport>();
  aws::ServiceConfig config;
  config.service = "sqs";
  config.region = "us-east-1";
  config.endpoint_url = "http://127.0.0.1:9324";
  config.credentials = aws::static_credentials({"AKIDEXAMPLE", "secret", ""});
  auto client = std::make_shared<aws::SqsClient>(config, transport);
  SqsDeadLetters sink(client, "dead.fifo");
  EXPECT_EQ(sink.describe(), "dead-letter queue 'dead.fifo'");
  transport->answer(200, R"({"QueueUrl":"http://127.0.0.1:9324/1/dead.fifo"})");
  transport->answer(200, R"({"Attributes":{"FifoQueue":"true","MaximumMessageSize":"1048576"}})");
  transport->answer(200, R"({"MessageId":"d-1"})");
  ASSERT_TRUE(sink.check());
  ASSERT_TRUE(sink.keep(letter(R"({"widgetId":"w"})")));
  auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].header("X-Amz-Target"), "AmazonSQS.SendMessage");
  Json body = Json::parse(sent[2].body);
  EXPECT_EQ(body["QueueUrl"], "http://127.0.0.1:9324/1/dead.fifo");
  EXPECT_EQ(body["MessageBody"], R"({"widgetId":"w"})");
  EXPECT_EQ(body["MessageGroupId"], "w");
  EXPECT_EQ(body["MessageAttributes"]["reason"]["StringValue"], "field 'owner' is missing");
}

TEST(SqsDeadLetters, MissingQueueFailsTheCheckNamingIt) {
  auto transport = std::make_shared<aws::testing::FakeTransport>();
  aws::ServiceConfig config;
  config.service = "sqs";
  config.region = "us-east-1";
  config.endpoint_url = "http://127.0.0.1:9324";
  config.credentials = aws::static_credentials({"AKIDEXAMPLE", "secret", ""});
  SqsDeadLetters sink(std::make_shared<aws::SqsClient>(config, transport), "gone");
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})",
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  auto checked = sink.check();
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("dead-letter queue 'gone'"), std::string::npos);
  EXPECT_NE(checked.error().message.find("NonExistentQueue"), std::string::npos);
}

}  // namespace
}  // namespace wc::store
