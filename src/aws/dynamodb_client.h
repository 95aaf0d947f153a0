#pragma once
// A DynamoDB client: the JSON 1.0 wire format of the operations this project needs (POST / with
// X-Amz-Target: DynamoDB_20120810.<Operation>), signed with SigV4 for service "dynamodb", sent
// through a shared transport, transient failures (5xx, throttling codes) retried by
// RetryPolicy. Thread-safe: one client may be used from many threads.
//
// Expected refusals come back as AwsError codes, for example ResourceNotFoundException (no
// such table), ConditionalCheckFailedException (a ConditionExpression was false) and
// ValidationException (the request breaks a DynamoDB rule, such as the 400 KB item limit).
// Expression maps that are empty are left out of the request, since DynamoDB refuses them.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_call.h"
#include "aws/aws_error.h"
#include "aws/client_config.h"
#include "aws/dynamodb_json.h"
#include "aws/http.h"
#include "aws/retry_policy.h"
#include "util/expected.h"

namespace wc::aws {

/// Placeholders an expression uses: ExpressionAttributeNames ("#n0" -> "size-unit") and
/// ExpressionAttributeValues (":v0" -> {"S": "cm"}). Both JSON objects.
struct ExpressionMaps {
  nlohmann::json names = nlohmann::json::object();
  nlohmann::json values = nlohmann::json::object();
};

struct PutItemRequest {
  std::string table;
  AttributeMap item;
  std::string condition_expression;  ///< empty: unconditional
  ExpressionMaps maps;
  bool return_old = false;  ///< ReturnValues ALL_OLD: the replaced item comes back
};

struct GetItemRequest {
  std::string table;
  AttributeMap key;
  std::string projection_expression;  ///< empty: every attribute
  ExpressionMaps maps;                ///< names only (GetItem takes no values)
  bool consistent_read = true;
};

struct UpdateItemRequest {
  std::string table;
  AttributeMap key;
  std::string update_expression;
  std::string condition_expression;  ///< empty: unconditional (the item is created if absent)
  ExpressionMaps maps;
  std::string return_values = "NONE";  ///< NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW
};

struct DeleteItemRequest {
  std::string table;
  AttributeMap key;
  std::string condition_expression;
  ExpressionMaps maps;
  bool return_old = false;  ///< ReturnValues ALL_OLD: the deleted item comes back
};

/// The attributes a write returned (per its ReturnValues), or nullopt when it returned none:
/// with ALL_OLD, nullopt means there was no item before the write.
using ReturnedAttributes = std::optional<AttributeMap>;

class DynamoDbClient {
 public:
  /// BatchWriteItem's limit of writes per call.
  static constexpr std::size_t k_max_batch_writes = 25;

  DynamoDbClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                 RetryPolicy retry = {}, RetryObserver on_retry = {},
                 AttemptObserver on_attempt = {});

  /// DescribeTable. A missing table is ResourceNotFoundException.
  util::Expected<TableDescription, AwsError> describe_table(const std::string& table);
  /// PutItem: replaces the whole item. With return_old, the previous item if there was one.
  util::Expected<ReturnedAttributes, AwsError> put_item(const PutItemRequest& request);
  /// GetItem: the item, or nullopt when there is none.
  util::Expected<std::optional<AttributeMap>, AwsError> get_item(const GetItemRequest& request);
  /// UpdateItem. A false condition is ConditionalCheckFailedException.
  util::Expected<ReturnedAttributes, AwsError> update_item(const UpdateItemRequest& request);
  /// DeleteItem. Deleting a missing item succeeds; with return_old, nullopt tells it apart.
  util::Expected<ReturnedAttributes, AwsError> delete_item(const DeleteItemRequest& request);
  /// BatchWriteItem on one table, in calls of at most k_max_batch_writes (keys must be distinct
  /// within each call, or DynamoDB refuses it with ValidationException). Writes DynamoDB
  /// answers as UnprocessedItems are sent again, only those, after a back-off, up to
  /// RetryPolicy::max_attempts rounds per call; returns the writes still unprocessed after
  /// that, never dropping one. A call that fails outright ends the batch with its error;
  /// writes are idempotent, so the caller may send them all again.
  util::Expected<std::vector<WriteRequest>, AwsError> batch_write_item(
      const std::string& table, const std::vector<WriteRequest>& writes);

  /// HTTP requests sent so far (retries included).
  std::uint64_t calls() const { return caller_.calls(); }
  std::uint64_t retries() const { return caller_.retries(); }

 private:
  /// Signs and sends `body` as `operation`, and parses the 2xx answer as a JSON object.
  util::Expected<nlohmann::json, AwsError> execute(const std::string& operation,
                                                   std::string resource,
                                                   const nlohmann::json& body);
  /// Sends one BatchWriteItem call for `writes` until none is unprocessed or rounds run out.
  util::Expected<std::vector<WriteRequest>, AwsError> write_batch(const std::string& table,
                                                                  std::vector<WriteRequest> writes);

  AwsCaller caller_;
  RetryPolicy retry_;
};

}  // namespace wc::aws
