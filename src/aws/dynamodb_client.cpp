#include "aws/dynamodb_client.h"

#include <fmt/format.h>

#include <random>
#include <thread>

#include "util/thread_rng.h"

namespace wc::aws {

namespace {

using nlohmann::json;

std::string table_resource(const std::string& table) { return fmt::format("table '{}'", table); }

/// "table 'widgets' item id='abc'": names the item in errors and retry events.
std::string item_resource(const std::string& table, const AttributeMap& key) {
  std::string out = table_resource(table) + " item";
  if (!key.is_object()) return out;
  for (const auto& [name, value] : key.items()) {
    const auto text = value.is_object() && value.size() == 1 ? value.begin() : value.end();
    out += fmt::format(
        " {}='{}'", name,
        text != value.end() && text->is_string() ? text->get<std::string>() : value.dump());
  }
  return out;
}

/// Adds the expression and its maps to `body`, leaving out what is empty.
void add_expression(json& body, const char* field, const std::string& expression) {
  if (!expression.empty()) body[field] = expression;
}

void add_maps(json& body, const ExpressionMaps& maps) {
  if (!maps.names.empty()) body["ExpressionAttributeNames"] = maps.names;
  if (!maps.values.empty()) body["ExpressionAttributeValues"] = maps.values;
}

/// The "Attributes" of a write answer, or nullopt.
ReturnedAttributes returned_attributes(json& answer) {
  const auto found = answer.find("Attributes");
  if (found == answer.end() || !found->is_object()) return std::nullopt;
  return std::move(*found);
}

/// A 2xx answer whose body is not what the operation returns.
AwsError malformed_response(std::string operation, std::string resource, long status,
                            std::string why) {
  return AwsError{.operation = std::move(operation),
                  .resource = std::move(resource),
                  .http_status = status,
                  .code = "MalformedResponse",
                  .message = std::move(why)};
}

}  // namespace

DynamoDbClient::DynamoDbClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                               RetryPolicy retry, RetryObserver on_retry,
                               AttemptObserver on_attempt)
    : caller_(std::move(config), std::move(transport), retry, std::move(on_retry),
              /*s3_rules=*/false, std::move(on_attempt)),
      retry_(retry) {}

util::Expected<json, AwsError> DynamoDbClient::execute(const std::string& operation,
                                                       std::string resource, const json& body) {
  HttpRequest request;
  request.method = "POST";
  request.endpoint = caller_.config().endpoint("dynamodb");
  request.path = "/";
  request.headers = dynamodb_headers(operation);
  try {
    request.body = body.dump();
  } catch (const json::exception& error) {  // a string that is not UTF-8
    return util::Unexpected(AwsError{.operation = operation,
                                     .resource = std::move(resource),
                                     .code = "InvalidArgument",
                                     .message = error.what(),
                                     .attempts = 0});
  }
  auto response =
      caller_.send(AwsCall{operation, resource, std::move(request)},
                   [](const HttpResponse& answer) { return parse_dynamodb_error(answer); });
  if (!response) return util::Unexpected(std::move(response.error()));
  json answer = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) {
    return util::Unexpected(malformed_response(operation, std::move(resource), response->status,
                                               "answer is not a JSON object"));
  }
  return answer;
}

util::Expected<TableDescription, AwsError> DynamoDbClient::describe_table(
    const std::string& table) {
  auto answer = execute("DescribeTable", table_resource(table), {{"TableName", table}});
  if (!answer) return util::Unexpected(std::move(answer.error()));
  auto description = parse_table_description(*answer);
  if (!description) {
    return util::Unexpected(
        malformed_response("DescribeTable", table_resource(table), 200, description.error()));
  }
  return std::move(*description);
}

util::Expected<ReturnedAttributes, AwsError> DynamoDbClient::put_item(
    const PutItemRequest& request) {
  json body = {{"TableName", request.table}, {"Item", request.item}};
  add_expression(body, "ConditionExpression", request.condition_expression);
  add_maps(body, request.maps);
  if (request.return_old) body["ReturnValues"] = "ALL_OLD";
  // The key schema is the table's business, so a put names the table only.
  auto answer = execute("PutItem", table_resource(request.table), body);
  if (!answer) return util::Unexpected(std::move(answer.error()));
  return returned_attributes(*answer);
}

