#pragma once
// Requests as messages of an SQS queue, the request queue widget-consumer reads with -rq.

#include <memory>
#include <string>

#include "aws/aws_session.h"
#include "aws/credentials.h"
#include "aws/sqs_client.h"
#include "request_sink.h"
#include "util/expected.h"

namespace wc::producer {

/// One SendMessage per request, the body exactly the request's bytes. On a FIFO queue (name
/// ending in ".fifo") MessageGroupId is the request's widgetId, so SQS keeps each widget's
/// requests in order and hands them to one consumer at a time, and MessageDeduplicationId is
/// a SHA-256 of key and body: a send retried after a lost answer is dropped by SQS instead of
/// queued twice, while two producers' different requests never collide. A queue has no keys,
/// so `overwrite` means nothing here and the outcome is always `stored`. SQS cannot carry an
/// empty body or bytes that are not valid UTF-8 text; such a request is an error.
class SqsSink final : public RequestSink {
 public:
  /// Resolves region, endpoint and credentials like the AWS CLI (flags, then `env`, then the
  /// shared files), and the queue: a name with GetQueueUrl, a URL as given (checked with
  /// GetQueueAttributes; a 403 is let through, as for S3). Errors name the queue and cause.
  static util::Expected<std::unique_ptr<SqsSink>, std::string> open(const std::string& queue,
                                                                    const aws::AwsOptions& options,
                                                                    const aws::EnvLookup& env);

  util::Expected<PutOutcome, std::string> put(const std::string& key, const std::string& body,
                                              bool overwrite) override;
  std::string where() const override;

  std::uint64_t calls() const { return client_->calls(); }
  std::uint64_t retries() const { return client_->retries(); }

 private:
  SqsSink(std::string queue_url, std::unique_ptr<aws::SqsClient> client)
      : queue_url_(std::move(queue_url)), client_(std::move(client)) {}

  std::string queue_url_;
  std::unique_ptr<aws::SqsClient> client_;
};

/// The message SqsSink sends for `body` written under `key` (exposed for tests).
aws::SqsSendEntry request_message(const std::string& key, const std::string& body, bool fifo);

}  // namespace wc::producer
