#include "model/field_path.h"

#include <fmt/format.h>

#include "model/value_text.h"

namespace wc::model {

std::string FieldPath::text() const {
  if (!entry) return std::string(key);
  if (key.empty()) return fmt::format("otherAttributes[{}]", *entry);
  return fmt::format("otherAttributes[{}].{}", *entry, key);
}

std::string missing_field(const FieldPath& field) {
  return fmt::format("field '{}' is missing", field.text());
}

std::string field_must(const FieldPath& field, std::string_view rule, const nlohmann::json& value) {
  return fmt::format("field '{}' must {}, got {}", field.text(), rule, describe_value(value));
}

}  // namespace wc::model
