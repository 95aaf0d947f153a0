#pragma once
// libcurl easy handles driven to completion on the caller's thread, with fewer system calls
// than curl_easy_perform, one transfer or many at once.

#include <curl/curl.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

namespace wc::aws {

/// Easy handles and one multi handle of their own that drives them with
/// curl_multi_socket_action: the calling thread waits on the transfers' sockets itself and tells
/// curl which way each one is ready, so curl does not poll it again before reading.
/// curl_easy_perform makes five poll calls for a request on a kept-alive connection (its wake-up
/// pipe, a liveness check, a check right after sending, the wait, a check before reading); this
/// makes three (measured on fauxqs: 11.5 polls per consumer request fell to 6.9). With several
/// handles, one thread keeps all their calls in flight at once. The connections stay in the
/// multi handle's cache between transfers (one per handle), ready for the next ones.
/// Not thread-safe: one perform at a time.
class CurlTransfer {
 public:
  /// Makes `handles` easy handles (at least one); throws std::runtime_error if libcurl cannot.
  explicit CurlTransfer(std::size_t handles = 1);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  /// The handle to set transfer `index`'s options on.
  CURL* easy(std::size_t index = 0) const { return easies_[index]; }
  std::size_t size() const { return easies_.size(); }
  /// Adds easy handles up to `handles` (never removes any); throws like the constructor.
  void grow(std::size_t handles);

  /// Runs the transfer set up on easy() to its end and returns what curl_easy_perform would;
  /// CURLE_ABORTED_BY_CALLBACK when `cancel` was raised meanwhile (checked every ~50 ms), and
  /// CURLE_OPERATION_TIMEDOUT once `deadline` has passed. The deadline is checked before the
  /// transfer starts and again each time the thread wakes, before curl may send anything: a
  /// process frozen (SIGSTOP, a VM pause) past it sends nothing more when it resumes.
  CURLcode perform(const std::atomic<bool>* cancel = nullptr,
                   std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
  /// Runs the transfers set up on easy(0) .. easy(count - 1) at once, each to its end, and
  /// returns their codes in that order, as perform() does for one. A cancel or the deadline
  /// ends every transfer not yet finished.
  std::vector<CURLcode> perform_all(
      std::size_t count, const std::atomic<bool>* cancel = nullptr,
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
  /// Reads curl's finished-transfer messages into `codes` (index of the easy handle).
  void collect(std::vector<std::optional<CURLcode>>& codes, std::size_t count);

  std::vector<CURL*> easies_;
  CURLM* multi_ = nullptr;
  std::vector<Watched> watched_;
  std::vector<pollfd> waits_;               ///< the poll set of one step, kept to reuse its memory
  std::optional<Clock::time_point> timer_;  ///< when curl wants CURL_SOCKET_TIMEOUT
};

}  // namespace wc::aws
