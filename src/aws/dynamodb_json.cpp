#include "aws/dynamodb_json.h"

#include <fmt/format.h>

namespace wc::aws {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_body_excerpt = 200;
constexpr std::string_view k_unknown_error = "UnknownError";

/// A short, single-line excerpt of a body that was not an error document.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, k_max_body_excerpt)) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the part after '#'.
std::string code_of_type(std::string_view type) {
  const auto hash = type.rfind('#');
  return std::string(hash == std::string_view::npos ? type : type.substr(hash + 1));
}

/// The string member `name` of `object`, or empty.
std::string string_member(const json& object, std::string_view name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

util::Expected<WriteRequest, std::string> parse_write(const json& entry) {
  if (entry.is_object() && entry.contains("PutRequest") && entry["PutRequest"].is_object() &&
      entry["PutRequest"].contains("Item")) {
    return WriteRequest{WriteRequest::Kind::put, entry["PutRequest"]["Item"]};
  }
  if (entry.is_object() && entry.contains("DeleteRequest") && entry["DeleteRequest"].is_object() &&
      entry["DeleteRequest"].contains("Key")) {
    return WriteRequest{WriteRequest::Kind::remove, entry["DeleteRequest"]["Key"]};
  }
  return util::Unexpected(
      "unprocessed entry is neither a PutRequest with an Item nor a "
      "DeleteRequest with a Key: " +
      excerpt(entry.dump()));
}

}  // namespace

Headers dynamodb_headers(std::string_view operation) {
  return {{"Content-Type", std::string(k_dynamodb_content_type)},
          {"X-Amz-Target", std::string(k_dynamodb_target_prefix) + std::string(operation)}};
}

ServiceError parse_dynamodb_error(const HttpResponse& response) {
  ServiceError error;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    error.code = code_of_type(string_member(body, "__type"));
    error.message = string_member(body, "message");
    if (error.message.empty()) error.message = string_member(body, "Message");
  }
  if (error.code.empty()) error.code = code_of_type(response.header("X-Amzn-ErrorType"));
  // The header may carry a suffix after ':' ("ValidationException:http://internal.amazon.com/").
  if (const auto colon = error.code.find(':'); colon != std::string::npos) error.code.resize(colon);
  if (error.code.empty()) {
    error.code = std::string(k_unknown_error);
    if (error.message.empty()) error.message = excerpt(response.body);
  }
  return error;
}

util::Expected<TableDescription, std::string> parse_table_description(const json& body) {
  const auto table = body.is_object() ? body.find("Table") : body.end();
  if (table == body.end() || !table->is_object()) {
    return util::Unexpected(std::string("DescribeTable answer has no Table object"));
  }
  TableDescription description;
  description.name = string_member(*table, "TableName");
  description.status = string_member(*table, "TableStatus");
  const auto schema = table->find("KeySchema");
  if (schema == table->end() || !schema->is_array() || schema->empty()) {
    return util::Unexpected(std::string("DescribeTable answer has no KeySchema"));
  }
  for (const json& element : *schema) {
    if (!element.is_object())
      return util::Unexpected(std::string("KeySchema entry is not an object"));
    description.key_schema.push_back(
        {string_member(element, "AttributeName"), string_member(element, "KeyType"), {}});
  }
  const auto definitions = table->find("AttributeDefinitions");
  if (definitions != table->end() && definitions->is_array()) {
    for (const json& definition : *definitions) {
      if (!definition.is_object()) continue;
      for (KeyAttribute& key : description.key_schema) {
        if (key.name == string_member(definition, "AttributeName")) {
          key.attribute_type = string_member(definition, "AttributeType");
        }
      }
    }
  }
  return description;
}

json to_wire(const WriteRequest& write) {
  if (write.kind == WriteRequest::Kind::put) return {{"PutRequest", {{"Item", write.attributes}}}};
  return {{"DeleteRequest", {{"Key", write.attributes}}}};
}

util::Expected<std::vector<WriteRequest>, std::string> parse_unprocessed_items(
    const json& body, const std::string& table) {
  std::vector<WriteRequest> writes;
  const auto unprocessed = body.is_object() ? body.find("UnprocessedItems") : body.end();
  if (unprocessed == body.end() || !unprocessed->is_object()) return writes;
  const auto entries = unprocessed->find(table);
  if (entries == unprocessed->end()) return writes;
  if (!entries->is_array()) {
    return util::Unexpected(fmt::format("UnprocessedItems of table '{}' is not an array", table));
  }
  for (const json& entry : *entries) {
    auto write = parse_write(entry);
    if (!write) return util::Unexpected(std::move(write).error());
    writes.push_back(std::move(*write));
  }
  return writes;
}

}  // namespace wc::aws
