// SqsClient over a scripted transport: where requests go, how they are framed and signed, and
// which failures are retried or fatal.

#include "aws/sqs_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/error_class.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using Json = nlohmann::json;
using testing::FakeTransport;

ServiceConfig config_for(std::string endpoint, std::string region = "us-east-1") {
  ServiceConfig config;
  config.service = "sqs";
  config.region = std::move(region);
  config.endpoint_url = std::move(endpoint);
  config.credentials = static_credentials({"AKIDEXAMPLE", "secret", ""});
  return config;
}

SqsReceiveRequest receive_from(std::string url, std::string attempt_id = {}) {
  SqsReceiveRequest request;
  request.queue_url = std::move(url);
  request.wait_seconds = 20;
  request.receive_request_attempt_id = std::move(attempt_id);
  return request;
}

RetryPolicy no_wait() {
  RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds{0};
  return policy;
}

const Headers k_missing_queue = {
    {"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}};
constexpr const char* k_missing_queue_body =
    R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})";

struct SqsClientTest : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  SqsClient client{config_for("http://127.0.0.1:9324/"), transport, no_wait()};

  HttpRequest only_sent() {
    auto sent = transport->sent();
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? HttpRequest{} : sent.back();
  }
};

TEST_F(SqsClientTest, PostsJsonToTheEndpointRootWithTargetAndSqsSignature) {
  transport->answer(200, R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/jobs"})");
  auto url = client.get_queue_url("jobs");
  ASSERT_TRUE(url) << url.error().describe();
  EXPECT_EQ(*url, "http://127.0.0.1:9324/000000000000/jobs");
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.endpoint, "http://127.0.0.1:9324");
  EXPECT_EQ(sent.path, "/");
  EXPECT_TRUE(sent.query.empty());
  EXPECT_EQ(sent.header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(sent.header("X-Amz-Target"), "AmazonSQS.GetQueueUrl");
  EXPECT_NE(sent.header("Authorization").find("/us-east-1/sqs/aws4_request"),
            std::string_view::npos);
  EXPECT_NE(sent.header("Authorization").find("x-amz-target"), std::string_view::npos);
  EXPECT_EQ(Json::parse(sent.body), Json::parse(R"({"QueueName":"jobs"})"));
}

TEST_F(SqsClientTest, WithoutCustomEndpointItIsTheRegionalAwsEndpoint) {
  SqsClient aws{config_for("", "eu-west-1"), transport, no_wait()};
  ASSERT_TRUE(aws.delete_message("https://sqs.eu-west-1.amazonaws.com/1/q", "rh"));
  EXPECT_EQ(only_sent().endpoint, "https://sqs.eu-west-1.amazonaws.com");
  SqsClient china{config_for("", "cn-north-1"), transport, no_wait()};
  ASSERT_TRUE(china.delete_message("u", "rh"));
  EXPECT_EQ(transport->sent().back().endpoint, "https://sqs.cn-north-1.amazonaws.com.cn");
}

TEST_F(SqsClientTest, QueueUrlHostIsAParameterNeverTheDestination) {
  ASSERT_TRUE(client.change_message_visibility("https://elsewhere.example.com/1/q", "rh", 0));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.endpoint, "http://127.0.0.1:9324");
  EXPECT_EQ(sent.header("X-Amz-Target"), "AmazonSQS.ChangeMessageVisibility");
  EXPECT_EQ(Json::parse(sent.body)["QueueUrl"], "https://elsewhere.example.com/1/q");
}

TEST_F(SqsClientTest, MissingQueueIsFatalAndNotRetried) {
  transport->answer(400, k_missing_queue_body, k_missing_queue);
  auto url = client.get_queue_url("nope");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(url.error().resource, "queue 'nope'");
  EXPECT_EQ(classify(url.error()), ErrorClass::access);
  EXPECT_EQ(client.calls(), 1u);
}

TEST_F(SqsClientTest, MissingQueueByTypeAloneIsFatalToo) {
  transport->answer(400, k_missing_queue_body);
  auto attributes = client.get_queue_attributes("http://h/1/gone", {"All"});
  ASSERT_FALSE(attributes);
  EXPECT_EQ(attributes.error().code, "QueueDoesNotExist");
  EXPECT_EQ(attributes.error().resource, "queue 'gone'");
  EXPECT_EQ(classify(attributes.error()), ErrorClass::access);
}

