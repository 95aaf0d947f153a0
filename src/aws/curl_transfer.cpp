#include "aws/curl_transfer.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace wc::aws {

namespace {

// curl keeps a timer while a transfer runs (its timeouts), so this only bounds how long a wait
// can last should a timer ever be missing; waking up early costs one spurious timer action.
constexpr int k_max_wait_ms = 1'000;
// A cancellable transfer looks at its cancel flag at least this often.
constexpr int k_cancel_check_ms = 50;

// Ready sockets taken from the kernel per wait; more wait for the next step.
constexpr int k_max_events = 64;

std::uint32_t epoll_events(int what) {
  std::uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= EPOLLOUT;
  return events;
}

int select_bits(std::uint32_t events) {
  int bits = 0;
  if ((events & EPOLLIN) != 0) bits |= CURL_CSELECT_IN;
  if ((events & EPOLLOUT) != 0) bits |= CURL_CSELECT_OUT;
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) bits |= CURL_CSELECT_ERR;
  return bits;
}

/// `wait_ms`, or less when `deadline` comes first (0 once it has passed).
int until_deadline(int wait_ms,
                   const std::optional<std::chrono::steady_clock::time_point>& deadline) {
  if (!deadline) return wait_ms;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, wait_ms));
}

CURLcode easy_code(CURLMcode code) {
  return code == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
}

}  // namespace

CurlTransfer::CurlTransfer(CurlDrive drive) : drive_(drive), multi_(curl_multi_init()) {
  if (multi_ == nullptr) throw std::runtime_error("libcurl could not create a transfer handle");
  if (drive_ == CurlDrive::many) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      curl_multi_cleanup(multi_);
      throw std::runtime_error("libcurl transfers: no epoll instance");
    }
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlTransfer::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlTransfer::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }
  try {
    grow(1);
  } catch (...) {
    for (CURL* easy : easies_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
    if (epoll_ >= 0) ::close(epoll_);
    throw;
  }
}

CurlTransfer::~CurlTransfer() {
  // The multi handle goes first: it closes the cached connections, which may call on_socket.
  curl_multi_cleanup(multi_);
  for (CURL* easy : easies_) curl_easy_cleanup(easy);
  if (epoll_ >= 0) ::close(epoll_);
}

void CurlTransfer::grow(std::size_t handles) {
  if (handles <= easies_.size()) return;
  if (drive_ == CurlDrive::one && handles > 1) {
    throw std::logic_error("a CurlTransfer made for one transfer cannot grow");
  }
  easies_.reserve(handles);
  while (easies_.size() < handles) {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) throw std::runtime_error("libcurl could not create a transfer handle");
    easies_.push_back(easy);
  }
  // One cached connection per handle. Left at 0, curl would size the cache by the handles
  // still attached, and close connections as the last transfers of a batch finish.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(easies_.size()));
}

int CurlTransfer::on_socket(CURL*, curl_socket_t socket, int what, void* self, void*) {
  const int epoll = static_cast<CurlTransfer*>(self)->epoll_;
  if (what == CURL_POLL_REMOVE) {
    // Fails harmlessly when curl has closed the socket already (the kernel dropped it then).
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = epoll_events(what);
  event.data.fd = socket;
  if (::epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
    if (::epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) != 0) return -1;
  }
  return 0;
}

