#include "store/sqs_dead_letters.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/encoding.h"
#include "store/store_error.h"

namespace wc::store {

namespace {

// What SQS allows when the queue's own limit cannot be read.
constexpr std::size_t k_default_max_message_size = 256 * 1024;
constexpr std::size_t k_max_group_id = 128;
constexpr const char* k_no_widget_group = "no-widget-id";

/// The widgetId of a request body, when it has one SQS accepts as a MessageGroupId (1 to 128
/// printable ASCII characters, no space).
std::string group_for(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return k_no_widget_group;
  auto id = json.find("widgetId");
  if (id == json.end() || !id->is_string()) return k_no_widget_group;
  const auto& text = id->get_ref<const std::string&>();
  bool usable = !text.empty() && text.size() <= k_max_group_id &&
                std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  return usable ? text : k_no_widget_group;
}

std::size_t attributes_size(const std::map<std::string, aws::SqsMessageAttribute>& attributes) {
  std::size_t size = 0;
  for (const auto& [name, attribute] : attributes) {
    size += name.size() + attribute.data_type.size() + attribute.value.size();
  }
  return size;
}

/// The longest prefix of `text` of at most `limit` bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(const std::string& text, std::size_t limit) {
  std::size_t cut = std::min(limit, text.size());
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut);
}

void set_attribute(aws::SqsSendEntry& entry, const std::string& name, std::string value,
                   const char* type = "String") {
  // SQS refuses empty attribute values.
  if (!value.empty()) entry.attributes[name] = {type, aws::to_valid_sqs_text(value)};
}

/// Body and bodyEncoding: the bytes as they are when SQS can carry them, cut to `budget`.
void set_body(aws::SqsSendEntry& entry, const std::string& bytes, std::size_t budget) {
  bool truncated = false;
  if (bytes.empty()) {
    entry.body = "(empty)";
    set_attribute(entry, "bodyEncoding", "empty");
  } else if (aws::is_valid_sqs_text(bytes)) {
    entry.body = utf8_prefix(bytes, budget);
    truncated = entry.body.size() < bytes.size();
  } else {
    const std::size_t kept = std::min(bytes.size(), budget / 4 * 3);  // base64 grows 3 to 4
    entry.body = aws::base64(std::string_view(bytes).substr(0, kept));
    truncated = kept < bytes.size();
    set_attribute(entry, "bodyEncoding", "base64");
  }
  if (truncated) set_attribute(entry, "truncated", "true");
}

std::optional<std::size_t> parse_size(const std::string& text) {
  std::size_t value = 0;
  auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace

aws::SqsSendEntry dead_letter_message(const DeadLetter& letter, bool fifo,
                                      std::size_t max_message_size) {
  aws::SqsSendEntry entry;
  set_attribute(entry, "deadLetterRecord", dead_letter_record(letter));
  set_attribute(entry, "sourceKey", letter.source_key);
  set_attribute(entry, "reason", letter.reason);
  set_attribute(entry, "attempts", std::to_string(letter.attempts), "Number");
  // Room for the body once the attributes (and the two set_body may add) are counted.
  constexpr std::size_t k_body_attributes = sizeof("bodyEncoding") + sizeof("base64") +
                                            sizeof("truncated") + sizeof("true") +
                                            2 * sizeof("String");
  const std::size_t used = attributes_size(entry.attributes) + k_body_attributes;
  set_body(entry, letter.body, max_message_size > used ? max_message_size - used : 0);
  if (fifo) {
    entry.group_id = group_for(letter.body);
    entry.deduplication_id =
        aws::sha256_hex(letter.source + '\n' + letter.source_key + '\n' + letter.body);
  }
  return entry;
}

SqsDeadLetters::SqsDeadLetters(std::shared_ptr<aws::SqsClient> client, std::string queue)
    : client_(std::move(client)), queue_(std::move(queue)) {}

std::string SqsDeadLetters::describe() const {
  return "dead-letter queue '" + aws::queue_name_of(queue_) + "'";
}

util::Expected<void, StoreError> SqsDeadLetters::check() {
  if (aws::is_queue_url(queue_)) {
    queue_url_ = queue_;
  } else {
    auto url = client_->get_queue_url(queue_);
    if (!url) return util::Unexpected(store_error(describe(), url.error()));
    queue_url_ = std::move(*url);
  }
  fifo_ = aws::is_fifo_queue_name(aws::queue_name_of(queue_url_));
  max_message_size_ = k_default_max_message_size;
  auto attributes = client_->get_queue_attributes(queue_url_, {"FifoQueue", "MaximumMessageSize"});
  if (attributes) {
    fifo_ = fifo_ || (*attributes)["FifoQueue"] == "true";
    if (auto size = parse_size((*attributes)["MaximumMessageSize"])) max_message_size_ = *size;
  } else if (attributes.error().code != "AccessDenied" &&
             attributes.error().code != "AccessDeniedException") {
    // Credentials that may only send keep the defaults; anything else is a real problem.
    return util::Unexpected(store_error(describe(), attributes.error()));
  }
  return {};
}

util::Expected<void, StoreError> SqsDeadLetters::keep(const DeadLetter& letter) {
  if (queue_url_.empty()) {
    if (auto ready = check(); !ready) return ready;
  }
  auto sent =
      client_->send_message(queue_url_, dead_letter_message(letter, fifo_, max_message_size_));
  if (!sent) return util::Unexpected(store_error(describe(), sent.error()));
  return {};
}

}  // namespace wc::store
