#include "aws/http.h"

#include "aws/ascii.h"
#include "aws/encoding.h"

namespace wc::aws {

namespace {

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

}  // namespace

std::string HttpRequest::url() const {
  return query.empty() ? endpoint + path : endpoint + path + '?' + query_string(query);
}

std::string_view HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

std::string_view HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

std::vector<TransportResult> HttpTransport::send_all(
    const std::vector<const HttpRequest*>& requests) {
  std::vector<TransportResult> results;
  results.reserve(requests.size());
  for (const HttpRequest* request : requests) results.push_back(send(*request));
  return results;
}

}  // namespace wc::aws
