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
enum class CurlDrive;

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
  /// The receive buffer of each transfer in progress (curl's default is 16 KiB). AWS answers
  /// are mostly a few hundred bytes, and hundreds of transfers may be in progress at once; a
  /// large answer (a listing, a batch of messages) takes more reads, not more memory.
  long receive_buffer_bytes = 4'096;
  /// Idle handles kept for reuse; handles returned beyond this are closed.
  std::size_t max_idle_handles = 64;
};

/// Sends requests over HTTP/1.1 with libcurl. Thread-safe: each send takes an idle handle (or
/// creates one), runs the transfer on the calling thread (see CurlTransfer), and gives the
/// handle back afterwards; send_all does the same with a batch of handles. TLS peers are verified.
/// Sends exactly the request's headers plus Content-Length, and no Expect or default Content-Type,
/// so that what the signer saw is what goes out. Failures below HTTP map to TransportErrorKind:
/// connect (refused, DNS, TLS handshake), timeout, reset (sent/received nothing or a cut-off body).
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  TransportResult send(const HttpRequest& request) override;
  /// Sends every request at once from the calling thread: one multi handle drives all their
  /// transfers, and keeps their connections for the next batch. Batches have handles of their
  /// own, apart from the single sends'.
  std::vector<TransportResult> send_all(const std::vector<const HttpRequest*>& requests) override;

  /// New connections opened so far (CURLINFO_NUM_CONNECTS summed): with reuse working this
  /// stays near the number of concurrent senders, not the number of requests.
  std::uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  /// Batches kept for reuse (with their connections): one per thread that sends batches.
  static constexpr std::size_t k_max_idle_batches = 4;

  std::unique_ptr<CurlTransfer> acquire(std::vector<std::unique_ptr<CurlTransfer>>& idle,
                                        CurlDrive drive);
  void release(std::vector<std::unique_ptr<CurlTransfer>>& idle,
               std::unique_ptr<CurlTransfer> transfer, std::size_t keep);

  CurlTransportOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlTransfer>> idle_;
  std::vector<std::unique_ptr<CurlTransfer>> idle_batches_;
  std::atomic<std::uint64_t> connections_opened_{0};
};

}  // namespace wc::aws