util::Expected<std::optional<AttributeMap>, AwsError> DynamoDbClient::get_item(
    const GetItemRequest& request) {
  json body = {{"TableName", request.table}, {"Key", request.key}};
  add_expression(body, "ProjectionExpression", request.projection_expression);
  if (!request.maps.names.empty()) body["ExpressionAttributeNames"] = request.maps.names;
  if (request.consistent_read) body["ConsistentRead"] = true;
  auto answer = execute("GetItem", item_resource(request.table, request.key), body);
  if (!answer) return util::Unexpected(std::move(answer.error()));
  const auto item = answer->find("Item");
  if (item == answer->end() || !item->is_object()) return std::optional<AttributeMap>();
  return std::optional<AttributeMap>(std::move(*item));
}

util::Expected<ReturnedAttributes, AwsError> DynamoDbClient::update_item(
    const UpdateItemRequest& request) {
  json body = {{"TableName", request.table}, {"Key", request.key}};
  add_expression(body, "UpdateExpression", request.update_expression);
  add_expression(body, "ConditionExpression", request.condition_expression);
  add_maps(body, request.maps);
  if (!request.return_values.empty() && request.return_values != "NONE") {
    body["ReturnValues"] = request.return_values;
  }
  auto answer = execute("UpdateItem", item_resource(request.table, request.key), body);
  if (!answer) return util::Unexpected(std::move(answer.error()));
  return returned_attributes(*answer);
}

util::Expected<ReturnedAttributes, AwsError> DynamoDbClient::delete_item(
    const DeleteItemRequest& request) {
  json body = {{"TableName", request.table}, {"Key", request.key}};
  add_expression(body, "ConditionExpression", request.condition_expression);
  add_maps(body, request.maps);
  if (request.return_old) body["ReturnValues"] = "ALL_OLD";
  auto answer = execute("DeleteItem", item_resource(request.table, request.key), body);
  if (!answer) return util::Unexpected(std::move(answer.error()));
  return returned_attributes(*answer);
}

util::Expected<std::vector<WriteRequest>, AwsError> DynamoDbClient::batch_write_item(
    const std::string& table, const std::vector<WriteRequest>& writes) {
  std::vector<WriteRequest> left;
  for (std::size_t start = 0; start < writes.size(); start += k_max_batch_writes) {
    const std::size_t end = std::min(writes.size(), start + k_max_batch_writes);
    auto unprocessed = write_batch(
        table, std::vector<WriteRequest>(writes.begin() + static_cast<std::ptrdiff_t>(start),
                                         writes.begin() + static_cast<std::ptrdiff_t>(end)));
    if (!unprocessed) return unprocessed;
    left.insert(left.end(), unprocessed->begin(), unprocessed->end());
  }
  return left;
}

util::Expected<std::vector<WriteRequest>, AwsError> DynamoDbClient::write_batch(
    const std::string& table, std::vector<WriteRequest> writes) {
  const int max_rounds = std::max(1, retry_.max_attempts);
  for (int round = 1; !writes.empty(); ++round) {
    json entries = json::array();
    for (const WriteRequest& write : writes) entries.push_back(to_wire(write));
    auto answer =
        execute("BatchWriteItem", table_resource(table), {{"RequestItems", {{table, entries}}}});
    if (!answer) return util::Unexpected(std::move(answer.error()));
    auto unprocessed = parse_unprocessed_items(*answer, table);
    if (!unprocessed) {
      return util::Unexpected(
          malformed_response("BatchWriteItem", table_resource(table), 200, unprocessed.error()));
    }
    writes = std::move(*unprocessed);
    if (writes.empty() || round >= max_rounds) break;
    // DynamoDB leaves writes unprocessed when the table is throttled: back off like a retry.
    const auto delay = retry_.delay(round, util::thread_rng());
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
  }
  return writes;
}

}  // namespace wc::aws
