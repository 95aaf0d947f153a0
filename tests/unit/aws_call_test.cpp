#include "aws/aws_call.h"

#include <gtest/gtest.h>

#include "aws/call_limits.h"
#include "aws/error_class.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;

ServiceConfig test_config() {
  ServiceConfig config;
  config.service = "sqs";
  config.region = "eu-west-1";
  config.endpoint_url = "http://127.0.0.1:4566";
  config.credentials = static_credentials({"AKIDEXAMPLE", "secret", ""});
  return config;
}

RetryPolicy no_wait(int max_attempts) {
  RetryPolicy policy;
  policy.max_attempts = max_attempts;
  policy.base_delay = std::chrono::milliseconds{0};
  return policy;
}

ServiceError body_as_code(const HttpResponse& response) { return {response.body, "msg"}; }

struct CallerTest : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::vector<RetryEvent> events;
  AwsCaller caller{test_config(), transport, no_wait(3),
                   [this](const RetryEvent& event) { events.push_back(event); }, false};
  AwsCall call{"SendMessage", "queue 'q'",
               HttpRequest{"POST", "http://127.0.0.1:4566", "/", {}, {}, "x"}};
};

TEST_F(CallerTest, TransientFailureIsRetriedAndReportedToTheObserver) {
  transport->answer(503, "SlowDown");
  transport->answer(200, "done");
  auto response = caller.send(call, body_as_code);
  ASSERT_TRUE(response) << response.error().describe();
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(caller.calls(), 2u);
  EXPECT_EQ(caller.retries(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].operation, "SendMessage");
  EXPECT_EQ(events[0].resource, "queue 'q'");
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_EQ(events[0].reason, "SlowDown (HTTP 503): msg");
}

TEST_F(CallerTest, NoAttemptStartsPastTheThreadsDeadline) {
  CallScope late({CallClock::now() - std::chrono::milliseconds{1}, nullptr});
  auto response = caller.send(call, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, k_deadline_error);
  EXPECT_EQ(classify(response.error()), ErrorClass::interrupted);
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(CallerTest, ARaisedCancelFlagEndsTheCallBeforeItsNextAttempt) {
  std::atomic<bool> cancel{true};
  CallScope cancelled({std::nullopt, &cancel});
  auto response = caller.send(call, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, k_cancelled_error);
  EXPECT_TRUE(transport->sent().empty());
}

TEST(CallerBackOff, ABackOffThatWouldEndPastTheDeadlineIsNotWaited) {
  auto transport = std::make_shared<FakeTransport>();
  RetryPolicy slow;
  slow.max_attempts = 6;
  slow.base_delay = std::chrono::milliseconds{5'000};
  slow.max_delay = std::chrono::milliseconds{5'000};
  AwsCaller caller{test_config(), transport, slow, {}, false};
  for (int i = 0; i < 6; ++i) transport->answer(503, "SlowDown");
  const auto started = CallClock::now();
  CallScope bounded({started + std::chrono::milliseconds{300}, nullptr});
  auto response = caller.send(
      {"SendMessage", "queue 'q'", HttpRequest{"POST", "http://127.0.0.1:4566", "/", {}, {}, ""}},
      body_as_code);
  ASSERT_FALSE(response);
  EXPECT_LT(CallClock::now() - started, std::chrono::milliseconds{300});
  EXPECT_LT(transport->sent().size(), 6u) << "the attempts end with the deadline";
}

TEST_F(CallerTest, EveryAttemptIsSignedWithItsOwnHeaders) {
  transport->fail(TransportErrorKind::reset);
  transport->answer(200);
  ASSERT_TRUE(caller.send(call, body_as_code));
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 2u);
  for (const HttpRequest& request : sent) {
    EXPECT_EQ(request.header("Authorization").find("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), 0u);
    EXPECT_FALSE(request.header("X-Amz-Date").empty());
  }
  EXPECT_TRUE(call.request.header("Authorization").empty()) << "the unsigned call is kept as is";
}

TEST_F(CallerTest, NonTransientFailureIsReturnedAtOnce) {
  transport->answer(400, "ValidationException");
  auto response = caller.send(call, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "ValidationException");
  EXPECT_EQ(response.error().http_status, 400);
  EXPECT_EQ(response.error().attempts, 1);
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(caller.calls(), 1u);
  EXPECT_TRUE(events.empty());
}

TEST_F(CallerTest, ExhaustedRetriesReturnTheLastFailureAsRetryable) {
  for (int i = 0; i < 5; ++i) transport->answer(500, "InternalError");
  auto response = caller.send(call, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().attempts, 3);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_EQ(caller.calls(), 3u);
  EXPECT_EQ(caller.retries(), 2u);
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(CallerTest, TransportFailuresBecomeNamedErrorsWithoutStatus) {
  transport->fail(TransportErrorKind::connect, "refused");
  transport->fail(TransportErrorKind::timeout, "slow");
  transport->fail(TransportErrorKind::other, "unsupported protocol");
  auto response = caller.send(call, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "TransportError");
  EXPECT_EQ(response.error().message, "unsupported protocol");
  EXPECT_EQ(response.error().http_status, 0);
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(response.error().attempts, 3);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reason, "ConnectionError: refused");
  EXPECT_EQ(events[1].reason, "Timeout: slow");
}

// send_all: the calls go out together; only the ones that failed transiently go again.
TEST_F(CallerTest, ABatchRetriesOnlyItsTransientFailuresAndKeepsTheOrder) {
  AwsCall second = call;
  second.resource = "queue 'second'";
  AwsCall third = call;
  third.resource = "queue 'third'";
  // First round, in order: call ok, second throttled, third refused for good.
  transport->answer(200, "first done");
  transport->answer(503, "SlowDown");
  transport->answer(400, "InvalidParameterValue");
  // Second round: only `second` is sent again.
  transport->answer(200, "second done");
  auto results = caller.send_all({&call, &second, &third}, body_as_code);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->body, "first done");
  ASSERT_TRUE(results[1]) << results[1].error().describe();
  EXPECT_EQ(results[1]->body, "second done");
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().code, "InvalidParameterValue");
  EXPECT_EQ(results[2].error().attempts, 1);
  EXPECT_FALSE(results[2].error().retryable);
  EXPECT_EQ(caller.calls(), 4u);
  EXPECT_EQ(caller.retries(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].resource, "queue 'second'");
  ASSERT_EQ(transport->sent().size(), 4u);
  // The retry is signed anew: its own attempt, not a copy of the first.
  EXPECT_FALSE(transport->sent()[3].header("Authorization").empty());
}

TEST_F(CallerTest, ABatchWhoseRetriesRunOutReturnsTheLastFailures) {
  AwsCall second = call;
  transport->answer(200, "ok");
  for (int i = 0; i < 3; ++i) transport->answer(500, "InternalError");
  auto results = caller.send_all({&call, &second}, body_as_code);
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, "InternalError");
  EXPECT_EQ(results[1].error().attempts, 3);
  EXPECT_TRUE(results[1].error().retryable);
  EXPECT_EQ(caller.calls(), 4u) << "1 + 3 attempts";
}

TEST_F(CallerTest, ABatchPastTheThreadsDeadlineSendsNothing) {
  AwsCall second = call;
  CallScope late({CallClock::now() - std::chrono::milliseconds{1}, nullptr});
  auto results = caller.send_all({&call, &second}, body_as_code);
  for (const auto& result : results) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, k_deadline_error);
  }
  EXPECT_TRUE(transport->sent().empty());
}

