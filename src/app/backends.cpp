#include "app/backends.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/aws_session.h"
#include "aws/curl_transport.h"
#include "aws/iso8601.h"
#include "source/directory_request_source.h"
#include "source/s3_request_source.h"
#include "source/sqs_request_source.h"
#include "store/directory_dead_letters.h"
#include "store/directory_document_backend.h"
#include "store/document_widget_store.h"
#include "store/dynamodb_widget_store.h"
#include "store/s3_dead_letters.h"
#include "store/s3_document_backend.h"
#include "store/sqs_dead_letters.h"

namespace wc::app {

namespace {

bool needs_s3(const Config& config) {
  return config.source_kind == SourceKind::s3_bucket || config.store_kind == StoreKind::s3_bucket ||
         config.dead_letter_kind == DeadLetterKind::s3_bucket;
}

/// Renewals are worth a line; a failed one a warning (the run ends only if the set expires).
void log_credentials_event(const aws::CredentialsEvent& event) {
  // Called on the renewal thread, which may still run while the process exits: a shared
  // copy keeps the logger alive, and after spdlog::shutdown() there is none to log to.
  std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  if (!logger) return;
  const std::string expiry = event.expiration ? aws::format_iso8601(*event.expiration) : "never";
  if (event.kind == aws::CredentialsEvent::Kind::renewed) {
    logger->info("renewed AWS credentials from {}; they expire at {}", event.provider, expiry);
  } else {
    logger->warn(
        "could not renew AWS credentials from {} ({}); retrying in {} ms, the current "
        "ones expire at {}",
        event.provider, event.error, event.retry_in.count(), expiry);
  }
}

/// The one credentials provider (and region) every client shares; the start-up line says
/// where the credentials come from.
util::Expected<aws::AwsSession, std::string> open_aws_session(const Config& config,
                                                              const aws::RetryObserver& on_retry) {
  aws::SessionOptions options;
  options.on_credentials = log_credentials_event;
  options.on_retry = on_retry;
  auto session = aws::open_session(config.aws, aws::process_environment(), options);
  if (!session) return util::Unexpected("AWS credentials: " + session.error());
  auto current = session->credentials->current();
  std::string lifetime = "static";
  if (current && (*current)->expiration) {
    lifetime = "temporary, expire at " + aws::format_iso8601(*(*current)->expiration) +
               ", renewed before then";
  }
  spdlog::info("AWS credentials from {} ({}); region {} (from {})",
               session->credentials->describe(), lifetime, session->region, session->region_source);
  return session;
}

util::Expected<std::shared_ptr<aws::S3Client>, std::string> make_s3_client(
    const Config& config, const aws::AwsSession& session, const BackendObservers& observers) {
  auto service = aws::service_config("s3", config.aws, aws::process_environment(), session);
  if (!service) return util::Unexpected("S3: " + service.error());
  aws::CurlTransportOptions transport_options;
  // The source's body readers and the lane runners each hold a connection; keep them all open
  // between calls.
  transport_options.max_idle_handles = 2 * config.concurrency + 8;
  auto transport = std::make_shared<aws::CurlTransport>(transport_options);
  return std::make_shared<aws::S3Client>(std::move(*service), std::move(transport),
                                         aws::RetryPolicy{}, observers.on_retry,
                                         observers.on_attempt);
}

util::Expected<std::shared_ptr<aws::DynamoDbClient>, std::string> make_dynamodb_client(
    const Config& config, const aws::AwsSession& session, const BackendObservers& observers) {
  auto service = aws::service_config("dynamodb", config.aws, aws::process_environment(), session);
  if (!service) return util::Unexpected("DynamoDB: " + service.error());
  aws::CurlTransportOptions transport_options;
  // Every lane worker writes through its own connection; keep them all open between calls.
  transport_options.max_idle_handles = config.concurrency + 8;
  auto transport = std::make_shared<aws::CurlTransport>(transport_options);
  return std::make_shared<aws::DynamoDbClient>(std::move(*service), std::move(transport),
                                               aws::RetryPolicy{}, observers.on_retry,
                                               observers.on_attempt);
}

bool needs_sqs(const Config& config) {
  return config.source_kind == SourceKind::sqs_queue ||
         config.dead_letter_kind == DeadLetterKind::sqs_queue;
}

util::Expected<std::shared_ptr<aws::SqsClient>, std::string> make_sqs_client(
    const Config& config, const aws::AwsSession& session, const BackendObservers& observers) {
  auto service = aws::service_config("sqs", config.aws, aws::process_environment(), session);
  if (!service) return util::Unexpected("SQS: " + service.error());
  auto transport = std::make_shared<aws::CurlTransport>();
  return std::make_shared<aws::SqsClient>(std::move(*service), std::move(transport),
                                          aws::RetryPolicy{}, observers.on_retry,
                                          observers.on_attempt);
}

// Receives in flight at once while a FIFO queue is busy: one receive brings at most 10
// messages per round trip, which runners take about as long to apply as a tenth of their
// number of round trips. A standard queue gets one: receives that overlap split its messages
// between them in no order, while one at a time keeps the order it hands them out in (SPEC
// §9), which users of a standard queue may rely on more than they should.
constexpr std::size_t k_max_sqs_pollers = 8;

std::size_t sqs_pollers(const Config& config) {
  if (!aws::is_fifo_queue_name(aws::queue_name_of(config.source_name))) return 1;
  return std::clamp<std::size_t>(
      (config.concurrency + aws::k_sqs_max_batch - 1) / aws::k_sqs_max_batch, 1, k_max_sqs_pollers);
}

/// A queue consumer holds only what its workers will start soon, and what the receives in
/// flight bring: every message held is hidden from the other consumers sharing the queue (a
/// whole FIFO group, even) and must have its visibility renewed while it waits.
std::size_t sqs_window(const Config& config) {
  return config.concurrency + (sqs_pollers(config) + 1) * aws::k_sqs_max_batch;
}

// Sources warn from their own threads too; main() shuts the log down only after every backend
// (and so every such thread) is gone.
void warn(const std::string& message) { spdlog::warn("{}", message); }

std::unique_ptr<source::RequestSource> make_sqs_source(const Config& config,
                                                       std::shared_ptr<aws::SqsClient> client,
                                                       const BackendObservers& observers) {
  source::SqsSourceOptions options;
  options.queue_wait = config.queue_wait;
  options.max_receives = config.max_receives;
  options.warn = warn;
  options.on_leases = observers.on_leases;
  return std::make_unique<source::SqsRequestSource>(std::move(client), config.source_name,
                                                    std::move(options));
}

}  // namespace

std::uint64_t Backends::aws_calls() const {
  return (s3 ? s3->calls() : 0) + (sqs ? sqs->calls() : 0) + (dynamodb ? dynamodb->calls() : 0);
}

std::uint64_t Backends::aws_retries() const {
  return (s3 ? s3->retries() : 0) + (sqs ? sqs->retries() : 0) +
         (dynamodb ? dynamodb->retries() : 0);
}

util::Expected<Backends, std::string> make_backends(const Config& config,
                                                    const BackendObservers& observers) {
  Backends backends;
  std::optional<aws::AwsSession> session;
  if (needs_s3(config) || needs_sqs(config) || config.store_kind == StoreKind::dynamodb_table) {
    auto opened = open_aws_session(config, observers.on_retry);
    if (!opened) return util::Unexpected(std::move(opened).error());
    session = std::move(*opened);
  }
  if (needs_s3(config)) {
    auto client = make_s3_client(config, *session, observers);
    if (!client) return util::Unexpected(std::move(client).error());
    backends.s3 = std::move(*client);
  }
  if (needs_sqs(config)) {
    auto client = make_sqs_client(config, *session, observers);
    if (!client) return util::Unexpected(std::move(client).error());
    backends.sqs = std::move(*client);
  }

  if (config.source_kind == SourceKind::s3_bucket) {
    source::S3SourceOptions options;
    options.reads_in_flight = config.concurrency;
    options.warn = warn;
    backends.source =
        std::make_unique<source::S3RequestSource>(backends.s3, config.source_name, options);
  } else if (config.source_kind == SourceKind::sqs_queue) {
    backends.source = make_sqs_source(config, backends.sqs, observers);
    backends.source_window = sqs_window(config);
    backends.source_pollers = sqs_pollers(config);
    backends.source_poll_batch = aws::k_sqs_max_batch;
    backends.source_removal_batch = aws::k_sqs_max_batch;
  } else {
    backends.source = std::make_unique<source::DirectoryRequestSource>(config.source_name, warn);
  }

  if (config.store_kind == StoreKind::dynamodb_table) {
    auto client = make_dynamodb_client(config, *session, observers);
    if (!client) return util::Unexpected(std::move(client).error());
    backends.dynamodb = std::move(*client);
    backends.store =
        std::make_unique<store::DynamoDbWidgetStore>(backends.dynamodb, config.store_name);
  } else {
    std::unique_ptr<store::DocumentBackend> documents;
    if (config.store_kind == StoreKind::s3_bucket) {
      documents = std::make_unique<store::S3DocumentBackend>(backends.s3, config.store_name);
    } else {
      documents = std::make_unique<store::DirectoryDocumentBackend>(config.store_name);
    }
    backends.store = std::make_unique<store::DocumentWidgetStore>(std::move(documents));
  }

  if (config.dead_letter_kind == DeadLetterKind::s3_bucket) {
    backends.dead_letters =
        std::make_unique<store::S3DeadLetters>(backends.s3, config.dead_letter_name);
  } else if (config.dead_letter_kind == DeadLetterKind::sqs_queue) {
    backends.dead_letters =
        std::make_unique<store::SqsDeadLetters>(backends.sqs, config.dead_letter_name);
  } else {
    backends.dead_letters = std::make_unique<store::DirectoryDeadLetters>(config.dead_letter_name);
  }
  return backends;
}

}  // namespace wc::app
