#pragma once
// Requests are the messages of an SQS queue, standard or FIFO (SPEC §9).
//
// A poll is one ReceiveMessage of up to 10 messages, long-polling up to `queue_wait` (but no
// longer than the idle timeout has left, so that it still fires on time). Messages are handed
// out in the order received, keyed by their MessageId. From receipt until deletion they are
// held: a heartbeat renews their visibility before it runs out, so no other consumer gets
// them while they wait in the consumer's window or are worked on. read() returns the body kept
// from the receive, without a call; still_held() says, just before a request is applied,
// whether it is still safely ours. remove() deletes; release() and the destructor make held
// messages visible again at once.
//
// FIFO: SQS hands no other consumer a message of a group while one of its messages is in
// flight here, and the consumer deletes each request before it applies the next one of the
// same widget; with MessageGroupId = widgetId the requests of a widget are therefore applied
// one at a time, in queue order, across any number of consumers. If renewals fall behind or
// are refused, the message is not applied here (still_held() is false) and the later held
// messages of its group are given back with it, so the group comes back whole and in order.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/sqs_client.h"
#include "source/request_source.h"
#include "source/visibility_heartbeat.h"

namespace wc::source {

struct SqsSourceOptions {
  /// Longest wait of one receive for a message to arrive (--queue-wait, 0..20 s).
  std::chrono::seconds queue_wait{aws::k_sqs_max_wait_seconds};
  /// The consumer's idle timeout (0: none): a receive waits no longer than it has left.
  std::chrono::milliseconds idle_timeout{0};
  /// Where warnings go (a renewal that failed, a message given up); the source does not log.
  std::function<void(const std::string&)> warn;
  /// Told how many leases each heartbeat renewed and lost (VisibilityHeartbeat::Leases).
  std::function<void(std::size_t renewed, std::size_t lost)> on_leases;
};

class SqsRequestSource : public RequestSource {
 public:
  /// `queue` is a queue name (resolved with GetQueueUrl) or a queue URL (used as it is).
  SqsRequestSource(std::shared_ptr<aws::SqsClient> client, std::string queue,
                   SqsSourceOptions options);
  /// Stops the heartbeat and makes every message still held visible again at once.
  ~SqsRequestSource() override;

  std::string describe() const override;
  /// Resolves the queue URL and reads its VisibilityTimeout (the lease the heartbeat keeps
  /// renewing) and FifoQueue. A missing queue or refused credentials are fatal. Credentials
  /// that may not read the attributes get a warning and the SQS default of 30 s.
  util::Expected<void, SourceError> check() override;
  /// One ReceiveMessage (see above); on a FIFO queue with a ReceiveRequestAttemptId, so a
  /// retry after a lost answer gets the same messages instead of leaving them stranded. A
  /// message delivered more than once (ApproximateReceiveCount) gets a warning.
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  /// The body from the receive, without a call; nullopt when the message is not held (it was
  /// removed or released).
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  /// False when the message may no longer be applied here: not held (removed, released), its
  /// renewal refused, or less than a quarter of its visibility timeout left. The message is
  /// then given up, with the later held messages of its FIFO group (made visible at once).
  bool still_held(const SourceRequest& request) override;
  /// DeleteMessage. The message is no longer renewed, whatever the outcome.
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;
  /// DeleteMessageBatch in tens; failed entries are tried again one by one with DeleteMessage.
  util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError> remove_batch(
      const std::vector<SourceRequest>& requests) override;
  /// ChangeMessageVisibilityBatch to 0 for the ones still held; failures are only warned of
  /// (the messages come back when their lease runs out anyway).
  void release(const std::vector<SourceRequest>& requests) override;

 private:
  SourceError error(const aws::AwsError& error) const;
  util::Expected<void, SourceError> resolve_queue();
  int receive_wait_seconds();
  /// The heartbeat's renewal: ChangeMessageVisibilityBatch for the receipts still held.
  util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> renew(
      const std::vector<std::string>& receipts, int seconds);
  /// Makes messages (no longer held) visible at once; failures are only warned of.
  void release_held(const std::vector<HeldMessage>& messages);
  void warn(const std::string& message) const;

  std::shared_ptr<aws::SqsClient> client_;
  std::string queue_;  ///< as given
  SqsSourceOptions options_;
  std::string queue_url_;
  bool fifo_ = false;
  std::unique_ptr<HeldMessages> held_;
  /// Orders renewals and releases, so a renewal never follows the release of its message.
  std::mutex visibility_mutex_;
  std::unique_ptr<VisibilityHeartbeat> heartbeat_;
  std::optional<std::chrono::steady_clock::time_point> idle_since_;
  bool last_poll_found_ = false;
};

}  // namespace wc::source
