#pragma once
// Builds the source, store and dead-letter place the config names: the one place that knows
// every backend.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "aws/dynamodb_client.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "source/request_source.h"
#include "store/dead_letter_sink.h"
#include "store/widget_store.h"
#include "util/expected.h"

namespace wc::app {

struct Backends {
  std::unique_ptr<source::RequestSource> source;
  std::unique_ptr<store::WidgetStore> store;
  std::unique_ptr<store::DeadLetterSink> dead_letters;
  std::shared_ptr<aws::S3Client> s3;              ///< null when nothing uses S3
  std::shared_ptr<aws::DynamoDbClient> dynamodb;  ///< null unless the store is DynamoDB
  std::shared_ptr<aws::SqsClient> sqs;            ///< null when nothing uses SQS
  /// Requests the consumer should hold at once (ConsumerOptions::window); 0: its default.
  std::size_t source_window = 0;
  /// Polls the consumer may have in flight while the source is busy
  /// (ConsumerOptions::pollers): several receives for a queue, one for the others.
  std::size_t source_pollers = 1;
  /// Requests one poll hands out at most (ConsumerOptions::poll_batch); 0: the consumer's
  /// default. A poll that gets this many finds the source busy.
  std::size_t source_poll_batch = 0;
  /// Requests one removal takes (ConsumerOptions::max_removal_batch); 0: the consumer's
  /// default. A queue deletes 10 per call, and several such removals go at once.
  std::size_t source_removal_batch = 0;

  /// AWS calls and retries so far, over every client.
  std::uint64_t aws_calls() const;
  std::uint64_t aws_retries() const;
  /// True when some backend talks to AWS (the AWS line of the stop summary is worth printing).
  bool uses_aws() const { return s3 || sqs || dynamodb; }
};

/// What the caller wants to hear from the backends; any may be empty.
struct BackendObservers {
  aws::RetryObserver on_retry;      ///< every AWS retry
  aws::AttemptObserver on_attempt;  ///< every HTTP request to AWS, timed
  /// Queue leases renewed and lost (SqsSourceOptions::on_leases).
  std::function<void(std::size_t renewed, std::size_t lost)> on_leases;
};

/// Fails (with a message naming what is missing) when credentials or region cannot be
/// resolved for a cloud backend, or a backend is not available in this build.
util::Expected<Backends, std::string> make_backends(const Config& config,
                                                    const BackendObservers& observers);

}  // namespace wc::app
