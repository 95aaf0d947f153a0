// signing-cpu: SigV4 signing of the requests a consumer sends, in a loop, for counting
// instructions per signature under callgrind (bench/signing_cpu.py) and, roughly, timing them.
//
//   signing-cpu [--rounds N]
//
// Each round signs four requests like the clients' (an S3 PutObject with a widget body and a
// GetObject, a DynamoDB UpdateItem, an SQS ReceiveMessage) with temporary credentials, at one
// time of day: the signing key is derived once and then comes from the per-thread cache, as
// in a run. Prints the signatures made and the nanoseconds per signature, as JSON on one line.
// Exit status: 0 done, 2 a usage error.

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"

namespace {

using wc::aws::HttpRequest;
using wc::aws::SigningParams;

struct Case {
  HttpRequest request;
  SigningParams params;
};

constexpr std::string_view k_widget =
    R"({"widgetId":"8123a2ee-7e0c-4d15-9b7b-0f6f0b7b8b3e","owner":"Mary Matthews",)"
    R"("label":"JWJYY","description":"THBRNVNQPYAWNHGRGUKIOWCKXIVNDLWOIQTADHVEVMUAJWDONEPUEAXDITO",)"
    R"("otherAttributes":[{"name":"size","value":"393"},{"name":"price","value":"39.81"}]})";

std::vector<Case> cases(std::chrono::system_clock::time_point time) {
  const SigningParams s3{"us-east-1", "s3", time, true};
  std::vector<Case> out;
  HttpRequest put;
  put.method = "PUT";
  put.endpoint = "http://127.0.0.1:5000";
  put.path = "/widget-bucket/widgets/mary-matthews/8123a2ee-7e0c-4d15-9b7b-0f6f0b7b8b3e";
  put.headers = {{"Content-Type", "application/json"}, {"If-None-Match", "*"}};
  put.body = std::string(k_widget);
  out.push_back({put, s3});
  HttpRequest get;
  get.endpoint = "http://127.0.0.1:5000";
  get.path = "/request-bucket/1700000000123";
  out.push_back({get, s3});
  HttpRequest update;
  update.method = "POST";
  update.endpoint = "https://dynamodb.us-east-1.amazonaws.com";
  update.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                    {"X-Amz-Target", "DynamoDB_20120810.PutItem"}};
  update.body = R"({"TableName":"widgets","Item":{"id":{"S":"8123a2ee"},"document":{"S":")" +
                std::string(60, 'x') + R"j("}},"ConditionExpression":"attribute_not_exists(id)"})j";
  out.push_back({update, {"us-east-1", "dynamodb", time, false}});
  HttpRequest receive;
  receive.method = "POST";
  receive.endpoint = "https://sqs.us-east-1.amazonaws.com";
  receive.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  receive.body = R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/requests.fifo",)"
                 R"("MaxNumberOfMessages":10,"WaitTimeSeconds":1,"AttributeNames":["All"]})";
  out.push_back({receive, {"us-east-1", "sqs", time, false}});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rounds = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::string_view value = i + 1 < argc ? argv[i + 1] : "";
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), rounds);
    if (arg != "--rounds" || error != std::errc{} || end != value.data() + value.size() ||
        rounds == 0) {
      fmt::print(stderr, "usage: signing-cpu [--rounds N], N a positive integer\n");
      return 2;
    }
    ++i;
  }
  const wc::aws::Credentials credentials{
      "ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", std::string(400, 'T')};
  const auto time = std::chrono::sys_days{std::chrono::year{2026} / 5 / 1} + std::chrono::hours(9);
  const std::vector<Case> requests = cases(time);
  std::size_t signatures = 0;
  std::size_t bytes = 0;  // keeps the compiler from dropping the work
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t round = 0; round < rounds; ++round) {
    for (const Case& one : requests) {
      bytes += wc::aws::sign(one.request, credentials, one.params).header("Authorization").size();
      ++signatures;
    }
  }
  const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  fmt::print(R"({{"signatures":{},"ns_per_signature":{:.0f},"bytes":{}}})"
             "\n",
             signatures, elapsed.count() / static_cast<double>(signatures), bytes);
  return 0;
}
