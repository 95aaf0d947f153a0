// SqsRequestSource over a scripted transport: what each poll asks for, how messages are
// handed out, read, deleted and given back.

#include "source/sqs_request_source.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_transport.h"

namespace wc::source {
namespace {

using Json = nlohmann::json;
using aws::testing::FakeTransport;
using namespace std::chrono_literals;

constexpr const char* k_url = "http://127.0.0.1:9324/000000000000/requests";
constexpr const char* k_fifo_url = "http://127.0.0.1:9324/000000000000/requests.fifo";

aws::ServiceConfig sqs_config() {
  aws::ServiceConfig config;
  config.service = "sqs";
  config.region = "us-east-1";
  config.endpoint_url = "http://127.0.0.1:9324";
  config.credentials = aws::static_credentials({"AKIDEXAMPLE", "secret", ""});
  return config;
}

std::string attributes(int visibility, bool fifo) {
  return Json{
      {"Attributes",
       {{"VisibilityTimeout", std::to_string(visibility)}, {"FifoQueue", fifo ? "true" : "false"}}}}
      .dump();
}

std::string messages(int count, const std::string& group = "") {
  Json list = Json::array();
  for (int i = 0; i < count; ++i) {
    Json message = {{"MessageId", "m" + std::to_string(i)},
                    {"ReceiptHandle", "rh" + std::to_string(i)},
                    {"Body", "body" + std::to_string(i)}};
    if (!group.empty()) message["Attributes"] = {{"MessageGroupId", group}};
    list.push_back(message);
  }
  return Json{{"Messages", list}}.dump();
}

struct SqsSourceTest : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::shared_ptr<aws::SqsClient> client = [this] {
    aws::RetryPolicy retry;
    retry.base_delay = 0ms;
    return std::make_shared<aws::SqsClient>(sqs_config(), transport, retry);
  }();
  std::vector<std::string> warnings;

  std::unique_ptr<SqsRequestSource> source(std::string queue, SqsSourceOptions options = {}) {
    options.warn = [this](const std::string& w) { warnings.push_back(w); };
    return std::make_unique<SqsRequestSource>(client, std::move(queue), std::move(options));
  }

  /// Targets and bodies of everything sent from index `from` on.
  std::vector<std::pair<std::string, Json>> sent_from(std::size_t from) {
    std::vector<std::pair<std::string, Json>> out;
    auto sent = transport->sent();
    for (std::size_t i = from; i < sent.size(); ++i) {
      std::string target(sent[i].header("X-Amz-Target"));
      out.emplace_back(target.substr(target.find('.') + 1), Json::parse(sent[i].body));
    }
    return out;
  }
};

TEST_F(SqsSourceTest, NameIsResolvedThenAttributesRead) {
  transport->answer(200, Json{{"QueueUrl", k_url}}.dump());
  transport->answer(200, attributes(30, false));
  auto queue = source("requests");
  EXPECT_EQ(queue->describe(), "SQS queue 'requests'");
  ASSERT_TRUE(queue->check());
  auto sent = sent_from(0);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, "GetQueueUrl");
  EXPECT_EQ(sent[1].first, "GetQueueAttributes");
  EXPECT_EQ(sent[1].second["QueueUrl"], k_url);
}

TEST_F(SqsSourceTest, UrlIsUsedAsGivenWithoutGetQueueUrl) {
  transport->answer(200, attributes(30, false));
  auto queue = source(k_url);
  EXPECT_EQ(queue->describe(), "SQS queue 'requests'");
  ASSERT_TRUE(queue->check());
  EXPECT_EQ(sent_from(0).at(0).first, "GetQueueAttributes");
}

TEST_F(SqsSourceTest, MissingQueueIsFatal) {
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})",
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  auto checked = source("nope")->check();
  ASSERT_FALSE(checked);
  EXPECT_TRUE(checked.error().fatal);
  EXPECT_NE(checked.error().message.find("SQS queue 'nope'"), std::string::npos);
  EXPECT_NE(checked.error().message.find("NonExistentQueue"), std::string::npos);
}

