#pragma once
// DynamoDB's limits on what one item may hold, checked before anything is sent so that a
// request the table cannot take is rejected with a clear reason (SPEC §3): pure code, no I/O.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/request.h"

namespace wc::store {

/// DynamoDB's item size limit, 400 KB. DynamoDB Local takes an item of exactly this size and
/// refuses one byte more; moto refuses items over 405000 bytes.
inline constexpr std::size_t k_max_item_bytes = 400 * 1024;
/// DynamoDB's documented limit on an attribute name (64 KB).
inline constexpr std::size_t k_max_attribute_name_bytes = 64 * 1024 - 1;

/// An item's size by DynamoDB's rule for string attributes: for each attribute, the UTF-8
/// bytes of its name plus those of its value. `item` is in wire form ({"name": {"S": "v"}});
/// a value of another type counts the bytes of its JSON text, an over-estimate.
std::size_t item_size(const nlohmann::json& item);

/// Why DynamoDB cannot hold what `request` writes, or nullopt: an attribute name longer than
/// k_max_attribute_name_bytes, or an item over k_max_item_bytes. For a create the whole item
/// is known. For an update only a lower bound is: the key, the shortest owner, and what the
/// update sets; the server refuses the rest ("Item size to update has exceeded the maximum
/// allowed size"), which the store reports as a failure of that request. Deletes: nullopt.
std::optional<std::string> item_limit_violation(const model::WidgetRequest& request);

}  // namespace wc::store
