// SigV4 behaviour beyond the official suite: the S3 rules (checked against the worked examples
// in the S3 API reference, "Signature Calculations for the Authorization Header"), Host
// derivation, path and query canonicalisation, session tokens and re-signing.

#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "aws/encoding.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;

// The S3 documentation's example account, bucket and time (20130524T000000Z).
const Credentials k_s3_doc_credentials{"AKIAIOSFODNN7EXAMPLE",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr auto k_s3_doc_time = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
const std::string k_empty_sha256 = sha256_hex("");

SigningParams s3_params() { return {"us-east-1", "s3", k_s3_doc_time, true}; }
SigningParams service_params() { return {"us-east-1", "service", k_s3_doc_time, false}; }

HttpRequest example_bucket_request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.endpoint = "https://examplebucket.s3.amazonaws.com";
  request.path = std::move(path);
  return request;
}

std::string signature_of(const HttpRequest& signed_request) {
  std::string_view authorization = signed_request.header("Authorization");
  return std::string(authorization.substr(authorization.rfind('=') + 1));
}

/// The line of the canonical request that holds the path (the second one).
std::string canonical_path(const HttpRequest& request, const SigningParams& params) {
  std::string creq = canonical_request(request, params);
  std::size_t start = creq.find('\n') + 1;
  return creq.substr(start, creq.find('\n', start) - start);
}

/// The line of the canonical request that holds the query (the third one).
std::string canonical_query_line(const HttpRequest& request) {
  std::string creq = canonical_request(request, service_params());
  std::size_t start = creq.find('\n', creq.find('\n') + 1) + 1;
  return creq.substr(start, creq.find('\n', start) - start);
}

