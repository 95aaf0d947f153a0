#pragma once
// One libcurl easy handle driven to completion on the caller's thread, with fewer system calls
// than curl_easy_perform.

#include <curl/curl.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

namespace wc::aws {

/// An easy handle and a multi handle of its own that drives it with curl_multi_socket_action:
/// the calling thread waits on the transfer's sockets itself and tells curl which way each one
/// is ready, so curl does not poll it again before reading. curl_easy_perform makes five poll
/// calls for a request on a kept-alive connection (its wake-up pipe, a liveness check, a check
/// right after sending, the wait, a check before reading); this makes three (measured on
/// fauxqs: 11.5 polls per consumer request fell to 6.9). The connection stays in the multi
/// handle's cache between transfers, ready for the next one.
/// Not thread-safe: one transfer at a time.
class CurlTransfer {
 public:
  CurlTransfer();  ///< throws std::runtime_error if libcurl cannot make the handles
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  /// The handle to set the next transfer's options on.
  CURL* easy() const { return easy_; }

  /// Runs the transfer set up on easy() to its end and returns what curl_easy_perform would;
  /// CURLE_ABORTED_BY_CALLBACK when `cancel` was raised meanwhile (checked every ~50 ms), and
  /// CURLE_OPERATION_TIMEDOUT once `deadline` has passed. The deadline is checked before the
  /// transfer starts and again each time the thread wakes, before curl may send anything: a
  /// process frozen (SIGSTOP, a VM pause) past it sends nothing more when it resumes.
  CURLcode perform(const std::atomic<bool>* cancel = nullptr,
                   std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

 private:
  using Clock = std::chrono::steady_clock;

  /// A socket curl asked to be watched, and for what (CURL_POLL_IN, _OUT or _INOUT).
  struct Watched {
    curl_socket_t socket;
    int what;
  };

  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  /// Waits for a watched socket or curl's timer, then lets curl act on what happened.
  /// Sets `late` (and tells curl nothing) when `deadline` passed while it waited.
  CURLMcode step(int& running, bool cancellable, const std::optional<Clock::time_point>& deadline,
                 bool& late);
  int wait_milliseconds(bool cancellable) const;

  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  std::vector<Watched> watched_;
  std::vector<pollfd> waits_;               ///< the poll set of one step, kept to reuse its memory
  std::optional<Clock::time_point> timer_;  ///< when curl wants CURL_SOCKET_TIMEOUT
};

}  // namespace wc::aws
