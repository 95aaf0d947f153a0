// SqsRequestSource over a scripted transport: what each poll asks for, how messages are
// handed out with their leases, deleted and given back, and when one is given up as poison.

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

std::string attributes(int visibility, bool fifo, bool redrive = false) {
  Json values = {{"VisibilityTimeout", std::to_string(visibility)},
                 {"FifoQueue", fifo ? "true" : "false"}};
  if (redrive) {
    values["RedrivePolicy"] =
        R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:dlq","maxReceiveCount":"5"})";
  }
  return Json{{"Attributes", values}}.dump();
}

const LeaseClock::time_point k_no_deadline = LeaseClock::time_point::max();

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
  /// A source opened on a queue URL (its GetQueueAttributes answer must be scripted first).
  std::unique_ptr<SqsRequestSource> opened(std::string url, SqsSourceOptions options = {}) {
    auto queue = source(std::move(url), std::move(options));
    EXPECT_TRUE(queue->open());
    return queue;
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
  ASSERT_TRUE(queue->open());
  auto sent = sent_from(0);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].first, "GetQueueUrl");
  EXPECT_EQ(sent[1].first, "GetQueueAttributes");
  EXPECT_EQ(sent[1].second["QueueUrl"], k_url);
  EXPECT_EQ(sent[1].second["AttributeNames"],
            Json::array({"VisibilityTimeout", "FifoQueue", "RedrivePolicy"}));
}

TEST_F(SqsSourceTest, UrlIsUsedAsGivenWithoutGetQueueUrl) {
  transport->answer(200, attributes(30, false));
  auto queue = source(k_url);
  EXPECT_EQ(queue->describe(), "SQS queue 'requests'");
  ASSERT_TRUE(queue->open());
  EXPECT_EQ(sent_from(0).at(0).first, "GetQueueAttributes");
}

TEST_F(SqsSourceTest, PollBeforeOpenIsAnErrorAndSendsNothing) {
  auto polled = source(k_url)->poll(10, k_no_deadline);
  ASSERT_FALSE(polled);
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SqsSourceTest, MissingQueueIsFatal) {
  transport->answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})",
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  auto checked = source("nope")->open();
  ASSERT_FALSE(checked);
  EXPECT_TRUE(checked.error().fatal);
  EXPECT_NE(checked.error().message.find("SQS queue 'nope'"), std::string::npos);
  EXPECT_NE(checked.error().message.find("NonExistentQueue"), std::string::npos);
}

TEST_F(SqsSourceTest, CredentialsThatMayNotReadAttributesGetTheDefaultLeaseAndAWarning) {
  transport->answer(403, R"({"__type":"AccessDenied"})",
                    {{"x-amzn-query-error", "AccessDenied;Sender"}});
  transport->answer(200, "{}");
  auto queue = opened(k_url);
  ASSERT_EQ(warnings.size(), 1u);
  ASSERT_TRUE(queue->poll(10, k_no_deadline));
  EXPECT_EQ(sent_from(1).at(0).second["VisibilityTimeout"], 30);
}

TEST_F(SqsSourceTest, PollLongPollsForTenAndHandsOutInOrderWithBodiesAndLeases) {
  transport->answer(200, attributes(45, false));
  transport->answer(200, messages(3));
  auto queue = opened(k_url);
  const auto before = LeaseClock::now();
  auto requests = queue->poll(1000, k_no_deadline);
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
    EXPECT_EQ(request.handle, "rh" + std::to_string(i));
    EXPECT_EQ(request.body, "body" + std::to_string(i));
    EXPECT_TRUE(request.lease.ends());
    EXPECT_EQ(request.lease.term(), std::chrono::seconds(45));
    EXPECT_GE(request.lease.deadline(), before + 45s);
    EXPECT_TRUE(request.exhausted.empty());
  }
}

