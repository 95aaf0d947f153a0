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

/// Why a request was rejected, precise enough for a person to fix the producer
/// ("field 'owner' must match [A-Za-z ]+, got \"J0hn\"").
struct Rejection {
  std::string reason;
};

inline constexpr std::size_t k_max_request_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_widget_id_length = 128;

/// Parses and validates one request body (SPEC §3).
util::Expected<WidgetRequest, Rejection> parse_request(std::string_view body);

}  // namespace wc::model
