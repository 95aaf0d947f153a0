#pragma once
// The JSON document a widget is stored as in the S3 and directory stores (SPEC §5).

#include <string>
#include <string_view>

#include "model/widget.h"
#include "util/expected.h"

namespace wc::model {

/// "widgets/{owner with spaces as '-', lower-cased}/{widgetId}".
std::string widget_key(std::string_view owner, std::string_view widget_id);

/// {"widgetId":…,"owner":…,"label":…,"description":…,"otherAttributes":[{"name":…,"value":…}]}
/// with absent properties (and an empty attribute list) left out.
std::string to_json(const Widget& widget);

/// Reads a stored widget back; the error names what is wrong with the document.
util::Expected<Widget, std::string> widget_from_json(std::string_view json);

}  // namespace wc::model
