#include "app/metrics_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace wc::app {

namespace {

// A connection with no request in progress is closed after this long: Prometheus scrapes
// every 10 s or more, so keeping one open longer saves nothing, and the last of these waits
// is what stop() may have to wait out.
constexpr time_t k_idle_connection_seconds = 1;
constexpr time_t k_io_timeout_seconds = 2;
constexpr std::chrono::milliseconds k_start_wait{5000};
constexpr int k_listen_backlog = 128;

constexpr const char* k_metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// cpp-httplib's own pool has a fixed number of threads, and a connection holds one for as
/// long as it stays open: a few idle keep-alive connections used to stall every scrape. This
/// queue starts a thread whenever no thread is free, up to a limit, and keeps it for reuse.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t max_threads) : max_threads_(max_threads) {}

  void enqueue(std::function<void()> job) override {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    // A thread woken for an earlier job still counts as idle until it takes one: compare
    // with the jobs waiting, not with zero.
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
    } else {
      ready_.notify_one();
    }
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutting_down_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    while (true) {
      ++idle_;
      ready_.wait(lock, [this] { return shutting_down_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutting_down_ = false;
};

void answer_health(httplib::Response& response, const consumer::Health& health) {
  response.status = health.ok ? 200 : 503;
  response.set_content(health.ok ? "ok\n" : health.reason + "\n", "text/plain; charset=utf-8");
}

}  // namespace

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
  int listener = -1;  ///< the listening socket, as cpp-httplib made it
};

MetricsServer::MetricsServer() = default;

MetricsServer::~MetricsServer() { stop(); }

util::Expected<void, std::string> MetricsServer::start(const std::string& address, int port,
                                                       Handlers handlers) {
  impl_ = std::make_unique<Impl>();
  auto& server = impl_->server;
  server.new_task_queue = [] { return new ConnectionThreads(k_max_connections); };
  server.set_keep_alive_timeout(k_idle_connection_seconds);
  server.set_read_timeout(k_io_timeout_seconds, 0);
  server.set_write_timeout(k_io_timeout_seconds, 0);
  server.Get("/metrics",
             [render = handlers.metrics](const httplib::Request&, httplib::Response& response) {
               response.set_content(render(), k_metrics_content_type);
             });
  server.Get("/healthz",
             [check = handlers.liveness](const httplib::Request&, httplib::Response& response) {
               answer_health(response, check());
             });
  server.Get("/readyz",
             [check = handlers.readiness](const httplib::Request&, httplib::Response& response) {
               answer_health(response, check());
             });

  // Only SO_REUSEADDR: cpp-httplib's default adds SO_REUSEPORT, with which a second consumer
  // on the same port would share it silently instead of failing.
  server.set_socket_options([impl = impl_.get()](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    impl->listener = socket;
  });
  errno = 0;
  port_ = port == 0 ? server.bind_to_any_port(address) : port;
  if (port_ <= 0 || (port != 0 && !server.bind_to_port(address, port))) {
    std::string cause = errno != 0 ? std::strerror(errno) : "it cannot be bound";
    impl_.reset();
    port_ = 0;
    return util::Unexpected("metrics address " + address + " port " + std::to_string(port) +
                            " cannot be used: " + cause);
  }
  // cpp-httplib listens with a backlog of 5: a burst of connections (probes and scrapes at
  // once) beyond that waits a second for SYN retransmission. Linux takes a new backlog for a
  // socket already listening.
  if (impl_->listener >= 0) ::listen(impl_->listener, k_listen_backlog);
  impl_->thread = std::thread([&server] { server.listen_after_bind(); });
  // stop() before the server loop runs would be lost (cpp-httplib ignores it then).
  auto deadline = std::chrono::steady_clock::now() + k_start_wait;
  while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

void MetricsServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_.reset();
}

}  // namespace wc::app
