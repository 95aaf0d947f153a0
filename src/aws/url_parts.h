#pragma once
// A URL taken apart by libcurl's URL API (never by hand).

#include <string>

#include "util/expected.h"

namespace wc::aws {

struct UrlParts {
  std::string scheme;  ///< lower case: "http", "https"
  std::string host;    ///< as written; an IPv6 address keeps its brackets
  std::string port;    ///< empty when the URL names none
  std::string path;    ///< "/" at least, as written (still percent-encoded)
  std::string query;   ///< without the '?'; empty when there is none

  /// scheme://host[:port], what HttpRequest::endpoint holds.
  std::string endpoint() const;
  /// path[?query], what HttpRequest::path holds for an unsigned request.
  std::string path_and_query() const;
};

/// Parses an absolute http(s) URL; the error names the URL and what is wrong with it.
util::Expected<UrlParts, std::string> parse_url(const std::string& url);

}  // namespace wc::aws
