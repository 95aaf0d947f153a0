#pragma once
// HTTP request/response values and the transport interface the AWS clients send through.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace wc::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One HTTP request. `path` is already URI-encoded; query parameters are kept decoded and are
/// encoded (and, for signing, sorted) by whoever turns the request into bytes.
struct HttpRequest {
  std::string method = "GET";
  std::string endpoint;  ///< scheme://host[:port], no trailing slash
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;

  /// endpoint + path + "?" + the encoded query, in the order given.
  std::string url() const;
  /// Value of the first header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  long status = 0;
  Headers headers;
  std::string body;

  std::string_view header(std::string_view name) const;
};

/// `cancelled`: the thread's CallLimits::cancel was raised while the transfer ran.
enum class TransportErrorKind { connect, timeout, reset, cancelled, other };

/// A failure below HTTP: no status line was received (or the body was cut off).
struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  std::string message;
};

using TransportResult = util::Expected<HttpResponse, TransportError>;

/// Sends requests. Implementations must be safe to call from several threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual TransportResult send(const HttpRequest& request) = 0;
  /// Sends every request and returns their results in the same order. This one sends them one
  /// after another; a transport that can keep them all in flight at once overrides it.
  virtual std::vector<TransportResult> send_all(const std::vector<const HttpRequest*>& requests);
};

}  // namespace wc::aws
