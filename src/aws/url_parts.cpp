#include "aws/url_parts.h"

#include <curl/curl.h>

#include <memory>

namespace wc::aws {

namespace {

struct UrlHandleDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};

/// One part of the URL, or empty when the URL has none.
std::string part(CURLU* handle, CURLUPart which) {
  char* value = nullptr;
  if (curl_url_get(handle, which, &value, 0) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

std::string UrlParts::endpoint() const {
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string UrlParts::path_and_query() const { return path + (query.empty() ? "" : "?" + query); }

util::Expected<UrlParts, std::string> parse_url(const std::string& url) {
  std::unique_ptr<CURLU, UrlHandleDeleter> handle(curl_url());
  if (!handle) return util::Unexpected(std::string("out of memory parsing a URL"));
  const CURLUcode parsed = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0);
  if (parsed != CURLUE_OK) {
    return util::Unexpected("'" + url + "' is not a valid URL (" + curl_url_strerror(parsed) + ")");
  }
  UrlParts parts{part(handle.get(), CURLUPART_SCHEME), part(handle.get(), CURLUPART_HOST),
                 part(handle.get(), CURLUPART_PORT), part(handle.get(), CURLUPART_PATH),
                 part(handle.get(), CURLUPART_QUERY)};
  if (parts.scheme != "http" && parts.scheme != "https") {
    return util::Unexpected("'" + url + "' is not an http:// or https:// URL");
  }
  if (parts.host.empty()) return util::Unexpected("'" + url + "' names no host");
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

}  // namespace wc::aws
