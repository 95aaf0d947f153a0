#pragma once
// The JSON document a widget is stored as in the S3 and directory stores (SPEC §5).

#include <string>
#include <string_view>

#include "model/widget.h"
#include "util/expected.h"

namespace wc::model {

/// "widgets/{owner with spaces as '-', lower-cased}/{widgetId}" (SPEC §5). Owners that differ
/// only in case share a key. The S3 store addresses every request, updates and deletes too,
/// by the key of the request's own owner.
std::string widget_key(std::string_view owner, std::string_view widget_id);

/// {"widgetId":…,"owner":…,"label":…,"description":…,"otherAttributes":[{"name":…,"value":…}]}
/// compact, in that order, with absent properties (and an empty attribute list) left out.
/// Throws nlohmann::json::type_error if a string is not valid UTF-8 (a bug: every string
/// comes from a validated document).
std::string to_json(const Widget& widget);

/// Reads a stored widget back; the error names what is wrong with the document. Lenient where
/// that loses nothing: null or "" properties and attribute values read as absent, a repeated
/// attribute name keeps its first position and last value, unknown keys are ignored.
util::Expected<Widget, std::string> widget_from_json(std::string_view json);

}  // namespace wc::model
