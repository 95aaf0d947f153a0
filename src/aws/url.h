#pragma once
// URLs taken apart by libcurl's URL API (curl_url), never by hand: every URL the program reads
// (endpoints, credential and metadata URLs, SQS queue URLs, the Host that SigV4 signs) is read
// here.

#include <optional>
#include <string>
#include <string_view>

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
util::Expected<UrlParts, std::string> parse_url(std::string_view url);

/// `text` as `scheme://host[:port]` (scheme lower-cased, no trailing slash) when it is an
/// http:// or https:// URL with a host and nothing else: no user or password (they would end up
/// in logs), no path but slashes, no query or fragment (requests are signed for the path they
/// are sent to), no port 0. Otherwise why not, as a clause that names `text` and says what to
/// write instead: "'127.0.0.1:9' has no scheme: write http://127.0.0.1:9 or https://127.0.0.1:9".
/// The rule for --endpoint-url and every configured endpoint alike.
util::Expected<std::string, std::string> parse_endpoint_url(std::string_view text);

/// The Host header libcurl sends to `endpoint` (scheme://host[:port]): host[:port], without the
/// port when it is the scheme's default. `endpoint` itself when it is not an http(s) URL.
std::string host_header(std::string_view endpoint);

/// The last non-empty segment of an http(s) URL's path ("jobs" for
/// https://sqs.eu-west-1.amazonaws.com/123456789012/jobs), empty for a URL without one;
/// nullopt when `text` is not an http(s) URL.
std::optional<std::string> last_path_segment(std::string_view text);

}  // namespace wc::aws
