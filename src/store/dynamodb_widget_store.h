#pragma once
// The DynamoDB widget store of SPEC §5: one item per widget in a table whose partition key is
// the string `id`, every value a string, each other attribute its own top-level attribute.
// Every write is a single call, so no read-modify-write can lose a concurrent change and a
// replayed request (at-least-once delivery) leaves the item as applying it once did.

#include <memory>
#include <string>

#include "aws/dynamodb_client.h"
#include "store/widget_store.h"

namespace wc::store {

class DynamoDbWidgetStore : public WidgetStore {
 public:
  DynamoDbWidgetStore(std::shared_ptr<aws::DynamoDbClient> client, std::string table);

  /// "DynamoDB table 'widgets'".
  std::string describe() const override;
  /// DescribeTable. A missing table, refused credentials, or a key schema other than a single
  /// string partition key `id` are fatal; the message names the table and the cause.
  util::Expected<void, StoreError> check() override;
  /// An otherAttributes name the item uses itself (model::dynamodb_collision), or an item over
  /// DynamoDB's limits (item_limit_violation).
  std::optional<std::string> rejection(const model::WidgetRequest& request) const override;
  /// create: PutItem of the whole item with ReturnValues ALL_OLD (an old item = replaced).
  /// update: UpdateItem with SET/REMOVE and ConditionExpression attribute_exists(id), owner
  /// untouched; a failed condition = missing. An update too large for one 4 KB expression is
  /// sent as several such UpdateItems in turn (each is absolute, so a replay is still exact).
  /// An update that changes nothing is a consistent GetItem of the id alone, which tells a
  /// missing widget apart. delete: DeleteItem with ReturnValues ALL_OLD (nothing old =
  /// missing). A ValidationException (the item grew over 400 KB, say) fails this request only.
  util::Expected<Outcome, StoreError> apply(const model::WidgetRequest& request) override;

 private:
  util::Expected<Outcome, StoreError> create(const model::WidgetRequest& request);
  util::Expected<Outcome, StoreError> update(const model::WidgetRequest& request);
  util::Expected<Outcome, StoreError> remove(const model::WidgetRequest& request);
  /// The existence check of an update with nothing to write.
  util::Expected<Outcome, StoreError> touch(const model::WidgetRequest& request);
  StoreError error(const aws::AwsError& error) const;

  std::shared_ptr<aws::DynamoDbClient> client_;
  std::string table_;
};

}  // namespace wc::store
