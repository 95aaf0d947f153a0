#pragma once
// libcurl easy handles driven to completion on the caller's thread, with fewer system calls
// than curl_easy_perform, one transfer or many at once.

#include <curl/curl.h>
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

namespace wc::aws {

/// How a CurlTransfer drives its transfers.
/// - `one`: a single transfer with curl_multi_perform and curl_multi_poll, as curl_easy_perform
///   does, but checking the cancel flag and the deadline.
/// - `many`: any number at once with curl_multi_socket_action: the thread waits on the
///   transfers' sockets itself (an epoll set that curl's socket callback keeps) and tells curl
///   which way each ready one is, so a wake-up costs the sockets that are ready, not all of
///   them. That needs curl's socket table, which is 29 KiB
///   per multi handle (911 slots): paid once for a batch, but at --concurrency 512 a table per
///   lane was 15 MB of the peak RSS, for no CPU saved on a single transfer (measured on fauxqs at
///   --concurrency 32: 0.14 ms per request either way).
enum class CurlDrive { one, many };

/// Easy handles and one multi handle of their own that drives them on the calling thread
/// (CurlDrive). The connections stay in the multi handle's cache between transfers (one per
/// handle), ready for the next ones. Not thread-safe: one perform at a time.
class CurlTransfer {
 public:
  /// Makes one easy handle; throws std::runtime_error if libcurl cannot.
  explicit CurlTransfer(CurlDrive drive = CurlDrive::one);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  /// The handle to set transfer `index`'s options on.
  CURL* easy(std::size_t index = 0) const { return easies_[index]; }
  /// Adds easy handles up to `handles` (never removes any); throws like the constructor, and
  /// std::logic_error past one handle for CurlDrive::one.
  void grow(std::size_t handles);

  /// Runs the transfer set up on easy() to its end and returns what curl_easy_perform would;
  /// CURLE_ABORTED_BY_CALLBACK when `cancel` was raised meanwhile (checked every ~50 ms), and
  /// CURLE_OPERATION_TIMEDOUT once `deadline` has passed. The deadline is checked before the
  /// transfer starts and again each time the thread wakes, before curl may send anything: a
  /// process frozen (SIGSTOP, a VM pause) past it sends nothing more when it resumes.
  CURLcode perform(const std::atomic<bool>* cancel = nullptr,
                   std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
  /// Runs the transfers set up on easy(0) .. easy(count - 1) at once, each to its end, and
  /// returns their codes in that order, as perform() does for one (valid until the next
  /// perform). A cancel or the deadline ends every transfer not yet finished.
  const std::vector<CURLcode>& perform_all(
      std::size_t count, const std::atomic<bool>* cancel = nullptr,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

 private:
  using Clock = std::chrono::steady_clock;

  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  /// Waits for a watched socket or curl's timer, then lets curl act on what happened.
  /// Sets `late` (and tells curl nothing) when `deadline` passed while it waited.
  CURLMcode step(int& running, bool cancellable, const std::optional<Clock::time_point>& deadline,
                 bool& late);
  /// CurlDrive::one's step: curl_multi_poll, then curl_multi_perform.
  CURLMcode step_one(int& running, bool cancellable,
                     const std::optional<Clock::time_point>& deadline, bool& late);
  /// Lets curl start the transfers just added, or act on its timer.
  CURLMcode act_on_timeout(int& running);
  int wait_milliseconds(bool cancellable) const;
  /// Reads curl's finished-transfer messages into finished_ (by index of the easy handle).
  void collect(std::size_t count);

  CurlDrive drive_;
  std::vector<CURL*> easies_;
  CURLM* multi_ = nullptr;
  /// CurlDrive::many: the sockets curl asked to be watched (on_socket keeps it up to date).
  int epoll_ = -1;
  std::vector<epoll_event> events_;  ///< the ready sockets of one step, kept to reuse its memory
  std::optional<Clock::time_point> timer_;  ///< when curl wants CURL_SOCKET_TIMEOUT
  /// One perform's codes, kept to reuse their memory: a lane's every call goes through here.
  std::vector<std::optional<CURLcode>> finished_;
  std::vector<CURLcode> results_;
};

}  // namespace wc::aws
