// Live check of the signer against a server that verifies SigV4. scripts/test.sh starts that
// server (a moto with signature and IAM checks) and exports WC_MOTO_SIGV4_ENDPOINT with an IAM
// key in WC_MOTO_SIGV4_ACCESS_KEY_ID/WC_MOTO_SIGV4_SECRET_ACCESS_KEY: its own variables, because
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY belong to the other tests of the run. Run by hand
// without the endpoint, the tests skip and say so; with the endpoint but no key, they fail.
// By hand (moto 5), as start_sigv4_moto in scripts/test.sh does it:
//   MOTO_IAM_LOAD_MANAGED_POLICIES=true INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -p PORT
//   then, within those 3 unauthenticated calls: wc_harness.iam_user_with_key(endpoint)
//   (tests/integration) gives a key allowed everything;
//   WC_MOTO_SIGV4_ENDPOINT=http://127.0.0.1:PORT WC_MOTO_SIGV4_ACCESS_KEY_ID=<key id>
//   WC_MOTO_SIGV4_SECRET_ACCESS_KEY=<secret> unit_tests --gtest_filter='MotoSigV4*'

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <pugixml.hpp>
#include <random>
#include <string>

#include "aws/credentials.h"
#include "aws/encoding.h"
#include "aws/sigv4.h"
#include "live_server.h"

namespace wc::aws {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

/// The smallest faithful libcurl sender: exactly the request's headers, nothing signed added.
HttpResponse send(const HttpRequest& request) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  // Unsigned extras curl would add; harmless for SigV4, removed to keep the wire obvious.
  headers = curl_slist_append(headers, "Expect:");
  if (request.header("Content-Type").empty()) headers = curl_slist_append(headers, "Content-Type:");
  HttpResponse response;
  std::string url = request.url();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  CURLcode code = curl_easy_perform(curl);
  EXPECT_EQ(code, CURLE_OK) << curl_easy_strerror(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

HttpRequest make_request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

HttpRequest list_tables_request() {
  HttpRequest request = make_request("POST", "/");
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "DynamoDB_20120810.ListTables"}};
  request.body = "{}";
  return request;
}

/// A Query-protocol call (IAM, STS): form-encoded POST, as the CLI sends it.
HttpRequest query_protocol_request(const std::vector<std::pair<std::string, std::string>>& form) {
  HttpRequest request = make_request("POST", "/");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  for (const auto& [name, value] : form) {
    request.body += (request.body.empty() ? "" : "&") + uri_encode(name) + "=" + uri_encode(value);
  }
  return request;
}

std::string xml_text(const std::string& xml, const char* xpath) {
  pugi::xml_document document;
  document.load_string(xml.c_str());
  return document.select_node(xpath).node().text().as_string();
}

class MotoSigV4Test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string endpoint;
    WC_REQUIRE_LIVE_ENDPOINT(endpoint, "WC_MOTO_SIGV4_ENDPOINT");
    endpoint_ = endpoint;
    credentials_ = {environment("WC_MOTO_SIGV4_ACCESS_KEY_ID"),
                    environment("WC_MOTO_SIGV4_SECRET_ACCESS_KEY"), ""};
    ASSERT_FALSE(credentials_.access_key_id.empty() || credentials_.secret_access_key.empty())
        << "WC_MOTO_SIGV4_ENDPOINT is set but WC_MOTO_SIGV4_ACCESS_KEY_ID or "
           "WC_MOTO_SIGV4_SECRET_ACCESS_KEY is not: an IAM key of that moto is needed";
  }

  static std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? "" : value;
  }

  HttpResponse send_signed(HttpRequest request, const std::string& service,
                           const Credentials& credentials) {
    request.endpoint = endpoint_;
    SigningParams params{"us-east-1", service, std::chrono::system_clock::now(), service == "s3"};
    return send(sign(std::move(request), credentials, params));
  }

  HttpResponse s3(HttpRequest request) {
    return send_signed(std::move(request), "s3", credentials_);
  }

  static std::string unique_bucket() {
    std::random_device random;
    return "wc-sigv4-" + std::to_string(random() % 1000000000);
  }

  std::string endpoint_;
  Credentials credentials_;
};

