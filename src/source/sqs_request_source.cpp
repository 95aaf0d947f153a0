#include "source/sqs_request_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "aws/call_limits.h"
#include "aws/error_class.h"
#include "util/thread_rng.h"

namespace wc::source {

namespace {

// SQS's own default, for credentials that may not read the queue's attributes.
constexpr std::chrono::seconds k_default_visibility_timeout{30};
// A shorter lease leaves the heartbeat no time to renew it.
constexpr std::chrono::seconds k_min_lease{2};
// A renewal call may take this share of a lease term at most (and never more than the cap),
// so that a slow one still leaves time for the next beat's try.
constexpr int k_renewal_share = 6;
constexpr std::chrono::seconds k_max_renewal_call{5};
// Giving messages back at a stop must not hold the exit up.
constexpr std::chrono::seconds k_max_release_call{1};

const std::vector<std::string> k_system_attributes = {"MessageGroupId", "ApproximateReceiveCount"};

/// The queue said the receipt handle is stale: the lease was lost, not the run.
bool is_stale_receipt(const std::string& code, const std::string& message) {
  return code == "ReceiptHandleIsInvalid" || code == "InvalidReceiptHandle" ||
         (code == "InvalidParameterValue" && message.find("eceipt") != std::string::npos);
}

std::string random_attempt_id() {
  std::mt19937_64& rng = util::thread_rng();
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
  if (!held_) return;
  aws::CallScope bounded({aws::CallClock::now() + k_max_release_call, nullptr});
  release_held(held_->take_all(LeaseClock::now()));
}

std::string SqsRequestSource::describe() const {
  return "SQS queue '" + aws::queue_name_of(queue_) + "'";
}

SourceError SqsRequestSource::error(const aws::AwsError& error, bool opening) const {
  // Opening, a call refused for any reason but a transient one will be refused again.
  const auto kind = aws::classify(error);
  return SourceError{
      "request source " + describe() + ": " + error.describe(),
      kind == aws::ErrorClass::access || (opening && kind == aws::ErrorClass::request)};
}

void SqsRequestSource::warn(const std::string& message) const {
  if (options_.warn) options_.warn(describe() + ": " + message);
}

util::Expected<void, SourceError> SqsRequestSource::open() {
  if (held_) return {};
  if (auto resolved = resolve_queue(); !resolved) return resolved;
  std::chrono::seconds visibility = k_default_visibility_timeout;
  fifo_ = aws::is_fifo_queue_name(aws::queue_name_of(queue_url_));
  auto attributes = client_->get_queue_attributes(
      queue_url_, {"VisibilityTimeout", "FifoQueue", "RedrivePolicy"});
  if (attributes) {
    if (auto seconds = parse_long((*attributes)["VisibilityTimeout"])) {
      visibility = std::chrono::seconds(*seconds);
    }
    fifo_ = fifo_ || (*attributes)["FifoQueue"] == "true";
    redrive_ = !(*attributes)["RedrivePolicy"].empty();
  } else if (attributes.error().code == "AccessDenied" ||
             attributes.error().code == "AccessDeniedException") {
    warn(
        fmt::format("cannot read the queue's attributes ({}); assuming a visibility timeout "
                    "of {} s and no redrive policy",
                    attributes.error().code, k_default_visibility_timeout.count()));
  } else {
    return util::Unexpected(error(attributes.error(), true));
  }
  held_ = std::make_unique<HeldMessages>(std::max(visibility, k_min_lease));
  heartbeat_ = std::make_unique<VisibilityHeartbeat>(
      *held_,
      [this](const std::vector<std::string>& receipts, int seconds) {
        return renew(receipts, seconds);
      },
      [this](const std::vector<HeldMessage>& messages) { release_held(messages); },
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
  // Short: a renewal that hangs must not use up the lease it is meant to extend.
  const auto call_time =
      std::min<LeaseClock::duration>(held_->term() / k_renewal_share, k_max_renewal_call);
  aws::CallScope bounded({aws::CallClock::now() + call_time, nullptr});
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
  if (!url) return util::Unexpected(error(url.error(), true));
  queue_url_ = std::move(*url);
  return {};
}

std::string SqsRequestSource::exhausted_reason(long deliveries) const {
  if (redrive_ || options_.max_receives <= 0 || deliveries <= options_.max_receives) return {};
  return fmt::format(
      "received {} times, more than --max-receives {}, and the queue has no redrive policy: "
      "given up",
      deliveries, options_.max_receives);
}

util::Expected<std::vector<LeasedRequest>, SourceError> SqsRequestSource::poll(
    std::size_t max, LeaseClock::time_point until) {
  if (!held_) {
    return util::Unexpected(SourceError{"request source " + describe() + " was not opened", true});
  }
  aws::SqsReceiveRequest receive;
  receive.queue_url = queue_url_;
  receive.max_messages = static_cast<int>(std::clamp<std::size_t>(max, 1, aws::k_sqs_max_batch));
  // Rounded up: the receive then ends just after the pipeline's deadline (an idle timeout, say),
  // which it sees at once, instead of just before it, which would cost another receive. Never
  // longer than half a lease term: a lease counts from when the receive was sent (below), so a
  // message that arrives late in a long poll must still have most of its lease left.
  const auto max_wait = std::min<std::chrono::seconds::rep>(
      {options_.queue_wait.count(), aws::k_sqs_max_wait_seconds,
       std::chrono::duration_cast<std::chrono::seconds>(held_->term() / 2).count()});
  const auto left = std::chrono::ceil<std::chrono::seconds>(
      std::min(until, LeaseClock::now() + options_.queue_wait) - LeaseClock::now());
  receive.wait_seconds =
      static_cast<int>(std::clamp<std::chrono::seconds::rep>(left.count(), 0, max_wait));
  receive.visibility_timeout =
      static_cast<int>(std::chrono::ceil<std::chrono::seconds>(held_->term()).count());
  if (fifo_) receive.receive_request_attempt_id = random_attempt_id();
  receive.system_attribute_names = k_system_attributes;

  // The queue starts a message's visibility timeout when it hands it out, which may be any time
  // after the receive was sent (a process frozen meanwhile reads the answer late): the lease
  // counts from the send, never from when the answer was read.
  const auto received = LeaseClock::now();
  auto messages = client_->receive_message(receive);
  if (!messages) return util::Unexpected(error(messages.error()));
  std::vector<LeasedRequest> requests;
  requests.reserve(messages->size());
  for (auto& message : *messages) {
    Lease lease = Lease::until(received + held_->term(), held_->term());
    const long deliveries = parse_long(message.attribute("ApproximateReceiveCount")).value_or(0);
    std::string exhausted = exhausted_reason(deliveries);
    if (exhausted.empty() && deliveries > 1) {
      // Normal after a crash or a stop elsewhere; worth a word when it keeps happening.
      warn(fmt::format("{}: delivered {} times; an earlier receive did not finish it",
                       message.message_id, deliveries));
    }
    held_->add(HeldMessage{message.receipt_handle, message.message_id,
                           message.attribute("MessageGroupId"), lease});
    requests.push_back(LeasedRequest{std::move(message.message_id), std::move(message.body),
                                     std::move(message.receipt_handle), std::move(lease),
                                     std::move(exhausted), deliveries});
  }
  return requests;
}

util::Expected<std::vector<NotRemoved>, SourceError> SqsRequestSource::acknowledge(
    const std::vector<LeasedRequest>& requests) {
  std::vector<NotRemoved> not_removed;
  const auto lost = [&](const LeasedRequest& request, const std::string& why) {
    not_removed.push_back(NotRemoved{
        request, SourceError{"request source " + describe() + ": " + request.key + ": " + why},
        true});
  };
  std::vector<const LeasedRequest*> deletable;
  const auto now = LeaseClock::now();
  for (const auto& request : requests) {
    // An ended lease may be another consumer's now: its message is not ours to delete.
    if (!request.lease.holds_for(LeaseClock::duration::zero(), now)) {
      lost(request, "its lease was lost before it could be deleted");
    } else {
      deletable.push_back(&request);
    }
  }
  for (std::size_t first = 0; first < deletable.size(); first += aws::k_sqs_max_batch) {
    const std::size_t last = std::min(deletable.size(), first + aws::k_sqs_max_batch);
    std::vector<aws::SqsReceiptEntry> entries;
    for (std::size_t i = first; i < last; ++i) {
      entries.push_back({std::to_string(i - first), deletable[i]->handle, 0});
    }
    auto result = client_->delete_message_batch(queue_url_, entries);
    if (!result) {
      for (std::size_t i = first; i < last; ++i) {
        not_removed.push_back(NotRemoved{*deletable[i], error(result.error()), false});
      }
      continue;
    }
    std::vector<bool> failed(last - first, false);
    for (const auto& failure : result->failed) {
      auto index = parse_long(failure.id);
      if (!index || *index < 0 || static_cast<std::size_t>(*index) >= entries.size()) continue;
      const LeasedRequest& request = *deletable[first + static_cast<std::size_t>(*index)];
      failed[static_cast<std::size_t>(*index)] = true;
      if (is_stale_receipt(failure.code, failure.message)) {
        request.lease.lose();
        lost(request, "the queue refused its receipt handle (" + failure.code + ")");
      } else {
        not_removed.push_back(
            NotRemoved{request,
                       SourceError{"request source " + describe() + ": DeleteMessageBatch entry " +
                                       request.key + ": " + failure.code + ": " + failure.message,
                                   false},
                       false});
      }
    }
    for (std::size_t i = first; i < last; ++i) {
      if (!failed[i - first]) held_->take(deletable[i]->handle);
    }
  }
  // A lost lease takes the later held messages of its FIFO group with it (they must not be
  // applied before it comes back); the ones still ours go back to the queue at once.
  std::vector<HeldMessage> to_release;
  for (const auto& entry : not_removed) {
    if (entry.lease_lost) held_->give_up(entry.request.handle, now, to_release);
  }
  std::erase_if(to_release, [&](const HeldMessage& message) {
    return std::any_of(not_removed.begin(), not_removed.end(), [&](const NotRemoved& entry) {
      return entry.request.handle == message.receipt;
    });
  });
  if (!to_release.empty()) release_held(to_release);
  return not_removed;
}

void SqsRequestSource::give_back(const std::vector<LeasedRequest>& requests) {
  if (!held_) return;
  std::vector<HeldMessage> messages;
  const auto now = LeaseClock::now();
  for (const auto& request : requests) held_->give_up(request.handle, now, messages);
  aws::CallScope bounded({aws::CallClock::now() + k_max_release_call, nullptr});
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
