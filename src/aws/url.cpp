#include "aws/url.h"

#include <curl/curl.h>

#include <memory>

namespace wc::aws {

namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

using Url = std::unique_ptr<CURLU, UrlDeleter>;

/// `text` parsed by libcurl, or libcurl's reason why not. Any scheme parses, so that a caller
/// can name an ftp:// URL as the wrong scheme rather than as unparsable.
util::Expected<Url, std::string> parsed(std::string_view text) {
  Url url(curl_url());
  if (!url) return util::Unexpected(std::string("out of memory"));
  const std::string copy(text);
  const CURLUcode code =
      curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) return util::Unexpected(std::string(curl_url_strerror(code)));
  return url;
}

/// One part of a parsed URL; empty when the URL has none.
std::string part(CURLU* url, CURLUPart which, unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, which, &value, flags) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

bool is_http(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

std::string UrlParts::endpoint() const {
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string UrlParts::path_and_query() const { return path + (query.empty() ? "" : "?" + query); }

util::Expected<UrlParts, std::string> parse_url(std::string_view url) {
  auto handle = parsed(url);
  if (!handle) {
    return util::Unexpected(quoted(url) + " is not a valid URL (" + handle.error() + ")");
  }
  CURLU* parts_of = handle->get();
  UrlParts parts{part(parts_of, CURLUPART_SCHEME), part(parts_of, CURLUPART_HOST),
                 part(parts_of, CURLUPART_PORT), part(parts_of, CURLUPART_PATH),
                 part(parts_of, CURLUPART_QUERY)};
  if (!is_http(parts.scheme)) {
    return util::Unexpected(quoted(url) + " is not an http:// or https:// URL");
  }
  if (parts.host.empty()) return util::Unexpected(quoted(url) + " names no host");
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

util::Expected<std::string, std::string> parse_endpoint_url(std::string_view text) {
  const std::string example = "http://HOST:PORT or https://HOST";
  if (text.empty()) {
    return util::Unexpected("is empty: give a URL such as " + example +
                            ", or leave the flag out to use AWS itself");
  }
  // Without "://", libcurl would read "localhost:4566" as the scheme "localhost".
  if (text.find("://") == std::string_view::npos) {
    return util::Unexpected(quoted(text) + " has no scheme: write http://" + std::string(text) +
                            " or https://" + std::string(text));
  }
  auto handle = parsed(text);
  if (!handle) {
    return util::Unexpected(quoted(text) + " is not a valid URL (" + handle.error() + "): write " +
                            example);
  }
  CURLU* url = handle->get();
  const std::string scheme = part(url, CURLUPART_SCHEME);
  if (!is_http(scheme)) {
    return util::Unexpected(quoted(text) + " uses " + scheme +
                            "://, but only http:// and https:// are supported: write " + example);
  }
  if (!part(url, CURLUPART_USER).empty() || !part(url, CURLUPART_PASSWORD).empty()) {
    return util::Unexpected(quoted(text) +
                            " holds a user name or password: credentials come from the AWS "
                            "credential chain, write " +
                            example);
  }
  const std::string path = part(url, CURLUPART_PATH);
  if (path.find_first_not_of('/') != std::string::npos || !part(url, CURLUPART_QUERY).empty() ||
      !part(url, CURLUPART_FRAGMENT).empty()) {
    return util::Unexpected(quoted(text) +
                            " has a path, query or fragment: write only scheme://host[:port]");
  }
  const std::string host = part(url, CURLUPART_HOST);
  if (host.empty()) return util::Unexpected(quoted(text) + " has no host: write " + example);
  const std::string port = part(url, CURLUPART_PORT);
  if (port == "0") return util::Unexpected(quoted(text) + " has port 0: write " + example);
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string host_header(std::string_view endpoint) {
  auto url = parsed(endpoint);
  if (!url || !is_http(part(url->get(), CURLUPART_SCHEME))) return std::string(endpoint);
  const std::string host = part(url->get(), CURLUPART_HOST);
  const std::string port = part(url->get(), CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
  return port.empty() ? host : host + ":" + port;
}

std::optional<std::string> last_path_segment(std::string_view text) {
  auto url = parse_url(text);
  if (!url) return std::nullopt;
  std::string_view path = url->path;
  while (path.ends_with('/')) path.remove_suffix(1);
  return std::string(path.substr(path.rfind('/') + 1));
}

}  // namespace wc::aws