TEST_F(SqsSourceTest, RedeliveredMessageGetsAWarning) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, R"({"Messages":[
      {"MessageId":"first","ReceiptHandle":"r1","Body":"b","Attributes":{"ApproximateReceiveCount":"1"}},
      {"MessageId":"again","ReceiptHandle":"r2","Body":"b","Attributes":{"ApproximateReceiveCount":"3"}}]})");
  auto queue = opened(k_url);
  ASSERT_TRUE(queue->poll(10, k_no_deadline));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("again: delivered 3 times"), std::string::npos);
}

TEST_F(SqsSourceTest, MessageReceivedMoreThanMaxReceivesIsHandedOutExhausted) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, R"({"Messages":[
      {"MessageId":"ok","ReceiptHandle":"r1","Body":"b","Attributes":{"ApproximateReceiveCount":"3"}},
      {"MessageId":"poison","ReceiptHandle":"r2","Body":"b","Attributes":{"ApproximateReceiveCount":"4"}}]})");
  SqsSourceOptions options;
  options.max_receives = 3;
  auto requests = *opened(k_url, options)->poll(10, k_no_deadline);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].exhausted.empty());
  EXPECT_NE(requests[1].exhausted.find("received 4 times, more than --max-receives 3"),
            std::string::npos);
  EXPECT_EQ(requests[0].deliveries, 3);
  EXPECT_EQ(requests[1].deliveries, 4);
}

TEST_F(SqsSourceTest, QueueWithARedrivePolicyKeepsItsOwnLimit) {
  transport->answer(200, attributes(30, false, /*redrive=*/true));
  transport->answer(200, R"({"Messages":[
      {"MessageId":"m","ReceiptHandle":"r","Body":"b","Attributes":{"ApproximateReceiveCount":"50"}}]})");
  auto requests = *opened(k_url)->poll(10, k_no_deadline);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].exhausted.empty());
}

TEST_F(SqsSourceTest, FifoReceiveCarriesAFreshAttemptIdEachTime) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, "{}");
  transport->answer(200, "{}");
  auto queue = opened(k_fifo_url);
  ASSERT_TRUE(queue->poll(10, k_no_deadline));
  ASSERT_TRUE(queue->poll(10, k_no_deadline));
  auto sent = sent_from(1);
  ASSERT_EQ(sent.size(), 2u);
  std::string first = sent[0].second.value("ReceiveRequestAttemptId", "");
  std::string second = sent[1].second.value("ReceiveRequestAttemptId", "");
  EXPECT_FALSE(first.empty());
  EXPECT_NE(first, second);
}

TEST_F(SqsSourceTest, LongPollEndsJustAfterThePipelinesDeadlineAndNeverPastQueueWait) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, "{}");
  transport->answer(200, "{}");
  SqsSourceOptions options;
  options.queue_wait = 5s;
  auto queue = opened(k_url, options);
  ASSERT_TRUE(queue->poll(10, LeaseClock::now() + 3500ms));
  ASSERT_TRUE(queue->poll(10, k_no_deadline));
  auto sent = sent_from(1);
  EXPECT_EQ(sent.at(0).second["WaitTimeSeconds"], 4);  // rounded up: ends just after
  EXPECT_EQ(sent.at(1).second["WaitTimeSeconds"], 5);
}

TEST_F(SqsSourceTest, LongPollWaitsAtMostHalfALeaseWhichCountsFromTheSendOfTheReceive) {
  transport->answer(200, attributes(8, false));
  transport->answer(200, messages(1));
  auto queue = opened(k_url);
  const auto sent = LeaseClock::now();
  auto requests = *queue->poll(10, k_no_deadline);
  EXPECT_EQ(sent_from(1).at(0).second["WaitTimeSeconds"], 4)
      << "a message arriving late in the poll keeps half its lease";
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_LE(requests[0].lease.deadline(), LeaseClock::now() + 8s);
  EXPECT_GE(requests[0].lease.deadline(), sent + 8s);
}

