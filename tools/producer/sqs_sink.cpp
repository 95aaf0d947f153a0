#include "sqs_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aws/curl_transport.h"
#include "aws/encoding.h"

namespace wc::producer {

namespace {

constexpr std::size_t k_max_group_id = 128;
// Requests without a usable widgetId (copied invalid ones) share a group: the consumer rejects
// them whatever their order.
constexpr const char* k_no_widget_group = "no-widget-id";

/// The widgetId, as MessageGroupId. SQS allows 1 to 128 characters of printable ASCII
/// without space; a widgetId outside that (one with a space is valid) is hashed instead, which
/// still gives each widget a group of its own.
std::string group_of(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return k_no_widget_group;
  auto id = json.find("widgetId");
  if (id == json.end() || !id->is_string()) return k_no_widget_group;
  const auto& text = id->get_ref<const std::string&>();
  bool usable = !text.empty() && text.size() <= k_max_group_id &&
                std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  return usable ? text : aws::sha256_hex(text);
}

}  // namespace

aws::SqsSendEntry request_message(const std::string& key, const std::string& body, bool fifo) {
  aws::SqsSendEntry entry;
  entry.body = body;
  if (fifo) {
    entry.group_id = group_of(body);
    entry.deduplication_id = aws::sha256_hex(key + '\n' + body);
  }
  return entry;
}

util::Expected<std::unique_ptr<SqsSink>, std::string> SqsSink::open(const std::string& queue,
                                                                    const aws::AwsOptions& options,
                                                                    const aws::EnvLookup& env) {
  const std::string name = aws::queue_name_of(queue);
  auto config = aws::resolve_service_config("sqs", options, env);
  if (!config) {
    return util::Unexpected(
        fmt::format("cannot write requests to SQS queue '{}': {}", name, config.error()));
  }
  auto client =
      std::make_unique<aws::SqsClient>(std::move(*config), std::make_shared<aws::CurlTransport>());
  std::string url = queue;
  if (!aws::is_queue_url(queue)) {
    auto resolved = client->get_queue_url(queue);
    if (!resolved) {
      return util::Unexpected(fmt::format("cannot write requests to SQS queue '{}': {}", name,
                                          resolved.error().describe()));
    }
    url = std::move(*resolved);
  } else if (auto usable = client->get_queue_attributes(url, {"QueueArn"});
             !usable && usable.error().http_status != 403) {
    return util::Unexpected(fmt::format("cannot write requests to SQS queue '{}': {}", name,
                                        usable.error().describe()));
  }
  return std::unique_ptr<SqsSink>(new SqsSink(std::move(url), std::move(client)));
}

util::Expected<PutOutcome, std::string> SqsSink::put(const std::string& key,
                                                     const std::string& body, bool /*overwrite*/) {
  if (body.empty()) {
    return util::Unexpected(fmt::format("{}: SQS cannot carry an empty request", key));
  }
  const bool fifo = aws::is_fifo_queue_name(aws::queue_name_of(queue_url_));
  auto sent = client_->send_message(queue_url_, request_message(key, body, fifo));
  if (!sent) return util::Unexpected(key + ": " + sent.error().describe());
  return PutOutcome::stored;
}

std::string SqsSink::where() const {
  return fmt::format("SQS queue '{}'", aws::queue_name_of(queue_url_));
}

}  // namespace wc::producer
