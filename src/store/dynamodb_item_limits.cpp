#include "store/dynamodb_item_limits.h"

#include <fmt/format.h>

#include "model/dynamodb_item.h"
#include "model/value_text.h"
#include "model/widget.h"
#include "store/dynamodb_update_expression.h"

namespace wc::store {

namespace {

constexpr std::string_view k_id = "id";
constexpr std::string_view k_owner = "owner";

std::optional<std::string> long_name(const model::WidgetRequest& request) {
  for (const model::RequestAttribute& attribute : request.other_attributes) {
    if (attribute.name.size() > k_max_attribute_name_bytes) {
      return fmt::format("attribute name {} is over DynamoDB's limit of {} bytes",
                         model::describe_string(attribute.name), k_max_attribute_name_bytes);
    }
  }
  return std::nullopt;
}

/// The fewest bytes the item holds once `request` (an update) is applied.
std::size_t smallest_updated_size(const model::WidgetRequest& request) {
  std::size_t size = k_id.size() + request.widget_id.size() + k_owner.size() + 1;
  for (const AttributeChange& change : update_changes(request)) {
    if (change.value) size += change.name.size() + change.value->size();
  }
  return size;
}

}  // namespace

std::size_t item_size(const nlohmann::json& item) {
  std::size_t size = 0;
  for (const auto& [name, value] : item.items()) {
    const auto text = value.is_object() ? value.find("S") : value.end();
    size += name.size() + (text != value.end() && text->is_string()
                               ? text->get_ref<const std::string&>().size()
                               : value.dump().size());
  }
  return size;
}

std::optional<std::string> item_limit_violation(const model::WidgetRequest& request) {
  if (request.type == model::RequestType::remove) return std::nullopt;
  if (auto reason = long_name(request)) return reason;
  if (request.type == model::RequestType::create) {
    const std::size_t size = item_size(model::to_dynamodb_item(model::widget_from_create(request)));
    if (size > k_max_item_bytes) {
      return fmt::format(
          "the item would be {} bytes, over DynamoDB's item size limit of {} "
          "bytes (400 KB)",
          size, k_max_item_bytes);
    }
    return std::nullopt;
  }
  const std::size_t size = smallest_updated_size(request);
  if (size > k_max_item_bytes) {
    return fmt::format(
        "the updated item would be at least {} bytes, over DynamoDB's item size "
        "limit of {} bytes (400 KB)",
        size, k_max_item_bytes);
  }
  return std::nullopt;
}

}  // namespace wc::store
