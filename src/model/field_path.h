#pragma once
// Names a field of a request or a stored widget in an error message.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace wc::model {

/// Where a field is: `key` of the top-level object, or of entry `entry` of otherAttributes
/// (an empty key names the entry itself). Cheap to make: its text is built only when a
/// message needs it, since nearly every field read finds nothing wrong.
struct FieldPath {
  std::string_view key;
  std::optional<std::size_t> entry;

  /// "owner", "otherAttributes[2]", "otherAttributes[2].name".
  std::string text() const;
};

/// "field 'PATH' is missing".
std::string missing_field(const FieldPath& field);

/// "field 'PATH' must RULE, got VALUE", the value as describe_value shows it.
std::string field_must(const FieldPath& field, std::string_view rule, const nlohmann::json& value);

}  // namespace wc::model
