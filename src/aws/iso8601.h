#pragma once
// The timestamps credential sources send: "2024-05-01T12:00:00Z" and its variants.

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"

namespace wc::aws {

/// Parses YYYY-MM-DDTHH:MM:SS with optional fractional seconds, then "Z", "UTC" (the AWS CLI
/// v1's SSO cache) or a "+HH:MM"/"-HH:MM" offset. A space may stand for the 'T'. nullopt for
/// anything else, including a time without a zone.
std::optional<SystemTime> parse_iso8601(std::string_view text);

/// "2024-05-01T12:00:00Z" (UTC, whole seconds, rounded down).
std::string format_iso8601(SystemTime time);

}  // namespace wc::aws
