#pragma once
// A scripted HttpTransport for unit tests: records what is sent and answers from a queue.

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http.h"

namespace wc::aws::testing {

class FakeTransport : public HttpTransport {
 public:
  using Answer = util::Expected<HttpResponse, TransportError>;

  /// Queues an answer; when the queue is empty every request gets 200 with an empty body.
  void answer(long status, std::string body = {}, Headers headers = {}) {
    std::lock_guard lock(mutex_);
    answers_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void fail(TransportErrorKind kind, std::string message = "scripted failure") {
    std::lock_guard lock(mutex_);
    answers_.push_back(util::Unexpected(TransportError{kind, std::move(message)}));
  }

  Answer send(const HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(request);
    if (answers_.empty()) return HttpResponse{200, {}, {}};
    Answer next = std::move(answers_.front());
    answers_.pop_front();
    return next;
  }

  std::vector<HttpRequest> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::deque<Answer> answers_;
  std::vector<HttpRequest> sent_;
};

}  // namespace wc::aws::testing
