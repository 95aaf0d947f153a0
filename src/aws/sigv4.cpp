#include "aws/sigv4.h"

#include <algorithm>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/ascii.h"
#include "aws/encoding.h"
#include "aws/url.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view k_content_sha256 = "x-amz-content-sha256";

/// "20150830T123600Z": the X-Amz-Date form; its first 8 characters are the scope date.
std::string amz_date(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

/// The signature's date and scope, worked out once per signature (strftime is not free).
struct SigningTime {
  std::string date_time;  ///< X-Amz-Date
  std::string scope;      ///< date/region/service/aws4_request

  explicit SigningTime(const SigningParams& params)
      : date_time(amz_date(params.time)),
        scope(date_time.substr(0, 8) + "/" + params.region + "/" + params.service +
              "/aws4_request") {}
  std::string date() const { return date_time.substr(0, 8); }
};

/// host_header(endpoint). A thread signs for a handful of endpoints (a bucket or two, a table,
/// a queue), and libcurl's parse costs 5,800 instructions and 12 % of a signature's time
/// (bench/signing_cpu.py): each thread keeps the last few.
const std::string& host_of(const std::string& endpoint) {
  struct Cached {
    std::string endpoint, host;
  };
  constexpr std::size_t k_cached = 8;
  thread_local std::vector<Cached> cache;
  for (const auto& entry : cache) {
    if (entry.endpoint == endpoint) return entry.host;
  }
  if (cache.size() == k_cached) cache.erase(cache.begin());
  cache.push_back({endpoint, host_header(endpoint)});
  return cache.back().host;
}

/// The request's headers plus a Host header derived from the endpoint, when it has none.
/// (Headers only: copying the request would copy an object body.)
Headers with_host(const HttpRequest& request) {
  Headers headers = request.headers;
  if (request.header("host").empty() && !request.endpoint.empty()) {
    headers.emplace_back("Host", host_of(request.endpoint));
  }
  return headers;
}

/// Removes `/./`, `/../` and empty segments (botocore's normalisation, which the suite's
/// normalize-path vectors pin); keeps a trailing slash that the path had.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || path.ends_with('/')) out += '/';
  return out;
}

std::string canonical_uri(std::string_view path, bool s3_rules) {
  if (path.empty()) return "/";
  if (s3_rules) return std::string(path);
  // The path is already encoded once; SigV4 (outside S3) encodes each segment again.
  return uri_encode(normalized_path(path), /*encode_slash=*/false);
}

std::string canonical_query(const HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(request.query.size());
  for (const auto& [name, value] : request.query) {
    encoded.emplace_back(uri_encode(name), uri_encode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

/// Trims the value and collapses runs of blanks to one space; the lines of an obs-folded
/// value become comma-separated values, as the suite's get-header-value-multiline expects.
std::string canonical_header_value(std::string_view value) {
  // Most values need nothing done: no folding, no runs of blanks, nothing to trim.
  const bool plain = value.find_first_of("\r\n\t") == std::string_view::npos &&
                     value.find("  ") == std::string_view::npos && !value.starts_with(' ') &&
                     !value.ends_with(' ');
  if (plain) return std::string(value);
  std::string out;
  bool pending_space = false;
  bool pending_comma = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') {
      pending_comma = !out.empty();
      pending_space = false;
    } else if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
    } else {
      if (pending_comma) {
        out += ',';
      } else if (pending_space) {
        out += ' ';
      }
      pending_comma = pending_space = false;
      out += c;
    }
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         ///< "name:value\n" per header name, sorted
  std::string signed_names;  ///< "name1;name2"
};

/// Every header on the request except Authorization (which cannot sign itself); values of
/// repeated names are joined with ',' in the order they appear.
CanonicalHeaders canonical_headers(const Headers& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [name, value] : headers) {
    if (iequals(name, "authorization")) continue;
    entries.emplace_back(to_lower(name), canonical_header_value(value));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      out.block.back() = ',';
    } else {
      if (!out.signed_names.empty()) out.signed_names += ';';
      out.signed_names += entries[i].first;
      out.block += entries[i].first + ':';
    }
    out.block += entries[i].second + '\n';
  }
  return out;
}

