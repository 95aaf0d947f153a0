#pragma once
// The HttpTransport that production uses: libcurl handles kept in a pool so that each
// handle's connection stays open and is reused by the next request that takes the handle.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "aws/http.h"

namespace wc::aws {

class CurlTransfer;

/// Limits that keep a request from hanging; the defaults suit S3, DynamoDB and SQS (whose long
/// polls last at most 20 s).
struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  /// Whole request, connection included.
  std::chrono::milliseconds total_timeout{60'000};
  /// A transfer slower than `low_speed_bytes_per_second` for `low_speed_window` is aborted as
  /// a timeout: it catches a stalled connection long before `total_timeout`.
  long low_speed_bytes_per_second = 1;
  std::chrono::seconds low_speed_window{30};
  /// Idle handles kept for reuse; handles returned beyond this are closed.
  std::size_t max_idle_handles = 64;
};

/// Sends requests over HTTP/1.1 with libcurl. Thread-safe: each send takes an idle handle (or
/// creates one), runs the transfer on the calling thread (see CurlTransfer), and gives the
/// handle back afterwards. TLS peers are verified. Sends exactly the
/// request's headers plus Content-Length, and no Expect or default Content-Type, so that what
/// the signer saw is what goes out. Failures below HTTP map to TransportErrorKind: connect
/// (refused, DNS, TLS handshake), timeout, reset (sent/received nothing or a cut-off body).
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  util::Expected<HttpResponse, TransportError> send(const HttpRequest& request) override;

  /// New connections opened so far (CURLINFO_NUM_CONNECTS summed): with reuse working this
  /// stays near the number of concurrent senders, not the number of requests.
  std::uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  std::unique_ptr<CurlTransfer> acquire();
  void release(std::unique_ptr<CurlTransfer> transfer);

  CurlTransportOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlTransfer>> idle_;
  std::atomic<std::uint64_t> connections_opened_{0};
};

}  // namespace wc::aws
