#pragma once
// Everything the command line decides, validated: exactly one source, one store, one
// dead-letter place.

#include <chrono>
#include <cstddef>
#include <string>

#include "aws/client_config.h"

namespace wc::app {

enum class SourceKind { s3_bucket, sqs_queue, directory };
enum class StoreKind { s3_bucket, dynamodb_table, directory };
enum class DeadLetterKind { directory, s3_bucket, sqs_queue };
enum class LogFormat { text, json };

struct Config {
  SourceKind source_kind = SourceKind::directory;
  std::string source_name;  ///< bucket, queue name or URL, or directory
  StoreKind store_kind = StoreKind::directory;
  std::string store_name;  ///< bucket, table or directory
  DeadLetterKind dead_letter_kind = DeadLetterKind::directory;
  std::string dead_letter_name = "dead-letters";
  std::string log_dir = "logs";
  bool log_file = true;  ///< false: the console only (--no-log-file)
  LogFormat log_format = LogFormat::text;
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds max_runtime{0};
  std::size_t concurrency = 32;               ///< widgets applied at once; 1 is sequential
  int metrics_port = 0;                       ///< 0: no metrics endpoint
  std::string metrics_address = "127.0.0.1";  ///< an IPv4 or IPv6 address to listen on
  bool progress = true;                       ///< a progress line every few seconds
  std::chrono::seconds queue_wait{20};        ///< longest SQS long poll (--queue-wait, 0..20)
  /// --outage-timeout: how long an unreachable place is waited for (0: forever).
  std::chrono::milliseconds outage_timeout{300'000};
  int max_receives = 10;  ///< --max-receives (0: never give a queue message up)
  aws::AwsOptions aws;
};

}  // namespace wc::app
