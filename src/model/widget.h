#pragma once
// A widget and the create/update rules of SPEC §4 (pure: no I/O).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/request.h"

namespace wc::model {

struct Widget {
  std::string widget_id;
  std::string owner;
  std::optional<std::string> label;        ///< never empty when present
  std::optional<std::string> description;  ///< never empty when present
  /// Ordered, names unique, values never empty.
  std::vector<std::pair<std::string, std::string>> other_attributes;

  bool operator==(const Widget&) const = default;
};

/// The widget a create request describes: empty strings and nulls mean absent.
Widget widget_from_create(const WidgetRequest& request);

/// Applies an update request to an existing widget (widgetId and owner never change).
void apply_update(Widget& widget, const WidgetRequest& request);

}  // namespace wc::model
