#pragma once
// DynamoDB's JSON 1.0 wire format, as pure functions: the headers every call carries, error
// bodies, and the documents this project reads back (table descriptions, unprocessed writes).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_call.h"
#include "aws/http.h"
#include "util/expected.h"

namespace wc::aws {

/// An attribute map in DynamoDB's wire form: {"name": {"S": "text"}, ...}.
using AttributeMap = nlohmann::json;

inline constexpr std::string_view k_dynamodb_content_type = "application/x-amz-json-1.0";
inline constexpr std::string_view k_dynamodb_target_prefix = "DynamoDB_20120810.";

/// The headers of a call to `operation` ("PutItem"): Content-Type and X-Amz-Target.
Headers dynamodb_headers(std::string_view operation);

/// Reads a non-2xx answer: `__type` ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
/// gives the code after its last '#', `message` or `Message` the message. A body that is not
/// such a document falls back to the X-Amzn-ErrorType header, then to "UnknownError" with a
/// short excerpt of the body as the message. Never throws.
ServiceError parse_dynamodb_error(const HttpResponse& response);

/// One key attribute of a table, with its type from AttributeDefinitions.
struct KeyAttribute {
  std::string name;
  std::string key_type;        ///< "HASH" or "RANGE"
  std::string attribute_type;  ///< "S", "N", "B", or empty when not defined
};

/// What DescribeTable says about a table, as far as this project needs it.
struct TableDescription {
  std::string name;
  std::string status;                    ///< "ACTIVE", "CREATING", "UPDATING", "DELETING", ...
  std::vector<KeyAttribute> key_schema;  ///< in the order DynamoDB lists it
};

/// Reads a DescribeTable answer ({"Table": {...}}); the error says what is missing.
util::Expected<TableDescription, std::string> parse_table_description(const nlohmann::json& body);

/// One write of a BatchWriteItem.
struct WriteRequest {
  enum class Kind { put, remove };
  Kind kind = Kind::put;
  AttributeMap attributes;  ///< the whole item for a put, the key for a remove

  bool operator==(const WriteRequest&) const = default;
};

/// {"PutRequest": {"Item": ...}} or {"DeleteRequest": {"Key": ...}}.
nlohmann::json to_wire(const WriteRequest& write);

/// The writes of `table` in a BatchWriteItem answer's UnprocessedItems (none when the answer
/// has no such entry). The error names an entry that is neither a put nor a delete.
util::Expected<std::vector<WriteRequest>, std::string> parse_unprocessed_items(
    const nlohmann::json& body, const std::string& table);

}  // namespace wc::aws
