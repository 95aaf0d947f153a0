#include "model/dynamodb_item.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "model/value_text.h"

namespace wc::model {
namespace {

using nlohmann::json;

bool is_reserved(std::string_view name) {
  return std::find(k_dynamodb_reserved_names.begin(), k_dynamodb_reserved_names.end(), name) !=
         k_dynamodb_reserved_names.end();
}

json string_value(const std::string& text) { return json{{"S", text}}; }

/// The text of an attribute value that must be a non-empty {"S": ...}.
util::Expected<std::string, std::string> read_string(std::string_view name, const json& value) {
  const auto text = value.is_object() && value.size() == 1 ? value.find("S") : value.end();
  if (text == value.end() || !text->is_string() || text->get_ref<const std::string&>().empty()) {
    return util::Unexpected(fmt::format("attribute '{}' must be a non-empty string (S), got {}",
                                        name, describe_value(value)));
  }
  return text->get<std::string>();
}

}  // namespace

std::optional<Rejection> dynamodb_collision(const WidgetRequest& request) {
  if (request.type == RequestType::remove) return std::nullopt;
  for (const RequestAttribute& attribute : request.other_attributes) {
    if (is_reserved(attribute.name)) {
      return Rejection{fmt::format(
          "attribute name '{}' collides with the item's own attribute; the DynamoDB store "
          "cannot hold it",
          attribute.name)};
    }
  }
  return std::nullopt;
}

json to_dynamodb_item(const Widget& widget) {
  json item = json::object();
  item["id"] = string_value(widget.widget_id);
  item["owner"] = string_value(widget.owner);
  if (widget.label) item["label"] = string_value(*widget.label);
  if (widget.description) item["description"] = string_value(*widget.description);
  for (const auto& [name, value] : widget.other_attributes) item[name] = string_value(value);
  return item;
}

util::Expected<Widget, std::string> widget_from_dynamodb_item(const json& item) {
  if (!item.is_object()) {
    return util::Unexpected("item must be a JSON object, got " + describe_value(item));
  }
  Widget widget;
  std::map<std::string, std::string> others;  // sorted: DynamoDB keeps no order
  for (const auto& [name, value] : item.items()) {
    auto text = read_string(name, value);
    if (!text) return util::Unexpected(std::move(text).error());
    if (name == "id") {
      widget.widget_id = std::move(*text);
    } else if (name == "owner") {
      widget.owner = std::move(*text);
    } else if (name == "label") {
      widget.label = std::move(*text);
    } else if (name == "description") {
      widget.description = std::move(*text);
    } else if (name == "widgetId") {
      return util::Unexpected(std::string("item has a 'widgetId' attribute; the id is 'id'"));
    } else {
      others.emplace(name, std::move(*text));
    }
  }
  if (widget.widget_id.empty()) return util::Unexpected(std::string("item has no 'id'"));
  if (widget.owner.empty()) return util::Unexpected(std::string("item has no 'owner'"));
  widget.other_attributes.assign(others.begin(), others.end());
  return widget;
}

}  // namespace wc::model
