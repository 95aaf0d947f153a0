// The /metrics body: Prometheus's text format, conventional names, and numbers that add up.

#include "app/metrics_text.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace wc::app {
namespace {

using namespace std::chrono_literals;

/// Sample lines by series ("name{labels}") -> value; fails on a line that is not a comment or
/// a sample, or a sample whose metric has no TYPE line before it.
std::map<std::string, double> parse_samples(const std::string& text) {
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$)");
  static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, type)) {
      typed.insert(match[1]);
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (!std::regex_match(line, match, sample)) {
      ADD_FAILURE() << "not a sample line: " << line;
      continue;
    }
    std::string name = match[1];
    std::string family = std::regex_replace(name, std::regex("_(bucket|sum|count)$"), "");
    EXPECT_TRUE(typed.count(name) || typed.count(family)) << "no TYPE before " << line;
    samples[name + std::string(match[2])] = std::stod(match[3]);
  }
  return samples;
}

struct MetricsTextTest : ::testing::Test {
  consumer::RunStats stats;
  consumer::RunMetrics run;
  AwsCallMetrics aws;

  std::map<std::string, double> render(bool ready = true) {
    return parse_samples(metrics_text({.stats = stats,
                                       .run = run,
                                       .aws = aws,
                                       .aws_calls = 12,
                                       .aws_retries = 2,
                                       .uptime_seconds = 3.5,
                                       .version = "1.2.3",
                                       .ready = ready}));
  }
};

TEST_F(MetricsTextTest, CountersAndGaugesUseConventionalNames) {
  stats.count(consumer::FinalOutcome::created);
  stats.count(consumer::FinalOutcome::created);
  stats.count(consumer::FinalOutcome::rejected);
  stats.count(consumer::FinalOutcome::dead_lettered);
  run.leases_renewed(7);
  run.leases_lost(1);
  auto held = run.track(consumer::RunMetrics::Clock::now() - 2s);
  auto samples = render();
  EXPECT_EQ(samples["widget_consumer_build_info{version=\"1.2.3\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_requests_total{outcome=\"created\"}"], 2);
  EXPECT_EQ(samples["widget_consumer_requests_total{outcome=\"dead-lettered\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_dead_letters_total{reason=\"rejected\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_dead_letters_total{reason=\"failed\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_requests_in_flight"], 1);
  EXPECT_GE(samples["widget_consumer_oldest_request_age_seconds"], 2.0);
  EXPECT_EQ(samples["widget_consumer_aws_calls_total"], 12);
  EXPECT_EQ(samples["widget_consumer_aws_retries_total"], 2);
  EXPECT_EQ(samples["widget_consumer_leases_renewed_total"], 7);
  EXPECT_EQ(samples["widget_consumer_leases_lost_total"], 1);
  EXPECT_EQ(samples["widget_consumer_last_successful_poll_timestamp_seconds"], 0);
  EXPECT_EQ(samples["widget_consumer_ready"], 1);
  EXPECT_EQ(samples["widget_consumer_uptime_seconds"], 3.5);
  EXPECT_EQ(render(false)["widget_consumer_ready"], 0);
}

TEST_F(MetricsTextTest, ApplyDurationIsACumulativeHistogramInSeconds) {
  run.observe_apply(3ms);
  run.observe_apply(40ms);
  run.observe_apply(2min);
  auto samples = render();
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_bucket{le=\"0.001\"}"], 0);
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_bucket{le=\"0.005\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_bucket{le=\"0.05\"}"], 2);
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_bucket{le=\"30\"}"], 2);
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_bucket{le=\"+Inf\"}"], 3);
  EXPECT_EQ(samples["widget_consumer_apply_duration_seconds_count"], 3);
  EXPECT_NEAR(samples["widget_consumer_apply_duration_seconds_sum"], 120.043, 1e-6);
}

TEST_F(MetricsTextTest, AwsRequestDurationIsLabelledByServiceAndOperation) {
  aws.observe({"s3", "PutObject", 20ms, 200});
  aws.observe({"s3", "PutObject", 2ms, 503});
  aws.observe({"sqs", "ReceiveMessage", 20s, 200});
  auto samples = render();
  const std::string put = "service=\"s3\",operation=\"PutObject\"";
  EXPECT_EQ(samples["widget_consumer_aws_request_duration_seconds_count{" + put + "}"], 2);
  EXPECT_EQ(
      samples["widget_consumer_aws_request_duration_seconds_bucket{" + put + ",le=\"0.0025\"}"], 1);
  EXPECT_EQ(samples["widget_consumer_aws_request_duration_seconds_bucket{service=\"sqs\","
                    "operation=\"ReceiveMessage\",le=\"10\"}"],
            0);
  EXPECT_EQ(samples["widget_consumer_aws_request_duration_seconds_bucket{service=\"sqs\","
                    "operation=\"ReceiveMessage\",le=\"30\"}"],
            1);
}

}  // namespace
}  // namespace wc::app
