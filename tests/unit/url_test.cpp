// The one URL reader (libcurl's curl_url underneath): endpoints, the Host SigV4 signs, queue
// URLs. --endpoint-url's messages are pinned in command_line_test, the configured endpoints'
// in client_config_test.

#include "aws/url.h"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

namespace wc::aws {
namespace {

TEST(ParseUrl, SplitsAnHttpUrlIntoEndpointAndPath) {
  auto parts = parse_url("http://169.254.170.2/v2/credentials/abc?x=1");
  ASSERT_TRUE(parts) << parts.error();
  EXPECT_EQ(parts->endpoint(), "http://169.254.170.2");
  EXPECT_EQ(parts->path_and_query(), "/v2/credentials/abc?x=1");
  auto ipv6 = parse_url("HTTP://[fd00:ec2::23]:8080");
  ASSERT_TRUE(ipv6) << ipv6.error();
  EXPECT_EQ(ipv6->endpoint(), "http://[fd00:ec2::23]:8080");
  EXPECT_EQ(ipv6->path_and_query(), "/");
}

TEST(ParseUrl, RefusesOtherSchemesAndTextThatIsNoUrl) {
  EXPECT_EQ(parse_url("ftp://host/file").error(),
            "'ftp://host/file' is not an http:// or https:// URL");
  EXPECT_FALSE(parse_url("jobs"));
  EXPECT_FALSE(parse_url("http://"));
}

TEST(ParseEndpointUrl, KeepsSchemeHostAndPortOnly) {
  EXPECT_EQ(parse_endpoint_url("https://[::1]:4566/").value(), "https://[::1]:4566");
  EXPECT_EQ(parse_endpoint_url("http://127.0.0.1:5000//").value(), "http://127.0.0.1:5000");
  EXPECT_EQ(parse_endpoint_url("http://localhost:80").value(), "http://localhost:80");
}

TEST(HostHeader, IsHostAndPortWithoutTheSchemesDefaultPort) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"https://s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"},
      {"https://s3.eu-west-1.amazonaws.com:443", "s3.eu-west-1.amazonaws.com"},
      {"http://127.0.0.1:80", "127.0.0.1"},
      {"http://127.0.0.1:443", "127.0.0.1:443"},
      {"https://127.0.0.1:80", "127.0.0.1:80"},
      {"http://[::1]:5000", "[::1]:5000"},
      {"example.com", "example.com"},  // no URL: left as it is
  };
  for (const auto& [endpoint, host] : cases) EXPECT_EQ(host_header(endpoint), host) << endpoint;
}

TEST(LastPathSegment, IsTheLastNonEmptySegmentOfAnHttpUrl) {
  EXPECT_EQ(last_path_segment("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo"),
            "jobs.fifo");
  EXPECT_EQ(last_path_segment("http://localhost:9324/queue/jobs/?Action=x"), "jobs");
  EXPECT_EQ(last_path_segment("http://localhost:9324"), "");
  EXPECT_EQ(last_path_segment("jobs"), std::nullopt);
}

}  // namespace
}  // namespace wc::aws
