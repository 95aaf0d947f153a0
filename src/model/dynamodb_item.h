#pragma once
// The item a widget is stored as in the DynamoDB store (SPEC §5): pure layout, no I/O.

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "model/request.h"
#include "model/widget.h"
#include "util/expected.h"

namespace wc::model {

/// Names an item uses for itself; an other attribute by one of these names cannot be stored
/// as its own top-level attribute. `widgetId` is reserved too, so that no item ever has an
/// attribute that reads like a second id.
inline constexpr std::array<std::string_view, 5> k_dynamodb_reserved_names{
    "id", "owner", "label", "description", "widgetId"};

/// Why the DynamoDB store must reject `request`, or nullopt when it can apply it: a create or
/// update with an otherAttributes entry named like one of k_dynamodb_reserved_names (whatever
/// its value: even "" would remove the item's own attribute). Deletes store nothing and are
/// never rejected here.
std::optional<Rejection> dynamodb_collision(const WidgetRequest& request);

/// The item in DynamoDB's JSON wire form: {"id":{"S":widgetId},"owner":{"S":…}, "label" and
/// "description" when present, then each other attribute as {"S":value}}. `widget` must not
/// have an attribute named like k_dynamodb_reserved_names (check dynamodb_collision first).
nlohmann::json to_dynamodb_item(const Widget& widget);

/// Reads an item (the "Item" of a GetItem response) back. DynamoDB keeps no attribute order,
/// so other attributes come back sorted by name (byte order). The error names what is wrong:
/// a missing or non-string id or owner, or an attribute that is not a non-empty string (S).
util::Expected<Widget, std::string> widget_from_dynamodb_item(const nlohmann::json& item);

}  // namespace wc::model
