#include "model/widget.h"

#include <algorithm>

namespace wc::model {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

Attributes::iterator find_attribute(Attributes& attributes, const std::string& name) {
  return std::find_if(attributes.begin(), attributes.end(),
                      [&](const auto& attribute) { return attribute.first == name; });
}

/// Sets `name` in place, or appends it when new; an empty value removes it instead.
void set_attribute(Attributes& attributes, const std::string& name, const std::string& value) {
  const auto existing = find_attribute(attributes, name);
  if (value.empty()) {
    if (existing != attributes.end()) attributes.erase(existing);
  } else if (existing != attributes.end()) {
    existing->second = value;
  } else {
    attributes.emplace_back(name, value);
  }
}

/// A property as a create states it: nothing, null and "" all mean absent.
std::optional<std::string> created_property(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  return value;
}

/// A property after an update: null keeps it, "" removes it, anything else replaces it.
void update_property(std::optional<std::string>& property,
                     const std::optional<std::string>& requested) {
  if (!requested) return;
  if (requested->empty()) {
    property.reset();
  } else {
    property = requested;
  }
}

}  // namespace

Widget widget_from_create(const WidgetRequest& request) {
  Widget widget{request.widget_id,
                request.owner,
                created_property(request.label),
                created_property(request.description),
                {}};
  for (const RequestAttribute& attribute : request.other_attributes) {
    // In a create, null states "absent" just as "" does.
    set_attribute(widget.other_attributes, attribute.name, attribute.value.value_or(""));
  }
  return widget;
}

void apply_update(Widget& widget, const WidgetRequest& request) {
  update_property(widget.label, request.label);
  update_property(widget.description, request.description);
  for (const RequestAttribute& attribute : request.other_attributes) {
    if (attribute.value) set_attribute(widget.other_attributes, attribute.name, *attribute.value);
  }
}

}  // namespace wc::model
