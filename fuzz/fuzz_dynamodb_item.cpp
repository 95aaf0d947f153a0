// Fuzzes wc::model::widget_from_dynamodb_item (the "Item" of a GetItem answer) fed through the
// bounded JSON parser. An item it accepts must lay out again as an item that reads back equal.
// The DynamoDB and SQS wire answers have their own targets (fuzz_*_response).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "model/bounded_json.h"
#include "model/dynamodb_item.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json =
      wc::model::parse_bounded_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!json) return 0;
  auto widget = wc::model::widget_from_dynamodb_item(*json);
  if (!widget) {
    WC_FUZZ_CHECK(!widget.error().empty());
    return 0;
  }
  for (const auto& [name, value] : widget->other_attributes) WC_FUZZ_CHECK(!value.empty());
  bool reserved = false;
  for (const auto& [name, value] : widget->other_attributes) {
    for (auto word : wc::model::k_dynamodb_reserved_names) reserved = reserved || name == word;
  }
  if (reserved) return 0;  // to_dynamodb_item's precondition
  auto again = wc::model::widget_from_dynamodb_item(wc::model::to_dynamodb_item(*widget));
  WC_FUZZ_CHECK(again.has_value());
  WC_FUZZ_CHECK(*again == *widget);
  return 0;
}
