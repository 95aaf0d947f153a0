#pragma once
// JSON string literals written by hand, exactly as nlohmann's dump() writes them: the string
// part of to_json's hand-written widget document, which is 8 times cheaper than nlohmann's
// (the measurement is next to to_json in widget_json.cpp).

#include <string>
#include <string_view>

namespace wc::model {

/// Appends `text` as a JSON string literal, byte for byte what nlohmann::json(text).dump()
/// writes: '"', '\\' and the control characters 0x00-0x1F escaped (\b \f \n \r \t, else
/// \u00xx in lower-case hex), every other byte as it is. Returns false, with `out` holding
/// the literal anyway, when `text` is not valid UTF-8: nlohmann's dump() throws type_error 316
/// for such a string instead.
bool append_json_string(std::string& out, std::string_view text);

}  // namespace wc::model