TEST(SigV4S3, GetObjectWithRangeMatchesTheS3DocumentationExample) {
  HttpRequest request = example_bucket_request("GET", "/test.txt");
  request.headers = {{"Range", "bytes=0-9"}};

  HttpRequest signed_request = sign(request, k_s3_doc_credentials, s3_params());

  EXPECT_EQ(signed_request.header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(signed_request.header("Host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(signed_request.header("x-amz-content-sha256"), k_empty_sha256);
  EXPECT_EQ(signed_request.header("X-Amz-Date"), "20130524T000000Z");
}

TEST(SigV4S3, PutObjectSignsThePathAsSentAndTheBodyHash) {
  HttpRequest request = example_bucket_request("PUT", "/test%24file.text");
  request.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  request.body = "Welcome to Amazon S3.";

  HttpRequest signed_request = sign(request, k_s3_doc_credentials, s3_params());

  EXPECT_EQ(signature_of(signed_request),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_EQ(signed_request.header("x-amz-content-sha256"), sha256_hex(request.body));
}

TEST(SigV4S3, ListObjectsSignsSortedQueryParameters) {
  HttpRequest request = example_bucket_request("GET", "/");
  request.query = {{"prefix", "J"}, {"max-keys", "2"}};

  EXPECT_EQ(signature_of(sign(request, k_s3_doc_credentials, s3_params())),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3, SubresourceWithoutValueIsSignedAsNameEquals) {
  HttpRequest request = example_bucket_request("GET", "/");
  request.query = {{"lifecycle", ""}};

  EXPECT_EQ(signature_of(sign(request, k_s3_doc_credentials, s3_params())),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3, KeyWithUnicodeAndSubDelimitersMatchesBotocore) {
  // Reference: botocore 1.43.11 S3SigV4Auth over the same request, key quoted with
  // quote(key, safe='/~') as boto3 does; it printed this canonical path and signature.
  const std::string key =
      "dir/with space/\xC3\xBCn\xC3\xAF c\xC3\xB6\x64\xC3\xA9 \xE2\x9C\x93+(1)!*'@=$&:,;.txt";
  HttpRequest request = example_bucket_request("PUT", "/" + uri_encode(key, false));
  request.query = {{"x-id", "PutObject"}};
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"hello":"w\u00f6rld"})";

  HttpRequest signed_request = sign(request, k_s3_doc_credentials, s3_params());

  EXPECT_EQ(canonical_path(signed_request, s3_params()),
            "/dir/with%20space/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%20%E2%9C%93%2B%281%29%21%2A%27%40%3D"
            "%24%26%3A%2C%3B.txt");
  EXPECT_EQ(signature_of(signed_request),
            "14c84234135ce59720a7fa8be4cc043521f0d72bc9d51dc0bd88070da06ea011");
}

TEST(SigV4S3, CallerSuppliedContentSha256IsKeptAndSigned) {
  HttpRequest request = example_bucket_request("PUT", "/key");
  request.body = "data";
  request.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};

  HttpRequest signed_request = sign(request, k_s3_doc_credentials, s3_params());

  EXPECT_EQ(signed_request.header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(canonical_request(signed_request, s3_params()).ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(SigV4S3, PathIsNeitherNormalisedNorEncodedAgain) {
  HttpRequest request = example_bucket_request("GET", "/a//b/../c%20d");
  EXPECT_EQ(canonical_path(request, s3_params()), "/a//b/../c%20d");
}

TEST(SigV4Path, OtherServicesNormaliseAndEncodeThePathAgain) {
  HttpRequest request = example_bucket_request("GET", "/a//b/../c%20d/");
  EXPECT_EQ(canonical_path(request, service_params()), "/a/c%2520d/");
}

TEST(SigV4Path, EmptyPathIsSignedAsSlash) {
  HttpRequest request = example_bucket_request("GET", "");
  EXPECT_EQ(canonical_path(request, service_params()), "/");
  EXPECT_EQ(canonical_path(request, s3_params()), "/");
}

TEST(SigV4Host, NonDefaultPortIsPartOfTheHostHeader) {
  HttpRequest request;
  request.endpoint = "http://127.0.0.1:4566";
  EXPECT_EQ(sign(request, k_s3_doc_credentials, service_params()).header("Host"), "127.0.0.1:4566");
}

TEST(SigV4Host, DefaultPortOfTheSchemeIsLeftOut) {
  HttpRequest https;
  https.endpoint = "https://sqs.eu-west-1.amazonaws.com:443";
  HttpRequest http;
  http.endpoint = "http://localhost:80";
  EXPECT_EQ(sign(https, k_s3_doc_credentials, service_params()).header("Host"),
            "sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(sign(http, k_s3_doc_credentials, service_params()).header("Host"), "localhost");
}

TEST(SigV4Host, ExistingHostHeaderWinsOverTheEndpoint) {
  HttpRequest request;
  request.endpoint = "http://127.0.0.1:4566";
  request.headers = {{"host", "bucket.localhost:4566"}};
  HttpRequest signed_request = sign(request, k_s3_doc_credentials, service_params());
  EXPECT_EQ(signed_request.header("Host"), "bucket.localhost:4566");
  EXPECT_NE(
      canonical_request(signed_request, service_params()).find("host:bucket.localhost:4566\n"),
      std::string::npos);
}

TEST(SigV4Query, ParametersAreSortedByTheirEncodedNameThenValue) {
  HttpRequest request;
  // Raw bytes would put "~" before "é"; encoded, "%C3%A9" sorts first.
  request.query = {{"~", "2"}, {"\xC3\xA9", "1"}, {"b", "y"}, {"b", "x"}, {"B", "z"}};
  EXPECT_EQ(canonical_query_line(request), "%C3%A9=1&B=z&b=x&b=y&~=2");
}

TEST(SigV4Query, ReservedCharactersInNamesAndValuesArePercentEncoded) {
  HttpRequest request;
  request.query = {{"key name", "a=b&c/d+e"}};
  EXPECT_EQ(canonical_query_line(request), "key%20name=a%3Db%26c%2Fd%2Be");
}

TEST(SigV4Headers, ValuesAreTrimmedAndInnerBlanksCollapsed) {
  HttpRequest request;
  request.headers = {{"X-Spaced", " \t a \t  b  "}, {"X-Repeated", "one"}, {"x-repeated", "two"}};
  std::string creq = canonical_request(request, service_params());
  EXPECT_NE(creq.find("\nx-spaced:a b\n"), std::string::npos) << creq;
  EXPECT_NE(creq.find("\nx-repeated:one,two\n"), std::string::npos) << creq;
  EXPECT_NE(creq.find("\nx-repeated;x-spaced\n"), std::string::npos) << creq;
}

TEST(SigV4Token, SessionTokenIsAddedAndSigned) {
  Credentials temporary = k_s3_doc_credentials;
  temporary.session_token = "token/with+chars=";
  HttpRequest signed_request =
      sign(example_bucket_request("GET", "/"), temporary, service_params());

  EXPECT_EQ(signed_request.header("X-Amz-Security-Token"), temporary.session_token);
  EXPECT_NE(signed_request.header("Authorization")
                .find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(SigV4Token, PermanentCredentialsSendNoToken) {
  HttpRequest signed_request =
      sign(example_bucket_request("GET", "/"), k_s3_doc_credentials, service_params());
  EXPECT_TRUE(signed_request.header("X-Amz-Security-Token").empty());
}

TEST(SigV4Resign, SigningAgainReplacesTheEarlierSignature) {
  HttpRequest request = example_bucket_request("PUT", "/key");
  request.body = "payload";
  SigningParams later = s3_params();
  later.time += 90s;

  HttpRequest twice =
      sign(sign(request, k_s3_doc_credentials, s3_params()), k_s3_doc_credentials, later);
  HttpRequest once = sign(request, k_s3_doc_credentials, later);

  EXPECT_EQ(twice.header("Authorization"), once.header("Authorization"));
  EXPECT_EQ(twice.headers.size(), once.headers.size());
  EXPECT_EQ(twice.header("X-Amz-Date"), "20130524T000130Z");
}

TEST(SigV4Scope, WrongSecretGivesADifferentSignature) {
  Credentials wrong = k_s3_doc_credentials;
  wrong.secret_access_key += "x";
  HttpRequest request = example_bucket_request("GET", "/");
  EXPECT_NE(signature_of(sign(request, wrong, s3_params())),
            signature_of(sign(request, k_s3_doc_credentials, s3_params())));
}

TEST(SigV4Scope, StringToSignNamesDateRegionAndService) {
  SigningParams params{"eu-west-3", "dynamodb", k_s3_doc_time + 23h + 59min + 59s, false};
  std::string sts = string_to_sign(example_bucket_request("POST", "/"), params);
  EXPECT_TRUE(sts.starts_with(
      "AWS4-HMAC-SHA256\n20130524T235959Z\n20130524/eu-west-3/dynamodb/aws4_request\n"))
      << sts;
}

}  // namespace
}  // namespace wc::aws
