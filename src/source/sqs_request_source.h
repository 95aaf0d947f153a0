#pragma once
// Requests are the messages of an SQS queue, standard or FIFO (SPEC §9).
//
// A poll is one ReceiveMessage of up to 10 messages, long-polling until the pipeline's
// deadline (never more than `queue_wait`). Messages are handed out in the order received,
// keyed by their MessageId, each with a Lease: from receipt until deletion a heartbeat renews
// their visibility before it runs out, so no other consumer gets them while they wait in the
// pipeline's window or are worked on; the pipeline checks the lease before each store call.
// acknowledge() deletes; give_back() and the destructor make held messages visible again.
//
// FIFO: SQS hands no other consumer a message of a group while one of its messages is in
// flight here, and the consumer deletes each request before it applies the next one of the
// same widget; with MessageGroupId = widgetId the requests of a widget are therefore applied
// one at a time, in queue order, across any number of consumers. When a lease is lost (its
// renewal refused, or it ended while the process was frozen), the message is not applied here
// and the later held messages of its group are given back with it, so the group comes back
// whole and in order.
//
// Poison messages: on a queue without a redrive policy, a message received more than
// `max_receives` times is handed out marked exhausted, for the pipeline to dead-letter and
// delete. A queue with a redrive policy moves such messages itself.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "aws/sqs_client.h"
#include "source/held_messages.h"
#include "source/request_source.h"
#include "source/visibility_heartbeat.h"

namespace wc::source {

struct SqsSourceOptions {
  /// Longest wait of one receive for a message to arrive (--queue-wait, 0..20 s).
  std::chrono::seconds queue_wait{aws::k_sqs_max_wait_seconds};
  /// --max-receives: receives after which a message is given up (0: never).
  int max_receives = 10;
  /// Where warnings go (a renewal that failed, a lease lost); the source does not log.
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
  /// Resolves the queue URL and reads VisibilityTimeout (the lease term the heartbeat keeps
  /// renewing), FifoQueue and RedrivePolicy, then starts the heartbeat. A missing queue or
  /// refused credentials are fatal. Credentials that may not read the attributes get a
  /// warning, the SQS default of 30 s, and --max-receives applied.
  util::Expected<void, SourceError> open() override;
  /// One ReceiveMessage (see above); on a FIFO queue with a ReceiveRequestAttemptId, so a
  /// retry after a lost answer gets the same messages instead of leaving them stranded.
  util::Expected<std::vector<LeasedRequest>, SourceError> poll(
      std::size_t max, LeaseClock::time_point until) override;
  /// DeleteMessageBatch in tens. A message whose lease was lost is not deleted here (another
  /// consumer may hold it): it comes back as NotRemoved with lease_lost, as does one the queue
  /// refuses for a stale receipt handle.
  util::Expected<std::vector<NotRemoved>, SourceError> acknowledge(
      const std::vector<LeasedRequest>& requests) override;
  /// Gives the messages up (with the later held ones of their FIFO groups) and makes the ones
  /// still ours visible at once; failures are only warned of (they return when their
  /// visibility timeout runs out anyway).
  void give_back(const std::vector<LeasedRequest>& requests) override;

 private:
  /// `opening`: from open(), where a refused call (not only refused access) is fatal.
  SourceError error(const aws::AwsError& error, bool opening = false) const;
  util::Expected<void, SourceError> resolve_queue();
  /// The heartbeat's renewal: ChangeMessageVisibilityBatch for the receipts still held.
  util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> renew(
      const std::vector<std::string>& receipts, int seconds);
  /// Makes messages (no longer held) visible at once; failures are only warned of.
  void release_held(const std::vector<HeldMessage>& messages);
  std::string exhausted_reason(long deliveries) const;
  void warn(const std::string& message) const;

  std::shared_ptr<aws::SqsClient> client_;
  std::string queue_;  ///< as given
  SqsSourceOptions options_;
  std::string queue_url_;
  bool fifo_ = false;
  bool redrive_ = false;  ///< the queue moves poison messages itself
  std::unique_ptr<HeldMessages> held_;
  /// Orders renewals and releases, so a renewal never follows the release of its message.
  std::mutex visibility_mutex_;
  std::unique_ptr<VisibilityHeartbeat> heartbeat_;
};

}  // namespace wc::source
