#pragma once
// How an update request (SPEC §4) becomes UpdateItem expressions on the item layout of SPEC §5:
// pure code, no I/O. Every attribute name goes through a placeholder (#n0, #n1, ...) so that
// reserved words (`size`, `name`) and names DynamoDB's grammar cannot parse (`size-unit`)
// work; every value through another (:v0, :v1, ...).

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/request.h"

namespace wc::store {

/// What an update does to one top-level attribute: set it to `value`, or remove it (nullopt).
struct AttributeChange {
  std::string name;
  std::optional<std::string> value;

  bool operator==(const AttributeChange&) const = default;
};

/// The net changes of an update request, each attribute at most once: `label`, `description`,
/// then the other attributes in the order they are first named. Null (or absent) changes
/// nothing and drops out; "" removes; any other value sets. A name repeated in the request
/// takes its last non-null entry, as applying the entries one by one would. `owner` and the
/// id never appear: an update keeps them.
std::vector<AttributeChange> update_changes(const model::WidgetRequest& request);

/// One UpdateItem's UpdateExpression and the placeholders it uses.
struct UpdateExpression {
  std::string expression;                            ///< "SET #n0 = :v0, #n1 = :v1 REMOVE #n2"
  nlohmann::json names = nlohmann::json::object();   ///< "#n0" -> "label"
  nlohmann::json values = nlohmann::json::object();  ///< ":v0" -> {"S": "..."}; {} if only REMOVE
};

/// DynamoDB's limit on the length of any one expression string.
inline constexpr std::size_t k_max_expression_bytes = 4096;

/// Packs `changes` into UpdateExpressions of at most `max_bytes` each, in order, as few as
/// possible: one for any update of up to a couple of hundred attributes. Each change lands in
/// exactly one expression, so no two paths overlap within one. No changes: no expressions.
std::vector<UpdateExpression> build_update_expressions(
    const std::vector<AttributeChange>& changes, std::size_t max_bytes = k_max_expression_bytes);

}  // namespace wc::store
