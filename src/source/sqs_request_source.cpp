#include "source/sqs_request_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "aws/error_class.h"

namespace wc::source {

namespace {

using Clock = std::chrono::steady_clock;

// SQS's own default, for credentials that may not read the queue's attributes.
constexpr std::chrono::seconds k_default_visibility_timeout{30};
// A shorter lease leaves the heartbeat no time to renew it.
constexpr std::chrono::seconds k_min_lease{2};

const std::vector<std::string> k_system_attributes = {"MessageGroupId", "ApproximateReceiveCount"};

std::string random_attempt_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

std::optional<long> parse_long(const std::string& text) {
  long value = 0;
  auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

SqsRequestSource::SqsRequestSource(std::shared_ptr<aws::SqsClient> client, std::string queue,
                                   SqsSourceOptions options)
    : client_(std::move(client)), queue_(std::move(queue)), options_(std::move(options)) {}

SqsRequestSource::~SqsRequestSource() {
  heartbeat_.reset();  // no renewal may race the release
  if (held_) release_held(held_->take_all());
}

std::string SqsRequestSource::describe() const {
  return "SQS queue '" + aws::queue_name_of(queue_) + "'";
}

SourceError SqsRequestSource::error(const aws::AwsError& error) const {
  return SourceError{"request source " + describe() + ": " + error.describe(),
                     aws::classify(error) == aws::ErrorClass::access};
}

void SqsRequestSource::warn(const std::string& message) const {
  if (options_.warn) options_.warn(describe() + ": " + message);
}

util::Expected<void, SourceError> SqsRequestSource::check() {
  if (held_) return {};
  if (auto resolved = resolve_queue(); !resolved) return resolved;
  std::chrono::seconds visibility = k_default_visibility_timeout;
  fifo_ = aws::is_fifo_queue_name(aws::queue_name_of(queue_url_));
  auto attributes = client_->get_queue_attributes(queue_url_, {"VisibilityTimeout", "FifoQueue"});
  if (attributes) {
    if (auto seconds = parse_long((*attributes)["VisibilityTimeout"])) {
      visibility = std::chrono::seconds(*seconds);
    }
    fifo_ = fifo_ || (*attributes)["FifoQueue"] == "true";
  } else if (attributes.error().code == "AccessDenied" ||
             attributes.error().code == "AccessDeniedException") {
    warn(
        fmt::format("cannot read the queue's attributes ({}); assuming a visibility timeout "
                    "of {} s",
                    attributes.error().code, k_default_visibility_timeout.count()));
  } else {
    return util::Unexpected(error(attributes.error()));
  }
  held_ = std::make_unique<HeldMessages>(std::max(visibility, k_min_lease));
  heartbeat_ = std::make_unique<VisibilityHeartbeat>(
      *held_,
      [this](const std::vector<std::string>& receipts, int seconds) {
        return renew(receipts, seconds);
      },
      [this](const std::string& message) { warn(message); }, options_.on_leases);
  heartbeat_->start();
  return {};
}

util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> SqsRequestSource::renew(
    const std::vector<std::string>& receipts, int seconds) {
  // Under the lock, and only for messages still held: a renewal sent after a release could
  // hide a message that was just given back (release_held takes the same lock).
  std::lock_guard lock(visibility_mutex_);
  std::vector<aws::SqsReceiptEntry> entries;
  for (const auto& receipt : receipts) {
    if (held_->holds(receipt))
      entries.push_back({std::to_string(entries.size()), receipt, seconds});
  }
  std::vector<VisibilityHeartbeat::RenewFailure> failures;
  if (entries.empty()) return failures;
  auto result = client_->change_message_visibility_batch(queue_url_, entries);
  if (!result) return util::Unexpected(result.error().describe());
  for (const auto& failed : result->failed) {
    auto index = parse_long(failed.id);
    if (!index || *index < 0 || *index >= static_cast<long>(entries.size())) continue;
    failures.push_back({entries[static_cast<std::size_t>(*index)].receipt_handle,
                        failed.code + ": " + failed.message});
  }
  return failures;
}

util::Expected<void, SourceError> SqsRequestSource::resolve_queue() {
  if (aws::is_queue_url(queue_)) {
    queue_url_ = queue_;
    return {};
  }
  auto url = client_->get_queue_url(queue_);
  if (!url) return util::Unexpected(error(url.error()));
  queue_url_ = std::move(*url);
  return {};
}

int SqsRequestSource::receive_wait_seconds() {
  const auto now = Clock::now();
  // The consumer counts idleness from the first poll after the last request it got.
  if (!idle_since_ || last_poll_found_) idle_since_ = now;
  auto wait = std::clamp<std::chrono::seconds>(options_.queue_wait, std::chrono::seconds(0),
                                               std::chrono::seconds(aws::k_sqs_max_wait_seconds));
  if (options_.idle_timeout.count() > 0) {
    // Rounded up: the receive then ends just after the idle timeout, which the consumer sees
    // at once, instead of just before it, which would cost another receive.
    auto left =
        std::chrono::ceil<std::chrono::seconds>(options_.idle_timeout - (now - *idle_since_));
    wait = std::clamp(left, std::chrono::seconds(0), wait);
  }
  return static_cast<int>(wait.count());
}

util::Expected<std::vector<SourceRequest>, SourceError> SqsRequestSource::poll(std::size_t max) {
  if (auto ready = check(); !ready) return util::Unexpected(std::move(ready.error()));
  aws::SqsReceiveRequest receive;
  receive.queue_url = queue_url_;
  receive.max_messages = static_cast<int>(std::clamp<std::size_t>(max, 1, aws::k_sqs_max_batch));
  receive.wait_seconds = receive_wait_seconds();
  receive.visibility_timeout =
      static_cast<int>(std::chrono::ceil<std::chrono::seconds>(held_->lease()).count());
  if (fifo_) receive.receive_request_attempt_id = random_attempt_id();
  receive.system_attribute_names = k_system_attributes;

  auto messages = client_->receive_message(receive);
  if (!messages) return util::Unexpected(error(messages.error()));
  const auto received = Clock::now();
  last_poll_found_ = !messages->empty();
  std::vector<SourceRequest> requests;
  for (auto& message : *messages) {
    if (auto count = parse_long(message.attribute("ApproximateReceiveCount")); count > 1) {
      // Normal after a crash or a stop elsewhere; worth a word when it keeps happening.
      warn(fmt::format("{}: delivered {} times; an earlier receive did not finish it",
                       message.message_id, *count));
    }
    requests.push_back(SourceRequest{message.message_id, message.body.size(), std::nullopt,
                                     message.receipt_handle});
    held_->add(HeldMessage{std::move(message.receipt_handle), std::move(message.message_id),
                           message.attribute("MessageGroupId"), std::move(message.body),
                           received + held_->lease()});
  }
  return requests;
}

util::Expected<std::optional<std::string>, SourceError> SqsRequestSource::read(
    const SourceRequest& request) {
  if (!held_) return std::optional<std::string>();
  return held_->body(request.receipt);
}

bool SqsRequestSource::still_held(const SourceRequest& request) {
  if (!held_) return false;
  std::vector<HeldMessage> to_release;
  if (held_->startable(request.receipt, Clock::now(), to_release)) return true;
  warn(fmt::format(
      "{}: not applied, its visibility could not be kept{}; the queue will hand "
      "it out again",
      request.key,
      to_release.empty()
          ? ""
          : fmt::format(" (and {} later message(s) of its group given back)", to_release.size())));
  release_held(to_release);
  return false;
}

util::Expected<void, SourceError> SqsRequestSource::remove(const SourceRequest& request) {
  if (held_) held_->take(request.receipt);
  auto deleted = client_->delete_message(queue_url_, request.receipt);
  if (!deleted) return util::Unexpected(error(deleted.error()));
  return {};
}

util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError>
SqsRequestSource::remove_batch(const std::vector<SourceRequest>& requests) {
  std::vector<std::pair<SourceRequest, SourceError>> failed;
  for (std::size_t first = 0; first < requests.size(); first += aws::k_sqs_max_batch) {
    const std::size_t last = std::min(requests.size(), first + aws::k_sqs_max_batch);
    std::vector<aws::SqsReceiptEntry> entries;
    for (std::size_t i = first; i < last; ++i) {
      if (held_) held_->take(requests[i].receipt);
      entries.push_back({std::to_string(i - first), requests[i].receipt, 0});
    }
    std::vector<std::size_t> retry;
    auto result = client_->delete_message_batch(queue_url_, entries);
    if (!result) {
      for (std::size_t i = first; i < last; ++i) retry.push_back(i);
    } else {
      for (const auto& failure : result->failed) {
        auto index = parse_long(failure.id);
        if (index && *index >= 0 && static_cast<std::size_t>(*index) < entries.size()) {
          retry.push_back(first + static_cast<std::size_t>(*index));
        }
      }
    }
    for (std::size_t i : retry) {
      if (auto removed = remove(requests[i]); !removed) {
        failed.emplace_back(requests[i], std::move(removed.error()));
      }
    }
  }
  return failed;
}

void SqsRequestSource::release(const std::vector<SourceRequest>& requests) {
  if (!held_) return;
  std::vector<HeldMessage> messages;
  for (const auto& request : requests) {
    if (auto message = held_->take(request.receipt)) messages.push_back(std::move(*message));
  }
  release_held(messages);
}

void SqsRequestSource::release_held(const std::vector<HeldMessage>& messages) {
  std::lock_guard lock(visibility_mutex_);
  for (std::size_t first = 0; first < messages.size(); first += aws::k_sqs_max_batch) {
    const std::size_t last = std::min(messages.size(), first + aws::k_sqs_max_batch);
    std::vector<aws::SqsReceiptEntry> entries;
    for (std::size_t i = first; i < last; ++i) {
      entries.push_back({std::to_string(i - first), messages[i].receipt, 0});
    }
    auto result = client_->change_message_visibility_batch(queue_url_, entries);
    if (!result) {
      warn(
          fmt::format("could not give back {} message(s); they return when their visibility "
                      "timeout runs out: {}",
                      entries.size(), result.error().describe()));
    } else if (!result->failed.empty()) {
      warn(fmt::format(
          "could not give back {} message(s) ({}: {}); they return when their "
          "visibility timeout runs out",
          result->failed.size(), result->failed.front().code, result->failed.front().message));
    }
  }
}

}  // namespace wc::source
