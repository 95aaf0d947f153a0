// transport-cpu: the CPU that one HTTP call costs this process, for several ways of making
// the calls, against one URL. It answers "how low can widget-consumer's CPU per request go on
// this server?" and "curl multi or a thread pool?" by measurement (bench/README.md).
//
//   transport-cpu --url URL --calls N --in-flight K [--modes raw,threads,multi-poll,multi-socket]
//
// Each mode makes N GETs of URL with K in flight, one mode after another, and prints one JSON
// line. CPU comes from getrusage(RUSAGE_SELF) around each mode: the modes never overlap, so
// each delta is that mode's alone. Exit status: 0 every call answered 200, 1 some call failed,
// 2 a usage error.
//
//   raw           K threads, blocking sockets, no HTTP library: the kernel floor of the
//                 connection pattern the server imposes (a new connection per call if the
//                 server says "Connection: close").
//   threads       K threads sharing one wc::aws::CurlTransport: what widget-consumer ships.
//   threads-bare  K threads, each with its own easy handle set up exactly like the multi
//                 modes' handles: threads against multi with nothing else different.
//   multi-poll    one thread, one CURLM, curl_multi_perform + curl_multi_poll.
//   multi-socket  one thread, curl_multi_socket_action driven by epoll (an event-loop design).

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aws/curl_transport.h"
#include "aws/http.h"
#include "aws/url.h"
#include "util/expected.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_exit_failed_calls = 1;
constexpr int k_exit_usage = 2;
constexpr std::uint64_t k_errors_printed = 5;  // enough to diagnose, not to flood stderr
constexpr std::size_t k_read_chunk = 16 * 1024;
constexpr long k_curl_timeout_ms = 60'000;  // a hung call must end the run, not stall it
constexpr int k_idle_wait_ms = 1'000;       // upper bound on a wait when curl sets no timer
const std::vector<std::string> k_modes = {"raw", "threads", "threads-bare", "multi-poll",
                                          "multi-socket"};

// --- the URL ----------------------------------------------------------------------------

/// The URL split the ways the modes need it.
struct Target {
  std::string url;
  std::string scheme;
  std::string host;
  std::uint16_t port = 80;
  std::string endpoint;  ///< scheme://host:port, as wc::aws::HttpRequest wants it
  std::string path;      ///< path and query, as sent on the request line
};

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

/// `url` split by aws/url (libcurl's URL parser), with the port the raw mode connects to.
wc::util::Expected<Target, std::string> parse_target(const std::string& url) {
  auto parts = wc::aws::parse_url(url);
  if (!parts) return wc::util::Unexpected(std::move(parts).error());
  Target target;
  target.url = url;
  target.scheme = parts->scheme;
  target.host = parts->host;
  target.port = default_port(target.scheme);
  if (!parts->port.empty()) {  // digits, and at most 65535: libcurl checked
    std::from_chars(parts->port.data(), parts->port.data() + parts->port.size(), target.port);
  }
  target.endpoint = fmt::format("{}://{}:{}", target.scheme, target.host, target.port);
  target.path = parts->path_and_query();
  return target;
}

// --- counting and measuring ---------------------------------------------------------------

/// What the workers of one mode share: which call is next, and what went wrong.
struct Tally {
  std::uint64_t calls = 0;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> connections{0};

  /// True if the caller may make one more call.
  bool claim() { return next.fetch_add(1) < calls; }

  void fail(const std::string& what) {
    if (errors.fetch_add(1) < k_errors_printed) std::fprintf(stderr, "%s\n", what.c_str());
  }
};

/// This process's CPU and context switches at one moment (all threads).
struct Sample {
  Clock::time_point wall;
  double user_us = 0;
  double sys_us = 0;
  long voluntary_switches = 0;
};

double microseconds(const timeval& time) { return 1e6 * time.tv_sec + time.tv_usec; }

Sample take_sample() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {Clock::now(), microseconds(usage.ru_utime), microseconds(usage.ru_stime), usage.ru_nvcsw};
}

