// Fuzzes wc::model::widget_from_json, the reader of stored widget documents (S3 and directory
// stores). A document it accepts must write back (to_json must not throw) and then read back
// to the same widget: what the store reads, it can store again unchanged.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "model/widget_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view document(reinterpret_cast<const char*>(data), size);
  auto widget = wc::model::widget_from_json(document);
  if (!widget) {
    WC_FUZZ_CHECK(!widget.error().empty());
    return 0;
  }
  for (const auto& [name, value] : widget->other_attributes) WC_FUZZ_CHECK(!value.empty());
  WC_FUZZ_CHECK(!widget->label || !widget->label->empty());
  WC_FUZZ_CHECK(!widget->description || !widget->description->empty());
  auto again = wc::model::widget_from_json(wc::model::to_json(*widget));
  WC_FUZZ_CHECK(again.has_value());
  WC_FUZZ_CHECK(*again == *widget);
  return 0;
}