std::string payload_hash(const HttpRequest& request) {
  std::string_view declared = request.header(k_content_sha256);
  return declared.empty() ? sha256_hex(request.body) : std::string(declared);
}

std::string derive_signing_key(const std::string& secret, const std::string& date,
                               const std::string& region, const std::string& service) {
  std::string key = hmac_sha256("AWS4" + secret, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, "aws4_request");
}

// The key changes once a day per secret, region and service: each thread keeps the last few
// (a consumer signs for two or three services), keyed into OpenSSL once, so that a signature
// costs only its own message's HMAC.
HmacSha256Key& signing_key(const Credentials& credentials, const SigningParams& params,
                           const std::string& date) {
  struct Cached {
    std::string secret, date, region, service;
    HmacSha256Key key;
  };
  constexpr std::size_t k_cached = 4;
  thread_local std::vector<Cached> cache;
  for (auto& entry : cache) {
    if (entry.date == date && entry.region == params.region && entry.service == params.service &&
        entry.secret == credentials.secret_access_key) {
      return entry.key;
    }
  }
  HmacSha256Key key(
      derive_signing_key(credentials.secret_access_key, date, params.region, params.service));
  if (cache.size() == k_cached) cache.erase(cache.begin());
  cache.push_back(
      {credentials.secret_access_key, date, params.region, params.service, std::move(key)});
  return cache.back().key;
}

void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [name](const auto& header) { return iequals(header.first, name); });
}

/// The canonical request of `request`, whose headers (Host included) are `headers`.
std::string canonical_request_with(const HttpRequest& request, const SigningParams& params,
                                   const CanonicalHeaders& headers) {
  return request.method + '\n' + canonical_uri(request.path, params.s3_rules) + '\n' +
         canonical_query(request) + '\n' + headers.block + '\n' + headers.signed_names + '\n' +
         payload_hash(request);
}

std::string string_to_sign_with(const SigningTime& time, const std::string& canonical) {
  return std::string(k_algorithm) + '\n' + time.date_time + '\n' + time.scope + '\n' +
         sha256_hex(canonical);
}

}  // namespace

std::string canonical_request(const HttpRequest& request, const SigningParams& params) {
  return canonical_request_with(request, params, canonical_headers(with_host(request)));
}

std::string string_to_sign(const HttpRequest& request, const SigningParams& params) {
  return string_to_sign_with(SigningTime(params), canonical_request(request, params));
}

HttpRequest sign(HttpRequest request, const Credentials& credentials, const SigningParams& params) {
  // Re-signing (a retry) must replace, not duplicate, what an earlier signature added.
  remove_header(request.headers, "authorization");
  remove_header(request.headers, "x-amz-date");
  remove_header(request.headers, "x-amz-security-token");
  request.headers = with_host(request);
  const SigningTime time(params);
  request.headers.emplace_back("X-Amz-Date", time.date_time);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (params.s3_rules && request.header(k_content_sha256).empty()) {
    request.headers.emplace_back(std::string(k_content_sha256), sha256_hex(request.body));
  }
  // The headers are canonicalised once: the same names go into the signature and the
  // Authorization header's SignedHeaders.
  const CanonicalHeaders headers = canonical_headers(request.headers);
  const std::string to_sign =
      string_to_sign_with(time, canonical_request_with(request, params, headers));
  const std::string signature =
      hex_lower(signing_key(credentials, params, time.date()).mac(to_sign));
  request.headers.emplace_back(
      "Authorization", std::string(k_algorithm) + " Credential=" + credentials.access_key_id + "/" +
                           time.scope + ", SignedHeaders=" + headers.signed_names +
                           ", Signature=" + signature);
  return request;
}

}  // namespace wc::aws
