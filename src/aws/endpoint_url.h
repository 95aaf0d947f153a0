#pragma once
// Checking an endpoint URL given by the user (--endpoint-url), with libcurl's URL parser.

#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::aws {

/// `text` as `scheme://host[:port]` (scheme lower-cased, no trailing slash) when it is an
/// http:// or https:// URL with a host and nothing else: no user or password (they would end up
/// in logs), no path, query or fragment (requests are signed for the path they are sent to),
/// no port 0. Otherwise why not, as a clause that names `text` and says what to write instead:
/// "'127.0.0.1:9' has no scheme: write http://127.0.0.1:9 or https://127.0.0.1:9".
util::Expected<std::string, std::string> parse_endpoint_url(std::string_view text);

}  // namespace wc::aws
