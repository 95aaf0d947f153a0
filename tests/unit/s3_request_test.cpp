#include <gtest/gtest.h>

#include <algorithm>

#include "aws/encoding.h"
#include "aws/s3_client.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;

ServiceConfig config_for(std::string endpoint, std::string region = "us-east-1") {
  ServiceConfig config;
  config.service = "s3";
  config.region = std::move(region);
  config.endpoint_url = std::move(endpoint);
  config.credentials = static_credentials({"AKIDEXAMPLE", "secret", ""});
  return config;
}

RetryPolicy no_wait() {
  RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds{0};
  return policy;
}

bool has_query(const HttpRequest& request, const std::string& name, const std::string& value) {
  return std::find(request.query.begin(), request.query.end(), std::pair{name, value}) !=
         request.query.end();
}

struct S3Request : ::testing::Test {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  S3Client custom{config_for("http://127.0.0.1:9000/"), transport, no_wait()};

  HttpRequest only_sent() {
    auto sent = transport->sent();
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? HttpRequest{} : sent.back();
  }
};

TEST_F(S3Request, CustomEndpointIsPathStyleWithKeyEncodedAndSlashesKept) {
  ASSERT_TRUE(custom.get_object("widgets", "dir/a b+c/\xE2\x9C\x93~x.json"));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(sent.path, "/widgets/dir/a%20b%2Bc/%E2%9C%93~x.json");
  EXPECT_EQ(sent.header("Host"), "127.0.0.1:9000");
}

TEST_F(S3Request, AwsEndpointIsVirtualHostedEvenInUsEast1) {
  S3Client aws{config_for(""), transport, no_wait()};
  ASSERT_TRUE(aws.delete_object("widgets", "widgets/mary-matthews/id 1"));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "DELETE");
  EXPECT_EQ(sent.endpoint, "https://widgets.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(sent.path, "/widgets/mary-matthews/id%201");
}

TEST_F(S3Request, DottedBucketOnAwsGoesPathStyleToMatchTheCertificate) {
  S3Client aws{config_for("", "eu-west-1"), transport, no_wait()};
  ASSERT_TRUE(aws.head_bucket("my.bucket"));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "HEAD");
  EXPECT_EQ(sent.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(sent.path, "/my.bucket");
}

TEST_F(S3Request, ListAsksForUrlEncodedKeysAndPassesPagingParameters) {
  transport->answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ListObjectsRequest options;
  options.prefix = "in/";
  options.continuation_token = "tok/+=";
  options.max_keys = 2;
  ASSERT_TRUE(custom.list_objects_v2("requests", options));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.path, "/requests");
  EXPECT_TRUE(has_query(sent, "list-type", "2"));
  EXPECT_TRUE(has_query(sent, "encoding-type", "url"));
  EXPECT_TRUE(has_query(sent, "max-keys", "2"));
  EXPECT_TRUE(has_query(sent, "prefix", "in/"));
  EXPECT_TRUE(has_query(sent, "continuation-token", "tok/+="));
  EXPECT_FALSE(std::any_of(sent.query.begin(), sent.query.end(),
                           [](const auto& entry) { return entry.first == "start-after"; }));
}

TEST_F(S3Request, ListOnAwsAddressesTheBucketHostRoot) {
  S3Client aws{config_for(""), transport, no_wait()};
  transport->answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(aws.list_objects_v2("requests", {}));
  EXPECT_EQ(only_sent().path, "/");
}

TEST_F(S3Request, UnreadableListAnswerIsAMalformedResponseError) {
  transport->answer(200, "<html>");
  auto page = custom.list_objects_v2("requests", {});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "MalformedResponse");
  EXPECT_FALSE(page.error().retryable);
}

TEST_F(S3Request, PutSendsBodyContentTypeAndConditionSigned) {
  PutObjectRequest options;
  options.content_type = "application/json";
  options.if_none_match = true;
  ASSERT_TRUE(custom.put_object("widgets", "k", "{\"a\":1}", options));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.body, "{\"a\":1}");
  EXPECT_EQ(sent.header("Content-Type"), "application/json");
  EXPECT_EQ(sent.header("If-None-Match"), "*");
  EXPECT_EQ(sent.header("x-amz-content-sha256"), sha256_hex("{\"a\":1}"));
  EXPECT_NE(sent.header("Authorization").find("if-none-match"), std::string_view::npos);
}

TEST_F(S3Request, PlainPutHasNoCondition) {
  ASSERT_TRUE(custom.put_object("widgets", "k", ""));
  const HttpRequest sent = only_sent();
  EXPECT_TRUE(sent.header("If-None-Match").empty());
  EXPECT_EQ(sent.header("Content-Type"), "application/octet-stream");
}

TEST_F(S3Request, ExistingKeyUnderIfNoneMatchIsPreconditionFailedNotRetried) {
  transport->answer(412,
                    "<Error><Code>PreconditionFailed</Code><Message>At least one of the "
                    "pre-conditions you specified did not hold</Message></Error>");
  PutObjectRequest options;
  options.if_none_match = true;
  auto put = custom.put_object("widgets", "k", "x", options);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "PreconditionFailed");
  EXPECT_EQ(put.error().resource, "s3://widgets/k");
  EXPECT_EQ(custom.calls(), 1u);
}