TEST_F(SqsSourceTest, CredentialsThatMayNotReadAttributesGetTheDefaultLeaseAndAWarning) {
  transport->answer(403, R"({"__type":"AccessDenied"})",
                    {{"x-amzn-query-error", "AccessDenied;Sender"}});
  transport->answer(200, "{}");
  auto queue = source(k_url);
  ASSERT_TRUE(queue->check());
  ASSERT_EQ(warnings.size(), 1u);
  ASSERT_TRUE(queue->poll(10));
  EXPECT_EQ(sent_from(1).at(0).second["VisibilityTimeout"], 30);
}

TEST_F(SqsSourceTest, PollLongPollsForTenWithTheQueuesLeaseAndHandsOutInOrder) {
  transport->answer(200, attributes(45, false));
  transport->answer(200, messages(3));
  auto queue = source(k_url);
  ASSERT_TRUE(queue->check());
  auto requests = queue->poll(1000);
  ASSERT_TRUE(requests);
  auto receive = sent_from(1).at(0);
  EXPECT_EQ(receive.first, "ReceiveMessage");
  EXPECT_EQ(receive.second["MaxNumberOfMessages"], 10);
  EXPECT_EQ(receive.second["WaitTimeSeconds"], 20);
  EXPECT_EQ(receive.second["VisibilityTimeout"], 45);
  EXPECT_FALSE(receive.second.contains("ReceiveRequestAttemptId"));  // standard queue
  EXPECT_EQ(receive.second["MessageSystemAttributeNames"],
            Json::array({"MessageGroupId", "ApproximateReceiveCount"}));
  ASSERT_EQ(requests->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const auto& request = (*requests)[static_cast<std::size_t>(i)];
    EXPECT_EQ(request.key, "m" + std::to_string(i));
    EXPECT_EQ(request.receipt, "rh" + std::to_string(i));
    EXPECT_FALSE(request.body);  // read() decides whether it may still be started
  }
}

TEST_F(SqsSourceTest, RedeliveredMessageGetsAWarning) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, R"({"Messages":[
      {"MessageId":"first","ReceiptHandle":"r1","Body":"b","Attributes":{"ApproximateReceiveCount":"1"}},
      {"MessageId":"again","ReceiptHandle":"r2","Body":"b","Attributes":{"ApproximateReceiveCount":"3"}}]})");
  auto queue = source(k_url);
  ASSERT_TRUE(queue->poll(10));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("again: delivered 3 times"), std::string::npos);
}

TEST_F(SqsSourceTest, ReadReturnsTheReceivedBodyWithoutACall) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(2));
  auto queue = source(k_url);
  auto requests = queue->poll(10);
  ASSERT_TRUE(requests);
  const auto calls = client->calls();
  auto body = queue->read((*requests)[1]);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, std::optional<std::string>("body1"));
  EXPECT_EQ(client->calls(), calls);
}

TEST_F(SqsSourceTest, FifoReceiveCarriesAFreshAttemptIdEachTime) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, "{}");
  transport->answer(200, "{}");
  auto queue = source(k_fifo_url);
  ASSERT_TRUE(queue->poll(10));
  ASSERT_TRUE(queue->poll(10));
  auto sent = sent_from(1);
  ASSERT_EQ(sent.size(), 2u);
  std::string first = sent[0].second.value("ReceiveRequestAttemptId", "");
  std::string second = sent[1].second.value("ReceiveRequestAttemptId", "");
  EXPECT_FALSE(first.empty());
  EXPECT_NE(first, second);
}

TEST_F(SqsSourceTest, QueueWaitIsHonouredAndCappedByWhatTheIdleTimeoutHasLeft) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, "{}");
  SqsSourceOptions options;
  options.queue_wait = 20s;
  options.idle_timeout = 3500ms;
  auto queue = source(k_url, options);
  ASSERT_TRUE(queue->poll(10));
  EXPECT_EQ(sent_from(1).at(0).second["WaitTimeSeconds"], 4);  // rounded up: ends just after

  SqsSourceOptions short_wait;
  short_wait.queue_wait = 5s;
  auto other = source(k_url, short_wait);
  transport->answer(200, attributes(30, false));
  transport->answer(200, "{}");
  ASSERT_TRUE(other->poll(10));
  EXPECT_EQ(sent_from(3).at(0).second["WaitTimeSeconds"], 5);
}

