#include "aws/sqs_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aws/url.h"

namespace wc::aws {

namespace {

using Json = nlohmann::json;

/// JSON text of a request; invalid UTF-8 cannot reach here unchecked (see the header).
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// Decodes the UTF-8 sequence at `text[i]`; returns its length, or 0 when it is malformed
/// (overlong, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(k) & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

bool allowed_in_sqs(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

util::Expected<Json, std::string> parse_object(std::string_view body) {
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return util::Unexpected(std::string("the answer is not JSON"));
  if (!json.is_object()) return util::Unexpected(std::string("the answer is not a JSON object"));
  return json;
}

/// The string member `name`, or empty when it is absent or not a string.
std::string string_member(const Json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

Json receipt_entries(const std::vector<SqsReceiptEntry>& entries, bool with_visibility) {
  Json list = Json::array();
  for (const auto& entry : entries) {
    Json item = {{"Id", entry.id}, {"ReceiptHandle", entry.receipt_handle}};
    if (with_visibility) item["VisibilityTimeout"] = entry.visibility_timeout;
    list.push_back(std::move(item));
  }
  return list;
}

Json send_entry(const SqsSendEntry& entry) {
  Json item = {{"MessageBody", entry.body}};
  if (!entry.group_id.empty()) item["MessageGroupId"] = entry.group_id;
  if (!entry.deduplication_id.empty()) item["MessageDeduplicationId"] = entry.deduplication_id;
  if (!entry.attributes.empty()) {
    Json attributes = Json::object();
    for (const auto& [name, attribute] : entry.attributes) {
      attributes[name] = {{"DataType", attribute.data_type}, {"StringValue", attribute.value}};
    }
    item["MessageAttributes"] = std::move(attributes);
  }
  return item;
}

/// Error code for an answer that carries none (a proxy's HTML page, an empty body).
std::string code_for_status(long status) {
  if (status == 400) return "BadRequest";
  if (status == 403) return "AccessDenied";
  if (status == 404) return "NotFound";
  if (status == 413) return "RequestEntityTooLarge";
  if (status == 500) return "InternalError";
  if (status == 503) return "ServiceUnavailable";
  return fmt::format("HTTP{}", status);
}

std::string excerpt(std::string_view body) {
  constexpr std::size_t k_max_excerpt = 200;
  std::string text(body.substr(0, k_max_excerpt));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

std::string SqsMessage::attribute(const std::string& name) const {
  auto found = attributes.find(name);
  return found == attributes.end() ? std::string() : found->second;
}

bool is_valid_sqs_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t code_point = 0;
    std::size_t length = utf8_sequence(text, i, code_point);
    if (length == 0 || !allowed_in_sqs(code_point)) return false;
    i += length;
  }
  return true;
}

std::string to_valid_sqs_text(std::string_view text) {
  constexpr std::string_view k_replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t code_point = 0;
    std::size_t length = utf8_sequence(text, i, code_point);
    if (length == 0 || !allowed_in_sqs(code_point)) {
      out += k_replacement;
      i += std::max<std::size_t>(length, 1);
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

bool is_queue_url(std::string_view text) { return last_path_segment(text).has_value(); }

std::string queue_name_of(std::string_view name_or_url) {
  return last_path_segment(name_or_url).value_or(std::string(name_or_url));
}

bool is_fifo_queue_name(std::string_view name) { return name.ends_with(".fifo"); }

std::string get_queue_url_body(const std::string& queue_name) {
  return dump({{"QueueName", queue_name}});
}

std::string get_queue_attributes_body(const std::string& queue_url,
                                      const std::vector<std::string>& names) {
  return dump({{"QueueUrl", queue_url}, {"AttributeNames", names}});
}

std::string receive_message_body(const SqsReceiveRequest& request) {
  Json json = {{"QueueUrl", request.queue_url},
               {"MaxNumberOfMessages", request.max_messages},
               {"WaitTimeSeconds", request.wait_seconds}};
  if (request.visibility_timeout) json["VisibilityTimeout"] = *request.visibility_timeout;
  if (!request.receive_request_attempt_id.empty()) {
    json["ReceiveRequestAttemptId"] = request.receive_request_attempt_id;
  }
  if (!request.system_attribute_names.empty()) {
    json["MessageSystemAttributeNames"] = request.system_attribute_names;
    // The older name of the same list, for servers that predate MessageSystemAttributeNames.
    json["AttributeNames"] = request.system_attribute_names;
  }
  return dump(json);
}

std::string delete_message_body(const std::string& queue_url, const std::string& receipt_handle) {
  return dump({{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}});
}

std::string delete_message_batch_body(const std::string& queue_url,
                                      const std::vector<SqsReceiptEntry>& entries) {
  return dump({{"QueueUrl", queue_url}, {"Entries", receipt_entries(entries, false)}});
}

std::string change_visibility_body(const std::string& queue_url, const std::string& receipt_handle,
                                   int visibility_timeout) {
  return dump({{"QueueUrl", queue_url},
               {"ReceiptHandle", receipt_handle},
               {"VisibilityTimeout", visibility_timeout}});
}

std::string change_visibility_batch_body(const std::string& queue_url,
                                         const std::vector<SqsReceiptEntry>& entries) {
  return dump({{"QueueUrl", queue_url}, {"Entries", receipt_entries(entries, true)}});
}

std::string send_message_body(const std::string& queue_url, const SqsSendEntry& entry) {
  Json json = send_entry(entry);
  json["QueueUrl"] = queue_url;
  return dump(json);
}

std::string send_message_batch_body(const std::string& queue_url,
                                    const std::vector<SqsSendEntry>& entries) {
  Json list = Json::array();
  for (const auto& entry : entries) {
    Json item = send_entry(entry);
    item["Id"] = entry.id;
    list.push_back(std::move(item));
  }
  return dump({{"QueueUrl", queue_url}, {"Entries", std::move(list)}});
}

util::Expected<std::string, std::string> parse_queue_url(std::string_view body) {
  auto json = parse_object(body);
  if (!json) return util::Unexpected(std::move(json.error()));
  std::string url = string_member(*json, "QueueUrl");
  if (url.empty()) return util::Unexpected(std::string("the answer has no QueueUrl"));
  return url;
}

util::Expected<std::map<std::string, std::string>, std::string> parse_queue_attributes(
    std::string_view body) {
  auto json = parse_object(body);
  if (!json) return util::Unexpected(std::move(json.error()));
  std::map<std::string, std::string> attributes;
  auto found = json->find("Attributes");
  if (found == json->end()) return attributes;  // SQS leaves it out when none was asked for
  if (!found->is_object()) return util::Unexpected(std::string("Attributes is not an object"));
  for (const auto& [name, value] : found->items()) {
    if (value.is_string()) attributes.emplace(name, value.get<std::string>());
  }
  return attributes;
}

util::Expected<std::vector<SqsMessage>, std::string> parse_received_messages(
    std::string_view body) {
  auto json = parse_object(body);
  if (!json) return util::Unexpected(std::move(json.error()));
  std::vector<SqsMessage> messages;
  auto list = json->find("Messages");
  if (list == json->end()) return messages;  // an empty receive is "{}"
  if (!list->is_array()) return util::Unexpected(std::string("Messages is not an array"));
  for (const Json& item : *list) {
    if (!item.is_object()) return util::Unexpected(std::string("a message is not an object"));
    SqsMessage message{string_member(item, "MessageId"),
                       string_member(item, "ReceiptHandle"),
                       string_member(item, "Body"),
                       {}};
    if (message.message_id.empty() || message.receipt_handle.empty()) {
      return util::Unexpected(std::string("a message lacks its MessageId or ReceiptHandle"));
    }
    if (auto attributes = item.find("Attributes");
        attributes != item.end() && attributes->is_object()) {
      for (const auto& [name, value] : attributes->items()) {
        if (value.is_string()) message.attributes.emplace(name, value.get<std::string>());
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

util::Expected<SqsBatchResult, std::string> parse_batch_result(std::string_view body) {
  auto json = parse_object(body);
  if (!json) return util::Unexpected(std::move(json.error()));
  SqsBatchResult result;
  if (auto list = json->find("Successful"); list != json->end() && list->is_array()) {
    for (const Json& item : *list) {
      if (item.is_object()) result.successful.push_back(string_member(item, "Id"));
    }
  }
  if (auto list = json->find("Failed"); list != json->end() && list->is_array()) {
    for (const Json& item : *list) {
      if (!item.is_object()) continue;
      auto fault = item.find("SenderFault");
      result.failed.push_back(SqsBatchFailure{
          string_member(item, "Id"), string_member(item, "Code"), string_member(item, "Message"),
          fault != item.end() && fault->is_boolean() && fault->get<bool>()});
    }
  }
  return result;
}

util::Expected<SqsSendResult, std::string> parse_send_result(std::string_view body) {
  auto json = parse_object(body);
  if (!json) return util::Unexpected(std::move(json.error()));
  SqsSendResult result{string_member(*json, "MessageId"), string_member(*json, "SequenceNumber")};
  if (result.message_id.empty())
    return util::Unexpected(std::string("the answer has no MessageId"));
  return result;
}

SqsErrorInfo parse_sqs_error(const HttpResponse& response) {
  SqsErrorInfo error;
  Json json = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    error.message = string_member(json, "message");
    if (error.message.empty()) error.message = string_member(json, "Message");
    std::string type = string_member(json, "__type");
    error.code = type.substr(type.find('#') + 1);  // npos + 1 == 0: no namespace, whole name
  }
  // "AWS.SimpleQueueService.NonExistentQueue;Sender": the code the query protocol used, which
  // is what scripts and documentation know.
  std::string_view query_error = response.header("x-amzn-query-error");
  if (auto code = query_error.substr(0, query_error.find(';')); !code.empty()) {
    error.code = std::string(code);
  }
  if (error.code.empty()) {
    std::string_view type = response.header("X-Amzn-ErrorType");
    error.code = std::string(type.substr(0, type.find(':')));
    if (auto hash = error.code.find('#'); hash != std::string::npos) error.code.erase(0, hash + 1);
  }
  if (error.code.empty()) {
    error.code = code_for_status(response.status);
    if (error.message.empty()) error.message = excerpt(response.body);
  }
  return error;
}

}  // namespace wc::aws
