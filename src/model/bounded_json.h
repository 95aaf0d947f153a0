#pragma once
// JSON parsing for input nobody on this side controls: a request body or a stored document.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::model {

/// Arrays and objects may nest this deep; a request needs 3. The limit keeps a hostile
/// document from exhausting the stack in the recursive code that walks, prints or compares it.
inline constexpr std::size_t k_max_json_depth = 64;

/// Parses `text` as one JSON value, refusing what a plain parse would accept or crash on:
/// bytes that are not valid UTF-8, a NUL byte anywhere (nlohmann would stop reading there),
/// nesting deeper than k_max_json_depth, a key repeated within one object (which parsers
/// resolve differently, so the document is ambiguous), and a number too large for a double
/// ("1e999"). Never throws.
/// The error reads as a predicate of the document: "is not valid JSON (parse error at line 1,
/// column 7: ...)", so a caller can prefix the subject ("request ", "stored widget ").
util::Expected<nlohmann::json, std::string> parse_bounded_json(std::string_view text);

/// Offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629:
/// no overlong forms, no surrogates, nothing above U+10FFFF), or nullopt when all are.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace wc::model
