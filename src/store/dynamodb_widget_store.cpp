#include "store/dynamodb_widget_store.h"

#include <fmt/format.h>

#include "model/dynamodb_item.h"
#include "model/widget.h"
#include "store/dynamodb_item_limits.h"
#include "store/dynamodb_update_expression.h"
#include "store/store_error.h"

namespace wc::store {

namespace {

using nlohmann::json;

constexpr std::string_view k_condition_failed = "ConditionalCheckFailedException";
constexpr const char* k_id_placeholder = "#id";
constexpr const char* k_item_exists = "attribute_exists(#id)";

json key_of(const model::WidgetRequest& request) { return {{"id", {{"S", request.widget_id}}}}; }

std::string describe_key_schema(const aws::TableDescription& table) {
  std::string out;
  for (const aws::KeyAttribute& key : table.key_schema) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({}) {}", key.name,
                       key.attribute_type.empty() ? "?" : key.attribute_type, key.key_type);
  }
  return out;
}

bool has_widget_key(const aws::TableDescription& table) {
  return table.key_schema.size() == 1 && table.key_schema[0].name == "id" &&
         table.key_schema[0].key_type == "HASH" && table.key_schema[0].attribute_type == "S";
}

}  // namespace

DynamoDbWidgetStore::DynamoDbWidgetStore(std::shared_ptr<aws::DynamoDbClient> client,
                                         std::string table)
    : client_(std::move(client)), table_(std::move(table)) {}

std::string DynamoDbWidgetStore::describe() const {
  return fmt::format("DynamoDB table '{}'", table_);
}

StoreError DynamoDbWidgetStore::error(const aws::AwsError& error) const {
  return store_error(describe(), error);
}

util::Expected<void, StoreError> DynamoDbWidgetStore::check() {
  auto table = client_->describe_table(table_);
  if (!table) return util::Unexpected(error(table.error()));
  if (!has_widget_key(*table)) {
    return util::Unexpected(StoreError{
        StoreErrorKind::fatal,
        fmt::format("widget store {}: its key is {}; widgets need a table whose only key is the "
                    "string partition key 'id' (HASH, type S)",
                    describe(), describe_key_schema(*table))});
  }
  return {};
}

std::optional<std::string> DynamoDbWidgetStore::rejection(
    const model::WidgetRequest& request) const {
  if (auto collision = model::dynamodb_collision(request)) return std::move(collision->reason);
  return item_limit_violation(request);
}

util::Expected<Outcome, StoreError> DynamoDbWidgetStore::apply(
    const model::WidgetRequest& request) {
  switch (request.type) {
    case model::RequestType::create:
      return create(request);
    case model::RequestType::update:
      return update(request);
    case model::RequestType::remove:
      return remove(request);
  }
  return util::Unexpected(StoreError{StoreErrorKind::request, "unknown request type"});
}

util::Expected<Outcome, StoreError> DynamoDbWidgetStore::create(
    const model::WidgetRequest& request) {
  aws::PutItemRequest put;
  put.table = table_;
  put.item = model::to_dynamodb_item(model::widget_from_create(request));
  put.return_old = true;
  auto old = client_->put_item(put);
  if (!old) return util::Unexpected(error(old.error()));
  return old->has_value() ? Outcome::replaced : Outcome::created;
}

util::Expected<Outcome, StoreError> DynamoDbWidgetStore::update(
    const model::WidgetRequest& request) {
  const std::vector<UpdateExpression> expressions =
      build_update_expressions(update_changes(request));
  if (expressions.empty()) return touch(request);
  for (const UpdateExpression& expression : expressions) {
    aws::UpdateItemRequest update;
    update.table = table_;
    update.key = key_of(request);
    update.update_expression = expression.expression;
    update.condition_expression = k_item_exists;
    update.maps.names = expression.names;
    update.maps.names[k_id_placeholder] = "id";
    update.maps.values = expression.values;
    auto updated = client_->update_item(update);
    if (updated) continue;
    // Only the first expression can find the item missing, since requests for one widget are
    // never applied concurrently; a later one would mean it was deleted behind our back.
    if (updated.error().code == k_condition_failed) return Outcome::missing;
    return util::Unexpected(error(updated.error()));
  }
  return Outcome::updated;
}

util::Expected<Outcome, StoreError> DynamoDbWidgetStore::touch(
    const model::WidgetRequest& request) {
  // UpdateItem needs something to write (moto answers 500 to one without an
  // UpdateExpression), and writing the key itself is refused: read the id alone instead.
  aws::GetItemRequest get;
  get.table = table_;
  get.key = key_of(request);
  get.projection_expression = k_id_placeholder;
  get.maps.names[k_id_placeholder] = "id";
  get.consistent_read = true;
  auto item = client_->get_item(get);
  if (!item) return util::Unexpected(error(item.error()));
  return item->has_value() ? Outcome::updated : Outcome::missing;
}

util::Expected<Outcome, StoreError> DynamoDbWidgetStore::remove(
    const model::WidgetRequest& request) {
  aws::DeleteItemRequest remove;
  remove.table = table_;
  remove.key = key_of(request);
  remove.return_old = true;
  auto old = client_->delete_item(remove);
  if (!old) return util::Unexpected(error(old.error()));
  return old->has_value() ? Outcome::deleted : Outcome::missing;
}

}  // namespace wc::store
