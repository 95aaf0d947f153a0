#include "aws/sqs_client.h"

#include <fmt/format.h>

#include <set>

namespace wc::aws {

namespace {

constexpr std::string_view k_json_content_type = "application/x-amz-json-1.0";
constexpr std::string_view k_target_prefix = "AmazonSQS.";

std::string resource_name(const std::string& name_or_url) {
  return fmt::format("queue '{}'", queue_name_of(name_or_url));
}

AwsError refused(std::string operation, const std::string& queue, std::string code,
                 std::string message) {
  return AwsError{.operation = std::move(operation),
                  .resource = resource_name(queue),
                  .code = std::move(code),
                  .message = std::move(message),
                  .attempts = 0};
}

AwsError malformed(std::string operation, const std::string& queue, std::string why) {
  return AwsError{.operation = std::move(operation),
                  .resource = resource_name(queue),
                  .http_status = 200,
                  .code = "MalformedResponse",
                  .message = std::move(why)};
}

util::Expected<void, AwsError> check_batch_size(const char* operation, const std::string& queue,
                                                std::size_t size) {
  if (size <= k_sqs_max_batch) return {};
  return util::Unexpected(refused(
      operation, queue, "InvalidArgument",
      fmt::format("{} entries in one batch; at most {} are allowed", size, k_sqs_max_batch)));
}

util::Expected<void, AwsError> check_send_entries(const char* operation, const std::string& queue,
                                                  const std::vector<SqsSendEntry>& entries) {
  std::set<std::string> ids;
  for (const auto& entry : entries) {
    if (!is_valid_sqs_text(entry.body)) {
      return util::Unexpected(refused(operation, queue, "InvalidMessageContents",
                                      "the message body holds bytes that are not valid UTF-8 "
                                      "or characters SQS does not accept"));
    }
    if (entries.size() > 1 && !ids.insert(entry.id).second) {
      return util::Unexpected(
          refused(operation, queue, "BatchEntryIdsNotDistinct", "entry id " + entry.id));
    }
  }
  return {};
}

}  // namespace

SqsClient::SqsClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                     RetryPolicy retry, RetryObserver on_retry, AttemptObserver on_attempt)
    : endpoint_(config.endpoint("sqs")),
      caller_(std::move(config), std::move(transport), retry, std::move(on_retry),
              /*s3_rules=*/false, std::move(on_attempt)) {}

util::Expected<std::string, AwsError> SqsClient::execute(const std::string& operation,
                                                         const std::string& resource,
                                                         std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.endpoint = endpoint_;
  request.path = "/";
  request.headers = {{"Content-Type", std::string(k_json_content_type)},
                     {"X-Amz-Target", std::string(k_target_prefix) + operation}};
  request.body = std::move(body);
  ErrorParser parse_error = [](const HttpResponse& response) {
    SqsErrorInfo error = parse_sqs_error(response);
    return ServiceError{std::move(error.code), std::move(error.message)};
  };
  auto response =
      caller_.send(AwsCall{operation, resource_name(resource), std::move(request)}, parse_error);
  if (!response) return util::Unexpected(std::move(response.error()));
  return std::move(response->body);
}

util::Expected<std::string, AwsError> SqsClient::get_queue_url(const std::string& queue_name) {
  auto body = execute("GetQueueUrl", queue_name, get_queue_url_body(queue_name));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto url = parse_queue_url(*body);
  if (!url) return util::Unexpected(malformed("GetQueueUrl", queue_name, url.error()));
  return std::move(*url);
}

util::Expected<std::map<std::string, std::string>, AwsError> SqsClient::get_queue_attributes(
    const std::string& queue_url, const std::vector<std::string>& names) {
  auto body = execute("GetQueueAttributes", queue_url, get_queue_attributes_body(queue_url, names));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto attributes = parse_queue_attributes(*body);
  if (!attributes) {
    return util::Unexpected(malformed("GetQueueAttributes", queue_url, attributes.error()));
  }
  return std::move(*attributes);
}

