#pragma once
// The SQS JSON protocol (AmazonSQS.* targets, application/x-amz-json-1.0) as pure functions:
// request bodies in, response bodies out. No I/O, so every byte of the wire format is testable.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http.h"
#include "util/expected.h"

namespace wc::aws {

/// One message as ReceiveMessage returns it.
struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  /// System attributes asked for (MessageGroupId, SequenceNumber, ApproximateReceiveCount...).
  std::map<std::string, std::string> attributes;

  /// The attribute's value, or empty when the message does not have it.
  std::string attribute(const std::string& name) const;
};

/// A message attribute to send: DataType "String" or "Number" (both carried as text).
struct SqsMessageAttribute {
  std::string data_type = "String";
  std::string value;
};

struct SqsSendEntry {
  std::string id;    ///< batch entry id, unique in one batch ([A-Za-z0-9_-]{1,80}); unused alone
  std::string body;  ///< must satisfy is_valid_sqs_text
  std::string group_id;          ///< FIFO queues: required; empty otherwise
  std::string deduplication_id;  ///< FIFO queues without content-based dedup: required
  std::map<std::string, SqsMessageAttribute> attributes;
};

struct SqsReceiveRequest {
  std::string queue_url;
  int max_messages = 10;                  ///< 1..10
  int wait_seconds = 0;                   ///< 0..20: long polling when above 0
  std::optional<int> visibility_timeout;  ///< seconds; the queue's own when absent
  /// FIFO only: a retry of a receive whose answer was lost gets the same messages again.
  std::string receive_request_attempt_id;
  std::vector<std::string> system_attribute_names;
};

/// A batch entry that changes one message (delete, change visibility).
struct SqsReceiptEntry {
  std::string id;
  std::string receipt_handle;
  int visibility_timeout = 0;  ///< seconds; used by ChangeMessageVisibilityBatch only
};

struct SqsBatchFailure {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = false;
};

/// What a *Batch operation did, entry by entry.
struct SqsBatchResult {
  std::vector<std::string> successful;  ///< entry ids
  std::vector<SqsBatchFailure> failed;
};

struct SqsSendResult {
  std::string message_id;
  std::string sequence_number;  ///< FIFO queues only
};

/// True for text SQS accepts in a body or attribute value: valid UTF-8 of the characters
/// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool is_valid_sqs_text(std::string_view text);

/// `text` with every byte sequence is_valid_sqs_text refuses replaced by U+FFFD.
std::string to_valid_sqs_text(std::string_view text);

/// True when `text` is a queue URL (an http:// or https:// URL) rather than a queue name.
bool is_queue_url(std::string_view text);
/// The queue name of a URL: its last path segment ("https://h/123/jobs.fifo" → "jobs.fifo");
/// a name is its own.
std::string queue_name_of(std::string_view name_or_url);
/// FIFO queue names end in ".fifo".
bool is_fifo_queue_name(std::string_view name);

// Request bodies. JSON carries only UTF-8: invalid bytes would become U+FFFD, so callers check
// message bodies with is_valid_sqs_text before building a send.
std::string get_queue_url_body(const std::string& queue_name);
std::string get_queue_attributes_body(const std::string& queue_url,
                                      const std::vector<std::string>& names);
std::string receive_message_body(const SqsReceiveRequest& request);
std::string delete_message_body(const std::string& queue_url, const std::string& receipt_handle);
std::string delete_message_batch_body(const std::string& queue_url,
                                      const std::vector<SqsReceiptEntry>& entries);
std::string change_visibility_body(const std::string& queue_url, const std::string& receipt_handle,
                                   int visibility_timeout);
std::string change_visibility_batch_body(const std::string& queue_url,
                                         const std::vector<SqsReceiptEntry>& entries);
std::string send_message_body(const std::string& queue_url, const SqsSendEntry& entry);
std::string send_message_batch_body(const std::string& queue_url,
                                    const std::vector<SqsSendEntry>& entries);

// Response bodies. An error string says what was wrong with the document.
util::Expected<std::string, std::string> parse_queue_url(std::string_view body);
util::Expected<std::map<std::string, std::string>, std::string> parse_queue_attributes(
    std::string_view body);
util::Expected<std::vector<SqsMessage>, std::string> parse_received_messages(std::string_view body);
util::Expected<SqsBatchResult, std::string> parse_batch_result(std::string_view body);
util::Expected<SqsSendResult, std::string> parse_send_result(std::string_view body);

/// The code and message of an SQS error answer. The code is the query-compatible one from the
/// x-amzn-query-error header ("AWS.SimpleQueueService.NonExistentQueue"), as the AWS CLI shows
/// it; else the shape name of `__type` ("QueueDoesNotExist" from "com.amazonaws.sqs#..."); else
/// one derived from the HTTP status. Never throws, whatever the body holds.
struct SqsErrorInfo {
  std::string code;
  std::string message;
};
SqsErrorInfo parse_sqs_error(const HttpResponse& response);

}  // namespace wc::aws