TEST_F(SqsSourceTest, GivenBackMessagesAreMadeVisibleAndTheirLeasesLost) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, messages(2, "widget-1"));
  auto queue = opened(k_fifo_url);
  auto requests = *queue->poll(10, k_no_deadline);
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");
  queue->give_back({requests[1]});
  EXPECT_FALSE(requests[0].lease.lost());
  EXPECT_TRUE(requests[1].lease.lost());
  auto sent = sent_from(2);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "ChangeMessageVisibilityBatch");
  EXPECT_EQ(sent[0].second["Entries"],
            Json::parse(R"([{"Id":"0","ReceiptHandle":"rh1","VisibilityTimeout":0}])"));
}

TEST_F(SqsSourceTest, GivingBackAFifoMessageGivesBackTheLaterOnesOfItsGroup) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, messages(3, "widget-1"));
  auto queue = opened(k_fifo_url);
  auto requests = *queue->poll(10, k_no_deadline);
  transport->answer(200, R"({"Successful":[{"Id":"0"},{"Id":"1"}],"Failed":[]})");
  queue->give_back({requests[1]});
  EXPECT_FALSE(requests[0].lease.lost());
  EXPECT_TRUE(requests[2].lease.lost()) << "it must not overtake the one given back";
  EXPECT_EQ(sent_from(2).at(0).second["Entries"].size(), 2u);
}

TEST_F(SqsSourceTest, RefusedRenewalLosesTheLeaseAndGivesBackItsGroupsLaterOnes) {
  transport->answer(200, attributes(2, true));  // 2 s lease: renewed within a second
  transport->answer(200, messages(3, "widget-1"));
  auto queue = opened(k_fifo_url);
  auto requests = *queue->poll(10, k_no_deadline);
  transport->answer(200, R"({"Successful":[{"Id":"1"},{"Id":"2"}],
      "Failed":[{"Id":"0","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"x"}]})");
  transport->answer(200, R"({"Successful":[{"Id":"0"},{"Id":"1"}],"Failed":[]})");
  // The give-back is the heartbeat's last step, after the lease flags and the warning (the
  // flags alone raced the warning on a loaded machine): attributes, receive, renewal, give-back.
  for (int i = 0; i < 100 && transport->sent().size() < 4; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(transport->sent().size(), 4u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("lease lost"), std::string::npos);
  EXPECT_TRUE(requests[0].lease.lost());
  EXPECT_TRUE(requests[1].lease.lost());
  EXPECT_TRUE(requests[2].lease.lost());
  auto sent = transport->sent();
  auto last = Json::parse(sent.back().body);
  EXPECT_EQ(std::string(sent.back().header("X-Amz-Target")),
            "AmazonSQS.ChangeMessageVisibilityBatch");
  EXPECT_EQ(last["Entries"][0]["ReceiptHandle"], "rh1");
  EXPECT_EQ(last["Entries"][0]["VisibilityTimeout"], 0);
  EXPECT_EQ(last["Entries"][1]["ReceiptHandle"], "rh2");
}

TEST_F(SqsSourceTest, HeldMessagesAreRenewedGivenBackOnesAreNot) {
  transport->answer(200, attributes(2, false));  // 2 s lease: renewed within a second
  transport->answer(200, messages(2));
  auto queue = opened(k_url);
  auto requests = *queue->poll(10, k_no_deadline);
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");  // the give-back
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");  // the renewal
  const auto first_deadline = requests[0].lease.deadline();
  queue->give_back({requests[1]});
  const auto give_back_calls = transport->sent().size();
  for (int i = 0; i < 100 && transport->sent().size() == give_back_calls; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  auto sent = sent_from(give_back_calls);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].first, "ChangeMessageVisibilityBatch");
  EXPECT_EQ(sent[0].second["Entries"],
            Json::parse(R"([{"Id":"0","ReceiptHandle":"rh0","VisibilityTimeout":2}])"));
  for (int i = 0; i < 50 && requests[0].lease.deadline() == first_deadline; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GT(requests[0].lease.deadline(), first_deadline) << "the pipeline sees the renewal";
}

TEST_F(SqsSourceTest, AcknowledgeDeletesInTensAndReturnsWhatFailedWithoutRetrying) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(10));
  transport->answer(200, R"({"Messages":[{"MessageId":"x","ReceiptHandle":"rhx","Body":"b"},
                                        {"MessageId":"y","ReceiptHandle":"rhy","Body":"b"}]})");
  auto queue = opened(k_url);
  auto requests = *queue->poll(10, k_no_deadline);
  auto more = *queue->poll(10, k_no_deadline);
  requests.insert(requests.end(), more.begin(), more.end());
  transport->answer(
      200, R"({"Successful":[],"Failed":[{"Id":"3","Code":"InternalError","Message":"x"}]})");
  transport->answer(200, R"({"Successful":[{"Id":"0"},{"Id":"1"}],"Failed":[]})");
  auto failed = queue->acknowledge(requests);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(failed->at(0).request.key, "m3");
  EXPECT_FALSE(failed->at(0).lease_lost);
  EXPECT_NE(failed->at(0).error.message.find("InternalError"), std::string::npos);
  auto sent = sent_from(3);
  ASSERT_EQ(sent.size(), 2u) << "removal is retried in one place: RemovalBatcher";
  EXPECT_EQ(sent[0].first, "DeleteMessageBatch");
  EXPECT_EQ(sent[0].second["Entries"].size(), 10u);
  EXPECT_EQ(sent[1].second["Entries"][1]["ReceiptHandle"], "rhy");
}

