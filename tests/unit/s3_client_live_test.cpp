// S3Client against a real S3-compatible server (moto in scripts/test.sh). Skipped unless
// WC_TEST_S3_ENDPOINT names one, e.g. http://127.0.0.1:5000. Connection reuse is not checked
// here: moto's server (werkzeug) answers every request with "Connection: close"; the
// CurlTransport tests check reuse against a keep-alive server instead.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "aws/curl_transport.h"
#include "aws/s3_client.h"
#include "aws/sigv4.h"
#include "live_server.h"

namespace wc::aws {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string random_suffix() {
  std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng() % 1'000'000'000);
}

class S3ClientLive : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string endpoint;
    WC_REQUIRE_LIVE_ENDPOINT(endpoint, "WC_TEST_S3_ENDPOINT");
    config_.service = "s3";
    config_.region = env_or("AWS_REGION", "us-east-1");
    config_.endpoint_url = endpoint;
    credentials_ = {env_or("AWS_ACCESS_KEY_ID", "test"), env_or("AWS_SECRET_ACCESS_KEY", "test"),
                    ""};
    config_.credentials = static_credentials(credentials_);
    transport_ = std::make_shared<CurlTransport>();
    client_ = std::make_unique<S3Client>(config_, transport_);
    bucket_ = "wc-live-" + random_suffix();
    create_bucket(bucket_);
  }

  /// S3Client has no CreateBucket (the product never creates buckets): sign one by hand.
  void create_bucket(const std::string& bucket) {
    HttpRequest request;
    request.method = "PUT";
    request.endpoint = config_.endpoint_url;
    request.path = "/" + bucket;
    auto response = transport_->send(sign(
        request, credentials_, {config_.region, "s3", std::chrono::system_clock::now(), true}));
    ASSERT_TRUE(response) << response.error().message;
    ASSERT_EQ(response->status, 200) << response->body;
  }

  Credentials credentials_;
  ServiceConfig config_;
  std::shared_ptr<CurlTransport> transport_;
  std::unique_ptr<S3Client> client_;
  std::string bucket_;
};

const std::vector<std::string> k_awkward_keys{"plain.json", "with space/and+plus.json",
                                              "unicode/\xC3\xA9t\xC3\xA9 \xE2\x9C\x93.json",
                                              "symbols/a&b=c?d#e%20f.json", "dots/../and//double"};

TEST_F(S3ClientLive, PutGetHeadDeleteRoundTripAwkwardKeys) {
  for (const std::string& key : k_awkward_keys) {
    PutObjectRequest options;
    options.content_type = "application/json";
    auto put = client_->put_object(bucket_, key, "{\"key\":1}", options);
    ASSERT_TRUE(put) << put.error().describe();
    auto got = client_->get_object(bucket_, key);
    ASSERT_TRUE(got) << got.error().describe();
    EXPECT_EQ(got->body, "{\"key\":1}") << key;
    EXPECT_EQ(got->content_type, "application/json") << key;
    EXPECT_FALSE(got->etag.empty()) << key;
    auto head = client_->head_object(bucket_, key);
    ASSERT_TRUE(head) << head.error().describe();
    EXPECT_TRUE(*head) << key;
    auto deleted = client_->delete_object(bucket_, key);
    ASSERT_TRUE(deleted) << deleted.error().describe();
    auto gone = client_->head_object(bucket_, key);
    ASSERT_TRUE(gone) << gone.error().describe();
    EXPECT_FALSE(*gone) << key;
  }
}

TEST_F(S3ClientLive, ListPagesTwoAtATimeInKeyOrderWithDecodedKeys) {
  std::vector<std::string> keys = k_awkward_keys;
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) ASSERT_TRUE(client_->put_object(bucket_, key, "x"));
  std::vector<std::string> listed;
  ListObjectsRequest request;
  request.max_keys = 2;
  int pages = 0;
  do {
    auto page = client_->list_objects_v2(bucket_, request);
    ASSERT_TRUE(page) << page.error().describe();
    EXPECT_LE(page->objects.size(), 2u);
    for (const S3Object& object : page->objects) {
      listed.push_back(object.key);
      EXPECT_EQ(object.size, 1u);
    }
    request.continuation_token = page->next_continuation_token;
    ASSERT_LT(++pages, 10) << "paging does not end";
  } while (!request.continuation_token.empty());
  EXPECT_EQ(listed, keys);
  EXPECT_EQ(pages, 3);
}

TEST_F(S3ClientLive, GetObjectsReadsManyKeysAtOnceInOrderWithMissingOnesNamed) {
  std::vector<std::string> keys = k_awkward_keys;
  for (const std::string& key : keys) ASSERT_TRUE(client_->put_object(bucket_, key, "@" + key));
  keys.insert(keys.begin() + 1, "missing");
  keys.push_back("");  // refused before sending
  auto got = client_->get_objects(bucket_, keys);
  ASSERT_EQ(got.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == "missing") {
      ASSERT_FALSE(got[i]);
      EXPECT_EQ(got[i].error().code, "NoSuchKey");
      EXPECT_EQ(got[i].error().resource, "s3://" + bucket_ + "/missing");
    } else if (keys[i].empty()) {
      ASSERT_FALSE(got[i]);
      EXPECT_EQ(got[i].error().code, "InvalidArgument");
    } else {
      ASSERT_TRUE(got[i]) << got[i].error().describe();
      EXPECT_EQ(got[i]->body, "@" + keys[i]);
    }
  }
  EXPECT_EQ(client_->calls(), k_awkward_keys.size() * 2 + 1) << "one GET per key sent";
}

TEST_F(S3ClientLive, IfNoneMatchRefusesToOverwriteAnExistingKey) {
  PutObjectRequest options;
  options.if_none_match = true;
  auto first = client_->put_object(bucket_, "once", "1", options);
  ASSERT_TRUE(first) << first.error().describe();
  auto second = client_->put_object(bucket_, "once", "2", options);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().http_status, 412) << second.error().describe();
  EXPECT_EQ(second.error().code, "PreconditionFailed");
  EXPECT_EQ(client_->get_object(bucket_, "once")->body, "1");
}

TEST_F(S3ClientLive, MissingThingsAreNamedErrors) {
  auto head_bucket = client_->head_bucket(bucket_ + "-missing");
  ASSERT_FALSE(head_bucket);
  EXPECT_EQ(head_bucket.error().code, "NoSuchBucket");
  auto list = client_->list_objects_v2(bucket_ + "-missing", {});
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, "NoSuchBucket");
  auto get = client_->get_object(bucket_, "missing");
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, "NoSuchKey");
  EXPECT_TRUE(client_->head_bucket(bucket_));
  EXPECT_TRUE(client_->delete_object(bucket_, "missing")) << "deleting a missing key succeeds";
}

TEST_F(S3ClientLive, DeleteObjectsRemovesPresentAndMissingKeys) {
  for (const std::string& key : k_awkward_keys) ASSERT_TRUE(client_->put_object(bucket_, key, "x"));
  std::vector<std::string> keys = k_awkward_keys;
  keys.push_back("never-existed");
  auto result = client_->delete_objects(bucket_, keys);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->failed.empty());
  EXPECT_EQ(result->deleted, keys);
  auto page = client_->list_objects_v2(bucket_, {});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->objects.empty());
}

}  // namespace
}  // namespace wc::aws
