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

/// The widget a create request describes (SPEC §4): an empty or null label or description is
/// absent. Attributes are applied one by one in request order, as an update applies them to a
/// widget with none, except that null also means absent: a repeated name stays where it was
/// first set and takes the last value, and an empty or null entry removes what an earlier
/// entry of that name set.
Widget widget_from_create(const WidgetRequest& request);

/// The same, moving the request's strings into the widget instead of copying them.
Widget widget_from_create(WidgetRequest&& request);

/// Applies an update request to an existing widget (SPEC §4); widgetId and owner never change.
/// label/description: null or absent keeps, "" removes, any other value sets. Attributes, entry
/// by entry in request order: null keeps, "" removes, a value sets in place or appends; names
/// the request does not mention are kept.
void apply_update(Widget& widget, const WidgetRequest& request);

}  // namespace wc::model