TEST_F(SqsSourceTest, StaleReceiptOnDeleteIsALostLeaseNotAnError) {
  transport->answer(200, attributes(30, true));
  transport->answer(200, messages(2, "g"));
  transport->answer(200, R"({"Successful":[],
      "Failed":[{"Id":"0","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"x"}]})");
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");
  auto queue = opened(k_fifo_url);
  auto requests = *queue->poll(10, k_no_deadline);
  auto failed = queue->acknowledge({requests[0]});
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_TRUE(failed->at(0).lease_lost);
  EXPECT_TRUE(requests[1].lease.lost()) << "the later one of its group must wait for it";
  EXPECT_EQ(sent_from(3).at(0).second["Entries"][0]["ReceiptHandle"], "rh1");
}

TEST_F(SqsSourceTest, MessageWhoseLeaseEndedIsNotDeleted) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(1));
  auto queue = opened(k_url);
  auto requests = *queue->poll(10, k_no_deadline);
  requests[0].lease.lose();
  const auto calls = transport->sent().size();
  auto failed = queue->acknowledge(requests);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_TRUE(failed->at(0).lease_lost);
  EXPECT_EQ(transport->sent().size(), calls) << "another consumer may hold it now";
}

TEST_F(SqsSourceTest, DestroyingTheSourceReleasesWhatIsStillHeld) {
  transport->answer(200, attributes(30, false));
  transport->answer(200, messages(2));
  transport->answer(200, R"({"Successful":[{"Id":"0"}],"Failed":[]})");
  {
    auto queue = opened(k_url);
    auto requests = *queue->poll(10, k_no_deadline);
    ASSERT_TRUE(queue->acknowledge({requests[0]}));
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
  auto polled = opened(k_url)->poll(10, k_no_deadline);
  ASSERT_FALSE(polled);
  EXPECT_TRUE(polled.error().fatal);
}

TEST_F(SqsSourceTest, UnreachableQueueIsNotFatal) {
  transport->answer(200, attributes(30, false));
  for (int i = 0; i < 6; ++i) transport->fail(aws::TransportErrorKind::connect);
  auto polled = opened(k_url)->poll(10, k_no_deadline);
  ASSERT_FALSE(polled);
  EXPECT_FALSE(polled.error().fatal);
}

}  // namespace
}  // namespace wc::source
