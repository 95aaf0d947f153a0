#pragma once
// Dead letters as messages of an SQS queue (`--dead-letter-queue NAME_OR_URL`).
//
// The message body is the request's original bytes, unchanged, so a letter can be sent back
// to the request queue as it is (by hand or with SQS's redrive). The record travels beside it
// as message attributes: `deadLetterRecord` (the JSON record of dead_letter_record), and
// `sourceKey`, `reason`, `attempts` on their own for a glance in the console. Bytes SQS cannot
// carry (not UTF-8, control characters) are sent base64-encoded with `bodyEncoding` = "base64";
// an empty body, which SQS refuses, is sent as "(empty)" with `bodyEncoding` = "empty". A body
// too large for the queue is cut to fit, with `truncated` = "true" (the record keeps the
// original size): losing the tail beats blocking every request behind it.
//
// FIFO queues: MessageGroupId is the request's widgetId when it has a usable one (else
// "no-widget-id"), and MessageDeduplicationId a SHA-256 of source, key and body, so keeping the
// same letter twice within SQS's five-minute window leaves one copy. Standard queues may get a
// duplicate.

#include <cstddef>
#include <memory>
#include <string>

#include "aws/sqs_client.h"
#include "store/dead_letter_sink.h"

namespace wc::store {

class SqsDeadLetters : public DeadLetterSink {
 public:
  /// `queue` is a name (resolved with GetQueueUrl) or a queue URL.
  SqsDeadLetters(std::shared_ptr<aws::SqsClient> client, std::string queue);

  std::string describe() const override;
  /// Resolves the queue URL and reads FifoQueue and MaximumMessageSize.
  util::Expected<void, StoreError> check() override;
  /// One SendMessage, as described above.
  util::Expected<void, StoreError> keep(const DeadLetter& letter) override;

 private:
  std::shared_ptr<aws::SqsClient> client_;
  std::string queue_;
  std::string queue_url_;
  bool fifo_ = false;
  std::size_t max_message_size_ = 0;
};

/// The message SqsDeadLetters sends for `letter` (exposed for tests): body, attributes, and
/// FIFO ids when `fifo`, sized to fit `max_message_size`.
aws::SqsSendEntry dead_letter_message(const DeadLetter& letter, bool fifo,
                                      std::size_t max_message_size);

}  // namespace wc::store