TEST_F(SqsSourceTest, IdleTimeoutCountsFromTheFirstPollAfterTheLastRequest) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, "{}");
  transport->answer(200, "{}");
  SqsSourceOptions options;
  options.idle_timeout = 1500ms;
  auto queue = source(k_url, options);
  ASSERT_TRUE(queue->poll(10));
  std::this_thread::sleep_for(600ms);
  ASSERT_TRUE(queue->poll(10));  // still idle since the first poll: 0.9 s left
  auto sent = sent_from(1);
  EXPECT_EQ(sent.at(0).second["WaitTimeSeconds"], 2);
  EXPECT_EQ(sent.at(1).second["WaitTimeSeconds"], 1);
}

TEST_F(SqsSourceTest, FreshMessagesAreStillHeldAndReleasedOnesAreNot) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, messages(2, "widget-1"));
  auto queue = source(k_fifo_url);
  auto requests = *queue->poll(10);
  EXPECT_TRUE(queue->still_held(requests[0]));
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");
  queue->release({requests[1]});
  EXPECT_FALSE(queue->still_held(requests[1]));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("m1: not applied"), std::string::npos);
}

TEST_F(SqsSourceTest, RefusedRenewalMeansTheMessageAndItsGroupsLaterOnesAreNotApplied) {
  transport->answer(200, attributes(2, true));  // 2 s lease: renewed within half a second
  transport->answer(200, messages(3, "widget-1"));
  auto queue = source(k_fifo_url);
  auto requests = *queue->poll(10);
  transport->answer(200, R"({"Successful":[{"Id":"1"},{"Id":"2"}],
      "Failed":[{"Id":"0","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"x"}]})");
  for (int i = 0; i < 100 && warnings.empty(); ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_FALSE(queue->still_held(requests[0]));
  auto sent = transport->sent();
  auto last = Json::parse(sent.back().body);
  EXPECT_EQ(std::string(sent.back().header("X-Amz-Target")),
            "AmazonSQS.ChangeMessageVisibilityBatch");
  EXPECT_EQ(last["Entries"][0]["ReceiptHandle"], "rh1");
  EXPECT_EQ(last["Entries"][0]["VisibilityTimeout"], 0);
  EXPECT_EQ(last["Entries"][1]["ReceiptHandle"], "rh2");
  EXPECT_FALSE(queue->still_held(requests[1]));
  EXPECT_FALSE(queue->still_held(requests[2]));
}

TEST_F(SqsSourceTest, HeldMessagesAreRenewedReleasedOnesAreNot) {
  transport->answer(200, attributes(2, false));  // 2 s lease: renewed within a second
  transport->answer(200, messages(2));
  auto queue = source(k_url);
  auto requests = *queue->poll(10);
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");  // the release
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");  // the renewal
  queue->release({requests[1]});
  const auto release_calls = transport->sent().size();
  for (int i = 0; i < 100 && transport->sent().size() == release_calls; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  auto sent = sent_from(release_calls);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].first, "ChangeMessageVisibilityBatch");
  EXPECT_EQ(sent[0].second["Entries"],
            Json::parse(R"([{"Id":"0","ReceiptHandle":"rh0","VisibilityTimeout":2}])"));
  EXPECT_TRUE(queue->still_held(requests[0]));
}

TEST_F(SqsSourceTest, RemoveDeletesByReceiptHandle) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(1));
  auto queue = source(k_url);
  auto requests = queue->poll(10);
  ASSERT_TRUE(queue->remove(requests->at(0)));
  auto sent = sent_from(2);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "DeleteMessage");
  EXPECT_EQ(sent[0].second["ReceiptHandle"], "rh0");
}

