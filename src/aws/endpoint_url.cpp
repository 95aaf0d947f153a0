#include "aws/endpoint_url.h"

#include <curl/curl.h>

#include <memory>

namespace wc::aws {

namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

/// One part of a parsed URL; empty when the URL has none.
std::string part_of(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return owned.get();
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

util::Expected<std::string, std::string> parse_endpoint_url(std::string_view text) {
  const std::string example = "http://HOST:PORT or https://HOST";
  if (text.empty()) {
    return util::Unexpected("is empty: give a URL such as " + example +
                            ", or leave the flag out to use AWS itself");
  }
  if (text.find("://") == std::string_view::npos) {
    return util::Unexpected(quoted(text) + " has no scheme: write http://" + std::string(text) +
                            " or https://" + std::string(text));
  }
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return util::Unexpected(std::string("cannot be checked: out of memory"));
  const std::string copy(text);
  // Any scheme parses, so that an ftp:// URL is named as the wrong scheme, not as unparsable.
  const CURLUcode parsed =
      curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (parsed != CURLUE_OK) {
    return util::Unexpected(quoted(text) + " is not a valid URL (" + curl_url_strerror(parsed) +
                            "): write " + example);
  }
  const std::string scheme = part_of(url.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") {
    return util::Unexpected(quoted(text) + " uses " + scheme +
                            "://, but only http:// and https:// are supported: write " + example);
  }
  if (!part_of(url.get(), CURLUPART_USER).empty() ||
      !part_of(url.get(), CURLUPART_PASSWORD).empty()) {
    return util::Unexpected(quoted(text) +
                            " holds a user name or password: credentials come from the AWS "
                            "credential chain, write " +
                            example);
  }
  const std::string path = part_of(url.get(), CURLUPART_PATH);
  if ((!path.empty() && path != "/") || !part_of(url.get(), CURLUPART_QUERY).empty() ||
      !part_of(url.get(), CURLUPART_FRAGMENT).empty()) {
    return util::Unexpected(quoted(text) +
                            " has a path, query or fragment: write only scheme://host[:port]");
  }
  const std::string host = part_of(url.get(), CURLUPART_HOST);
  if (host.empty()) return util::Unexpected(quoted(text) + " has no host: write " + example);
  const std::string port = part_of(url.get(), CURLUPART_PORT);
  if (port == "0") return util::Unexpected(quoted(text) + " has port 0: write " + example);
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

}  // namespace wc::aws
