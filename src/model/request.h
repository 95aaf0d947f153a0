#pragma once
// A widget request as the producer writes it, and the rules that accept or reject one.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace wc::model {

enum class RequestType { create, update, remove };

/// "create", "update", "delete".
std::string_view to_string(RequestType type);

struct RequestAttribute {
  std::string name;
  std::optional<std::string> value;  ///< nullopt: JSON null
};

struct WidgetRequest {
  RequestType type = RequestType::create;
  std::string request_id;
  std::string widget_id;
  std::string owner;
  std::optional<std::string> label;        ///< nullopt: absent or null
  std::optional<std::string> description;  ///< nullopt: absent or null
  std::vector<RequestAttribute> other_attributes;
};

/// Why a request was rejected, precise enough for a person to fix the producer: names the
/// field and the cause, and quotes the offending value cut short
/// ("field 'owner' must contain only letters and spaces, got \"J0hn\"").
struct Rejection {
  std::string reason;
};

inline constexpr std::size_t k_max_request_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_widget_id_length = 128;
/// SPEC §3 gives no bound; this one keeps `widgets/{owner}/{widgetId}` a valid S3 key
/// (1024 bytes) and each part a valid file name (255 bytes) in the directory store.
inline constexpr std::size_t k_max_owner_length = 128;

/// Parses and validates one request body (SPEC §3). Accepted: a UTF-8 JSON object of at most
/// k_max_request_bytes with `type` (create/update/delete or WidgetCreateRequest/
/// WidgetUpdateRequest/WidgetDeleteRequest), non-empty `requestId`, `widgetId` (1 to
/// k_max_widget_id_length printable ASCII characters, no '/' or '\\', not "." or ".."),
/// `owner` (1 to k_max_owner_length letters and spaces), `label`/`description` string or null,
/// `otherAttributes` null or an array of objects with a non-empty string `name` and a string or
/// null `value` (both required; other keys ignored). Other top-level fields are ignored.
/// Everything else is rejected with the first problem found, checked in that order; so are
/// JSON nested deeper than k_max_json_depth and an object with a repeated key.
util::Expected<WidgetRequest, Rejection> parse_request(std::string_view body);

}  // namespace wc::model