/// `value` to `digits` decimals, so that the JSON line prints 8.825, not 8.825000000000001.
double rounded(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

void print_result(const std::string& mode, int in_flight, const Tally& tally, const Sample& begin,
                  const Sample& end) {
  const double calls = static_cast<double>(tally.calls);
  const double seconds = std::chrono::duration<double>(end.wall - begin.wall).count();
  const double user = (end.user_us - begin.user_us) / calls;
  const double sys = (end.sys_us - begin.sys_us) / calls;
  nlohmann::ordered_json line = {
      {"mode", mode},
      {"calls", tally.calls},
      {"in_flight", in_flight},
      {"seconds", rounded(seconds, 3)},
      {"calls_per_s", rounded(calls / seconds, 1)},
      {"user_us_per_call", rounded(user, 1)},
      {"sys_us_per_call", rounded(sys, 1)},
      {"cpu_us_per_call", rounded(user + sys, 1)},
      {"voluntary_switches_per_call",
       rounded(static_cast<double>(end.voluntary_switches - begin.voluntary_switches) / calls, 2)},
      {"connections", tally.connections.load()},
      {"errors", tally.errors.load()},
  };
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
}

/// Runs `worker` on `count` threads and waits for all of them.
void on_threads(int count, const std::function<void()>& worker) {
  std::vector<std::jthread> threads;
  for (int i = 0; i < count; ++i) threads.emplace_back(worker);
}

// --- raw: blocking sockets, no HTTP library -----------------------------------------------

/// Why a raw call failed; `nothing_received` on a reused connection means the server closed
/// it while idle, which is worth one retry on a new connection (as curl does).
struct RawFailure {
  bool nothing_received = false;
  std::string message;
};

struct RawResponse {
  long status = 0;
  bool close = false;  ///< the server will close: do not reuse the connection
};

std::string errno_text() { return std::strerror(errno); }

wc::util::Expected<int, std::string> connect_ipv4(const in_addr& address, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return wc::util::Unexpected("socket: " + errno_text());
  const int on = 1;
  // Like curl's CURLOPT_TCP_NODELAY: the request is one write, the reply must not wait.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(port);
  peer.sin_addr = address;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0) {
    const std::string error = "connect: " + errno_text();
    ::close(fd);
    return wc::util::Unexpected(error);
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a peer that closed must give EPIPE, not kill the process.
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

/// Appends what one recv() gives; 0 means the peer closed, -1 an error.
ssize_t receive_more(int fd, std::string& buffer) {
  // A stack chunk, not buffer.resize(): the floor should not include zero-filling 16 KiB.
  std::array<char, k_read_chunk> chunk;
  ssize_t got = 0;
  do {
    got = ::recv(fd, chunk.data(), chunk.size(), 0);
  } while (got < 0 && errno == EINTR);
  if (got > 0) buffer.append(chunk.data(), static_cast<std::size_t>(got));
  return got;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool icontains(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (iequals(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

/// The status, Content-Length and whether the server closes, from the header block.
struct ParsedHead {
  RawResponse response;
  std::optional<std::size_t> content_length;
};

std::optional<ParsedHead> parse_head(std::string_view head) {
  ParsedHead parsed;
  const auto status_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, status_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) return std::nullopt;
  std::from_chars(status_line.data() + 9, status_line.data() + 12, parsed.response.status);
  // HTTP/1.0 closes unless the server says otherwise.
  bool keep_alive = status_line[7] != '0';
  for (auto start = status_end + 2; start < head.size();) {
    const auto end = std::min(head.find("\r\n", start), head.size());
    const std::string_view line = head.substr(start, end - start);
    start = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    if (iequals(name, "Content-Length")) {
      std::size_t length = 0;
      std::from_chars(value.data(), value.data() + value.size(), length);
      parsed.content_length = length;
    } else if (iequals(name, "Connection") && icontains(value, "close")) {
      keep_alive = false;
    } else if (iequals(name, "Connection") && icontains(value, "keep-alive")) {
      keep_alive = true;
    }
  }
  parsed.response.close = !keep_alive;
  return parsed;
}

/// Reads one response: headers, then exactly Content-Length bytes of body (or, without a
/// length, everything until the server closes).
wc::util::Expected<RawResponse, RawFailure> read_response(int fd, std::string& buffer) {
  buffer.clear();
  std::size_t head_end = std::string::npos;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t got = receive_more(fd, buffer);
    if (got <= 0) {
      return wc::util::Unexpected(RawFailure{buffer.empty(), "connection ended in headers"});
    }
  }
  auto parsed = parse_head(std::string_view(buffer).substr(0, head_end + 2));
  if (!parsed) return wc::util::Unexpected(RawFailure{false, "not an HTTP/1.x response"});
  const std::size_t body_start = head_end + 4;
  while (!parsed->content_length || buffer.size() < body_start + *parsed->content_length) {
    const ssize_t got = receive_more(fd, buffer);
    if (got == 0 && !parsed->content_length) {  // no length: the body ends at the close
      parsed->response.close = true;
      return parsed->response;
    }
    if (got <= 0) return wc::util::Unexpected(RawFailure{false, "connection ended in body"});
  }
  return parsed->response;
}

/// One thread's connection; closed on reuse-unfriendly answers and reopened on demand.
class RawConnection {
 public:
  RawConnection(const in_addr& address, const Target& target)
      : address_(address),
        port_(target.port),
        request_(fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\n\r\n", target.path, target.host,
                             target.port)) {}
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void call(Tally& tally);

 private:
  wc::util::Expected<RawResponse, RawFailure> attempt(Tally& tally);
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  in_addr address_;
  std::uint16_t port_;
  std::string request_;
  std::string buffer_;
  int fd_ = -1;
};

wc::util::Expected<RawResponse, RawFailure> RawConnection::attempt(Tally& tally) {
  if (fd_ < 0) {
    auto fd = connect_ipv4(address_, port_);
    if (!fd) return wc::util::Unexpected(RawFailure{false, fd.error()});
    fd_ = *fd;
    ++tally.connections;
  }
  if (!send_all(fd_, request_)) {
    return wc::util::Unexpected(RawFailure{true, "send: " + errno_text()});
  }
  return read_response(fd_, buffer_);
}

void RawConnection::call(Tally& tally) {
  const bool reused = fd_ >= 0;
  auto response = attempt(tally);
  if (!response && reused && response.error().nothing_received) {
    close();  // the server dropped the idle connection; this is not the call's failure
    response = attempt(tally);
  }
  if (!response) {
    close();
    return tally.fail("raw GET: " + response.error().message);
  }
  if (response->close) close();
  if (response->status != 200) tally.fail(fmt::format("raw GET: HTTP {}", response->status));
}

/// The address raw mode connects to: it speaks plain HTTP and resolves no names.
std::optional<in_addr> raw_address(const Target& target) {
  in_addr address{};
  if (target.scheme != "http" || ::inet_pton(AF_INET, target.host.c_str(), &address) != 1) {
    return std::nullopt;
  }
  return address;
}

void run_raw(const Target& target, int in_flight, Tally& tally) {
  const in_addr address = raw_address(target).value();  // main checked it
  on_threads(in_flight, [&] {
    RawConnection connection(address, target);
    while (tally.claim()) connection.call(tally);
  });
}

// --- threads: widget-consumer's own transport ---------------------------------------------

void run_threads(const Target& target, int in_flight, Tally& tally) {
  wc::aws::CurlTransport transport;
  wc::aws::HttpRequest request;
  request.endpoint = target.endpoint;
  request.path = target.path;  // already encoded, query included: url() appends it as is
  on_threads(in_flight, [&] {
    while (tally.claim()) {
      auto response = transport.send(request);
      if (!response) {
        tally.fail("CurlTransport: " + response.error().message);
      } else if (response->status != 200) {
        tally.fail(fmt::format("CurlTransport: HTTP {}", response->status));
      }
    }
  });
  tally.connections = transport.connections_opened();
}

// --- curl multi: shared by both event-loop modes ------------------------------------------

/// One in-flight transfer of a multi mode; the handle (and its connection) is reused.
struct EasyCall {
  CURL* curl = nullptr;
  std::string body;
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<EasyCall*>(user)->body.append(data, size * count);
  return size * count;
}

/// Sets a handle up for one GET the way CurlTransport does (reset keeps the connection).
void prepare(EasyCall& call, const Target& target) {
  curl_easy_reset(call.curl);
  call.body.clear();
  curl_easy_setopt(call.curl, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(call.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(call.curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(call.curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(call.curl, CURLOPT_TIMEOUT_MS, k_curl_timeout_ms);
  curl_easy_setopt(call.curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(call.curl, CURLOPT_WRITEDATA, &call);
  curl_easy_setopt(call.curl, CURLOPT_PRIVATE, &call);
}

/// Owns the multi handle and the K easy handles of one multi mode.
class MultiCalls {
 public:
  MultiCalls(const Target& target, int in_flight, Tally& tally);
  ~MultiCalls();
  MultiCalls(const MultiCalls&) = delete;
  MultiCalls& operator=(const MultiCalls&) = delete;

  CURLM* multi() const { return multi_; }
  /// Adds every handle, each with a first call (fewer if there are fewer calls).
  void start();
  bool finished() const { return done_ == tally_.calls; }
  /// Counts the finished transfers and re-adds each handle while calls remain.
  void collect();

 private:
  void start_call(EasyCall& call);
  void finish_call(CURL* curl, CURLcode result);

  const Target& target_;
  Tally& tally_;
  CURLM* multi_ = nullptr;
  std::vector<EasyCall> calls_;
  std::uint64_t done_ = 0;
};

MultiCalls::MultiCalls(const Target& target, int in_flight, Tally& tally)
    : target_(target), tally_(tally), multi_(curl_multi_init()), calls_(in_flight) {
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  for (auto& call : calls_) {
    call.curl = curl_easy_init();
    if (call.curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  }
}

MultiCalls::~MultiCalls() {
  for (auto& call : calls_) {
    curl_multi_remove_handle(multi_, call.curl);  // harmless for a handle not added
    curl_easy_cleanup(call.curl);
  }
  curl_multi_cleanup(multi_);
}

void MultiCalls::start() {
  for (auto& call : calls_) {
    if (tally_.claim()) start_call(call);
  }
}

void MultiCalls::start_call(EasyCall& call) {
  prepare(call, target_);
  curl_multi_add_handle(multi_, call.curl);
}

void MultiCalls::finish_call(CURL* curl, CURLcode result) {
  ++done_;
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  tally_.connections += static_cast<std::uint64_t>(connects);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (result != CURLE_OK) {
    tally_.fail(std::string("curl multi GET: ") + curl_easy_strerror(result));
  } else if (status != 200) {
    tally_.fail(fmt::format("curl multi GET: HTTP {}", status));
  }
}

void MultiCalls::collect() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* curl = message->easy_handle;
    const CURLcode result = message->data.result;  // message dies with remove_handle
    finish_call(curl, result);
    curl_multi_remove_handle(multi_, curl);
    EasyCall* call = nullptr;
    curl_easy_getinfo(curl, CURLINFO_PRIVATE, &call);
    if (tally_.claim()) start_call(*call);
  }
}

// --- threads-bare: blocking easy handles, set up like the multi modes' ---------------------

void run_threads_bare(const Target& target, int in_flight, Tally& tally) {
  on_threads(in_flight, [&] {
    EasyCall call;
    call.curl = curl_easy_init();
    if (call.curl == nullptr) return tally.fail("curl_easy_init failed");
    while (tally.claim()) {
      prepare(call, target);
      const CURLcode result = curl_easy_perform(call.curl);
      long connects = 0;
      curl_easy_getinfo(call.curl, CURLINFO_NUM_CONNECTS, &connects);
      tally.connections += static_cast<std::uint64_t>(connects);
      long status = 0;
      curl_easy_getinfo(call.curl, CURLINFO_RESPONSE_CODE, &status);
      if (result != CURLE_OK) {
        tally.fail(std::string("curl easy GET: ") + curl_easy_strerror(result));
      } else if (status != 200) {
        tally.fail(fmt::format("curl easy GET: HTTP {}", status));
      }
    }
    curl_easy_cleanup(call.curl);
  });
}

// --- multi-poll ---------------------------------------------------------------------------

void run_multi_poll(const Target& target, int in_flight, Tally& tally) {
  MultiCalls calls(target, in_flight, tally);
  calls.start();
  int running = 0;
  while (!calls.finished()) {
    curl_multi_perform(calls.multi(), &running);
    calls.collect();
    if (!calls.finished()) curl_multi_poll(calls.multi(), nullptr, 0, k_idle_wait_ms, nullptr);
  }
}

// --- multi-socket: curl_multi_socket_action on epoll --------------------------------------

/// What curl's socket and timer callbacks tell the loop.
struct SocketLoop {
  int epoll_fd = -1;
  std::optional<Clock::time_point> deadline;  ///< when curl wants CURL_SOCKET_TIMEOUT
};

int on_socket(CURL*, curl_socket_t socket, int what, void* user, void*) {
  auto& loop = *static_cast<SocketLoop*>(user);
  if (what == CURL_POLL_REMOVE) {
    ::epoll_ctl(loop.epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  event.data.fd = socket;
  // MOD first: curl calls again for a socket it already watches, to change the direction.
  if (::epoll_ctl(loop.epoll_fd, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
    ::epoll_ctl(loop.epoll_fd, EPOLL_CTL_ADD, socket, &event);
  }
  return 0;
}

int on_timer(CURLM*, long timeout_ms, void* user) {
  auto& loop = *static_cast<SocketLoop*>(user);
  // curl's docs: act on the timer from the loop, not from inside this callback.
  loop.deadline = timeout_ms < 0
                      ? std::nullopt
                      : std::optional(Clock::now() + std::chrono::milliseconds(timeout_ms));
  return 0;
}

int wait_ms(const SocketLoop& loop) {
  if (!loop.deadline) return k_idle_wait_ms;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*loop.deadline - Clock::now());
  return static_cast<int>(std::clamp<long>(left.count(), 0, k_idle_wait_ms));
}

int curl_events(std::uint32_t events) {
  return ((events & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
         ((events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
}

/// One turn of the loop: wait for sockets or the timer, and tell curl what happened.
void turn(SocketLoop& loop, CURLM* multi) {
  std::array<epoll_event, 64> events{};
  const int ready =
      ::epoll_wait(loop.epoll_fd, events.data(), static_cast<int>(events.size()), wait_ms(loop));
  int running = 0;
  for (int i = 0; i < ready; ++i) {
    curl_multi_socket_action(multi, events[i].data.fd, curl_events(events[i].events), &running);
  }
  if (loop.deadline && Clock::now() >= *loop.deadline) {
    loop.deadline.reset();  // before the call: curl may set a new timer inside it
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

void run_multi_socket(const Target& target, int in_flight, Tally& tally) {
  SocketLoop loop;
  loop.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0) throw std::runtime_error("epoll_create1: " + errno_text());
  {
    MultiCalls calls(target, in_flight, tally);
    curl_multi_setopt(calls.multi(), CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(calls.multi(), CURLMOPT_SOCKETDATA, &loop);
    curl_multi_setopt(calls.multi(), CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(calls.multi(), CURLMOPT_TIMERDATA, &loop);
    calls.start();
    while (!calls.finished()) {
      turn(loop, calls.multi());
      calls.collect();
    }
  }  // curl closes its sockets (and calls on_socket) before the epoll fd goes
  ::close(loop.epoll_fd);
}

// --- main ---------------------------------------------------------------------------------

using ModeRunner = void (*)(const Target&, int, Tally&);

ModeRunner runner(const std::string& mode) {
  if (mode == "raw") return run_raw;
  if (mode == "threads") return run_threads;
  if (mode == "threads-bare") return run_threads_bare;
  if (mode == "multi-poll") return run_multi_poll;
  return run_multi_socket;
}

/// Runs one mode and prints its line; returns its error count.
std::uint64_t measure(const std::string& mode, const Target& target, std::uint64_t calls,
                      int in_flight) {
  Tally tally;
  tally.calls = calls;
  const Sample begin = take_sample();
  runner(mode)(target, in_flight, tally);
  const Sample end = take_sample();
  print_result(mode, in_flight, tally, begin, end);
  if (tally.errors > 0) {
    std::fprintf(stderr, "transport-cpu: %s: %llu of %llu GETs of %s failed\n", mode.c_str(),
                 static_cast<unsigned long long>(tally.errors.load()),
                 static_cast<unsigned long long>(calls), target.url.c_str());
  }
  return tally.errors;
}

/// A usage error in the URL for the chosen modes, or nothing.
std::optional<std::string> url_problem(const wc::util::Expected<Target, std::string>& target,
                                       const std::vector<std::string>& modes) {
  if (!target) return target.error();
  const bool raw = std::find(modes.begin(), modes.end(), "raw") != modes.end();
  if (raw && !raw_address(*target)) {
    return "mode raw needs an http:// URL with a numeric IPv4 host, not " + target->url;
  }
  return std::nullopt;
}

struct Options {
  std::string url;
  std::uint64_t calls = 0;
  int in_flight = 0;
  std::vector<std::string> modes;
};

constexpr std::uint64_t k_max_calls = 100'000'000;
constexpr int k_max_in_flight = 1024;

void add_options(CLI::App& app, Options& options) {
  app.add_option("--url", options.url, "URL to GET (raw mode: http:// and a numeric IPv4 host)")
      ->required();
  app.add_option("--calls", options.calls, "GETs per mode")
      ->required()
      ->check(CLI::Range(std::uint64_t{1}, k_max_calls));
  app.add_option("--in-flight", options.in_flight, "calls in flight at once")
      ->required()
      ->check(CLI::Range(1, k_max_in_flight));
  app.add_option("--modes", options.modes,
                 fmt::format("modes, in this order (default {})", fmt::join(k_modes, ",")))
      ->delimiter(',')
      ->check(CLI::IsMember(k_modes));
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "transport-cpu: %s\n", message.c_str());
  return k_exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"transport-cpu: CPU per HTTP call for several ways of making the calls"};
  Options options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {
    return app.exit(done);  // --help
  } catch (const CLI::ParseError& error) {
    return usage_error(error.what());
  }
  if (options.modes.empty()) options.modes = k_modes;
  const auto target = parse_target(options.url);
  if (const auto problem = url_problem(target, options.modes)) return usage_error(*problem);

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "transport-cpu: curl_global_init failed\n");
    return k_exit_failed_calls;
  }
  std::uint64_t errors = 0;
  for (const auto& mode : options.modes) {
    errors += measure(mode, *target, options.calls, options.in_flight);
  }
  curl_global_cleanup();
  return errors == 0 ? 0 : k_exit_failed_calls;
}