TEST_F(SqsClientTest, ThrottlingIsRetriedUntilItPasses) {
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#RequestThrottled"})",
                    {{"x-amzn-query-error", "RequestThrottled;Sender"}});
  transport->answer(503, "");
  transport->answer(200, "{}");
  auto messages = client.receive_message(receive_from("u"));
  ASSERT_TRUE(messages) << messages.error().describe();
  EXPECT_TRUE(messages->empty());
  EXPECT_EQ(client.calls(), 3u);
  EXPECT_EQ(client.retries(), 2u);
}

TEST_F(SqsClientTest, RetriedReceiveSendsTheSameAttemptId) {
  transport->fail(TransportErrorKind::reset);
  transport->answer(200, "{}");
  ASSERT_TRUE(client.receive_message(receive_from("u.fifo", "a-1")));
  auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(Json::parse(sent[0].body)["ReceiveRequestAttemptId"], "a-1");
  EXPECT_EQ(sent[0].body, sent[1].body);
}

TEST_F(SqsClientTest, ReceiveReturnsTheMessagesInOrder) {
  transport->answer(200, R"({"Messages":[{"MessageId":"a","ReceiptHandle":"ra","Body":"1"},
                                        {"MessageId":"b","ReceiptHandle":"rb","Body":"2"}]})");
  auto messages = client.receive_message(receive_from("u"));
  ASSERT_TRUE(messages);
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].message_id, "a");
  EXPECT_EQ((*messages)[1].body, "2");
  EXPECT_EQ(only_sent().header("X-Amz-Target"), "AmazonSQS.ReceiveMessage");
}

TEST_F(SqsClientTest, GarbledSuccessAnswerIsMalformedResponse) {
  transport->answer(200, "<ReceiveMessageResponse/>");
  auto messages = client.receive_message(receive_from("u"));
  ASSERT_FALSE(messages);
  EXPECT_EQ(messages.error().code, "MalformedResponse");
  EXPECT_FALSE(messages.error().retryable);
}

TEST_F(SqsClientTest, MoreThanTenBatchEntriesAreRefusedUnsent) {
  std::vector<SqsReceiptEntry> entries(11, SqsReceiptEntry{"x", "rh", 0});
  for (std::size_t i = 0; i < entries.size(); ++i) entries[i].id = std::to_string(i);
  auto deleted = client.delete_message_batch("u", entries);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, "InvalidArgument");
  EXPECT_FALSE(client.change_message_visibility_batch("u", entries));
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SqsClientTest, EmptyBatchesSendNothing) {
  EXPECT_TRUE(client.delete_message_batch("u", {}));
  EXPECT_TRUE(client.change_message_visibility_batch("u", {}));
  EXPECT_TRUE(client.send_message_batch("u", {}));
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SqsClientTest, BatchFailuresComeBackPerEntry) {
  transport->answer(200, R"({"Successful":[{"Id":"0"}],
      "Failed":[{"Id":"1","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"x"}]})");
  auto result = client.delete_message_batch("u", {{"0", "ra", 0}, {"1", "rb", 0}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->successful, std::vector<std::string>{"0"});
  ASSERT_EQ(result->failed.size(), 1u);
  EXPECT_EQ(result->failed[0].id, "1");
  EXPECT_EQ(only_sent().header("X-Amz-Target"), "AmazonSQS.DeleteMessageBatch");
}

TEST_F(SqsClientTest, SendRefusesBodiesSqsCannotCarryWithoutSending) {
  SqsSendEntry entry;
  entry.body = std::string("\x00\xFF", 2);
  auto sent = client.send_message("u", entry);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, "InvalidMessageContents");
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SqsClientTest, SendBatchRefusesRepeatedEntryIds) {
  SqsSendEntry entry;
  entry.id = "same";
  entry.body = "x";
  auto sent = client.send_message_batch("u", {entry, entry});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, "BatchEntryIdsNotDistinct");
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SqsClientTest, SendReturnsTheMessageId) {
  transport->answer(200, R"({"MessageId":"m-1","MD5OfMessageBody":"x"})");
  SqsSendEntry entry;
  entry.body = "hello";
  auto sent = client.send_message("u", entry);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->message_id, "m-1");
  EXPECT_EQ(Json::parse(only_sent().body)["MessageBody"], "hello");
}

}  // namespace
}  // namespace wc::aws