TEST_F(SqsSourceTest, FailedDeleteIsAnErrorNamingTheQueue) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(1));
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid"})");
  auto queue = source(k_url);
  auto requests = queue->poll(10);
  auto removed = queue->remove(requests->at(0));
  ASSERT_FALSE(removed);
  EXPECT_FALSE(removed.error().fatal);
  EXPECT_NE(removed.error().message.find("ReceiptHandleIsInvalid"), std::string::npos);
}

TEST_F(SqsSourceTest, RemoveBatchDeletesInTensAndRetriesFailedEntriesOneByOne) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(10));
  transport->answer(200, R"({"Messages":[{"MessageId":"x","ReceiptHandle":"rhx","Body":"b"},
                                        {"MessageId":"y","ReceiptHandle":"rhy","Body":"b"}]})");
  auto queue = source(k_url);
  auto requests = *queue->poll(10);
  auto more = *queue->poll(10);
  requests.insert(requests.end(), more.begin(), more.end());
  // First batch: entry 3 fails; its single retry fails too. Second batch: all fine.
  transport->answer(
      200, R"({"Successful":[],"Failed":[{"Id":"3","Code":"InternalError","Message":"x"}]})");
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid"})");
  transport->answer(200, R"({"Successful":[{"Id":"0"},{"Id":"1"}],"Failed":[]})");
  auto failed = queue->remove_batch(requests);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(failed->at(0).first.key, "m3");
  auto sent = sent_from(3);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].first, "DeleteMessageBatch");
  EXPECT_EQ(sent[0].second["Entries"].size(), 10u);
  EXPECT_EQ(sent[1].first, "DeleteMessage");
  EXPECT_EQ(sent[1].second["ReceiptHandle"], "rh3");
  EXPECT_EQ(sent[2].first, "DeleteMessageBatch");
  EXPECT_EQ(sent[2].second["Entries"][1]["ReceiptHandle"], "rhy");
}

TEST_F(SqsSourceTest, ReleaseMakesHeldMessagesVisibleAtOnce) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(3));
  auto queue = source(k_url);
  auto requests = *queue->poll(10);
  ASSERT_TRUE(queue->remove(requests[0]));
  queue->release(requests);  // the removed one is no longer ours to release
  auto sent = sent_from(3);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "ChangeMessageVisibilityBatch");
  EXPECT_EQ(sent[0].second["Entries"],
            Json::parse(R"([{"Id":"0","ReceiptHandle":"rh1","VisibilityTimeout":0},
                            {"Id":"1","ReceiptHandle":"rh2","VisibilityTimeout":0}])"));
  auto body = queue->read(requests[1]);
  ASSERT_TRUE(body);
  EXPECT_FALSE(*body);  // released: no longer ours to start
}

TEST_F(SqsSourceTest, DestroyingTheSourceReleasesWhatIsStillHeld) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(2));
  {
    auto queue = source(k_url);
    auto requests = *queue->poll(10);
    ASSERT_TRUE(queue->remove(requests[0]));
  }
  auto sent = sent_from(3);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "ChangeMessageVisibilityBatch");
  EXPECT_EQ(sent[0].second["Entries"][0]["ReceiptHandle"], "rh1");
  EXPECT_EQ(sent[0].second["Entries"][0]["VisibilityTimeout"], 0);
}

TEST_F(SqsSourceTest, RefusedCredentialsOnReceiveAreFatal) {
  transport->answer(200, attributes(30, false));
  transport->answer(400, R"({"__type":"com.amazon.coral.service#InvalidClientTokenId"})");
  auto polled = source(k_url)->poll(10);
  ASSERT_FALSE(polled);
  EXPECT_TRUE(polled.error().fatal);
}

TEST_F(SqsSourceTest, UnreachableQueueIsNotFatal) {
  transport->answer(200, attributes(30, false));
  for (int i = 0; i < 6; ++i) transport->fail(aws::TransportErrorKind::connect);
  auto polled = source(k_url)->poll(10);
  ASSERT_FALSE(polled);
  EXPECT_FALSE(polled.error().fatal);
}

}  // namespace
}  // namespace wc::source
