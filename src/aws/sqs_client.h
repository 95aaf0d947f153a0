#pragma once
// An SQS client: the JSON protocol (POST / with X-Amz-Target: AmazonSQS.<Operation>) of the
// operations this project needs, signed with SigV4, sent through a shared transport, transient
// failures retried by RetryPolicy. Thread-safe: one client may be used from many threads.
//
// Endpoint: every call goes to the configured endpoint (--endpoint-url, AWS_ENDPOINT_URL_SQS,
// AWS_ENDPOINT_URL, the profile's endpoint_url) or else https://sqs.{region}.amazonaws.com. A
// queue URL is only ever a parameter (QueueUrl): its host is not contacted, so a URL pasted
// from the console works against a local server and cannot redirect signed requests elsewhere.
//
// Errors carry the query-compatible code (see parse_sqs_error): a missing queue is
// "AWS.SimpleQueueService.NonExistentQueue", which aws::classify treats as fatal.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_call.h"
#include "aws/aws_error.h"
#include "aws/client_config.h"
#include "aws/http.h"
#include "aws/retry_policy.h"
#include "aws/sqs_json.h"
#include "util/expected.h"

namespace wc::aws {

/// The most entries one *Batch call and one receive may carry.
inline constexpr std::size_t k_sqs_max_batch = 10;
/// The longest long poll SQS allows.
inline constexpr int k_sqs_max_wait_seconds = 20;

class SqsClient {
 public:
  SqsClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport, RetryPolicy retry = {},
            RetryObserver on_retry = {}, AttemptObserver on_attempt = {});

  /// GetQueueUrl. A missing queue is AWS.SimpleQueueService.NonExistentQueue.
  util::Expected<std::string, AwsError> get_queue_url(const std::string& queue_name);
  /// GetQueueAttributes for the named attributes ("All" for every one); the values as sent.
  util::Expected<std::map<std::string, std::string>, AwsError> get_queue_attributes(
      const std::string& queue_url, const std::vector<std::string>& names);
  /// ReceiveMessage. Blocks up to request.wait_seconds on the server when the queue is empty;
  /// an empty vector means nothing arrived meanwhile.
  util::Expected<std::vector<SqsMessage>, AwsError> receive_message(
      const SqsReceiveRequest& request);
  /// DeleteMessage. An unknown or expired receipt handle is ReceiptHandleIsInvalid.
  util::Expected<void, AwsError> delete_message(const std::string& queue_url,
                                                const std::string& receipt_handle);
  /// DeleteMessageBatch of at most 10 entries (more: InvalidArgument, nothing sent). Entries
  /// that failed are in the result, not retried here.
  util::Expected<SqsBatchResult, AwsError> delete_message_batch(
      const std::string& queue_url, const std::vector<SqsReceiptEntry>& entries);
  /// ChangeMessageVisibility: the message becomes visible `visibility_timeout` seconds from now
  /// (0: at once).
  util::Expected<void, AwsError> change_message_visibility(const std::string& queue_url,
                                                           const std::string& receipt_handle,
                                                           int visibility_timeout);
  /// ChangeMessageVisibilityBatch of at most 10 entries; failed entries are in the result.
  util::Expected<SqsBatchResult, AwsError> change_message_visibility_batch(
      const std::string& queue_url, const std::vector<SqsReceiptEntry>& entries);
  /// SendMessage (entry.id unused). A body that is not valid SQS text (is_valid_sqs_text) is
  /// refused with InvalidMessageContents before anything is sent.
  util::Expected<SqsSendResult, AwsError> send_message(const std::string& queue_url,
                                                       const SqsSendEntry& entry);
  /// SendMessageBatch of at most 10 entries with distinct ids; failed entries are in the
  /// result. Bodies are checked as for send_message, for all entries before sending.
  util::Expected<SqsBatchResult, AwsError> send_message_batch(
      const std::string& queue_url, const std::vector<SqsSendEntry>& entries);

  const ServiceConfig& config() const { return caller_.config(); }
  /// HTTP requests sent so far (retries included).
  std::uint64_t calls() const { return caller_.calls(); }
  std::uint64_t retries() const { return caller_.retries(); }

 private:
  /// POSTs `body` as `operation` and returns the 2xx answer's body.
  util::Expected<std::string, AwsError> execute(const std::string& operation,
                                                const std::string& resource, std::string body);

  std::string endpoint_;
  AwsCaller caller_;
};

}  // namespace wc::aws