int CurlTransfer::on_timer(CURLM*, long timeout_ms, void* self) {
  auto& timer = static_cast<CurlTransfer*>(self)->timer_;
  if (timeout_ms < 0) {
    timer.reset();
  } else {
    timer = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

CURLcode CurlTransfer::perform(const std::atomic<bool>* cancel,
                               std::optional<Clock::time_point> deadline) {
  return perform_all(1, cancel, deadline).front();
}

const std::vector<CURLcode>& CurlTransfer::perform_all(std::size_t count,
                                                       const std::atomic<bool>* cancel,
                                                       std::optional<Clock::time_point> deadline) {
  count = std::min(count, easies_.size());
  results_.clear();
  if (deadline && Clock::now() >= *deadline) {
    results_.assign(count, CURLE_OPERATION_TIMEDOUT);
    return results_;
  }
  finished_.assign(count, std::nullopt);
  std::size_t added = 0;
  CURLMcode code = CURLM_OK;
  for (; added < count && code == CURLM_OK; ++added) {
    curl_easy_setopt(easies_[added], CURLOPT_PRIVATE, reinterpret_cast<void*>(added));
    code = curl_multi_add_handle(multi_, easies_[added]);
    if (code != CURLM_OK) finished_[added] = easy_code(code);
  }
  if (code != CURLM_OK) --added;  // the one that failed was not added
  int running = static_cast<int>(added);
  if (code == CURLM_OK) code = act_on_timeout(running);
  bool cancelled = false;
  bool late = false;
  while (code == CURLM_OK && running > 0) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      cancelled = true;
      break;
    }
    code = drive_ == CurlDrive::many ? step(running, cancel != nullptr, deadline, late)
                                     : step_one(running, cancel != nullptr, deadline, late);
    if (late) break;
  }
  collect(count);
  // Detaching keeps each connection open in the multi handle's cache for the next transfers.
  for (std::size_t i = 0; i < added; ++i) curl_multi_remove_handle(multi_, easies_[i]);

  for (const auto& finished : finished_) {
    if (finished) {
      results_.push_back(*finished);
    } else if (cancelled) {
      results_.push_back(CURLE_ABORTED_BY_CALLBACK);
    } else if (late) {
      results_.push_back(CURLE_OPERATION_TIMEDOUT);
    } else if (code != CURLM_OK) {
      results_.push_back(easy_code(code));
    } else {
      results_.push_back(CURLE_GOT_NOTHING);
    }
  }
  return results_;
}

void CurlTransfer::collect(std::size_t count) {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* index = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &index);
    const auto i = reinterpret_cast<std::size_t>(index);
    if (i < count && easies_[i] == message->easy_handle) finished_[i] = message->data.result;
  }
}

CURLMcode CurlTransfer::act_on_timeout(int& running) {
  return drive_ == CurlDrive::many
             ? curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running)
             : curl_multi_perform(multi_, &running);
}

CURLMcode CurlTransfer::step_one(int& running, bool cancellable,
                                 const std::optional<Clock::time_point>& deadline, bool& late) {
  // curl_multi_poll waits on the transfer's socket, and no longer than curl's own timer.
  const int wait_ms = until_deadline(cancellable ? k_cancel_check_ms : k_max_wait_ms, deadline);
  if (wait_ms > 0) {
    if (const CURLMcode code = curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
        code != CURLM_OK) {
      return code;
    }
  }
  // Woken past the deadline (it passed, or the process was frozen): curl must send nothing more.
  if (deadline && Clock::now() >= *deadline) {
    late = true;
    return CURLM_OK;
  }
  return curl_multi_perform(multi_, &running);
}

int CurlTransfer::wait_milliseconds(bool cancellable) const {
  const int cap = cancellable ? k_cancel_check_ms : k_max_wait_ms;
  if (!timer_) return cap;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*timer_ - Clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, cap));
}

CURLMcode CurlTransfer::step(int& running, bool cancellable,
                             const std::optional<Clock::time_point>& deadline, bool& late) {
  const int wait_ms = until_deadline(wait_milliseconds(cancellable), deadline);
  events_.resize(k_max_events);
  // With no socket registered (between connection attempts, say) the wait is a plain sleep.
  const int ready = wait_ms == 0 ? 0 : ::epoll_wait(epoll_, events_.data(), k_max_events, wait_ms);
  if (ready < 0) return errno == EINTR ? CURLM_OK : CURLM_INTERNAL_ERROR;
  // Woken past the deadline (it passed, or the process was frozen): curl must send nothing more.
  if (deadline && Clock::now() >= *deadline) {
    late = true;
    return CURLM_OK;
  }
  if (ready == 0) {
    // A cancellable wait may end before curl's timer: nothing to tell curl then.
    if (timer_ && Clock::now() < *timer_) return CURLM_OK;
    if (timer_ && Clock::now() >= *timer_) timer_.reset();
    return curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  // Acting on one socket can make curl close or replace another: a socket it no longer knows
  // is ignored. Timers that are due are run by each action as well.
  for (int i = 0; i < ready; ++i) {
    const CURLMcode code = curl_multi_socket_action(multi_, events_[i].data.fd,
                                                    select_bits(events_[i].events), &running);
    if (code != CURLM_OK) return code;
  }
  return CURLM_OK;
}

}  // namespace wc::aws