TEST_F(S3Request, GetReturnsBodyContentTypeAndEtag) {
  transport->answer(200, "{}", {{"Content-Type", "application/json"}, {"ETag", "\"abc\""}});
  auto object = custom.get_object("widgets", "k");
  ASSERT_TRUE(object) << object.error().describe();
  EXPECT_EQ(object->body, "{}");
  EXPECT_EQ(object->content_type, "application/json");
  EXPECT_EQ(object->etag, "\"abc\"");
}

TEST_F(S3Request, MissingKeyIsNoSuchKey) {
  transport->answer(404,
                    "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
                    "exist.</Message></Error>");
  auto object = custom.get_object("widgets", "gone");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().code, "NoSuchKey");
  EXPECT_EQ(object.error().http_status, 404);
  EXPECT_FALSE(object.error().retryable);
}

TEST_F(S3Request, HeadObjectIsFalseOnBodylessNotFoundAndTrueOnSuccess) {
  transport->answer(404);
  transport->answer(200);
  auto missing = custom.head_object("widgets", "gone");
  ASSERT_TRUE(missing) << missing.error().describe();
  EXPECT_FALSE(*missing);
  auto present = custom.head_object("widgets", "here");
  ASSERT_TRUE(present);
  EXPECT_TRUE(*present);
}

TEST_F(S3Request, HeadObjectForbiddenIsAnError) {
  transport->answer(403);
  auto head = custom.head_object("widgets", "k");
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, "AccessDenied");
}

TEST_F(S3Request, HeadOfMissingBucketIsNoSuchBucket) {
  transport->answer(404);
  auto head = custom.head_bucket("nope");
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, "NoSuchBucket");
  EXPECT_EQ(head.error().resource, "bucket 'nope'");
}

TEST_F(S3Request, SlowDownIsRetriedUntilItSucceeds) {
  transport->answer(503,
                    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
                    "</Message></Error>");
  transport->answer(200);
  ASSERT_TRUE(custom.put_object("widgets", "k", "x"));
  EXPECT_EQ(custom.calls(), 2u);
  EXPECT_EQ(custom.retries(), 1u);
}

TEST_F(S3Request, EmptyKeyIsRefusedWithoutSending) {
  auto got = custom.get_object("widgets", "");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "InvalidArgument");
  EXPECT_EQ(got.error().attempts, 0);
  EXPECT_FALSE(custom.put_object("widgets", "", "x"));
  EXPECT_FALSE(custom.head_object("widgets", ""));
  EXPECT_FALSE(custom.delete_object("widgets", ""));
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(S3Request, DeleteObjectsPostsQuietXmlWithContentMd5) {
  transport->answer(200, "<DeleteResult></DeleteResult>");
  ASSERT_TRUE(custom.delete_objects("requests", {"a", "b&c"}));
  const HttpRequest sent = only_sent();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/requests");
  EXPECT_TRUE(has_query(sent, "delete", ""));
  EXPECT_EQ(sent.header("Content-Type"), "application/xml");
  EXPECT_EQ(sent.header("Content-MD5"), md5_base64(sent.body));
  EXPECT_NE(sent.body.find("<Quiet>true</Quiet>"), std::string::npos);
  EXPECT_NE(sent.body.find("<Key>b&amp;c</Key>"), std::string::npos);
}

TEST_F(S3Request, DeleteObjectsReportsEveryKeyNotListedAsFailedAsDeleted) {
  transport->answer(200,
                    "<DeleteResult><Error><Key>b</Key><Code>AccessDenied</Code><Message>"
                    "Access Denied</Message></Error><Error><Key>c</Key><Code>InternalError"
                    "</Code><Message>retry</Message></Error></DeleteResult>");
  auto result = custom.delete_objects("requests", {"a", "b", "c", "d"});
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(result->deleted, (std::vector<std::string>{"a", "d"}));
  ASSERT_EQ(result->failed.size(), 2u);
  EXPECT_EQ(result->failed[0].first, "b");
  EXPECT_EQ(result->failed[0].second.code, "AccessDenied");
  EXPECT_EQ(result->failed[0].second.resource, "s3://requests/b");
  EXPECT_FALSE(result->failed[0].second.retryable);
  EXPECT_EQ(result->failed[1].first, "c");
  EXPECT_TRUE(result->failed[1].second.retryable);
}

TEST_F(S3Request, DeleteObjectsWithoutKeysSendsNothingAndOverTheLimitIsRefused) {
  auto none = custom.delete_objects("requests", {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->deleted.empty());
  auto too_many = custom.delete_objects("requests", std::vector<std::string>(1001, "k"));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, "InvalidArgument");
  EXPECT_TRUE(transport->sent().empty());
}

}  // namespace
}  // namespace wc::aws
