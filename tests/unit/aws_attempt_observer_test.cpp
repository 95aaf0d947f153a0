// AwsCaller reports every attempt (retries included) with its service, operation, duration and
// HTTP status, so the app can time AWS calls without the aws layer keeping metrics.

#include <gtest/gtest.h>

#include "aws/aws_call.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

TEST(AttemptObserver, EveryAttemptIsReportedWithItsStatus) {
  ServiceConfig config;
  config.service = "dynamodb";
  config.region = "eu-west-1";
  config.endpoint_url = "http://127.0.0.1:4566";
  config.credentials = static_credentials({"AKIDEXAMPLE", "secret", ""});
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = std::chrono::milliseconds{0};
  auto transport = std::make_shared<testing::FakeTransport>();
  transport->fail(TransportErrorKind::connect);
  transport->answer(500, "InternalServerError");
  transport->answer(200, "{}");
  std::vector<std::tuple<std::string, std::string, long>> attempts;
  AwsCaller caller(config, transport, policy, {}, false, [&](const AttemptEvent& event) {
    EXPECT_GE(event.duration.count(), 0);
    attempts.emplace_back(event.service, event.operation, event.http_status);
  });
  AwsCall call{"PutItem", "table 't'",
               HttpRequest{"POST", "http://127.0.0.1:4566", "/", {}, {}, "x"}};
  auto result = caller.send(call, [](const HttpResponse& r) { return ServiceError{r.body, ""}; });
  ASSERT_TRUE(result);
  using Attempt = std::tuple<std::string, std::string, long>;
  EXPECT_EQ(attempts, (std::vector<Attempt>{{"dynamodb", "PutItem", 0},
                                            {"dynamodb", "PutItem", 500},
                                            {"dynamodb", "PutItem", 200}}));
}

}  // namespace
}  // namespace wc::aws