TEST(AwsError, DescribeNamesOperationResourceCodeStatusMessageAndAttempts) {
  AwsError error{.operation = "PutObject",
                 .resource = "bucket 'widgets'",
                 .http_status = 404,
                 .code = "NoSuchBucket",
                 .message = "The specified bucket does not exist"};
  EXPECT_EQ(error.describe(),
            "PutObject on bucket 'widgets' failed: NoSuchBucket (HTTP 404): The specified bucket "
            "does not exist (after 1 attempt)");
}

TEST(AwsError, DescribeLeavesOutWhatIsUnknownAndCountsPlurals) {
  AwsError error{.operation = "GetObject",
                 .resource = "s3://b/k",
                 .code = "ConnectionError",
                 .message = "",
                 .attempts = 6};
  EXPECT_EQ(error.describe(), "GetObject on s3://b/k failed: ConnectionError (after 6 attempts)");
}

/// Hands out keys from a list, one per call, or an error once the list is used up.
class CountingProvider final : public CredentialsProvider {
 public:
  explicit CountingProvider(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  util::Expected<std::shared_ptr<const Credentials>, std::string> current() override {
    if (next_ >= keys_.size()) {
      return util::Unexpected(
          std::string("container credentials from http://127.0.0.1:1/x: the credentials expired at "
                      "2024-05-01T13:00:00Z and could not be renewed: HTTP 500"));
    }
    return std::make_shared<const Credentials>(Credentials{keys_[next_++], "s", "t"});
  }
  std::string describe() const override { return "counting provider"; }

 private:
  std::vector<std::string> keys_;
  std::size_t next_ = 0;
};

TEST(CallerCredentials, EachAttemptIsSignedWithWhatTheProviderHoldsAtThatMoment) {
  auto transport = std::make_shared<FakeTransport>();
  ServiceConfig config = test_config();
  config.credentials = std::make_shared<CountingProvider>(std::vector<std::string>{"OLD", "NEW"});
  AwsCaller caller{config, transport, no_wait(3), {}, false};
  transport->answer(503, "SlowDown");
  transport->answer(200);
  ASSERT_TRUE(caller.send({"SendMessage", "queue 'q'", HttpRequest{}}, body_as_code));
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(sent[0].header("Authorization").find("Credential=OLD/"), std::string::npos);
  EXPECT_NE(sent[1].header("Authorization").find("Credential=NEW/"), std::string::npos);
}

TEST(CallerCredentials, CredentialsThatCouldNotBeRenewedAreAFatalErrorAndNothingIsSent) {
  auto transport = std::make_shared<FakeTransport>();
  ServiceConfig config = test_config();
  config.credentials = std::make_shared<CountingProvider>(std::vector<std::string>{});
  AwsCaller caller{config, transport, no_wait(3), {}, false};
  auto response = caller.send({"ReceiveMessage", "queue 'q'", HttpRequest{}}, body_as_code);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, k_credentials_error);
  EXPECT_FALSE(response.error().retryable);
  EXPECT_EQ(classify(response.error()), ErrorClass::access);
  EXPECT_NE(response.error().describe().find("container credentials from http://127.0.0.1:1/x: "
                                             "the credentials expired"),
            std::string::npos)
      << response.error().describe();
  EXPECT_TRUE(transport->sent().empty());
  EXPECT_EQ(caller.calls(), 0u);
}

TEST(CallerCredentials, WithoutAProviderCallsGoUnsigned) {
  auto transport = std::make_shared<FakeTransport>();
  ServiceConfig config = test_config();
  config.credentials = nullptr;
  AwsCaller caller{config, transport, no_wait(1), {}, false};
  transport->answer(200);
  ASSERT_TRUE(caller.send({"AssumeRoleWithWebIdentity", "role r", HttpRequest{}}, body_as_code));
  EXPECT_EQ(transport->sent()[0].header("Authorization"), "");
  EXPECT_EQ(transport->sent()[0].header("X-Amz-Date"), "");
}

}  // namespace
}  // namespace wc::aws
