#include "app/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wc::app {

namespace {

constexpr int k_poll_interval_ms = 200;  // how quickly stop() is noticed
constexpr int k_read_timeout_ms = 2000;  // a client that sends nothing is dropped

std::string http_response(const char* status, const char* content_type, const std::string& body) {
  return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

MetricsServer::~MetricsServer() { stop(); }

util::Expected<void, std::string> MetricsServer::start(int port, Render render) {
  render_ = std::move(render);
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0) {
    std::string cause = std::strerror(errno);
    ::close(listener_);
    listener_ = -1;
    return util::Unexpected("metrics port " + std::to_string(port) + " cannot be used: " + cause);
  }
  thread_ = std::thread([this] { serve(); });
  return {};
}

void MetricsServer::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
}

void MetricsServer::serve() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, k_poll_interval_ms) <= 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

void MetricsServer::answer(int client) {
  pollfd readable{client, POLLIN, 0};
  if (::poll(&readable, 1, k_read_timeout_ms) <= 0) return;
  char buffer[2048];
  ssize_t n = ::recv(client, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return;
  std::string request(buffer, static_cast<std::size_t>(n));
  std::string target = request.substr(0, request.find("\r\n"));
  if (target.rfind("GET /metrics ", 0) == 0) {
    send_all(client, http_response("200 OK", "text/plain; version=0.0.4", render_()));
  } else if (target.rfind("GET /healthz ", 0) == 0) {
    send_all(client, http_response("200 OK", "text/plain", "ok\n"));
  } else {
    send_all(client, http_response("404 Not Found", "text/plain", "not found\n"));
  }
}

}  // namespace wc::app
