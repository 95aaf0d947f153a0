// The operations endpoint over real sockets: paths, query strings, health answers, and a scrape
// that idle connections do not hold up.

#include "app/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace wc::app {
namespace {

using namespace std::chrono_literals;

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// One GET over a fresh connection: the whole response (status line, headers, body).
std::string get(int port, const std::string& target) {
  int fd = connect_to(port);
  if (fd < 0) return "connect failed";
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return "send failed";
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return response;
}

bool has_status(const std::string& response, int status) {
  return response.rfind("HTTP/1.1 " + std::to_string(status) + " ", 0) == 0;
}

std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

struct MetricsServerTest : ::testing::Test {
  MetricsServer server;
  std::atomic<bool> ready{true};

  void SetUp() override {
    MetricsServer::Handlers handlers;
    handlers.metrics = [] { return std::string("widget_consumer_up 1\n"); };
    handlers.liveness = [] { return consumer::Health{}; };
    handlers.readiness = [this] {
      return ready ? consumer::Health{} : consumer::Health{false, "store: bucket 'w' is gone"};
    };
    auto started = server.start("127.0.0.1", 0, handlers);
    ASSERT_TRUE(started) << started.error();
    ASSERT_GT(server.port(), 0);
  }
};

TEST_F(MetricsServerTest, ServesMetricsAsPrometheusTextWhateverTheQueryString) {
  for (const std::string target : {"/metrics", "/metrics?x=1", "/metrics?name[]=a&b"}) {
    auto response = get(server.port(), target);
    EXPECT_TRUE(has_status(response, 200)) << target << ": " << response;
    EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    EXPECT_EQ(body_of(response), "widget_consumer_up 1\n") << target;
  }
}

TEST_F(MetricsServerTest, ReadyzIs503WithTheReasonAndHealthzStaysOk) {
  EXPECT_TRUE(has_status(get(server.port(), "/readyz"), 200));
  ready = false;
  auto response = get(server.port(), "/readyz?verbose");
  EXPECT_TRUE(has_status(response, 503)) << response;
  EXPECT_EQ(body_of(response), "store: bucket 'w' is gone\n");
  auto health = get(server.port(), "/healthz");
  EXPECT_TRUE(has_status(health, 200)) << health;
  EXPECT_EQ(body_of(health), "ok\n");
}

TEST_F(MetricsServerTest, UnknownPathIs404) {
  EXPECT_TRUE(has_status(get(server.port(), "/metricsx"), 404));
}

TEST_F(MetricsServerTest, ScrapeAnswersWithin100MillisecondsWithTwentyIdleConnectionsOpen) {
  // Earlier scrapes leave threads waiting for work: new connections must not queue behind the
  // idle ones for a thread that one of them took.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(has_status(get(server.port(), "/healthz"), 200));
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    int fd = connect_to(server.port());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  // Let the server accept them all and start waiting on each.
  std::this_thread::sleep_for(100ms);
  const auto started = std::chrono::steady_clock::now();
  auto response = get(server.port(), "/metrics");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  for (int fd : idle) ::close(fd);
  EXPECT_TRUE(has_status(response, 200)) << response;
  const double millis = std::chrono::duration<double, std::milli>(elapsed).count();
  RecordProperty("scrape_ms", std::to_string(millis));
  EXPECT_LT(elapsed, 100ms) << millis << " ms";
}

TEST_F(MetricsServerTest, StopsPromptlyWithAnIdleConnectionOpen) {
  int fd = connect_to(server.port());
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(50ms);
  const auto started = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  ::close(fd);
  EXPECT_EQ(get(server.port(), "/metrics"), "connect failed");
}

TEST(MetricsServer, PortInUseIsAnErrorNamingAddressAndPort) {
  MetricsServer first;
  MetricsServer::Handlers handlers{[] { return std::string(); }, [] { return consumer::Health{}; },
                                   [] { return consumer::Health{}; }};
  ASSERT_TRUE(first.start("127.0.0.1", 0, handlers));
  MetricsServer second;
  auto result = second.start("127.0.0.1", first.port(), handlers);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("127.0.0.1 port " + std::to_string(first.port())),
            std::string::npos)
      << result.error();
  EXPECT_NE(result.error().find("in use"), std::string::npos) << result.error();
}

}  // namespace
}  // namespace wc::app
