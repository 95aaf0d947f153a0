#include "app/command_line.h"

#include <gtest/gtest.h>

namespace wc::app {
namespace {

Config parse_ok(std::vector<std::string> args) {
  auto parsed = parse_command_line(args);
  if (auto* exit = std::get_if<ParseExit>(&parsed)) {
    ADD_FAILURE() << "unexpected exit " << exit->exit_code << ": " << exit->message;
    return {};
  }
  return std::get<Config>(parsed);
}

ParseExit parse_exit(std::vector<std::string> args) {
  auto parsed = parse_command_line(args);
  if (auto* exit = std::get_if<ParseExit>(&parsed)) return *exit;
  ADD_FAILURE() << "expected the command line to be refused";
  return {};
}

TEST(CommandLine, OriginalS3SpellingSelectsBuckets) {
  Config config = parse_ok({"-ss", "S3", "-rb", "requests", "-wb", "widgets"});
  EXPECT_EQ(config.source_kind, SourceKind::s3_bucket);
  EXPECT_EQ(config.source_name, "requests");
  EXPECT_EQ(config.store_kind, StoreKind::s3_bucket);
  EXPECT_EQ(config.store_name, "widgets");
  EXPECT_EQ(config.dead_letter_kind, DeadLetterKind::directory);
  EXPECT_EQ(config.dead_letter_name, "dead-letters");
  EXPECT_EQ(config.log_dir, "logs");
}

TEST(CommandLine, OriginalDynamoDbSpellingSelectsTable) {
  Config config = parse_ok({"-ss", "DynamoDB", "-rb", "requests", "-dt", "widgets"});
  EXPECT_EQ(config.store_kind, StoreKind::dynamodb_table);
  EXPECT_EQ(config.store_name, "widgets");
}

TEST(CommandLine, StorageKindIsCaseInsensitive) {
  Config config = parse_ok({"-ss", "s3", "-rb", "r", "-wb", "w"});
  EXPECT_EQ(config.store_kind, StoreKind::s3_bucket);
}

TEST(CommandLine, LongAliasesWork) {
  Config config = parse_ok({"--request-bucket", "r", "--widget-bucket", "w"});
  EXPECT_EQ(config.source_name, "r");
  EXPECT_EQ(config.store_name, "w");
  config = parse_ok({"--source", "r", "--target", "w", "--storage=S3"});
  EXPECT_EQ(config.store_kind, StoreKind::s3_bucket);
}

TEST(CommandLine, LegacyFlagWithEqualsSign) {
  Config config = parse_ok({"-ss=S3", "-rb=r", "-wb=w"});
  EXPECT_EQ(config.source_name, "r");
}

TEST(CommandLine, NoBackendFlagMeansLocalDirectories) {
  Config config = parse_ok({});
  EXPECT_EQ(config.source_kind, SourceKind::directory);
  EXPECT_EQ(config.source_name, "requests");
  EXPECT_EQ(config.store_kind, StoreKind::directory);
  EXPECT_EQ(config.store_name, "widget-store");
}

TEST(CommandLine, TimeoutsAreSecondsWithFractions) {
  Config config = parse_ok({"--idle-timeout", "1.5", "--max-runtime", "60"});
  EXPECT_EQ(config.idle_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(config.max_runtime, std::chrono::milliseconds(60000));
}

TEST(CommandLine, ConcurrencyDefaultsTo32) {
  EXPECT_EQ(parse_ok({}).concurrency, 32u);
  EXPECT_EQ(parse_ok({"--concurrency", "1"}).concurrency, 1u);
}

TEST(CommandLine, AwsOptionsAreKept) {
  Config config = parse_ok(
      {"--region", "eu-west-1", "--profile", "p", "--endpoint-url", "http://127.0.0.1:5000"});
  EXPECT_EQ(config.aws.region, "eu-west-1");
  EXPECT_EQ(config.aws.profile, "p");
  EXPECT_EQ(config.aws.endpoint_url, "http://127.0.0.1:5000");
}

struct UsageCase {
  std::vector<std::string> args;
  std::string expected_fragment;
};

class CommandLineUsageError : public testing::TestWithParam<UsageCase> {};

TEST_P(CommandLineUsageError, ExitsTwoWithOneLineNamingTheProblem) {
  ParseExit exit = parse_exit(GetParam().args);
  EXPECT_EQ(exit.exit_code, 2);
  EXPECT_NE(exit.message.find(GetParam().expected_fragment), std::string::npos) << exit.message;
  EXPECT_EQ(exit.message.find('\n'), std::string::npos) << exit.message;
}

INSTANTIATE_TEST_SUITE_P(
    SpecCases, CommandLineUsageError,
    testing::Values(UsageCase{{"--bogus"}, "--bogus"}, UsageCase{{"-wb", "w"}, "no request source"},
                    UsageCase{{"-rb", "r"}, "no widget store"},
                    UsageCase{{"-rb", "r", "--requests-dir", "d", "-wb", "w"},
                              "one request source only"},
                    UsageCase{{"-rb", "r", "-wb", "w", "-dt", "t"}, "one widget store only"},
                    UsageCase{{"-ss", "S3", "-rb", "r", "-dt", "t"}, "-ss S3"},
                    UsageCase{{"-ss", "DynamoDB", "-rb", "r", "-wb", "w"}, "-ss DynamoDB"},
                    UsageCase{{"-ss", "S3", "-rb", "r"}, "-wb"},
                    UsageCase{{"-ss", "Mongo", "-rb", "r", "-wb", "w"}, "Mongo"},
                    UsageCase{{"--idle-timeout", "-1"}, "idle-timeout"},
                    UsageCase{{"--idle-timeout", "soon"}, "idle-timeout"},
                    UsageCase{{"--max-runtime", "x"}, "max-runtime"},
                    UsageCase{{"--concurrency", "0"}, "concurrency"},
                    UsageCase{{"--metrics-port", "70000"}, "metrics-port"},
                    UsageCase{{"--dead-letter-dir", "d", "--dead-letter-bucket", "b"},
                              "one dead-letter place only"}));

// Issue 13, item 11: every duration and number flag says what is wrong in words a user reads.
INSTANTIATE_TEST_SUITE_P(
    ValueRules, CommandLineUsageError,
    testing::Values(
        UsageCase{{"--idle-timeout", "abc"}, "--idle-timeout: 'abc' is not a number"},
        UsageCase{{"--idle-timeout", "nan"}, "--idle-timeout: 'nan' is not a number"},
        UsageCase{{"--idle-timeout", "inf"}, "--idle-timeout: inf is out of range"},
        UsageCase{{"--idle-timeout", "1e400"}, "0.001 to 1000000000 seconds"},
        UsageCase{{"--idle-timeout", "0.0004"}, "below the 1 ms resolution"},
        UsageCase{{"--max-runtime", "nan"}, "--max-runtime: 'nan' is not a number"},
        UsageCase{{"--max-runtime", "0.0009"}, "below the 1 ms resolution"},
        UsageCase{{"--max-runtime", "-0.5"}, "--max-runtime: -0.5 is out of range"},
        UsageCase{{"--queue-wait", "soon"}, "--queue-wait: 'soon' is not a whole number"},
        UsageCase{{"--queue-wait", "21"}, "from 0 to 20"},
        UsageCase{{"--concurrency", "abc"}, "--concurrency: 'abc' is not a whole number"},
        UsageCase{{"--concurrency", "99999999999999999999"}, "from 1 to 1024"},
        UsageCase{{"--metrics-port", "http"}, "--metrics-port: 'http' is not a whole number"},
        UsageCase{{"--endpoint-url", ""}, "--endpoint-url: is empty"},
        UsageCase{{"--endpoint-url", "127.0.0.1:9"}, "write http://127.0.0.1:9"},
        UsageCase{{"--endpoint-url", "ftp://127.0.0.1:9"}, "only http:// and https://"},
        UsageCase{{"--endpoint-url", "http://127.0.0.1:9/path"}, "path, query or fragment"},
        UsageCase{{"--version", "--bogus"}, "--bogus"},
        UsageCase{{"--bogus", "--version"}, "--bogus"}));

TEST(CommandLine, RangeErrorsPrintReadableNumbers) {
  ParseExit exit = parse_exit({"--idle-timeout", "-1"});
  EXPECT_EQ(exit.exit_code, 2);
  EXPECT_LT(exit.message.size(), 200u) << exit.message;
  EXPECT_EQ(exit.message.find("179769"), std::string::npos) << exit.message;
}

TEST(CommandLine, DurationsOfAMillisecondOrMoreAreKept) {
  Config config = parse_ok({"--idle-timeout", "0.001", "--max-runtime", "0"});
  EXPECT_EQ(config.idle_timeout, std::chrono::milliseconds(1));
  EXPECT_EQ(config.max_runtime, std::chrono::milliseconds(0));
  EXPECT_EQ(parse_ok({"--idle-timeout", "1e3"}).idle_timeout, std::chrono::seconds(1000));
}

TEST(CommandLine, EndpointUrlWithHostAndPortIsKept) {
  EXPECT_EQ(parse_ok({"--endpoint-url", "https://[::1]:4566/"}).aws.endpoint_url,
            "https://[::1]:4566/");
}

TEST(CommandLine, NoProgressFlagTurnsTheProgressLineOff) {
  EXPECT_TRUE(parse_ok({}).progress);
  EXPECT_FALSE(parse_ok({"--no-progress"}).progress);
}

TEST(CommandLine, HelpShowsNoDefaultMarkersOnFlags) {
  ParseExit exit = parse_exit({"--help"});
  EXPECT_NE(exit.message.find("--no-progress"), std::string::npos);
  EXPECT_EQ(exit.message.find("{false}"), std::string::npos) << exit.message;
}

TEST(CommandLine, HelpExitsZeroAndListsTheFlags) {
  ParseExit exit = parse_exit({"--help"});
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_NE(exit.message.find("--request-bucket"), std::string::npos);
}

TEST(CommandLine, VersionExitsZero) {
  ParseExit exit = parse_exit({"--version"});
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_NE(exit.message.find("widget-consumer"), std::string::npos);
  EXPECT_EQ(parse_exit({"--version", "--no-progress"}).exit_code, 0);
}

}  // namespace
}  // namespace wc::app
