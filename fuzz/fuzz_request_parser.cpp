// Fuzzes wc::model::parse_request with arbitrary bodies. Besides not crashing, an accepted
// request must be valid UTF-8, give a widget that to_json can write (it throws on bad UTF-8)
// and that reads back equal, and must survive the update rules and the DynamoDB layout.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "model/bounded_json.h"
#include "model/dynamodb_item.h"
#include "model/request.h"
#include "model/widget.h"
#include "model/widget_json.h"

namespace {

void check_dynamodb_round_trip(const wc::model::WidgetRequest& request,
                               const wc::model::Widget& widget) {
  if (wc::model::dynamodb_collision(request)) return;
  auto item = wc::model::to_dynamodb_item(widget);
  auto back = wc::model::widget_from_dynamodb_item(item);
  WC_FUZZ_CHECK(back.has_value());
  WC_FUZZ_CHECK(back->widget_id == widget.widget_id && back->owner == widget.owner);
  WC_FUZZ_CHECK(back->other_attributes.size() == widget.other_attributes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = wc::model::parse_request(body);
  if (!request) {
    WC_FUZZ_CHECK(!request.error().reason.empty());
    return 0;
  }
  WC_FUZZ_CHECK(size <= wc::model::k_max_request_bytes);
  WC_FUZZ_CHECK(!wc::model::first_invalid_utf8(body).has_value());
  WC_FUZZ_CHECK(body.find('\0') == std::string_view::npos);  // the whole body was read
  WC_FUZZ_CHECK(!request->widget_id.empty() &&
                request->widget_id.size() <= wc::model::k_max_widget_id_length);
  WC_FUZZ_CHECK(request->widget_id != "." && request->widget_id != "..");

  wc::model::Widget widget = wc::model::widget_from_create(*request);
  auto stored = wc::model::to_json(widget);
  auto read_back = wc::model::widget_from_json(stored);
  WC_FUZZ_CHECK(read_back.has_value());
  WC_FUZZ_CHECK(*read_back == widget);

  wc::model::apply_update(widget, *request);
  WC_FUZZ_CHECK(widget.widget_id == request->widget_id);
  for (const auto& [name, value] : widget.other_attributes) WC_FUZZ_CHECK(!value.empty());
  check_dynamodb_round_trip(*request, wc::model::widget_from_create(*request));
  return 0;
}
