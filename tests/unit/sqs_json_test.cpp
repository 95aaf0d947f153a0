// The SQS JSON protocol documents: what each request body holds, how answers and errors read.

#include "aws/sqs_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wc::aws {
namespace {

using Json = nlohmann::json;

TEST(SqsQueueNames, UrlIsRecognisedAndItsLastSegmentIsTheName) {
  EXPECT_TRUE(is_queue_url("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo"));
  EXPECT_TRUE(is_queue_url("http://127.0.0.1:4566/000000000000/jobs"));
  EXPECT_FALSE(is_queue_url("jobs"));
  EXPECT_FALSE(is_queue_url("httpjobs"));
  EXPECT_EQ(queue_name_of("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo"),
            "jobs.fifo");
  EXPECT_EQ(queue_name_of("http://localhost:9324/queue/jobs/"), "jobs");
  EXPECT_EQ(queue_name_of("jobs"), "jobs");
}

// Read by libcurl's URL parser: the name was once the text after the last '/', query included.
TEST(SqsQueueNames, QueryAndSchemeCaseDoNotChangeTheName) {
  EXPECT_EQ(queue_name_of("http://127.0.0.1:4566/000000000000/jobs?x=1#top"), "jobs");
  EXPECT_TRUE(is_queue_url("HTTPS://sqs.eu-west-1.amazonaws.com/123456789012/jobs"));
  EXPECT_EQ(queue_name_of("HTTPS://sqs.eu-west-1.amazonaws.com/123456789012/jobs"), "jobs");
}

TEST(SqsQueueNames, FifoQueuesAreTheNamesEndingInDotFifo) {
  EXPECT_TRUE(is_fifo_queue_name("widgets.fifo"));
  EXPECT_FALSE(is_fifo_queue_name("widgets"));
  EXPECT_FALSE(is_fifo_queue_name("fifo"));
}

TEST(SqsText, AcceptsUtf8OfTheAllowedCharactersOnly) {
  EXPECT_TRUE(is_valid_sqs_text("{\"a\":\"b\"}\t\r\n"));
  EXPECT_TRUE(is_valid_sqs_text("caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_sqs_text(std::string("a\0b", 3)));  // control character
  EXPECT_FALSE(is_valid_sqs_text("\x01"));
  EXPECT_FALSE(is_valid_sqs_text("\xC3"));          // truncated sequence
  EXPECT_FALSE(is_valid_sqs_text("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid_sqs_text("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_sqs_text("\xEF\xBF\xBF"));  // U+FFFF
  EXPECT_FALSE(is_valid_sqs_text("\xFF"));
}

TEST(SqsText, InvalidSequencesAreReplacedAndValidTextKept) {
  EXPECT_EQ(to_valid_sqs_text("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(to_valid_sqs_text("a\x01"
                              "b\xFF"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_sqs_text(to_valid_sqs_text(std::string("\0\xC3", 2))));
}

TEST(SqsRequestBodies, ReceiveAsksForCountWaitVisibilityAttemptAndAttributes) {
  SqsReceiveRequest request;
  request.queue_url = "http://h/1/q.fifo";
  request.max_messages = 10;
  request.wait_seconds = 20;
  request.visibility_timeout = 45;
  request.receive_request_attempt_id = "attempt-1";
  request.system_attribute_names = {"MessageGroupId", "ApproximateReceiveCount"};
  Json body = Json::parse(receive_message_body(request));
  EXPECT_EQ(body["QueueUrl"], "http://h/1/q.fifo");
  EXPECT_EQ(body["MaxNumberOfMessages"], 10);
  EXPECT_EQ(body["WaitTimeSeconds"], 20);
  EXPECT_EQ(body["VisibilityTimeout"], 45);
  EXPECT_EQ(body["ReceiveRequestAttemptId"], "attempt-1");
  EXPECT_EQ(body["MessageSystemAttributeNames"],
            Json::array({"MessageGroupId", "ApproximateReceiveCount"}));
  EXPECT_EQ(body["AttributeNames"], body["MessageSystemAttributeNames"]);
}

TEST(SqsRequestBodies, ReceiveLeavesOutWhatWasNotAskedFor) {
  SqsReceiveRequest request;
  request.queue_url = "u";
  Json body = Json::parse(receive_message_body(request));
  EXPECT_FALSE(body.contains("VisibilityTimeout"));
  EXPECT_FALSE(body.contains("ReceiveRequestAttemptId"));
  EXPECT_FALSE(body.contains("MessageSystemAttributeNames"));
  EXPECT_EQ(body["WaitTimeSeconds"], 0);
}

TEST(SqsRequestBodies, BatchEntriesCarryIdsReceiptsAndVisibility) {
  std::vector<SqsReceiptEntry> entries = {{"0", "rh-a", 30}, {"1", "rh-b", 0}};
  Json deletes = Json::parse(delete_message_batch_body("u", entries));
  EXPECT_EQ(
      deletes["Entries"],
      Json::parse(R"([{"Id":"0","ReceiptHandle":"rh-a"},{"Id":"1","ReceiptHandle":"rh-b"}])"));
  Json changes = Json::parse(change_visibility_batch_body("u", entries));
  EXPECT_EQ(changes["Entries"][0]["VisibilityTimeout"], 30);
  EXPECT_EQ(changes["Entries"][1]["VisibilityTimeout"], 0);
  EXPECT_EQ(changes["Entries"][1]["ReceiptHandle"], "rh-b");
}

TEST(SqsRequestBodies, SingleMessageBodies) {
  EXPECT_EQ(Json::parse(get_queue_url_body("jobs")), Json::parse(R"({"QueueName":"jobs"})"));
  EXPECT_EQ(Json::parse(delete_message_body("u", "rh")),
            Json::parse(R"({"QueueUrl":"u","ReceiptHandle":"rh"})"));
  EXPECT_EQ(Json::parse(change_visibility_body("u", "rh", 0)),
            Json::parse(R"({"QueueUrl":"u","ReceiptHandle":"rh","VisibilityTimeout":0})"));
  EXPECT_EQ(Json::parse(get_queue_attributes_body("u", {"VisibilityTimeout", "FifoQueue"})),
            Json::parse(R"({"QueueUrl":"u","AttributeNames":["VisibilityTimeout","FifoQueue"]})"));
}

TEST(SqsRequestBodies, SendCarriesBodyFifoIdsAndTypedAttributes) {
  SqsSendEntry entry;
  entry.body = "{\"widgetId\":\"w\"}";
  entry.group_id = "w";
  entry.deduplication_id = "r-1";
  entry.attributes["attempts"] = {"Number", "3"};
  Json body = Json::parse(send_message_body("u", entry));
  EXPECT_EQ(body["QueueUrl"], "u");
  EXPECT_EQ(body["MessageBody"], "{\"widgetId\":\"w\"}");
  EXPECT_EQ(body["MessageGroupId"], "w");
  EXPECT_EQ(body["MessageDeduplicationId"], "r-1");
  EXPECT_EQ(body["MessageAttributes"]["attempts"],
            Json::parse(R"({"DataType":"Number","StringValue":"3"})"));
  EXPECT_FALSE(body.contains("Id"));
}

TEST(SqsRequestBodies, StandardSendHasNoFifoIds) {
  SqsSendEntry entry;
  entry.body = "x";
  Json body = Json::parse(send_message_body("u", entry));
  EXPECT_FALSE(body.contains("MessageGroupId"));
  EXPECT_FALSE(body.contains("MessageDeduplicationId"));
  EXPECT_FALSE(body.contains("MessageAttributes"));
}

TEST(SqsRequestBodies, SendBatchGivesEachEntryItsId) {
  SqsSendEntry first, second;
  first.id = "0", first.body = "a";
  second.id = "1", second.body = "b", second.group_id = "g";
  Json body = Json::parse(send_message_batch_body("u", {first, second}));
  ASSERT_EQ(body["Entries"].size(), 2u);
  EXPECT_EQ(body["Entries"][0]["Id"], "0");
  EXPECT_EQ(body["Entries"][1]["MessageBody"], "b");
  EXPECT_EQ(body["Entries"][1]["MessageGroupId"], "g");
}

TEST(SqsResponses, ReceivedMessagesKeepOrderBodiesAndAttributes) {
  auto messages = parse_received_messages(R"({"Messages":[
    {"MessageId":"m1","ReceiptHandle":"r1","MD5OfBody":"x","Body":"{\"a\":1}",
     "Attributes":{"MessageGroupId":"w1","ApproximateReceiveCount":"2"}},
    {"MessageId":"m2","ReceiptHandle":"r2","Body":""}]})");
  ASSERT_TRUE(messages) << messages.error();
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].message_id, "m1");
  EXPECT_EQ((*messages)[0].receipt_handle, "r1");
  EXPECT_EQ((*messages)[0].body, "{\"a\":1}");
  EXPECT_EQ((*messages)[0].attribute("MessageGroupId"), "w1");
  EXPECT_EQ((*messages)[0].attribute("ApproximateReceiveCount"), "2");
  EXPECT_EQ((*messages)[1].message_id, "m2");
  EXPECT_EQ((*messages)[1].attribute("MessageGroupId"), "");
}

TEST(SqsResponses, EmptyReceiveIsAnEmptyObject) {
  auto messages = parse_received_messages("{}");
  ASSERT_TRUE(messages);
  EXPECT_TRUE(messages->empty());
}

TEST(SqsResponses, MessageWithoutReceiptHandleIsMalformed) {
  EXPECT_FALSE(parse_received_messages(R"({"Messages":[{"MessageId":"m","Body":"b"}]})"));
  EXPECT_FALSE(parse_received_messages("<xml/>"));
  EXPECT_FALSE(parse_received_messages(R"({"Messages":{}})"));
}

TEST(SqsResponses, BatchResultSeparatesSuccessesFromFailures) {
  auto result = parse_batch_result(R"({"Successful":[{"Id":"0"},{"Id":"2"}],
    "Failed":[{"Id":"1","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"bad"}]})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->successful, (std::vector<std::string>{"0", "2"}));
  ASSERT_EQ(result->failed.size(), 1u);
  EXPECT_EQ(result->failed[0].id, "1");
  EXPECT_EQ(result->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(result->failed[0].message, "bad");
  EXPECT_TRUE(result->failed[0].sender_fault);
}

TEST(SqsResponses, QueueUrlAttributesAndSendResult) {
  EXPECT_EQ(*parse_queue_url(R"({"QueueUrl":"http://h/1/q"})"), "http://h/1/q");
  EXPECT_FALSE(parse_queue_url("{}"));
  auto attributes = parse_queue_attributes(R"({"Attributes":{"VisibilityTimeout":"30"}})");
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->at("VisibilityTimeout"), "30");
  EXPECT_TRUE(parse_queue_attributes("{}")->empty());
  auto sent = parse_send_result(R"({"MessageId":"m","SequenceNumber":"18"})");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->message_id, "m");
  EXPECT_EQ(sent->sequence_number, "18");
}

HttpResponse error_response(long status, std::string body, Headers headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

TEST(SqsErrors, QueryErrorHeaderGivesTheClassicCode) {
  auto error = parse_sqs_error(error_response(
      400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
      {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}}));
  EXPECT_EQ(error.code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(error.message, "The specified queue does not exist.");
}

TEST(SqsErrors, WithoutTheHeaderTheTypeNameIsTheCode) {
  auto error = parse_sqs_error(error_response(
      400, R"({"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid","Message":"bad handle"})"));
  EXPECT_EQ(error.code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(error.message, "bad handle");
  EXPECT_EQ(parse_sqs_error(error_response(400, R"({"__type":"ThrottlingException"})")).code,
            "ThrottlingException");
}

TEST(SqsErrors, ErrorTypeHeaderIsUsedWhenTheBodySaysNothing) {
  auto error = parse_sqs_error(error_response(
      400, "", {{"X-Amzn-ErrorType", "InvalidClientTokenId:http://internal.amazon.com/coral/"}}));
  EXPECT_EQ(error.code, "InvalidClientTokenId");
}

TEST(SqsErrors, UnreadableBodyFallsBackOnTheStatus) {
  auto error = parse_sqs_error(error_response(503, "<html>busy</html>"));
  EXPECT_EQ(error.code, "ServiceUnavailable");
  EXPECT_EQ(error.message, "<html>busy</html>");
  EXPECT_EQ(parse_sqs_error(error_response(403, "")).code, "AccessDenied");
  EXPECT_EQ(parse_sqs_error(error_response(418, "[1]")).code, "HTTP418");
}

}  // namespace
}  // namespace wc::aws
