#include "model/request.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "model/bounded_json.h"
#include "model/field_path.h"
#include "model/value_text.h"

namespace wc::model {
namespace {

using nlohmann::json;

/// A failed check: the reason to reject with.
using Problem = std::optional<std::string>;

template <typename T>
using Checked = util::Expected<T, std::string>;

struct TypeName {
  std::string_view name;
  RequestType type;
};

// The short names are what every real producer writes; the long ones are what the
// assignment's JSON schema names.
constexpr std::array k_type_names{
    TypeName{"create", RequestType::create},
    TypeName{"update", RequestType::update},
    TypeName{"delete", RequestType::remove},
    TypeName{"WidgetCreateRequest", RequestType::create},
    TypeName{"WidgetUpdateRequest", RequestType::update},
    TypeName{"WidgetDeleteRequest", RequestType::remove},
};

FieldPath top(std::string_view key) { return {key, std::nullopt}; }

// The document is parse_request's own and thrown away after reading: strings are moved out
// of it, not copied.

json* find(json& object, const FieldPath& field) {
  const auto it = object.find(field.key);
  return it == object.end() ? nullptr : &*it;
}

/// A required, non-empty string.
Checked<std::string> required_string(json& object, const FieldPath& field) {
  json* value = find(object, field);
  if (value == nullptr) return util::Unexpected(missing_field(field));
  if (!value->is_string()) return util::Unexpected(field_must(field, "be a string", *value));
  auto& text = value->get_ref<std::string&>();
  if (text.empty()) {
    return util::Unexpected(fmt::format("field '{}' must not be empty", field.text()));
  }
  return std::move(text);
}

/// A string or null; `required` says whether leaving the field out is allowed (as null).
Checked<std::optional<std::string>> nullable_string(json& object, const FieldPath& field,
                                                    bool required) {
  json* value = find(object, field);
  if (value == nullptr && required) return util::Unexpected(missing_field(field));
  if (value == nullptr || value->is_null()) return std::optional<std::string>{};
  if (!value->is_string()) {
    return util::Unexpected(field_must(field, "be a string or null", *value));
  }
  return std::optional<std::string>{std::move(value->get_ref<std::string&>())};
}

Checked<RequestType> parse_type(json& object) {
  const FieldPath field = top("type");
  const json* value = find(object, field);
  if (value == nullptr) return util::Unexpected(missing_field(field));
  if (!value->is_string()) return util::Unexpected(field_must(field, "be a string", *value));
  const auto& text = value->get_ref<const std::string&>();
  for (const TypeName& known : k_type_names) {
    if (text == known.name) return known.type;
  }
  return util::Unexpected(field_must(field,
                                     "be \"create\", \"update\" or \"delete\" (or "
                                     "\"WidgetCreateRequest\", \"WidgetUpdateRequest\", "
                                     "\"WidgetDeleteRequest\")",
                                     *value));
}

Problem check_widget_id(const std::string& id) {
  if (id.size() > k_max_widget_id_length) {
    return fmt::format("field 'widgetId' must be at most {} characters, got {}",
                       k_max_widget_id_length, describe_string(id));
  }
  const auto unprintable = std::find_if(id.begin(), id.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E;
  });
  if (unprintable != id.end()) {
    return fmt::format(
        "field 'widgetId' must contain only printable ASCII (0x20-0x7E), got byte 0x{:02X} "
        "at index {} in {}",
        static_cast<unsigned char>(*unprintable), unprintable - id.begin(), describe_string(id));
  }
  // The id becomes one segment of an S3 key and a file name: it must not name a directory.
  if (std::any_of(id.begin(), id.end(), [](char c) { return c == '/' || c == '\\'; })) {
    return fmt::format("field 'widgetId' must not contain '/' or '\\', got {}",
                       describe_string(id));
  }
  if (id == "." || id == "..") {
    return fmt::format("field 'widgetId' must not be \".\" or \"..\", got {}", describe_string(id));
  }
  return std::nullopt;
}

Problem check_owner(const std::string& owner) {
  const bool letters_and_spaces = std::all_of(owner.begin(), owner.end(), [](char c) {
    return c == ' ' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
  if (!letters_and_spaces) {
    return fmt::format("field 'owner' must contain only letters and spaces, got {}",
                       describe_string(owner));
  }
  if (owner.size() > k_max_owner_length) {
    return fmt::format("field 'owner' must be at most {} characters, got {}", k_max_owner_length,
                       describe_string(owner));
  }
  return std::nullopt;
}

Checked<RequestAttribute> parse_attribute(json& entry, std::size_t index) {
  if (!entry.is_object()) return util::Unexpected(field_must({"", index}, "be an object", entry));
  auto name = required_string(entry, {"name", index});
  if (!name) return util::Unexpected(std::move(name).error());
  // A missing value is more likely a producer bug than a deliberate "leave unchanged".
  auto value = nullable_string(entry, {"value", index}, true);
  if (!value) return util::Unexpected(std::move(value).error());
  return RequestAttribute{std::move(*name), std::move(*value)};
}

Checked<std::vector<RequestAttribute>> parse_attributes(json& object) {
  const FieldPath field = top("otherAttributes");
  json* list = find(object, field);
  std::vector<RequestAttribute> attributes;
  if (list == nullptr || list->is_null()) return attributes;
  if (!list->is_array()) return util::Unexpected(field_must(field, "be an array or null", *list));
  attributes.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto attribute = parse_attribute((*list)[i], i);
    if (!attribute) return util::Unexpected(std::move(attribute).error());
    attributes.push_back(std::move(*attribute));
  }
  return attributes;
}

/// Reads the identity fields (type, requestId, widgetId, owner) into `request`.
Problem read_identity(json& object, WidgetRequest& request) {
  auto type = parse_type(object);
  if (!type) return std::move(type).error();
  request.type = *type;
  auto request_id = required_string(object, top("requestId"));
  if (!request_id) return std::move(request_id).error();
  request.request_id = std::move(*request_id);
  auto widget_id = required_string(object, top("widgetId"));
  if (!widget_id) return std::move(widget_id).error();
  if (Problem problem = check_widget_id(*widget_id)) return problem;
  request.widget_id = std::move(*widget_id);
  auto owner = required_string(object, top("owner"));
  if (!owner) return std::move(owner).error();
  if (Problem problem = check_owner(*owner)) return problem;
  request.owner = std::move(*owner);
  return std::nullopt;
}

/// Reads label, description and otherAttributes into `request`.
Problem read_properties(json& object, WidgetRequest& request) {
  auto label = nullable_string(object, top("label"), false);
  if (!label) return std::move(label).error();
  request.label = std::move(*label);
  auto description = nullable_string(object, top("description"), false);
  if (!description) return std::move(description).error();
  request.description = std::move(*description);
  auto attributes = parse_attributes(object);
  if (!attributes) return std::move(attributes).error();
  request.other_attributes = std::move(*attributes);
  return std::nullopt;
}

util::Unexpected<Rejection> reject(std::string reason) {
  return util::Unexpected(Rejection{std::move(reason)});
}

}  // namespace

std::string_view to_string(RequestType type) {
  switch (type) {
    case RequestType::create:
      return "create";
    case RequestType::update:
      return "update";
    case RequestType::remove:
      return "delete";
  }
  return "unknown";
}

util::Expected<WidgetRequest, Rejection> parse_request(std::string_view body) {
  if (body.empty()) return reject("request is empty (0 bytes)");
  if (body.size() > k_max_request_bytes) {
    return reject(fmt::format("request is {} bytes, over the {}-byte limit", body.size(),
                              k_max_request_bytes));
  }
  auto document = parse_bounded_json(body);
  if (!document) return reject("request " + document.error());
  if (!document->is_object()) {
    return reject("request must be a JSON object, got " + describe_value(*document));
  }
  WidgetRequest request;
  if (Problem problem = read_identity(*document, request)) return reject(std::move(*problem));
  if (Problem problem = read_properties(*document, request)) return reject(std::move(*problem));
  return request;
}

}  // namespace wc::model
