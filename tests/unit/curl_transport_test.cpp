#include "aws/curl_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/call_limits.h"

namespace wc::aws {
namespace {

/// An HTTP/1.1 server on 127.0.0.1 (a thread per connection) that records the raw requests it
/// gets and answers each with `respond(request)`; an empty answer closes the connection instead.
/// Connections are kept open between requests, as a real server does.
class ScriptedServer {
 public:
  using Responder = std::function<std::string(const std::string& request)>;

  explicit ScriptedServer(Responder respond, bool accept_connections = true)
      : respond_(std::move(respond)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("test server cannot listen");
    }
    port_ = ntohs(address.sin_port);
    if (accept_connections) thread_ = std::thread([this] { serve(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      for (int connection : connections_) ::shutdown(connection, SHUT_RDWR);
      workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
    for (int connection : connections_) ::close(connection);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stopping_) {
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      ++accepted_;
      std::lock_guard lock(mutex_);
      connections_.push_back(connection);
      workers_.emplace_back([this, connection] {
        serve_connection(connection);
        ::shutdown(connection, SHUT_RDWR);
      });
    }
  }

  void serve_connection(int connection) {
    std::string buffer;
    while (true) {
      std::string request;
      if (!read_request(connection, buffer, request)) return;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const std::string answer = respond_(request);
      if (answer.empty()) return;
      if (::send(connection, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
      if (answer.find("Connection: close") != std::string::npos) return;
    }
  }

  static bool read_request(int connection, std::string& buffer, std::string& request) {
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(connection, buffer)) return false;
    }
    std::size_t body_length = 0;
    const std::string head = buffer.substr(0, head_end);
    if (auto at = head.find("Content-Length: "); at != std::string::npos) {
      body_length = std::stoul(head.substr(at + 16));
    }
    while (buffer.size() < head_end + 4 + body_length) {
      if (!read_more(connection, buffer)) return false;
    }
    request = buffer.substr(0, head_end + 4 + body_length);
    buffer.erase(0, request.size());
    return true;
  }

  static bool read_more(int connection, std::string& buffer) {
    char chunk[65536];
    const ssize_t got = ::recv(connection, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  Responder respond_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<int> connections_;  // closed at destruction, so a shutdown never hits a reused fd
  std::vector<std::thread> workers_;
  std::thread thread_;
};

std::string ok_response(const std::string& body = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nX-Amz-Request-Id: r-1\r\n\r\n" + body;
}

HttpRequest request_to(const ScriptedServer& server, std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.endpoint = server.endpoint();
  request.path = std::move(path);
  return request;
}

/// A thread that raises `flag` after `delay`, as a stop would.
std::jthread raise_after(std::atomic<bool>& flag, std::chrono::milliseconds delay) {
  return std::jthread([&flag, delay] {
    std::this_thread::sleep_for(delay);
    flag = true;
  });
}

bool has_header_line(const std::string& raw, const std::string& prefix) {
  return raw.find("\r\n" + prefix) != std::string::npos;
}

TEST(CurlTransport, EmptyPutSendsContentLengthZeroAndNoUnaskedHeaders) {
  ScriptedServer server([](const std::string&) { return ok_response(); });
  CurlTransport transport;
  auto response = transport.send(request_to(server, "PUT", "/bucket/key"));
  ASSERT_TRUE(response) << response.error().message;
  const std::string raw = server.requests().at(0);
  EXPECT_EQ(raw.rfind("PUT /bucket/key HTTP/1.1\r\n", 0), 0u) << raw;
  EXPECT_TRUE(has_header_line(raw, "Content-Length: 0\r\n")) << raw;
  EXPECT_FALSE(has_header_line(raw, "Content-Type")) << raw;
  EXPECT_FALSE(has_header_line(raw, "Expect")) << raw;
}

TEST(CurlTransport, LargePostSendsBodyAndHeadersExactlyWithoutExpectContinue) {
  ScriptedServer server([](const std::string&) { return ok_response(); });
  CurlTransport transport;
  HttpRequest request = request_to(server, "POST", "/bucket");
  request.query = {{"delete", ""}};
  request.headers = {{"Content-Type", "application/xml"}, {"X-Empty", ""}};
  request.body = std::string(2 * 1024 * 1024, 'b');
  auto response = transport.send(request);
  ASSERT_TRUE(response) << response.error().message;
  const std::string raw = server.requests().at(0);
  EXPECT_EQ(raw.rfind("POST /bucket?delete= HTTP/1.1\r\n", 0), 0u) << raw.substr(0, 200);
  EXPECT_TRUE(has_header_line(raw, "Content-Type: application/xml\r\n"));
  EXPECT_TRUE(has_header_line(raw, "X-Empty:"));
  EXPECT_TRUE(has_header_line(raw, "Content-Length: 2097152\r\n"));
  EXPECT_FALSE(has_header_line(raw, "Expect"));
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), request.body);
}

TEST(CurlTransport, PathIsSentAsWrittenWithoutDotSegmentRemoval) {
  ScriptedServer server([](const std::string&) { return ok_response(); });
  CurlTransport transport;
  ASSERT_TRUE(transport.send(request_to(server, "GET", "/bucket/a/../b//c")));
  EXPECT_EQ(server.requests().at(0).rfind("GET /bucket/a/../b//c HTTP/1.1\r\n", 0), 0u);
}

TEST(CurlTransport, ErrorStatusIsAResponseWithHeadersAndBody) {
  ScriptedServer server([](const std::string&) {
    return std::string(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\n"
        "Content-Length: 7\r\n\r\n<Error>");
  });
  CurlTransport transport;
  auto response = transport.send(request_to(server, "GET", "/b/k"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "<Error>");
  EXPECT_EQ(response->header("content-type"), "application/xml");
}

TEST(CurlTransport, SequentialRequestsReuseOneConnection) {
  ScriptedServer server([](const std::string&) { return ok_response("hello"); });
  CurlTransport transport;
  for (int i = 0; i < 5; ++i) {
    auto response = transport.send(request_to(server, i % 2 ? "PUT" : "GET", "/b/k"));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "hello");
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(transport.connections_opened(), 1u);
}

// moto's server answers every request with "Connection: close": each send then opens a new
// connection, and the handle must not keep waiting on the socket it closed.
TEST(CurlTransport, ServerThatClosesEveryConnectionGetsANewOneEachRequest) {
  ScriptedServer server([](const std::string&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  });
  CurlTransport transport;
  for (int i = 0; i < 3; ++i) {
    auto response = transport.send(request_to(server, "GET", "/b/k"));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(server.accepted(), 3);
  EXPECT_EQ(transport.connections_opened(), 3u);
}

// A transfer's wait on its socket is cut into slices of at most a second (see CurlTransfer);
// an answer that takes longer than one slice must still be received.
TEST(CurlTransport, AnswerSlowerThanOneWaitSliceArrives) {
  ScriptedServer server([](const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds{1'300});
    return ok_response("late");
  });
  CurlTransport transport;
  auto response = transport.send(request_to(server, "GET", "/b/k"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "late");
}

TEST(CurlTransport, RefusedConnectionIsAConnectError) {
  int port;
  {
    ScriptedServer closed([](const std::string&) { return std::string(); }, false);
    port = std::stoi(closed.endpoint().substr(closed.endpoint().rfind(':') + 1));
  }
  CurlTransport transport;
  HttpRequest request;
  request.endpoint = "http://127.0.0.1:" + std::to_string(port);
  auto response = transport.send(request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::connect) << response.error().message;
}

TEST(CurlTransport, OnlyHttpAndHttpsAreSpoken) {
  CurlTransport transport;
  HttpRequest request;
  request.endpoint = "file://";
  request.path = "/etc/hostname";
  auto response = transport.send(request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::other) << response.error().message;
}

TEST(CurlTransport, ServerThatNeverAnswersTimesOut) {
  // Listening without accepting: the kernel completes the handshake, nobody answers.
  ScriptedServer silent([](const std::string&) { return std::string(); }, false);
  CurlTransportOptions options;
  options.total_timeout = std::chrono::milliseconds{300};
  CurlTransport transport(options);
  auto response = transport.send(request_to(silent, "GET", "/b/k"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::timeout) << response.error().message;
}

// aws::CallLimits: a call whose deadline passed (a lease that ended while the process was
// frozen, say) sends nothing; a cancel flag ends a call in progress; a deadline cuts a slow one.
TEST(CurlTransport, CallWhoseDeadlinePassedBeforeItStartsSendsNothing) {
  ScriptedServer server([](const std::string&) { return ok_response("applied"); });
  aws::CallScope late({aws::CallClock::now() - std::chrono::milliseconds{1}, nullptr});
  auto response = CurlTransport().send(request_to(server, "PUT", "/b/k"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::timeout);
  EXPECT_EQ(server.accepted(), 0) << "not even a connection";
}

TEST(CurlTransport, DeadlineCutsACallInProgress) {
  ScriptedServer silent([](const std::string&) { return std::string(); }, false);
  const auto started = std::chrono::steady_clock::now();
  aws::CallScope bounded({aws::CallClock::now() + std::chrono::milliseconds{200}, nullptr});
  auto response = CurlTransport().send(request_to(silent, "GET", "/b/k"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{1'000});
}

TEST(CurlTransport, CancelFlagEndsACallInProgress) {
  ScriptedServer silent([](const std::string&) { return std::string(); }, false);
  std::atomic<bool> cancel{false};
  std::jthread stopper = raise_after(cancel, std::chrono::milliseconds{100});
  const auto started = std::chrono::steady_clock::now();
  aws::CallScope cancellable({std::nullopt, &cancel});
  auto response = CurlTransport().send(request_to(silent, "GET", "/b/k"));
  stopper.join();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{1'000});
}

TEST(CurlTransport, BodyCutShortIsAReset) {
  ScriptedServer server([](const std::string&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nabc");
  });
  CurlTransport transport;
  auto response = transport.send(request_to(server, "GET", "/b/k"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::reset) << response.error().message;
}

TEST(CurlTransport, ConnectionClosedWithoutAnswerIsAReset) {
  ScriptedServer server([](const std::string&) { return std::string(); });
  CurlTransport transport;
  auto response = transport.send(request_to(server, "GET", "/b/k"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, TransportErrorKind::reset) << response.error().message;
}

TEST(CurlTransport, ConcurrentSendersEachGetTheirOwnAnswer) {
  ScriptedServer server([](const std::string& request) {
    const auto start = request.find(' ') + 1;
    return ok_response(request.substr(start, request.find(' ', start) - start));
  });
  CurlTransport transport;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto response = transport.send(request_to(server, "GET", path));
        if (!response || response->body != path) ++mismatches;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// send_all: many calls in flight from one thread, each answer with its own request.
std::string echo_path(const std::string& request) {
  const auto start = request.find(' ') + 1;
  return ok_response(request.substr(start, request.find(' ', start) - start));
}

TEST(CurlTransportBatch, EveryRequestGetsItsOwnAnswerInOrderAndConnectionsAreKept) {
  ScriptedServer server(echo_path);
  CurlTransport transport;
  std::vector<HttpRequest> requests;
  for (int i = 0; i < 40; ++i)
    requests.push_back(request_to(server, "GET", "/k" + std::to_string(i)));
  std::vector<const HttpRequest*> pointers;
  for (const auto& request : requests) pointers.push_back(&request);

  for (int round = 0; round < 2; ++round) {
    auto results = transport.send_all(pointers);
    ASSERT_EQ(results.size(), requests.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      ASSERT_TRUE(results[i]) << results[i].error().message;
      EXPECT_EQ(results[i]->status, 200);
      EXPECT_EQ(results[i]->body, requests[i].path);
    }
  }
  EXPECT_EQ(server.requests().size(), 80u);
  // The second batch finds the first one's connections open: none is opened anew.
  EXPECT_LE(transport.connections_opened(), 40u);
  EXPECT_EQ(server.accepted(), static_cast<int>(transport.connections_opened()));
}

TEST(CurlTransportBatch, ARequestThatFailsDoesNotSpoilTheOthers) {
  ScriptedServer server(echo_path);
  int closed_port;
  {
    ScriptedServer closed([](const std::string&) { return std::string(); }, false);
    closed_port = std::stoi(closed.endpoint().substr(closed.endpoint().rfind(':') + 1));
  }
  HttpRequest first = request_to(server, "GET", "/first");
  HttpRequest refused = first;
  refused.endpoint = "http://127.0.0.1:" + std::to_string(closed_port);
  HttpRequest last = request_to(server, "PUT", "/last");
  last.body = "body";
  CurlTransport transport;
  auto results = transport.send_all({&first, &refused, &last});
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0]) << results[0].error().message;
  EXPECT_EQ(results[0]->body, "/first");
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().kind, TransportErrorKind::connect) << results[1].error().message;
  ASSERT_TRUE(results[2]) << results[2].error().message;
  EXPECT_EQ(results[2]->body, "/last");
  ASSERT_EQ(server.requests().size(), 2u);
}

TEST(CurlTransportBatch, CancelFlagEndsEveryCallStillInProgress) {
  // One request is answered at once, two never are.
  ScriptedServer server([](const std::string& request) {
    if (request.find("/quick") == std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds{3'000});
    }
    return ok_response("done");
  });
  HttpRequest quick = request_to(server, "GET", "/quick");
  HttpRequest slow = request_to(server, "GET", "/slow");
  HttpRequest slower = request_to(server, "GET", "/slower");
  std::atomic<bool> cancel{false};
  std::jthread stopper = raise_after(cancel, std::chrono::milliseconds{300});
  const auto started = std::chrono::steady_clock::now();
  aws::CallScope cancellable({std::nullopt, &cancel});
  auto results = CurlTransport().send_all({&slow, &quick, &slower});
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{1'500});
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[1]) << results[1].error().message;
  EXPECT_EQ(results[1]->body, "done");
  for (std::size_t i : {0u, 2u}) {
    ASSERT_FALSE(results[i]);
    EXPECT_EQ(results[i].error().kind, TransportErrorKind::cancelled);
  }
}

TEST(CurlTransportBatch, ABatchWhoseDeadlinePassedSendsNothing) {
  ScriptedServer server(echo_path);
  HttpRequest one = request_to(server, "PUT", "/a");
  HttpRequest two = request_to(server, "PUT", "/b");
  aws::CallScope late({aws::CallClock::now() - std::chrono::milliseconds{1}, nullptr});
  auto results = CurlTransport().send_all({&one, &two});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, TransportErrorKind::timeout);
  }
  EXPECT_EQ(server.accepted(), 0);
}

}  // namespace
}  // namespace wc::aws