// Only unreserved characters and spaces in the key: moto re-derives the path it verifies from
// werkzeug's re-quoted URL, which leaves sub-delimiters such as ( ) + unescaped and mangles
// UTF-8 (and '/' in query values), so it rejects boto3's own signatures for those too. Our
// canonical form for them is pinned against botocore in sigv4_test.cpp instead.
TEST_F(MotoSigV4Test, S3AcceptsBucketObjectAndListingWithSpacesInKeyAndQuery) {
  std::string bucket = unique_bucket();
  const std::string key = "dir/with space/two  spaces -_.~ name.json";
  HttpRequest create = make_request("PUT", "/" + bucket);
  HttpResponse created = s3(create);
  ASSERT_EQ(created.status, 200) << created.body;

  HttpRequest put = make_request("PUT", "/" + bucket + "/" + uri_encode(key, false));
  put.headers = {{"Content-Type", "application/json"},
                 {"x-amz-meta-note", "  spaced   out\tvalue "}};
  put.body = R"({"hello":"w\u00f6rld"})";
  HttpResponse stored = s3(put);
  ASSERT_EQ(stored.status, 200) << stored.body;

  HttpRequest get = make_request("GET", put.path);
  HttpResponse fetched = s3(get);
  EXPECT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.body, put.body);

  HttpRequest list = make_request("GET", "/" + bucket);
  // Unsorted on purpose; no '/' in values, which moto's verifier also mis-quotes.
  list.query = {{"prefix", "dir"}, {"list-type", "2"}, {"start-after", "a b"}, {"max-keys", "10"}};
  HttpResponse listed = s3(list);
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("<KeyCount>1</KeyCount>"), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find(key), std::string::npos) << listed.body;
}

TEST_F(MotoSigV4Test, DynamoDbAcceptsJsonRequestSignedForItsService) {
  HttpResponse response = send_signed(list_tables_request(), "dynamodb", credentials_);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.body.find("TableNames"), std::string::npos) << response.body;
}

TEST_F(MotoSigV4Test, SqsAcceptsJsonRequestSignedForItsService) {
  HttpRequest list_queues = make_request("POST", "/");
  list_queues.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                         {"X-Amz-Target", "AmazonSQS.ListQueues"}};
  list_queues.body = "{}";
  HttpResponse response = send_signed(list_queues, "sqs", credentials_);
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(MotoSigV4Test, TemporaryCredentialsAreAcceptedOnlyWithTheirSignedToken) {
  const std::string role = unique_bucket();
  HttpResponse created = send_signed(
      query_protocol_request({{"Action", "CreateRole"},
                              {"Version", "2010-05-08"},
                              {"RoleName", role},
                              {"AssumeRolePolicyDocument",
                               R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                               R"("Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]})"}}),
      "iam", credentials_);
  ASSERT_EQ(created.status, 200) << created.body;
  std::string role_arn = xml_text(created.body, "//*[local-name()='Arn']");
  HttpResponse attached = send_signed(
      query_protocol_request({{"Action", "AttachRolePolicy"},
                              {"Version", "2010-05-08"},
                              {"RoleName", role},
                              {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}}),
      "iam", credentials_);
  ASSERT_EQ(attached.status, 200) << attached.body;
  HttpResponse assumed = send_signed(query_protocol_request({{"Action", "AssumeRole"},
                                                             {"Version", "2011-06-15"},
                                                             {"RoleArn", role_arn},
                                                             {"RoleSessionName", "wc-sigv4"}}),
                                     "sts", credentials_);
  ASSERT_EQ(assumed.status, 200) << assumed.body;

  Credentials temporary{xml_text(assumed.body, "//*[local-name()='AccessKeyId']"),
                        xml_text(assumed.body, "//*[local-name()='SecretAccessKey']"),
                        xml_text(assumed.body, "//*[local-name()='SessionToken']")};
  ASSERT_FALSE(temporary.session_token.empty()) << assumed.body;
  HttpResponse with_token = send_signed(make_request("GET", "/"), "s3", temporary);
  EXPECT_EQ(with_token.status, 200) << with_token.body;

  temporary.session_token.clear();
  HttpResponse without_token = send_signed(make_request("GET", "/"), "s3", temporary);
  EXPECT_EQ(without_token.status, 403) << without_token.body;
}

TEST_F(MotoSigV4Test, WrongSecretIsRejectedBySignatureCheck) {
  Credentials wrong = credentials_;
  wrong.secret_access_key += "x";
  HttpResponse s3_response = send_signed(make_request("GET", "/"), "s3", wrong);
  EXPECT_EQ(s3_response.status, 403) << s3_response.body;
  EXPECT_NE(s3_response.body.find("SignatureDoesNotMatch"), std::string::npos) << s3_response.body;

  HttpResponse ddb_response = send_signed(list_tables_request(), "dynamodb", wrong);
  EXPECT_EQ(ddb_response.status, 403) << ddb_response.body;
  EXPECT_NE(ddb_response.body.find("SignatureDoesNotMatch"), std::string::npos)
      << ddb_response.body;
}

TEST_F(MotoSigV4Test, UnknownAccessKeyIsRejected) {
  Credentials unknown{"AKIAUNKNOWNKEY000000", credentials_.secret_access_key, ""};
  HttpResponse response = send_signed(make_request("GET", "/"), "s3", unknown);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_NE(response.body.find("InvalidAccessKeyId"), std::string::npos) << response.body;
}

}  // namespace
}  // namespace wc::aws