util::Expected<std::vector<SqsMessage>, AwsError> SqsClient::receive_message(
    const SqsReceiveRequest& request) {
  auto body = execute("ReceiveMessage", request.queue_url, receive_message_body(request));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto messages = parse_received_messages(*body);
  if (!messages) {
    return util::Unexpected(malformed("ReceiveMessage", request.queue_url, messages.error()));
  }
  return std::move(*messages);
}

util::Expected<void, AwsError> SqsClient::delete_message(const std::string& queue_url,
                                                         const std::string& receipt_handle) {
  auto body = execute("DeleteMessage", queue_url, delete_message_body(queue_url, receipt_handle));
  if (!body) return util::Unexpected(std::move(body.error()));
  return {};
}

util::Expected<SqsBatchResult, AwsError> SqsClient::delete_message_batch(
    const std::string& queue_url, const std::vector<SqsReceiptEntry>& entries) {
  if (entries.empty()) return SqsBatchResult{};
  if (auto ok = check_batch_size("DeleteMessageBatch", queue_url, entries.size()); !ok) {
    return util::Unexpected(std::move(ok.error()));
  }
  auto body =
      execute("DeleteMessageBatch", queue_url, delete_message_batch_body(queue_url, entries));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto result = parse_batch_result(*body);
  if (!result) return util::Unexpected(malformed("DeleteMessageBatch", queue_url, result.error()));
  return std::move(*result);
}

util::Expected<void, AwsError> SqsClient::change_message_visibility(
    const std::string& queue_url, const std::string& receipt_handle, int visibility_timeout) {
  auto body = execute("ChangeMessageVisibility", queue_url,
                      change_visibility_body(queue_url, receipt_handle, visibility_timeout));
  if (!body) return util::Unexpected(std::move(body.error()));
  return {};
}

util::Expected<SqsBatchResult, AwsError> SqsClient::change_message_visibility_batch(
    const std::string& queue_url, const std::vector<SqsReceiptEntry>& entries) {
  if (entries.empty()) return SqsBatchResult{};
  if (auto ok = check_batch_size("ChangeMessageVisibilityBatch", queue_url, entries.size()); !ok) {
    return util::Unexpected(std::move(ok.error()));
  }
  auto body = execute("ChangeMessageVisibilityBatch", queue_url,
                      change_visibility_batch_body(queue_url, entries));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto result = parse_batch_result(*body);
  if (!result) {
    return util::Unexpected(malformed("ChangeMessageVisibilityBatch", queue_url, result.error()));
  }
  return std::move(*result);
}

util::Expected<SqsSendResult, AwsError> SqsClient::send_message(const std::string& queue_url,
                                                                const SqsSendEntry& entry) {
  if (auto ok = check_send_entries("SendMessage", queue_url, {entry}); !ok) {
    return util::Unexpected(std::move(ok.error()));
  }
  auto body = execute("SendMessage", queue_url, send_message_body(queue_url, entry));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto result = parse_send_result(*body);
  if (!result) return util::Unexpected(malformed("SendMessage", queue_url, result.error()));
  return std::move(*result);
}

util::Expected<SqsBatchResult, AwsError> SqsClient::send_message_batch(
    const std::string& queue_url, const std::vector<SqsSendEntry>& entries) {
  if (entries.empty()) return SqsBatchResult{};
  if (auto ok = check_batch_size("SendMessageBatch", queue_url, entries.size()); !ok) {
    return util::Unexpected(std::move(ok.error()));
  }
  if (auto ok = check_send_entries("SendMessageBatch", queue_url, entries); !ok) {
    return util::Unexpected(std::move(ok.error()));
  }
  auto body = execute("SendMessageBatch", queue_url, send_message_batch_body(queue_url, entries));
  if (!body) return util::Unexpected(std::move(body.error()));
  auto result = parse_batch_result(*body);
  if (!result) return util::Unexpected(malformed("SendMessageBatch", queue_url, result.error()));
  return std::move(*result);
}

}  // namespace wc::aws
